//! Withdrawn rights take effect within seconds, not when tokens expire: a disabled or changed
//! account's tokens are refused, and report links die with their maker's right to pull reports;
//! links can be listed and revoked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::time::{Duration, Instant};

use common::{assert_problem, TestApp, TEST_SECRET};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use kiv_domain::{Caller, Role};
use kiv_store::accounts::{self, AccountChanges};
use reqwest::Method;
use serde_json::{json, Value};

/// How long any withdrawal may take to be seen: well over the access check's TTL.
const DEADLINE: Duration = Duration::from_secs(10);

/// The id and entity tag of the account `login`, as an administrator reads them.
async fn account(app: &TestApp, admin: &str, login: &str) -> (String, String) {
    let page: Value = app
        .request(Method::GET, "/accounts?pageSize=100", admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == login || a["clientId"] == login)
        .expect("the account")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .request(Method::GET, &format!("/accounts/{id}"), admin)
        .send()
        .await
        .unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (id, etag)
}

/// Has `admin` apply `patch` to the account `login` through the API.
async fn patch_account(app: &TestApp, admin: &str, login: &str, patch: Value) {
    let (id, etag) = account(app, admin, login).await;
    let response = app
        .request(Method::PATCH, &format!("/accounts/{id}"), admin)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(patch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "PATCH {login}: {patch}");
}

/// The status `GET path` answers with `token` on `url`.
async fn status(app: &TestApp, url: &str, token: &str) -> u16 {
    app.client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls `GET url` with `token` until it answers `expected`, failing after [`DEADLINE`]; how
/// long it took.
async fn until_status(app: &TestApp, url: &str, token: &str, expected: u16) -> Duration {
    let started = Instant::now();
    loop {
        let answered = status(app, url, token).await;
        if answered == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{url} still answers {answered} after {DEADLINE:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Makes a progress report link as `token`; its URL and id.
async fn make_link(app: &TestApp, token: &str, period: &str) -> (String, String) {
    let response = app
        .request(Method::POST, "/reports/links", token)
        .json(&json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019", "period": period}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.unwrap();
    assert!(body["createdBy"].is_string(), "{body}");
    (
        body["url"].as_str().unwrap().to_owned(),
        body["id"].as_str().unwrap().to_owned(),
    )
}

/// `GET /reports/links{query}` as `token`, expected to be 200.
async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .request(Method::GET, &format!("/reports/links{query}"), token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{query}");
    response.json().await.unwrap()
}

async fn open_link(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(url).send().await.unwrap()
}

/// Changes the account `login` in the database as another node would: this node's cache is not
/// told.
fn change_elsewhere(app: &TestApp, login: &str, changes: AccountChanges) {
    let mut conn = app.database.connection().unwrap();
    let account = accounts::find_by_login(&mut conn, login).unwrap().unwrap();
    accounts::update(&mut conn, &Caller::system(), &account.id, None, changes).unwrap();
}

#[actix_web::test]
async fn a_disabled_accounts_token_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let coordinator = app.token("demo-coordinator").await;
    let me = app.url("/me");
    assert_eq!(status(&app, &me, &coordinator).await, 200);

    patch_account(&app, &admin, "demo-coordinator", json!({"disabled": true})).await;
    // On the node that made the change, at once.
    let refused = app
        .request(Method::GET, "/clusters", &coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.headers()["www-authenticate"],
        r#"Bearer realm="kiv", error="invalid_token", error_description="withdrawn""#
    );
    let problem = assert_problem(refused, 401, "invalidAccessToken").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("withdrawn"),
        "{problem}"
    );
    // Writes too (and through the idempotency layer).
    let write = app
        .request(Method::POST, "/objectives", &coordinator)
        .header("Idempotency-Key", "after-disable")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(write, 401, "invalidAccessToken").await;

    // Enabled again, the old token stays withdrawn; a new one works.
    patch_account(&app, &admin, "demo-coordinator", json!({"disabled": false})).await;
    assert_eq!(status(&app, &me, &coordinator).await, 401);
    let fresh = app.token("demo-coordinator").await;
    assert_eq!(status(&app, &me, &fresh).await, 200);
    // A change that changes nothing keeps the tokens.
    patch_account(&app, &admin, "demo-coordinator", json!({"disabled": false})).await;
    assert_eq!(status(&app, &me, &fresh).await, 200);
    app.stop().await;
}

#[actix_web::test]
async fn a_demoted_coordinator_loses_coordinator_rights() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let coordinator = app.token("demo-coordinator").await;
    let audit = app.url("/auditEvents");
    assert_eq!(status(&app, &audit, &coordinator).await, 200);

    patch_account(
        &app,
        &admin,
        "demo-coordinator",
        json!({"roles": ["reporter"]}),
    )
    .await;
    until_status(&app, &audit, &coordinator, 401).await;
    // The roles the account has now are those of its next token.
    let reporter = app.token("demo-coordinator").await;
    assert_problem(
        app.request(Method::GET, "/auditEvents", &reporter)
            .send()
            .await
            .unwrap(),
        403,
        "missingScope",
    )
    .await;
    app.stop().await;
}

#[actix_web::test]
async fn a_rotated_secret_withdraws_the_tokens_obtained_with_the_old_one() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let client = app.token("demo-federale-politie").await;
    let clusters = app.url("/clusters");
    assert_eq!(status(&app, &clusters, &client).await, 200);
    let (id, etag) = account(&app, &admin, "demo-federale-politie").await;
    let rotated = app
        .request(Method::POST, &format!("/accounts/{id}/secret"), &admin)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status().as_u16(), 200);
    assert_eq!(status(&app, &clusters, &client).await, 401);
    app.stop().await;
}

