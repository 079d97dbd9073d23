//! `Idempotency-Key` on POST: only a success is replayed, so a refused request (a stale
//! `If-Match`, a bad body) can be corrected and retried with the same key; a replay carries the
//! replaying request's trace ids; two requests racing on one key do the work once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, both, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// An action of the federal police (the demo reporter's organisation) to report on.
async fn action(fod: &Session<'_>) -> Value {
    fod.app.action().create(fod).await
}

/// A POST with a key, an optional `If-Match` and a trace id of the client's choosing.
async fn post(
    session: &Session<'_>,
    path: &str,
    key: &str,
    if_match: Option<&str>,
    trace_id: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = session
        .app
        .request(Method::POST, path, &session.token)
        .header("Idempotency-Key", key)
        .header("BelGov-Trace-Id", trace_id);
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[actix_web::test]
async fn a_412_is_not_replayed_the_retry_with_the_right_if_match_submits() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let action = action(&fod).await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let draft = reporter
        .ok(Method::POST, "/followUps", Some(json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 40})), None)
        .await;
    let id = draft["id"].as_str().unwrap();
    let submit = format!("/followUps/{id}/submit");

    // A stale ETag: refused, and nothing changed.
    let stale = post(
        &reporter,
        &submit,
        "submit-1",
        Some("\"7\""),
        "trace-a",
        None,
    )
    .await;
    assert_eq!(
        header(&stale, "belgov-related-trace-id").as_deref(),
        Some("trace-a")
    );
    let own = header(&stale, "belgov-trace-id");
    let problem = assert_problem(stale, 412, "kiv:preconditionFailed").await;
    assert_eq!(problem["traceId"].as_str(), own.as_deref());
    let unchanged = reporter
        .ok(Method::GET, &format!("/followUps/{id}"), None, None)
        .await;
    assert_eq!(unchanged["state"], "draft");

    // What the 412 says to do: read the ETag again and retry, with the same key.
    let retried = post(
        &reporter,
        &submit,
        "submit-1",
        Some("\"1\""),
        "trace-b",
        None,
    )
    .await;
    assert_eq!(retried.status().as_u16(), 200);
    assert_eq!(header(&retried, "idempotent-replayed"), None);
    assert_eq!(
        header(&retried, "belgov-related-trace-id").as_deref(),
        Some("trace-b")
    );
    assert_eq!(header(&retried, "etag").as_deref(), Some("\"2\""));
    let submitted: Value = retried.json().await.unwrap();
    assert_eq!(submitted["state"], "submitted");

    // The success is kept: the same request again is its replay, under the new trace id.
    let replayed = post(
        &reporter,
        &submit,
        "submit-1",
        Some("\"1\""),
        "trace-c",
        None,
    )
    .await;
    assert_eq!(replayed.status().as_u16(), 200);
    assert_eq!(
        header(&replayed, "idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(
        header(&replayed, "belgov-related-trace-id").as_deref(),
        Some("trace-c")
    );
    assert_eq!(header(&replayed, "etag").as_deref(), Some("\"2\""));
    let text = replayed.text().await.unwrap();
    assert!(!text.contains("trace-b"), "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), submitted);
    let history = reporter
        .ok(Method::GET, &format!("/followUps/{id}/history"), None, None)
        .await;
    assert_eq!(history["total"], 2, "created and submitted once: {history}");
    app.stop().await;
}

#[actix_web::test]
async fn a_400_releases_the_key_and_the_corrected_body_is_created_once() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let action = action(&fod).await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let bad =
        json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 140});
    let good =
        json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 40});

    let refused = post(
        &reporter,
        "/followUps",
        "create-1",
        None,
        "t-1",
        Some(bad.clone()),
    )
    .await;
    assert_eq!(
        header(&refused, "belgov-related-trace-id").as_deref(),
        Some("t-1")
    );
    let own = header(&refused, "belgov-trace-id");
    let problem = assert_problem(refused, 400, "badRequest").await;
    assert_eq!(problem["traceId"].as_str(), own.as_deref());
    // The same bad body again runs again (it is not a replay): its own trace id.
    let again = post(&reporter, "/followUps", "create-1", None, "t-2", Some(bad)).await;
    assert_eq!(header(&again, "idempotent-replayed"), None);
    assert_eq!(
        header(&again, "belgov-related-trace-id").as_deref(),
        Some("t-2")
    );
    let own = header(&again, "belgov-trace-id");
    let problem = assert_problem(again, 400, "badRequest").await;
    assert_eq!(problem["traceId"].as_str(), own.as_deref());

    let created = post(
        &reporter,
        "/followUps",
        "create-1",
        None,
        "t-3",
        Some(good.clone()),
    )
    .await;
    assert_eq!(created.status().as_u16(), 201);
    let location = header(&created, "location").unwrap();
    let body: Value = created.json().await.unwrap();
    let replayed = post(&reporter, "/followUps", "create-1", None, "t-4", Some(good)).await;
    assert_eq!(replayed.status().as_u16(), 201);
    assert_eq!(
        header(&replayed, "idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(header(&replayed, "location"), Some(location));
    assert_eq!(
        header(&replayed, "belgov-related-trace-id").as_deref(),
        Some("t-4")
    );
    assert_eq!(replayed.json::<Value>().await.unwrap(), body);
    let page = reporter.ok(Method::GET, "/followUps", None, None).await;
    assert_eq!(page["total"], 1);

    // A kept success binds the key to its request: another body is still refused.
    let other = json!({"actionId": action["id"], "period": "2017S2", "status": "notStarted"});
    assert_problem(
        post(
            &reporter,
            "/followUps",
            "create-1",
            None,
            "t-5",
            Some(other),
        )
        .await,
        422,
        "kiv:idempotencyKeyReused",
    )
    .await;
    app.stop().await;
}

#[actix_web::test]
async fn a_409_releases_the_key_too() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let action = action(&fod).await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let body = json!({"actionId": action["id"], "period": "2017S1", "status": "notStarted"});
    let first = reporter
        .ok(Method::POST, "/followUps", Some(body.clone()), None)
        .await;
    // One per action and period: refused while the first exists.
    assert_problem(
        post(
            &reporter,
            "/followUps",
            "dup",
            None,
            "t-1",
            Some(body.clone()),
        )
        .await,
        409,
        "kiv:conflict",
    )
    .await;
    // The corrected request (another period) with the same key is carried out.
    let mut corrected = body;
    corrected["period"] = json!("2017S2");
    let created = post(&reporter, "/followUps", "dup", None, "t-2", Some(corrected)).await;
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    assert_ne!(created["id"], first["id"]);
    app.stop().await;
}

