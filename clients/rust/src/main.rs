//! An integrator's workflow against a running kiv, through the Rust client (reqwest, blocking)
//! that openapi-generator generated from the served OpenAPI document (the crate `kiv_client`).
//!
//!     kiv-client-workflow http://127.0.0.1:8080
//!
//! Every call is a generated function with generated models. A step that fails prints its name
//! and why, and the steps that need what it should have made are reported as skipped; the run
//! ends with `N passed, N failed, N skipped` and exits 1 when any step failed.

use std::fmt::Debug;
use std::process::ExitCode;

use kiv_client::apis::configuration::Configuration;
use kiv_client::apis::{
    accounts_api, authentication_api, follow_up_api, planning_api, reference_data_api, reports_api,
    Error,
};
use kiv_client::models;

const PLAN: &str = "kiv-2016-2019";
const PERIOD: &str = "2017S1";
const IMPORT_PERIOD: &str = "2017S2";

#[derive(Default)]
struct State {
    reporter: Option<Configuration>,
    coordinator: Option<Configuration>,
    organisation: Option<String>,
    objective: Option<String>,
    action: Option<String>,
    external_id: Option<String>,
    indicator: Option<String>,
    follow_up: Option<String>,
    draft_etag: Option<String>,
    submitted: Option<bool>,
    submitted_etag: Option<String>,
    approved: Option<bool>,
}

type StepResult = Result<(), String>;

struct Run {
    base_url: String,
    /// Codes and external ids unique to this run, so that it can run again on one database.
    run: String,
    state: State,
    passed: usize,
    failed: usize,
    skipped: usize,
}

/// What a failed generated call says: the HTTP status and body when the server refused, else the
/// client's own error (a body it could not parse, a connection that failed).
fn describe<T: Debug>(what: &str, error: Error<T>) -> String {
    match error {
        Error::ResponseError(response) => format!(
            "{what}: HTTP {}: {}",
            response.status,
            response.content.chars().take(500).collect::<String>()
        ),
        Error::Serde(error) => format!("{what}: the client could not read the answer: {error}"),
        Error::Reqwest(error) => format!("{what}: request failed: {error}"),
        Error::Io(error) => format!("{what}: I/O: {error}"),
    }
}

fn check(condition: bool, message: impl FnOnce() -> String) -> StepResult {
    if condition {
        Ok(())
    } else {
        Err(message())
    }
}

fn text(nl: &str) -> models::LocalizedText {
    models::LocalizedText {
        nl: Some(Some(nl.to_owned())),
        ..models::LocalizedText::new()
    }
}

/// A count of `byStatus`, which the document types as an object of unknown values.
/// How a token is asked for: an agency system's client credentials, or a person's password.
enum Grant {
    Client { id: &'static str, secret: &'static str },
    Password { username: &'static str, password: &'static str },
}

/// The actions of every status, added up.
fn all_statuses(by_status: &models::ActionsByStatus) -> i32 {
    by_status.not_started
        + by_status.on_track
        + by_status.delayed
        + by_status.completed
        + by_status.cancelled
        + by_status.not_reported
}

impl Run {
    fn configuration(&self, token: Option<String>) -> Configuration {
        Configuration {
            base_path: self.base_url.clone(),
            bearer_access_token: token,
            ..Configuration::default()
        }
    }

    /// Runs `body` unless a value it needs is missing (`missing` names them).
    fn step(&mut self, name: &str, missing: Vec<&str>, body: impl FnOnce(&mut Run) -> StepResult) {
        if !missing.is_empty() {
            println!(
                "SKIP {name}: needs {} from an earlier step",
                missing.join(", ")
            );
            self.skipped += 1;
            return;
        }
        match body(self) {
            Ok(()) => {
                println!("PASS {name}");
                self.passed += 1;
            }
            Err(why) => {
                println!("FAIL {name}: {why}");
                self.failed += 1;
            }
        }
    }

    fn log_in(&self, grant: Grant) -> Result<Configuration, String> {
        let (grant_type, client_id, client_secret, username, password) = match grant {
            Grant::Client { id, secret } => ("client_credentials", Some(id), Some(secret), None, None),
            Grant::Password { username, password } => ("password", None, None, Some(username), Some(password)),
        };
        let answer = authentication_api::issue_token(
            &self.configuration(None),
            grant_type,
            client_id,
            client_secret,
            username,
            password,
            None,
        )
            .map_err(|e| describe("POST /auth/token", e))?;
        check(answer.token_type == models::TokenType::Bearer, || {
            format!("token_type {}", answer.token_type)
        })?;
        Ok(self.configuration(Some(answer.access_token)))
    }
}

