//! The reports in every format (JSON, CSV, Excel, the printable page) against a small data set
//! whose figures this test states, built through the API as in `reports.rs`.
//!
//! The printable page is rendered in headless Chromium; without a `chromium` that test says it
//! was skipped (a failure where `KIV_REQUIRE_ALL_TESTS=1`, as in CI).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The progress report of the data set: as it stood on 2018-01-15, for 2017S2.
const PROGRESS: &str = "/reports/progress?planId=kiv-2016-2019&period=2017S2&asOf=2018-01-15";

/// What the data set created, by code, to find it in answers and to replace generated ids.
struct DataSet {
    objectives: BTreeMap<String, String>,
    actions: BTreeMap<String, String>,
    indicators: BTreeMap<String, String>,
}

impl DataSet {
    /// `text` with every generated id replaced by a stable name (`objective:3.1`), so that
    /// snapshots are the same on every run and backend.
    fn stable(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (kind, ids) in [
            ("objective", &self.objectives),
            ("action", &self.actions),
            ("indicator", &self.indicators),
        ] {
            for (code, id) in ids {
                text = text.replace(id.as_str(), &format!("{kind}:{code}"));
            }
        }
        text
    }
}

/// Creates a follow-up as the federal police and has FOD Justitie approve it.
async fn approved(
    reporter: &Session<'_>,
    fod: &Session<'_>,
    action: &str,
    period: &str,
    body: Value,
) {
    common::report_follow_up(reporter, fod, &json!(action), period, body, true).await;
}

/// The data set, all actions led by the federal police and planned 2016-2019:
///
/// | objective | cluster | action (weight) | approved for 2017S1 | approved for 2017S2 |
/// | --- | --- | --- | --- | --- |
/// | 3.1 | 3 | A (1) | onTrack 40 | onTrack 60, indicator Labs 35 (target 30) |
/// | 3.1 | 3 | B (2) | | delayed 20 |
/// | 3.2 | 3 | C (1) | | cancelled |
/// | 8.1 | 8 | D (1) | | completed (100); indicator Dumpingen without values |
/// | T.1 | none | E (1) | | |
///
/// Approvals are dated in their period (2017-06-20, 2017-12-20). As of 2018-01-15 for 2017S2:
/// progress (60 + 2 × 20 + 100) / 4 = 50; cluster 3 (60 + 2 × 20) / 3 = 33.33; reporting rate
/// 4 / 5 = 0.8; indicators 1 on track, 1 without data.
async fn build(app: &TestApp) -> DataSet {
    let fod = Session::new(app, "demo-coordinator").await;
    let police = Session::new(app, "demo-reporter").await;
    let mut data = DataSet {
        objectives: BTreeMap::new(),
        actions: BTreeMap::new(),
        indicators: BTreeMap::new(),
    };
    for (code, cluster) in [
        ("3.1", Some("3")),
        ("3.2", Some("3")),
        ("8.1", Some("8")),
        ("T.1", None),
    ] {
        let mut body = json!({"planId": "kiv-2016-2019", "code": code, "level": "strategic", "title": {"nl": format!("Doelstelling {code}"), "fr": format!("Objectif {code}")}});
        if let Some(cluster) = cluster {
            body["clusterId"] = json!(cluster);
        }
        let created = fod.ok(Method::POST, "/objectives", Some(body), None).await;
        data.objectives
            .insert(code.to_owned(), created["id"].as_str().unwrap().to_owned());
    }
    for (code, objective, weight) in [
        ("A", "3.1", 1.0),
        ("B", "3.1", 2.0),
        ("C", "3.2", 1.0),
        ("D", "8.1", 1.0),
        ("E", "T.1", 1.0),
    ] {
        let body = json!({"objectiveId": data.objectives[objective], "code": code, "title": {"nl": code},
            "leadOrganisationId": "federale-politie", "plannedStart": "2016-01-01", "plannedEnd": "2019-12-31", "weight": weight});
        let created = fod.ok(Method::POST, "/actions", Some(body), None).await;
        data.actions
            .insert(code.to_owned(), created["id"].as_str().unwrap().to_owned());
    }
    let labs = fod.ok(Method::POST, "/indicators", Some(json!({"actionId": data.actions["A"], "name": {"nl": "Labs", "fr": "Laboratoires"}, "measure": "number", "direction": "increase", "targets": [{"period": "2017S2", "value": 30}]})), None).await;
    data.indicators
        .insert("labs".into(), labs["id"].as_str().unwrap().to_owned());
    let dumping = fod.ok(Method::POST, "/indicators", Some(json!({"objectiveId": data.objectives["8.1"], "name": {"nl": "Dumpingen"}, "measure": "number", "direction": "decrease", "targets": [{"period": "2017S1", "value": 10}]})), None).await;
    data.indicators
        .insert("dumping".into(), dumping["id"].as_str().unwrap().to_owned());

    let a = data.actions["A"].clone();
    approved(
        &police,
        &fod,
        &a,
        "2017S1",
        json!({"status": "onTrack", "progress": 40}),
    )
    .await;
    approved(&police, &fod, &a, "2017S2", json!({"status": "onTrack", "progress": 60, "indicatorValues": [{"indicatorId": data.indicators["labs"], "value": 35}]})).await;
    approved(
        &police,
        &fod,
        &data.actions["B"],
        "2017S2",
        json!({"status": "delayed", "progress": 20}),
    )
    .await;
    approved(
        &police,
        &fod,
        &data.actions["C"],
        "2017S2",
        json!({"status": "cancelled"}),
    )
    .await;
    approved(
        &police,
        &fod,
        &data.actions["D"],
        "2017S2",
        json!({"status": "completed"}),
    )
    .await;

    // Approvals dated within their periods, as a real history would have them.
    let mut conn = app.db.connect();
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "UPDATE approved_follow_ups SET approved_at = '2017-06-20 10:00:00' WHERE period = '2017S1';
         UPDATE approved_follow_ups SET approved_at = '2017-12-20 10:00:00' WHERE period = '2017S2';",
    )
    .unwrap();
    data
}

