//! HTTP's own rules on every resource (RFC 9110, belgif): HEAD wherever GET works, 406 when
//! `Accept` cannot be met, `Vary: Accept`, and conditional reads (`If-None-Match`, 304) on every
//! cacheable GET, as the document declares them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// `method` on `path` as `demo-evaluator`, with `headers`.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.request(method, path, &app.reader);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// One read of each kind: collections, single resources, the caller, a report and its download,
/// the documentation, the public keys and the health probe.
const READS: [&str; 10] = [
    "/clusters",
    "/clusters/6",
    "/plans/kiv-2016-2019",
    "/me",
    "/objectives?planId=kiv-2016-2019",
    "/reports/progress?planId=kiv-2016-2019&period=2017S2&asOf=2020-01-01T00:00:00Z",
    "/reports/progress.csv?planId=kiv-2016-2019&period=2017S2&asOf=2020-01-01T00:00:00Z",
    "/doc/openapi.json",
    "/auth/jwks.json",
    "/health",
];

#[actix_web::test]
async fn head_answers_as_get_without_the_body() {
    let app = TestApp::spawn().await;
    for path in READS {
        let get = send(&app, Method::GET, path, &[]).await;
        let head = send(&app, Method::HEAD, path, &[]).await;
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        for name in [
            "content-type",
            "etag",
            "vary",
            "cache-control",
            "content-language",
        ] {
            assert_eq!(
                header(&head, name),
                header(&get, name),
                "HEAD {path}: {name}"
            );
        }
        let length = header(&head, "content-length");
        let body = get.bytes().await.unwrap();
        assert_eq!(length, Some(body.len().to_string()), "HEAD {path}: length");
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path}: body");
    }
    // HEAD is allowed where GET is, and named when it is not.
    let refused = send(&app, Method::HEAD, "/auth/token", &[]).await;
    assert_eq!(refused.status().as_u16(), 405);
    assert_eq!(header(&refused, "allow").as_deref(), Some("POST"));
    let refused = send(&app, Method::DELETE, "/clusters", &[]).await;
    assert_eq!(header(&refused, "allow").as_deref(), Some("GET, HEAD"));
    app.stop().await;
}

#[actix_web::test]
async fn an_accept_no_answer_meets_is_406_on_every_resource() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    for path in ["/clusters/6", "/clusters", "/me", "/doc/openapi.json"] {
        let response = send(&app, Method::GET, path, &[("Accept", "text/csv")]).await;
        let body = assert_problem(response, 406, "kiv:notAcceptable").await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{path}"
        );
        for accept in [
            "application/json",
            "*/*",
            "application/*;q=0.5, text/csv",
            "application/problem+json",
        ] {
            let response = send(&app, Method::GET, path, &[("Accept", accept)]).await;
            assert_eq!(response.status().as_u16(), 200, "{path} {accept}");
        }
    }
    // A report still picks its format by Accept, and refuses what it has not.
    let report = "/reports/progress?planId=kiv-2016-2019&period=2017S2";
    let csv = send(&app, Method::GET, report, &[("Accept", "text/csv")]).await;
    assert_eq!(csv.status().as_u16(), 200);
    assert!(header(&csv, "content-type")
        .unwrap()
        .starts_with("text/csv"));
    let png = send(&app, Method::GET, report, &[("Accept", "image/png")]).await;
    assert_problem(png, 406, "kiv:notAcceptable").await;

    // A change the client could not read the answer of is refused before anything changes.
    let before = app.get_json("/objectives?planId=kiv-2016-2019", 200).await["total"].clone();
    let refused = app
        .request(Method::POST, "/objectives", &fod.token)
        .header("Accept", "text/html")
        .json(&json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "9.9", "level": "strategic", "title": {"nl": "Niet aangemaakt"}}))
        .send()
        .await
        .unwrap();
    assert_problem(refused, 406, "kiv:notAcceptable").await;
    let after = app.get_json("/objectives?planId=kiv-2016-2019", 200).await["total"].clone();
    assert_eq!(before, after, "nothing was created");
    app.stop().await;
}

#[actix_web::test]
async fn every_read_varies_by_accept() {
    let app = TestApp::spawn().await;
    for path in READS {
        let response = send(&app, Method::GET, path, &[]).await;
        let vary = header(&response, "vary").unwrap_or_default();
        assert!(
            vary.split(',').any(|token| token.trim() == "Accept"),
            "{path}: Vary {vary:?}"
        );
    }
    app.stop().await;
}

/// GETs `path` with `If-None-Match: tag`.
async fn revalidate(app: &TestApp, path: &str, tag: &str) -> reqwest::Response {
    send(app, Method::GET, path, &[("If-None-Match", tag)]).await
}

