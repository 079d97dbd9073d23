//! Texts that a spreadsheet would run as formulas (OWASP "CSV injection"): every CSV file kiv
//! writes puts a `'` before them, numbers stay numbers, the follow-up export imports back
//! unchanged, and Excel workbooks hold them as text cells, never as formulas.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::{report_follow_up, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HYPERLINK: &str = "=HYPERLINK(\"http://x\",\"y\")";

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

/// No cell of `rows` would start a formula in a spreadsheet: it is a number, or it does not
/// start with `=`, `+`, `-`, `@`, tab or CR.
fn assert_no_formula(what: &str, rows: &[Vec<String>]) {
    for row in rows {
        for cell in row {
            let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(
                !risky || cell.parse::<f64>().is_ok(),
                "{what}: the cell {cell:?} would start a formula"
            );
        }
    }
}

struct Texts {
    objective: String,
    actions: [String; 2],
    number: String,
    qualitative: String,
}

/// An objective, an indicator and two actions whose texts start like formulas, and two
/// approved follow-ups of the federal police reporting such texts and a negative number.
async fn build(fod: &Session<'_>, police: &Session<'_>) -> Texts {
    let objective = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(json!({"planId": "kiv-2016-2019", "clusterId": "7", "code": "7.9", "level": "strategic", "title": {"nl": HYPERLINK}})),
            None,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut actions = Vec::new();
    for (code, external) in [("A", "-FGP-A"), ("B", "FGP-B")] {
        let body = json!({"objectiveId": objective, "code": code, "title": {"nl": format!("@{code}")},
            "leadOrganisationId": "federale-politie", "plannedStart": "2016-01-01", "plannedEnd": "2019-12-31",
            "externalId": external});
        let created = fod.ok(Method::POST, "/actions", Some(body), None).await;
        actions.push(created["id"].as_str().unwrap().to_owned());
    }
    let number = fod.ok(Method::POST, "/indicators", Some(json!({"actionId": actions[0], "name": {"nl": "-Inbraken"}, "measure": "number", "direction": "decrease"})), None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let qualitative = fod.ok(Method::POST, "/indicators", Some(json!({"objectiveId": objective, "name": {"nl": "+Samenwerking"}, "unit": "=eenheid", "measure": "qualitative", "direction": "maintain"})), None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    report_follow_up(
        police,
        fod,
        &json!(actions[0]),
        "2017S1",
        json!({"status": "onTrack", "progress": 40,
        "narrative": {"nl": HYPERLINK, "fr": "+1", "de": "-cmd", "en": "@SUM(A1)"},
        "indicatorValues": [
            {"indicatorId": number, "value": -5, "comment": {"nl": "=opmerking"}},
            {"indicatorId": qualitative, "value": "=1+1"},
        ]}),
        true,
    )
    .await;
    report_follow_up(
        police,
        fod,
        &json!(actions[1]),
        "2017S1",
        json!({"status": "delayed", "progress": 10,
            "narrative": {"nl": "\tgetabd", "fr": "\rretour", "de": "'=al gequoot", "en": "'gewoon"},
            "indicatorValues": [{"indicatorId": qualitative, "value": "-"}]}),
        true,
    )
    .await;
    Texts {
        objective,
        actions: [actions[0].clone(), actions[1].clone()],
        number,
        qualitative,
    }
}

async fn get_text(session: &Session<'_>, path: &str) -> String {
    let response = session.send(Method::GET, path, None, None).await;
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    response.text().await.unwrap()
}

#[actix_web::test]
async fn every_csv_neutralises_formulas_and_the_export_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let data = build(&fod, &police).await;
    let (a, b) = (&data.actions[0], &data.actions[1]);

    // The follow-up export: texts behind a quote, the number as it is.
    let exported = get_text(&fod, "/followUps.csv?period=2017S1").await;
    let rows = parse_csv(&exported);
    assert_no_formula("followUps", &rows);
    let header = rows[0].clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row_of = |action: &str| {
        rows.iter()
            .find(|r| r[column("actionId")] == action)
            .unwrap()
            .clone()
    };
    let (first, second) = (row_of(a), row_of(b));
    let cells = |row: &[String], names: &[&str]| -> Vec<String> {
        names.iter().map(|n| row[column(n)].clone()).collect()
    };
    let narrative = ["narrativeNl", "narrativeFr", "narrativeDe", "narrativeEn"];
    assert_eq!(
        cells(&first, &narrative),
        [
            format!("'{HYPERLINK}"),
            "'+1".into(),
            "'-cmd".into(),
            "'@SUM(A1)".into()
        ]
    );
    assert_eq!(
        cells(&second, &narrative),
        ["'\tgetabd", "'\rretour", "''=al gequoot", "'gewoon"]
    );
    assert_eq!(first[column("actionExternalId")], "'-FGP-A");
    assert_eq!(first[column(&format!("indicator:{}", data.number))], "-5");
    assert_eq!(
        first[column(&format!("indicator:{}:commentNl", data.number))],
        "'=opmerking"
    );
    assert_eq!(
        first[column(&format!("indicator:{}", data.qualitative))],
        "'=1+1"
    );
    assert_eq!(
        second[column(&format!("indicator:{}", data.qualitative))],
        "'-"
    );
    assert_eq!(first[column("progress")], "40");

    // Imported as it is: every line unchanged (the quotes come off again).
    let import = |file: String| {
        police
            .app
            .request(Method::POST, "/imports/followUps", &police.token)
            .header("content-type", "text/csv")
            .body(file)
            .send()
    };
    let ours: Vec<Vec<String>> = std::iter::once(header.clone())
        .chain([first.clone(), second.clone()])
        .collect();
    let report: Value = import(write_csv(&ours))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], 2, "{report}");
    // The same lines for another period create follow-ups that read exactly as the originals.
    let mut moved = ours.clone();
    for row in moved.iter_mut().skip(1) {
        row[column("period")] = "2018S1".into();
    }
    let report: Value = import(write_csv(&moved))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["created"], 2, "{report}");
    for (row, action) in report["rows"].as_array().unwrap().iter().zip([a, b]) {
        let id = row["followUpId"].as_str().unwrap();
        let stored = fod
            .ok(Method::GET, &format!("/followUps/{id}"), None, None)
            .await;
        let original = fod
            .ok(
                Method::GET,
                &format!("/followUps?actionId={action}&period=2017S1"),
                None,
                None,
            )
            .await["items"][0]
            .clone();
        assert_eq!(stored["narrative"], original["narrative"]);
        assert_eq!(
            by_indicator(&stored["indicatorValues"]),
            by_indicator(&original["indicatorValues"])
        );
    }
    let stored = fod
        .ok(
            Method::GET,
            &format!("/followUps?actionId={a}&period=2018S1"),
            None,
            None,
        )
        .await["items"][0]
        .clone();
    assert_eq!(
        stored["narrative"],
        json!({"nl": HYPERLINK, "fr": "+1", "de": "-cmd", "en": "@SUM(A1)"})
    );
    let stored = fod
        .ok(
            Method::GET,
            &format!("/followUps?actionId={b}&period=2018S1"),
            None,
            None,
        )
        .await["items"][0]
        .clone();
    assert_eq!(
        stored["narrative"],
        json!({"nl": "\tgetabd", "fr": "\rretour", "de": "'=al gequoot", "en": "'gewoon"})
    );

    // The reports as CSV: the objective's title and the indicator's texts behind a quote,
    // numbers as numbers.
    let progress = parse_csv(
        &get_text(
            &fod,
            "/reports/progress.csv?planId=kiv-2016-2019&period=2017S1",
        )
        .await,
    );
    assert_no_formula("progress", &progress);
    assert!(
        progress
            .iter()
            .any(|r| r.contains(&data.objective) && r.contains(&format!("'{HYPERLINK}"))),
        "{progress:?}"
    );
    let indicators =
        parse_csv(&get_text(&fod, "/reports/indicators.csv?planId=kiv-2016-2019").await);
    assert_no_formula("indicators", &indicators);
    let line = |indicator: &str, period: &str| {
        indicators
            .iter()
            .find(|r| r[0] == indicator && r.contains(&period.to_owned()))
            .unwrap_or_else(|| panic!("no line {indicator} {period} in {indicators:?}"))
            .clone()
    };
    let columns = indicators[0].clone();
    let at = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let number = line(&data.number, "2017S1");
    assert_eq!(number[at("name")], "'-Inbraken");
    assert_eq!(number[at("value")], "-5");
    let qualitative = line(&data.qualitative, "2017S1");
    assert_eq!(qualitative[at("name")], "'+Samenwerking");
    assert_eq!(qualitative[at("unit")], "'=eenheid");
    assert!(
        ["'=1+1", "'-"].contains(&qualitative[at("value")].as_str()),
        "{qualitative:?}"
    );
    for path in [
        "/reports/trend.csv?planId=kiv-2016-2019",
        "/reports/compliance.csv?planId=kiv-2016-2019&period=2017S1",
    ] {
        assert_no_formula(path, &parse_csv(&get_text(&fod, path).await));
    }
    app.stop().await;
}

