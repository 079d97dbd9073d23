//! Every failure is a problem+json answer, and none gives away the server's insides.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, TestApp};
use diesel::connection::SimpleConnection;
use serde_json::json;

#[actix_web::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let app = TestApp::spawn().await;
    for path in [
        "/kiv/v1/nothing",
        "/kiv/v2/clusters",
        "/",
        "/kiv/v1/clusters/6/actions",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.origin))
            .bearer_auth(&app.reader)
            .send()
            .await
            .unwrap();
        assert_problem(response, 404, "resourceNotFound").await;
    }
    let response = app
        .client
        .delete(app.url("/clusters/6"))
        .bearer_auth(&app.reader)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let body = assert_problem(response, 405, "kiv:methodNotAllowed").await;
    assert!(body["detail"].as_str().unwrap().contains("DELETE"));
    let response = app
        .client
        .delete(app.url("/plans"))
        .bearer_auth(&app.reader)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, POST, HEAD");
    assert_problem(response, 405, "kiv:methodNotAllowed").await;
    app.stop().await;
}

#[actix_web::test]
async fn malformed_parameters_are_400_with_an_issue_each() {
    let app = TestApp::spawn().await;
    let body = assert_problem(
        app.get("/clusters?pageSize=500&page=0&sort=title").await,
        400,
        "badRequest",
    )
    .await;
    let issues = body["issues"].as_array().unwrap();
    let named: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["in"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [("page", "query"), ("pageSize", "query"), ("sort", "query")]
    );
    assert_eq!(issues[1]["value"], 500);
    // Only collections that can be sorted take `sort`; elsewhere it is an unknown parameter.
    let body = assert_problem(app.get("/followUps?sort=period").await, 400, "badRequest").await;
    assert_eq!(body["issues"][0]["name"], "sort");
    assert_eq!(
        issues[1]["type"],
        "urn:problem-type:belgif:input-validation:invalidInput"
    );

    let body = assert_problem(
        app.get("/organisations?kind=ministry").await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "kind");
    assert_eq!(body["issues"][0]["value"], "ministry");
    assert!(body["issues"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("federalService"));

    let body = assert_problem(
        app.get("/plans?activeOn=31-12-2017").await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "activeOn");

    // A mistyped filter is refused rather than ignored.
    let body = assert_problem(
        app.get("/clusters?planid=kiv-2016-2019").await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "planid");
    assert!(body["issues"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("planId"));
    app.stop().await;
}

/// Words that would betray SQL, the schema, file paths or a panic in an answer.
const INSIDES: [&str; 12] = [
    "SELECT",
    "select",
    "FROM",
    "no such table",
    "relation",
    "clusters\"",
    "diesel",
    "panicked",
    "ministry",
    ".rs",
    "/tmp",
    "kiv_test_",
];

/// No text may hold NUL (U+0000): PostgreSQL can neither store nor compare it, and a search for
/// it answered 500 there. It is refused with 400 naming the value, in a query, a JSON body and a
/// CSV file alike, on every backend.
#[actix_web::test]
async fn text_with_nul_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let body = assert_problem(app.get("/actions?q=a%00b").await, 400, "badRequest").await;
    assert_eq!(body["issues"][0]["name"], "q");
    assert_eq!(body["issues"][0]["in"], "query");

    let fod = app.token("demo-coordinator").await;
    let response = app
        .request(reqwest::Method::POST, "/objectives", &fod)
        .header("Content-Type", "application/json")
        .body(r#"{"planId": "kiv-2016-2019", "level": "strategic", "code": "9.9", "title": {"nl": "a\u0000b"}}"#)
        .send()
        .await
        .unwrap();
    let body = assert_problem(response, 400, "badRequest").await;
    assert_eq!(body["issues"][0]["name"], "title.nl");
    assert_eq!(body["issues"][0]["in"], "body");
    // An escaped backslash before `u0000` is text, not NUL.
    let response = app
        .request(reqwest::Method::POST, "/objectives", &fod)
        .header("Content-Type", "application/json")
        .body(r#"{"planId": "kiv-2016-2019", "level": "strategic", "code": "9.9", "title": {"nl": "a\\u0000b"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);

    let response = app
        .request(reqwest::Method::POST, "/imports/followUps", &fod)
        .header("Content-Type", "text/csv")
        .body("actionId,period,status\nx\u{0},2017S1,onTrack\n")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "badRequest").await;
    app.stop().await;
}

#[actix_web::test]
async fn database_failures_are_opaque_500s() {
    let app = TestApp::spawn().await;
    let mut conn = app.db.connect();
    conn.batch_execute("UPDATE organisations SET kind = 'ministry' WHERE id = 'fod-justitie'")
        .unwrap();
    conn.batch_execute("DROP TABLE plan_clusters").unwrap();

    for path in [
        "/organisations/fod-justitie",
        "/organisations",
        "/plans",
        "/clusters?planId=kiv-2016-2019",
    ] {
        let response = app.get(path).await;
        let text = response.text().await.unwrap();
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["status"], 500, "{path}: {text}");
        assert_eq!(body["type"], "urn:problem-type:belgif:internalServerError");
        for word in INSIDES {
            assert!(!text.contains(word), "{path} leaks {word:?}: {text}");
        }
    }
    // The rest keeps working.
    app.get_json("/clusters/6", 200).await;
    app.stop().await;
}

#[actix_web::test]
async fn health_is_up_then_down_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get_json("/health", 200).await, json!({"status": "UP"}));

    app.db.destroy();
    let started = std::time::Instant::now();
    let response = app.get("/health").await;
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({"status": "DOWN"})
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    app.stop().await;
}

