//! Follow-ups over HTTP: the review workflow, its history, refused moves and input, permissions
//! per role and organisation, concurrency, the derived action state and the missing reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, both, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

type Client<'a> = Session<'a>;

/// A plan's content to report on: an objective with an indicator, two actions (one led by the
/// federal police with the demo zone as partner, one led by the prosecutors), each with an
/// indicator.
struct Fixture {
    action: Value,
    other_action: Value,
    number_indicator: Value,
    qualitative_indicator: Value,
    foreign_indicator: Value,
}

async fn fixture(fod: &Client<'_>) -> Fixture {
    let app = fod.app;
    let objective = app.objective().create(fod).await;
    let action = app
        .action()
        .objective(&objective)
        .partners(&["pz-demo"])
        .weight(2)
        .create(fod)
        .await;
    let other_action = app
        .action()
        .objective(&objective)
        .code("3.b")
        .title(json!({"nl": "Vervolging"}))
        .lead("college-procureurs-generaal")
        .planned("2017-01-01", "2019-12-31")
        .create(fod)
        .await;
    let number_indicator = fod
        .ok(Method::POST, "/indicators", Some(json!({"actionId": action["id"], "name": {"nl": "Labs"}, "measure": "number", "direction": "increase"})), None)
        .await;
    let qualitative_indicator = fod
        .ok(Method::POST, "/indicators", Some(json!({"objectiveId": objective["id"], "name": {"nl": "Samenwerking"}, "measure": "qualitative", "direction": "maintain"})), None)
        .await;
    let foreign_indicator = fod
        .ok(Method::POST, "/indicators", Some(json!({"actionId": other_action["id"], "name": {"nl": "Dossiers"}, "measure": "number", "direction": "increase"})), None)
        .await;
    Fixture {
        action,
        other_action,
        number_indicator,
        qualitative_indicator,
        foreign_indicator,
    }
}