/// The names of the values in `needs` that an earlier step did not set.
macro_rules! missing {
    ($state:expr, $($field:ident),*) => {{
        let mut missing: Vec<&str> = Vec::new();
        $( if $state.$field.is_none() { missing.push(stringify!($field)); } )*
        missing
    }};
}

/// The value of an `Option` field that `missing!` checked.
fn got<T: Clone>(value: &Option<T>) -> T {
    match value {
        Some(value) => value.clone(),
        None => unreachable!("checked by the step's needs"),
    }
}

fn main() -> ExitCode {
    let base_url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let run = format!(
        "{:08x}",
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64 & 0xffff_ffff
    );
    let mut r = Run {
        base_url,
        run,
        state: State::default(),
        passed: 0,
        failed: 0,
        skipped: 0,
    };

    // -- log in --------------------------------------------------------------------------------

    r.step(
        "log in with client credentials (demo-federale-politie)",
        vec![],
        |r| {
            let grant = Grant::Client { id: "demo-federale-politie", secret: "demo" };
            r.state.reporter = Some(r.log_in(grant)?);
            Ok(())
        },
    );
    r.step("log in with a password (demo-coordinator)", vec![], |r| {
        let grant = Grant::Password { username: "demo-coordinator", password: "demo" };
        r.state.coordinator = Some(r.log_in(grant)?);
        Ok(())
    });
    // When a log-in step failed, the rest of the workflow still runs, with a token the harness
    // obtained outside the client, so that one defect does not hide the others. The failed
    // log-in still fails the run.
    for (variable, who) in [
        ("KIV_REPORTER_TOKEN", "reporter"),
        ("KIV_COORDINATOR_TOKEN", "coordinator"),
    ] {
        let slot_empty = match who {
            "reporter" => r.state.reporter.is_none(),
            _ => r.state.coordinator.is_none(),
        };
        if let (true, Ok(token)) = (slot_empty, std::env::var(variable)) {
            println!("NOTE the {who}'s log-in failed: the next steps use the harness's token ({variable})");
            let configuration = r.configuration(Some(token));
            match who {
                "reporter" => r.state.reporter = Some(configuration),
                _ => r.state.coordinator = Some(configuration),
            }
        }
    }

    r.step(
        "read the reporter's organisation (GET /me)",
        missing!(r.state, reporter),
        |r| {
            let reporter = got(&r.state.reporter);
            let me = accounts_api::get_own_account(&reporter, None).map_err(|e| describe("GET /me", e))?;
            r.state.organisation = Some(me.organisation.id);
            Ok(())
        },
    );

    // -- reference data ------------------------------------------------------------------------

    r.step(
        "list the clusters, 3 a page, following the pages",
        missing!(r.state, coordinator),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let mut codes: Vec<String> = Vec::new();
            let mut page = 1;
            loop {
                let answer = reference_data_api::list_clusters(
                    &coordinator,
                    Some(PLAN),
                    None,
                    Some(page),
                    Some(3),
                    None, // If-None-Match: always the representation
                )
                .map_err(|e| describe(&format!("GET /clusters page {page}"), e))?;
                check(answer.items.len() <= 3, || {
                    format!("page {page} has {} items", answer.items.len())
                })?;
                codes.extend(answer.items.iter().map(|cluster| cluster.code.clone()));
                if matches!(answer.next, None | Some(None)) {
                    check(codes.len() == 10 && answer.total == 10, || {
                        format!(
                            "{} clusters on the pages, total {}",
                            codes.len(),
                            answer.total
                        )
                    })?;
                    break;
                }
                page += 1;
                check(page <= 10, || "more pages than clusters".to_owned())?;
            }
            let mut distinct = codes.clone();
            distinct.sort();
            distinct.dedup();
            check(distinct.len() == codes.len(), || {
                format!("a cluster on two pages: {codes:?}")
            })?;
            check(page == 4, || format!("{page} pages of 3 for 10 clusters"))
        },
    );

    // -- planning (coordinator) ----------------------------------------------------------------

    r.step("create an objective", missing!(r.state, coordinator), |r| {
        let coordinator = got(&r.state.coordinator);
        let objective = models::NewObjective {
            cluster_id: Some(Some("3".into())),
            ..models::NewObjective::new(
                PLAN.into(),
                format!("rs-{}", r.run),
                models::ObjectiveLevel::Strategic,
                text("Drugs (Rust client)"),
            )
        };
        let answer = planning_api::create_objective(&coordinator, objective, None, None)
            .map_err(|e| describe("POST /objectives", e))?;
        r.state.objective = Some(answer.id);
        Ok(())
    });

    r.step(
        "create an action led by the reporter's organisation",
        missing!(r.state, coordinator, objective, organisation),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let organisation = got(&r.state.organisation);
            let external_id = format!("RS-{}", r.run);
            let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).ok_or("a date")?;
            let end = chrono::NaiveDate::from_ymd_opt(2018, 12, 31).ok_or("a date")?;
            let action = models::NewAction {
                external_id: Some(Some(external_id.clone())),
                ..models::NewAction::new(
                    got(&r.state.objective),
                    format!("rs-{}.a", r.run),
                    text("Drugslabs (Rust client)"),
                    organisation.clone(),
                    start,
                    end,
                )
            };
            let answer = planning_api::create_action(&coordinator, action, None, None)
                .map_err(|e| describe("POST /actions", e))?;
            check(answer.lead_organisation_id == organisation, || {
                format!("led by {}", answer.lead_organisation_id)
            })?;
            r.state.action = Some(answer.id);
            r.state.external_id = Some(external_id);
            Ok(())
        },
    );

    r.step(
        "create an indicator of the action",
        missing!(r.state, coordinator, action),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let indicator = models::NewIndicator {
                action_id: Some(Some(got(&r.state.action))),
                ..models::NewIndicator::new(
                    text("Opgerolde drugslabs"),
                    models::IndicatorMeasure::Number,
                    models::IndicatorDirection::Increase,
                )
            };
            let answer = planning_api::create_indicator(&coordinator, indicator, None, None)
                .map_err(|e| describe("POST /indicators", e))?;
            r.state.indicator = Some(answer.id);
            Ok(())
        },
    );

    // -- follow-up (reporter, then coordinator) ------------------------------------------------

    r.step(
        "create a follow-up with an indicator value (reporter)",
        missing!(r.state, reporter, action, indicator),
        |r| {
            let reporter = got(&r.state.reporter);
            let follow_up = models::NewFollowUp {
                progress: Some(Some(40.0)),
                narrative: Some(Some(Box::new(text("Twee labs opgerold")))),
                indicator_values: Some(vec![models::ReportedValue::new(
                    got(&r.state.indicator),
                    models::IndicatorValue::Number(2.0),
                )]),
                ..models::NewFollowUp::new(
                    got(&r.state.action),
                    PERIOD.into(),
                    models::FollowUpStatus::OnTrack,
                )
            };
            let answer = follow_up_api::create_follow_up(&reporter, follow_up, None)
                .map_err(|e| describe("POST /followUps", e))?;
            check(answer.state == models::WorkflowState::Draft, || {
                format!("state {:?}", answer.state)
            })?;
            // The version in the body is the ETag: what If-Match sends back.
            r.state.draft_etag = Some(answer.version);
            r.state.follow_up = Some(answer.id);
            Ok(())
        },
    );

    r.step(
        "submit the follow-up with If-Match (reporter)",
        missing!(r.state, reporter, follow_up),
        |r| {
            let reporter = got(&r.state.reporter);
            // If-Match is the follow-up's ETag, a header of the 201 that created it.
            let Some(etag) = r.state.draft_etag.clone() else {
                return Err("no If-Match to send: the ETag header of the 201 of POST /followUps is out of \
                            reach, follow_up_api::create_follow_up returns models::FollowUpView only"
                    .to_owned());
            };
            let answer = follow_up_api::submit_follow_up(&reporter, &got(&r.state.follow_up), &etag, None)
                .map_err(|e| describe("POST /followUps/{id}/submit", e))?;
            check(answer.state == models::WorkflowState::Submitted, || format!("state {:?}", answer.state))?;
            r.state.submitted_etag = Some(answer.version);
            r.state.submitted = Some(true);
            Ok(())
        },
    );

    r.step(
        "approve it with If-Match from the submit's answer (coordinator)",
        missing!(r.state, coordinator, follow_up, submitted),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let Some(etag) = r.state.submitted_etag.clone() else {
                return Err(
                    "no If-Match to send: the ETag header of the submit's 200 is out of reach, \
                            follow_up_api::submit returns models::FollowUpView only"
                        .to_owned(),
                );
            };
            let review = models::Review {
                review_note: Some(Some("Akkoord".into())),
            };
            let answer = follow_up_api::approve_follow_up(
                &coordinator,
                &got(&r.state.follow_up),
                &etag,
                None,
                Some(review),
            )
            .map_err(|e| describe("POST /followUps/{id}/approve", e))?;
            check(answer.state == models::WorkflowState::Approved, || {
                format!("state {:?}", answer.state)
            })?;
            r.state.approved = Some(true);
            Ok(())
        },
    );

    // -- reports -------------------------------------------------------------------------------

    r.step(
        "read the progress report's totals through the models (JSON)",
        missing!(r.state, coordinator),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let report = reports_api::progress_report(
                &coordinator,
                PLAN,
                None,
                Some(PERIOD),
                Some("3"),
                None,
                None,
                None,
                None,
                None,
                None, // If-None-Match: always the representation
            )
            .map_err(|e| describe("GET /reports/progress", e))?;
            check(report.period == PERIOD, || {
                format!("period {}", report.period)
            })?;
            let totals = &report.totals;
            check(totals.actions >= 1, || {
                format!("totals.actions = {}", totals.actions)
            })?;
            check(all_statuses(&totals.by_status) == totals.actions, || {
                format!(
                    "totals.byStatus {:?} for {} actions",
                    totals.by_status, totals.actions
                )
            })?;
            check(totals.by_status.on_track >= 1, || {
                format!("totals.byStatus = {:?}", totals.by_status)
            })
        },
    );

    r.step(
        "find the approved follow-up in the report's figures",
        missing!(r.state, coordinator, objective, approved),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let report = reports_api::progress_report(
                &coordinator,
                PLAN,
                None,
                Some(PERIOD),
                Some("3"),
                None,
                None,
                None,
                None,
                None,
                None, // If-None-Match: always the representation
            )
            .map_err(|e| describe("GET /reports/progress", e))?;
            let objective = got(&r.state.objective);
            let ours: Vec<&models::ObjectiveReport> = report
                .clusters
                .iter()
                .flat_map(|cluster| cluster.objectives.iter())
                .filter(|o| o.objective_id == objective)
                .collect();
            let [ours] = ours.as_slice() else {
                return Err("the new objective is not in the report once".to_owned());
            };
            check(ours.actions == 1, || {
                format!("the objective's actions = {}", ours.actions)
            })?;
            check(ours.progress == Some(Some(40.0)), || {
                format!("the objective's progress = {:?}", ours.progress)
            })?;
            check(ours.by_status.on_track == 1, || {
                format!("the objective's byStatus = {:?}", ours.by_status)
            })
        },
    );

    r.step(
        "download the progress report as CSV",
        missing!(r.state, coordinator),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let answer = reports_api::progress_report_csv(
                &coordinator,
                PLAN,
                None,
                Some(PERIOD),
                None,
                None,
                None,
                None,
                None,
                None,
                None, // If-None-Match: always the representation
            )
            .map_err(|e| describe("GET /reports/progress.csv", e))?;
            let bytes = answer.bytes().map_err(|e| format!("reading the CSV: {e}"))?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|e| format!("not UTF-8: {e}"))?;
            let header = text.lines().next().unwrap_or_default();
            check(
                header.starts_with("level,clusterId,objectiveId,code,name,actions,"),
                || format!("header {header}"),
            )
        },
    );

    r.step(
        "download the progress report as xlsx",
        missing!(r.state, coordinator),
        |r| {
            let coordinator = got(&r.state.coordinator);
            let answer = reports_api::progress_report_xlsx(
                &coordinator,
                PLAN,
                None,
                Some(PERIOD),
                None,
                None,
                None,
                None,
                None,
                None,
                None, // If-None-Match: always the representation
            )
            .map_err(|e| describe("GET /reports/progress.xlsx", e))?;
            let bytes = answer.bytes().map_err(|e| format!("reading the workbook: {e}"))?;
            check(bytes.starts_with(b"PK"), || {
                format!("not a zip file: {:?}", &bytes[..bytes.len().min(8)])
            })
        },
    );

    // -- CSV import (reporter) -----------------------------------------------------------------

    r.step(
        "import follow-ups from a CSV file (reporter)",
        missing!(r.state, reporter, organisation, external_id),
        |r| {
            let reporter = got(&r.state.reporter);
            let csv = format!(
                "actionExternalId,organisationId,period,status,progress,narrativeNl\n{},{},{IMPORT_PERIOD},delayed,45,Vertraagd\n",
                got(&r.state.external_id),
                got(&r.state.organisation)
            );
            let file = std::env::temp_dir().join(format!("kiv-import-{}.csv", r.run));
            std::fs::write(&file, csv).map_err(|e| format!("writing {}: {e}", file.display()))?;
            let report = follow_up_api::import_follow_ups(&reporter, file, Some("atomic"), None)
                .map_err(|e| describe("POST /imports/followUps", e))?;
            check(report.created == 1 && report.refused == 0, || {
                format!("created {}, refused {}", report.created, report.refused)
            })
        },
    );

    println!(
        "rust: {} passed, {} failed, {} skipped",
        r.passed, r.failed, r.skipped
    );
    if r.failed + r.skipped > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
