//! Cluster follow-ups and evaluations by the coordinating FODs: drafts, publication, revisions,
//! who sees what, frozen figures, evidence, recommendations and the evaluator's context — against
//! a data set whose figures this test states.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PLAN: &str = "kiv-2016-2019";

/// Has the federal police report on `action` for `period` and FOD Justitie approve it.
async fn approved(
    police: &Session<'_>,
    fod: &Session<'_>,
    action: &Value,
    period: &str,
    body: Value,
) -> Value {
    common::report_follow_up(police, fod, &action["id"], period, body, true).await
}

/// The data set: cluster 3 (drugs) with actions A (weight 1), B (weight 2) and C (weight 1), an
/// indicator on A with a 2017S2 target of 10 (increase); cluster 8 with action D.
struct DataSet {
    a: Value,
    b: Value,
    c: Value,
    d: Value,
    labs: Value,
    a_2017s2: Value,
    d_2017s2: Value,
}

async fn data_set(fod: &Session<'_>, police: &Session<'_>) -> DataSet {
    let objective = |cluster: &str, code: &str| json!({"planId": PLAN, "clusterId": cluster, "code": code, "level": "strategic", "title": {"nl": format!("Doelstelling {code}")}});
    let drugs = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(objective("3", "3.1")),
            None,
        )
        .await;
    let environment = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(objective("8", "8.1")),
            None,
        )
        .await;
    let action = |objective: &Value, code: &str, weight: f64| {
        json!({"objectiveId": objective["id"], "code": code, "title": {"nl": code}, "leadOrganisationId": "federale-politie",
               "plannedStart": "2016-01-01", "plannedEnd": "2019-12-31", "weight": weight})
    };
    let a = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&drugs, "A", 1.0)),
            None,
        )
        .await;
    let b = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&drugs, "B", 2.0)),
            None,
        )
        .await;
    let c = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&drugs, "C", 1.0)),
            None,
        )
        .await;
    let d = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&environment, "D", 1.0)),
            None,
        )
        .await;
    let labs = fod
        .ok(
            Method::POST,
            "/indicators",
            Some(json!({"actionId": a["id"], "name": {"nl": "Ontmantelde labs"}, "unit": "labs", "measure": "number", "direction": "increase",
                        "targets": [{"period": "2017S2", "value": 10}]})),
            None,
        )
        .await;
    approved(
        police,
        fod,
        &a,
        "2017S1",
        json!({"status": "onTrack", "progress": 20}),
    )
    .await;
    let a_2017s2 = approved(
        police,
        fod,
        &a,
        "2017S2",
        json!({"status": "onTrack", "progress": 40, "indicatorValues": [{"indicatorId": labs["id"], "value": 12}]}),
    )
    .await;
    approved(
        police,
        fod,
        &b,
        "2017S2",
        json!({"status": "delayed", "progress": 10}),
    )
    .await;
    let d_2017s2 = approved(
        police,
        fod,
        &d,
        "2017S2",
        json!({"status": "onTrack", "progress": 50}),
    )
    .await;
    DataSet {
        a,
        b,
        c,
        d,
        labs,
        a_2017s2,
        d_2017s2,
    }
}

