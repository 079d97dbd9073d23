//! Follow-ups in bulk: the JSON batch, the CSV import in both modes, refused files, idempotent
//! re-imports and the export → import round trip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, TestApp};
use kiv_domain::{Caller, LocalizedText, ObjectiveLevel, Role};
use kiv_http::render::csv::neutralise;
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
    // The documented body is an object; the rows are what each case varies.
    let post = |mode: &str, rows: Value| {
        app.request(
            Method::POST,
            &format!("/followUps/batch?mode={mode}"),
            &token,
        )
        .json(&json!({ "followUps": rows }))
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
    // A bare array, as earlier versions took, is read the same way.
    let bare: Value = app
        .request(Method::POST, "/followUps/batch", &token)
        .json(&json!([row(0, 10), row(1, 20), row(2, 35)]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bare["unchanged"], 3, "{bare}");
    // Anything else beside the rows is refused, naming it.
    let problem = assert_problem(
        app.request(Method::POST, "/followUps/batch", &token)
            .json(&json!({"followUps": [], "mode": "partial"}))
            .send()
            .await
            .unwrap(),
        400,
        "badRequest",
    )
    .await;
    assert_eq!(problem["issues"][0]["name"], "mode", "{problem}");

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

/// A form with the parts `(name, content)`, as a browser or a generated client uploads a file.
fn form(parts: &[(&str, &str)]) -> (String, String) {
    let boundary = "kiv-test-boundary-7f3a";
    let mut body = String::new();
    for (name, content) in parts {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.csv\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[actix_web::test]
async fn a_csv_file_uploads_as_the_part_file_of_a_form_too() {
    let app = TestApp::spawn().await;
    register(&app, 2);
    let token = app.token("demo-federale-politie").await;
    let csv = "actionExternalId,organisationId,period,status,progress\nFGP-0,federale-politie,2017S1,onTrack,40\nFGP-1,federale-politie,2017S1,delayed,10\n";
    let upload = |parts: &[(&str, &str)]| {
        let (content_type, body) = form(parts);
        app.request(Method::POST, "/imports/followUps", &token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };

    // A form without the part `file` names it, and changes nothing.
    let problem = assert_problem(
        upload(&[("attachment", csv)]).await.unwrap(),
        400,
        "badRequest",
    )
    .await;
    assert_eq!(problem["issues"][0]["name"], "file", "{problem}");
    assert_eq!(total(&app, &token).await, 0);

    // The part `file` is read as the body would be, beside other parts.
    let report: Value = upload(&[("note", "ignored"), ("file", csv)])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(total(&app, &token).await, 2);
    // The same file as text/csv finds it applied.
    let again: Value = import(&app, &token, "atomic", csv)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["unchanged"], 2, "{again}");
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
    assert_problem(response, 415, "kiv:unsupportedMediaType").await;
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
        .request(Method::GET, "/followUps.csv", &token)
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

/// A CSV text as rows of cells (the header first).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn write_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

async fn post_batch(app: &TestApp, token: &str, mode: &str, rows: Value) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/followUps/batch?mode={mode}"),
        token,
    )
    .json(&json!({ "followUps": rows }))
    .send()
    .await
    .unwrap()
}

/// The names and details of a problem's issues.
fn issues_of(problem: &Value) -> Vec<(String, String, String)> {
    problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["type"].as_str().unwrap().to_owned(),
                i["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn two_rows_for_one_follow_up_are_refused_naming_both() {
    let app = TestApp::spawn().await;
    let r = register(&app, 3);
    let token = app.token("demo-federale-politie").await;
    let row = |i: usize, progress: i64| json!({"actionId": r.action_ids[i], "period": "2017S1", "status": "onTrack", "progress": progress});
    let duplicate = "urn:problem-type:kiv:duplicateRow";

    // A batch: the first and the third row are the same follow-up (whatever else they say).
    let batch = json!([row(0, 10), row(1, 20), row(0, 30)]);
    let problem = assert_problem(
        post_batch(&app, &token, "atomic", batch.clone()).await,
        400,
        "badRequest",
    )
    .await;
    let issues = issues_of(&problem);
    assert_eq!(issues.len(), 2, "{problem}");
    for ((name, kind, detail), expected) in issues.iter().zip(["rows[1]", "rows[3]"]) {
        assert_eq!((name.as_str(), kind.as_str()), (expected, duplicate));
        assert!(
            detail.contains("rows[1] and rows[3]") && detail.contains("7.0"),
            "{detail}"
        );
    }
    assert_eq!(total(&app, &token).await, 0);
    // Partial: both duplicates refused, the other row applied.
    let report: Value = post_batch(&app, &token, "partial", batch)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (report["created"].clone(), report["refused"].clone()),
        (json!(1), json!(2)),
        "{report}"
    );
    for index in [0, 2] {
        assert_eq!(report["rows"][index]["outcome"], "refused");
        assert_eq!(report["rows"][index]["issues"][0]["type"], duplicate);
    }
    assert_eq!(report["rows"][1]["outcome"], "created");
    assert_eq!(total(&app, &token).await, 1);

    // A file naming one action by its external id and again by its id: the same follow-up.
    let file = format!(
        "actionId,actionExternalId,organisationId,period,status,progress\n\
         ,FGP-0,federale-politie,2017S2,onTrack,10\n\
         {},FGP-1,federale-politie,2017S2,onTrack,20\n\
         {},,,2017S2,delayed,30\n\
         ,FGP-2,federale-politie,2017S2,onTrack,40\n",
        r.action_ids[1], r.action_ids[0]
    );
    let problem = assert_problem(
        import(&app, &token, "atomic", &file).await,
        400,
        "badRequest",
    )
    .await;
    let issues = issues_of(&problem);
    assert_eq!(
        issues
            .iter()
            .map(|(name, kind, _)| (name.as_str(), kind.as_str()))
            .collect::<Vec<_>>(),
        vec![("rows[1]", duplicate), ("rows[3]", duplicate)]
    );
    assert!(
        issues[0]
            .2
            .contains("rows[1] (line 2) and rows[3] (line 4)"),
        "{}",
        issues[0].2
    );
    assert_eq!(total(&app, &token).await, 1, "an atomic refusal wrote");
    let report: Value = import(&app, &token, "partial", &file)
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["refused", "created", "refused", "created"]);
    assert_eq!(total(&app, &token).await, 3);
    // The same partial file again: nothing is updated back and forth.
    let again: Value = import(&app, &token, "partial", &file)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["unchanged"].clone(), again["updated"].clone()),
        (json!(2), json!(0)),
        "{again}"
    );

    // An id and an external id that name different actions: refused, not one picked.
    let file = format!(
        "actionId,actionExternalId,organisationId,period,status\n{},FGP-2,federale-politie,2018S1,notStarted\n",
        r.action_ids[0]
    );
    let problem = assert_problem(
        import(&app, &token, "atomic", &file).await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(problem["issues"][0]["name"], "rows[1].actionExternalId");
    assert_eq!(total(&app, &token).await, 3);
    app.stop().await;
}

#[actix_web::test]
async fn an_export_carries_every_field_and_imports_back_exactly() {
    let app = TestApp::spawn().await;
    let r = register(&app, 4);
    let token = app.token("demo-federale-politie").await;
    let fod = app.token("demo-coordinator").await;
    // Every field set, with texts a spreadsheet would take for formulas, blanks at the ends,
    // quotes, commas and line breaks.
    let follow_up = |i: usize| {
        let mut body = json!({
            "actionId": r.action_ids[i],
            "period": "2018S1",
            "status": if i == 3 { "completed" } else { "delayed" },
            "narrative": {
                "nl": format!("=SUM(A{i}:A9) \"goed\", lijn 1\nlijn 2"),
                "fr": format!("+32 2 555 00 {i}"),
                "de": format!("-{i} Einheiten"),
                "en": format!("  @team {i}  "),
            },
            "indicatorValues": [{
                "indicatorId": r.qualitative_indicator,
                "value": format!("=HYPERLINK(\"x\") {i}"),
                "comment": {"nl": format!("@nl {i}"), "fr": format!("-fr {i}"), "de": format!("+de {i}"), "en": format!("=en {i}")},
            }],
        });
        if i != 3 {
            body["progress"] = json!(12.5 + i as f64);
        }
        if i == 0 {
            body["indicatorValues"]
                .as_array_mut()
                .unwrap()
                .push(json!({"indicatorId": r.number_indicator, "value": -0.125, "comment": {"nl": "Per 30 juni"}}));
        }
        body
    };
    let mut ids = Vec::new();
    for i in 0..4 {
        let response = app
            .request(Method::POST, "/followUps", &token)
            .json(&follow_up(i))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let created: Value = response.json().await.unwrap();
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    // Draft (0), submitted (1), returned with a note (2), approved (3).
    let transition = |token: &str, id: &str, step: &str, tag: &str, body: Option<Value>| {
        let mut request = app
            .request(Method::POST, &format!("/followUps/{id}/{step}"), token)
            .header("If-Match", tag);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    for id in &ids[1..] {
        assert_eq!(
            transition(&token, id, "submit", "\"1\"", None)
                .await
                .unwrap()
                .status()
                .as_u16(),
            200
        );
    }
    let returned = transition(
        &fod,
        &ids[2],
        "return",
        "\"2\"",
        Some(json!({"reviewNote": "=Meer cijfers, aub"})),
    )
    .await
    .unwrap();
    assert_eq!(returned.status().as_u16(), 200);
    let approved = transition(&fod, &ids[3], "approve", "\"2\"", None)
        .await
        .unwrap();
    assert_eq!(approved.status().as_u16(), 200);
    let read = |id: String| {
        let app = &app;
        let token = token.clone();
        async move {
            app.request(Method::GET, &format!("/followUps/{id}"), &token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let mut before = Vec::new();
    for id in &ids {
        before.push(read(id.clone()).await);
    }

    let exported = app
        .request(Method::GET, "/followUps.csv?period=2018S1", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows = parse_csv(&exported);
    let header = &rows[0];
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let row_of = |id: &str| rows.iter().position(|row| row[column("id")] == id).unwrap();
    let q = &r.qualitative_indicator;
    let n = &r.number_indicator;
    // Every field a follow-up holds is in the file, as stored; a text a spreadsheet would take
    // for a formula behind a `'` (which the import takes off again).
    let safe = |stored: &Value| neutralise(stored.as_str().unwrap_or("")).into_owned();
    for (i, id) in ids.iter().enumerate() {
        let row = &rows[row_of(id)];
        let cell = |name: &str| row[column(name)].as_str();
        let stored = &before[i];
        assert_eq!(cell("narrativeNl"), safe(&stored["narrative"]["nl"]));
        assert!(
            cell("narrativeNl").starts_with("'="),
            "{}",
            cell("narrativeNl")
        );
        assert_eq!(cell("narrativeFr"), safe(&stored["narrative"]["fr"]));
        assert_eq!(cell("narrativeDe"), safe(&stored["narrative"]["de"]));
        assert_eq!(cell("narrativeEn"), safe(&stored["narrative"]["en"]));
        assert_eq!(cell("narrativeEn"), stored["narrative"]["en"]);
        assert_eq!(
            cell(&format!("indicator:{q}")),
            safe(&stored["indicatorValues"][0]["value"])
        );
        for (suffix, language) in [
            ("commentNl", "nl"),
            ("commentFr", "fr"),
            ("commentDe", "de"),
            ("commentEn", "en"),
        ] {
            assert_eq!(
                cell(&format!("indicator:{q}:{suffix}")),
                safe(&stored["indicatorValues"][0]["comment"][language])
            );
        }
        assert_eq!(cell("state"), stored["state"]);
        assert_eq!(cell("revision"), stored["revision"].to_string());
        assert_eq!(cell("reportingOrganisationId"), stored["organisationId"]);
        assert_eq!(cell("createdBy"), stored["createdBy"]);
        assert_eq!(
            cell("submittedAt"),
            stored["submittedAt"].as_str().unwrap_or("")
        );
        assert_eq!(cell("reviewNote"), safe(&stored["reviewNote"]));
    }
    let first = &rows[row_of(&ids[0])];
    assert_eq!(first[column(&format!("indicator:{n}"))], "-0.125");
    assert_eq!(
        first[column(&format!("indicator:{n}:commentNl"))],
        "Per 30 juni"
    );
    assert_eq!(first[column("version")], "1");
    assert_eq!(rows[row_of(&ids[1])][column("version")], "2");
    assert_eq!(rows[row_of(&ids[3])][column("state")], "approved");

    // The export, imported as it is: nothing changes, whatever the state.
    let report: Value = import(&app, &token, "atomic", &exported)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], 4, "{report}");
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(read(id.clone()).await, before[i], "follow-up {i} changed");
    }

    // One cell changed (a comment of the draft): that row is updated, stored exactly as
    // written; the read-only columns say what they like and are ignored.
    let mut edited = rows.clone();
    let draft = row_of(&ids[0]);
    edited[draft][column(&format!("indicator:{n}:commentFr"))] = "=Au 30 juin, +2".into();
    edited[draft][column("state")] = "approved".into();
    edited[draft][column("revision")] = "9".into();
    let report: Value = import(&app, &token, "atomic", &write_csv(&edited))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (report["updated"].clone(), report["unchanged"].clone()),
        (json!(1), json!(3)),
        "{report}"
    );
    assert_eq!(report["rows"][draft - 1]["outcome"], "updated");
    // The order of a follow-up's values says nothing (a file has its own column order).
    let by_indicator = |follow_up: &Value| {
        let mut follow_up = follow_up.clone();
        follow_up["indicatorValues"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|v| v["indicatorId"].as_str().unwrap().to_owned());
        follow_up
    };
    let after = read(ids[0].clone()).await;
    let comment = after["indicatorValues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["indicatorId"] == json!(n))
        .unwrap()["comment"]
        .clone();
    assert_eq!(
        comment,
        json!({"nl": "Per 30 juni", "fr": "=Au 30 juin, +2"})
    );
    assert_eq!(
        (after["state"].clone(), after["revision"].clone()),
        (json!("draft"), json!(1))
    );
    let mut expected = before[0].clone();
    expected["indicatorValues"][1]["comment"]["fr"] = json!("=Au 30 juin, +2");
    expected["updatedAt"] = after["updatedAt"].clone();
    assert_ne!(
        after["version"], before[0]["version"],
        "a change keeps its version"
    );
    expected["version"] = after["version"].clone();
    assert_eq!(by_indicator(&after), by_indicator(&expected));
    app.stop().await;
}

#[actix_web::test]
async fn texts_that_look_like_formulas_are_kept_as_data() {
    let app = TestApp::spawn().await;
    let r = register(&app, 1);
    let token = app.token("demo-federale-politie").await;
    let q = &r.qualitative_indicator;
    let n = &r.number_indicator;
    let file = format!(
        "actionExternalId,organisationId,period,status,progress,narrativeNl,narrativeFr,narrativeDe,narrativeEn,indicator:{q},indicator:{q}:commentNl,indicator:{n}\n\
         FGP-0,federale-politie,2017S1,onTrack,40,=1+2,+32 2 555 00 00,-5,@cmd,-,=A1,-3\n"
    );
    let report: Value = import(&app, &token, "atomic", &file)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["created"], 1, "{report}");
    let id = report["rows"][0]["followUpId"].as_str().unwrap();
    let stored: Value = app
        .request(Method::GET, &format!("/followUps/{id}"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["narrative"],
        json!({"nl": "=1+2", "fr": "+32 2 555 00 00", "de": "-5", "en": "@cmd"})
    );
    assert_eq!(
        stored["indicatorValues"],
        json!([{"indicatorId": q, "value": "-", "comment": {"nl": "=A1"}}, {"indicatorId": n, "value": -3.0}])
    );
    // A blank language is no text, however it came: JSON keeps what a CSV cell can say, so
    // the export of what JSON wrote imports back unchanged.
    let report: Value = app
        .request(Method::POST, "/followUps/batch", &token)
        .json(
            &json!([{"actionId": r.action_ids[0], "period": "2018S1", "status": "notStarted",
            "narrative": {"nl": "Gepland", "fr": "  "},
            "indicatorValues": [{"indicatorId": q, "value": "n.v.t.", "comment": {"de": ""}}]}]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = report["rows"][0]["followUpId"].as_str().unwrap();
    let stored: Value = app
        .request(Method::GET, &format!("/followUps/{id}"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["narrative"], json!({"nl": "Gepland"}));
    assert_eq!(
        stored["indicatorValues"],
        json!([{"indicatorId": q, "value": "n.v.t."}])
    );
    let exported = app
        .request(Method::GET, "/followUps.csv", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let report: Value = import(&app, &token, "atomic", &exported)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], 2, "{report}");

    // A comment without its value column, and a comment without a value, are refused.
    let file = format!("actionExternalId,organisationId,period,status,indicator:{q}:commentNl\nFGP-0,federale-politie,2017S2,notStarted,x\n");
    let problem = assert_problem(
        import(&app, &token, "atomic", &file).await,
        400,
        "badRequest",
    )
    .await;
    assert!(problem["issues"][0]["detail"]
        .as_str()
        .unwrap()
        .contains(&format!("missing column(s): indicator:{q}")));
    let file = format!("actionExternalId,organisationId,period,status,indicator:{q},indicator:{q}:commentNl\nFGP-0,federale-politie,2017S2,notStarted,,x\n");
    let problem = assert_problem(
        import(&app, &token, "atomic", &file).await,
        400,
        "badRequest",
    )
    .await;
    assert_eq!(
        problem["issues"][0]["name"],
        format!("rows[1].indicator:{q}:commentNl")
    );
    app.stop().await;
}
