//! Recommendations after their evaluation: followed up (status and note) by the organisations
//! they are addressed to, and read across evaluations in one register.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const KIV: &str = "kiv-2016-2019";
const NVP: &str = "nvp-2016-2019";

fn complete_scores() -> Value {
    json!({
        "relevance": {"score": 4}, "coherence": {"score": 3}, "effectiveness": {"score": 2},
        "efficiency": {"score": 3}, "impact": {"score": 2}, "sustainability": {"score": 3}
    })
}

/// A complete draft evaluation of `subject` (`{"clusterId": ..}` or `{"themeId": ..}`).
async fn evaluation(fod: &Session<'_>, plan: &str, subject: Value) -> Value {
    let mut body = json!({"planId": plan, "round": "interim", "period": {"from": "2016S1", "to": "2016S2"},
                          "scores": complete_scores(), "overallRating": "partial", "findings": {"nl": "Gedeeltelijk."}});
    for (key, value) in subject.as_object().unwrap() {
        body[key] = value.clone();
    }
    fod.ok(Method::POST, "/evaluations", Some(body), None).await
}

async fn publish(fod: &Session<'_>, evaluation: &Value) {
    fod.ok(
        Method::POST,
        &format!(
            "/evaluations/{}/publish",
            evaluation["id"].as_str().unwrap()
        ),
        None,
        Some("\"1\""),
    )
    .await;
}

async fn recommend(
    fod: &Session<'_>,
    evaluation: &Value,
    text: &str,
    organisations: &[&str],
    priority: &str,
    due: Option<&str>,
) -> Value {
    fod.ok(
        Method::POST,
        &format!(
            "/evaluations/{}/recommendations",
            evaluation["id"].as_str().unwrap()
        ),
        Some(json!({"text": {"nl": text}, "organisationIds": organisations, "priority": priority, "dueDate": due})),
        None,
    )
    .await
}

fn path_of(recommendation: &Value) -> String {
    format!(
        "/recommendations/{}",
        recommendation["id"].as_str().unwrap()
    )
}

/// The texts (in Dutch) of the register page at `query`, as `session` reads it, and its total.
async fn register(session: &Session<'_>, query: &str) -> (Vec<String>, i64) {
    let page = session
        .ok(Method::GET, &format!("/recommendations{query}"), None, None)
        .await;
    let texts = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"]["nl"].as_str().unwrap().to_owned())
        .collect();
    (texts, page["total"].as_i64().unwrap())
}

