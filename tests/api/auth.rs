//! Tokens, roles and per-object access, over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::TimeDelta;
use common::{assert_problem, TestApp, TEST_SECRET};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use kiv_domain::throttle::{BackOff, LoginPolicy};
use kiv_http::auth::{TokenService, TokenSettings};
use reqwest::Method;
use serde_json::{json, Value};

fn claims_of(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let header = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
    let claims = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
    (
        serde_json::from_slice(&header).unwrap(),
        serde_json::from_slice(&claims).unwrap(),
    )
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Claims like kiv's, with `changes` applied.
fn forged_claims(changes: Value) -> Value {
    let mut claims = json!({
        "iss": "kiv", "aud": "kiv", "sub": "demo-admin", "iat": now(), "exp": now() + 600,
        "jti": "forged", "client_id": "kiv", "org": "fod-binnenlandse-zaken", "roles": ["admin"],
        "ver": 1
    });
    for (key, value) in changes.as_object().unwrap() {
        claims[key] = value.clone();
    }
    claims
}

fn hs256(claims: &Value, typ: Option<&str>, secret: &[u8]) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = typ.map(str::to_owned);
    encode(&header, claims, &EncodingKey::from_secret(secret).unwrap()).unwrap()
}

#[actix_web::test]
async fn both_grants_issue_at_jwt_tokens() {
    let app = TestApp::spawn().await;
    // Client credentials as a form.
    let response = app
        .client
        .post(app.url("/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-federale-politie"),
            ("client_secret", "demo"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (
            body["token_type"].clone(),
            body["expires_in"].clone(),
            body["scope"].clone()
        ),
        (json!("Bearer"), json!(900), json!("reporter"))
    );
    let (header, claims) = claims_of(body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "HS256");
    assert!(header["kid"].as_str().unwrap().len() > 20);
    assert_eq!(claims["iss"], "kiv");
    assert_eq!(claims["aud"], "kiv");
    assert_eq!(claims["sub"], "demo-federale-politie");
    assert_eq!(claims["client_id"], "demo-federale-politie");
    assert_eq!(claims["org"], "federale-politie");
    assert_eq!(claims["roles"], json!(["reporter"]));
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        900
    );
    assert!(claims["jti"].as_str().is_some());

    // Client credentials with HTTP Basic, and the password grant as JSON.
    let basic = app
        .client
        .post(app.url("/auth/token"))
        .basic_auth("demo-federale-politie", Some("demo"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 200);
    let person = app
        .client
        .post(app.url("/auth/token"))
        .json(
            &json!({"grant_type": "password", "username": "demo-coordinator", "password": "demo"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(person.status().as_u16(), 200);
    let token = person.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, claims) = claims_of(&token);
    assert_eq!(
        (
            claims["sub"].clone(),
            claims["org"].clone(),
            claims["client_id"].clone()
        ),
        (
            json!("demo-coordinator"),
            json!("fod-justitie"),
            json!("kiv")
        )
    );

    let me = app
        .request(Method::GET, "/me", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["account"]["username"], "demo-coordinator");
    assert_eq!(me["organisation"]["name"]["nl"], "FOD Justitie");
    assert_eq!(me["roles"], json!(["coordinator"]));
    app.stop().await;
}

/// A token request's form fields.
type Form<'a> = &'a [(&'a str, &'a str)];

#[actix_web::test]
async fn refused_token_requests_answer_as_rfc_6749() {
    let app = TestApp::spawn().await;
    let cases: [(Form, u16, &str); 5] = [
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-federale-politie"),
                ("client_secret", "wrong"),
            ],
            401,
            "invalid_client",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", "demo"),
            ],
            401,
            "invalid_client",
        ),
        // A person's credentials do not work as client credentials, and the other way round.
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-reporter"),
                ("client_secret", "demo"),
            ],
            401,
            "invalid_client",
        ),
        (
            &[
                ("grant_type", "password"),
                ("username", "demo-federale-politie"),
                ("password", "demo"),
            ],
            400,
            "invalid_grant",
        ),
        (
            &[("grant_type", "authorization_code"), ("code", "x")],
            400,
            "unsupported_grant_type",
        ),
    ];
    for (form, status, error) in cases {
        let response = app
            .client
            .post(app.url("/auth/token"))
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{form:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error, "{form:?}");
        assert!(body.get("access_token").is_none());
    }
    let missing = app
        .client
        .post(app.url("/auth/token"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    app.stop().await;
}

#[actix_web::test]
async fn every_wrong_token_has_its_own_problem() {
    let app = TestApp::spawn().await;
    let good = hs256(&forged_claims(json!({})), Some("at+jwt"), TEST_SECRET);
    assert_eq!(
        app.request(Method::GET, "/me", &good)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    // A `nbf` in the past, or within the leeway for clocks that differ, is accepted.
    for nbf in [now() - 600, now() + 10] {
        let token = hs256(
            &forged_claims(json!({"nbf": nbf})),
            Some("at+jwt"),
            TEST_SECRET,
        );
        let response = app
            .request(Method::GET, "/clusters", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "nbf {nbf}");
    }

    let anonymous = app.client.get(app.url("/clusters")).send().await.unwrap();
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        r#"Bearer realm="kiv""#
    );
    assert_problem(anonymous, 401, "noAccessToken").await;

    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#);
    let none_claims = URL_SAFE_NO_PAD.encode(forged_claims(json!({})).to_string());
    let invalid = [
        ("garbage", "not-a-jwt".to_owned()),
        (
            "other key",
            hs256(
                &forged_claims(json!({})),
                Some("at+jwt"),
                b"another secret that is long enough for HS256",
            ),
        ),
        (
            "other audience",
            hs256(
                &forged_claims(json!({"aud": "other-api"})),
                Some("at+jwt"),
                TEST_SECRET,
            ),
        ),
        (
            "other issuer",
            hs256(
                &forged_claims(json!({"iss": "https://evil.example"})),
                Some("at+jwt"),
                TEST_SECRET,
            ),
        ),
        ("alg none", format!("{none_header}.{none_claims}.")),
        (
            "plain JWT type",
            hs256(&forged_claims(json!({})), Some("JWT"), TEST_SECRET),
        ),
        (
            "no type",
            hs256(&forged_claims(json!({})), None, TEST_SECRET),
        ),
        (
            "unknown role",
            hs256(
                &forged_claims(json!({"roles": ["superuser"]})),
                Some("at+jwt"),
                TEST_SECRET,
            ),
        ),
        (
            "not valid before a minute from now",
            hs256(
                &forged_claims(json!({"nbf": now() + 60})),
                Some("at+jwt"),
                TEST_SECRET,
            ),
        ),
        ("tampered", {
            let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
            parts[1] = URL_SAFE_NO_PAD
                .encode(forged_claims(json!({"sub": "demo-coordinator"})).to_string());
            parts.join(".")
        }),
    ];
    for (case, token) in invalid {
        let response = app
            .request(Method::GET, "/clusters", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer realm="kiv", error="invalid_token""#,
            "{case}"
        );
        let body = assert_problem(response, 401, "invalidAccessToken").await;
        assert!(!body.to_string().contains(&token), "{case}");
    }
    let wrong_scheme = app
        .client
        .get(app.url("/clusters"))
        .header("Authorization", "Basic ZGVtbzpkZW1v")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_scheme, 401, "invalidAccessToken").await;

    let expired = hs256(
        &forged_claims(json!({"iat": now() - 3600, "exp": now() - 120})),
        Some("at+jwt"),
        TEST_SECRET,
    );
    let response = app
        .request(Method::GET, "/clusters", &expired)
        .send()
        .await
        .unwrap();
    assert!(response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    assert_problem(response, 401, "expiredAccessToken").await;
    app.stop().await;
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/{name}")).unwrap()
}

#[actix_web::test]
async fn eddsa_keys_are_published_and_rotate() {
    let previous_signer = TokenService::asymmetric(
        &fixture("ed25519-previous.pem"),
        &[],
        TokenSettings::default(),
    )
    .unwrap();
    let service = TokenService::asymmetric(
        &fixture("ed25519-current.pem"),
        &[("previous".into(), fixture("ed25519-previous.pub.pem"))],
        TokenSettings::default(),
    )
    .unwrap();
    let stranger = TokenService::asymmetric(
        &fixture("ed25519-stranger.pem"),
        &[],
        TokenSettings::default(),
    )
    .unwrap();
    let app = TestApp::spawn_with(service).await;

    let (header, _) = claims_of(&app.reader);
    assert_eq!(header["alg"], "EdDSA");
    let jwks: Value = app
        .client
        .get(app.url("/auth/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["kid"], header["kid"]);
    assert_eq!(
        (keys[0]["kty"].clone(), keys[0]["crv"].clone()),
        (json!("OKP"), json!("Ed25519"))
    );
    assert!(
        keys.iter().all(|k| k.get("d").is_none()),
        "a private part is published"
    );

    let account = kiv_domain::Account {
        id: "x".into(),
        kind: kiv_domain::AccountKind::Person,
        login: "demo-evaluator".into(),
        organisation_id: "fod-justitie".into(),
        roles: vec![kiv_domain::Role::Evaluator],
        disabled: false,
        version: 1,
        access_version: 1,
        created_at: kiv_store::clock::now(),
        updated_at: kiv_store::clock::now(),
    };
    // A token of the previous key is still accepted during the rotation; a stranger's is not.
    let old = previous_signer.issue(&account, "kiv").unwrap().access_token;
    assert_eq!(
        app.request(Method::GET, "/clusters", &old)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let foreign = stranger.issue(&account, "kiv").unwrap().access_token;
    assert_problem(
        app.request(Method::GET, "/clusters", &foreign)
            .send()
            .await
            .unwrap(),
        401,
        "invalidAccessToken",
    )
    .await;
    // An HS256 token is refused by an EdDSA deployment, whatever it says.
    let downgraded = hs256(&forged_claims(json!({})), Some("at+jwt"), TEST_SECRET);
    assert_problem(
        app.request(Method::GET, "/clusters", &downgraded)
            .send()
            .await
            .unwrap(),
        401,
        "invalidAccessToken",
    )
    .await;
    app.stop().await;
}

#[actix_web::test]
async fn roles_guard_each_route_group() {
    let app = TestApp::spawn().await;
    let new_zone = json!({"name": {"nl": "Politiezone Gent"}, "kind": "localPolice", "parentId": "lokale-politie"});
    for login in [
        "demo-admin",
        "demo-coordinator",
        "demo-reporter",
        "demo-evaluator",
        "demo-federale-politie",
    ] {
        let token = app.token(login).await;
        // Everyone reads the reference data.
        for path in ["/plans", "/clusters/6", "/themes", "/organisations", "/me"] {
            let response = app.request(Method::GET, path, &token).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{login} GET {path}");
        }
        // Only administrators manage accounts and organisations.
        let admin = login == "demo-admin";
        let list = app
            .request(Method::GET, "/accounts", &token)
            .send()
            .await
            .unwrap();
        let create = app
            .request(Method::POST, "/organisations", &token)
            .json(&new_zone)
            .send()
            .await
            .unwrap();
        if admin {
            assert_eq!(list.status().as_u16(), 200);
            assert_eq!(create.status().as_u16(), 201);
        } else {
            let body = assert_problem(list, 403, "missingScope").await;
            assert!(body["detail"].as_str().unwrap().contains("admin"));
            assert_problem(create, 403, "missingScope").await;
        }
    }
    // Refused creations left nothing behind: one zone (the admin's) besides the demo zone.
    let zones = app
        .get_json("/organisations?parentId=lokale-politie", 200)
        .await;
    assert_eq!(zones["total"], 2);
    app.stop().await;
}

#[actix_web::test]
async fn an_agency_cannot_see_or_change_another_agencys_account() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let accounts: Value = app
        .request(Method::GET, "/accounts?pageSize=100", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_of = |login: &str| {
        accounts["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == login || a["clientId"] == login)
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let zone_reporter = app.token("demo-reporter-zone").await;
    // Its own account: yes. The federal police's: it does not exist, as far as it can tell.
    let own = app
        .request(
            Method::GET,
            &format!("/accounts/{}", id_of("demo-reporter-zone")),
            &zone_reporter,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 200);
    let other = id_of("demo-federale-politie");
    let response = app
        .request(Method::GET, &format!("/accounts/{other}"), &zone_reporter)
        .send()
        .await
        .unwrap();
    assert_problem(response, 404, "resourceNotFound").await;
    let response = app
        .request(Method::PATCH, &format!("/accounts/{other}"), &zone_reporter)
        .header("If-Match", "\"1\"")
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "missingScope").await;
    let response = app
        .request(
            Method::POST,
            &format!("/accounts/{other}/secret"),
            &zone_reporter,
        )
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "missingScope").await;
    // Still enabled, secret unchanged.
    app.token("demo-federale-politie").await;
    app.stop().await;
}

#[actix_web::test]
async fn repeated_failed_log_ins_are_throttled() {
    // The default threshold, with a wait long enough that the next request surely falls in it.
    let policy = LoginPolicy {
        pair: BackOff {
            first_wait: TimeDelta::seconds(30),
            ..kiv_domain::throttle::PAIR
        },
        ..LoginPolicy::default()
    };
    let app = TestApp::spawn_with_state(|state| state.with_login_policy(policy)).await;
    let attempt = |password: &'static str| {
        app.client
            .post(app.url("/auth/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", "demo-coordinator"),
                ("password", password),
            ])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("guess").await.unwrap().status().as_u16(), 400);
    }
    // From this address the account must wait now, even with the right password.
    for password in ["guess", "demo"] {
        let response = attempt(password).await.unwrap();
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&retry_after), "{retry_after}");
        assert_problem(response, 429, "tooManyFailedRequests").await;
    }
    // Other accounts are not affected.
    app.token("demo-coordinator-bz").await;
    app.stop().await;
}

