//! Follow-ups in bulk: the JSON batch, the CSV import in both modes, refused files, idempotent
//! re-imports and the export → import round trip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{assert_problem, TestApp};
use kiv_domain::{Caller, LocalizedText, ObjectiveLevel, Role};
use kiv_store::planning::{actions, indicators, objectives};
use reqwest::Method;
use serde_json::{json, Value};

struct Register {
    action_ids: Vec<String>,
    number_indicator: String,
    qualitative_indicator: String,
}

/// `n` actions of the federal police with external ids `FGP-0`.., an indicator on the first and
/// one on their objective.
fn register(app: &TestApp, n: usize) -> Register {
    let caller = Caller {
        login: "demo-coordinator".into(),
        organisation_id: "fod-justitie".into(),
        roles: vec![Role::Coordinator],
    };
    let text = |t: &str| LocalizedText {
        nl: Some(t.into()),
        ..Default::default()
    };
    let mut conn = app.database.connection().unwrap();
    let objective = objectives::create(
        &mut conn,
        &caller,
        objectives::ObjectiveInput {
            plan_id: "kiv-2016-2019".into(),
            cluster_id: Some("7".into()),
            parent_id: None,
            code: "7".into(),
            level: ObjectiveLevel::Strategic,
            title: text("Eigendomscriminaliteit"),
            description: None,
            theme_ids: vec![],
            owner_organisation_ids: vec![],
        },
    )
    .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
    let action_ids: Vec<String> = (0..n)
        .map(|i| {
            actions::create(
                &mut conn,
                &caller,
                actions::ActionInput {
                    objective_id: objective.id.clone(),
                    code: format!("7.{i}"),
                    title: text(&format!("Actie {i}")),
                    description: None,
                    lead_organisation_id: "federale-politie".into(),
                    partner_organisation_ids: vec![],
                    theme_ids: vec![],
                    planned_start: start,
                    planned_end: chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(),
                    weight: 1.0,
                    external_id: Some(format!("FGP-{i}")),
                },
            )
            .unwrap()
            .id
        })
        .collect();
    let number_indicator = indicators::create(
        &mut conn,
        &caller,
        indicators::IndicatorInput {
            objective_id: None,
            action_id: Some(action_ids[0].clone()),
            name: text("Inbraken"),
            unit: None,
            measure: kiv_domain::IndicatorMeasure::Number,
            direction: kiv_domain::IndicatorDirection::Decrease,
            baseline: None,
            targets: vec![],
        },
    )
    .unwrap()
    .id;
    let qualitative_indicator = indicators::create(
        &mut conn,
        &caller,
        indicators::IndicatorInput {
            objective_id: Some(objective.id),
            action_id: None,
            name: text("Samenwerking"),
            unit: None,
            measure: kiv_domain::IndicatorMeasure::Qualitative,
            direction: kiv_domain::IndicatorDirection::Maintain,
            baseline: None,
            targets: vec![],
        },
    )
    .unwrap()
    .id;
    Register {
        action_ids,
        number_indicator,
        qualitative_indicator,
    }
}

async fn total(app: &TestApp, token: &str) -> i64 {
    let page: Value = app
        .request(Method::GET, "/followUps", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["total"].as_i64().unwrap()
}

async fn import(app: &TestApp, token: &str, mode: &str, csv: &str) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/imports/followUps?mode={mode}"),
        token,
    )
    .header("Content-Type", "text/csv")
    .body(csv.to_owned())
    .send()
    .await
    .unwrap()
}

