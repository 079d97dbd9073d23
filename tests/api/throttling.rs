//! Failed log-ins slow further attempts down per account at one address, per address and per
//! account, without letting anyone keep the owner out; over HTTP. The client's address is varied
//! through `X-Forwarded-For`, which kiv honours because these apps trust 127.0.0.1 as a proxy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::time::Duration;

use chrono::TimeDelta;
use common::{assert_problem, TestApp};
use kiv_domain::throttle::{BackOff, LoginPolicy};
use kiv_http::origin::Origin;

const A: &str = "198.51.100.1";
const B: &str = "203.0.113.2";

fn trusting_the_test_client() -> Origin {
    Origin::new(None, vec![Origin::parse_proxy("127.0.0.1").unwrap()])
}

/// A back-off with a fixed wait, long enough that a test's next request surely falls inside it.
fn waiting(threshold: u32, seconds: i64) -> BackOff {
    BackOff {
        threshold,
        first_wait: TimeDelta::seconds(seconds),
        max_wait: TimeDelta::seconds(seconds),
        forget_after: TimeDelta::hours(1),
    }
}

async fn spawn(policy: LoginPolicy) -> TestApp {
    TestApp::spawn_with_state(|state| {
        state
            .with_origin(trusting_the_test_client())
            .with_login_policy(policy)
    })
    .await
}

fn person<'a>(login: &'a str, password: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("grant_type", "password"),
        ("username", login),
        ("password", password),
    ]
}

fn client<'a>(id: &'a str, secret: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ]
}

