//! The partners' contributions to a follow-up. The lead organisation of an action writes and
//! submits the follow-up; each partner organisation adds its own narrative and indicator values
//! for the period beside it, one contribution per follow-up and partner. A contribution changes
//! while its follow-up is a draft or returned and freezes with it when it is submitted (and
//! approved); a reopened follow-up opens its contributions again.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::access::ContributionRefusal;
use kiv_domain::followup::{check_reported_values, editable, Contribution};
use kiv_domain::{Caller, InputIssue, IssueLocation, LocalizedText, PageRequest, ReportedValue};
use serde_json::Value;

use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::schema::{follow_up_contributions, follow_ups};

use super::queries::readable;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = follow_up_contributions)]
struct Row {
    id: String,
    follow_up_id: String,
    organisation_id: String,
    narrative: JsonValue<LocalizedText>,
    indicator_values: JsonValue<Vec<ReportedValue>>,
    version: i32,
    created_by: String,
    updated_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl Row {
    fn into_domain(self) -> Contribution {
        Contribution {
            id: self.id,
            follow_up_id: self.follow_up_id,
            organisation_id: self.organisation_id,
            narrative: self.narrative.0,
            indicator_values: self.indicator_values.0,
            version: self.version,
            created_by: self.created_by,
            updated_by: self.updated_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    fn of(record: &Contribution) -> Self {
        Row {
            id: record.id.clone(),
            follow_up_id: record.follow_up_id.clone(),
            organisation_id: record.organisation_id.clone(),
            narrative: JsonValue(record.narrative.clone()),
            indicator_values: JsonValue(record.indicator_values.clone()),
            version: record.version,
            created_by: record.created_by.clone(),
            updated_by: record.updated_by.clone(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// What a partner contributes.
#[derive(Debug, Clone)]
pub struct ContributionInput {
    pub narrative: LocalizedText,
    pub indicator_values: Vec<ReportedValue>,
}

/// What the writer of a contribution said it expects to replace (`If-Match`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// No `If-Match`: only a first contribution may be written this way.
    Nothing,
    /// `If-Match: *`: whatever contribution is stored (one must be).
    Any,
    /// The entity tag read.
    Version(kiv_domain::Validator),
}

/// The contributions to a follow-up, by organisation, as `caller` may read them: wherever the
/// follow-up itself is readable.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    follow_up_id: &str,
    page: PageRequest,
) -> StoreResult<Page<Contribution>> {
    readable(conn, caller, follow_up_id)?;
    let filtered = || {
        follow_up_contributions::table
            .filter(follow_up_contributions::follow_up_id.eq(follow_up_id))
    };
    let found: Page<Row> = load_page(
        conn,
        filtered()
            .order(follow_up_contributions::organisation_id.asc())
            .select((Row::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    Ok(found.map(Row::into_domain))
}

fn find(
    conn: &mut DbConnection,
    follow_up_id: &str,
    organisation_id: &str,
) -> StoreResult<Option<Contribution>> {
    Ok(follow_up_contributions::table
        .filter(follow_up_contributions::follow_up_id.eq(follow_up_id))
        .filter(follow_up_contributions::organisation_id.eq(organisation_id))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain))
}

/// One organisation's contribution to a follow-up, as `caller` may read it.
pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    follow_up_id: &str,
    organisation_id: &str,
) -> StoreResult<Option<Contribution>> {
    readable(conn, caller, follow_up_id)?;
    find(conn, follow_up_id, organisation_id)
}

/// Writes the contribution of `organisation_id` to a follow-up: creates it (no expectation) or
/// replaces it (the version read). Who may is `kiv_domain::Caller::check_contribution_write`;
/// the follow-up must be a draft or returned. Returns the contribution and whether it is new.
pub fn put(
    conn: &mut DbConnection,
    actor: &Caller,
    follow_up_id: &str,
    organisation_id: &str,
    expected: Expectation,
    input: ContributionInput,
) -> StoreResult<(Contribution, bool)> {
    crate::database::write_transaction(conn, |conn| {
        let (follow_up, action) = readable(conn, actor, follow_up_id)?;
        actor
            .check_contribution_write(&action, organisation_id)
            .map_err(|refused| match refused {
                ContributionRefusal::NotPermitted(why) => StoreError::NotPermitted(why),
                ContributionRefusal::NotAPartner(why) => {
                    StoreError::Rejected(vec![InputIssue::invalid(
                        IssueLocation::Path,
                        "organisationId",
                        Some(Value::from(organisation_id)),
                        why,
                    )])
                }
            })?;
        // Holds the follow-up open for the length of this write: a no-op update of its row,
        // only while it is a draft or returned. On PostgreSQL the row lock makes a concurrent
        // submit wait for this write (or this write see the submission and stop); SQLite
        // serialises writers anyway.
        let open = [
            kiv_domain::WorkflowState::Draft.as_str(),
            kiv_domain::WorkflowState::Returned.as_str(),
        ];
        let held = diesel::update(
            follow_ups::table
                .filter(follow_ups::id.eq(&follow_up.id))
                .filter(follow_ups::state.eq_any(open)),
        )
        .set(follow_ups::state.eq(follow_ups::state))
        .execute(conn)?;
        if held == 0 || !editable(follow_up.state) {
            let state = super::get(conn, &follow_up.id)?.map_or(follow_up.state, |f| f.state);
            return Err(StoreError::Conflict(format!(
                "the follow-up is {state}: its contributions are frozen with it{}",
                if state == kiv_domain::WorkflowState::Approved {
                    " until a coordinator reopens it"
                } else {
                    " until a coordinator returns it"
                }
            )));
        }
        let mut issues = Vec::new();
        issues.extend(kiv_domain::planning::check_text(
            "narrative",
            &input.narrative,
            20_000,
        ));
        let reportable = super::reportable_indicators(conn, &action)?;
        issues.extend(check_reported_values(&input.indicator_values, &reportable));
        crate::records::reject_if_any(issues)?;

        let existing = find(conn, follow_up_id, organisation_id)?;
        let at = now();
        match (existing, expected) {
            (None, Expectation::Nothing) => {
                let created = Contribution {
                    id: uuid::Uuid::new_v4().to_string(),
                    follow_up_id: follow_up.id.clone(),
                    organisation_id: organisation_id.to_owned(),
                    narrative: input.narrative,
                    indicator_values: input.indicator_values,
                    version: 1,
                    created_by: actor.login.clone(),
                    updated_by: actor.login.clone(),
                    created_at: at,
                    updated_at: at,
                };
                // One per follow-up and organisation (a unique key): of two concurrent first
                // writes, the second is told to read the first.
                let written = crate::on_backend!(conn, |inner| diesel::insert_into(
                    follow_up_contributions::table
                )
                .values(&Row::of(&created))
                .on_conflict_do_nothing()
                .execute(inner))?;
                if written == 0 {
                    return Err(StoreError::VersionRequired);
                }
                audit::record(
                    conn,
                    actor,
                    "followUpContribution",
                    &created.id,
                    Operation::Create,
                    None,
                    Some(&created),
                )?;
                Ok((created, true))
            }
            (None, _) => Err(StoreError::VersionMismatch { current: 0 }),
            (Some(_), Expectation::Nothing) => Err(StoreError::VersionRequired),
            (Some(before), expected) => {
                if let Expectation::Version(version) = expected {
                    crate::error::check_version(Some(version), &before)?;
                }
                let next = Contribution {
                    narrative: input.narrative,
                    indicator_values: input.indicator_values,
                    version: before.version + 1,
                    updated_by: actor.login.clone(),
                    updated_at: at,
                    ..before.clone()
                };
                let written = diesel::update(
                    follow_up_contributions::table
                        .filter(follow_up_contributions::id.eq(&before.id))
                        .filter(follow_up_contributions::version.eq(before.version)),
                )
                .set(&Row::of(&next))
                .execute(conn)?;
                crate::error::expect_one_written(written, before.version)?;
                audit::record(
                    conn,
                    actor,
                    "followUpContribution",
                    &next.id,
                    Operation::Update,
                    Some(&before),
                    Some(&next),
                )?;
                Ok((next, false))
            }
        }
    })
}