#[actix_web::test]
async fn cluster_follow_ups_freeze_their_figures_and_are_read_as_published() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let data = data_set(&fod, &police).await;

    let body = json!({"planId": PLAN, "clusterId": "3", "period": "2017S2", "assessment": "attention",
                      "narrative": {"nl": "A loopt, B is vertraagd, C is niet gerapporteerd."},
                      "nextSteps": {"nl": "Bijsturen in 2018."}});
    // Reporters and evaluators write nothing here.
    for session in [&police, &evaluator] {
        let refused = session
            .send(Method::POST, "/clusterFollowUps", Some(body.clone()), None)
            .await;
        assert_problem(refused, 403, "missingScope").await;
    }
    // Bad input names its field and writes nothing.
    let mut outside = body.clone();
    outside["clusterId"] = json!("99");
    outside["period"] = json!("2020S1");
    let problem = assert_problem(
        fod.send(Method::POST, "/clusterFollowUps", Some(outside), None)
            .await,
        400,
        "badRequest",
    )
    .await;
    let names: Vec<&str> = problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["in"].as_str().unwrap_or(i["name"].as_str().unwrap()))
        .collect();
    assert_eq!(problem["issues"].as_array().unwrap().len(), 2, "{names:?}");

    let draft = fod
        .ok(Method::POST, "/clusterFollowUps", Some(body.clone()), None)
        .await;
    let path = format!("/clusterFollowUps/{}", draft["id"].as_str().unwrap());
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["organisationIds"], json!(["fod-justitie"]));
    assert!(draft.get("figures").is_none());
    assert_problem(
        fod.send(Method::POST, "/clusterFollowUps", Some(body.clone()), None)
            .await,
        409,
        "kiv:conflict",
    )
    .await;

    // A draft is the coordinators' own.
    assert_problem(
        evaluator.send(Method::GET, &path, None, None).await,
        404,
        "resourceNotFound",
    )
    .await;
    let listed = evaluator
        .ok(
            Method::GET,
            "/clusterFollowUps?planId=kiv-2016-2019",
            None,
            None,
        )
        .await;
    assert_eq!(listed["total"], 0);
    let listed = fod
        .ok(
            Method::GET,
            "/clusterFollowUps?planId=kiv-2016-2019",
            None,
            None,
        )
        .await;
    assert_eq!(listed["total"], 1);

    let edited = fod
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"highlights": {"nl": "Labs ontmanteld."}})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(edited["highlights"]["nl"], "Labs ontmanteld.");
    assert_problem(
        fod.send(Method::POST, &format!("{path}/publish"), None, None)
            .await,
        428,
        "kiv:preconditionRequired",
    )
    .await;
    assert_problem(
        fod.send(
            Method::POST,
            &format!("{path}/publish"),
            None,
            Some("\"1\""),
        )
        .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;

    // The note is optional, but a body that is there must be JSON of the right shape: a
    // malformed one is refused, never taken for no body, and nothing is published.
    for (body, content_type, status, problem) in [
        ("{\"note\": ", "application/json", 400, "badRequest"),
        ("{\"notes\": \"x\"}", "application/json", 400, "badRequest"),
        ("5e-324", "application/json", 400, "badRequest"),
        ("note", "text/plain", 415, "kiv:unsupportedMediaType"),
    ] {
        let response = app
            .request(Method::POST, &format!("{path}/publish"), &fod.token)
            .header("If-Match", "\"2\"")
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_problem(response, status, problem).await;
    }
    // If-Match must be entity tags (or a bare version): anything else is a bad request; a tag
    // that is well formed but can never be ours (weak, or several) fails the precondition.
    for (if_match, status, problem) in [
        ("two", 400, "badRequest"),
        ("", 400, "badRequest"),
        ("\"2", 400, "badRequest"),
        ("W/\"2\"", 412, "kiv:preconditionFailed"),
        ("\"2\", \"3\"", 412, "kiv:preconditionFailed"),
    ] {
        let response = app
            .request(Method::POST, &format!("{path}/publish"), &fod.token)
            .header("If-Match", if_match)
            .send()
            .await
            .unwrap();
        assert_problem(response, status, problem).await;
    }
    let still = fod.ok(Method::GET, &path, None, None).await;
    assert_eq!(still["state"], "draft");

    let published = fod
        .ok(
            Method::POST,
            &format!("{path}/publish"),
            Some(json!(null)),
            Some("\"2\""),
        )
        .await;
    assert_eq!(published["state"], "published");
    assert_eq!(published["revision"], 1);
    // Cluster 3 in 2017S2: A onTrack 40 (weight 1), B delayed 10 (weight 2), C not reported.
    // (1 × 40 + 2 × 10) / 3 = 20; C is left out; two of three due actions reported.
    let figures = &published["figures"];
    assert_eq!(figures["method"], "weightedMeanOfActions");
    assert_eq!(figures["actions"], 3);
    assert_eq!(figures["progress"], 20.0);
    assert_eq!(figures["leftOut"], json!({"cancelled": 0, "noProgress": 1}));
    assert_eq!(figures["reportingRate"], 0.67);
    assert_eq!(figures["byStatus"]["notReported"], 1);
    assert_eq!(
        figures["indicators"],
        json!({"onTrack": 1, "offTrack": 0, "noData": 0})
    );

    // Published: no more edits; every reader sees it, and the progress report shows it.
    assert_problem(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"assessment": "offTrack"})),
            Some("\"3\""),
        )
        .await,
        409,
        "kiv:conflict",
    )
    .await;
    let seen = evaluator.ok(Method::GET, &path, None, None).await;
    assert_eq!(seen["figures"], published["figures"]);
    let report = evaluator
        .ok(
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&period=2017S2",
            None,
            None,
        )
        .await;
    let drugs = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clusterId"] == "3")
        .unwrap();
    assert_eq!(drugs["assessment"]["value"], "attention");
    assert_eq!(drugs["assessment"]["id"], draft["id"]);
    assert_eq!(drugs["assessment"]["period"], "2017S2");

    // A later correction of the data changes the live report, not the published figures.
    let follow_up = format!("/followUps/{}", data.a_2017s2["id"].as_str().unwrap());
    fod.ok(
        Method::POST,
        &format!("{follow_up}/reopen"),
        None,
        Some("\"3\""),
    )
    .await;
    fod.ok(
        Method::PATCH,
        &follow_up,
        Some(json!({"progress": 100, "status": "completed"})),
        Some("\"4\""),
    )
    .await;
    fod.ok(
        Method::POST,
        &format!("{follow_up}/submit"),
        None,
        Some("\"5\""),
    )
    .await;
    // Four eyes: the coordinator who corrected it has the other one approve it.
    Session::new(&app, "demo-coordinator-bz")
        .await
        .ok(
            Method::POST,
            &format!("{follow_up}/approve"),
            None,
            Some("\"6\""),
        )
        .await;
    let live = evaluator
        .ok(
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&period=2017S2&clusterId=3",
            None,
            None,
        )
        .await;
    // (1 × 100 + 2 × 10) / 3 = 40.
    assert_eq!(live["totals"]["progress"], 40.0);
    let still = evaluator.ok(Method::GET, &path, None, None).await;
    assert_eq!(still["figures"]["progress"], 20.0);
    assert_eq!(still["figures"], published["figures"]);

    // A correction is a new revision; readers keep the published one until it is published.
    let revised = fod
        .ok(
            Method::POST,
            &format!("{path}/revise"),
            Some(json!({"note": "A is afgerond"})),
            Some("\"3\""),
        )
        .await;
    assert_eq!(
        (revised["state"].clone(), revised["revision"].clone()),
        (json!("draft"), json!(2))
    );
    fod.ok(
        Method::PATCH,
        &path,
        Some(json!({"assessment": "onTrack"})),
        Some("\"4\""),
    )
    .await;
    let seen = evaluator.ok(Method::GET, &path, None, None).await;
    assert_eq!(
        (seen["revision"].clone(), seen["assessment"].clone()),
        (json!(1), json!("attention"))
    );
    let republished = fod
        .ok(
            Method::POST,
            &format!("{path}/publish"),
            None,
            Some("\"5\""),
        )
        .await;
    assert_eq!(republished["revision"], 2);
    assert_eq!(republished["figures"]["progress"], 40.0);
    let seen = evaluator.ok(Method::GET, &path, None, None).await;
    assert_eq!(
        (seen["revision"].clone(), seen["assessment"].clone()),
        (json!(2), json!("onTrack"))
    );

    // The history: every step for coordinators, the publications for the others.
    let history = fod
        .ok(Method::GET, &format!("{path}/history"), None, None)
        .await;
    let events: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "created",
            "updated",
            "published",
            "revised",
            "updated",
            "published"
        ]
    );
    assert_eq!(history["items"][3]["note"], "A is afgerond");
    assert_eq!(history["items"][2]["record"]["figures"]["progress"], 20.0);
    let public = evaluator
        .ok(Method::GET, &format!("{path}/history"), None, None)
        .await;
    assert_eq!(public["total"], 2);
    // And the audit trail has every change.
    let audit = fod
        .ok(
            Method::GET,
            &format!(
                "/auditEvents?entityType=clusterFollowUp&entityId={}",
                draft["id"].as_str().unwrap()
            ),
            None,
            None,
        )
        .await;
    assert_eq!(audit["total"], 6);
    let _ = (&data.b, &data.c, &data.d, &data.labs, &data.d_2017s2);
    app.stop().await;
}