/// GETs `path` as the evaluator with extra headers; returns the answer.
async fn fetch(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.request(Method::GET, path, &app.reader);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

#[actix_web::test]
async fn the_progress_report_as_json_and_csv_matches_its_snapshots() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;

    let response = fetch(&app, PROGRESS, &[]).await;
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        (
            report["totals"]["progress"].clone(),
            report["totals"]["reportingRate"].clone()
        ),
        (json!(50.0), json!(0.8))
    );
    let report: Value = serde_json::from_str(&data.stable(&report.to_string())).unwrap();
    insta::assert_json_snapshot!("progress_json", report);

    let response = fetch(
        &app,
        &PROGRESS.replacen("progress?", "progress.csv?", 1),
        &[("Accept-Language", "fr-BE")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"progress.csv\""
    );
    assert_eq!(header(&response, "content-language"), "fr");
    let csv = data.stable(&response.text().await.unwrap());
    insta::assert_snapshot!("progress_csv", csv);
    app.stop().await;
}

/// The number in a cell, which must be a number, not text.
fn number(cell: &Data) -> f64 {
    let value = match cell {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    };
    assert!(value.is_some(), "{cell:?} is not a number");
    value.unwrap()
}

fn text(cell: &Data) -> String {
    let value = match cell {
        Data::String(s) => Some(s.clone()),
        Data::Empty => Some(String::new()),
        _ => None,
    };
    assert!(value.is_some(), "{cell:?} is not text");
    value.unwrap()
}

