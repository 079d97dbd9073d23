//! Small pieces every feature's reads and writes use: link tables, issues for references that do
//! not exist, refusing with every issue found, and `q` search patterns. They sit below the
//! features so that none of them borrows another's.

use std::collections::HashMap;

use kiv_domain::{InputIssue, IssueLocation};

use crate::error::{StoreError, StoreResult};

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
        crate::records::group(pairs)
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

/// An issue for a reference to a record that does not exist.
pub(crate) fn missing(field: &str, id: &str) -> InputIssue {
    InputIssue::referenced_resource_not_found(IssueLocation::Body, field, id)
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