fn complete_scores() -> Value {
    json!({
        "relevance": {"score": 4, "rationale": {"nl": "Sluit aan bij het drugsbeleid."}},
        "coherence": {"score": 3},
        "effectiveness": {"score": 2, "rationale": {"nl": "B is vertraagd."}},
        "efficiency": {"score": 3},
        "impact": {"score": 2},
        "sustainability": {"score": 3}
    })
}

#[actix_web::test]
async fn evaluations_are_checked_published_revised_and_followed_up() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let data = data_set(&fod, &police).await;

    let body = json!({"planId": PLAN, "clusterId": "3", "round": "midTerm", "period": {"from": "2016S1", "to": "2017S2"},
                      "evaluatingOrganisationIds": ["fod-justitie", "fod-binnenlandse-zaken"],
                      "scores": {"relevance": {"score": 4}},
                      "evidence": [{"followUpId": data.a_2017s2["id"], "indicatorId": data.labs["id"]}]});
    for session in [&police, &evaluator] {
        assert_problem(
            session
                .send(Method::POST, "/evaluations", Some(body.clone()), None)
                .await,
            403,
            "missingScope",
        )
        .await;
    }

    // Scores outside 1-4 and unknown criteria, each named.
    let mut bad = body.clone();
    bad["scores"] =
        json!({"impact": {"score": 5}, "beauty": {"score": 2}, "relevance": {"score": 0}});
    let problem = assert_problem(
        fod.send(Method::POST, "/evaluations", Some(bad), None)
            .await,
        400,
        "badRequest",
    )
    .await;
    let names: Vec<&str> = problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "scores.beauty",
            "scores.impact.score",
            "scores.relevance.score"
        ]
    );
    // Evidence from another cluster, an indicator the follow-up does not report, an unknown
    // follow-up.
    let mut bad = body.clone();
    bad["evidence"] = json!([
        {"followUpId": data.d_2017s2["id"]},
        {"followUpId": data.a_2017s2["id"], "indicatorId": "no-such-indicator"},
        {"followUpId": "no-such-follow-up"}
    ]);
    let problem = assert_problem(
        fod.send(Method::POST, "/evaluations", Some(bad), None)
            .await,
        400,
        "badRequest",
    )
    .await;
    let names: Vec<&str> = problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "evidence[0].followUpId",
            "evidence[1].indicatorId",
            "evidence[2].followUpId"
        ]
    );
    assert!(problem["issues"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("cluster 8"));
    // Evidence from another plan's cluster: the NVP shares the clusters, not the follow-ups.
    let mut other_plan = body.clone();
    other_plan["planId"] = json!("nvp-2016-2019");
    let problem = assert_problem(
        fod.send(Method::POST, "/evaluations", Some(other_plan), None)
            .await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(problem["issues"][0]["name"], "evidence[0].followUpId");
    assert!(problem["issues"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("plan kiv-2016-2019"));
    // Nothing was written.
    assert_eq!(
        fod.ok(Method::GET, "/evaluations", None, None).await["total"],
        0
    );

    let draft = fod
        .ok(Method::POST, "/evaluations", Some(body.clone()), None)
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    let path = format!("/evaluations/{id}");
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["scores"]["relevance"]["score"], 4);
    // One evaluation per plan, cluster, round and period.
    assert_problem(
        fod.send(Method::POST, "/evaluations", Some(body.clone()), None)
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    // Drafts are the coordinators' own.
    assert_problem(
        evaluator.send(Method::GET, &path, None, None).await,
        404,
        "resourceNotFound",
    )
    .await;
    assert_problem(
        police.send(Method::GET, &path, None, None).await,
        404,
        "resourceNotFound",
    )
    .await;
    assert_eq!(
        evaluator.ok(Method::GET, "/evaluations", None, None).await["total"],
        0
    );

    // Recommendations: added to the draft.
    let recommendation = fod
        .ok(
            Method::POST,
            &format!("{path}/recommendations"),
            Some(json!({"text": {"nl": "Versterk de opvolging van actie B."}, "organisationIds": ["federale-politie"],
                        "priority": "high", "dueDate": "2018-12-31"})),
            None,
        )
        .await;
    assert_eq!(recommendation["status"], "open");
    let recommendation_path = format!(
        "/recommendations/{}",
        recommendation["id"].as_str().unwrap()
    );
    assert_problem(
        fod.send(
            Method::POST,
            &format!("{path}/recommendations"),
            Some(json!({"text": {"nl": "x"}, "organisationIds": ["nobody"], "priority": "low"})),
            None,
        )
        .await,
        400,
        "badRequest",
    )
    .await;

    // Incomplete: not publishable, and says what is missing.
    let problem = assert_problem(
        fod.send(
            Method::POST,
            &format!("{path}/publish"),
            None,
            Some("\"1\""),
        )
        .await,
        409,
        "kiv:conflict",
    )
    .await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("scores.coherence")
            && detail.contains("overallRating")
            && detail.contains("findings"),
        "{detail}"
    );
    let completed: Value = fod
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"scores": complete_scores(), "overallRating": "partial",
                        "findings": {"nl": "Werkt waar de zones meedoen.", "fr": "Fonctionne là où les zones participent."}})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(completed["overallRating"], "partial");
    assert_eq!(completed["overallRating"], "partial");
    let published = fod
        .ok(
            Method::POST,
            &format!("{path}/publish"),
            None,
            Some("\"2\""),
        )
        .await;
    assert_eq!(
        (published["state"].clone(), published["revision"].clone()),
        (json!("published"), json!(1))
    );

    // Frozen: no edits, no new recommendations, only their follow-up.
    assert_problem(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"overallRating": "achieved"})),
            Some("\"3\""),
        )
        .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert_problem(
        fod.send(Method::POST, &format!("{path}/recommendations"),
                 Some(json!({"text": {"nl": "Te laat"}, "organisationIds": ["federale-politie"], "priority": "low"})), None)
            .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert_problem(
        fod.send(
            Method::PATCH,
            &recommendation_path,
            Some(json!({"priority": "low"})),
            Some("\"1\""),
        )
        .await,
        409,
        "kiv:conflict",
    )
    .await;
    assert_problem(
        evaluator
            .send(
                Method::PATCH,
                &recommendation_path,
                Some(json!({"status": "implemented"})),
                Some("\"1\""),
            )
            .await,
        403,
        "missingScope",
    )
    .await;
    let followed = fod
        .ok(
            Method::PATCH,
            &recommendation_path,
            Some(json!({"status": "inProgress", "statusNote": {"nl": "Extra rechercheurs in 2018."}})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(followed["status"], "inProgress");

    // Readers see the published evaluation and its recommendations.
    for reader in [&evaluator, &police] {
        let seen = reader.ok(Method::GET, &path, None, None).await;
        assert_eq!(seen["overallRating"], "partial");
        let recommendations = reader
            .ok(Method::GET, &format!("{path}/recommendations"), None, None)
            .await;
        assert_eq!(recommendations["total"], 1);
        assert_eq!(recommendations["items"][0]["status"], "inProgress");
    }
    let report = evaluator
        .ok(
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&period=2017S2",
            None,
            None,
        )
        .await;
    let drugs = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clusterId"] == "3")
        .unwrap();
    assert_eq!(drugs["evaluation"]["value"], "partial");
    assert_eq!(drugs["evaluation"]["round"], "midTerm");
    // As of a moment before the publication, there was no rating.
    let before = evaluator
        .ok(
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&period=2017S2&asOf=2018-01-01",
            None,
            None,
        )
        .await;
    let drugs = before["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clusterId"] == "3")
        .unwrap();
    assert!(drugs.get("evaluation").is_none());

    // A correction is a new revision with history; readers keep revision 1 until it is out.
    let revised = fod
        .ok(
            Method::POST,
            &format!("{path}/revise"),
            Some(json!({"note": "Efficiëntie herzien"})),
            Some("\"3\""),
        )
        .await;
    assert_eq!(
        (revised["state"].clone(), revised["revision"].clone()),
        (json!("draft"), json!(2))
    );
    let mut scores = complete_scores();
    scores["efficiency"]["score"] = json!(2);
    let changed: Value = fod
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"scores": scores, "overallRating": "largelyAchieved"})),
            Some("\"4\""),
        )
        .await;
    assert_eq!(changed["scores"]["efficiency"]["score"], 2);
    let seen = evaluator.ok(Method::GET, &path, None, None).await;
    assert_eq!(
        (seen["revision"].clone(), seen["overallRating"].clone()),
        (json!(1), json!("partial"))
    );
    assert_eq!(
        evaluator.ok(Method::GET, "/evaluations", None, None).await["items"][0]["revision"],
        1
    );
    let mine = fod.ok(Method::GET, &path, None, None).await;
    assert_eq!(
        (mine["revision"].clone(), mine["state"].clone()),
        (json!(2), json!("draft"))
    );
    fod.ok(
        Method::POST,
        &format!("{path}/publish"),
        None,
        Some("\"5\""),
    )
    .await;
    let seen = evaluator.ok(Method::GET, &path, None, None).await;
    assert_eq!(
        (seen["revision"].clone(), seen["overallRating"].clone()),
        (json!(2), json!("largelyAchieved"))
    );
    assert_eq!(seen["scores"]["efficiency"]["score"], 2);
    let history = fod
        .ok(Method::GET, &format!("{path}/history"), None, None)
        .await;
    let events: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "created",
            "updated",
            "published",
            "revised",
            "updated",
            "published"
        ]
    );
    assert_eq!(history["items"][2]["record"]["overallRating"], "partial");
    let audit = fod
        .ok(
            Method::GET,
            &format!("/auditEvents?entityType=evaluation&entityId={id}"),
            None,
            None,
        )
        .await;
    assert_eq!(audit["total"], 6);
    let audit = fod
        .ok(
            Method::GET,
            "/auditEvents?entityType=recommendation",
            None,
            None,
        )
        .await;
    assert_eq!(audit["total"], 2);
    app.stop().await;
}

