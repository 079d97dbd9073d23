//! The plans' content: objectives, actions and indicators. Every write validates the whole
//! record against its plan and the stored references, writes its audit event, and runs in one
//! transaction: a refused write changes nothing.

pub mod actions;
pub mod indicators;
pub mod objectives;

use std::collections::HashMap;

use kiv_domain::{InputIssue, IssueLocation, Plan};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::reference::{organisations, plans};

/// Replaces the rows of a link table (`objective_themes`, ...) that belong to one owner.
macro_rules! replace_links {
    ($conn:expr, $table:ident, $owner:ident, $other:ident, $owner_id:expr, $ids:expr) => {{
        use crate::schema::$table;
        diesel::delete($table::table.filter($table::$owner.eq($owner_id))).execute($conn)?;
        for other in $ids {
            diesel::insert_into($table::table)
                .values(($table::$owner.eq($owner_id), $table::$other.eq(other)))
                .execute($conn)?;
        }
    }};
}
pub(crate) use replace_links;

/// Loads the rows of a link table for several owners, as owner → ids in insertion order.
macro_rules! load_links {
    ($conn:expr, $table:ident, $owner:ident, $other:ident, $owner_ids:expr) => {{
        use crate::schema::$table;
        let pairs: Vec<(String, String)> = $table::table
            .filter($table::$owner.eq_any($owner_ids))
            .order(($table::$owner, $table::$other))
            .select(($table::$owner, $table::$other))
            .load($conn)?;
        crate::planning::group(pairs)
    }};
}
pub(crate) use load_links;

pub(crate) fn group(pairs: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut grouped: HashMap<String, Vec<String>> = HashMap::new();
    for (owner, other) in pairs {
        grouped.entry(owner).or_default().push(other);
    }
    grouped
}

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

/// An issue for a reference to a record that does not exist.
pub(crate) fn missing(field: &str, id: &str) -> InputIssue {
    InputIssue::referenced_resource_not_found(IssueLocation::Body, field, id)
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

/// Fails with every issue found, or passes.
pub(crate) fn reject_if_any(issues: Vec<InputIssue>) -> StoreResult<()> {
    if issues.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Rejected(issues))
    }
}

/// `%` and `_` match literally in a `q` search.
pub(crate) fn like_pattern(q: &str) -> String {
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
