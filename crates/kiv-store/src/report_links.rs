//! Signed report links as kiv keeps them, so that they can be listed, revoked, and die with the
//! account that made them. The signature is never stored: a stored row cannot be turned back
//! into a working link.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::access::ReportLink;
use kiv_domain::{Caller, PageRequest};

use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::schema::report_links;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_links)]
struct LinkRow {
    id: String,
    report: String,
    parameters: JsonValue<BTreeMap<String, String>>,
    created_by: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    revoked_by: Option<String>,
}

impl From<LinkRow> for ReportLink {
    fn from(row: LinkRow) -> Self {
        let LinkRow {
            id,
            report,
            parameters,
            created_by,
            created_at,
            expires_at,
            revoked_at,
            revoked_by,
        } = row;
        ReportLink {
            id,
            report,
            parameters: parameters.0,
            created_by,
            created_at,
            expires_at,
            revoked_at,
            revoked_by,
        }
    }
}

/// Records a new link of `actor` for `report` with `parameters`, valid until `expires_at`.
pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    report: &str,
    parameters: BTreeMap<String, String>,
    expires_at: NaiveDateTime,
) -> StoreResult<ReportLink> {
    crate::database::write_transaction(conn, |conn| {
        let row = LinkRow {
            id: uuid::Uuid::new_v4().to_string(),
            report: report.to_owned(),
            parameters: JsonValue(parameters.clone()),
            created_by: actor.login.clone(),
            created_at: now(),
            expires_at,
            revoked_at: None,
            revoked_by: None,
        };
        diesel::insert_into(report_links::table)
            .values(&row)
            .execute(conn)?;
        let link = ReportLink::from(row);
        audit::record(
            conn,
            actor,
            "reportLink",
            &link.id,
            Operation::Create,
            None,
            Some(&link),
        )?;
        Ok(link)
    })
}

/// The link with `id`, whoever made it (for serving the link itself).
pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ReportLink>> {
    Ok(report_links::table
        .find(id)
        .select(LinkRow::as_select())
        .first(conn)
        .optional()?
        .map(ReportLink::from))
}

/// The links `caller` may see, newest first: its own, or for administrators everybody's
/// (`created_by` narrows to one maker; for anyone else it matches only their own login).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    created_by: Option<&str>,
    page: PageRequest,
) -> StoreResult<Page<ReportLink>> {
    let maker = if caller.has(kiv_domain::Role::Admin) {
        created_by.map(str::to_owned)
    } else {
        match created_by {
            Some(other) if other != caller.login => {
                return Ok(Page {
                    items: Vec::new(),
                    total: 0,
                })
            }
            _ => Some(caller.login.clone()),
        }
    };
    let filtered = || {
        let mut query = report_links::table.into_boxed();
        if let Some(maker) = &maker {
            query = query.filter(report_links::created_by.eq(maker.clone()));
        }
        query
    };
    let Page { items: rows, total } = load_page(
        conn,
        filtered()
            .order((report_links::created_at.desc(), report_links::id.asc()))
            .select((LinkRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(Page {
        items: rows.into_iter().map(ReportLink::from).collect(),
        total,
    })
}

/// Revokes the link `id` on behalf of `caller` (its maker or an administrator; anyone else gets
/// [`StoreError::NotFound`], as for a link that does not exist). Revoking a revoked link changes
/// nothing.
pub fn revoke(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<ReportLink> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?
            .filter(|link| caller.may_manage_link(link))
            .ok_or(StoreError::NotFound)?;
        if current.revoked_at.is_some() {
            return Ok(current);
        }
        let at = now();
        diesel::update(report_links::table.find(id))
            .set((
                report_links::revoked_at.eq(Some(at)),
                report_links::revoked_by.eq(Some(caller.login.clone())),
            ))
            .execute(conn)?;
        let revoked = get(conn, id)?.ok_or(StoreError::NotFound)?;
        audit::record(
            conn,
            caller,
            "reportLink",
            id,
            Operation::Update,
            Some(&current),
            Some(&revoked),
        )?;
        Ok(revoked)
    })
}

/// Revokes every link `login` made that is not revoked yet, at `at`, because `actor` took the
/// account's right to pull reports. Part of the caller's transaction.
pub(crate) fn revoke_all_of(
    conn: &mut DbConnection,
    login: &str,
    actor: &Caller,
    at: NaiveDateTime,
) -> StoreResult<usize> {
    Ok(diesel::update(
        report_links::table
            .filter(report_links::created_by.eq(login))
            .filter(report_links::revoked_at.is_null()),
    )
    .set((
        report_links::revoked_at.eq(Some(at)),
        report_links::revoked_by.eq(Some(actor.login.clone())),
    ))
    .execute(conn)?)
}
