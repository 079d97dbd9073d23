//! The four-eyes rule over HTTP: whoever wrote or submitted a revision of a follow-up (by a
//! single request, a batch, a CSV import or a partner's contribution) neither approves nor
//! returns it, whatever its roles; another coordinator does. A refusal changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// An action of the drugs cluster led by `lead` (with the demo zone as partner when the federal
/// police leads it).
async fn action(fod: &Session<'_>, code: &str, lead: &str) -> Value {
    let app = fod.app;
    let objective = app.objective().code(code).create(fod).await;
    let partners: &[&str] = if lead == "federale-politie" {
        &["pz-demo"]
    } else {
        &[]
    };
    app.action()
        .objective(&objective)
        .code(&format!("{code}.a"))
        .lead(lead)
        .partners(partners)
        .create(fod)
        .await
}

/// A draft follow-up of `action` for 2017S1 written by `writer`; returns its path.
async fn draft(writer: &Session<'_>, action: &Value) -> String {
    let created = writer
        .app
        .follow_up(action)
        .status("onTrack")
        .progress(40)
        .create(writer)
        .await;
    format!("/followUps/{}", created["id"].as_str().unwrap())
}

async fn submit(session: &Session<'_>, path: &str) -> Value {
    let tag = session.etag(path).await;
    session
        .ok(Method::POST, &format!("{path}/submit"), None, Some(&tag))
        .await
}

async fn approve(session: &Session<'_>, path: &str) -> reqwest::Response {
    let tag = session.etag(path).await;
    session
        .send(Method::POST, &format!("{path}/approve"), None, Some(&tag))
        .await
}

async fn give_back(session: &Session<'_>, path: &str) -> reqwest::Response {
    let tag = session.etag(path).await;
    session
        .send(
            Method::POST,
            &format!("{path}/return"),
            Some(json!({"reviewNote": "Graag toelichten."})),
            Some(&tag),
        )
        .await
}

/// Asserts a four-eyes refusal: 403 `missingPermission`, naming the rule and the caller.
async fn assert_four_eyes(response: reqwest::Response, login: &str) {
    let body = assert_problem(response, 403, "missingPermission").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("four-eyes") && detail.contains(login),
        "{body}"
    );
}

/// Asserts that the follow-up is still submitted, at `version`, and that its history holds no
/// review.
async fn assert_untouched(app: &TestApp, path: &str, version: &Value) {
    let current = app.get_json(path, 200).await;
    assert_eq!(
        (&current["state"], &current["version"]),
        (&json!("submitted"), version)
    );
    assert!(current.get("reviewedBy").is_none(), "{current}");
    let history = app.get_json(&format!("{path}/history"), 200).await;
    let events: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        !events.contains(&"approved") && !events.contains(&"returned"),
        "{events:?}"
    );
    let reported = app
        .get_json("/reports/progress?planId=kiv-2016-2019&period=2017S1", 200)
        .await;
    assert_eq!(reported["totals"]["byStatus"]["onTrack"], 0, "{reported}");
}

