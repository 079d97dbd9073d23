//! The action table's row, joined with its state, and its conversion to [`Action`] with the
//! partners and themes of the link tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kiv_domain::followup::action_status;
use kiv_domain::planning::ActionState;
use kiv_domain::{Action, FollowUpStatus, LocalizedText};

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::records::group;
use crate::schema::{action_partners, action_states, action_themes, actions};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = actions, treat_none_as_null = true)]
pub(crate) struct ActionRow {
    pub id: String,
    pub objective_id: String,
    pub code: String,
    pub title: JsonValue<LocalizedText>,
    pub description: Option<JsonValue<LocalizedText>>,
    pub lead_organisation_id: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub weight: f64,
    pub external_id: Option<String>,
    pub sort_title: String,
    pub search_text: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The objective's plan and cluster, copied onto the row by every write that sets or moves
    /// them (the list filters and indexes them); the action's status, kept the same way by the
    /// approval of its follow-ups, is not part of this row's writes.
    pub plan_id: String,
    pub cluster_id: Option<String>,
}

/// An action row with, once a follow-up of it was approved, its state (status, progress,
/// period).
#[derive(Debug, Clone, Queryable, Selectable)]
pub(crate) struct Joined {
    #[diesel(embed)]
    action: ActionRow,
    #[diesel(embed)]
    state: Option<StateRow>,
}

/// The state of an action, kept by the approval of its follow-ups.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = action_states)]
pub(crate) struct StateRow {
    status: String,
    progress: Option<f64>,
    period: String,
}

/// The action of `row` with the partners and themes of `links`, (partner, theme) pairs of a
/// query that joined both link tables to the action (each of them `None` where the action has
/// none).
pub(super) fn with_joined_links(
    row: Joined,
    links: impl IntoIterator<Item = (Option<String>, Option<String>)>,
) -> StoreResult<Action> {
    let (mut partners, mut themes): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (partner, theme) in links {
        partners.extend(partner);
        themes.extend(theme);
    }
    for ids in [&mut partners, &mut themes] {
        ids.sort_unstable();
        ids.dedup();
    }
    action(row, partners, themes)
}

/// The actions of `rows` with their partners and themes, read in one more query.
pub(super) fn with_links(conn: &mut DbConnection, rows: Vec<Joined>) -> StoreResult<Vec<Action>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.action.id.as_str()).collect();
    // One query for both links; UNION is outside the subset both backends share through
    // `MultiConnection`, so it runs on the backend's own connection.
    let mut links: Vec<(String, bool, String)> = crate::on_backend!(conn, |inner| {
        action_partners::table
            .filter(action_partners::action_id.eq_any(&ids))
            .select((
                action_partners::action_id,
                true.into_sql::<diesel::sql_types::Bool>(),
                action_partners::organisation_id,
            ))
            .union_all(
                action_themes::table
                    .filter(action_themes::action_id.eq_any(&ids))
                    .select((
                        action_themes::action_id,
                        false.into_sql::<diesel::sql_types::Bool>(),
                        action_themes::theme_id,
                    )),
            )
            .load(inner)?
    });
    links.sort_unstable();
    let (partner_pairs, theme_pairs): (Vec<_>, Vec<_>) =
        links.into_iter().partition(|(_, partner, _)| *partner);
    let pairs = |links: Vec<(String, bool, String)>| {
        group(
            links
                .into_iter()
                .map(|(owner, _, other)| (owner, other))
                .collect(),
        )
    };
    let (mut partners, mut themes) = (pairs(partner_pairs), pairs(theme_pairs));
    rows.into_iter()
        .map(|joined| {
            let id = &joined.action.id;
            let (partners, themes) = (
                partners.remove(id).unwrap_or_default(),
                themes.remove(id).unwrap_or_default(),
            );
            action(joined, partners, themes)
        })
        .collect()
}

/// An action from its row and state, with its partners and themes.
fn action(joined: Joined, partners: Vec<String>, themes: Vec<String>) -> StoreResult<Action> {
    let Joined { action: row, state } = joined;
    let state = match state {
        Some(StateRow {
            status,
            progress,
            period,
        }) => action_state(&status, progress, &period)?,
        None => Default::default(),
    };
    let ActionRow {
        id,
        objective_id,
        code,
        title,
        description,
        lead_organisation_id,
        planned_start,
        planned_end,
        weight,
        external_id,
        sort_title: _,
        search_text: _,
        version,
        created_at,
        updated_at,
        plan_id,
        cluster_id,
    } = row;
    Ok(Action {
        state,
        partner_organisation_ids: partners,
        theme_ids: themes,
        id,
        objective_id,
        plan_id,
        cluster_id,
        code,
        title: title.0,
        description: description.map(|d| d.0),
        lead_organisation_id,
        planned_start,
        planned_end,
        weight,
        external_id,
        version,
        created_at,
        updated_at,
    })
}

/// An action's state from its `action_states` row: the status, progress and period of its
/// latest approved follow-up (kept there by the follow-ups' approval).
pub(crate) fn action_state(
    status: &str,
    progress: Option<f64>,
    period: &str,
) -> StoreResult<ActionState> {
    let status: FollowUpStatus = status.parse().map_err(StoreError::corrupt)?;
    Ok(ActionState {
        status: action_status(status),
        progress,
        period: Some(period.parse().map_err(StoreError::corrupt)?),
    })
}