#[actix_web::test]
async fn the_workbook_holds_the_reports_numbers_as_numbers() {
    let app = TestApp::spawn().await;
    build(&app).await;
    let report: Value = fetch(&app, PROGRESS, &[]).await.json().await.unwrap();

    let response = fetch(&app, PROGRESS, &[("Accept", XLSX)]).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "content-type"), XLSX);
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"progress.xlsx\""
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["summary", "clusters", "objectives", "indicators"]
    );

    let summary = workbook.worksheet_range("summary").unwrap();
    let rows: Vec<&[Data]> = summary.rows().collect();
    assert_eq!(
        (text(&rows[0][0]), text(&rows[0][1])),
        ("field".into(), "value".into())
    );
    let field = |name: &str| -> &Data {
        let row = rows.iter().find(|r| text(&r[0]) == name);
        assert!(row.is_some(), "no row {name}");
        &row.unwrap()[1]
    };
    assert_eq!(text(field("planId")), "kiv-2016-2019");
    assert!(
        matches!(field("asOf"), Data::DateTime(_)),
        "asOf is an Excel date-time: {:?}",
        field("asOf")
    );
    let totals = &report["totals"];
    assert_eq!(
        number(field("actions")),
        totals["actions"].as_f64().unwrap()
    );
    assert_eq!(
        number(field("progress")),
        totals["progress"].as_f64().unwrap()
    );
    assert_eq!(
        number(field("reportingRate")),
        totals["reportingRate"].as_f64().unwrap()
    );
    assert_eq!(number(field("notReported")), 1.0);

    let clusters = workbook.worksheet_range("clusters").unwrap();
    let rows: Vec<&[Data]> = clusters.rows().collect();
    let columns: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        &columns[..4],
        ["clusterId", "name", "actions", "notStarted"]
    );
    let at = |name: &str| columns.iter().position(|c| c == name).unwrap();
    assert_eq!(rows.len(), 1 + report["clusters"].as_array().unwrap().len());
    for cluster in report["clusters"].as_array().unwrap() {
        let id = cluster["clusterId"].as_str().unwrap_or_default();
        let row = rows.iter().skip(1).find(|r| text(&r[0]) == id).unwrap();
        assert_eq!(
            number(&row[at("actions")]),
            cluster["actions"].as_f64().unwrap()
        );
        match cluster["progress"].as_f64() {
            Some(progress) => assert_eq!(number(&row[at("progress")]), progress),
            None => assert_eq!(row[at("progress")], Data::Empty),
        }
        if let Some(rate) = cluster["reportingRate"].as_f64() {
            assert_eq!(number(&row[at("reportingRate")]), rate);
        }
    }
    let drugs = rows.iter().find(|r| text(&r[0]) == "3").unwrap();
    assert_eq!(
        (
            number(&drugs[at("progress")]),
            number(&drugs[at("delayed")])
        ),
        (33.33, 1.0)
    );

    let objectives = workbook.worksheet_range("objectives").unwrap();
    let rows: Vec<&[Data]> = objectives.rows().collect();
    assert_eq!(rows.len(), 1 + 4, "header and the four objectives");
    let indicators = workbook.worksheet_range("indicators").unwrap();
    let rows: Vec<&[Data]> = indicators.rows().collect();
    assert_eq!(
        rows[0].iter().map(text).collect::<Vec<_>>(),
        [
            "level",
            "clusterId",
            "objectiveId",
            "code",
            "name",
            "indicatorsOnTrack",
            "indicatorsOffTrack",
            "indicatorsNoData"
        ]
    );
    assert_eq!(
        (text(&rows[1][0]), number(&rows[1][5]), number(&rows[1][7])),
        ("total".into(), 1.0, 1.0)
    );

    // The other reports: one sheet of the CSV's rows.
    let response = fetch(&app, "/reports/trend.xlsx?planId=kiv-2016-2019", &[]).await;
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"trend.xlsx\""
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["trend"]);
    let trend = workbook.worksheet_range("trend").unwrap();
    let rows: Vec<&[Data]> = trend.rows().collect();
    assert_eq!(rows.len(), 1 + 8);
    let s2 = rows.iter().find(|r| text(&r[0]) == "2017S2").unwrap();
    assert!(matches!(s2[1], Data::DateTime(_)));
    assert_eq!(number(&s2[2]), 5.0);
    app.stop().await;
}

