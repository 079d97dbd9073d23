//! Recommendations follow their evaluation's revision: what coordinators add, change or delete in
//! the draft of a published evaluation stays unseen by everybody else (in the evaluation's list,
//! the register and a direct read, entity tags included) until that revision is published, while
//! what became of a recommendation (status and note) is one across revisions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Everything a reader is shown of the evaluation's recommendations: its list, the register of
/// the cluster, the register of what is addressed to the demo zone, and each of `paths` read
/// directly (status, body and entity tag).
async fn view(session: &Session<'_>, evaluation: &str, paths: &[String]) -> Value {
    let list = session
        .ok(
            Method::GET,
            &format!("/evaluations/{evaluation}/recommendations"),
            None,
            None,
        )
        .await;
    let register = session
        .ok(Method::GET, "/recommendations?clusterId=3", None, None)
        .await;
    let zone = session
        .ok(
            Method::GET,
            "/recommendations?organisationId=pz-demo&sort=-priority",
            None,
            None,
        )
        .await;
    let mut direct = Vec::new();
    for path in paths {
        let response = session.send(Method::GET, path, None, None).await;
        let status = response.status().as_u16();
        let tag = response
            .headers()
            .get("etag")
            .map(|t| t.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        direct.push(json!({"status": status, "etag": tag, "body": body}));
    }
    json!({"list": list["items"], "total": list["total"], "register": register["items"],
           "zone": zone["items"], "direct": direct})
}

fn texts(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"]["nl"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn drafts_of_recommendations_show_only_once_published() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let reporter = Session::new(&app, "demo-reporter").await;

    let evaluation = fod
        .ok(Method::POST, "/evaluations", Some(json!({"planId": "kiv-2016-2019", "clusterId": "3", "round": "interim",
            "period": {"from": "2016S1", "to": "2016S2"}, "overallRating": "partial", "findings": {"nl": "Gedeeltelijk."},
            "scores": {"relevance": {"score": 4}, "coherence": {"score": 3}, "effectiveness": {"score": 2},
                       "efficiency": {"score": 3}, "impact": {"score": 2}, "sustainability": {"score": 3}}})), None)
        .await;
    let id = evaluation["id"].as_str().unwrap().to_owned();
    let recommend = |text: &str, organisations: Value, priority: &str| {
        let body =
            json!({"text": {"nl": text}, "organisationIds": organisations, "priority": priority});
        let path = format!("/evaluations/{id}/recommendations");
        let fod = &fod;
        async move {
            let created = fod.ok(Method::POST, &path, Some(body), None).await;
            format!("/recommendations/{}", created["id"].as_str().unwrap())
        }
    };
    let kept = recommend("Blijft", json!(["federale-politie"]), "low").await;
    let edited = recommend("Wordt herschreven", json!(["federale-politie"]), "medium").await;
    let deleted = recommend("Wordt geschrapt", json!(["federale-politie"]), "high").await;
    let evaluation_path = format!("/evaluations/{id}");
    let tag = fod.etag(&evaluation_path).await;
    fod.ok(
        Method::POST,
        &format!("{evaluation_path}/publish"),
        None,
        Some(&tag),
    )
    .await;
    // The addressed organisation follows one up on the published evaluation.
    let tag = reporter.etag(&kept).await;
    reporter
        .ok(
            Method::PATCH,
            &kept,
            Some(json!({"status": "inProgress"})),
            Some(&tag),
        )
        .await;

    let paths = vec![kept.clone(), edited.clone(), deleted.clone()];
    let evaluator_before = view(&evaluator, &id, &paths).await;
    let reporter_before = view(&reporter, &id, &paths).await;
    assert_eq!(
        texts(&evaluator_before["list"]),
        ["Blijft", "Wordt herschreven", "Wordt geschrapt"]
    );

    // The next revision: one added (to the demo zone), one changed (now also addressed to the
    // demo zone), one deleted.
    let tag = fod.etag(&evaluation_path).await;
    fod.ok(
        Method::POST,
        &format!("{evaluation_path}/revise"),
        None,
        Some(&tag),
    )
    .await;
    let added = recommend("Nieuw", json!(["pz-demo"]), "high").await;
    let tag = fod.etag(&edited).await;
    fod.ok(
        Method::PATCH,
        &edited,
        Some(json!({"text": {"nl": "Herschreven"}, "priority": "high", "organisationIds": ["federale-politie", "pz-demo"], "dueDate": "2019-06-30"})),
        Some(&tag),
    )
    .await;
    let response = fod.send(Method::DELETE, &deleted, None, None).await;
    assert_problem(response, 428, "kiv:preconditionRequired").await;
    let tag = fod.etag(&deleted).await;
    let response = fod.send(Method::DELETE, &deleted, None, Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 204);

    // Readers other than the coordinators see the published revision exactly as before.
    assert_eq!(view(&evaluator, &id, &paths).await, evaluator_before);
    assert_eq!(view(&reporter, &id, &paths).await, reporter_before);
    for session in [&evaluator, &reporter] {
        let response = session.send(Method::GET, &added, None, None).await;
        assert_problem(response, 404, "resourceNotFound").await;
        let page = session
            .ok(
                Method::GET,
                "/recommendations?organisationId=pz-demo",
                None,
                None,
            )
            .await;
        assert_eq!(page["total"], 0, "{page}");
    }
    // An addressed reporter cannot follow up what it cannot see.
    let response = reporter
        .send(
            Method::PATCH,
            &added,
            Some(json!({"status": "inProgress"})),
            Some("\"1\""),
        )
        .await;
    assert_problem(response, 404, "resourceNotFound").await;

    // The coordinators see the draft.
    let draft = view(&fod, &id, &[edited.clone(), deleted.clone(), added.clone()]).await;
    assert_eq!(texts(&draft["list"]), ["Blijft", "Herschreven", "Nieuw"]);
    assert_eq!(texts(&draft["zone"]), ["Herschreven", "Nieuw"]);
    assert_eq!(draft["direct"][0]["body"]["priority"], "high");
    assert_eq!(draft["direct"][1]["status"], 404);
    assert_eq!(draft["direct"][2]["status"], 200);
    assert_eq!(draft["direct"][0]["body"]["status"], "open");

    // What became of a recommendation is one across revisions: the reporter's status on the
    // published text shows to the coordinators' draft too, and the draft's text stays theirs.
    let tag = reporter.etag(&edited).await;
    let followed = reporter
        .ok(
            Method::PATCH,
            &edited,
            Some(json!({"status": "implemented", "statusNote": {"nl": "Gedaan."}})),
            Some(&tag),
        )
        .await;
    assert_eq!(
        (&followed["text"]["nl"], &followed["status"]),
        (&json!("Wordt herschreven"), &json!("implemented"))
    );
    assert_ne!(reporter.etag(&edited).await, tag);
    let drafted = fod.ok(Method::GET, &edited, None, None).await;
    assert_eq!(
        (
            &drafted["text"]["nl"],
            &drafted["status"],
            &drafted["statusNote"]["nl"]
        ),
        (
            &json!("Herschreven"),
            &json!("implemented"),
            &json!("Gedaan.")
        )
    );
    let seen = evaluator.ok(Method::GET, &edited, None, None).await;
    assert_eq!(
        (&seen["text"]["nl"], &seen["priority"], &seen["status"]),
        (
            &json!("Wordt herschreven"),
            &json!("medium"),
            &json!("implemented")
        )
    );
    // And a coordinator's status write reaches the published copy too.
    let tag = fod.etag(&kept).await;
    fod.ok(
        Method::PATCH,
        &kept,
        Some(json!({"status": "rejected"})),
        Some(&tag),
    )
    .await;
    assert_eq!(
        evaluator.ok(Method::GET, &kept, None, None).await["status"],
        "rejected"
    );
    let kept_tag = evaluator.etag(&kept).await;

    // Once published, everybody sees the new revision's recommendations.
    let tag = fod.etag(&evaluation_path).await;
    fod.ok(
        Method::POST,
        &format!("{evaluation_path}/publish"),
        None,
        Some(&tag),
    )
    .await;
    let paths = vec![kept.clone(), edited.clone(), deleted.clone(), added.clone()];
    for session in [&evaluator, &reporter, &fod] {
        let after = view(session, &id, &paths).await;
        assert_eq!(texts(&after["list"]), ["Blijft", "Herschreven", "Nieuw"]);
        assert_eq!(texts(&after["zone"]), ["Herschreven", "Nieuw"]);
        assert_eq!(after["direct"][1]["body"]["status"], "implemented");
        assert_eq!(after["direct"][1]["body"]["dueDate"], "2019-06-30");
        assert_eq!(after["direct"][2]["status"], 404);
        assert_eq!(after["direct"][3]["status"], 200);
    }
    // Unchanged in the draft, unchanged for the readers: the same entity tag.
    assert_eq!(evaluator.etag(&kept).await, kept_tag);
    assert_eq!(fod.etag(&kept).await, kept_tag);
    // A published evaluation's recommendations are not deleted: revise it first.
    let tag = fod.etag(&added).await;
    let response = fod.send(Method::DELETE, &added, None, Some(&tag)).await;
    assert_problem(response, 409, "kiv:conflict").await;
    // Evaluators and reporters delete nothing.
    for session in [&evaluator, &reporter] {
        let response = session.send(Method::DELETE, &added, None, Some("*")).await;
        assert_problem(response, 403, "missingScope").await;
    }
    app.stop().await;
}