async fn tag_of(client: &Client<'_>, path: &str) -> String {
    let response = client.send(Method::GET, path, None, None).await;
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    response.headers()["etag"].to_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_whole_workflow_keeps_its_history() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let reporter = Client::new(&app, "demo-reporter").await;

    let draft = reporter
        .ok(Method::POST, "/followUps", Some(json!({"actionId": f.action["id"], "period": "2017S1", "status": "onTrack", "progress": 40,
            "narrative": {"nl": "Twee regionale eenheden operationeel."},
            "indicatorValues": [{"indicatorId": f.number_indicator["id"], "value": 12, "comment": {"nl": "Per 30 juni"}},
                                {"indicatorId": f.qualitative_indicator["id"], "value": "goed"}]})), None)
        .await;
    assert_eq!(
        (
            draft["state"].clone(),
            draft["revision"].clone(),
            draft["organisationId"].clone(),
            draft["createdBy"].clone()
        ),
        (
            json!("draft"),
            json!(1),
            json!("federale-politie"),
            json!("demo-reporter")
        )
    );
    assert_eq!(draft["allowedTransitions"], json!(["submit"]));
    let path = format!("/followUps/{}", draft["id"].as_str().unwrap());
    assert_eq!(reporter.ok(Method::GET, &path, None, None).await, draft);

    let submitted = reporter
        .ok(Method::POST, &format!("{path}/submit"), None, Some("\"1\""))
        .await;
    assert_eq!(submitted["state"], "submitted");
    assert!(submitted["submittedAt"].as_str().unwrap().ends_with('Z'));
    // Returning needs a reason.
    let problem = assert_problem(
        fod.send(
            Method::POST,
            &format!("{path}/return"),
            Some(json!({})),
            Some("\"2\""),
        )
        .await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(problem["issues"][0]["name"], "reviewNote");
    let returned = fod
        .ok(
            Method::POST,
            &format!("{path}/return"),
            Some(json!({"reviewNote": "Graag het aantal labs per arrondissement."})),
            Some("\"2\""),
        )
        .await;
    assert_eq!(
        (returned["state"].clone(), returned["reviewedBy"].clone()),
        (json!("returned"), json!("demo-coordinator"))
    );

    let edited = reporter.ok(Method::PATCH, &path, Some(json!({"progress": 45, "narrative": {"nl": "Twee eenheden; labs per arrondissement in bijlage."}})), Some("\"3\"")).await;
    assert_eq!(edited["progress"], 45.0);
    reporter
        .ok(Method::POST, &format!("{path}/submit"), None, Some("\"4\""))
        .await;
    let approved = fod
        .ok(
            Method::POST,
            &format!("{path}/approve"),
            None,
            Some("\"5\""),
        )
        .await;
    assert_eq!(
        (
            approved["state"].clone(),
            approved["allowedTransitions"].clone()
        ),
        (json!("approved"), json!(["reopen"]))
    );

    // The action now shows the approved status and where it comes from.
    let action_path = format!("/actions/{}", f.action["id"].as_str().unwrap());
    let action = reporter.ok(Method::GET, &action_path, None, None).await;
    assert_eq!(
        (
            action["status"].clone(),
            action["progress"].clone(),
            action["statusPeriod"].clone()
        ),
        (json!("onTrack"), json!(45.0), json!("2017S1"))
    );
    assert_eq!(
        fod.ok(Method::GET, "/actions?status=onTrack", None, None)
            .await["total"],
        1
    );
    assert_eq!(
        fod.ok(Method::GET, "/actions?status=notReported", None, None)
            .await["total"],
        1
    );

    // Reopened: a new draft revision; the approved one keeps counting until approved again.
    let reopened = fod
        .ok(
            Method::POST,
            &format!("{path}/reopen"),
            Some(json!({"reviewNote": "Correctie van het aantal labs"})),
            Some("\"6\""),
        )
        .await;
    assert_eq!(
        (reopened["state"].clone(), reopened["revision"].clone()),
        (json!("draft"), json!(2))
    );
    reporter
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"status": "completed"})),
            Some("\"7\""),
        )
        .await;
    assert_eq!(
        reporter.ok(Method::GET, &action_path, None, None).await["status"],
        "onTrack"
    );
    reporter
        .ok(Method::POST, &format!("{path}/submit"), None, Some("\"8\""))
        .await;
    let again = fod
        .ok(
            Method::POST,
            &format!("{path}/approve"),
            Some(json!({"reviewNote": "OK"})),
            Some("\"9\""),
        )
        .await;
    assert_eq!(
        (again["progress"].clone(), again["revision"].clone()),
        (json!(100.0), json!(2))
    );
    let action = reporter.ok(Method::GET, &action_path, None, None).await;
    assert_eq!(
        (action["status"].clone(), action["progress"].clone()),
        (json!("completed"), json!(100.0))
    );

    let history = reporter
        .ok(Method::GET, &format!("{path}/history"), None, None)
        .await;
    let steps: Vec<(String, i64)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["revision"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, i64)> = [
        ("created", 1),
        ("submitted", 1),
        ("returned", 1),
        ("updated", 1),
        ("submitted", 1),
        ("approved", 1),
        ("reopened", 2),
        ("updated", 2),
        ("submitted", 2),
        ("approved", 2),
    ]
    .iter()
    .map(|(e, r)| ((*e).to_owned(), *r))
    .collect();
    assert_eq!(steps, expected);
    let returned_step = &history["items"][2];
    assert_eq!(
        returned_step["note"],
        "Graag het aantal labs per arrondissement."
    );
    assert_eq!(returned_step["account"], "demo-coordinator");
    assert_eq!(returned_step["organisationId"], "fod-justitie");
    let first_approval = &history["items"][5];
    assert_eq!(first_approval["followUp"]["progress"], 45.0);
    assert_eq!(history["items"][6]["note"], "Correctie van het aantal labs");
    app.stop().await;
}