#[actix_web::test]
async fn a_json_batch_applies_all_or_each() {
    let app = TestApp::spawn().await;
    let r = register(&app, 3);
    let token = app.token("demo-federale-politie").await;
    let row = |i: usize, progress: i64| json!({"actionId": r.action_ids[i], "period": "2017S1", "status": "onTrack", "progress": progress});
    let post = |mode: &str, body: Value| {
        app.request(
            Method::POST,
            &format!("/followUps/batch?mode={mode}"),
            &token,
        )
        .json(&body)
        .send()
    };

    // A bad row in the middle: atomic refuses the whole batch and says which row and field.
    let bad = json!([row(0, 10), row(1, 140), row(2, 30)]);
    let problem = assert_problem(
        post("atomic", bad.clone()).await.unwrap(),
        400,
        "badRequest",
    )
    .await;
    let issue = &problem["issues"][0];
    assert_eq!(
        (issue["name"].clone(), issue["value"].clone()),
        (json!("rows[2].progress"), json!(140.0))
    );
    assert_eq!(total(&app, &token).await, 0);

    // Partial applies the good rows and reports the bad one.
    let report: Value = post("partial", bad).await.unwrap().json().await.unwrap();
    assert_eq!(
        (report["created"].clone(), report["refused"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(report["rows"][1]["outcome"], "refused");
    assert_eq!(report["rows"][1]["issues"][0]["name"], "progress");
    assert_eq!(report["rows"][0]["outcome"], "created");
    assert!(report["rows"][0]["href"]
        .as_str()
        .unwrap()
        .contains("/followUps/"));
    assert_eq!(total(&app, &token).await, 2);

    // Sending it again changes nothing; the corrected row is created, a changed one updated.
    let fixed = json!([row(0, 10), row(1, 20), row(2, 35)]);
    let report: Value = post("atomic", fixed).await.unwrap().json().await.unwrap();
    assert_eq!(
        (
            report["unchanged"].clone(),
            report["created"].clone(),
            report["updated"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    let again: Value = post("atomic", json!([row(0, 10), row(1, 20), row(2, 35)]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["unchanged"], 3);
    assert_eq!(total(&app, &token).await, 3);

    let too_many: Vec<Value> = (0..1001).map(|_| row(0, 10)).collect();
    let problem = assert_problem(
        post("atomic", json!(too_many)).await.unwrap(),
        400,
        "badRequest",
    )
    .await;
    assert!(problem["issues"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("1000"));
    app.stop().await;
}

#[actix_web::test]
async fn a_csv_file_imports_by_external_id_in_both_modes() {
    let app = TestApp::spawn().await;
    let r = register(&app, 3);
    let token = app.token("demo-federale-politie").await;
    let header = format!("actionExternalId,organisationId,period,status,progress,narrativeNl,narrativeFr,indicator:{},indicator:{}", r.number_indicator, r.qualitative_indicator);
    let good = format!("{header}\nFGP-0,federale-politie,2017S1,onTrack,40,\"Twee eenheden, operationeel\",Deux unités,12,goed\nFGP-1,federale-politie,2017S1,delayed,10,Vertraagd,,,\nFGP-2,federale-politie,2017S1,completed,,Klaar,,,\"zeer goed\"\n");
    let bad_middle = good.replace(
        "FGP-1,federale-politie,2017S1,delayed,10",
        "FGP-1,federale-politie,2020S1,delayed,10",
    );

    let problem = assert_problem(
        import(&app, &token, "atomic", &bad_middle).await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(problem["issues"][0]["name"], "rows[2].period");
    assert_eq!(
        problem["issues"][0]["type"],
        "urn:problem-type:kiv:periodOutsidePlan"
    );
    assert_eq!(
        total(&app, &token).await,
        0,
        "an atomic import with a bad line wrote something"
    );

    let report: Value = import(&app, &token, "partial", &bad_middle)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (report["created"].clone(), report["refused"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(report["rows"][1]["issues"][0]["name"], "period");

    let report: Value = import(&app, &token, "atomic", &good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (report["created"].clone(), report["unchanged"].clone()),
        (json!(1), json!(2))
    );
    let again: Value = import(&app, &token, "atomic", &good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["unchanged"], 3,
        "re-sending the same file changed something"
    );

    let first_id = report["rows"][0]["followUpId"].as_str().unwrap().to_owned();
    let first: Value = app
        .request(Method::GET, &format!("/followUps/{first_id}"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        first["narrative"],
        json!({"nl": "Twee eenheden, operationeel", "fr": "Deux unités"})
    );
    assert_eq!(
        first["indicatorValues"],
        json!([{"indicatorId": r.number_indicator, "value": 12.0}, {"indicatorId": r.qualitative_indicator, "value": "goed"}])
    );
    let third: Value = app
        .request(
            Method::GET,
            &format!(
                "/followUps/{}",
                report["rows"][2]["followUpId"].as_str().unwrap()
            ),
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(third["progress"], 100.0);

    // An action of another organisation is refused per line, not as a whole.
    let zone = app.token("demo-reporter-zone").await;
    let report: Value = import(&app, &zone, "partial", &good.replace("2017S1", "2017S2"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["refused"], 3);
    assert_eq!(
        report["rows"][0]["issues"][0]["type"],
        "urn:problem-type:belgif:missingPermission"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_wrong_file_gets_one_problem_that_says_why() {
    let app = TestApp::spawn().await;
    register(&app, 1);
    let token = app.token("demo-federale-politie").await;
    let cases = [
        ("actionExternalId;organisationId;period;status\nFGP-0;federale-politie;2017S1;notStarted\n".to_owned(), "semicolons"),
        ("actionExternalId\torganisationId\tperiod\tstatus\nFGP-0\tfederale-politie\t2017S1\tnotStarted\n".to_owned(), "tabs"),
        ("actionExternalId,organisationId,period,status,remarks\nFGP-0,federale-politie,2017S1,notStarted,x\n".to_owned(), "unknown column(s) remarks"),
        ("actionExternalId,period,status\nFGP-0,2017S1,notStarted\n".to_owned(), "missing column(s): actionId"),
        ("actionId,period,status,status\nx,2017S1,notStarted,onTrack\n".to_owned(), "appears twice"),
    ];
    for (file, expected) in cases {
        let problem = assert_problem(
            import(&app, &token, "atomic", &file).await,
            400,
            "badRequest",
        )
        .await;
        assert_eq!(problem["issues"].as_array().unwrap().len(), 1, "{expected}");
        assert!(
            problem["issues"][0]["detail"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{problem}"
        );
    }
    // Latin-1, as a spreadsheet might save it.
    let latin1: Vec<u8> = b"actionExternalId,organisationId,period,status,narrativeFr\nFGP-0,federale-politie,2017S1,notStarted,d\xe9j\xe0\n".to_vec();
    let response = app
        .request(Method::POST, "/imports/followUps", &token)
        .header("Content-Type", "text/csv")
        .body(latin1)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 400, "badRequest").await;
    assert!(problem["issues"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("not UTF-8"));
    let response = app
        .request(Method::POST, "/imports/followUps", &token)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415, "unsupportedMediaType").await;
    assert_eq!(total(&app, &token).await, 0);
    app.stop().await;
}

#[actix_web::test]
async fn an_export_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    let r = register(&app, 40);
    let token = app.token("demo-federale-politie").await;
    let rows: Vec<Value> = r
        .action_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut row = json!({"actionId": id, "period": "2018S1", "status": "onTrack", "progress": i, "narrative": {"nl": format!("Stand {i}, \"goed\"")}});
            if i == 0 {
                row["indicatorValues"] = json!([{"indicatorId": r.number_indicator, "value": 7.5}, {"indicatorId": r.qualitative_indicator, "value": "matig"}]);
            }
            row
        })
        .collect();
    let report: Value = app
        .request(Method::POST, "/followUps/batch", &token)
        .json(&json!(rows))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["created"], 40);

    let response = app
        .request(Method::GET, "/followUps?period=2018S1", &token)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let exported = response.text().await.unwrap();
    assert_eq!(
        exported.lines().count(),
        41,
        "all 40 follow-ups, not one page"
    );
    assert!(exported.starts_with(
        "actionId,actionExternalId,organisationId,period,status,progress,narrativeNl"
    ));

    let report: Value = import(&app, &token, "atomic", &exported)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], 40, "{report}");
    let edited = exported.replacen(",2018S1,onTrack,0,", ",2018S1,delayed,5,", 1);
    let report: Value = import(&app, &token, "atomic", &edited)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (report["updated"].clone(), report["unchanged"].clone()),
        (json!(1), json!(39))
    );
    let via_query = app
        .request(Method::GET, "/followUps?format=csv", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(via_query.contains(",delayed,5,"));
    assert_problem(
        app.request(Method::GET, "/followUps?format=xml", &token)
            .send()
            .await
            .unwrap(),
        400,
        "badRequest",
    )
    .await;
    app.stop().await;
}