#[actix_web::test]
async fn every_cacheable_read_revalidates_with_if_none_match() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    for path in READS {
        let first = send(&app, Method::GET, path, &[]).await;
        assert_eq!(first.status().as_u16(), 200, "{path}");
        let Some(tag) = header(&first, "etag") else {
            assert_eq!(path, "/health", "{path} has no entity tag");
            continue;
        };
        let again = revalidate(&app, path, &tag).await;
        assert_eq!(again.status().as_u16(), 304, "{path}");
        assert_eq!(header(&again, "etag"), Some(tag.clone()), "{path}");
        assert!(again.bytes().await.unwrap().is_empty(), "{path}");
        // A tag of something else, or none of ours, gets the representation.
        let other = revalidate(&app, path, "\"c-0000000000000000\", W/\"x\"").await;
        assert_eq!(other.status().as_u16(), 200, "{path}");
        let garbage = revalidate(&app, path, "not a tag").await;
        assert_eq!(garbage.status().as_u16(), 200, "{path}");
    }

    // A collection's tag follows its content: a new objective changes it.
    let list = "/objectives?planId=kiv-2016-2019";
    let tag = header(&app.get(list).await, "etag").unwrap();
    fod.ok(
        Method::POST,
        "/objectives",
        Some(json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "9.8", "level": "strategic", "title": {"nl": "Nieuw", "fr": "Nouveau"}})),
        None,
    )
    .await;
    let changed = revalidate(&app, list, &tag).await;
    assert_eq!(changed.status().as_u16(), 200);
    assert_ne!(header(&changed, "etag"), Some(tag));

    // And its language: the labels differ, so does the tag.
    let french = send(&app, Method::GET, list, &[("Accept-Language", "fr")]).await;
    let dutch = send(&app, Method::GET, list, &[("Accept-Language", "nl")]).await;
    assert_ne!(header(&french, "etag"), header(&dutch, "etag"));
    app.stop().await;
}

#[actix_web::test]
async fn the_document_declares_conditional_reads_and_406() {
    let app = TestApp::spawn().await;
    let document: Value = app.get_json("/doc/openapi.json", 200).await;
    let mut reads = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                continue;
            };
            let id = operation["operationId"].as_str().unwrap();
            let answers_content = responses
                .iter()
                .any(|(status, r)| status.starts_with('2') && r.get("content").is_some());
            if answers_content {
                assert!(responses.contains_key("406"), "{method} {path}: 406");
            }
            // An answer with labels says their language; the operation reads Accept-Language.
            let labelled = responses.iter().any(|(status, r)| {
                status.starts_with('2')
                    && r.pointer("/content/application~1json/schema/$ref")
                        .and_then(Value::as_str)
                        .is_some_and(|schema| {
                            ["ObjectiveView", "ActionView", "IndicatorView"]
                                .iter()
                                .any(|view| {
                                    schema.ends_with(view)
                                        || schema.ends_with(&view.replace("View", "Collection"))
                                })
                        })
            });
            if labelled {
                let reads = operation["parameters"]
                    .as_array()
                    .is_some_and(|parameters| {
                        parameters
                            .iter()
                            .any(|p| p["name"] == "Accept-Language" && p["in"] == "header")
                    });
                assert!(reads, "{method} {path}: Accept-Language");
                assert!(
                    responses.iter().any(|(status, r)| status.starts_with('2')
                        && r["headers"].get("Content-Language").is_some()),
                    "{method} {path}: Content-Language"
                );
            }
            if method != "get" || kiv_http::conditional::NOT_CACHEABLE.contains(&id) {
                continue;
            }
            reads += 1;
            let parameters = operation["parameters"].as_array().unwrap();
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == "If-None-Match" && p["in"] == "header"),
                "{path}: If-None-Match"
            );
            assert!(responses.contains_key("304"), "{path}: 304");
            assert!(
                responses["200"]["headers"].get("ETag").is_some(),
                "{path}: ETag"
            );
        }
    }
    assert!(reads > 50, "{reads} cacheable reads");
    app.stop().await;
}

#[actix_web::test]
async fn content_in_one_language_says_which_and_unsupported_languages_fall_back() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objective = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "9.7", "level": "strategic", "title": {"nl": "Aanbod verminderen", "fr": "Réduire l'offre"}})),
            None,
        )
        .await;
    let single = format!("/objectives/{}", objective["id"].as_str().unwrap());
    for path in [single.as_str(), "/objectives?planId=kiv-2016-2019"] {
        let app = &app;
        let read = |language: Option<&'static str>| async move {
            let headers: Vec<(&str, &str)> = language
                .map(|l| ("Accept-Language", l))
                .into_iter()
                .collect();
            send(app, Method::GET, path, &headers).await
        };
        let label = |body: &Value| {
            let item = body.get("items").map_or(body, |items| &items[0]);
            item["label"].as_str().map(str::to_owned)
        };
        // Labels in the language asked for, and the answer says so.
        let french = read(Some("fr-BE, nl;q=0.5")).await;
        assert_eq!(
            header(&french, "content-language").as_deref(),
            Some("fr"),
            "{path}"
        );
        let vary = header(&french, "vary").unwrap();
        assert!(vary.contains("Accept-Language"), "{path}: {vary}");
        assert_eq!(
            label(&french.json().await.unwrap()).as_deref(),
            Some("Réduire l'offre")
        );
        // A language kiv does not have: Dutch, said as such.
        let spanish = read(Some("es")).await;
        assert_eq!(
            header(&spanish, "content-language").as_deref(),
            Some("nl"),
            "{path}"
        );
        assert_eq!(
            label(&spanish.json().await.unwrap()).as_deref(),
            Some("Aanbod verminderen")
        );
        // No language asked for: every language, no label, no Content-Language.
        let any = read(None).await;
        assert_eq!(header(&any, "content-language"), None, "{path}");
        assert_eq!(label(&any.json().await.unwrap()), None, "{path}");
    }
    // Problems are written in English.
    let missing = app.get("/clusters/99").await;
    assert_eq!(header(&missing, "content-language").as_deref(), Some("en"));
    app.stop().await;
}