#[actix_web::test]
async fn moves_the_state_does_not_allow_are_refused() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let reporter = Client::new(&app, "demo-reporter").await;
    let draft = reporter
        .ok(
            Method::POST,
            "/followUps",
            Some(json!({"actionId": f.action["id"], "period": "2017S2", "status": "notStarted"})),
            None,
        )
        .await;
    let path = format!("/followUps/{}", draft["id"].as_str().unwrap());

    let body = assert_problem(
        fod.send(
            Method::POST,
            &format!("{path}/approve"),
            None,
            Some("\"1\""),
        )
        .await,
        409,
        "kiv:invalidTransition",
    )
    .await;
    assert_eq!(
        body["detail"],
        "a follow-up that is draft cannot be approved; allowed: submit"
    );
    assert_problem(
        fod.send(Method::POST, &format!("{path}/reopen"), None, Some("\"1\""))
            .await,
        409,
        "kiv:invalidTransition",
    )
    .await;
    assert_problem(
        reporter
            .send(Method::POST, &format!("{path}/submit"), None, None)
            .await,
        428,
        "kiv:preconditionRequired",
    )
    .await;
    assert_problem(
        reporter
            .send(Method::POST, &format!("{path}/submit"), None, Some("\"4\""))
            .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    reporter
        .ok(Method::POST, &format!("{path}/submit"), None, Some("\"1\""))
        .await;

    // Submitted and approved follow-ups are not edited.
    let body = assert_problem(
        reporter
            .send(
                Method::PATCH,
                &path,
                Some(json!({"progress": 10})),
                Some("\"2\""),
            )
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("submitted"));
    let body = assert_problem(
        reporter
            .send(Method::POST, &format!("{path}/submit"), None, Some("\"2\""))
            .await,
        409,
        "kiv:invalidTransition",
    )
    .await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("allowed: approve, return"));
    fod.ok(
        Method::POST,
        &format!("{path}/approve"),
        None,
        Some("\"2\""),
    )
    .await;
    assert_problem(
        reporter
            .send(
                Method::PATCH,
                &path,
                Some(json!({"progress": 10})),
                Some("\"3\""),
            )
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert_problem(
        fod.send(
            Method::POST,
            &format!("{path}/return"),
            Some(json!({"reviewNote": "x"})),
            Some("\"3\""),
        )
        .await,
        409,
        "kiv:invalidTransition",
    )
    .await;
    // Reporters do not review.
    assert_problem(
        reporter
            .send(Method::POST, &format!("{path}/reopen"), None, Some("\"3\""))
            .await,
        403,
        "missingScope",
    )
    .await;
    let unchanged = reporter.ok(Method::GET, &path, None, None).await;
    assert_eq!(
        (unchanged["state"].clone(), unchanged["revision"].clone()),
        (json!("approved"), json!(1))
    );
    // An action with follow-ups stays.
    let action_path = format!("/actions/{}", f.action["id"].as_str().unwrap());
    let tag = tag_of(&fod, &action_path).await;
    let body = assert_problem(
        fod.send(Method::DELETE, &action_path, None, Some(&tag))
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("follow-up"));
    app.stop().await;
}