#[actix_web::test]
async fn the_evaluation_context_states_the_expected_figures() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let data = data_set(&fod, &police).await;
    let created = fod
        .ok(
            Method::POST,
            "/evaluations",
            Some(json!({"planId": PLAN, "clusterId": "3", "round": "interim", "period": {"from": "2017S1", "to": "2017S2"},
                        "scores": complete_scores(), "overallRating": "partial", "findings": {"nl": "Gedeeltelijk."}})),
            None,
        )
        .await;
    let path = format!("/evaluations/{}", created["id"].as_str().unwrap());
    fod.ok(
        Method::POST,
        &format!("{path}/publish"),
        None,
        Some("\"1\""),
    )
    .await;
    let context = evaluator
        .ok(Method::GET, &format!("{path}/context"), None, None)
        .await;
    assert_eq!(context["evaluationId"], created["id"]);
    let report = &context["report"];
    assert_eq!(report["period"], "2017S2");
    // Only cluster 3: A onTrack 40 (1), B delayed 10 (2), C not reported.
    let totals = &report["totals"];
    assert_eq!(totals["actions"], 3);
    assert_eq!(totals["progress"], 20.0);
    assert_eq!(
        totals["byStatus"],
        json!({"cancelled": 0, "completed": 0, "delayed": 1, "notReported": 1, "notStarted": 0, "onTrack": 1})
    );
    assert_eq!(totals["reportingRate"], 0.67);
    assert_eq!(report["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(report["clusters"][0]["objectives"][0]["code"], "3.1");
    // The trend over the periods covered: in 2017S1 only A (20) was reported, 1 of 3 due.
    assert_eq!(
        context["trend"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (
                p["period"].clone(),
                p["progress"].clone(),
                p["reportingRate"].clone()
            ))
            .collect::<Vec<_>>(),
        [
            (json!("2017S1"), json!(20.0), json!(0.33)),
            (json!("2017S2"), json!(20.0), json!(0.67))
        ]
    );
    // The indicator against its target: 12 against 10, to increase.
    assert_eq!(context["indicators"].as_array().unwrap().len(), 1);
    let labs = &context["indicators"][0];
    assert_eq!(labs["indicatorId"], data.labs["id"]);
    assert_eq!(
        (labs["name"]["nl"].clone(), labs["unit"].clone()),
        (json!("Ontmantelde labs"), json!("labs"))
    );
    assert_eq!(
        (
            labs["target"].clone(),
            labs["actual"].clone(),
            labs["onTrack"].clone()
        ),
        (json!(10.0), json!(12.0), json!(true))
    );
    // C is the one due without a report.
    assert_eq!(
        context["missingReports"],
        json!([{"actionId": data.c["id"], "code": "C", "leadOrganisationId": "federale-politie"}])
    );
    // A theme evaluation needs a theme of the plan; a cluster and a theme together are refused.
    let problem = assert_problem(
        fod.send(
            Method::POST,
            "/evaluations",
            Some(json!({"planId": PLAN, "clusterId": "3", "themeId": "x", "round": "final", "period": {"from": "2016S1", "to": "2015S2"}})),
            None,
        )
        .await,
        400,
        "badRequest",
    )
    .await;
    let names: Vec<&str> = problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"themeId") && names.contains(&"period.to"),
        "{names:?}"
    );
    let _ = (&data.a, &data.b, &data.d);
    app.stop().await;
}