/// A token request as if from `address` (through the trusted proxy), or from the test client
/// itself.
async fn attempt(
    app: &TestApp,
    address: Option<&str>,
    form: &[(&'static str, &str)],
) -> reqwest::Response {
    let mut request = app.client.post(app.url("/auth/token")).form(form);
    if let Some(address) = address {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.unwrap()
}

/// Asserts a 429 `tooManyFailedRequests` and returns its `Retry-After`.
async fn assert_waiting(response: reqwest::Response, at_most: u64) -> u64 {
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=at_most).contains(&retry_after), "{retry_after}");
    assert_problem(response, 429, "tooManyFailedRequests").await;
    retry_after
}

#[actix_web::test]
async fn guessing_from_one_address_does_not_keep_the_owner_out_elsewhere() {
    let policy = LoginPolicy {
        pair: waiting(kiv_domain::throttle::PAIR.threshold, 30),
        ..LoginPolicy::default()
    };
    let app = spawn(policy).await;
    for _ in 0..5 {
        let response = attempt(&app, Some(A), &person("demo-coordinator", "guess")).await;
        assert_eq!(response.status().as_u16(), 400);
    }
    // From A the account waits now, even for the right password...
    assert_waiting(
        attempt(&app, Some(A), &person("demo-coordinator", "demo")).await,
        30,
    )
    .await;
    // ... and attempts during the wait are not evaluated, so more guesses do not lengthen it.
    for _ in 0..5 {
        assert_waiting(
            attempt(&app, Some(A), &person("demo-coordinator", "guess")).await,
            30,
        )
        .await;
    }
    // The owner at another address logs in at once, as from the proxy's own address.
    let response = attempt(&app, Some(B), &person("demo-coordinator", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    let response = attempt(&app, None, &person("demo-coordinator", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn after_the_threshold_the_right_secret_waits_then_succeeds_and_clears() {
    let policy = LoginPolicy {
        pair: waiting(3, 2),
        ..LoginPolicy::default()
    };
    let app = spawn(policy).await;
    for _ in 0..3 {
        let response = attempt(&app, Some(A), &person("demo-reporter", "guess")).await;
        assert_eq!(response.status().as_u16(), 400);
    }
    let retry_after = assert_waiting(
        attempt(&app, Some(A), &person("demo-reporter", "demo")).await,
        2,
    )
    .await;
    actix_web::rt::time::sleep(Duration::from_millis(retry_after * 1000 + 200)).await;
    let response = attempt(&app, Some(A), &person("demo-reporter", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    // The success cleared the account's failures at A: two typos do not make it wait.
    for _ in 0..2 {
        let response = attempt(&app, Some(A), &person("demo-reporter", "guess")).await;
        assert_eq!(response.status().as_u16(), 400);
    }
    let response = attempt(&app, Some(A), &person("demo-reporter", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn spraying_many_accounts_from_one_address_is_slowed() {
    let policy = LoginPolicy {
        address: waiting(8, 60),
        ..LoginPolicy::default()
    };
    let app = spawn(policy).await;
    // The reporter logs in from A before: A is known for it.
    let response = attempt(&app, Some(A), &person("demo-reporter", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    let logins = [
        "demo-admin",
        "demo-coordinator",
        "demo-coordinator-bz",
        "demo-evaluator",
        "nobody",
        "nobody-else",
    ];
    // One guess per account, so that no account reaches its own threshold.
    for attempt_number in 0..8 {
        let login = logins[attempt_number % logins.len()];
        let response = attempt(&app, Some(A), &person(login, "guess")).await;
        assert_eq!(response.status().as_u16(), 400, "attempt {attempt_number}");
    }
    // A waits now, for every account it has not logged in to, the right secret too.
    assert_waiting(
        attempt(&app, Some(A), &person("demo-coordinator-bz", "demo")).await,
        60,
    )
    .await;
    assert_waiting(
        attempt(&app, Some(A), &client("demo-federale-politie", "demo")).await,
        60,
    )
    .await;
    // The reporter at its known address is not slowed by the spray; nor is anyone elsewhere.
    let response = attempt(&app, Some(A), &person("demo-reporter", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    let response = attempt(&app, Some(B), &person("demo-coordinator-bz", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn an_agency_system_is_throttled_the_same_way() {
    let policy = LoginPolicy {
        pair: waiting(3, 30),
        ..LoginPolicy::default()
    };
    let app = spawn(policy).await;
    for _ in 0..3 {
        let response = attempt(&app, Some(A), &client("demo-federale-politie", "guess")).await;
        assert_eq!(response.status().as_u16(), 401);
    }
    assert_waiting(
        attempt(&app, Some(A), &client("demo-federale-politie", "demo")).await,
        30,
    )
    .await;
    // The system itself, calling from its own server, is not kept out.
    let response = attempt(&app, Some(B), &client("demo-federale-politie", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn guessing_from_many_addresses_slows_the_account_briefly_and_not_at_known_addresses() {
    let policy = LoginPolicy {
        account: waiting(6, 3),
        ..LoginPolicy::default()
    };
    let app = spawn(policy).await;
    // The owner's usual address.
    let response = attempt(&app, Some(B), &person("demo-evaluator", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    for n in 1..=6 {
        let address = format!("192.0.2.{n}");
        let response = attempt(&app, Some(&address), &person("demo-evaluator", "guess")).await;
        assert_eq!(response.status().as_u16(), 400, "from {address}");
    }
    // From a new address the account waits, briefly, even for its owner...
    let retry_after = assert_waiting(
        attempt(&app, Some(A), &person("demo-evaluator", "demo")).await,
        3,
    )
    .await;
    // ... from its usual address not at all.
    let response = attempt(&app, Some(B), &person("demo-evaluator", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    actix_web::rt::time::sleep(Duration::from_millis(retry_after * 1000 + 200)).await;
    let response = attempt(&app, Some(A), &person("demo-evaluator", "demo")).await;
    assert_eq!(response.status().as_u16(), 200);
    app.stop().await;
}

#[actix_web::test]
async fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
    let policy = LoginPolicy {
        pair: waiting(3, 30),
        ..LoginPolicy::default()
    };
    // No trusted proxy: every guess counts against the connection's address, whatever
    // `X-Forwarded-For` claims.
    let app = TestApp::spawn_with_state(|state| state.with_login_policy(policy)).await;
    for n in 1..=3 {
        let forged = format!("192.0.2.{n}");
        let response = attempt(&app, Some(&forged), &person("demo-coordinator", "guess")).await;
        assert_eq!(response.status().as_u16(), 400);
    }
    assert_waiting(
        attempt(&app, Some(B), &person("demo-coordinator", "demo")).await,
        30,
    )
    .await;
    app.stop().await;
}

#[actix_web::test]
async fn guesses_sent_at_once_get_no_more_evaluations_than_one_after_another() {
    let policy = LoginPolicy {
        pair: waiting(3, 30),
        ..LoginPolicy::default()
    };
    let app = spawn(policy).await;
    let requests: Vec<_> = (0..10)
        .map(|_| {
            let request = app
                .client
                .post(app.url("/auth/token"))
                .header("X-Forwarded-For", A)
                .form(&person("demo-coordinator", "guess"));
            actix_web::rt::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [400, 400, 400, 429, 429, 429, 429, 429, 429, 429]);
    app.stop().await;
}