#[actix_web::test]
async fn bad_follow_ups_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let reporter = Client::new(&app, "demo-reporter").await;
    let post = |body: Value| reporter.send(Method::POST, "/followUps", Some(body), None);
    let base = |extra: Value| {
        let mut body = json!({"actionId": f.action["id"], "period": "2017S1", "status": "onTrack", "progress": 50});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    for period in ["2015S2", "2020S1", "2017Q3", "2017"] {
        let body = assert_problem(
            post(base(json!({"period": period}))).await,
            400,
            "badRequest",
        )
        .await;
        assert_eq!(
            body["issues"][0]["type"], "urn:problem-type:kiv:periodOutsidePlan",
            "{period}"
        );
        assert_eq!(
            (
                body["issues"][0]["name"].clone(),
                body["issues"][0]["value"].clone()
            ),
            (json!("period"), json!(period))
        );
    }
    let body = assert_problem(
        post(base(json!({"period": "2017S3"}))).await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "period");
    let cases = [
        (base(json!({"progress": 101})), vec!["progress"]),
        (base(json!({"progress": -1})), vec!["progress"]),
        (base(json!({"progress": null})), vec!["progress"]),
        (
            base(json!({"status": "completed", "progress": 80})),
            vec!["progress"],
        ),
        (base(json!({"status": "finished"})), vec!["status"]),
        (
            base(
                json!({"indicatorValues": [{"indicatorId": f.qualitative_indicator["id"], "value": 3}]}),
            ),
            vec!["indicatorValues[0].value"],
        ),
        (
            base(
                json!({"indicatorValues": [{"indicatorId": f.number_indicator["id"], "value": "veel"}]}),
            ),
            vec!["indicatorValues[0].value"],
        ),
        (
            base(
                json!({"indicatorValues": [{"indicatorId": f.foreign_indicator["id"], "value": 3}]}),
            ),
            vec!["indicatorValues[0].indicatorId"],
        ),
        (
            base(
                json!({"indicatorValues": [{"indicatorId": f.number_indicator["id"], "value": 1}, {"indicatorId": f.number_indicator["id"], "value": 2}]}),
            ),
            vec!["indicatorValues[1].indicatorId"],
        ),
        (
            base(json!({"indicatorValues": [{"indicatorId": f.number_indicator["id"]}]})),
            vec!["indicatorValues[0].value"],
        ),
        (
            base(json!({"actionId": "00000000-0000-0000-0000-000000000000"})),
            vec!["actionId"],
        ),
    ];
    for (body, expected) in cases {
        let problem = assert_problem(post(body.clone()).await, 400, "badRequest").await;
        let names: Vec<&str> = problem["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{body}");
    }
    assert_eq!(
        fod.ok(Method::GET, "/followUps", None, None).await["total"],
        0,
        "a refused follow-up was written"
    );

    reporter
        .ok(Method::POST, "/followUps", Some(base(json!({}))), None)
        .await;
    let body = assert_problem(
        post(base(json!({"progress": 60}))).await,
        409,
        "kiv:conflict",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("2017S1"));

    // A period that has not begun cannot be reported on.
    let admin = Client::new(&app, "demo-admin").await;
    admin.ok(Method::POST, "/plans", Some(json!({"id": "kiv-2028-2031", "kind": "frameworkNote", "title": {"nl": "Later"}, "periodStart": "2028-01-01", "periodEnd": "2031-12-31", "reportingFrequency": "semiannual", "clusterIds": ["3"]})), None).await;
    let objective = fod.ok(Method::POST, "/objectives", Some(json!({"planId": "kiv-2028-2031", "code": "3", "level": "strategic", "title": {"nl": "Later"}})), None).await;
    let later = fod.ok(Method::POST, "/actions", Some(json!({"objectiveId": objective["id"], "code": "l", "title": {"nl": "Later"}, "leadOrganisationId": "federale-politie", "plannedStart": "2028-01-01", "plannedEnd": "2029-01-01"})), None).await;
    let body = assert_problem(
        post(json!({"actionId": later["id"], "period": "2028S1", "status": "notStarted"})).await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(
        body["issues"][0]["type"],
        "urn:problem-type:kiv:periodInFuture"
    );
    app.stop().await;
}

#[actix_web::test]
async fn organisations_report_only_on_their_own_actions() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let zone = Client::new(&app, "demo-reporter-zone").await;
    let police = Client::new(&app, "demo-reporter").await;
    let evaluator = Client::new(&app, "demo-evaluator").await;

    // The zone takes part in the first action, not in the prosecutors' one; the federal police
    // lead the first and own its follow-up: the zone, a partner, does not create it.
    let body = assert_problem(zone.send(Method::POST, "/followUps", Some(json!({"actionId": f.action["id"], "period": "2016S2", "status": "delayed", "progress": 10})), None).await, 403, "missingPermission").await;
    assert!(
        body["detail"].as_str().unwrap().contains("partner"),
        "{body}"
    );
    let own = police.ok(Method::POST, "/followUps", Some(json!({"actionId": f.action["id"], "period": "2016S2", "status": "delayed", "progress": 10})), None).await;
    assert_eq!(own["organisationId"], "federale-politie");
    let body = assert_problem(zone.send(Method::POST, "/followUps", Some(json!({"actionId": f.other_action["id"], "period": "2017S1", "status": "notStarted"})), None).await, 403, "missingPermission").await;
    assert!(body["detail"].as_str().unwrap().contains("pz-demo"));
    assert_problem(
        evaluator
            .send(
                Method::POST,
                "/followUps",
                Some(
                    json!({"actionId": f.action["id"], "period": "2017S1", "status": "notStarted"}),
                ),
                None,
            )
            .await,
        403,
        "missingScope",
    )
    .await;

    // A coordinator reports on the lead's behalf; the zone cannot see or touch that one.
    let prosecutors = fod.ok(Method::POST, "/followUps", Some(json!({"actionId": f.other_action["id"], "period": "2017S1", "status": "notStarted"})), None).await;
    assert_eq!(prosecutors["organisationId"], "college-procureurs-generaal");
    let path = format!("/followUps/{}", prosecutors["id"].as_str().unwrap());
    assert_problem(
        zone.send(Method::GET, &path, None, None).await,
        404,
        "resourceNotFound",
    )
    .await;
    // Not the zone's to see: 404 before the (stale) tag is compared, naming the follow-up.
    let refused = assert_problem(
        zone.send(
            Method::PATCH,
            &path,
            Some(json!({"progress": 5})),
            Some("\"1\""),
        )
        .await,
        404,
        "resourceNotFound",
    )
    .await;
    assert_eq!(
        refused["detail"],
        format!(
            "No follow-up with id {:?}",
            prosecutors["id"].as_str().unwrap()
        )
    );
    assert_problem(
        zone.send(Method::POST, &format!("{path}/submit"), None, Some("\"1\""))
            .await,
        404,
        "resourceNotFound",
    )
    .await;
    assert_problem(
        zone.send(Method::GET, &format!("{path}/history"), None, None)
            .await,
        404,
        "resourceNotFound",
    )
    .await;
    assert_eq!(
        zone.ok(Method::GET, "/followUps", None, None).await["total"],
        1
    );
    assert_eq!(
        police.ok(Method::GET, "/followUps", None, None).await["total"],
        1,
        "the lead sees its own follow-up"
    );
    assert_eq!(
        evaluator.ok(Method::GET, "/followUps", None, None).await["total"],
        2
    );
    // The zone, a partner, reads the lead's follow-up of their common action but neither edits
    // nor submits it; the lead does.
    let own_path = format!("/followUps/{}", own["id"].as_str().unwrap());
    zone.ok(Method::GET, &own_path, None, None).await;
    assert_problem(
        zone.send(
            Method::PATCH,
            &own_path,
            Some(json!({"progress": 95})),
            Some("\"1\""),
        )
        .await,
        403,
        "missingPermission",
    )
    .await;
    assert_problem(
        zone.send(
            Method::POST,
            &format!("{own_path}/submit"),
            None,
            Some("\"1\""),
        )
        .await,
        403,
        "missingPermission",
    )
    .await;
    police
        .ok(
            Method::PATCH,
            &own_path,
            Some(json!({"progress": 15})),
            Some("\"1\""),
        )
        .await;
    app.stop().await;
}

