//! The belgif REST guide's runtime rules, each shown end to end: trace ids (`trc-header`), the
//! challenge of a missing scope, unknown input refused everywhere, problem types, every refused
//! value reported at once, optimistic locking without a wildcard, content negotiation and HEAD.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, TestApp};

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
