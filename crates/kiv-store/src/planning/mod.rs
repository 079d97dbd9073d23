//! The plans' content: objectives, actions and indicators. Every write validates the whole
//! record against its plan and the stored references, writes its audit event, and runs in one
//! transaction: a refused write changes nothing.
//!
//! Each resource is a directory like every feature's: `rows` (the diesel rows and their
//! conversion to domain values), `queries` (the reads) and `service` (the writes). What more
//! than one of them checks (a plan, organisations, clusters and themes that exist) is here.

pub mod actions;
pub mod indicators;
pub mod objectives;

use kiv_domain::{InputIssue, Plan};

use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::records::missing;
use crate::reference::{organisations, plans};

/// The plan an input names, or an issue saying it does not exist.
pub(crate) fn plan_of(
    conn: &mut DbConnection,
    field: &str,
    plan_id: &str,
    issues: &mut Vec<InputIssue>,
) -> StoreResult<Option<Plan>> {
    let plan = plans::get(conn, plan_id)?;
    if plan.is_none() {
        issues.push(missing(field, plan_id));
    }
    Ok(plan)
}

/// Issues for organisations that do not exist, by field (`partnerOrganisationIds[1]`).
pub(crate) fn check_organisations(
    conn: &mut DbConnection,
    field: &str,
    ids: &[String],
    issues: &mut Vec<InputIssue>,
) -> StoreResult<()> {
    for (index, id) in ids.iter().enumerate() {
        if organisations::find_row(conn, id)?.is_none() {
            issues.push(missing(&format!("{field}[{index}]"), id));
        }
    }
    Ok(())
}

/// Issues for clusters and themes that do not exist at all (rather than not in the plan); true
/// when every one exists, so the plan's own rules can be checked next.
pub(crate) fn check_reference_data(
    conn: &mut DbConnection,
    cluster_id: Option<&str>,
    theme_ids: &[String],
    issues: &mut Vec<InputIssue>,
) -> StoreResult<bool> {
    let before = issues.len();
    if let Some(cluster_id) = cluster_id {
        if crate::reference::clusters::find_row(conn, cluster_id)?.is_none() {
            issues.push(missing("clusterId", cluster_id));
        }
    }
    for (index, theme_id) in theme_ids.iter().enumerate() {
        if crate::reference::themes::find_row(conn, theme_id)?.is_none() {
            issues.push(missing(&format!("themeIds[{index}]"), theme_id));
        }
    }
    Ok(issues.len() == before)
}