#[actix_web::test]
async fn of_two_concurrent_submits_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let reporter = Client::new(&app, "demo-reporter").await;
    for round in 0..5 {
        let period = ["2016S1", "2016S2", "2017S1", "2017S2", "2018S1"][round];
        let draft = reporter
            .ok(
                Method::POST,
                "/followUps",
                Some(json!({"actionId": f.action["id"], "period": period, "status": "notStarted"})),
                None,
            )
            .await;
        let path = format!("/followUps/{}/submit", draft["id"].as_str().unwrap());
        let (a, b) = both(
            reporter.send(Method::POST, &path, None, Some("\"1\"")),
            reporter.send(Method::POST, &path, None, Some("\"1\"")),
        )
        .await;
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 412], "round {round}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn one_follow_up_per_action_and_period_even_when_two_race() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let reporter = Client::new(&app, "demo-reporter").await;
    let body = |period: &str| {
        json!({"actionId": f.action["id"], "period": period, "status": "onTrack", "progress": 10,
               "indicatorValues": [{"indicatorId": f.number_indicator["id"], "value": 3}]})
    };
    let first = reporter
        .ok(Method::POST, "/followUps", Some(body("2017S1")), None)
        .await;
    let problem = assert_problem(
        reporter
            .send(Method::POST, "/followUps", Some(body("2017S1")), None)
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(first["id"].as_str().unwrap()) && detail.contains("2017S1"),
        "{detail}"
    );
    assert_eq!(problem["existingId"], first["id"], "{problem}");

    let (a, b) = both(
        reporter.send(Method::POST, "/followUps", Some(body("2017S2")), None),
        reporter.send(Method::POST, "/followUps", Some(body("2017S2")), None),
    )
    .await;
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    let (created, refused) = if a.status().as_u16() == 201 {
        (a, b)
    } else {
        (b, a)
    };
    let created: Value = created.json().await.unwrap();
    let refused = assert_problem(refused, 409, "kiv:conflict").await;
    assert_eq!(refused["existingId"], created["id"], "{refused}");

    // Two follow-ups in all, each with its one value: the refused ones wrote nothing.
    let path = format!("/followUps?actionId={}", f.action["id"].as_str().unwrap());
    let listed = reporter.ok(Method::GET, &path, None, None).await;
    let items = listed["items"].as_array().unwrap();
    let mut periods: Vec<&str> = items
        .iter()
        .map(|i| i["period"].as_str().unwrap())
        .collect();
    periods.sort_unstable();
    assert_eq!(periods, ["2017S1", "2017S2"]);
    for item in items {
        assert_eq!(item["indicatorValues"].as_array().unwrap().len(), 1);
    }
    app.stop().await;
}