#[actix_web::test]
async fn two_requests_racing_on_one_key_create_one_follow_up() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let action = action(&fod).await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let body =
        json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 40});
    for round in 0..5 {
        let key = format!("race-{round}");
        let mut body = body.clone();
        body["period"] = json!(["2016S1", "2016S2", "2017S1", "2017S2", "2018S1"][round]);
        let (a, b) = both(
            post(&reporter, "/followUps", &key, None, "a", Some(body.clone())),
            post(&reporter, "/followUps", &key, None, "b", Some(body.clone())),
        )
        .await;
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        // Either the second saw the first in flight (409 idempotencyKeyInUse, retry in a
        // moment) or its kept answer (a replayed 201); never a second follow-up or a 409
        // conflict from running twice.
        for response in [a, b] {
            if response.status().as_u16() == 409 {
                assert_eq!(header(&response, "retry-after").as_deref(), Some("1"));
                assert_problem(response, 409, "kiv:idempotencyKeyInUse").await;
            }
        }
        assert!(
            statuses == [201, 201] || statuses == [201, 409],
            "{statuses:?}"
        );
    }
    let page = reporter.ok(Method::GET, "/followUps", None, None).await;
    assert_eq!(page["total"], 5);
    app.stop().await;
}

/// A secret is shown once and never kept: an account creation or a rotation sent with a key
/// leaves no answer in `idempotent_requests`, and its retry runs again instead of showing the
/// secret a second time (a second creation is a 409 naming the account).
#[actix_web::test]
async fn answers_that_show_a_secret_are_never_kept() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let admin = Session::new(&app, "demo-admin").await;
    let body = json!({"kind": "client", "clientId": "pz-secret-test", "organisationId": "pz-demo",
                      "roles": ["reporter"]});
    let first = post(
        &admin,
        "/accounts",
        "create-1",
        None,
        "t-1",
        Some(body.clone()),
    )
    .await;
    assert_eq!(first.status(), 201);
    let created: Value = first.json().await.unwrap();
    let secret = created["clientSecret"].as_str().unwrap().to_owned();
    let again = post(&admin, "/accounts", "create-1", None, "t-2", Some(body)).await;
    assert_eq!(header(&again, "idempotent-replayed"), None);
    let problem = assert_problem(again, 409, "kiv:conflict").await;
    assert_eq!(problem["existingId"], created["id"]);
    assert!(!problem.to_string().contains(&secret));

    let rotate = format!("/accounts/{}/secret", created["id"].as_str().unwrap());
    let tag = {
        let response = admin
            .send(
                Method::GET,
                &format!("/accounts/{}", created["id"].as_str().unwrap()),
                None,
                None,
            )
            .await;
        response.headers()["etag"].to_str().unwrap().to_owned()
    };
    let rotated = post(&admin, &rotate, "rotate-1", Some(&tag), "t-3", None).await;
    assert!(rotated.status().is_success(), "{}", rotated.status());
    let rotated: Value = rotated.json().await.unwrap();
    let new_secret = rotated["clientSecret"].as_str().unwrap().to_owned();

    let mut conn = app.db.connect();
    let kept: Vec<Option<Vec<u8>>> = diesel::sql_query("SELECT body FROM idempotent_requests")
        .load::<Body>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|b| b.body)
        .collect();
    for body in kept.into_iter().flatten() {
        let text = String::from_utf8_lossy(&body);
        assert!(
            !text.contains(&secret) && !text.contains(&new_secret),
            "kept: {text}"
        );
    }
    app.stop().await;
}

#[derive(diesel::QueryableByName)]
struct Body {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Binary>)]
    body: Option<Vec<u8>>,
}
