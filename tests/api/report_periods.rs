//! A report for a period says what was known of that period at the report's moment, and nothing
//! of the day it is pulled or of later periods: the trend agrees with the reports, overdue is
//! relative to the period, judgements are the period's own, objectives roll up their tree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PLAN: &str = "kiv-2016-2019";

async fn objective(fod: &Session<'_>, code: &str, level: &str, parent: Option<&Value>) -> Value {
    let mut body = json!({"planId": PLAN, "clusterId": "3", "code": code, "level": level,
                          "title": {"nl": format!("Doelstelling {code}")}});
    if let Some(parent) = parent {
        body["parentId"] = parent["id"].clone();
    }
    fod.ok(Method::POST, "/objectives", Some(body), None).await
}

async fn action(fod: &Session<'_>, objective: &Value, code: &str, end: &str) -> Value {
    let body = json!({"objectiveId": objective["id"], "code": code, "title": {"nl": code},
                      "leadOrganisationId": "federale-politie",
                      "plannedStart": "2016-01-01", "plannedEnd": end});
    fod.ok(Method::POST, "/actions", Some(body), None).await
}

/// The ETag of the record at `path`, as read now.
async fn etag(session: &Session<'_>, path: &str) -> String {
    let response = session.send(Method::GET, path, None, None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.headers()["etag"].to_str().unwrap().to_owned()
}

/// Publishes the cluster follow-up or evaluation at `path`.
async fn publish(fod: &Session<'_>, path: &str) -> Value {
    let tag = etag(fod, path).await;
    fod.ok(
        Method::POST,
        &format!("{path}/publish"),
        None,
        Some(tag.as_str()),
    )
    .await
}

async fn progress(evaluator: &Session<'_>, query: &str) -> Value {
    evaluator
        .ok(
            Method::GET,
            &format!("/reports/progress?planId={PLAN}&{query}"),
            None,
            None,
        )
        .await
}

/// Follow-ups are written and approved after their period, as in real life (here: today, years
/// after 2016-2019). Every trend point is the progress report of its period as of the same
/// moment, on the trend report and on the printable page alike.
#[actix_web::test]
async fn the_trend_is_the_progress_report_of_each_period_at_one_moment() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let strategic = objective(&fod, "S", "strategic", None).await;
    let a = action(&fod, &strategic, "A", "2019-12-31").await;
    let b = action(&fod, &strategic, "B", "2019-12-31").await;
    for (action, period, progress) in [(&a, "2016S2", 20), (&a, "2017S2", 60), (&b, "2017S1", 10)] {
        common::report_follow_up(
            &police,
            &fod,
            &action["id"],
            period,
            json!({"status": "onTrack", "progress": progress}),
            true,
        )
        .await;
    }

    let trend = evaluator
        .ok(
            Method::GET,
            &format!("/reports/trend?planId={PLAN}&clusterId=3"),
            None,
            None,
        )
        .await;
    let as_of = trend["asOf"].as_str().unwrap().to_owned();
    let points = trend["points"].as_array().unwrap();
    assert_eq!(points.len(), 8, "every period of the plan has begun");
    // Approved today, for their periods: they count there.
    assert_eq!(points[1]["progress"], 20.0, "{}", points[1]);
    assert_eq!(points[2]["progress"], 15.0);
    assert_eq!(points[3]["progress"], 35.0);
    for point in points {
        assert_eq!(point["asOf"], as_of.as_str());
        let report = progress(
            &evaluator,
            &format!(
                "clusterId=3&period={}&asOf={}",
                point["period"].as_str().unwrap(),
                as_of.replace('+', "%2B")
            ),
        )
        .await;
        let mut expected = report["totals"].clone();
        expected["period"] = point["period"].clone();
        expected["asOf"] = point["asOf"].clone();
        assert_eq!(point, &expected, "trend point {}", point["period"]);
    }

    // A trend as of a past moment counts only what was approved by then.
    let before = evaluator
        .ok(
            Method::GET,
            &format!("/reports/trend?planId={PLAN}&clusterId=3&asOf=2020-01-01"),
            None,
            None,
        )
        .await;
    assert_eq!(before["asOf"], "2020-01-01T23:59:59.999999Z");
    assert!(before["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["byStatus"]["notReported"] == 2));
    assert_problem(
        evaluator
            .send(
                Method::GET,
                &format!("/reports/trend?planId={PLAN}&asOf=2999-01-01"),
                None,
                None,
            )
            .await,
        400,
        "badRequest",
    )
    .await;

    // The printable page's line ends on the report's own totals.
    let page = app
        .client
        .get(app.url(&format!(
            "/reports/progress.html?planId={PLAN}&clusterId=3&period=2017S2"
        )))
        .bearer_auth(&evaluator.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let points_on_page: Vec<&str> = page
        .split("<title>")
        .skip(1)
        .filter_map(|t| t.split("</title>").next())
        .filter(|t| t.starts_with("2017S2"))
        .collect();
    assert!(
        points_on_page.iter().all(|t| t.contains("35")),
        "{points_on_page:?}"
    );
    app.stop().await;
}

/// Overdue is judged against the report's period, so a report of 2016S2 pulled today says what
/// it said at the end of 2016; and an `asOf` in the future is refused, naming it.
#[actix_web::test]
async fn overdue_is_relative_to_the_period_and_reports_never_look_ahead() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let strategic = objective(&fod, "S", "strategic", None).await;
    let early = action(&fod, &strategic, "EARLY", "2016-12-31").await;
    action(&fod, &strategic, "LATE", "2019-12-31").await;
    let done = action(&fod, &strategic, "DONE", "2016-06-30").await;
    common::report_follow_up(
        &police,
        &fod,
        &done["id"],
        "2016S1",
        json!({"status": "completed", "progress": 100}),
        true,
    )
    .await;

    let overdue = |report: &Value| report["totals"]["overdue"].clone();
    // 2016S1: nothing planned to end by 2016-06-30 is open (DONE is completed).
    assert_eq!(overdue(&progress(&evaluator, "period=2016S1").await), 0);
    // 2016S2: EARLY was planned to end by the end of the period and is not reported completed.
    assert_eq!(overdue(&progress(&evaluator, "period=2016S2").await), 1);
    assert_eq!(overdue(&progress(&evaluator, "period=2018S2").await), 1);
    // 2019S2: LATE too; DONE never.
    assert_eq!(overdue(&progress(&evaluator, "period=2019S2").await), 2);
    // Completing EARLY in 2017S1 clears it from that period on, not before.
    common::report_follow_up(
        &police,
        &fod,
        &early["id"],
        "2017S1",
        json!({"status": "completed", "progress": 100}),
        true,
    )
    .await;
    assert_eq!(overdue(&progress(&evaluator, "period=2016S2").await), 1);
    assert_eq!(overdue(&progress(&evaluator, "period=2017S1").await), 0);

    for future in ["2999-01-01", "2999-01-01T00:00:00Z"] {
        let problem = assert_problem(
            evaluator
                .send(
                    Method::GET,
                    &format!("/reports/progress?planId={PLAN}&asOf={future}"),
                    None,
                    None,
                )
                .await,
            400,
            "badRequest",
        )
        .await;
        assert_eq!(problem["issues"][0]["name"], "asOf");
        assert_eq!(problem["issues"][0]["in"], "query");
    }
    // Today's date stands for now: accepted, and the report says which moment it used.
    let today = chrono::Utc::now().date_naive().to_string();
    let report = progress(&evaluator, &format!("period=2019S2&asOf={today}")).await;
    let used: chrono::DateTime<chrono::Utc> = report["asOf"].as_str().unwrap().parse().unwrap();
    assert!(used <= chrono::Utc::now());
    app.stop().await;
}

/// A report of a period shows the FODs' assessment of that period only, and only evaluations
/// covering it or ended before it.
#[actix_web::test]
async fn a_period_report_shows_only_judgements_that_apply_to_it() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let strategic = objective(&fod, "S", "strategic", None).await;
    action(&fod, &strategic, "A", "2019-12-31").await;

    for (period, assessment) in [("2016S2", "onTrack"), ("2017S2", "offTrack")] {
        let created = fod
            .ok(
                Method::POST,
                "/clusterFollowUps",
                Some(json!({"planId": PLAN, "clusterId": "3", "period": period,
                            "assessment": assessment, "narrative": {"nl": "Stand van zaken."}})),
                None,
            )
            .await;
        publish(
            &fod,
            &format!("/clusterFollowUps/{}", created["id"].as_str().unwrap()),
        )
        .await;
    }
    let scores = json!({
        "relevance": {"score": 4}, "coherence": {"score": 3}, "effectiveness": {"score": 2},
        "efficiency": {"score": 3}, "impact": {"score": 2}, "sustainability": {"score": 3}
    });
    let evaluation = fod
        .ok(
            Method::POST,
            "/evaluations",
            Some(json!({"planId": PLAN, "clusterId": "3", "round": "midTerm",
                        "period": {"from": "2017S1", "to": "2017S2"},
                        "evaluatingOrganisationIds": ["fod-justitie"],
                        "scores": scores, "overallRating": "partial",
                        "findings": {"nl": "Gedeeltelijk bereikt."}})),
            None,
        )
        .await;
    publish(
        &fod,
        &format!("/evaluations/{}", evaluation["id"].as_str().unwrap()),
    )
    .await;

    let drugs = |report: &Value| {
        report["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["clusterId"] == "3")
            .unwrap()
            .clone()
    };
    let of_2016s2 = drugs(&progress(&evaluator, "period=2016S2").await);
    assert_eq!(of_2016s2["assessment"]["value"], "onTrack");
    assert_eq!(of_2016s2["assessment"]["period"], "2016S2");
    assert!(
        of_2016s2.get("evaluation").is_none(),
        "the 2017 evaluation does not judge 2016: {of_2016s2}"
    );
    // 2017S1 has no assessment of its own; the evaluation covers it.
    let of_2017s1 = drugs(&progress(&evaluator, "period=2017S1").await);
    assert!(of_2017s1.get("assessment").is_none(), "{of_2017s1}");
    assert_eq!(of_2017s1["evaluation"]["value"], "partial");
    let of_2017s2 = drugs(&progress(&evaluator, "period=2017S2").await);
    assert_eq!(of_2017s2["assessment"]["value"], "offTrack");
    assert_eq!(of_2017s2["assessment"]["period"], "2017S2");
    // Later periods: the evaluation ended before them and still stands; no assessment of theirs.
    let of_2018s2 = drugs(&progress(&evaluator, "period=2018S2").await);
    assert!(of_2018s2.get("assessment").is_none());
    assert_eq!(of_2018s2["evaluation"]["period"], "2017S2");
    app.stop().await;
}

/// An objective's row counts what hangs under it: a strategic objective is the sum of its
/// operational objectives (and its own actions), computed like a cluster.
#[actix_web::test]
async fn objective_rows_roll_up_their_tree() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let strategic = objective(&fod, "S", "strategic", None).await;
    let first = objective(&fod, "S.1", "operational", Some(&strategic)).await;
    let second = objective(&fod, "S.2", "operational", Some(&strategic)).await;
    let own = action(&fod, &strategic, "OWN", "2019-12-31").await;
    let a = action(&fod, &first, "A", "2019-12-31").await;
    let b = action(&fod, &second, "B", "2019-12-31").await;
    action(&fod, &second, "C", "2019-12-31").await;
    for (action, progress) in [(&own, 10), (&a, 40), (&b, 70)] {
        common::report_follow_up(
            &police,
            &fod,
            &action["id"],
            "2017S2",
            json!({"status": "onTrack", "progress": progress}),
            true,
        )
        .await;
    }
    let indicator = json!({"objectiveId": second["id"], "name": {"nl": "Aantal"},
                           "measure": "number", "direction": "increase"});
    fod.ok(Method::POST, "/indicators", Some(indicator), None)
        .await;

    let report = progress(&evaluator, "period=2017S2&clusterId=3").await;
    let rows = report["clusters"][0]["objectives"].as_array().unwrap();
    let row = |code: &str| rows.iter().find(|o| o["code"] == code).unwrap().clone();
    let top = row("S");
    assert_eq!(top["actions"], 4);
    assert_eq!(top["progress"], 40.0, "(10 + 40 + 70) / 3");
    assert_eq!(top["byStatus"]["notReported"], 1);
    assert_eq!(top["indicators"]["noData"], 1);
    assert_eq!(
        (top["actions"].clone(), top["progress"].clone()),
        (
            report["clusters"][0]["actions"].clone(),
            report["clusters"][0]["progress"].clone()
        ),
        "the only strategic objective is the whole cluster"
    );
    assert_eq!(row("S.1")["actions"], 1);
    assert_eq!(row("S.2")["actions"], 2);
    assert_eq!(row("S.2")["progress"], 70.0);
    app.stop().await;
}
