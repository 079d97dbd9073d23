//! Headers every answer carries for browsers and caches: `nosniff`, framing protection on HTML,
//! and `Cache-Control` on answers to requests that carried credentials.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::{Method, Response};
use serde_json::json;

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

fn assert_nosniff(response: &Response, case: &str) {
    assert_eq!(
        header(response, "x-content-type-options"),
        Some("nosniff"),
        "{case}"
    );
}

fn assert_not_framable(response: &Response, case: &str) {
    assert_eq!(header(response, "x-frame-options"), Some("DENY"), "{case}");
    let policy = header(response, "content-security-policy").unwrap_or_default();
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{case}: {policy}"
    );
}

#[actix_web::test]
async fn every_answer_says_nosniff() {
    let app = TestApp::spawn().await;
    let ok = app.get("/clusters").await;
    assert_eq!(ok.status().as_u16(), 200);
    assert_nosniff(&ok, "200");

    let anonymous = app.client.get(app.url("/clusters")).send().await.unwrap();
    assert_nosniff(&anonymous, "401");
    assert_problem(anonymous, 401, "noAccessToken").await;

    let unknown = app.get("/no-such-resource").await;
    assert_nosniff(&unknown, "404");
    assert_problem(unknown, 404, "resourceNotFound").await;

    let bad = app.get("/clusters?pageSize=nope").await;
    assert_nosniff(&bad, "400");
    assert_problem(bad, 400, "badRequest").await;

    let outside = app
        .client
        .get(format!("{}/elsewhere", app.origin))
        .send()
        .await
        .unwrap();
    assert_nosniff(&outside, "404 outside the API");
    app.stop().await;
}

#[actix_web::test]
async fn answers_to_credentialed_requests_are_not_stored_by_shared_caches() {
    let app = TestApp::spawn().await;
    let evaluator = Session::new(&app, "demo-evaluator").await;

    // An answer without an entity tag (here a problem): nothing may keep it.
    let missing = app.get("/clusters/99").await;
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(header(&missing, "cache-control"), Some("no-store"));

    // A collection's tag is its content's: kept only to revalidate.
    let list = app.get("/clusters").await;
    assert_eq!(list.status().as_u16(), 200);
    assert_eq!(header(&list, "cache-control"), Some("private, no-cache"));

    // A single resource has one: the client may keep it to revalidate, and a 304 still answers.
    let path = "/plans/kiv-2016-2019";
    let first = app.get(path).await;
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(header(&first, "cache-control"), Some("private, no-cache"));
    let tag = header(&first, "etag").unwrap().to_owned();
    let again = app
        .request(Method::GET, path, &app.reader)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(header(&again, "etag"), Some(tag.as_str()));
    assert_nosniff(&again, "304");

    // A handler's own policy stands: the public keys may be cached, whoever asks.
    let keys = app
        .request(Method::GET, "/auth/jwks.json", &app.reader)
        .send()
        .await
        .unwrap();
    assert_eq!(keys.status().as_u16(), 200);
    assert_eq!(header(&keys, "cache-control"), Some("public, max-age=300"));

    // A signed report link is a credential too.
    let link = evaluator
        .ok(Method::POST, "/reports/links", Some(json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019", "period": "2017S2"}})), None)
        .await;
    let opened = app
        .client
        .get(link["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status().as_u16(), 200);
    assert!(header(&opened, "cache-control")
        .is_some_and(|v| v.contains("no-store") || v.contains("private")));

    // Without credentials, nothing is added: public documentation may be cached.
    let document = app
        .client
        .get(app.url("/doc/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(document.status().as_u16(), 200);
    assert_eq!(header(&document, "cache-control"), None);
    app.stop().await;
}

#[actix_web::test]
async fn html_pages_cannot_be_framed() {
    let app = TestApp::spawn().await;
    let ui = app.client.get(app.url("/doc/")).send().await.unwrap();
    assert_eq!(ui.status().as_u16(), 200);
    assert!(header(&ui, "content-type")
        .unwrap()
        .starts_with("text/html"));
    assert_not_framable(&ui, "Swagger UI");
    // Swagger UI keeps its scripts: the policy only restricts who may frame it.
    assert_eq!(
        header(&ui, "content-security-policy"),
        Some("frame-ancestors 'none'")
    );

    let report = app.get("/reports/progress.html?planId=kiv-2016-2019").await;
    assert_eq!(report.status().as_u16(), 200);
    assert!(header(&report, "content-type")
        .unwrap()
        .starts_with("text/html"));
    assert_not_framable(&report, "HTML report");
    app.stop().await;
}
