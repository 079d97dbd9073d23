//! What one CSV import may cost: a capped number of columns and indicators, read in one pass;
//! the service keeps answering while an import runs, and an import that outlasts the request
//! timeout is answered 503 at the timeout and rolled back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::time::{Duration, Instant};

use common::{assert_problem, Session, TestApp};
use diesel::connection::SimpleConnection;
use kiv_domain::{Caller, FollowUpStatus, Role};
use kiv_http::limits::Limits;
use kiv_http::routes::bulk::{MAX_CSV_COLUMNS, MAX_CSV_INDICATORS};
use kiv_store::followups::{self, FollowUpInput, ImportMode};
use kiv_store::{Backend, DbConnection, Deadline, PoolOptions, StoreError};
use reqwest::Method;
use serde_json::{json, Value};

/// The 22 columns of an export.
const BASE: &str = "actionId,actionExternalId,organisationId,period,status,progress,narrativeNl,narrativeFr,narrativeDe,narrativeEn,id,state,revision,version,reportingOrganisationId,createdBy,createdAt,submittedAt,reviewedBy,reviewedAt,reviewNote,updatedAt";

/// An action of the federal police (external id `FGP-W`) with a number indicator.
struct Target {
    action: String,
    indicator: String,
}

async fn target(app: &TestApp) -> Target {
    let fod = Session::new(app, "demo-coordinator").await;
    let objective = fod
        .ok(
            Method::POST,
            "/objectives",
            Some(json!({"planId": "kiv-2016-2019", "clusterId": "7", "code": "7.8", "level": "strategic", "title": {"nl": "Breed"}})),
            None,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let action = fod
        .ok(
            Method::POST,
            "/actions",
            Some(
                json!({"objectiveId": objective, "code": "W", "title": {"nl": "Breed"},
                "leadOrganisationId": "federale-politie", "plannedStart": "2016-01-01",
                "plannedEnd": "2019-12-31", "externalId": "FGP-W"}),
            ),
            None,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let indicator = fod
        .ok(
            Method::POST,
            "/indicators",
            Some(json!({"actionId": action, "name": {"nl": "Teller"}, "measure": "number", "direction": "increase"})),
            None,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Target { action, indicator }
}

/// A file with the export's columns, `fake` indicators with all five columns (left empty), and
/// the target's indicator; `lines` lines for the target action, one per period given.
fn wide_file(target: &Target, fake: usize, periods: &[&str]) -> String {
    let mut header = BASE.to_owned();
    let mut columns = |id: &str| {
        header.push_str(&format!(",indicator:{id}"));
        for language in ["Nl", "Fr", "De", "En"] {
            header.push_str(&format!(",indicator:{id}:comment{language}"));
        }
    };
    for i in 0..fake {
        columns(&format!("missing-{i}"));
    }
    columns(&target.indicator);
    let mut file = header;
    file.push('\n');
    for period in periods {
        // actionId, actionExternalId, organisationId, period, status, progress, four
        // narratives, twelve read-only cells; then the fake indicators' cells; then the value
        // and its Dutch comment.
        file.push_str(&format!(
            "{},FGP-W,federale-politie,{period},onTrack,50,=breed{}",
            target.action,
            ",".repeat(3 + 12)
        ));
        file.push_str(&",".repeat(fake * 5));
        file.push_str(",-7,=per lijn,,,\n");
    }
    file
}

async fn import(app: &TestApp, token: &str, file: String) -> reqwest::Response {
    app.request(Method::POST, "/imports/followUps", token)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap()
}

async fn total(app: &TestApp) -> i64 {
    app.get_json("/followUps", 200).await["total"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_file_wider_than_the_cap_is_refused_naming_the_header() {
    let app = TestApp::spawn().await;
    let target = target(&app).await;
    let token = app.token("demo-reporter").await;
    let before = total(&app).await;

    // One indicator too many, with all its columns: more columns than a file may have.
    let file = wide_file(&target, MAX_CSV_INDICATORS, &["2017S1"]);
    assert!(file.lines().next().unwrap().split(',').count() > MAX_CSV_COLUMNS);
    let problem = assert_problem(import(&app, &token, file).await, 400, "badRequest").await;
    assert_eq!(problem["issues"][0]["name"], "header", "{problem}");
    assert_eq!(problem["issues"][0]["in"], "body", "{problem}");
    let detail = problem["issues"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("at most {MAX_CSV_COLUMNS}")),
        "{detail}"
    );

    // Within the column cap, but more indicators than a file may report on.
    let mut file = String::from("actionExternalId,organisationId,period,status");
    for i in 0..=MAX_CSV_INDICATORS {
        file.push_str(&format!(",indicator:missing-{i}"));
    }
    file.push_str(&format!(
        "\nFGP-W,federale-politie,2017S1,onTrack{}\n",
        ",".repeat(MAX_CSV_INDICATORS + 1)
    ));
    let problem = assert_problem(import(&app, &token, file).await, 400, "badRequest").await;
    assert_eq!(problem["issues"][0]["name"], "header", "{problem}");
    let detail = problem["issues"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("at most {MAX_CSV_INDICATORS}")),
        "{detail}"
    );
    assert_eq!(total(&app).await, before, "nothing was imported");
    app.stop().await;
}

#[actix_web::test]
async fn a_file_as_wide_as_the_cap_imports() {
    let app = TestApp::spawn().await;
    let target = target(&app).await;
    let token = app.token("demo-reporter").await;
    let file = wide_file(&target, MAX_CSV_INDICATORS - 1, &["2017S1", "2017S2"]);
    assert_eq!(
        file.lines().next().unwrap().split(',').count(),
        MAX_CSV_COLUMNS
    );
    let response = import(&app, &token, file).await;
    let status = response.status().as_u16();
    let report: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 2, "{report}");
    let id = report["rows"][0]["followUpId"].as_str().unwrap();
    let stored = app.get_json(&format!("/followUps/{id}"), 200).await;
    assert_eq!(stored["narrative"], json!({"nl": "=breed"}));
    assert_eq!(
        stored["indicatorValues"],
        json!([{"indicatorId": target.indicator, "value": -7.0, "comment": {"nl": "=per lijn"}}])
    );
    app.stop().await;
}

/// Takes the database's write lock (SQLite) or the follow-ups table against writes
/// (PostgreSQL) until [`release`]: an import waits for it, reads and pings do not.
fn hold_writes(app: &TestApp) -> DbConnection {
    let mut conn = app.db.connect();
    let sql = match conn.backend() {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN; LOCK TABLE follow_ups IN EXCLUSIVE MODE",
    };
    conn.batch_execute(sql).unwrap();
    conn
}

fn release(mut conn: DbConnection) {
    conn.batch_execute("COMMIT").unwrap();
}

#[actix_web::test]
async fn health_answers_while_an_import_is_under_way() {
    let app = TestApp::spawn().await;
    let target = target(&app).await;
    let token = app.token("demo-reporter").await;
    // A wide file, which cannot finish while writes are held.
    let file = wide_file(&target, 1_000, &["2016S1", "2016S2", "2017S1", "2017S2"]);
    let held = hold_writes(&app);
    let request = app
        .request(Method::POST, "/imports/followUps", &token)
        .header("content-type", "text/csv")
        .body(file)
        .send();
    let pending = actix_web::rt::spawn(request);
    for _ in 0..5 {
        let health = app.client.get(app.url("/health")).send().await.unwrap();
        assert_eq!(health.status().as_u16(), 200);
        let more = app.get("/clusters").await;
        assert_eq!(more.status().as_u16(), 200);
    }
    assert!(
        !pending.is_finished(),
        "the import waits for the held writes"
    );
    release(held);
    let response = pending.await.unwrap().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["created"], 4, "{report}");
    app.stop().await;
}

#[actix_web::test]
async fn an_import_over_the_timeout_is_503_at_the_timeout() {
    let limits = Limits {
        request_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let pool = PoolOptions {
        max_size: 4,
        acquire_timeout: Duration::from_secs(8),
    };
    let app = TestApp::spawn_limited(pool, limits).await;
    let target = target(&app).await;
    let token = app.token("demo-reporter").await;
    let held = hold_writes(&app);
    // The import cannot finish while writes are held: the answer comes at the timeout.
    let response = import(&app, &token, wide_file(&target, 10, &["2017S1"])).await;
    let problem = assert_problem(response, 503, "serviceUnavailable").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("longer than 1 seconds"),
        "{problem}"
    );
    release(held);
    assert_eq!(
        app.client
            .get(app.url("/health"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    app.stop().await;
}

#[actix_web::test]
async fn an_import_past_its_deadline_stops_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let target = target(&app).await;
    let caller = Caller {
        login: "demo-reporter".into(),
        organisation_id: "federale-politie".into(),
        roles: vec![Role::Reporter],
    };
    let row = |period: &str| {
        Ok(FollowUpInput {
            action_id: target.action.clone(),
            period: period.parse().unwrap(),
            status: FollowUpStatus::OnTrack,
            progress: Some(10.0),
            narrative: None,
            indicator_values: vec![],
        })
    };
    let mut conn = app.database.connection().unwrap();
    let today = chrono::Utc::now().date_naive();
    let name = |i: usize| format!("rows[{}]", i + 1);
    for mode in [ImportMode::Atomic, ImportMode::Partial] {
        let passed = Deadline {
            at: Instant::now(),
            after: Duration::from_secs(1),
        };
        let outcome = followups::import(
            &mut conn,
            &caller,
            vec![row("2017S1"), row("2017S2")],
            mode,
            today,
            &name,
            Some(passed),
        );
        assert!(
            matches!(outcome, Err(StoreError::DeadlinePassed { .. })),
            "{outcome:?}"
        );
    }
    assert_eq!(
        app.get_json(&format!("/followUps?actionId={}", target.action), 200)
            .await["total"],
        0
    );
    // With time left, the same rows are written.
    let later = Deadline {
        at: Instant::now() + Duration::from_secs(3600),
        after: Duration::from_secs(3600),
    };
    let (results, applied) = followups::import(
        &mut conn,
        &caller,
        vec![row("2017S1"), row("2017S2")],
        ImportMode::Atomic,
        today,
        &name,
        Some(later),
    )
    .unwrap();
    assert!(applied, "{results:?}");
    app.stop().await;
}
