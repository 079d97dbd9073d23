//! The planning model over HTTP: objectives, actions, indicators; validation, concurrency,
//! retries, upserts, permissions, the audit trail and collections over a few hundred rows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, both, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

type Planner<'a> = Session<'a>;

impl Session<'_> {
    /// POSTs and expects 201; returns the body.
    async fn create(&self, path: &str, body: Value) -> Value {
        let response = self
            .send(Method::POST, path, Some(body.clone()), None)
            .await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(status, 201, "POST {path} {body}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// POSTs and expects 400; returns the problem.
    async fn refused(&self, path: &str, body: Value) -> Value {
        let response = self.send(Method::POST, path, Some(body), None).await;
        assert_problem(response, 400, "badRequest").await
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.send(Method::GET, path, None, None).await;
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    async fn total(&self, path: &str) -> i64 {
        self.get(path).await["total"].as_i64().unwrap()
    }

    async fn strategic(&self, code: &str, cluster: &str) -> Value {
        self.create(
            "/objectives",
            json!({"planId": "kiv-2016-2019", "clusterId": cluster, "code": code, "level": "strategic",
                   "title": {"nl": format!("Doelstelling {code}"), "fr": format!("Objectif {code}")}}),
        )
        .await
    }

    async fn action(&self, objective: &Value, code: &str, extra: Value) -> Value {
        let mut body = json!({"objectiveId": objective["id"], "code": code, "title": {"nl": format!("Actie {code}")},
                              "leadOrganisationId": "federale-politie", "plannedStart": "2016-07-01", "plannedEnd": "2018-12-31"});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        self.create("/actions", body).await
    }
}

fn issue_names(problem: &Value) -> Vec<String> {
    problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn objectives_actions_and_indicators_round_trip() {
    let app = TestApp::spawn().await;
    let fod = Planner::new(&app, "demo-coordinator").await;
    let strategic = fod.strategic("3.1", "3").await;
    assert_eq!(strategic["level"], "strategic");
    let operational = fod
        .create("/objectives", json!({"planId": "kiv-2016-2019", "clusterId": "3", "parentId": strategic["id"], "code": "3.1.1",
            "level": "operational", "title": {"nl": "Drugslabs opsporen"}, "description": {"nl": "Meer en sneller"},
            "themeIds": ["proceedsOfCrime"], "ownerOrganisationIds": ["federale-politie", "lokale-politie"]}))
        .await;
    assert_eq!(
        fod.get(&format!(
            "/objectives/{}",
            operational["id"].as_str().unwrap()
        ))
        .await,
        operational
    );
    assert_eq!(
        operational["ownerOrganisationIds"],
        json!(["federale-politie", "lokale-politie"])
    );

    let action = fod
        .action(&operational, "3.1.1.a", json!({"partnerOrganisationIds": ["pz-demo"], "themeIds": ["proceedsOfCrime"], "weight": 2.5, "externalId": "FGP-44"}))
        .await;
    let action_path = format!("/actions/{}", action["id"].as_str().unwrap());
    assert_eq!(fod.get(&action_path).await, action);
    // Several links come back sorted; none is an empty list.
    let linked = fod
        .action(&operational, "3.1.1.b", json!({"partnerOrganisationIds": ["pz-demo", "lokale-politie"], "themeIds": ["proceedsOfCrime", "administrativeApproach"]}))
        .await;
    let fetched = fod
        .get(&format!("/actions/{}", linked["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (
            fetched["partnerOrganisationIds"].clone(),
            fetched["themeIds"].clone()
        ),
        (
            json!(["lokale-politie", "pz-demo"]),
            json!(["administrativeApproach", "proceedsOfCrime"])
        )
    );
    let bare = fod.action(&operational, "3.1.1.c", json!({})).await;
    let fetched = fod
        .get(&format!("/actions/{}", bare["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (
            fetched["partnerOrganisationIds"].clone(),
            fetched["themeIds"].clone()
        ),
        (json!([]), json!([]))
    );
    assert_eq!(
        (action["planId"].clone(), action["clusterId"].clone()),
        (json!("kiv-2016-2019"), json!("3"))
    );
    assert_eq!(
        (action["status"].clone(), action["weight"].clone()),
        (json!("notReported"), json!(2.5))
    );
    assert!(action.get("progress").is_none());

    let indicator = fod
        .create("/indicators", json!({"actionId": action["id"], "name": {"nl": "Opgerolde labs", "en": "Labs dismantled"}, "unit": "labs",
            "measure": "number", "direction": "increase", "baseline": {"value": 20, "year": 2015},
            "targets": [{"period": "2019S2", "value": 40}, {"period": "2017S2", "value": 30}]}))
        .await;
    let indicator_path = format!("/indicators/{}", indicator["id"].as_str().unwrap());
    assert_eq!(fod.get(&indicator_path).await, indicator);
    assert_eq!(
        indicator["targets"][0]["period"], "2017S2",
        "targets are kept in period order"
    );

    // Labels follow Accept-Language, with a fallback to Dutch.
    let english: Value = app
        .client
        .get(app.url(&indicator_path))
        .bearer_auth(&fod.token)
        .header("Accept-Language", "en-GB, nl;q=0.5")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(english["label"], "Labs dismantled");
    let german: Value = app
        .client
        .get(app.url(&action_path))
        .bearer_auth(&fod.token)
        .header("Accept-Language", "de-BE")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(german["label"], "Actie 3.1.1.a");
    assert!(fod.get(&action_path).await.get("label").is_none());

    // Everyone reads the plan's content.
    for login in [
        "demo-reporter-zone",
        "demo-evaluator",
        "demo-federale-politie",
    ] {
        let reader = Planner::new(&app, login).await;
        assert_eq!(reader.get(&action_path).await["id"], action["id"]);
        assert_eq!(reader.total("/indicators?planId=kiv-2016-2019").await, 1);
    }
    app.stop().await;
}

#[actix_web::test]
async fn every_rule_is_refused_with_its_field_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let fod = Planner::new(&app, "demo-coordinator").await;
    let strategic = fod.strategic("8", "8").await;
    let objective = fod
        .create("/objectives", json!({"planId": "kiv-2016-2019", "clusterId": "8", "parentId": strategic["id"], "code": "8.1", "level": "operational", "title": {"nl": "Milieucriminaliteit"}}))
        .await;
    let action = fod
        .action(&objective, "8.1.a", json!({"externalId": "ENV-1"}))
        .await;
    let audit_before = Planner::new(&app, "demo-admin")
        .await
        .total("/auditEvents")
        .await;

    let objective_cases = [
        (
            json!({"planId": "kiv-2099", "code": "x", "level": "strategic", "title": {"nl": "x"}}),
            vec!["planId"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "clusterId": "11", "code": "x", "level": "strategic", "title": {"nl": "x"}}),
            vec!["clusterId"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "code": "x", "level": "operational", "title": {"nl": "x"}}),
            vec!["parentId"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "parentId": strategic["id"], "code": "x", "level": "strategic", "title": {"nl": "x"}}),
            vec!["parentId"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "parentId": objective["id"], "code": "x", "level": "operational", "title": {"nl": "x"}}),
            vec!["parentId"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "code": "3 2", "level": "strategic", "title": {}, "themeIds": ["terrorism"], "ownerOrganisationIds": ["nobody"]}),
            vec!["code", "title", "themeIds[0]", "ownerOrganisationIds[0]"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "code": "x", "level": "tactical", "title": {"nl": "x"}}),
            vec!["level"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "code": "x", "level": "strategic", "title": {"nl": "x", "es": "y"}}),
            vec!["title.es"],
        ),
        (
            json!({"planId": "kiv-2016-2019", "code": "x", "level": "strategic", "title": {"nl": "x"}, "priority": 1}),
            vec!["priority"],
        ),
    ];
    for (body, expected) in objective_cases {
        let problem = fod.refused("/objectives", body.clone()).await;
        assert_eq!(issue_names(&problem), expected, "{body}");
    }
    // References to nothing are told apart from references to something else.
    let problem = fod
        .refused("/objectives", json!({"planId": "kiv-2016-2019", "clusterId": "11", "code": "x", "level": "strategic", "title": {"nl": "x"}, "themeIds": ["terrorism"]}))
        .await;
    for issue in problem["issues"].as_array().unwrap() {
        assert_eq!(
            issue["type"], "urn:problem-type:belgif:input-validation:referencedResourceNotFound",
            "{issue}"
        );
    }
    let base = |extra: Value| {
        let mut body = json!({"objectiveId": objective["id"], "code": "8.1.z", "title": {"nl": "x"}, "leadOrganisationId": "federale-politie", "plannedStart": "2017-01-01", "plannedEnd": "2017-12-31"});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let action_cases = [
        (
            base(json!({"plannedStart": "2015-12-31", "plannedEnd": "2020-01-01"})),
            vec!["plannedStart", "plannedEnd"],
        ),
        (
            base(json!({"plannedStart": "2018-01-01", "plannedEnd": "2017-01-01"})),
            vec!["plannedEnd"],
        ),
        (base(json!({"weight": 0})), vec!["weight"]),
        (base(json!({"weight": -1.5})), vec!["weight"]),
        (
            base(json!({"objectiveId": "00000000-0000-0000-0000-000000000000"})),
            vec!["objectiveId"],
        ),
        (
            base(
                json!({"leadOrganisationId": "nobody", "partnerOrganisationIds": ["federale-politie", "pz-demo", "pz-demo"]}),
            ),
            vec!["leadOrganisationId", "partnerOrganisationIds[2]"],
        ),
        (
            base(json!({"partnerOrganisationIds": ["federale-politie"]})),
            vec!["partnerOrganisationIds[0]"],
        ),
        (base(json!({"themeIds": ["drugs"]})), vec!["themeIds[0]"]),
        (
            base(json!({"plannedEnd": "31/12/2017"})),
            vec!["plannedEnd"],
        ),
    ];
    for (body, expected) in action_cases {
        let problem = fod.refused("/actions", body.clone()).await;
        assert_eq!(issue_names(&problem), expected, "{body}");
    }
    let problem = fod
        .refused("/actions", base(json!({"plannedEnd": "2020-06-30"})))
        .await;
    assert_eq!(
        problem["issues"][0]["type"],
        "urn:problem-type:kiv:periodOutsidePlan"
    );
    assert_eq!(problem["issues"][0]["value"], "2020-06-30");

    let indicator = |extra: Value| {
        let mut body = json!({"actionId": action["id"], "name": {"nl": "x"}, "measure": "number", "direction": "increase"});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let indicator_cases = [
        (indicator(json!({"actionId": null})), vec!["objectiveId"]),
        (
            indicator(json!({"objectiveId": objective["id"]})),
            vec!["objectiveId"],
        ),
        (
            indicator(
                json!({"targets": [{"period": "2020S1", "value": 1}, {"period": "2017S1", "value": 1}, {"period": "2017S1", "value": 2}]}),
            ),
            vec!["targets[0].period", "targets[2].period"],
        ),
        (
            indicator(json!({"targets": [{"period": "2017Q3", "value": 1}]})),
            vec!["targets[0].period"],
        ),
        (
            indicator(
                json!({"measure": "qualitative", "targets": [{"period": "2017S1", "value": 12}]}),
            ),
            vec!["targets[0].value"],
        ),
        (
            indicator(json!({"measure": "percentage", "baseline": {"value": 120, "year": 1850}})),
            vec!["baseline.value", "baseline.year"],
        ),
        (
            indicator(json!({"targets": [{"period": "2017S3", "value": 1}]})),
            vec!["targets[0].period"],
        ),
    ];
    for (body, expected) in indicator_cases {
        let problem = fod.refused("/indicators", body.clone()).await;
        assert_eq!(issue_names(&problem), expected, "{body}");
    }

    // Duplicates are conflicts.
    let response = fod.send(Method::POST, "/objectives", Some(json!({"planId": "kiv-2016-2019", "code": "8.1", "level": "strategic", "title": {"nl": "x"}})), None).await;
    assert_problem(response, 409, "kiv:conflict").await;
    let response = fod
        .send(
            Method::POST,
            "/actions",
            Some(base(json!({"code": "8.1.a"}))),
            None,
        )
        .await;
    assert_problem(response, 409, "kiv:conflict").await;
    let response = fod
        .send(
            Method::POST,
            "/actions",
            Some(base(json!({"externalId": "ENV-1"}))),
            None,
        )
        .await;
    let body = assert_problem(response, 409, "kiv:conflict").await;
    assert!(body["detail"].as_str().unwrap().contains("ENV-1"));

    // Nothing was written, nothing was audited.
    assert_eq!(fod.total("/objectives").await, 2);
    assert_eq!(fod.total("/actions").await, 1);
    assert_eq!(fod.total("/indicators").await, 0);
    assert_eq!(
        Planner::new(&app, "demo-admin")
            .await
            .total("/auditEvents")
            .await,
        audit_before
    );
    app.stop().await;
}

#[actix_web::test]
async fn changes_need_the_current_etag_and_deletions_their_dependants_gone() {
    let app = TestApp::spawn().await;
    let fod = Planner::new(&app, "demo-coordinator").await;
    let strategic = fod.strategic("9", "9").await;
    let action = fod.action(&strategic, "9.a", json!({})).await;
    let path = format!("/actions/{}", action["id"].as_str().unwrap());
    let patch = json!({"plannedEnd": "2019-06-30", "description": {"nl": "Trajectcontroles"}});

    assert_problem(
        fod.send(Method::PATCH, &path, Some(patch.clone()), None)
            .await,
        428,
        "kiv:preconditionRequired",
    )
    .await;
    assert_problem(
        fod.send(Method::PATCH, &path, Some(patch.clone()), Some("\"9\""))
            .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    assert_problem(
        fod.send(Method::PATCH, &path, Some(patch.clone()), Some("W/\"1\""))
            .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    // An action's tag is its version and a digest of what it shows (its state comes from its
    // follow-ups).
    let first = fod.etag(&path).await;
    assert!(first.starts_with("\"1-"), "{first}");
    let response = fod
        .send(Method::PATCH, &path, Some(patch), Some(&first))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let second = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(second.starts_with("\"2-"), "{second}");
    let changed: Value = response.json().await.unwrap();
    assert_eq!(
        (
            changed["plannedEnd"].clone(),
            changed["plannedStart"].clone()
        ),
        (json!("2019-06-30"), json!("2016-07-01"))
    );
    // A required field cannot be removed; an optional one can.
    let body = assert_problem(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"title": null, "weight": null})),
            Some(&second),
        )
        .await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(issue_names(&body), ["title", "weight"]);
    let cleared: Value = fod
        .send(
            Method::PATCH,
            &path,
            Some(json!({"description": null})),
            Some(&second),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(cleared.get("description").is_none());
    let third = fod.etag(&path).await;
    // A patch is checked as a whole: moving the start after the end is refused.
    let body = assert_problem(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"plannedStart": "2019-07-01"})),
            Some(&third),
        )
        .await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(issue_names(&body), ["plannedEnd"]);

    // Two concurrent changes from the same version: one wins, the other is told to read again.
    let (first, second) = both(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"weight": 2})),
            Some(&third),
        ),
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"weight": 3})),
            Some(&third),
        ),
    )
    .await;
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
    let fourth = fod.etag(&path).await;
    let path_version = fourth.as_str();
    let indicator = fod.create("/indicators", json!({"actionId": action["id"], "name": {"nl": "Snelheidsovertredingen"}, "measure": "number", "direction": "decrease"})).await;
    let objective_path = format!("/objectives/{}", strategic["id"].as_str().unwrap());
    let body = assert_problem(
        fod.send(Method::DELETE, &objective_path, None, Some("\"1\""))
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("1 action(s)"),
        "{body}"
    );
    let body = assert_problem(
        fod.send(Method::DELETE, &path, None, Some(path_version))
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("indicator"));
    assert_problem(
        fod.send(Method::DELETE, &path, None, None).await,
        428,
        "kiv:preconditionRequired",
    )
    .await;

    let indicator_path = format!("/indicators/{}", indicator["id"].as_str().unwrap());
    assert_eq!(
        fod.send(Method::DELETE, &indicator_path, None, Some("\"1\""))
            .await
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        fod.send(Method::DELETE, &path, None, Some(path_version))
            .await
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        fod.send(Method::DELETE, &objective_path, None, Some("\"1\""))
            .await
            .status()
            .as_u16(),
        204
    );
    assert_problem(
        fod.send(Method::GET, &path, None, None).await,
        404,
        "resourceNotFound",
    )
    .await;

    // The history outlives the action.
    let history = fod.get(&format!("{path}/history")).await;
    let operations: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    // Creation, two changes, the concurrent change that won (not the one refused), deletion.
    assert_eq!(
        operations,
        ["create", "update", "update", "update", "delete"]
    );
    let first_change = &history["items"][1];
    assert_eq!(first_change["account"], "demo-coordinator");
    assert_eq!(first_change["organisationId"], "fod-justitie");
    assert_eq!(first_change["before"]["plannedEnd"], "2018-12-31");
    assert_eq!(first_change["after"]["plannedEnd"], "2019-06-30");
    app.stop().await;
}