/// Reported values in indicator order (a file's column order says nothing).
fn by_indicator(values: &Value) -> Vec<Value> {
    let mut values = values.as_array().unwrap().clone();
    values.sort_by_key(|v| v["indicatorId"].as_str().unwrap().to_owned());
    values
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

#[actix_web::test]
async fn workbooks_hold_formula_like_texts_as_text_never_as_formulas() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    build(&fod, &police).await;
    for (path, sheets) in [
        (
            "/reports/progress?planId=kiv-2016-2019&period=2017S1",
            vec!["summary", "clusters", "objectives", "indicators"],
        ),
        (
            "/reports/indicators?planId=kiv-2016-2019",
            vec!["indicators"],
        ),
    ] {
        let response = fod
            .app
            .request(Method::GET, path, &fod.token)
            .header("Accept", XLSX)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let bytes = response.bytes().await.unwrap().to_vec();
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(workbook.sheet_names(), sheets);
        let mut texts = Vec::new();
        for sheet in &sheets {
            let formulas = workbook.worksheet_formula(sheet).unwrap();
            assert!(
                formulas.used_cells().all(|(_, _, f)| f.is_empty()),
                "{path}: sheet {sheet} holds a formula"
            );
            let range = workbook.worksheet_range(sheet).unwrap();
            texts.extend(
                range
                    .used_cells()
                    .filter(|(_, _, c)| matches!(c, Data::String(_)))
                    .map(|(_, _, c)| text(c)),
            );
        }
        // In a workbook the texts are as written: a text cell is never a formula.
        let expected: &[&str] = if path.contains("progress") {
            &[HYPERLINK]
        } else {
            // The qualitative value: the last approved of the period, `=1+1` or `-`.
            assert!(
                texts.iter().any(|t| t == "=1+1" || t == "-"),
                "{path}: {texts:?}"
            );
            &["-Inbraken", "+Samenwerking", "=eenheid"]
        };
        for text in expected {
            assert!(
                texts.iter().any(|t| t == text),
                "{path}: no text {text:?} in {texts:?}"
            );
        }
        if !path.contains("progress") {
            let range = workbook.worksheet_range("indicators").unwrap();
            let negative = range.used_cells().any(|(_, _, c)| *c == Data::Float(-5.0));
            assert!(negative, "{path}: -5 is a number cell");
        }
    }
    app.stop().await;
}
