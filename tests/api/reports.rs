//! The progress report against a data set whose figures this test states.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Creates a follow-up as the federal police and has FOD Justitie approve it (or only submit).
async fn report(
    reporter: &Session<'_>,
    fod: &Session<'_>,
    action: &Value,
    period: &str,
    body: Value,
    approve: bool,
) -> Value {
    common::report_follow_up(reporter, fod, &action["id"], period, body, approve).await
}

#[actix_web::test]
async fn the_progress_report_states_the_expected_figures() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let objective = |cluster: Option<&str>, code: &str| {
        let mut body = json!({"planId": "kiv-2016-2019", "code": code, "level": "strategic", "title": {"nl": format!("Doelstelling {code}")}});
        if let Some(cluster) = cluster {
            body["clusterId"] = json!(cluster);
        }
        body
    };
    let drugs = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(objective(Some("3"), "3")),
            None,
        )
        .await;
    let environment = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(objective(Some("8"), "8")),
            None,
        )
        .await;
    let transversal = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(objective(None, "T")),
            None,
        )
        .await;
    let action = |objective: &Value, code: &str, weight: f64, end: &str| {
        json!({"objectiveId": objective["id"], "code": code, "title": {"nl": code}, "leadOrganisationId": "federale-politie",
               "plannedStart": "2016-01-01", "plannedEnd": end, "weight": weight})
    };
    let a = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&drugs, "A", 1.0, "2019-12-31")),
            None,
        )
        .await;
    let b = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&drugs, "B", 2.0, "2019-12-31")),
            None,
        )
        .await;
    let c = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&drugs, "C", 1.0, "2019-12-31")),
            None,
        )
        .await;
    let d = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&environment, "D", 1.0, "2019-12-31")),
            None,
        )
        .await;
    fod.ok(
        Method::POST,
        "/actions",
        Some(action(&environment, "F", 1.0, "2016-12-31")),
        None,
    )
    .await;
    fod.ok(
        Method::POST,
        "/actions",
        Some(action(&transversal, "E", 1.0, "2019-12-31")),
        None,
    )
    .await;
    let labs = fod.ok(Method::POST, "/indicators", Some(json!({"actionId": a["id"], "name": {"nl": "Labs"}, "measure": "number", "direction": "increase", "targets": [{"period": "2017S2", "value": 30}]})), None).await;
    fod.ok(Method::POST, "/indicators", Some(json!({"objectiveId": environment["id"], "name": {"nl": "Dumpingen"}, "measure": "number", "direction": "decrease", "targets": [{"period": "2017S1", "value": 10}]})), None).await;

    let first = report(
        &police,
        &fod,
        &a,
        "2017S1",
        json!({"status": "onTrack", "progress": 40}),
        true,
    )
    .await;
    let moment = first["reviewedAt"].as_str().unwrap().to_owned();
    report(&police, &fod, &a, "2017S2", json!({"status": "onTrack", "progress": 60, "indicatorValues": [{"indicatorId": labs["id"], "value": 35}]}), true).await;
    report(
        &police,
        &fod,
        &b,
        "2017S2",
        json!({"status": "delayed", "progress": 20}),
        true,
    )
    .await;
    report(
        &police,
        &fod,
        &c,
        "2017S2",
        json!({"status": "cancelled"}),
        true,
    )
    .await;
    report(
        &police,
        &fod,
        &d,
        "2017S2",
        json!({"status": "onTrack", "progress": 50}),
        false,
    )
    .await;

    let evaluator = Session::new(&app, "demo-evaluator").await;
    let now = evaluator
        .ok(
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&period=2017S2",
            None,
            None,
        )
        .await;
    assert_eq!(
        (now["period"].clone(), now["method"].clone()),
        (json!("2017S2"), json!("weightedMeanOfActions"))
    );
    let totals = &now["totals"];
    assert_eq!(totals["actions"], 6);
    assert_eq!(
        totals["byStatus"],
        json!({"cancelled": 1, "completed": 0, "delayed": 1, "notReported": 3, "notStarted": 0, "onTrack": 1})
    );
    // (1 × 60 + 2 × 20) / 3: the submitted but unapproved follow-up of D does not count.
    assert_eq!(totals["progress"], 33.33);
    assert_eq!(totals["leftOut"], json!({"cancelled": 1, "noProgress": 3}));
    // Due in 2017S2: A, B, C, D, E (F ended in 2016); approved for it: A, B, C.
    assert_eq!(totals["reportingRate"], 0.6);
    // Overdue for 2017S2: planned to end by 2017-12-31 and not completed or cancelled: only F.
    // (Every action of the plan has ended by today; the report of a period does not care.)
    assert_eq!(totals["overdue"], 1);
    assert_eq!(
        totals["indicators"],
        json!({"onTrack": 1, "offTrack": 0, "noData": 1})
    );

    let clusters = now["clusters"].as_array().unwrap();
    assert_eq!(
        clusters.len(),
        11,
        "the plan's ten clusters and the transversal objectives"
    );
    let drugs_report = clusters.iter().find(|c| c["clusterId"] == "3").unwrap();
    assert_eq!(
        drugs_report["name"]["nl"],
        "Geactualiseerd integraal en geïntegreerd drugsbeleid"
    );
    assert_eq!(
        (
            drugs_report["actions"].clone(),
            drugs_report["progress"].clone(),
            drugs_report["reportingRate"].clone()
        ),
        (json!(3), json!(33.33), json!(1.0))
    );
    assert_eq!(drugs_report["objectives"][0]["code"], "3");
    let environment_report = clusters.iter().find(|c| c["clusterId"] == "8").unwrap();
    assert_eq!(environment_report["actions"], 2);
    assert!(environment_report.get("progress").is_none());
    assert_eq!(environment_report["indicators"]["noData"], 1);
    let empty = clusters.iter().find(|c| c["clusterId"] == "1").unwrap();
    assert_eq!(
        (empty["actions"].clone(), empty.get("reportingRate")),
        (json!(0), None)
    );
    assert!(clusters.last().unwrap().get("clusterId").is_none());

    // A signed link opens the same report without a token; a changed parameter or an expired
    // link does not.
    let link = evaluator
        .ok(Method::POST, "/reports/links", Some(json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019", "period": "2017S2"}})), None)
        .await;
    let url = link["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&app.url("/reports/progress?")));
    let opened: Value = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(opened["totals"], now["totals"]);
    let tampered = app
        .client
        .get(url.replace("period=2017S2", "period=2017S1"))
        .send()
        .await
        .unwrap();
    assert_problem(tampered, 401, "kiv:invalidLink").await;
    let elsewhere = app
        .client
        .get(url.replace("/reports/progress", "/reports/compliance"))
        .send()
        .await
        .unwrap();
    assert_problem(elsewhere, 401, "kiv:invalidLink").await;
    let short = evaluator
        .ok(Method::POST, "/reports/links", Some(json!({"report": "trend", "parameters": {"planId": "kiv-2016-2019"}, "expiresInSeconds": 1})), None)
        .await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = app
        .client
        .get(short["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_problem(expired, 403, "kiv:expiredLink").await;
    let body = assert_problem(
        evaluator.send(Method::POST, "/reports/links", Some(json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019", "secret": "x"}})), None).await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(body["issues"][0]["name"], "parameters.secret");
    assert_problem(
        police
            .send(
                Method::POST,
                "/reports/links",
                Some(json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019"}})),
                None,
            )
            .await,
        403,
        "missingScope",
    )
    .await;

    // The same figures as flat CSV rows, names in the language asked for.
    let csv = app
        .request(
            Method::GET,
            "/reports/progress.csv?planId=kiv-2016-2019&period=2017S2",
            &evaluator.token,
        )
        .header("Accept-Language", "fr-BE")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 1 + 11 + 3,
        "header, totals, clusters, objectives"
    );
    assert!(lines[0].starts_with("level,clusterId,objectiveId,code,name,actions,notStarted,onTrack,delayed,completed,cancelled,notReported,progress"));
    assert!(
        lines[1].starts_with(
            "total,,,,kiv-2016-2019,6,0,1,1,0,1,3,33.33,weightedMeanOfActions,1,3,0.6,1,1,0,1"
        ),
        "{}",
        lines[1]
    );
    let drugs_row = lines.iter().find(|l| l.starts_with("cluster,3,")).unwrap();
    assert!(
        drugs_row.contains("Politique intégrale et intégrée actualisée en matière de drogues,3,"),
        "{drugs_row}"
    );

    // An earlier period: statuses as they stood then.
    let s1 = evaluator
        .ok(
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&period=2017S1",
            None,
            None,
        )
        .await;
    assert_eq!(
        (
            s1["totals"]["progress"].clone(),
            s1["totals"]["byStatus"]["notReported"].clone()
        ),
        (json!(40.0), json!(5))
    );

    // Reproducible: as of the moment the first follow-up was approved, only that one counts.
    let url = format!(
        "/reports/progress?planId=kiv-2016-2019&period=2017S2&asOf={}",
        moment.replace('+', "%2B")
    );
    let then = evaluator.ok(Method::GET, &url, None, None).await;
    assert_eq!(
        (
            then["totals"]["progress"].clone(),
            then["totals"]["reportingRate"].clone()
        ),
        (json!(40.0), json!(0.0))
    );
    assert_eq!(then["totals"]["byStatus"]["onTrack"], 1);
    let filtered = evaluator
        .ok(
            Method::GET,
            "/reports/progress?planId=kiv-2016-2019&period=2017S2&clusterId=3",
            None,
            None,
        )
        .await;
    assert_eq!(
        (
            filtered["totals"]["actions"].clone(),
            filtered["clusters"].as_array().unwrap().len()
        ),
        (json!(3), 1)
    );

    // The trend: each period's report as of now, though everything was approved after 2019.
    let trend = evaluator
        .ok(
            Method::GET,
            "/reports/trend?planId=kiv-2016-2019",
            None,
            None,
        )
        .await;
    let points = trend["points"].as_array().unwrap();
    let periods: Vec<&str> = points
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        ["2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2"]
    );
    assert!(points[1].get("progress").is_none());
    assert_eq!(points[1]["byStatus"]["notReported"], 6);
    assert_eq!(
        (points[2]["progress"].clone(), points[2]["asOf"].clone()),
        (json!(40.0), trend["asOf"].clone())
    );
    assert_eq!(points[3]["progress"], 33.33);
    assert_eq!(points[7]["progress"], 33.33);
    let cluster_trend = evaluator
        .ok(
            Method::GET,
            "/reports/trend?planId=kiv-2016-2019&clusterId=8",
            None,
            None,
        )
        .await;
    assert_eq!(cluster_trend["points"][3]["actions"], 2);

    // Indicators: values per period against the target in force.
    let indicators = evaluator
        .ok(
            Method::GET,
            "/reports/indicators?planId=kiv-2016-2019",
            None,
            None,
        )
        .await;
    let lines = indicators["indicators"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    let labs_line = lines
        .iter()
        .find(|l| l["indicatorId"] == labs["id"])
        .unwrap();
    assert_eq!(
        labs_line["values"],
        json!([{"period": "2017S2", "value": 35.0, "target": 30.0, "onTrack": true}])
    );
    assert_eq!(
        (labs_line["onTrack"].clone(), labs_line["clusterId"].clone()),
        (json!(true), json!("3"))
    );
    let dumping = lines
        .iter()
        .find(|l| l["indicatorId"] != labs["id"])
        .unwrap();
    assert_eq!(
        (dumping["values"].clone(), dumping.get("onTrack")),
        (json!([]), None)
    );
    let only_environment = evaluator
        .ok(
            Method::GET,
            "/reports/indicators?planId=kiv-2016-2019&clusterId=8",
            None,
            None,
        )
        .await;
    assert_eq!(only_environment["indicators"].as_array().unwrap().len(), 1);

    // Compliance for 2017S2, worst first: the prosecutors' new action has no report at all.
    fod.ok(Method::POST, "/actions", Some(json!({"objectiveId": drugs["id"], "code": "G", "title": {"nl": "G"}, "leadOrganisationId": "college-procureurs-generaal", "plannedStart": "2017-01-01", "plannedEnd": "2018-12-31"})), None).await;
    let compliance = fod
        .ok(
            Method::GET,
            "/reports/compliance?planId=kiv-2016-2019&period=2017S2",
            None,
            None,
        )
        .await;
    assert_eq!(
        compliance["organisations"],
        json!([
            {"organisationId": "college-procureurs-generaal", "name": {"nl": "College van procureurs-generaal", "fr": "Collège des procureurs généraux", "de": "Kollegium der Generalprokuratoren", "en": "Board of Prosecutors General"},
             "due": 1, "submitted": 0, "approved": 0, "missing": 1, "rate": 0.0},
            {"organisationId": "federale-politie", "name": {"nl": "Federale Politie", "fr": "Police fédérale", "de": "Föderale Polizei", "en": "Federal Police"},
             "due": 4, "submitted": 1, "approved": 2, "missing": 1, "rate": 0.75}
        ])
    );

    assert_problem(
        police
            .send(
                Method::GET,
                "/reports/progress?planId=kiv-2016-2019",
                None,
                None,
            )
            .await,
        403,
        "missingScope",
    )
    .await;
    assert_problem(
        evaluator
            .send(
                Method::GET,
                "/reports/progress?planId=kiv-2016-2019&period=2020S1",
                None,
                None,
            )
            .await,
        400,
        "badRequest",
    )
    .await;
    assert_problem(
        evaluator
            .send(Method::GET, "/reports/progress?planId=kiv-2099", None, None)
            .await,
        404,
        "resourceNotFound",
    )
    .await;
    assert_problem(
        evaluator
            .send(
                Method::GET,
                "/reports/progress?planId=kiv-2016-2019&asOf=yesterday",
                None,
                None,
            )
            .await,
        400,
        "badRequest",
    )
    .await;
    app.stop().await;
}