#[actix_web::test]
async fn retried_posts_with_an_idempotency_key_create_one_row() {
    let app = TestApp::spawn().await;
    let fod = Planner::new(&app, "demo-coordinator").await;
    let body = json!({"planId": "kiv-2016-2019", "clusterId": "5", "code": "5.1", "level": "strategic", "title": {"nl": "Cybercrime bestrijden"}});
    let post = |key: &'static str, body: Value| {
        fod.app
            .request(Method::POST, "/objectives", &fod.token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };

    let first = post("4f1c2e0a-retry", body.clone()).await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let again = post("4f1c2e0a-retry", body.clone()).await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers()["location"], location);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(fod.total("/objectives").await, 1);

    let mut other = body.clone();
    other["code"] = json!("5.2");
    assert_problem(
        post("4f1c2e0a-retry", other.clone()).await.unwrap(),
        422,
        "kiv:idempotencyKeyReused",
    )
    .await;
    // A refused request keeps nothing: sent again, it runs again (and is refused again).
    let refused = post("second-key", json!({"planId": "kiv-2016-2019"}))
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert_eq!(
        post("second-key", json!({"planId": "kiv-2016-2019"}))
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        post("third-key", other).await.unwrap().status().as_u16(),
        201
    );
    assert_eq!(fod.total("/objectives").await, 2);

    // Keys belong to their account: another coordinator's identical key is its own.
    let other_fod = Planner::new(&app, "demo-coordinator-bz").await;
    let mut theirs = body;
    theirs["code"] = json!("5.3");
    let response = other_fod
        .app
        .request(Method::POST, "/objectives", &other_fod.token)
        .header("Idempotency-Key", "4f1c2e0a-retry")
        .json(&theirs)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(fod.total("/objectives").await, 3);
    app.stop().await;
}