#[actix_web::test]
async fn missing_reports_are_the_active_actions_without_one() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = f.action["id"].as_str().unwrap().to_owned();
    let second = f.other_action["id"].as_str().unwrap().to_owned();

    // 2016S2: only the first action is planned then.
    assert_eq!(
        ids(&fod
            .ok(Method::GET, "/followUps/missing?period=2016S2", None, None)
            .await),
        std::slice::from_ref(&first)
    );
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    assert_eq!(
        ids(&fod
            .ok(Method::GET, "/followUps/missing?period=2017S2", None, None)
            .await),
        both
    );
    // Paged: one per page, the total on each page and on a page past the end.
    for (page, expected) in [
        (1, vec![both[0].clone()]),
        (2, vec![both[1].clone()]),
        (3, vec![]),
    ] {
        let answer = fod
            .ok(
                Method::GET,
                &format!("/followUps/missing?period=2017S2&pageSize=1&page={page}"),
                None,
                None,
            )
            .await;
        assert_eq!(ids(&answer), expected, "page {page}");
        assert_eq!(answer["total"], 2, "page {page}");
    }
    assert_eq!(
        ids(&fod
            .ok(
                Method::GET,
                "/followUps/missing?period=2017S2&organisationId=pz-demo",
                None,
                None
            )
            .await),
        std::slice::from_ref(&first)
    );

    // A draft does not count; a submitted follow-up does.
    let reporter = Client::new(&app, "demo-reporter").await;
    let draft = reporter
        .ok(
            Method::POST,
            "/followUps",
            Some(
                json!({"actionId": first, "period": "2017S2", "status": "onTrack", "progress": 60}),
            ),
            None,
        )
        .await;
    assert_eq!(
        fod.ok(Method::GET, "/followUps/missing?period=2017S2", None, None)
            .await["total"],
        2
    );
    reporter
        .ok(
            Method::POST,
            &format!("/followUps/{}/submit", draft["id"].as_str().unwrap()),
            None,
            Some("\"1\""),
        )
        .await;
    assert_eq!(
        ids(&fod
            .ok(Method::GET, "/followUps/missing?period=2017S2", None, None)
            .await),
        std::slice::from_ref(&second)
    );

    // A cancelled action is no longer chased.
    let cancelled = fod.ok(Method::POST, "/followUps", Some(json!({"actionId": second, "period": "2017S1", "status": "cancelled", "narrative": {"nl": "Geschrapt"}})), None).await;
    let path = format!("/followUps/{}", cancelled["id"].as_str().unwrap());
    fod.ok(Method::POST, &format!("{path}/submit"), None, Some("\"1\""))
        .await;
    // Four eyes: the coordinator who wrote it has the other one approve it.
    Client::new(&app, "demo-coordinator-bz")
        .await
        .ok(
            Method::POST,
            &format!("{path}/approve"),
            None,
            Some("\"2\""),
        )
        .await;
    assert_eq!(
        fod.ok(Method::GET, "/followUps/missing?period=2018S1", None, None)
            .await["total"],
        1
    );
    assert_eq!(
        fod.ok(Method::GET, "/actions?status=cancelled", None, None)
            .await["total"],
        1
    );
    // Reporters see their own organisation's gaps, whatever they ask.
    let zone = Client::new(&app, "demo-reporter-zone").await;
    assert_eq!(
        ids(&zone
            .ok(
                Method::GET,
                "/followUps/missing?period=2018S1&organisationId=college-procureurs-generaal",
                None,
                None
            )
            .await),
        [first]
    );
    assert_problem(
        fod.send(Method::GET, "/followUps/missing?period=2017S5", None, None)
            .await,
        400,
        "badRequest",
    )
    .await;
    app.stop().await;
}

