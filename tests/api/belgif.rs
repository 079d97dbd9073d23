//! The belgif REST guide's runtime rules, each shown end to end: trace ids (`trc-header`), the
//! challenge of a missing scope, unknown input refused everywhere, problem types, every refused
//! value reported at once, optimistic locking without a wildcard, content negotiation and HEAD.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use kiv_http::limits::Limits;
use reqwest::Method;
use serde_json::json;

fn pool() -> kiv_store::PoolOptions {
    kiv_store::PoolOptions {
        max_size: 4,
        acquire_timeout: std::time::Duration::from_secs(2),
    }
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && text.chars().filter(|c| *c == '-').count() == 4
}

#[actix_web::test]
async fn every_answer_has_its_own_trace_id_and_relates_the_callers() {
    let app = TestApp::spawn().await;
    let send = |path: &str, trace: Option<&str>| {
        let mut request = app.client.get(app.url(path)).bearer_auth(&app.reader);
        if let Some(trace) = trace {
            request = request.header("BelGov-Trace-Id", trace);
        }
        request.send()
    };
    // Without a trace id of the caller's: kiv's own, and no related one.
    let response = send("/clusters/6", None).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let own = header(&response, "belgov-trace-id").unwrap();
    assert!(uuid_like(&own), "{own}");
    assert_eq!(header(&response, "belgov-related-trace-id"), None);

    // With one: kiv still makes its own, and returns the caller's as the related id.
    let response = send("/clusters/6", Some("agency-42.req:7")).await.unwrap();
    let own = header(&response, "belgov-trace-id").unwrap();
    assert!(uuid_like(&own), "{own}");
    assert_eq!(
        header(&response, "belgov-related-trace-id").as_deref(),
        Some("agency-42.req:7")
    );

    // Two requests with the same caller's id get two ids of kiv's.
    let again = send("/clusters/6", Some("agency-42.req:7")).await.unwrap();
    assert_ne!(header(&again, "belgov-trace-id").unwrap(), own);

    // A problem repeats kiv's own id; a malformed caller's id is not echoed.
    let response = send("/clusters/99", Some("two words")).await.unwrap();
    let own = header(&response, "belgov-trace-id").unwrap();
    assert_eq!(header(&response, "belgov-related-trace-id"), None);
    let problem = assert_problem(response, 404, "resourceNotFound").await;
    assert_eq!(problem["traceId"], own);

    // Answers the framework gives (no route, no token) carry both too.
    for path in ["/nowhere", "/clusters"] {
        let response = app
            .client
            .get(app.url(path))
            .header("BelGov-Trace-Id", "probe-1")
            .send()
            .await
            .unwrap();
        assert!(uuid_like(&header(&response, "belgov-trace-id").unwrap()));
        assert_eq!(
            header(&response, "belgov-related-trace-id").as_deref(),
            Some("probe-1")
        );
    }

    // The document declares both headers.
    let document = app.get_json("/doc/openapi.json", 200).await;
    let headers =
        &document["paths"]["/kiv/v1/clusters/{clusterId}"]["get"]["responses"]["200"]["headers"];
    assert!(headers.get("BelGov-Trace-Id").is_some(), "{headers}");
    assert!(
        headers.get("BelGov-Related-Trace-Id").is_some(),
        "{headers}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_missing_scope_challenges_with_the_scopes_that_would_be_admitted() {
    let app = TestApp::spawn().await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let cases = [
        (
            &reporter,
            "/reports/links",
            json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019"}}),
            "coordinator evaluator admin",
        ),
        (
            &evaluator,
            "/followUps",
            json!({"actionId": "x", "period": "2017S1", "status": "onTrack"}),
            "reporter coordinator",
        ),
    ];
    for (session, path, body, scopes) in cases {
        let response = session.send(Method::POST, path, Some(body), None).await;
        assert_eq!(
            header(&response, "www-authenticate").as_deref(),
            Some(format!(r#"Bearer error="insufficient_scope", scope="{scopes}""#).as_str()),
            "{path}"
        );
        assert_problem(response, 403, "missingScope").await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_payload_too_large_states_its_limit_as_a_member() {
    let limits = Limits {
        body_limit: 4096,
        ..Limits::default()
    };
    let app = TestApp::spawn_limited(pool(), limits).await;
    let coordinator = app.token("demo-coordinator").await;
    let body = format!("{{\"narrative\": {{\"nl\": \"{}\"}}}}", "x".repeat(5000));
    for path in ["/followUps", "/followUps/batch"] {
        let response = app
            .request(Method::POST, path, &coordinator)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 413, "payloadTooLarge").await;
        assert_eq!(problem["limit"], 4096, "{path}: {problem}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn unknown_query_parameters_are_refused_on_every_operation() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let action = app.action().create(&fod).await;
    let action_path = format!("/actions/{}", action["id"].as_str().unwrap());
    let cases = [
        (Method::GET, "/clusters/1?colour=x".to_owned(), "colour"),
        (
            Method::GET,
            "/clusters?colour=x&page=1".to_owned(),
            "colour",
        ),
        (Method::GET, format!("{action_path}?expand=all"), "expand"),
        (
            Method::GET,
            "/followUps/missing?period=2017S1&x=1".to_owned(),
            "x",
        ),
        (
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&colour=x".to_owned(),
            "colour",
        ),
        (Method::POST, "/followUps?dryRun=true".to_owned(), "dryRun"),
        (Method::DELETE, format!("{action_path}?force=true"), "force"),
    ];
    for (method, path, name) in cases {
        let response = fod
            .send(method.clone(), &path, Some(json!({})), Some("\"1\""))
            .await;
        let problem = assert_problem(response, 400, "badRequest").await;
        let issues = problem["issues"].as_array().unwrap();
        assert_eq!(issues.len(), 1, "{method} {path}: {problem}");
        assert_eq!(
            issues[0]["type"], "urn:problem-type:belgif:input-validation:unknownInput",
            "{method} {path}"
        );
        assert_eq!(issues[0]["in"], "query");
        assert_eq!(issues[0]["name"], name);
    }
    // Two unknown parameters: an issue each.
    let problem = assert_problem(app.get("/clusters/1?a=1&b=2&a=3").await, 400, "badRequest").await;
    let names: Vec<&str> = problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    // The declared ones still work, and nothing changed.
    assert_eq!(app.get("/clusters/1").await.status().as_u16(), 200);
    assert_eq!(
        app.get("/clusters?planId=kiv-2016-2019&page=1")
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        fod.send(Method::GET, &action_path, None, None)
            .await
            .status()
            .as_u16(),
        200
    );
    app.stop().await;
}

#[actix_web::test]
async fn unknown_body_properties_are_unknown_input_issues() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let action = app.action().create(&fod).await;
    let response = fod
        .send(
            Method::POST,
            "/followUps",
            Some(json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "colour": "red"})),
            None,
        )
        .await;
    let problem = assert_problem(response, 400, "badRequest").await;
    let issue = &problem["issues"][0];
    assert_eq!(
        issue["type"], "urn:problem-type:belgif:input-validation:unknownInput",
        "{problem}"
    );
    assert_eq!(issue["in"], "body");
    assert_eq!(issue["name"], "colour");
    assert_eq!(issue["value"], "red");
    app.stop().await;
}

/// The problem types the belgif REST guide defines: kiv uses the `belgif` namespace for these
/// only.
const BELGIF_TYPES: &[&str] = &[
    "badRequest",
    "noAccessToken",
    "invalidAccessToken",
    "expiredAccessToken",
    "missingScope",
    "missingPermission",
    "resourceNotFound",
    "payloadTooLarge",
    "tooManyRequests",
    "tooManyFailedRequests",
    "internalServerError",
    "badGateway",
    "serviceUnavailable",
];

#[actix_web::test]
async fn only_belgif_defined_problem_types_are_in_the_belgif_namespace() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    // kiv's own types: 405, 415, 406, with their pages where they were.
    let response = fod.send(Method::DELETE, "/clusters/6", None, None).await;
    let problem = assert_problem(response, 405, "kiv:methodNotAllowed").await;
    let page = app
        .client
        .get(problem["href"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("urn:problem-type:kiv:methodNotAllowed"));
    let response = app
        .request(Method::POST, "/followUps", &fod.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415, "kiv:unsupportedMediaType").await;

    // Every type the service documents under belgif is one belgif defines.
    let index = app.get("/doc/problems").await.text().await.unwrap();
    let belgif: Vec<&str> = index
        .split("urn:problem-type:belgif:")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap())
        .collect();
    assert!(belgif.contains(&"badRequest"), "{index}");
    for name in &belgif {
        assert!(
            BELGIF_TYPES.contains(name),
            "belgif:{name} is not a belgif type"
        );
    }
    for name in ["methodNotAllowed", "notAcceptable", "unsupportedMediaType"] {
        assert!(
            index.contains(&format!("urn:problem-type:kiv:{name}")),
            "{name}"
        );
        let page = app.get(&format!("/doc/problems/{name}")).await;
        assert_eq!(page.status().as_u16(), 200, "{name}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_body_that_does_not_parse_names_no_field() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    for body in [
        r#"{"period": "2017S1", "status": "#,
        r#"{"period": "2017S1", "status": onTrack}"#,
        r#"{"period": "2017S1"} trailing"#,
    ] {
        let response = app
            .request(Method::POST, "/followUps", &fod.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 400, "badRequest").await;
        let issues = problem["issues"].as_array().unwrap();
        assert_eq!(issues.len(), 1, "{body}: {problem}");
        assert_eq!(issues[0]["name"], "", "{body}: {problem}");
        assert_eq!(issues[0]["in"], "body");
        assert_eq!(
            issues[0]["type"],
            "urn:problem-type:belgif:input-validation:schemaViolation"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn if_match_star_does_not_bypass_optimistic_locking() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let action = app.action().create(&fod).await;
    let draft = reporter
        .ok(
            Method::POST,
            "/followUps",
            Some(json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack", "progress": 40})),
            None,
        )
        .await;
    let path = format!("/followUps/{}", draft["id"].as_str().unwrap());
    let action_path = format!("/actions/{}", action["id"].as_str().unwrap());
    let cases = [
        (
            &reporter,
            Method::PATCH,
            path.clone(),
            Some(json!({"progress": 50})),
        ),
        (&reporter, Method::POST, format!("{path}/submit"), None),
        (
            &fod,
            Method::PATCH,
            action_path.clone(),
            Some(json!({"weight": 2})),
        ),
        (&fod, Method::DELETE, action_path.clone(), None),
    ];
    for (session, method, target, body) in cases {
        let response = session.send(method.clone(), &target, body, Some("*")).await;
        let problem = assert_problem(response, 428, "kiv:preconditionRequired").await;
        assert!(
            problem["detail"].as_str().unwrap().contains("not *"),
            "{method} {target}: {problem}"
        );
    }
    // A version as the body shows it works as the tag does; one beyond any version kiv gives
    // out matches nothing (412), and a text of another shape is no version (400).
    for (version, status) in [("99999999999", 412), ("2", 412), ("1-xyz", 400), ("x", 400)] {
        let response = reporter
            .send(
                Method::PATCH,
                &path,
                Some(json!({"progress": 60})),
                Some(version),
            )
            .await;
        assert_eq!(response.status().as_u16(), status, "If-Match: {version}");
    }
    // Nothing changed: the draft is still a draft at its first version.
    let unchanged = reporter.ok(Method::GET, &path, None, None).await;
    assert_eq!(unchanged["state"], "draft");
    assert_eq!(unchanged["progress"], 40.0);
    assert_eq!(reporter.etag(&path).await, "\"1\"");
    app.stop().await;
}

/// The `(type, name)` of each issue of a 400, the type without its belgif prefix.
async fn issues_of(response: reqwest::Response) -> Vec<(String, String)> {
    let problem = assert_problem(response, 400, "badRequest").await;
    problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| {
            let kind = issue["type"].as_str().unwrap();
            let kind = kind.rsplit(':').next().unwrap().to_owned();
            (kind, issue["name"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn has(issues: &[(String, String)], kind: &str, name: &str) -> bool {
    issues.iter().any(|(k, n)| k == kind && n == name)
}

#[actix_web::test]
async fn every_refused_value_of_a_body_is_an_issue_of_one_answer() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objectives = "/objectives?planId=kiv-2016-2019";
    let before = app.get_json(objectives, 200).await["total"].clone();

    // A bad code, a bad level and an unknown property: three issues, not the first alone.
    let response = fod
        .send(
            Method::POST,
            "/objectives",
            Some(json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "bad code!", "level": "nope", "title": {"nl": "x"}, "colour": 1})),
            None,
        )
        .await;
    let issues = issues_of(response).await;
    assert!(has(&issues, "schemaViolation", "code"), "{issues:?}");
    assert!(has(&issues, "schemaViolation", "level"), "{issues:?}");
    assert!(has(&issues, "unknownInput", "colour"), "{issues:?}");
    assert_eq!(issues.len(), 3, "{issues:?}");

    // Every required property that is missing, each named.
    let response = fod
        .send(Method::POST, "/objectives", Some(json!({"level": 7})), None)
        .await;
    let issues = issues_of(response).await;
    for name in ["planId", "code", "title", "level"] {
        assert!(has(&issues, "schemaViolation", name), "{name}: {issues:?}");
    }
    assert_eq!(
        app.get_json(objectives, 200).await["total"],
        before,
        "nothing was created"
    );

    // Nested values are named as the request names them.
    let objective = app.objective().create(&fod).await;
    let response = fod
        .send(
            Method::POST,
            "/actions",
            Some(json!({
                "objectiveId": objective["id"], "code": "1", "title": {"nl": "Actie", "xx": "?"},
                "leadOrganisationId": "fod-justitie", "plannedStart": "2016-13-01",
                "plannedEnd": "2017-12-31", "weight": "heavy",
            })),
            None,
        )
        .await;
    let issues = issues_of(response).await;
    assert!(has(&issues, "unknownInput", "title.xx"), "{issues:?}");
    assert!(
        has(&issues, "schemaViolation", "plannedStart"),
        "{issues:?}"
    );
    assert!(has(&issues, "schemaViolation", "weight"), "{issues:?}");

    // A merge patch too: two bad values, two issues, nothing changed.
    let path = format!("/objectives/{}", objective["id"].as_str().unwrap());
    let tag = fod.etag(&path).await;
    let response = app
        .request(Method::PATCH, &path, &fod.token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", &tag)
        .body(json!({"level": "nope", "code": "bad code!", "themeIds": "drugs"}).to_string())
        .send()
        .await
        .unwrap();
    let issues = issues_of(response).await;
    for name in ["level", "code", "themeIds"] {
        assert!(has(&issues, "schemaViolation", name), "{name}: {issues:?}");
    }
    assert_eq!(fod.etag(&path).await, tag, "nothing changed");
    app.stop().await;
}