#[actix_web::test]
async fn addressed_organisations_follow_up_their_recommendations_and_nothing_else() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let zone = Session::new(&app, "demo-reporter-zone").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;

    let drugs = evaluation(&fod, KIV, json!({"clusterId": "3"})).await;
    let to_police = recommend(
        &fod,
        &drugs,
        "Versterk de drugsteams.",
        &["federale-politie"],
        "high",
        Some("2018-12-31"),
    )
    .await;
    let to_zone = recommend(
        &fod,
        &drugs,
        "Deel de informatie.",
        &["pz-demo"],
        "low",
        None,
    )
    .await;
    let police_path = path_of(&to_police);
    let follow_up =
        json!({"status": "inProgress", "statusNote": {"nl": "Twee extra teams in 2018."}});

    // A draft evaluation's recommendations are the coordinators' own: not even readable.
    for method in [Method::GET, Method::PATCH] {
        let body = (method == Method::PATCH).then(|| follow_up.clone());
        assert_problem(
            police.send(method, &police_path, body, Some("\"1\"")).await,
            404,
            "resourceNotFound",
        )
        .await;
    }
    publish(&fod, &drugs).await;

    // The addressed organisation's reporter follows it up.
    let response = police
        .send(
            Method::PATCH,
            &police_path,
            Some(follow_up.clone()),
            Some("\"1\""),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["ETag"], "\"2\"");
    let followed: Value = response.json().await.unwrap();
    assert_eq!(followed["status"], "inProgress");
    assert_eq!(followed["statusNote"]["nl"], "Twee extra teams in 2018.");
    assert_eq!(followed["planId"], KIV);
    assert_eq!(followed["clusterId"], "3");
    assert_eq!(followed["round"], "interim");
    // Audited: who, when, before and after.
    let audit = fod
        .ok(
            Method::GET,
            &format!(
                "/auditEvents?entityType=recommendation&entityId={}",
                to_police["id"].as_str().unwrap()
            ),
            None,
            None,
        )
        .await;
    let update = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "update")
        .expect("the follow-up is in the audit trail");
    assert_eq!(update["account"], "demo-reporter");
    assert_eq!(update["organisationId"], "federale-politie");
    assert!(update["occurredAt"].is_string());
    assert_eq!(update["before"]["status"], "open");
    assert_eq!(update["after"]["status"], "inProgress");
    assert_eq!(
        update["after"]["statusNote"]["nl"],
        "Twee extra teams in 2018."
    );

    // Anything but status and statusNote is the coordinators': refused as a whole.
    for refused in [
        json!({"text": {"nl": "Iets anders."}}),
        json!({"status": "implemented", "priority": "low"}),
        json!({"dueDate": null}),
        json!({"organisationIds": ["federale-politie", "pz-demo"]}),
    ] {
        let field = refused
            .as_object()
            .unwrap()
            .keys()
            .find(|k| *k != "status")
            .unwrap()
            .clone();
        let problem = assert_problem(
            police
                .send(Method::PATCH, &police_path, Some(refused), Some("\"2\""))
                .await,
            403,
            "missingPermission",
        )
        .await;
        assert!(
            problem["detail"].as_str().unwrap().contains(&field),
            "{problem}"
        );
    }
    // Another organisation's reporter may read it, not follow it up.
    zone.ok(Method::GET, &police_path, None, None).await;
    assert_problem(
        zone.send(
            Method::PATCH,
            &police_path,
            Some(json!({"status": "rejected"})),
            Some("\"2\""),
        )
        .await,
        403,
        "missingPermission",
    )
    .await;
    // Evaluators never write.
    assert_problem(
        evaluator
            .send(
                Method::PATCH,
                &police_path,
                Some(json!({"status": "rejected"})),
                Some("\"2\""),
            )
            .await,
        403,
        "missingScope",
    )
    .await;
    // Nothing of that changed anything.
    let response = fod.send(Method::GET, &police_path, None, None).await;
    assert_eq!(response.headers()["ETag"], "\"2\"");
    let unchanged: Value = response.json().await.unwrap();
    assert_eq!(
        (
            &unchanged["status"],
            &unchanged["priority"],
            &unchanged["text"]["nl"],
            &unchanged["dueDate"],
            &unchanged["organisationIds"]
        ),
        (
            &json!("inProgress"),
            &json!("high"),
            &json!("Versterk de drugsteams."),
            &json!("2018-12-31"),
            &json!(["federale-politie"])
        )
    );
    assert_eq!(
        fod.ok(
            Method::GET,
            &format!(
                "/auditEvents?entityType=recommendation&entityId={}",
                to_police["id"].as_str().unwrap()
            ),
            None,
            None
        )
        .await["total"],
        2
    );

    // The zone follows up its own; the coordinators keep every right the evaluation leaves.
    let zone_done = zone
        .ok(
            Method::PATCH,
            &path_of(&to_zone),
            Some(json!({"status": "implemented", "statusNote": null})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(zone_done["status"], "implemented");
    let corrected = fod
        .ok(
            Method::PATCH,
            &police_path,
            Some(json!({"status": "implemented"})),
            Some("\"2\""),
        )
        .await;
    assert_eq!(corrected["status"], "implemented");
    app.stop().await;
}

#[actix_web::test]
async fn the_register_filters_sorts_pages_and_hides_drafts() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;

    // Published: KIV cluster 3 (a, b, c) and NVP theme internetAndIct (e). Draft: KIV cluster 8 (d).
    let drugs = evaluation(&fod, KIV, json!({"clusterId": "3"})).await;
    let environment = evaluation(&fod, KIV, json!({"clusterId": "8"})).await;
    let ict = evaluation(&fod, NVP, json!({"themeId": "internetAndIct"})).await;
    recommend(
        &fod,
        &drugs,
        "a",
        &["federale-politie"],
        "high",
        Some("2018-06-30"),
    )
    .await;
    let b = recommend(
        &fod,
        &drugs,
        "b",
        &["pz-demo", "federale-politie"],
        "low",
        Some("2017-12-31"),
    )
    .await;
    recommend(&fod, &drugs, "c", &["pz-demo"], "medium", None).await;
    recommend(
        &fod,
        &environment,
        "d",
        &["federale-politie"],
        "medium",
        Some("2017-06-30"),
    )
    .await;
    recommend(
        &fod,
        &ict,
        "e",
        &["federale-politie"],
        "high",
        Some("2019-01-01"),
    )
    .await;
    publish(&fod, &drugs).await;
    publish(&fod, &ict).await;
    police
        .ok(
            Method::PATCH,
            &path_of(&b),
            Some(json!({"status": "inProgress"})),
            Some("\"1\""),
        )
        .await;

    let texts = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    // Due date first (none last); drafts only for coordinators; reporters read every published one.
    assert_eq!(
        register(&fod, "").await,
        (texts(&["d", "b", "a", "e", "c"]), 5)
    );
    for reader in [&evaluator, &police] {
        assert_eq!(
            register(reader, "").await,
            (texts(&["b", "a", "e", "c"]), 4)
        );
        assert_eq!(register(reader, "?clusterId=8").await, (texts(&[]), 0));
    }
    assert_eq!(register(&fod, "?clusterId=8").await, (texts(&["d"]), 1));

    // Filters.
    for (query, expected) in [
        ("?planId=kiv-2016-2019", vec!["b", "a", "c"]),
        ("?planId=nvp-2016-2019", vec!["e"]),
        ("?themeId=internetAndIct", vec!["e"]),
        ("?clusterId=3", vec!["b", "a", "c"]),
        ("?organisationId=pz-demo", vec!["b", "c"]),
        ("?organisationId=federale-politie", vec!["b", "a", "e"]),
        ("?status=inProgress", vec!["b"]),
        (
            "?status=open&organisationId=federale-politie",
            vec!["a", "e"],
        ),
        ("?priority=high", vec!["a", "e"]),
        ("?dueBefore=2018-12-31", vec!["b", "a"]),
        ("?dueBefore=2018-06-30", vec!["b"]),
    ] {
        assert_eq!(
            register(&evaluator, query).await,
            (texts(&expected), expected.len() as i64),
            "{query}"
        );
    }
    // Sorting: priority low..high, status in workflow order, due date with none last.
    for (query, expected) in [
        ("?sort=-priority", vec!["a", "e", "c", "b"]),
        ("?sort=priority", vec!["b", "c", "a", "e"]),
        ("?sort=status", vec!["a", "e", "c", "b"]),
        ("?sort=-status,-priority", vec!["b", "a", "e", "c"]),
        // Repeated, as belgif's col-sort has it: the same order.
        ("?sort=-status&sort=-priority", vec!["b", "a", "e", "c"]),
        ("?sort=-priority&sort=-status", vec!["a", "e", "c", "b"]),
        ("?sort=-dueDate", vec!["e", "a", "b", "c"]),
        ("?sort=dueDate", vec!["b", "a", "e", "c"]),
    ] {
        assert_eq!(
            register(&evaluator, query).await.0,
            texts(&expected),
            "{query}"
        );
    }
    // Each item names its evaluation.
    let page = evaluator
        .ok(
            Method::GET,
            "/recommendations?planId=nvp-2016-2019",
            None,
            None,
        )
        .await;
    let item = &page["items"][0];
    assert_eq!(item["evaluationId"], ict["id"]);
    assert_eq!(item["planId"], NVP);
    assert_eq!(item["themeId"], "internetAndIct");
    assert!(item.get("clusterId").is_none());
    assert_eq!(item["round"], "interim");
    assert!(item["evaluationHref"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/evaluations/{}", ict["id"].as_str().unwrap())));

    // Paging.
    let first = evaluator
        .ok(Method::GET, "/recommendations?pageSize=3", None, None)
        .await;
    assert_eq!(
        (first["total"].clone(), first["pageSize"].clone()),
        (json!(4), json!(3))
    );
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let next = first["next"].as_str().unwrap();
    assert!(next.contains("page=2"), "{next}");
    let second = evaluator
        .ok(
            Method::GET,
            &next[next.find("/recommendations").unwrap()..],
            None,
            None,
        )
        .await;
    assert_eq!(second["items"][0]["text"]["nl"], "c");
    assert!(second.get("next").is_none_or(Value::is_null));
    assert_eq!(
        register(&evaluator, "?page=2&pageSize=3").await.0,
        texts(&["c"])
    );

    // Bad parameters name themselves.
    for (query, name) in [
        ("?sort=text", "sort"),
        ("?dueBefore=soon", "dueBefore"),
        ("?status=done", "status"),
        ("?priority=urgent", "priority"),
        ("?pageSize=0", "pageSize"),
    ] {
        let problem = assert_problem(
            evaluator
                .send(Method::GET, &format!("/recommendations{query}"), None, None)
                .await,
            400,
            "badRequest",
        )
        .await;
        assert!(
            problem["issues"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["name"] == name && i["in"] == "query"),
            "{query}: {problem}"
        );
    }
    app.stop().await;
}