#[actix_web::test]
async fn trend_compliance_and_indicators_come_as_csv_rows() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;

    let trend = fetch(
        &app,
        "/reports/trend?planId=kiv-2016-2019",
        &[("Accept", "text/csv")],
    )
    .await;
    assert_eq!(
        header(&trend, "content-disposition"),
        "attachment; filename=\"trend.csv\""
    );
    let trend = trend.text().await.unwrap();
    let lines: Vec<&str> = trend.lines().collect();
    assert_eq!(
        lines[0],
        "period,asOf,actions,notStarted,onTrack,delayed,completed,cancelled,notReported,progress,method,leftOutCancelled,leftOutNoProgress,reportingRate,overdue,indicatorsOnTrack,indicatorsOffTrack,indicatorsNoData"
    );
    assert_eq!(lines.len(), 1 + 8, "one row per reporting period");
    // Every point stands at the same moment, the trend's asOf; without it the rows read:
    let as_of: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert!(as_of.iter().all(|t| *t == as_of[0]), "{trend}");
    let rows: Vec<String> = lines
        .iter()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(1);
            cells.join(",")
        })
        .collect();
    assert!(
        rows.contains(&"2017S2,5,0,1,1,1,1,1,50,weightedMeanOfActions,1,1,0.8,0,1,0,1".to_owned()),
        "{trend}"
    );
    assert!(
        rows.contains(&"2017S1,5,0,1,0,0,0,4,40,weightedMeanOfActions,0,4,0.2,0,0,0,2".to_owned()),
        "{trend}"
    );

    let compliance = fetch(
        &app,
        "/reports/compliance.csv?planId=kiv-2016-2019&period=2017S2",
        &[("Accept-Language", "de")],
    )
    .await
    .text()
    .await
    .unwrap();
    let lines: Vec<&str> = compliance.lines().collect();
    assert_eq!(
        lines,
        [
            "organisationId,name,due,submitted,approved,missing,rate",
            // C is cancelled, so not due; E has no report.
            "federale-politie,Föderale Polizei,4,0,3,1,0.75",
        ]
    );

    let indicators = fetch(&app, "/reports/indicators.csv?planId=kiv-2016-2019", &[]).await;
    let indicators = data.stable(&indicators.text().await.unwrap());
    let lines: Vec<&str> = indicators.lines().collect();
    assert_eq!(
        lines[0],
        "indicatorId,clusterId,objectiveId,actionId,name,unit,measure,direction,baseline,baselineYear,period,value,target,onTrack"
    );
    assert!(
        lines.contains(&"indicator:labs,3,,action:A,Labs,,number,increase,,,2017S2,35,30,true"),
        "{indicators}"
    );
    assert!(
        lines.contains(&"indicator:dumping,8,objective:8.1,,Dumpingen,,number,decrease,,,,,,"),
        "an indicator without values still has its row: {indicators}"
    );
    assert_eq!(lines.len(), 3);
    app.stop().await;
}