#[actix_web::test]
async fn agencies_sync_their_own_actions_by_external_id() {
    let app = TestApp::spawn().await;
    let fod = Planner::new(&app, "demo-coordinator").await;
    let objective = fod.strategic("2", "2").await;
    let system = Planner::new(&app, "demo-federale-politie").await;
    let path = "/actions/byExternalId/federale-politie/FGP-2016-044";
    let body = json!({"objectiveId": objective["id"], "code": "2.a", "title": {"nl": "Mensenhandel in de horeca"}, "plannedStart": "2016-01-01", "plannedEnd": "2017-12-31", "partnerOrganisationIds": ["college-procureurs-generaal"]});

    let created = system
        .send(Method::PUT, path, Some(body.clone()), None)
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        (
            created["externalId"].clone(),
            created["leadOrganisationId"].clone()
        ),
        (json!("FGP-2016-044"), json!("federale-politie"))
    );
    let same = system
        .send(Method::PUT, path, Some(body.clone()), None)
        .await;
    assert_eq!(same.status().as_u16(), 200);
    let created_tag = system
        .etag(&format!("/actions/{}", created["id"].as_str().unwrap()))
        .await;
    assert!(created_tag.starts_with("\"1-"), "{created_tag}");
    assert_eq!(
        same.headers()["etag"].to_str().unwrap(),
        created_tag,
        "an identical sync wrote a new version"
    );
    let mut changed = body.clone();
    changed["plannedEnd"] = json!("2018-06-30");
    let updated: Value = system
        .send(Method::PUT, path, Some(changed), Some(&created_tag))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (updated["id"].clone(), updated["plannedEnd"].clone()),
        (created["id"].clone(), json!("2018-06-30"))
    );
    assert_eq!(fod.total("/actions").await, 1);

    // Another agency may not sync the federal police's register; an evaluator writes nothing.
    let zone = Planner::new(&app, "demo-reporter-zone").await;
    assert_problem(
        zone.send(Method::PUT, path, Some(body.clone()), None).await,
        403,
        "missingPermission",
    )
    .await;
    let evaluator = Planner::new(&app, "demo-evaluator").await;
    assert_problem(
        evaluator
            .send(Method::PUT, path, Some(body.clone()), None)
            .await,
        403,
        "missingScope",
    )
    .await;
    // The zone syncs its own (under its own code: codes are unique within the objective).
    let mut own = body;
    own["code"] = json!("2.b");
    let own = zone
        .send(
            Method::PUT,
            "/actions/byExternalId/pz-demo/PZ-7",
            Some(own),
            None,
        )
        .await;
    assert_eq!(own.status().as_u16(), 201);
    app.stop().await;
}

