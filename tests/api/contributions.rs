//! The lead organisation owns an action's follow-up; partner organisations add their own
//! contribution beside it: who may write what, what everybody sees, and the freeze at
//! submission — over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// An action led by the federal police with the demo zone as partner, and an indicator on it.
async fn fixture(fod: &Session<'_>) -> (Value, Value) {
    let action = fod.app.action().partners(&["pz-demo"]).create(fod).await;
    let indicator = fod
        .ok(Method::POST, "/indicators", Some(json!({"actionId": action["id"], "name": {"nl": "Labs"}, "measure": "number", "direction": "increase"})), None)
        .await;
    (action, indicator)
}

async fn etag(session: &Session<'_>, path: &str) -> String {
    let response = session.send(Method::GET, path, None, None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.headers()["etag"].to_str().unwrap().to_owned()
}

#[actix_web::test]
async fn partners_contribute_beside_the_leads_follow_up_and_never_over_it() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let zone = Session::new(&app, "demo-reporter-zone").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let (action, indicator) = fixture(&fod).await;
    let lead_text = json!({"nl": "Drie labs ontmanteld."});

    // The partner cannot create the follow-up before the lead does.
    let problem = assert_problem(
        zone.send(Method::POST, "/followUps", Some(json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 30})), None)
            .await,
        403,
        "missingPermission",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("contribution"),
        "{problem}"
    );
    assert_eq!(
        fod.ok(Method::GET, "/followUps", None, None).await["total"],
        0
    );

    let draft = police
        .ok(Method::POST, "/followUps", Some(json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 30,
            "narrative": lead_text, "indicatorValues": [{"indicatorId": indicator["id"], "value": 3}]})), None)
        .await;
    let path = format!("/followUps/{}", draft["id"].as_str().unwrap());
    assert!(draft["contributionsHref"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{path}/contributions")));

    // The partner reads the lead's draft, but neither changes nor submits it.
    assert_eq!(
        zone.ok(Method::GET, &path, None, None).await["narrative"],
        lead_text
    );
    for (method, target, body) in [
        (
            Method::PATCH,
            path.clone(),
            Some(json!({"narrative": {"nl": "Overschreven."}, "progress": 90})),
        ),
        (Method::POST, format!("{path}/submit"), None),
    ] {
        assert_problem(
            zone.send(method, &target, body, Some("\"1\"")).await,
            403,
            "missingPermission",
        )
        .await;
    }
    let unchanged = police.send(Method::GET, &path, None, None).await;
    assert_eq!(unchanged.headers()["etag"], "\"1\"");
    let unchanged: Value = unchanged.json().await.unwrap();
    assert_eq!(
        (
            &unchanged["state"],
            &unchanged["narrative"],
            &unchanged["progress"]
        ),
        (&json!("draft"), &lead_text, &json!(30.0))
    );

    // The partner adds its contribution, for its own organisation only.
    let contribution_path = format!("{path}/contributions/pz-demo");
    let contribution = json!({"narrative": {"nl": "Twee rechercheurs geleverd."}, "indicatorValues": [{"indicatorId": indicator["id"], "value": 1}]});
    let response = zone
        .send(
            Method::PUT,
            &contribution_path,
            Some(contribution.clone()),
            None,
        )
        .await;
    assert_eq!(response.status(), 201);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with(&contribution_path));
    assert_eq!(response.headers()["etag"], "\"1\"");
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        (&created["organisationId"], &created["createdBy"]),
        (&json!("pz-demo"), &json!("demo-reporter-zone"))
    );
    // Not over another's: the lead's slot is no contribution, another organisation's is not
    // the zone's to write.
    assert_problem(
        zone.send(
            Method::PUT,
            &format!("{path}/contributions/federale-politie"),
            Some(contribution.clone()),
            None,
        )
        .await,
        403,
        "missingPermission",
    )
    .await;
    let problem = assert_problem(
        police
            .send(
                Method::PUT,
                &format!("{path}/contributions/federale-politie"),
                Some(contribution.clone()),
                None,
            )
            .await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(
        (&problem["issues"][0]["in"], &problem["issues"][0]["name"]),
        (&json!("path"), &json!("organisationId"))
    );
    assert_problem(
        evaluator
            .send(
                Method::PUT,
                &contribution_path,
                Some(contribution.clone()),
                None,
            )
            .await,
        403,
        "missingScope",
    )
    .await;
    // Bad input names its field; a second write needs the ETag.
    let problem = assert_problem(
        zone.send(
            Method::PUT,
            &contribution_path,
            Some(json!({"narrative": {"nl": "x"}, "indicatorValues": [{"indicatorId": "nope", "value": 1}]})),
            Some("\"1\""),
        )
        .await,
        400,
        "badRequest",
    )
    .await;
    assert!(
        problem["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"]
                .as_str()
                .unwrap()
                .starts_with("indicatorValues[0]")),
        "{problem}"
    );
    assert_problem(
        zone.send(
            Method::PUT,
            &contribution_path,
            Some(contribution.clone()),
            None,
        )
        .await,
        428,
        "kiv:preconditionRequired",
    )
    .await;
    assert_problem(
        zone.send(
            Method::PUT,
            &contribution_path,
            Some(contribution.clone()),
            Some("\"7\""),
        )
        .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    let revised = json!({"narrative": {"nl": "Drie rechercheurs geleverd."}, "indicatorValues": [{"indicatorId": indicator["id"], "value": 1}]});
    let response = zone
        .send(
            Method::PUT,
            &contribution_path,
            Some(revised.clone()),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");

    // The lead, the coordinator and the evaluator see it; the lead's narrative is untouched.
    for reader in [&police, &fod, &evaluator, &zone] {
        let listed = reader
            .ok(Method::GET, &format!("{path}/contributions"), None, None)
            .await;
        assert_eq!(listed["total"], 1);
        assert_eq!(listed["items"][0]["narrative"], revised["narrative"]);
        assert_eq!(listed["items"][0]["indicatorValues"][0]["value"], 1.0);
        assert_eq!(listed["items"][0]["updatedBy"], "demo-reporter-zone");
        let follow_up = reader.ok(Method::GET, &path, None, None).await;
        assert_eq!(follow_up["narrative"], lead_text);
        assert_eq!(follow_up["indicatorValues"][0]["value"], 3.0);
    }
    assert_eq!(etag(&police, &path).await, "\"1\"");
    let audit = fod
        .ok(
            Method::GET,
            &format!(
                "/auditEvents?entityType=followUpContribution&entityId={}",
                created["id"].as_str().unwrap()
            ),
            None,
            None,
        )
        .await;
    assert_eq!(audit["total"], 2);

    // The lead submits; the contribution freezes with the follow-up.
    let submitted = police
        .ok(Method::POST, &format!("{path}/submit"), None, Some("\"1\""))
        .await;
    assert_eq!(submitted["state"], "submitted");
    let problem = assert_problem(
        zone.send(
            Method::PUT,
            &contribution_path,
            Some(contribution.clone()),
            Some("\"2\""),
        )
        .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("submitted"));
    let approved = fod
        .ok(
            Method::POST,
            &format!("{path}/approve"),
            None,
            Some("\"2\""),
        )
        .await;
    assert_eq!(approved["state"], "approved");
    assert_problem(
        fod.send(
            Method::PUT,
            &contribution_path,
            Some(contribution.clone()),
            Some("\"2\""),
        )
        .await,
        409,
        "kiv:conflict",
    )
    .await;
    let frozen = fod.ok(Method::GET, &contribution_path, None, None).await;
    assert_eq!(frozen["narrative"], revised["narrative"]);
    // The approved figures are the lead's.
    let action_now = fod
        .ok(
            Method::GET,
            &format!("/actions/{}", action["id"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(action_now["progress"], 30.0);
    // A reopened follow-up (a correction) opens its contributions again.
    fod.ok(Method::POST, &format!("{path}/reopen"), None, Some("\"3\""))
        .await;
    let corrected = zone
        .ok(
            Method::PUT,
            &contribution_path,
            Some(contribution.clone()),
            Some("\"2\""),
        )
        .await;
    assert_eq!(corrected["narrative"], contribution["narrative"]);
    app.stop().await;
}

#[actix_web::test]
async fn a_partner_cannot_import_follow_ups_of_an_action_it_only_partners_in() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let zone = Session::new(&app, "demo-reporter-zone").await;
    let (action, _) = fixture(&fod).await;
    let rows = json!([{"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 40}]);

    let report = zone
        .ok(
            Method::POST,
            "/followUps/batch?mode=partial",
            Some(rows.clone()),
            None,
        )
        .await;
    assert_eq!(report["refused"], 1);
    assert_eq!(
        report["rows"][0]["issues"][0]["type"],
        "urn:problem-type:belgif:missingPermission"
    );
    let csv = format!(
        "actionId,period,status,progress\n{},2017S1,onTrack,40\n",
        action["id"].as_str().unwrap()
    );
    let report: Value = app
        .request(Method::POST, "/imports/followUps?mode=partial", &zone.token)
        .header("Content-Type", "text/csv")
        .body(csv.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["refused"], 1, "{report}");
    assert_eq!(
        fod.ok(Method::GET, "/followUps", None, None).await["total"],
        0
    );

    // Once the lead has imported its follow-up, the partner's rows still do not overwrite it.
    let report = police
        .ok(
            Method::POST,
            "/followUps/batch?mode=partial",
            Some(rows.clone()),
            None,
        )
        .await;
    assert_eq!(report["created"], 1);
    let report: Value = app
        .request(Method::POST, "/imports/followUps?mode=partial", &zone.token)
        .header("Content-Type", "text/csv")
        .body(csv.replace(",40", ",90"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["refused"], 1, "{report}");
    let listed = fod.ok(Method::GET, "/followUps", None, None).await;
    assert_eq!(listed["items"][0]["progress"], 40.0);
    assert_eq!(listed["items"][0]["organisationId"], "federale-politie");
    app.stop().await;
}