#[actix_web::test]
async fn a_change_made_elsewhere_is_seen_within_the_ttl() {
    // The real TTL: this node learns of the change only by reading the database again.
    let app = TestApp::spawn().await;
    let coordinator = app.token("demo-coordinator").await;
    let me = app.url("/me");
    assert_eq!(status(&app, &me, &coordinator).await, 200);
    change_elsewhere(
        &app,
        "demo-coordinator",
        AccountChanges {
            disabled: Some(true),
            roles: None,
        },
    );
    let took = until_status(&app, &me, &coordinator, 401).await;
    assert!(
        took <= kiv_http::auth::access::DEFAULT_ACCESS_CHECK_TTL + Duration::from_secs(2),
        "took {took:?}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn without_a_cache_every_request_reads_the_account() {
    let app = TestApp::spawn_with_access_ttl(Duration::ZERO).await;
    let coordinator = app.token("demo-coordinator").await;
    let audit = app.url("/auditEvents");
    assert_eq!(status(&app, &audit, &coordinator).await, 200);
    change_elsewhere(
        &app,
        "demo-coordinator",
        AccountChanges {
            disabled: None,
            roles: Some(vec![Role::Evaluator]),
        },
    );
    assert_eq!(status(&app, &audit, &coordinator).await, 401);
    app.stop().await;
}

#[actix_web::test]
async fn a_token_without_the_current_access_version_is_refused() {
    let app = TestApp::spawn().await;
    let now = jsonwebtoken::get_current_timestamp();
    let token_of = |sub: &str, ver: Option<i64>| {
        let mut claims = json!({
            "iss": "kiv", "aud": "kiv", "sub": sub, "iat": now, "exp": now + 600,
            "jti": "t", "client_id": "kiv", "org": "fod-justitie", "roles": ["coordinator"]
        });
        if let Some(ver) = ver {
            claims["ver"] = json!(ver);
        }
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("at+jwt".into());
        encode(
            &header,
            &claims,
            &EncodingKey::from_secret(TEST_SECRET).unwrap(),
        )
        .unwrap()
    };
    let token = |ver| token_of("demo-coordinator", ver);
    let me = app.url("/me");
    assert_eq!(status(&app, &me, &token(Some(1))).await, 200);
    // Issued before tokens carried the account's access version: refused, not trusted.
    for ver in [None, Some(0), Some(2)] {
        let response = app
            .request(Method::GET, "/me", &token(ver))
            .send()
            .await
            .unwrap();
        assert_problem(response, 401, "invalidAccessToken").await;
    }
    // A token of an account that does not exist.
    let stranger = token_of("nobody", Some(1));
    assert_eq!(status(&app, &me, &stranger).await, 401);
    app.stop().await;
}

#[actix_web::test]
async fn a_report_link_dies_with_its_maker() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let evaluator = app.token("demo-evaluator").await;
    let (url, id) = make_link(&app, &evaluator, "2017S2").await;
    assert_eq!(open_link(&app, &url).await.status().as_u16(), 200);

    patch_account(&app, &admin, "demo-evaluator", json!({"disabled": true})).await;
    let problem = assert_problem(open_link(&app, &url).await, 410, "kiv:revokedLink").await;
    assert!(problem["detail"].as_str().unwrap().contains("revoked"));
    // The record says when and by whom.
    let listed: Value = app
        .request(
            Method::GET,
            "/reports/links?createdBy=demo-evaluator",
            &admin,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let record = &listed["items"][0];
    assert_eq!(record["id"], id.as_str());
    assert_eq!(record["revokedBy"], "demo-admin");
    assert!(record["revokedAt"].is_string());
    assert!(record.get("url").is_none() && record.get("signature").is_none());
    // It stays dead when the account comes back.
    patch_account(&app, &admin, "demo-evaluator", json!({"disabled": false})).await;
    assert_problem(open_link(&app, &url).await, 410, "kiv:revokedLink").await;
    // A maker who keeps a role that pulls reports keeps its links.
    let coordinator = app.token("demo-coordinator").await;
    let (kept, _) = make_link(&app, &coordinator, "2017S2").await;
    patch_account(
        &app,
        &admin,
        "demo-coordinator",
        json!({"roles": ["evaluator"]}),
    )
    .await;
    assert_eq!(open_link(&app, &kept).await.status().as_u16(), 200);
    patch_account(
        &app,
        &admin,
        "demo-coordinator",
        json!({"roles": ["reporter"]}),
    )
    .await;
    assert_problem(open_link(&app, &kept).await, 410, "kiv:revokedLink").await;
    app.stop().await;
}

#[actix_web::test]
async fn a_link_whose_maker_was_disabled_elsewhere_dies_within_the_ttl() {
    let app = TestApp::spawn().await;
    let evaluator = app.token("demo-evaluator").await;
    let (url, _) = make_link(&app, &evaluator, "2017S2").await;
    assert_eq!(open_link(&app, &url).await.status().as_u16(), 200);
    // Straight in the database, as another node would: the link's record is revoked with it.
    change_elsewhere(
        &app,
        "demo-evaluator",
        AccountChanges {
            disabled: Some(true),
            roles: None,
        },
    );
    let started = Instant::now();
    while open_link(&app, &url).await.status().as_u16() != 410 {
        assert!(started.elapsed() < DEADLINE, "the link still works");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn links_are_listed_for_their_maker_only() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let justitie = app.token("demo-coordinator").await;
    let bz = app.token("demo-coordinator-bz").await;
    let (_, first) = make_link(&app, &justitie, "2017S1").await;
    let (_, second) = make_link(&app, &justitie, "2017S2").await;
    let (_, other) = make_link(&app, &bz, "2017S2").await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let own = list(&app, &justitie, "").await;
    assert_eq!(own["total"], 2);
    // Newest first.
    assert_eq!(ids(&own), vec![second.clone(), first.clone()]);
    assert_eq!(own["items"][0]["report"], "progress");
    assert_eq!(own["items"][0]["parameters"]["period"], "2017S2");
    assert_eq!(own["items"][0]["createdBy"], "demo-coordinator");
    assert!(own["items"][0]["expiresAt"].is_string());
    assert_eq!(ids(&list(&app, &bz, "").await), vec![other.clone()]);
    // Another coordinator's links stay out of sight, even asked for by name.
    let asked = list(&app, &justitie, "?createdBy=demo-coordinator-bz").await;
    assert_eq!((asked["total"].clone(), ids(&asked).len()), (json!(0), 0));

    // Administrators see everybody's, and narrow them by maker; collections page.
    assert_eq!(list(&app, &admin, "").await["total"], 3);
    assert_eq!(
        ids(&list(&app, &admin, "?createdBy=demo-coordinator-bz").await),
        vec![other.clone()]
    );
    let paged = list(&app, &admin, "?pageSize=1&createdBy=demo-coordinator").await;
    assert_eq!(
        (paged["total"].clone(), ids(&paged)),
        (json!(2), vec![second])
    );
    assert!(paged["next"].as_str().unwrap().contains("page=2"));

    let reporter = app.token("demo-reporter").await;
    assert_problem(
        app.request(Method::GET, "/reports/links", &reporter)
            .send()
            .await
            .unwrap(),
        403,
        "missingScope",
    )
    .await;
    assert_problem(
        app.request(Method::GET, "/reports/links?pageSize=0", &admin)
            .send()
            .await
            .unwrap(),
        400,
        "badRequest",
    )
    .await;
    app.stop().await;
}

#[actix_web::test]
async fn a_revoked_link_is_gone() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let justitie = app.token("demo-coordinator").await;
    let bz = app.token("demo-coordinator-bz").await;
    let (url, id) = make_link(&app, &justitie, "2017S2").await;
    let (other_url, other_id) = make_link(&app, &justitie, "2017S1").await;
    let revoke = |token: &str, id: &str| {
        app.request(Method::DELETE, &format!("/reports/links/{id}"), token)
            .send()
    };

    assert_eq!(revoke(&justitie, &id).await.unwrap().status().as_u16(), 204);
    let problem = assert_problem(open_link(&app, &url).await, 410, "kiv:revokedLink").await;
    assert!(problem["detail"].as_str().unwrap().contains("revoked"));
    // Revoking again changes nothing.
    assert_eq!(revoke(&justitie, &id).await.unwrap().status().as_u16(), 204);
    let listed: Value = app
        .request(Method::GET, "/reports/links", &justitie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let record = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(record["revokedBy"], "demo-coordinator");

    // Another coordinator is told the link does not exist, and it keeps working.
    assert_problem(
        revoke(&bz, &other_id).await.unwrap(),
        404,
        "resourceNotFound",
    )
    .await;
    assert_eq!(open_link(&app, &other_url).await.status().as_u16(), 200);
    let reporter = app.token("demo-reporter").await;
    assert_problem(
        revoke(&reporter, &other_id).await.unwrap(),
        403,
        "missingScope",
    )
    .await;
    // An administrator may revoke anyone's.
    assert_eq!(
        revoke(&admin, &other_id).await.unwrap().status().as_u16(),
        204
    );
    assert_problem(open_link(&app, &other_url).await, 410, "kiv:revokedLink").await;
    assert_problem(
        revoke(&admin, "00000000-0000-0000-0000-000000000000")
            .await
            .unwrap(),
        404,
        "resourceNotFound",
    )
    .await;

    // Every step is in the audit trail.
    let trail: Value = app
        .request(
            Method::GET,
            &format!("/auditEvents?entityType=reportLink&entityId={id}"),
            &admin,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(trail["total"], 2, "{trail}");
    app.stop().await;
}

#[actix_web::test]
async fn a_link_made_without_an_id_is_refused() {
    let app = TestApp::spawn().await;
    let evaluator = app.token("demo-evaluator").await;
    let (url, _) = make_link(&app, &evaluator, "2017S2").await;
    // Dropping the id breaks the signature; links were signed without one before ids were kept.
    let (base, query) = url.split_once('?').unwrap();
    let without: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("link="))
        .collect();
    let stripped = format!("{base}?{}", without.join("&"));
    assert_problem(open_link(&app, &stripped).await, 401, "kiv:invalidLink").await;
    app.stop().await;
}

#[actix_web::test]
async fn a_disable_on_one_node_takes_effect_on_another_within_seconds() {
    let app = TestApp::spawn().await;
    // Node B trusts what it read for the default TTL, as every production node does.
    let node = app.second_node(kiv_http::auth::access::DEFAULT_ACCESS_CHECK_TTL);
    let admin = app.token("demo-admin").await;
    let coordinator = app.token("demo-coordinator").await;
    let on_b = node.url("/me");
    assert_eq!(
        status(&app, &on_b, &coordinator).await,
        200,
        "node B serves"
    );

    patch_account(&app, &admin, "demo-coordinator", json!({"disabled": true})).await;
    assert_eq!(status(&app, &app.url("/me"), &coordinator).await, 401);
    let took = until_status(&app, &on_b, &coordinator, 401).await;
    assert!(
        took <= kiv_http::auth::access::DEFAULT_ACCESS_CHECK_TTL + Duration::from_secs(2),
        "node B took {took:?}"
    );
    node.stop().await;
    app.stop().await;
}
