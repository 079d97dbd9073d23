//! Absolute links and the client's address follow forwarded headers only from a trusted proxy,
//! and a configured public base URL whatever the headers; over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use kiv_http::limits::Limits;
use kiv_http::origin::Origin;
use reqwest::Method;
use serde_json::{json, Value};

fn trusting_the_test_client(base: Option<&str>) -> Origin {
    Origin::new(
        base.map(|b| Origin::parse_base_url(b).unwrap()),
        vec![Origin::parse_proxy("127.0.0.1").unwrap()],
    )
}

/// A report link made with forged forwarded headers.
async fn forged_link(app: &TestApp) -> String {
    let evaluator = Session::new(app, "demo-evaluator").await;
    let response = app
        .request(Method::POST, "/reports/links", &evaluator.token)
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "https")
        .json(&json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019", "period": "2017S2"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.unwrap();
    body["url"].as_str().unwrap().to_owned()
}

/// The `href` of a problem and the `self` of a page, asked for with a forged forwarded host.
async fn forged_problem_and_page(app: &TestApp) -> (String, String) {
    let forged = |path: &str| {
        app.request(Method::GET, path, &app.reader)
            .header("Forwarded", "host=evil.example;proto=https")
            .send()
    };
    let problem = forged("/clusters/none").await.unwrap();
    assert_eq!(problem.status().as_u16(), 404);
    let problem: Value = problem.json().await.unwrap();
    let page: Value = forged("/organisations")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        problem["href"].as_str().unwrap().to_owned(),
        page["self"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn forwarded_headers_from_anyone_else_change_no_link() {
    let app = TestApp::spawn().await;
    let url = forged_link(&app).await;
    assert!(
        url.starts_with(&format!("{}/kiv/v1/reports/progress?", app.origin)),
        "{url}"
    );
    let opened = app.client.get(&url).send().await.unwrap();
    assert_eq!(opened.status().as_u16(), 200);
    let (href, page) = forged_problem_and_page(&app).await;
    assert!(href.starts_with(&app.origin), "{href}");
    assert!(page.starts_with(&app.origin), "{page}");
    app.stop().await;
}

#[actix_web::test]
async fn a_trusted_proxy_says_which_host_the_client_used() {
    let app =
        TestApp::spawn_with_state(|state| state.with_origin(trusting_the_test_client(None))).await;
    let url = forged_link(&app).await;
    assert!(
        url.starts_with("https://evil.example/kiv/v1/reports/progress?"),
        "{url}"
    );
    let (href, page) = forged_problem_and_page(&app).await;
    assert!(href.starts_with("https://evil.example/"), "{href}");
    assert!(
        page.starts_with("https://evil.example/kiv/v1/organisations?"),
        "{page}"
    );
    // Without forwarded headers, the request's own host.
    let problem = app.get("/clusters/none").await;
    assert_problem(problem, 404, "resourceNotFound").await;
    app.stop().await;
}

#[actix_web::test]
async fn a_public_base_url_roots_every_link_whatever_the_headers() {
    let base = "https://kiv.example.be";
    let app = TestApp::spawn_with_state(|state| {
        state.with_origin(trusting_the_test_client(Some("https://kiv.example.be/")))
    })
    .await;
    let url = forged_link(&app).await;
    let path = url
        .strip_prefix(&format!("{base}/kiv/v1/reports/progress?"))
        .unwrap_or_else(|| panic!("{url}"));
    // The link is good at the service's real address (behind the proxy).
    let opened = app
        .client
        .get(format!("{}/kiv/v1/reports/progress?{path}", app.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status().as_u16(), 200);
    let (href, page) = forged_problem_and_page(&app).await;
    assert!(href.starts_with(base), "{href}");
    assert!(page.starts_with(base), "{page}");
    // `Location` of a created resource too.
    let admin = Session::new(&app, "demo-admin").await;
    let response = admin
        .send(
            Method::POST,
            "/accounts",
            Some(json!({"kind": "client", "clientId": "pz-origin-rms", "organisationId": "pz-demo", "roles": ["reporter"]})),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{base}/kiv/v1/accounts/")),
        "{location}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_rate_limit_counts_a_forwarded_address_only_from_a_trusted_proxy() {
    let limits = Limits {
        rate_limit_per_minute: 2,
        ..Limits::default()
    };
    let anonymous = |app: &TestApp, from: &str| {
        app.client
            .get(app.url("/clusters"))
            .header("X-Forwarded-For", from.to_owned())
            .send()
    };
    // Trusted: each forwarded address has its own allowance.
    let app = TestApp::spawn_adjusted(
        kiv_http::auth::TokenService::hs256(
            common::TEST_SECRET,
            kiv_http::auth::TokenSettings::default(),
        )
        .unwrap(),
        kiv_store::PoolOptions {
            max_size: 4,
            acquire_timeout: std::time::Duration::from_secs(2),
        },
        limits.clone(),
        |state| state.with_origin(trusting_the_test_client(None)),
    )
    .await;
    for _ in 0..2 {
        let response = anonymous(&app, "192.0.2.1").await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
    }
    assert_problem(
        anonymous(&app, "192.0.2.1").await.unwrap(),
        429,
        "tooManyRequests",
    )
    .await;
    let response = anonymous(&app, "192.0.2.2").await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    app.stop().await;
    // Untrusted: the header changes nothing; the connection's address is over its allowance
    // (the test app's own log-in counted too).
    let app = TestApp::spawn_limited(
        kiv_store::PoolOptions {
            max_size: 4,
            acquire_timeout: std::time::Duration::from_secs(2),
        },
        limits,
    )
    .await;
    let response = anonymous(&app, "192.0.2.1").await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_problem(
        anonymous(&app, "192.0.2.2").await.unwrap(),
        429,
        "tooManyRequests",
    )
    .await;
    app.stop().await;
}
