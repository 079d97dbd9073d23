//! The roll-up rules exist twice: as the SQL aggregate behind every report, and as
//! `kiv_domain::rollup`, the rules written out. This test feeds random plans, follow-ups,
//! approvals and corrections through the API and requires the progress report (totals and every
//! objective row, for random periods and moments) to equal what the domain rules compute from the
//! same history. It runs on the test database like every other test, so on both backends.
//! `PROPTEST_CASES` sets how many random histories are tried (default 6).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Session, TestApp};
use kiv_domain::rollup::{is_overdue, roll_up, ActionFacts};
use kiv_domain::{ActionStatus, ReportingPeriod};
use proptest::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};

const PERIODS: [&str; 8] = [
    "2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2",
];

/// Objective 0 is strategic; 1 and 2 are operational objectives under it.
const OBJECTIVES: usize = 3;

#[derive(Debug, Clone)]
struct PlannedAction {
    objective: usize,
    weight: f64,
    first: usize,
    last: usize,
}

#[derive(Debug, Clone)]
struct Report {
    action: usize,
    /// Within the action's planned periods (an offset, wrapped).
    period: usize,
    status: usize,
    progress: u8,
}

#[derive(Debug, Clone)]
struct History {
    actions: Vec<PlannedAction>,
    reports: Vec<Report>,
    /// (period, moment): the moment is an index into the approvals (`usize::MAX`: now).
    queries: Vec<(usize, usize)>,
}

fn history() -> impl Strategy<Value = History> {
    let action = (
        0..OBJECTIVES,
        prop_oneof![Just(0.5), Just(1.0), Just(2.0), Just(3.5)],
        0..PERIODS.len(),
        0..PERIODS.len(),
    )
        .prop_map(|(objective, weight, a, b)| PlannedAction {
            objective,
            weight,
            first: a.min(b),
            last: a.max(b),
        });
    let report = (0usize..64, 0usize..8, 0usize..5, 0u8..=100).prop_map(
        |(action, period, status, progress)| Report {
            action,
            period,
            status,
            progress,
        },
    );
    (
        prop::collection::vec(action, 1..=6),
        prop::collection::vec(report, 0..=10),
        prop::collection::vec(
            (0..PERIODS.len(), prop_oneof![0usize..10, Just(usize::MAX)]),
            3,
        ),
    )
        .prop_map(|(actions, reports, queries)| History {
            actions,
            reports,
            queries,
        })
}

const STATUSES: [&str; 5] = ["notStarted", "onTrack", "delayed", "completed", "cancelled"];

/// The status and progress a report sends, as the API's rules want them.
fn fields(report: &Report) -> (ActionStatus, Value) {
    match STATUSES[report.status] {
        "notStarted" => (ActionStatus::NotStarted, json!({"status": "notStarted"})),
        "onTrack" => (
            ActionStatus::OnTrack,
            json!({"status": "onTrack", "progress": report.progress}),
        ),
        "delayed" => (
            ActionStatus::Delayed,
            json!({"status": "delayed", "progress": report.progress}),
        ),
        "completed" => (
            ActionStatus::Completed,
            json!({"status": "completed", "progress": 100}),
        ),
        _ => (ActionStatus::Cancelled, json!({"status": "cancelled"})),
    }
}

/// One approved revision, as the domain model sees it.
#[derive(Debug, Clone)]
struct Approval {
    action: usize,
    period: usize,
    status: ActionStatus,
    progress: Option<f64>,
    at: DateTime<Utc>,
}

fn period(index: usize) -> ReportingPeriod {
    PERIODS[index].parse().unwrap()
}

/// What the domain rules say of `action` in a report of period `p` as of `as_of`.
fn facts(
    action: usize,
    planned: &PlannedAction,
    approvals: &[Approval],
    p: usize,
    as_of: DateTime<Utc>,
) -> ActionFacts {
    let known: Vec<&Approval> = approvals
        .iter()
        .filter(|a| a.action == action && a.at <= as_of)
        .collect();
    let latest = known
        .iter()
        .filter(|a| a.period <= p)
        .max_by_key(|a| (a.period, a.at));
    let status = latest.map_or(ActionStatus::NotReported, |a| a.status);
    let planned_end = period(planned.last).end();
    ActionFacts {
        weight: planned.weight,
        status,
        progress: latest.and_then(|a| a.progress),
        due: planned.first <= p && p <= planned.last,
        reported: known.iter().any(|a| a.period == p),
        overdue: is_overdue(planned_end, period(p), status),
    }
}

async fn with_tag(
    session: &Session<'_>,
    method: Method,
    path: &str,
    body: Option<Value>,
    tag: &str,
) -> (Value, String) {
    let response = session.send(method.clone(), path, body, Some(tag)).await;
    let status = response.status().as_u16();
    let tag = response
        .headers()
        .get("etag")
        .map(|t| t.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {text}"
    );
    (serde_json::from_str(&text).unwrap(), tag)
}