#[actix_web::test]
async fn formats_are_negotiated_by_accept_and_downloaded_by_their_operations() {
    let app = TestApp::spawn().await;
    build(&app).await;
    let kind = |r: &reqwest::Response| header(r, "content-type").to_owned();

    for report in [
        "/reports/progress?planId=kiv-2016-2019&period=2017S2",
        "/reports/trend?planId=kiv-2016-2019",
        "/reports/compliance?planId=kiv-2016-2019&period=2017S2",
        "/reports/indicators?planId=kiv-2016-2019",
    ] {
        // Default JSON, also for */* and a browser's Accept without HTML.
        for accept in [None, Some("*/*"), Some("application/json, text/csv")] {
            let headers: Vec<(&str, &str)> = accept.map(|a| ("Accept", a)).into_iter().collect();
            let response = fetch(&app, report, &headers).await;
            assert_eq!(response.status().as_u16(), 200, "{report} {accept:?}");
            assert_eq!(kind(&response), "application/json", "{report} {accept:?}");
        }
        for (accept, expected) in [
            ("text/csv", "text/csv; charset=utf-8"),
            (XLSX, XLSX),
            ("text/html", "text/html; charset=utf-8"),
            (
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "text/html; charset=utf-8",
            ),
            ("text/csv;q=0.4, application/json;q=0.9", "application/json"),
        ] {
            let response = fetch(&app, report, &[("Accept", accept)]).await;
            assert_eq!(response.status().as_u16(), 200, "{report} {accept}");
            assert_eq!(kind(&response), expected, "{report} {accept}");
        }
        // Each file format has its own operation, which answers only that format.
        for (format, expected) in [
            ("csv", "text/csv; charset=utf-8"),
            ("xlsx", XLSX),
            ("html", "text/html; charset=utf-8"),
        ] {
            let download = report.replacen('?', &format!(".{format}?"), 1);
            // Bytes of no particular kind, as generated clients ask for files, get the file.
            for accept in [
                None,
                Some("*/*"),
                Some(expected),
                Some("application/octet-stream"),
            ] {
                let headers: Vec<(&str, &str)> =
                    accept.map(|a| ("Accept", a)).into_iter().collect();
                let response = fetch(&app, &download, &headers).await;
                assert_eq!(response.status().as_u16(), 200, "{download} {accept:?}");
                assert_eq!(kind(&response), expected, "{download} {accept:?}");
            }
            assert_problem(
                fetch(&app, &download, &[("Accept", "application/json")]).await,
                406,
                "kiv:notAcceptable",
            )
            .await;
        }
        // `format` is no parameter of the JSON operations: generated clients never get a file
        // where they expect JSON.
        let body = assert_problem(
            fetch(&app, &format!("{report}&format=csv"), &[]).await,
            400,
            "badRequest",
        )
        .await;
        assert_eq!(body["issues"][0]["name"], json!("format"), "{body}");
        assert_problem(
            fetch(&app, report, &[("Accept", "application/pdf")]).await,
            406,
            "kiv:notAcceptable",
        )
        .await;
    }

    // Rendered formats say their language; JSON carries every language and says none.
    let page = fetch(
        &app,
        "/reports/progress?planId=kiv-2016-2019&period=2017S2",
        &[("Accept", "text/html"), ("Accept-Language", "fr")],
    )
    .await;
    assert_eq!(header(&page, "content-language"), "fr");
    assert!(header(&page, "content-security-policy").starts_with("default-src 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(
        html.contains("Rapport d&#39;avancement"),
        "labels in French"
    );
    assert!(html.contains("Politique intégrale et intégrée actualisée en matière de drogues"));
    let default = fetch(&app, "/reports/progress.csv?planId=kiv-2016-2019", &[]).await;
    assert_eq!(header(&default, "content-language"), "nl");
    let json = fetch(
        &app,
        "/reports/progress?planId=kiv-2016-2019",
        &[("Accept-Language", "fr")],
    )
    .await;
    assert_eq!(header(&json, "content-language"), "");

    // A signed link carries its format.
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let link = evaluator
        .ok(Method::POST, "/reports/links", Some(json!({"report": "compliance", "parameters": {"planId": "kiv-2016-2019", "period": "2017S2", "format": "csv"}})), None)
        .await;
    let opened = app
        .client
        .get(link["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status().as_u16(), 200);
    assert_eq!(kind(&opened), "text/csv; charset=utf-8");
    app.stop().await;
}

/// The browser to render pages with: `KIV_CHROMIUM`, else `chromium` (or `chromium-browser`)
/// on the `PATH`. Without one the test is skipped (see `common::skip`).
fn browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KIV_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        common::skip::skip_for_missing(
            "the printable page's rendering",
            "chromium (apt-get install -y chromium, or KIV_CHROMIUM naming a browser)",
        );
    }
    found
}

/// Renders `page` (an HTML file) with headless Chromium into `png`; returns Chromium's log.
async fn screenshot(browser: PathBuf, page: PathBuf, png: PathBuf, size: &'static str) -> String {
    actix_web::rt::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().unwrap();
        let log_path = profile.path().join("chromium.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!(
                "--user-data-dir={}",
                profile.path().join("profile").display()
            ))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("--window-size={size}"))
            .arg(format!("file://{}", page.display()))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("chromium starts");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(120) {
                child.kill().unwrap();
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        assert!(
            status.success(),
            "chromium failed ({status}, after {:?}; killed after two minutes):\n{log}",
            started.elapsed()
        );
        log
    })
    .await
    .unwrap()
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        "{} is not a screenshot",
        path.display()
    );
}