/// Roles are checked before bodies are read: an evaluator (who writes nothing) sending an empty
/// or malformed body to the agency sync is told it may not (403), not what its body lacks (400).
#[actix_web::test]
async fn the_role_is_checked_before_the_body() {
    let app = TestApp::spawn().await;
    for body in ["{}", "not json"] {
        let response = app
            .client
            .put(app.url("/actions/byExternalId/federale-politie/EXT-1"))
            .bearer_auth(&app.reader)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_problem(response, 403, "missingScope").await;
    }
    app.stop().await;
}

/// NUL never reaches the database (on PostgreSQL it answered 500): path ids and every field of
/// the token endpoint (username, client_id, even the ignored scope) are refused with 400 on every
/// backend.
#[actix_web::test]
async fn nul_in_path_ids_and_log_in_names_is_a_400() {
    let app = TestApp::spawn().await;
    for path in [
        "/actions/a%00b",
        "/objectives/%00",
        "/followUps/x%00y/history",
        "/clusters/3%00",
    ] {
        let body = assert_problem(app.get(path).await, 400, "badRequest").await;
        assert_eq!(body["issues"][0]["in"], "path", "{path}: {body}");
        assert!(
            body["issues"][0]["name"].as_str().unwrap().ends_with("Id"),
            "{path}: {body}"
        );
    }
    for form in [
        vec![
            ("grant_type", "password"),
            ("username", "demo-coordinator\u{0}"),
            ("password", "demo"),
        ],
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "a\u{0}b"),
            ("client_secret", "demo"),
        ],
        // Right credentials, but a field kiv ignores holds NUL: still malformed.
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "demo-federale-politie"),
            ("client_secret", "demo"),
            ("scope", "x\u{0}"),
        ],
    ] {
        let response = app
            .client
            .post(app.url("/auth/token"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request");
    }
    app.stop().await;
}

/// A localized text is an object of languages: an array in its place (which serde would read as
/// the struct's fields in order) is refused naming it, and so is a language kiv does not have;
/// an If-Match shaped like a version but beyond any version fails the precondition.
#[actix_web::test]
async fn texts_are_objects_and_versions_numbers_kiv_gave_out() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let fod = common::Session::new(&app, "demo-coordinator").await;
    for (title, detail) in [
        (json!(["Drugs", null]), "map"),
        (json!({"nl": "Drugs", "es": "Drogas"}), "`es`"),
    ] {
        let body = assert_problem(
            fod.send(Method::POST, "/objectives", Some(json!({"planId": "kiv-2016-2019", "code": "9.1", "clusterId": "3", "level": "strategic", "title": title})), None)
                .await,
            400,
            "badRequest",
        )
        .await;
        assert!(
            body["issues"][0]["name"]
                .as_str()
                .unwrap()
                .starts_with("title"),
            "{body}"
        );
        assert!(
            body["issues"][0]["detail"]
                .as_str()
                .unwrap()
                .contains(detail),
            "{body}"
        );
    }
    let objective = app.objective().create(&fod).await;
    let path = format!("/objectives/{}", objective["id"].as_str().unwrap());
    assert_problem(
        fod.send(
            Method::DELETE,
            &path,
            None,
            Some("130889285320132-84db64f2810d3db2"),
        )
        .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    app.stop().await;
}