/// Clients that cannot read headers: every representation carries its `version`, the `ETag`
/// without quotes, in its body and in collections, and `If-Match` takes it bare.
#[actix_web::test]
async fn the_version_in_the_body_is_the_etag_and_guards_changes() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let reporter = Client::new(&app, "demo-reporter").await;

    for path in [
        format!("/actions/{}", f.action["id"].as_str().unwrap()),
        format!("/indicators/{}", f.number_indicator["id"].as_str().unwrap()),
        format!("/objectives/{}", f.action["objectiveId"].as_str().unwrap()),
        "/plans/kiv-2016-2019".to_owned(),
        "/clusters/3".to_owned(),
        "/organisations/federale-politie".to_owned(),
    ] {
        let response = fod.send(Method::GET, &path, None, None).await;
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        let version = body["version"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {body}"));
        assert_eq!(
            etag.trim_matches('"').split('@').next(),
            Some(version),
            "{path}"
        );
    }

    let draft = reporter
        .ok(Method::POST, "/followUps", Some(json!({"actionId": f.action["id"], "period": "2017S1", "status": "onTrack", "progress": 40})), None)
        .await;
    let path = format!("/followUps/{}", draft["id"].as_str().unwrap());
    let listed = reporter
        .ok(
            Method::GET,
            &format!("/followUps?actionId={}", f.action["id"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(listed["items"][0]["version"], draft["version"]);

    let version = draft["version"].as_str().unwrap().to_owned();
    let submitted = reporter
        .ok(
            Method::POST,
            &format!("{path}/submit"),
            None,
            Some(&version),
        )
        .await;
    assert_ne!(submitted["version"], draft["version"]);
    // The old version, bare, is refused as stale; nothing changes.
    assert_problem(
        fod.send(
            Method::POST,
            &format!("{path}/approve"),
            None,
            Some(&version),
        )
        .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    let approved = fod
        .ok(
            Method::POST,
            &format!("{path}/approve"),
            None,
            Some(submitted["version"].as_str().unwrap()),
        )
        .await;
    assert_eq!(approved["state"], "approved");
    app.stop().await;
}

/// belgif `hyp-links`: a reference to another resource comes with its link, which leads to it.
#[actix_web::test]
async fn references_carry_links_that_lead_to_what_they_name() {
    let app = TestApp::spawn().await;
    let fod = Client::new(&app, "demo-coordinator").await;
    let f = fixture(&fod).await;
    let reporter = Client::new(&app, "demo-reporter").await;
    let follow_up = reporter
        .ok(
            Method::POST,
            "/followUps",
            Some(json!({"actionId": f.action["id"], "period": "2017S1", "status": "notStarted"})),
            None,
        )
        .await;
    let mut checked = Vec::new();
    for (body, references) in [
        (
            &f.action,
            &["objective", "plan", "cluster", "leadOrganisation"][..],
        ),
        (&f.number_indicator, &["action"][..]),
        (&f.qualitative_indicator, &["objective"][..]),
        (&follow_up, &["action", "organisation"][..]),
    ] {
        for reference in references {
            let id = body[format!("{reference}Id")].as_str().unwrap();
            let link = body[format!("{reference}Href")].as_str().unwrap();
            let path = link.split("/kiv/v1").nth(1).unwrap();
            let target = fod.ok(Method::GET, path, None, None).await;
            assert_eq!(target["id"], json!(id), "{reference}Href {link}");
            checked.push(*reference);
        }
    }
    assert_eq!(checked.len(), 8);
    // An absent reference has no link either.
    assert!(f.number_indicator.get("objectiveHref").is_none());
    app.stop().await;
}
