//! What operators rely on: configurable limits (body size, rate, time, page size) answered as
//! problems that state the limit, `BelGov-Trace-Id` on every answer, and the metrics endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::time::{Duration, Instant};

use common::{assert_problem, both, TestApp};
use kiv_http::limits::Limits;
use kiv_store::PoolOptions;
use reqwest::Method;

fn pool() -> PoolOptions {
    PoolOptions {
        max_size: 4,
        acquire_timeout: Duration::from_secs(2),
    }
}

#[actix_web::test]
async fn bodies_over_the_limit_are_413_stating_the_limit_whoever_reads_them() {
    let limits = Limits {
        body_limit: 4096,
        ..Limits::default()
    };
    let app = TestApp::spawn_limited(pool(), limits).await;
    let coordinator = app.token("demo-coordinator").await;
    let big = "x".repeat(5000);
    let json = format!("{{\"narrative\": {{\"nl\": \"{big}\"}}}}");
    let csv = format!("actionId,period,status,progress,narrativeNl\na,2017S1,onTrack,10,{big}\n");
    let cases: Vec<(&str, &str, String, Option<&str>)> = vec![
        // A typed JSON body.
        ("/followUps", "application/json", json.clone(), None),
        // Raw bytes read by the handler: the JSON batch and the CSV import.
        (
            "/followUps/batch",
            "application/json",
            format!("[{json}]"),
            None,
        ),
        ("/imports/followUps", "text/csv", csv.clone(), None),
        // The idempotency layer reads the body before any handler.
        ("/imports/followUps", "text/csv", csv, Some("import-1")),
    ];
    for (path, content_type, body, key) in cases {
        let mut request = app
            .request(Method::POST, path, &coordinator)
            .header("content-type", content_type)
            .body(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let problem = assert_problem(request.send().await.unwrap(), 413, "payloadTooLarge").await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("4096 bytes (4 KiB)"), "{path}: {detail}");
    }
    // Without a token too: the token endpoint reads a form.
    let response = app
        .client
        .post(app.url("/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=password&username={big}"))
        .send()
        .await
        .unwrap();
    assert_problem(response, 413, "payloadTooLarge").await;
    // Under the limit, the same routes read the body.
    let response = app
        .request(Method::POST, "/followUps/batch", &coordinator)
        .json(&serde_json::json!([]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn a_client_over_its_rate_is_429_with_retry_after_and_others_are_not() {
    let limits = Limits {
        rate_limit_per_minute: 5,
        ..Limits::default()
    };
    let app = TestApp::spawn_limited(pool(), limits).await;
    // Log-ins count against the address (no token yet); the reader's requests against its
    // subject.
    let coordinator = app.token("demo-coordinator").await;
    for _ in 0..5 {
        assert_eq!(app.get("/clusters").await.status().as_u16(), 200);
    }
    let response = app.get("/clusters").await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let problem = assert_problem(response, 429, "tooManyRequests").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("5 requests a minute"),
        "{problem}"
    );
    // Another subject has its own allowance.
    let response = app
        .request(Method::GET, "/clusters", &coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    // Probes and scrapers are never limited.
    for _ in 0..10 {
        let health = app.client.get(app.url("/health")).send().await.unwrap();
        assert_eq!(health.status().as_u16(), 200);
        let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(metrics.status().as_u16(), 200);
    }
    // A made-up token is no way around the limit: it counts against the address, as the two
    // log-ins above did.
    let forged = || app.request(Method::GET, "/clusters", "not.a.token").send();
    for _ in 0..3 {
        assert_eq!(forged().await.unwrap().status().as_u16(), 401);
    }
    assert_problem(forged().await.unwrap(), 429, "tooManyRequests").await;
    app.stop().await;
}

#[actix_web::test]
async fn a_request_over_the_timeout_is_503_in_time() {
    let limits = Limits {
        request_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let pool = PoolOptions {
        max_size: 1,
        acquire_timeout: Duration::from_secs(8),
    };
    let app = TestApp::spawn_limited(pool, limits).await;
    // The only connection is taken: the request waits for one longer than it may take.
    let held = app.database.connection().unwrap();
    let started = Instant::now();
    let response = app
        .client
        .get(app.url("/clusters"))
        .bearer_auth(&app.reader)
        .header("BelGov-Trace-Id", "timeout-probe")
        .send()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "answered after {elapsed:?}"
    );
    assert_eq!(
        response.headers()["belgov-related-trace-id"],
        "timeout-probe"
    );
    let own = response.headers()["belgov-trace-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let problem = assert_problem(response, 503, "serviceUnavailable").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("longer than 1 seconds"),
        "{problem}"
    );
    assert_eq!(problem["traceId"], own);
    drop(held);
    assert_eq!(app.get("/clusters").await.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn the_page_size_cap_is_configurable() {
    let limits = Limits {
        max_page_size: 10,
        ..Limits::default()
    };
    let app = TestApp::spawn_limited(pool(), limits).await;
    let problem = assert_problem(app.get("/clusters?pageSize=11").await, 400, "badRequest").await;
    assert_eq!(problem["issues"][0]["name"], "pageSize");
    assert_eq!(problem["issues"][0]["in"], "query");
    assert!(
        problem["issues"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("between 1 and 10"),
        "{problem}"
    );
    let page = app.get_json("/clusters?pageSize=10", 200).await;
    assert_eq!(page["pageSize"], 10);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    // The document the service serves states the cap it enforces.
    let document = app.get_json("/doc/openapi.json", 200).await;
    let parameters = document["paths"]["/kiv/v1/clusters"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let page_size = parameters.iter().find(|p| p["name"] == "pageSize").unwrap();
    assert_eq!(page_size["schema"]["maximum"], 10);
    app.stop().await;

    // By default the cap is 100.
    let app = TestApp::spawn().await;
    assert_problem(app.get("/clusters?pageSize=101").await, 400, "badRequest").await;
    assert_eq!(
        app.get("/clusters?pageSize=100").await.status().as_u16(),
        200
    );
    app.stop().await;
}

#[actix_web::test]
async fn every_answer_carries_a_trace_id() {
    let app = TestApp::spawn().await;
    let send = |path: &str, trace: Option<&str>| {
        let mut request = app.client.get(app.url(path)).bearer_auth(&app.reader);
        if let Some(trace) = trace {
            request = request.header("BelGov-Trace-Id", trace);
        }
        request.send()
    };
    // A well-formed id is returned as the related one, beside kiv's own.
    let response = send("/clusters/6", Some("agency-42.req:7")).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["belgov-related-trace-id"],
        "agency-42.req:7"
    );
    assert!(uuid_like(
        response.headers()["belgov-trace-id"].to_str().unwrap()
    ));
    // Without one, the service makes one, and a problem repeats it.
    let response = send("/clusters/99", None).await.unwrap();
    let generated = response.headers()["belgov-trace-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid_like(&generated), "{generated}");
    let problem = assert_problem(response, 404, "resourceNotFound").await;
    assert_eq!(problem["traceId"], generated);
    // A malformed or overlong one is dropped, never echoed.
    for bad in ["two words", &"a".repeat(65)] {
        let response = send("/clusters", Some(bad)).await.unwrap();
        let id = response.headers()["belgov-trace-id"].to_str().unwrap();
        assert!(uuid_like(id), "{id}");
        assert!(!response.headers().contains_key("belgov-related-trace-id"));
    }
    // Answers the framework gives (no route, an unauthenticated call) carry one too.
    let response = app.client.get(app.url("/nowhere")).send().await.unwrap();
    assert!(response.headers().contains_key("belgov-trace-id"));
    let response = app.client.get(app.url("/clusters")).send().await.unwrap();
    assert!(response.headers().contains_key("belgov-trace-id"));
    app.stop().await;
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_show_the_pool() {
    let app = TestApp::spawn().await;
    for id in ["6", "7", "drugs"] {
        assert_eq!(
            app.get(&format!("/clusters/{id}")).await.status().as_u16(),
            200
        );
    }
    assert_eq!(app.get("/clusters/99").await.status().as_u16(), 404);
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4"
    );
    let text = response.text().await.unwrap();
    for expected in [
        r#"kiv_http_requests_total{method="GET",route="/kiv/v1/clusters/{clusterId}",status="200"} 3"#,
        r#"kiv_http_requests_total{method="GET",route="/kiv/v1/clusters/{clusterId}",status="404"} 1"#,
        r#"kiv_http_requests_total{method="POST",route="/kiv/v1/auth/token",status="200"} 1"#,
        r#"kiv_http_request_duration_seconds_count{method="GET",route="/kiv/v1/clusters/{clusterId}"} 4"#,
        r#"kiv_db_pool_connections{state="inUse"}"#,
        r#"kiv_db_pool_connections{state="idle"}"#,
        "kiv_db_pool_max_connections 4",
    ] {
        assert!(
            text.contains(expected),
            "{expected} is missing from\n{text}"
        );
    }
    // Raw paths never become labels.
    assert!(!text.contains("/clusters/drugs"), "{text}");
    app.stop().await;
}

#[actix_web::test]
async fn reports_take_turns_and_an_abandoned_one_gives_its_turn_back() {
    let limits = Limits {
        report_concurrency: 1,
        request_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let pool = PoolOptions {
        max_size: 1,
        acquire_timeout: Duration::from_secs(8),
    };
    let app = TestApp::spawn_limited(pool, limits).await;
    let coordinator = app.token("demo-coordinator").await;
    let report = || {
        app.client
            .get(app.url("/reports/progress?planId=kiv-2016-2019&period=2017S1"))
            .bearer_auth(&coordinator)
            .send()
    };
    // The only connection is taken: the report holding the turn and the one waiting for it
    // are both abandoned at the timeout.
    let held = app.database.connection().unwrap();
    let (first, second) = both(report(), report()).await;
    assert_eq!(first.unwrap().status().as_u16(), 503);
    assert_eq!(second.unwrap().status().as_u16(), 503);
    drop(held);
    // Their turns came back: four at once, one at a time, all answered alike.
    let ((a, b), (c, d)) = both(both(report(), report()), both(report(), report())).await;
    let answers = [a, b, c, d];
    let mut bodies = Vec::new();
    for answer in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        let mut body: serde_json::Value = answer.json().await.unwrap();
        body.as_object_mut().unwrap().remove("asOf");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
    app.stop().await;
}