#[actix_web::test]
async fn every_protected_route_refuses_anonymous_calls() {
    let app = TestApp::spawn().await;
    let document = kiv_http::openapi();
    let mut checked = 0;
    for (path, item) in &document.paths.paths {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let operations = [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let url = format!("{}{concrete}", app.origin);
            let response = app
                .client
                .request(method.clone(), &url)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            // Public operations state an empty `security`; a report, which a signed link opens
            // too, lists the token and the empty alternative: without either it is refused.
            let public = operation.security.as_ref().is_none_or(Vec::is_empty);
            if !public {
                assert!(
                    operation.responses.responses.contains_key("401"),
                    "{method} {path}"
                );
                assert_problem(response, 401, "noAccessToken").await;
                checked += 1;
            } else {
                assert_ne!(response.status().as_u16(), 401, "{method} {path} is public");
            }
        }
    }
    assert!(checked >= 15, "only {checked} protected operations");
    app.stop().await;
}

#[actix_web::test]
async fn one_address_guessing_across_accounts_is_throttled() {
    let policy = LoginPolicy {
        address: BackOff {
            first_wait: TimeDelta::seconds(60),
            ..kiv_domain::throttle::ADDRESS
        },
        ..LoginPolicy::default()
    };
    let app = TestApp::spawn_with_state(|state| state.with_login_policy(policy)).await;
    let limit = kiv_domain::throttle::ADDRESS.threshold;
    // Spread over accounts so that no single account reaches its own limit (and not the
    // evaluator, which the test app logged in from this address: failures on it count only
    // against the account at this address).
    let logins = [
        "demo-admin",
        "demo-coordinator",
        "demo-coordinator-bz",
        "demo-reporter",
        "demo-reporter-zone",
        "nobody-at-all",
        "nobody",
        "nobody-else",
    ];
    for attempt in 0..limit {
        let login = logins[usize::try_from(attempt).unwrap() % logins.len()];
        let response = app
            .client
            .post(app.url("/auth/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", login),
                ("password", "guess"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "attempt {attempt}");
    }
    // The address waits now, for every account it has not logged in to, the right secret too.
    let response = app
        .client
        .post(app.url("/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-federale-politie"),
            ("client_secret", "demo"),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 429, "tooManyFailedRequests").await;
    app.stop().await;
}
