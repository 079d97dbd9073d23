//! Unique keys over HTTP: a second record with a key another holds is a 409 whose `existingId`
//! names the holder, whether the check found it or two creates raced and the database's unique
//! index caught the second (never a 500). Run with `KIV_TEST_DATABASE_URL` for real races.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use crate::common;

use common::{assert_problem, both, Session};
use reqwest::Method;
use serde_json::{json, Value};

const ROUNDS: usize = 10;

/// Sends `first` and `second` to `path` at once: exactly one is created, the other is a 409
/// naming it; then `first` again, which finds it. Returns the created record.
async fn race(session: &Session<'_>, path: &str, first: Value, second: Value) -> Value {
    let (a, b) = both(
        session.send(Method::POST, path, Some(first.clone()), None),
        session.send(Method::POST, path, Some(second), None),
    )
    .await;
    let (a_status, b_status) = (a.status().as_u16(), b.status().as_u16());
    let (created, refused) = match (a_status, b_status) {
        (201, 409) => (a, b),
        (409, 201) => (b, a),
        _ => panic!(
            "POST {path}: {a_status} {} / {b_status} {}",
            a.text().await.unwrap(),
            b.text().await.unwrap()
        ),
    };
    let created: Value = created.json().await.unwrap();
    let problem = assert_problem(refused, 409, "kiv:conflict").await;
    assert_eq!(problem["existingId"], created["id"], "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(created["id"].as_str().unwrap()),
        "{problem}"
    );
    // Not racing: the check finds it, and answers the same.
    let again = assert_problem(
        session.send(Method::POST, path, Some(first), None).await,
        409,
        "kiv:conflict",
    )
    .await;
    assert_eq!(again["existingId"], created["id"], "{again}");
    created
}

#[actix_web::test]
async fn racing_creates_of_objectives_and_actions_make_one_and_name_it() {
    let app = common::TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let mut objective = Value::Null;
    for round in 0..ROUNDS {
        let body = json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": format!("9.{round}"), "level": "strategic", "title": {"nl": "Doelstelling"}});
        objective = race(&fod, "/objectives", body.clone(), body).await;
    }
    for round in 0..ROUNDS {
        // The same code within the objective.
        let body = json!({"objectiveId": objective["id"], "code": format!("c{round}"), "title": {"nl": "Actie"}, "leadOrganisationId": "federale-politie", "plannedStart": "2016-01-01", "plannedEnd": "2017-12-31"});
        race(&fod, "/actions", body.clone(), body).await;
        // The same external id of the lead organisation, under two codes.
        let external = |code: String| json!({"objectiveId": objective["id"], "code": code, "title": {"nl": "Actie"}, "leadOrganisationId": "federale-politie", "plannedStart": "2016-01-01", "plannedEnd": "2017-12-31", "externalId": format!("FGP-{round}")});
        race(
            &fod,
            "/actions",
            external(format!("x{round}")),
            external(format!("y{round}")),
        )
        .await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn racing_creates_of_cluster_follow_ups_and_evaluations_make_one_and_name_it() {
    let app = common::TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    for round in 0..ROUNDS {
        let cluster = (round + 1).to_string();
        let body = json!({"planId": "kiv-2016-2019", "clusterId": cluster, "period": "2016S2", "assessment": "onTrack"});
        race(&fod, "/clusterFollowUps", body.clone(), body).await;
        let body = json!({"planId": "kiv-2016-2019", "clusterId": cluster, "round": "interim", "period": {"from": "2016S1", "to": "2016S2"}});
        race(&fod, "/evaluations", body.clone(), body).await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn racing_creates_of_plans_and_accounts_make_one_and_name_it() {
    let app = common::TestApp::spawn().await;
    let admin = Session::new(&app, "demo-admin").await;
    for round in 0..ROUNDS {
        let body = json!({"id": format!("race-{round}"), "kind": "frameworkNote", "title": {"nl": "Plan"}, "periodStart": "2030-01-01", "periodEnd": "2033-12-31", "reportingFrequency": "annual"});
        let plan = race(&admin, "/plans", body.clone(), body).await;
        assert_eq!(plan["id"], format!("race-{round}"));
        let body = json!({"kind": "client", "clientId": format!("race-{round}"), "organisationId": "pz-demo", "roles": ["reporter"]});
        race(&admin, "/accounts", body.clone(), body).await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn an_id_listed_twice_is_bad_input_not_a_conflict() {
    let app = common::TestApp::spawn().await;
    let admin = Session::new(&app, "demo-admin").await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let refusals = [
        (
            &admin,
            "/plans",
            json!({"id": "twice", "kind": "frameworkNote", "title": {"nl": "Plan"}, "periodStart": "2030-01-01", "periodEnd": "2033-12-31", "reportingFrequency": "annual", "clusterIds": ["1", "2", "1"], "themeIds": ["internetAndIct", "internetAndIct"]}),
            vec!["clusterIds[2]", "themeIds[1]"],
        ),
        (
            &fod,
            "/objectives",
            json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "3", "level": "strategic", "title": {"nl": "Drugs"}, "ownerOrganisationIds": ["federale-politie", "federale-politie"]}),
            vec!["ownerOrganisationIds[1]"],
        ),
    ];
    for (session, path, body, names) in refusals {
        let problem = assert_problem(
            session.send(Method::POST, path, Some(body), None).await,
            400,
            "belgif:badRequest",
        )
        .await;
        let found: Vec<&str> = problem["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(found, names, "{path}: {problem}");
    }
    let objectives: Value = fod
        .send(Method::GET, "/objectives", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(objectives["total"], 0, "a refused objective was written");
    assert_eq!(
        admin
            .send(Method::GET, "/plans/twice", None, None)
            .await
            .status()
            .as_u16(),
        404
    );
    app.stop().await;
}