#[actix_web::test]
async fn a_coordinator_does_not_review_what_it_wrote_and_submitted() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let other = Session::new(&app, "demo-coordinator-bz").await;
    let action = action(&fod, "FE1", "federale-politie").await;
    // A coordinator writes and submits on the lead's behalf...
    let path = draft(&fod, &action).await;
    let submitted = submit(&fod, &path).await;

    // ...and neither approves nor returns it.
    assert_four_eyes(approve(&fod, &path).await, "demo-coordinator").await;
    assert_four_eyes(give_back(&fod, &path).await, "demo-coordinator").await;
    assert_untouched(&app, &path, &submitted["version"]).await;

    // Another coordinator may do either; here it approves.
    let response = approve(&other, &path).await;
    assert_eq!(response.status().as_u16(), 200);
    let approved: Value = response.json().await.unwrap();
    assert_eq!(
        (&approved["state"], &approved["reviewedBy"]),
        (&json!("approved"), &json!("demo-coordinator-bz"))
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_reporter_who_is_also_a_coordinator_does_not_approve_its_own_report() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let admin = Session::new(&app, "demo-admin").await;
    admin
        .ok(Method::POST, "/accounts", Some(json!({"kind": "person", "username": "an.dubbel", "organisationId": "fod-justitie", "roles": ["reporter", "coordinator"], "password": "a long enough passphrase"})), None)
        .await;
    let response = app
        .client
        .post(app.url("/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "an.dubbel"),
            ("password", "a long enough passphrase"),
        ])
        .send()
        .await
        .unwrap();
    let token: Value = response.json().await.unwrap();
    let both = Session {
        app: &app,
        token: token["access_token"].as_str().unwrap().to_owned(),
    };
    let action = action(&fod, "FE2", "fod-justitie").await;
    let path = draft(&both, &action).await;
    let submitted = submit(&both, &path).await;

    assert_four_eyes(approve(&both, &path).await, "an.dubbel").await;
    assert_four_eyes(give_back(&both, &path).await, "an.dubbel").await;
    assert_untouched(&app, &path, &submitted["version"]).await;

    let response = approve(&fod, &path).await;
    assert_eq!(response.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn an_edit_makes_an_author_and_a_return_does_not() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let other = Session::new(&app, "demo-coordinator-bz").await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let action = action(&fod, "FE3", "federale-politie").await;
    let path = draft(&reporter, &action).await;

    // The coordinator only corrects the reporter's draft; the reporter submits it.
    let tag = fod.etag(&path).await;
    let response = fod
        .app
        .request(Method::PATCH, &path, &fod.token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", tag)
        .body(r#"{"progress": 45}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let submitted = submit(&reporter, &path).await;
    assert_four_eyes(approve(&fod, &path).await, "demo-coordinator").await;
    assert_untouched(&app, &path, &submitted["version"]).await;

    // The other coordinator returns it; the reporter corrects and submits it again, and the
    // reviewer who returned it may approve it: returning is no writing.
    let response = give_back(&other, &path).await;
    assert_eq!(response.status().as_u16(), 200);
    let tag = reporter.etag(&path).await;
    let response = reporter
        .app
        .request(Method::PATCH, &path, &reporter.token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", tag)
        .body(r#"{"progress": 50}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    submit(&reporter, &path).await;
    // The first coordinator's edit belongs to the same revision: still refused.
    assert_four_eyes(approve(&fod, &path).await, "demo-coordinator").await;
    let response = approve(&other, &path).await;
    assert_eq!(response.status().as_u16(), 200);

    // A reopened follow-up is a new revision: its authors are counted afresh. The coordinator
    // who corrected revision 1 may review revision 2, which only the reporter wrote.
    let tag = other.etag(&path).await;
    other
        .ok(Method::POST, &format!("{path}/reopen"), None, Some(&tag))
        .await;
    let tag = reporter.etag(&path).await;
    let response = reporter
        .app
        .request(Method::PATCH, &path, &reporter.token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", tag)
        .body(r#"{"progress": 55}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    submit(&reporter, &path).await;
    let response = approve(&fod, &path).await;
    assert_eq!(response.status().as_u16(), 200);
    let approved: Value = response.json().await.unwrap();
    assert_eq!(approved["revision"], 2);
    app.stop().await;
}

#[actix_web::test]
async fn writing_a_partners_contribution_makes_an_author() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let other = Session::new(&app, "demo-coordinator-bz").await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let action = action(&fod, "FE4", "federale-politie").await;
    let path = draft(&reporter, &action).await;
    let response = fod
        .send(
            Method::PUT,
            &format!("{path}/contributions/pz-demo"),
            Some(
                json!({"narrative": {"nl": "Twee rechercheurs geleverd."}, "indicatorValues": []}),
            ),
            None,
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    let submitted = submit(&reporter, &path).await;
    assert_four_eyes(approve(&fod, &path).await, "demo-coordinator").await;
    assert_untouched(&app, &path, &submitted["version"]).await;
    assert_eq!(approve(&other, &path).await.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn batches_and_imports_make_authors_too() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let other = Session::new(&app, "demo-coordinator-bz").await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let first = action(&fod, "FE5", "federale-politie").await;
    let second = action(&fod, "FE6", "federale-politie").await;

    // The coordinator changes the reporter's draft through a batch...
    let path = draft(&reporter, &first).await;
    let report = fod
        .ok(
            Method::POST,
            "/followUps/batch",
            Some(json!([{"actionId": first["id"], "period": "2017S1", "status": "delayed", "progress": 30}])),
            None,
        )
        .await;
    assert_eq!(report["rows"][0]["outcome"], "updated", "{report}");
    let submitted = submit(&reporter, &path).await;
    assert_four_eyes(approve(&fod, &path).await, "demo-coordinator").await;
    assert_four_eyes(give_back(&fod, &path).await, "demo-coordinator").await;
    let current = app.get_json(&path, 200).await;
    assert_eq!(
        (&current["state"], &current["version"]),
        (&json!("submitted"), &submitted["version"])
    );
    assert_eq!(approve(&other, &path).await.status().as_u16(), 200);

    // ...and creates another one from a CSV file, which the reporter submits.
    let csv = format!(
        "actionId,period,status,progress\n{},2017S1,onTrack,40\n",
        second["id"].as_str().unwrap()
    );
    let response = app
        .request(Method::POST, "/imports/followUps", &fod.token)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["rows"][0]["outcome"], "created", "{report}");
    let id = report["rows"][0]["followUpId"].as_str().unwrap().to_owned();
    let path = format!("/followUps/{id}");
    let submitted = submit(&reporter, &path).await;
    assert_four_eyes(approve(&fod, &path).await, "demo-coordinator").await;
    assert_untouched(&app, &path, &submitted["version"]).await;
    assert_eq!(approve(&other, &path).await.status().as_u16(), 200);
    app.stop().await;
}
