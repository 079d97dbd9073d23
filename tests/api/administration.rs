//! Administration of accounts and organisations: validation, concurrency, secrets shown once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn token_for_client(app: &TestApp, client_id: &str, secret: &str) -> reqwest::Response {
    app.client
        .post(app.url("/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_client_secret_is_shown_once_and_works() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let response = app
        .request(Method::POST, "/accounts", &admin)
        .json(&json!({"kind": "client", "clientId": "pz-demo-rms", "organisationId": "pz-demo", "roles": ["reporter"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    let secret = created["clientSecret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 40);
    assert_eq!(created["clientId"], "pz-demo-rms");
    assert_eq!(location, created["href"]);
    assert!(created.get("password").is_none());

    // Never again: not in the account, not in the list.
    let read = app
        .client
        .get(&location)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let listed = app
        .request(Method::GET, "/accounts?pageSize=100", &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [&read, &listed] {
        assert!(!text.contains(&secret));
        assert!(!text.contains("argon2"));
        assert!(!text.to_lowercase().contains("secret"));
    }
    let token: Value = token_for_client(&app, "pz-demo-rms", &secret)
        .await
        .json()
        .await
        .unwrap();
    let me: Value = app
        .request(Method::GET, "/me", token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["organisation"]["id"], "pz-demo");

    // Rotation: the new secret works, the old one no longer does.
    let etag = app
        .client
        .get(&location)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .clone();
    let rotated: Value = app
        .client
        .post(format!("{location}/secret"))
        .bearer_auth(&admin)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_secret = rotated["clientSecret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(
        token_for_client(&app, "pz-demo-rms", &secret)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        token_for_client(&app, "pz-demo-rms", new_secret)
            .await
            .status()
            .as_u16(),
        200
    );

    // The trail records the creation and the rotation, never a secret or its hash.
    let trail = app
        .request(
            Method::GET,
            &format!(
                "/auditEvents?entityType=account&entityId={}",
                created["id"].as_str().unwrap()
            ),
            &admin,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events: Value = serde_json::from_str(&trail).unwrap();
    let operations: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["create", "update"]);
    assert_eq!(events["items"][0]["account"], "demo-admin");
    for secret in [secret.as_str(), new_secret] {
        assert!(!trail.contains(secret));
    }
    assert!(!trail.contains("argon2"));
    // The kinds of record are a closed set: a mistyped one is refused, not an empty trail.
    let mistyped = app
        .request(Method::GET, "/auditEvents?entityType=acount", &admin)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(mistyped, 400, "badRequest").await;
    assert_eq!(problem["issues"][0]["name"], "entityType");
    app.stop().await;
}

#[actix_web::test]
async fn bad_accounts_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let post = |body: Value| {
        app.request(Method::POST, "/accounts", &admin)
            .json(&body)
            .send()
    };
    let count = || async {
        app.request(Method::GET, "/accounts", &admin)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["total"]
            .clone()
    };
    let before = count().await;

    let body = assert_problem(post(json!({"kind": "person", "username": "jan", "organisationId": "fod-justitie", "roles": ["reporter"], "password": "short"})).await.unwrap(), 400, "badRequest").await;
    assert_eq!(body["issues"][0]["name"], "password");
    assert!(
        body["issues"][0].get("value").is_none(),
        "a password is echoed"
    );

    let body = assert_problem(post(json!({"kind": "person", "clientId": "x-y-z", "organisationId": "fod-justitie", "roles": []})).await.unwrap(), 400, "badRequest").await;
    let names: Vec<&str> = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clientId", "username", "roles"]);

    let body = assert_problem(post(json!({"kind": "person", "username": "Jan Peeters", "organisationId": "fod-justitie", "roles": ["reporter"]})).await.unwrap(), 400, "badRequest").await;
    assert_eq!(
        (
            body["issues"][0]["name"].clone(),
            body["issues"][0]["value"].clone()
        ),
        (json!("username"), json!("Jan Peeters"))
    );

    let body = assert_problem(post(json!({"kind": "client", "clientId": "pz-x", "organisationId": "pz-nowhere", "roles": ["reporter"]})).await.unwrap(), 400, "badRequest").await;
    assert_eq!(
        body["issues"][0]["type"],
        "urn:problem-type:belgif:input-validation:referencedResourceNotFound"
    );
    assert_eq!(body["issues"][0]["name"], "organisationId");

    let body = assert_problem(post(json!({"kind": "client", "clientId": "pz-x", "organisationId": "pz-demo", "roles": ["superuser"]})).await.unwrap(), 400, "badRequest").await;
    assert_eq!(body["issues"][0]["name"], "roles[0]");
    assert_eq!(body["issues"][0]["value"], "superuser");

    let body = assert_problem(post(json!({"kind": "client", "clientId": "pz-x", "organisationId": "pz-demo", "roles": ["reporter"], "isAdmin": true})).await.unwrap(), 400, "badRequest").await;
    assert_eq!(body["issues"][0]["name"], "isAdmin");

    let body = assert_problem(post(json!({"kind": "client", "clientId": "demo-federale-politie", "organisationId": "pz-demo", "roles": ["reporter"]})).await.unwrap(), 409, "kiv:conflict").await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("demo-federale-politie"));

    let malformed = app
        .request(Method::POST, "/accounts", &admin)
        .header("Content-Type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .unwrap();
    let body = assert_problem(malformed, 400, "badRequest").await;
    assert!(!body["issues"].as_array().unwrap().is_empty());
    let not_json = app
        .request(Method::POST, "/accounts", &admin)
        .header("Content-Type", "text/plain")
        .body("kind=client")
        .send()
        .await
        .unwrap();
    assert_problem(not_json, 415, "kiv:unsupportedMediaType").await;

    assert_eq!(
        count().await,
        before,
        "a refused request created an account"
    );
    app.stop().await;
}

#[actix_web::test]
async fn account_changes_need_the_current_etag() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let created: Value = app
        .request(Method::POST, "/accounts", &admin)
        .json(&json!({"kind": "person", "username": "an.peeters", "organisationId": "fod-justitie", "roles": ["evaluator"]}))
        .send().await.unwrap().json().await.unwrap();
    let password = created["password"].as_str().unwrap().to_owned();
    let path = format!("/accounts/{}", created["id"].as_str().unwrap());
    let patch = |etag: Option<&str>, body: Value| {
        let mut request = app
            .request(Method::PATCH, &path, &admin)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(etag) = etag {
            request = request.header("If-Match", etag);
        }
        request.send()
    };
    assert_problem(
        patch(None, json!({"disabled": true})).await.unwrap(),
        428,
        "kiv:preconditionRequired",
    )
    .await;
    assert_problem(
        patch(Some("\"7\""), json!({"disabled": true}))
            .await
            .unwrap(),
        412,
        "kiv:preconditionFailed",
    )
    .await;
    let log_in = || {
        app.client
            .post(app.url("/auth/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", "an.peeters"),
                ("password", password.as_str()),
            ])
            .send()
    };
    assert_eq!(
        log_in().await.unwrap().status().as_u16(),
        200,
        "the refused changes disabled the account"
    );

    let response = patch(
        Some("\"1\""),
        json!({"disabled": true, "roles": ["evaluator", "coordinator"]}),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let changed: Value = response.json().await.unwrap();
    assert_eq!(
        (changed["disabled"].clone(), changed["roles"].clone()),
        (json!(true), json!(["evaluator", "coordinator"]))
    );
    assert_eq!(
        log_in().await.unwrap().status().as_u16(),
        400,
        "a disabled account obtained a token"
    );
    // The old tag is stale now.
    assert_problem(
        patch(Some("\"1\""), json!({"disabled": false}))
            .await
            .unwrap(),
        412,
        "kiv:preconditionFailed",
    )
    .await;

    // An administrator cannot lock themselves out.
    let me: Value = app
        .request(Method::GET, "/me", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own = format!("/accounts/{}", me["account"]["id"].as_str().unwrap());
    let own_tag = app
        .request(Method::GET, &own, &admin)
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let response = app
        .request(Method::PATCH, &own, &admin)
        .header("If-Match", own_tag)
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 409, "kiv:conflict").await;
    app.stop().await;
}

#[actix_web::test]
async fn organisations_are_created_and_patched() {
    let app = TestApp::spawn().await;
    let admin = app.token("demo-admin").await;
    let response = app
        .request(Method::POST, "/organisations", &admin)
        .json(&json!({"name": {"nl": "Politiezone Gent", "fr": "Zone de police Gand"}, "kind": "localPolice", "parentId": "lokale-politie"}))
        .send().await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let zone: Value = response.json().await.unwrap();
    assert_eq!(zone["parentId"], "lokale-politie");
    assert_eq!(zone["coordinator"], false);
    let id = zone["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "not a UUID: {id}");
    let read = app
        .client
        .get(&location)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(read.headers()["etag"], "\"1\"");

    let path = format!("/organisations/{id}");
    let patch = |etag: &'static str, body: Value| {
        let mut request = app.request(Method::PATCH, &path, &admin).json(&body);
        if !etag.is_empty() {
            request = request.header("If-Match", etag);
        }
        request.send()
    };
    assert_problem(
        patch("", json!({"name": {"nl": "PZ Gent"}})).await.unwrap(),
        428,
        "kiv:preconditionRequired",
    )
    .await;
    assert_problem(
        patch("\"2\"", json!({"name": {"nl": "PZ Gent"}}))
            .await
            .unwrap(),
        412,
        "kiv:preconditionFailed",
    )
    .await;
    let body = assert_problem(
        patch("\"1\"", json!({"name": null, "kind": "bank"}))
            .await
            .unwrap(),
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "kind");
    let body = assert_problem(
        patch("\"1\"", json!({"name": null})).await.unwrap(),
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "name");
    let body = assert_problem(
        patch("\"1\"", json!({"parentId": "pz-nowhere"}))
            .await
            .unwrap(),
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "parentId");
    // The local police cannot become part of one of its own zones.
    let lokale = app
        .client
        .get(app.url("/organisations/lokale-politie"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let lokale_tag = lokale.headers()["etag"].to_str().unwrap().to_owned();
    let cycle = app
        .request(Method::PATCH, "/organisations/lokale-politie", &admin)
        .header("If-Match", lokale_tag)
        .json(&json!({"parentId": id}))
        .send()
        .await
        .unwrap();
    assert_problem(cycle, 409, "kiv:conflict").await;

    let unchanged: Value = app
        .client
        .get(&location)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged, zone, "a refused patch changed the organisation");

    let response = patch(
        "\"1\"",
        json!({"name": {"nl": "Politiezone Gent", "en": "Ghent police zone"}, "parentId": null}),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let patched: Value = response.json().await.unwrap();
    // The name is merged: the French name given at creation stays.
    assert_eq!(
        patched["name"],
        json!({"nl": "Politiezone Gent", "fr": "Zone de police Gand", "en": "Ghent police zone"})
    );
    assert!(patched.get("parentId").is_none());
    assert_eq!(patched["kind"], "localPolice");
    app.stop().await;
}