async fn check(history: History) {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let evaluator = Session::new(&app, "demo-evaluator").await;

    let mut objectives: Vec<Value> = Vec::new();
    for index in 0..OBJECTIVES {
        let mut body = json!({"planId": "kiv-2016-2019", "clusterId": "5", "code": format!("P{index}"),
                              "level": if index == 0 { "strategic" } else { "operational" },
                              "title": {"nl": format!("P{index}")}});
        if index > 0 {
            body["parentId"] = objectives[0]["id"].clone();
        }
        objectives.push(fod.ok(Method::POST, "/objectives", Some(body), None).await);
    }
    let mut action_ids = Vec::new();
    for (index, planned) in history.actions.iter().enumerate() {
        let body = json!({"objectiveId": objectives[planned.objective]["id"], "code": format!("A{index}"),
                          "title": {"nl": format!("A{index}")}, "leadOrganisationId": "federale-politie",
                          "weight": planned.weight,
                          "plannedStart": period(planned.first).start().to_string(),
                          "plannedEnd": period(planned.last).end().to_string()});
        let created = fod.ok(Method::POST, "/actions", Some(body), None).await;
        action_ids.push(created["id"].as_str().unwrap().to_owned());
    }

    // Each report: a first follow-up for its action and period, or a correction (reopened,
    // changed, submitted and approved again) when there is one already.
    let mut approvals: Vec<Approval> = Vec::new();
    let mut filed: std::collections::HashMap<(usize, usize), (String, String)> = Default::default();
    for report in &history.reports {
        let action = report.action % history.actions.len();
        let planned = &history.actions[action];
        let p = planned.first + report.period % (planned.last - planned.first + 1);
        let (status, body) = fields(report);
        let (id, tag) = match filed.get(&(action, p)) {
            None => {
                let mut follow_up = body.clone();
                follow_up["actionId"] = json!(action_ids[action]);
                follow_up["period"] = json!(PERIODS[p]);
                let response = police
                    .send(Method::POST, "/followUps", Some(follow_up), None)
                    .await;
                assert_eq!(response.status(), 201);
                let tag = response.headers()["etag"].to_str().unwrap().to_owned();
                let created: Value = response.json().await.unwrap();
                (created["id"].as_str().unwrap().to_owned(), tag)
            }
            Some((id, tag)) => {
                let path = format!("/followUps/{id}");
                let (_, tag) =
                    with_tag(&fod, Method::POST, &format!("{path}/reopen"), None, tag).await;
                let mut patch = body.clone();
                if patch.get("progress").is_none() {
                    patch["progress"] = Value::Null;
                }
                let (_, tag) = with_tag(&police, Method::PATCH, &path, Some(patch), &tag).await;
                (id.clone(), tag)
            }
        };
        let path = format!("/followUps/{id}");
        let (_, tag) = with_tag(&police, Method::POST, &format!("{path}/submit"), None, &tag).await;
        let (approved, tag) =
            with_tag(&fod, Method::POST, &format!("{path}/approve"), None, &tag).await;
        approvals.push(Approval {
            action,
            period: p,
            status,
            progress: approved["progress"].as_f64(),
            at: approved["reviewedAt"].as_str().unwrap().parse().unwrap(),
        });
        filed.insert((action, p), (id, tag));
        // Apart, so that a moment between two approvals separates them on every backend.
        actix_web::rt::time::sleep(Duration::from_millis(3)).await;
    }

    for (p, moment) in &history.queries {
        let (as_of, query_as_of) = match approvals.get(*moment) {
            Some(approval) => {
                let at = approval.at + chrono::Duration::milliseconds(1);
                (at, format!("&asOf={}", at.format("%Y-%m-%dT%H:%M:%S%.3fZ")))
            }
            None => (Utc::now() + chrono::Duration::days(1), String::new()),
        };
        let report = evaluator
            .ok(
                Method::GET,
                &format!(
                    "/reports/progress?planId=kiv-2016-2019&clusterId=5&period={}{query_as_of}",
                    PERIODS[*p]
                ),
                None,
                None,
            )
            .await;
        let figures_of = |objective_ids: &[usize]| {
            let facts: Vec<ActionFacts> = history
                .actions
                .iter()
                .enumerate()
                .filter(|(_, a)| objective_ids.contains(&a.objective))
                .map(|(i, a)| facts(i, a, &approvals, *p, as_of))
                .collect();
            serde_json::to_value(roll_up(&facts, &[])).unwrap()
        };
        let context = format!("period {} as of {as_of}: {history:?}", PERIODS[*p]);
        assert_eq!(
            report["totals"],
            figures_of(&[0, 1, 2]),
            "totals, {context}"
        );
        let rows = report["clusters"][0]["objectives"].as_array().unwrap();
        for (index, subtree) in [(0, vec![0, 1, 2]), (1, vec![1]), (2, vec![2])] {
            let row = rows
                .iter()
                .find(|r| r["objectiveId"] == objectives[index]["id"])
                .unwrap();
            let mut row = row.clone();
            for key in ["objectiveId", "code", "title"] {
                row.as_object_mut().unwrap().remove(key);
            }
            assert_eq!(row, figures_of(&subtree), "objective P{index}, {context}");
        }
    }
    app.stop().await;
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(6),
        max_shrink_iters: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_sql_aggregate_and_the_domain_rules_agree(history in history()) {
        actix_web::rt::System::new().block_on(check(history));
    }
}