/// The page loads nothing: no script, no element or style that fetches a resource.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for needle in [
        "<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import",
    ] {
        assert!(!lower.contains(needle), "the page contains {needle}");
    }
    let without_namespace = lower.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !without_namespace.contains("http://") && !without_namespace.contains("https://"),
        "the page names a URL"
    );
}

#[actix_web::test]
async fn the_printable_page_renders_in_a_browser() {
    let browser = browser();
    let app = TestApp::spawn().await;
    build(&app).await;

    // Opened from a signed link, as an evaluator would send it on.
    let evaluator = Session::new(&app, "demo-evaluator").await;
    let link = evaluator
        .ok(Method::POST, "/reports/links", Some(json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019", "period": "2017S2", "asOf": "2018-01-15", "format": "html"}})), None)
        .await;
    let response = app
        .client
        .get(link["url"].as_str().unwrap())
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        header(&response, "content-type"),
        "text/html; charset=utf-8"
    );
    let html = response.text().await.unwrap();
    assert_self_contained(&html);
    for expected in [
        "<title>Progress report</title>",
        "<dd>2017S2</dd>",
        "<dd>2018-01-15 23:59 UTC</dd>",
        "Progress per cluster",
        "Actions by status per cluster",
        "Total progress per reporting period",
        "3. Updated integral and integrated drugs policy",
        "Transversal objectives",
        "3.1 Doelstelling 3.1",
        "@media print",
        "<svg",
    ] {
        assert!(html.contains(expected), "the page lacks {expected}");
    }
    for status in [
        "Not started",
        "On track",
        "Delayed",
        "Completed",
        "Cancelled",
        "Not reported",
    ] {
        assert!(
            html.contains(&format!("{status}</li>")),
            "the legend lacks {status}"
        );
    }
    // The trend line: the periods up to the report's.
    assert!(html.contains(">2016S1</text>") && html.contains(">2017S2</text>"));
    assert!(!html.contains(">2018S1</text>"));

    // Text from data is escaped.
    let fod = Session::new(&app, "demo-coordinator").await;
    fod.ok(Method::POST, "/objectives", Some(json!({"planId": "kiv-2016-2019", "code": "9.9", "clusterId": "9", "level": "strategic", "title": {"nl": "<script>alert('x')</script> & co"}})), None).await;
    let tricky = fetch(
        &app,
        &PROGRESS.replacen("progress?", "progress.html?", 1),
        &[],
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(tricky.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
    assert_self_contained(&tricky);

    let Some(browser) = browser else {
        app.stop().await;
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("progress.html");
    std::fs::write(&page, &html).unwrap();
    let png = dir.path().join("progress.png");
    let log = screenshot(browser, page, png.clone(), "1200,1600").await;
    let complaint = log.lines().find(|line| {
        line.contains("Uncaught") || (line.contains("CONSOLE") && line.contains("progress.html"))
    });
    assert_eq!(complaint, None, "the page logged an error");
    assert_png(&png);
    app.stop().await;
}