#[actix_web::test]
async fn reporters_and_evaluators_write_no_planning_data() {
    let app = TestApp::spawn().await;
    let fod = Planner::new(&app, "demo-coordinator").await;
    let objective = fod.strategic("1", "1").await;
    let action = fod.action(&objective, "1.a", json!({})).await;
    let action_path = format!("/actions/{}", action["id"].as_str().unwrap());
    for login in [
        "demo-reporter",
        "demo-evaluator",
        "demo-federale-politie",
        "demo-admin",
    ] {
        let other = Planner::new(&app, login).await;
        let attempts = [
            other.send(Method::POST, "/objectives", Some(json!({"planId": "kiv-2016-2019", "code": "1.9", "level": "strategic", "title": {"nl": "x"}})), None).await,
            other.send(Method::POST, "/actions", Some(json!({"objectiveId": objective["id"], "code": "1.z", "title": {"nl": "x"}, "leadOrganisationId": "federale-politie", "plannedStart": "2017-01-01", "plannedEnd": "2017-02-01"})), None).await,
            other.send(Method::PATCH, &action_path, Some(json!({"weight": 3})), Some("\"1\"")).await,
            other.send(Method::DELETE, &action_path, None, Some("\"1\"")).await,
            other.send(Method::POST, "/indicators", Some(json!({"actionId": action["id"], "name": {"nl": "x"}, "measure": "number", "direction": "increase"})), None).await,
        ];
        for response in attempts {
            assert_problem(response, 403, "missingScope").await;
        }
    }
    assert_eq!(
        fod.get(&action_path).await,
        action,
        "a refused write changed the action"
    );
    // The audit trail is for coordinators and administrators; an action's history for all.
    assert_problem(
        Planner::new(&app, "demo-reporter")
            .await
            .send(Method::GET, "/auditEvents", None, None)
            .await,
        403,
        "missingScope",
    )
    .await;
    let history = Planner::new(&app, "demo-reporter")
        .await
        .get(&format!("{action_path}/history"))
        .await;
    assert_eq!(history["total"], 1);
    let trail = Planner::new(&app, "demo-admin")
        .await
        .get(&format!(
            "/auditEvents?entityType=objective&entityId={}",
            objective["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(trail["items"][0]["operation"], "create");
    assert_eq!(trail["items"][0]["after"]["code"], "1");
    app.stop().await;
}

#[actix_web::test]
async fn collections_filter_sort_and_page_over_hundreds_of_actions() {
    let app = TestApp::spawn().await;
    let fod = Planner::new(&app, "demo-coordinator").await;
    let caller = kiv_domain::Caller {
        login: "demo-coordinator".into(),
        organisation_id: "fod-justitie".into(),
        roles: vec![kiv_domain::Role::Coordinator],
    };
    let mut conn = app.database.connection().unwrap();
    use kiv_store::planning::{actions, objectives};
    let mut objective_ids = Vec::new();
    for cluster in 1..=10 {
        let objective = objectives::create(
            &mut conn,
            &caller,
            objectives::ObjectiveInput {
                plan_id: "kiv-2016-2019".into(),
                cluster_id: Some(cluster.to_string()),
                parent_id: None,
                code: format!("{cluster}"),
                level: kiv_domain::ObjectiveLevel::Strategic,
                title: kiv_domain::LocalizedText {
                    nl: Some(format!("Cluster {cluster}")),
                    ..Default::default()
                },
                description: None,
                theme_ids: vec![],
                owner_organisation_ids: vec![],
            },
        )
        .unwrap();
        objective_ids.push(objective.id);
    }
    let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
    for n in 0..300u32 {
        let cluster = (n % 10) as usize;
        actions::create(
            &mut conn,
            &caller,
            actions::ActionInput {
                objective_id: objective_ids[cluster].clone(),
                code: format!("a{n:03}"),
                title: kiv_domain::LocalizedText {
                    nl: Some(if n % 7 == 0 {
                        format!("Drugslab {n}")
                    } else {
                        format!("Actie {n}")
                    }),
                    ..Default::default()
                },
                description: None,
                lead_organisation_id: if n % 3 == 0 {
                    "pz-demo".into()
                } else {
                    "federale-politie".into()
                },
                partner_organisation_ids: if n % 5 == 0 {
                    vec!["college-procureurs-generaal".into()]
                } else {
                    vec![]
                },
                theme_ids: if n % 4 == 0 {
                    vec!["internationalCooperation".into()]
                } else {
                    vec![]
                },
                planned_start: start,
                planned_end: start + chrono::Days::new(u64::from(n) * 4),
                weight: 1.0,
                external_id: None,
            },
        )
        .unwrap();
    }
    drop(conn);

    assert_eq!(fod.total("/actions").await, 300);
    assert_eq!(fod.total("/actions?clusterId=3").await, 30);
    assert_eq!(fod.total("/actions?organisationId=pz-demo").await, 100);
    assert_eq!(
        fod.total("/actions?organisationId=college-procureurs-generaal")
            .await,
        60
    );
    assert_eq!(
        fod.total("/actions?themeId=internationalCooperation&clusterId=1")
            .await,
        15
    );
    assert_eq!(fod.total("/actions?q=DRUGSLAB").await, 43);
    assert_eq!(fod.total("/actions?q=a00").await, 10);
    assert_eq!(fod.total("/actions?plannedEndBefore=2016-01-21").await, 5);
    assert_eq!(fod.total("/actions?status=notReported").await, 300);
    assert_eq!(fod.total("/actions?status=completed").await, 0);
    assert_eq!(
        fod.total("/objectives?planId=kiv-2016-2019&q=cluster%201")
            .await,
        2
    );

    let latest = fod.get("/actions?sort=-plannedEnd&pageSize=3").await;
    let codes: Vec<&str> = latest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["a299", "a298", "a297"]);
    let by_title = fod.get("/actions?sort=title&pageSize=1&q=drugslab").await;
    assert_eq!(by_title["items"][0]["title"]["nl"], "Drugslab 0");

    // Walking the pages of a filtered collection visits each action once.
    let mut next = Some(app.url("/actions?organisationId=federale-politie&pageSize=100"));
    let mut seen = std::collections::HashSet::new();
    while let Some(url) = next {
        let page: Value = app
            .client
            .get(&url)
            .bearer_auth(&fod.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for action in page["items"].as_array().unwrap() {
            assert!(seen.insert(action["id"].as_str().unwrap().to_owned()));
            assert_eq!(action["leadOrganisationId"], "federale-politie");
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 200);
    assert_problem(
        fod.send(Method::GET, "/actions?pageSize=101", None, None)
            .await,
        400,
        "badRequest",
    )
    .await;
    assert_problem(
        fod.send(Method::GET, "/actions?sort=weight", None, None)
            .await,
        400,
        "badRequest",
    )
    .await;
    app.stop().await;
}

#[actix_web::test]
async fn the_next_plan_cycle_is_created_through_the_api() {
    let app = TestApp::spawn().await;
    let admin = Planner::new(&app, "demo-admin").await;
    let plan = admin
        .create("/plans", json!({"id": "kiv-2020-2023", "kind": "frameworkNote", "title": {"nl": "Kadernota Integrale Veiligheid 2020-2023"},
            "periodStart": "2020-01-01", "periodEnd": "2023-12-31", "reportingFrequency": "annual", "clusterIds": ["1", "5"], "themeIds": ["internetAndIct"]}))
        .await;
    assert_eq!(
        plan["reportingPeriods"],
        json!(["2020", "2021", "2022", "2023"])
    );
    assert_problem(admin.send(Method::POST, "/plans", Some(json!({"id": "kiv-2020-2023", "kind": "frameworkNote", "title": {"nl": "x"}, "periodStart": "2020-01-01", "periodEnd": "2023-12-31", "reportingFrequency": "annual"})), None).await, 409, "kiv:conflict").await;
    let body = assert_problem(admin.send(Method::POST, "/plans", Some(json!({"id": "KIV 2024", "kind": "frameworkNote", "title": {"nl": "x"}, "periodStart": "2024-01-01", "periodEnd": "2023-12-31", "reportingFrequency": "annual", "clusterIds": ["12"]})), None).await, 400, "badRequest").await;
    assert_eq!(issue_names(&body), ["id", "periodEnd", "clusterIds[0]"]);

    let fod = Planner::new(&app, "demo-coordinator").await;
    let objective = fod.create("/objectives", json!({"planId": "kiv-2020-2023", "clusterId": "5", "code": "5", "level": "strategic", "title": {"nl": "Cyber"}})).await;
    fod.create("/actions", json!({"objectiveId": objective["id"], "code": "5.a", "title": {"nl": "x"}, "leadOrganisationId": "federale-politie", "plannedStart": "2022-01-01", "plannedEnd": "2023-06-30"})).await;
    // The plan cannot shrink from under its actions, nor drop a cluster in use.
    let body = assert_problem(
        admin
            .send(
                Method::PATCH,
                "/plans/kiv-2020-2023",
                Some(json!({"periodEnd": "2022-12-31", "clusterIds": ["1"]})),
                Some("\"1\""),
            )
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("1 action(s)") && detail.contains("cluster 5"),
        "{detail}"
    );
    let patched: Value = admin.send(Method::PATCH, "/plans/kiv-2020-2023", Some(json!({"reportingFrequency": "semiannual", "title": {"nl": "KIV 2020-2023", "fr": "NCSI 2020-2023"}})), Some("\"1\"")).await.json().await.unwrap();
    assert_eq!(patched["reportingPeriods"].as_array().unwrap().len(), 8);
    assert_problem(
        fod.send(Method::POST, "/plans", Some(json!({})), None)
            .await,
        403,
        "missingScope",
    )
    .await;
    app.stop().await;
}
