//! Answers kept for retried POSTs: a client that repeats a request with the same
//! `Idempotency-Key` gets the first successful answer again, and nothing is created twice. Only
//! successes (2xx) are kept: a refused or failed request changed nothing and releases its key.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::idempotent_requests;

/// How long a key is remembered.
pub const RETENTION: TimeDelta = TimeDelta::hours(24);

/// A request whose key was claimed but never answered (its node died) is abandoned after this.
pub const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(2);

/// Whether an answer with `status` is kept for replay: only a success is.
pub fn replayable(status: u16) -> bool {
    (200..300).contains(&status)
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a key means for a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// First use: go ahead, then [`complete`] or [`release`].
    Fresh,
    /// Used before with the same request: answer this again.
    Replay(StoredResponse),
    /// Used before with the same request, which has not been answered yet.
    InProgress,
    /// Used before with another request.
    Mismatch,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = idempotent_requests)]
struct Row {
    request_hash: String,
    status: Option<i32>,
    headers: Option<JsonValue<Vec<(String, String)>>>,
    body: Option<Vec<u8>>,
    created_at: NaiveDateTime,
}

fn find(conn: &mut DbConnection, login: &str, key: &str) -> StoreResult<Option<Row>> {
    Ok(idempotent_requests::table
        .find((login, key))
        .select(Row::as_select())
        .first(conn)
        .optional()?)
}

fn forget(conn: &mut DbConnection, login: &str, key: &str) -> StoreResult<()> {
    diesel::delete(idempotent_requests::table.find((login, key))).execute(conn)?;
    Ok(())
}

/// Claims `key` of `login` for the request with `request_hash`.
pub fn claim(
    conn: &mut DbConnection,
    login: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<Claim> {
    if let Some(row) = find(conn, login, key)? {
        let expired = row.created_at + RETENTION < now;
        let abandoned = row.status.is_none() && row.created_at + ABANDONED_AFTER < now;
        // A refusal kept before only successes were (it changed nothing): the request runs again.
        let refusal = row
            .status
            .is_some_and(|status| !u16::try_from(status).is_ok_and(replayable));
        if expired || abandoned || refusal {
            forget(conn, login, key)?;
        } else if row.request_hash != request_hash {
            return Ok(Claim::Mismatch);
        } else {
            return Ok(match (row.status, row.body) {
                (Some(status), Some(body)) => Claim::Replay(StoredResponse {
                    status: u16::try_from(status).unwrap_or(500),
                    headers: row.headers.map(|h| h.0).unwrap_or_default(),
                    body,
                }),
                _ => Claim::InProgress,
            });
        }
    }
    let inserted = diesel::insert_into(idempotent_requests::table)
        .values((
            idempotent_requests::account_login.eq(login),
            idempotent_requests::idempotency_key.eq(key),
            idempotent_requests::request_hash.eq(request_hash),
            idempotent_requests::created_at.eq(now),
        ))
        .execute(conn)
        .map_err(StoreError::from);
    match inserted {
        Ok(_) => Ok(Claim::Fresh),
        // A concurrent request claimed it first.
        Err(StoreError::Unique(_)) => match find(conn, login, key)? {
            Some(row) if row.request_hash != request_hash => Ok(Claim::Mismatch),
            _ => Ok(Claim::InProgress),
        },
        Err(other) => Err(other),
    }
}

/// Stores the answer to a claimed key; only a success is kept (see [`replayable`]), any other
/// answer releases the key.
pub fn complete(
    conn: &mut DbConnection,
    login: &str,
    key: &str,
    response: &StoredResponse,
) -> StoreResult<()> {
    if !replayable(response.status) {
        return release(conn, login, key);
    }
    diesel::update(idempotent_requests::table.find((login, key)))
        .set((
            idempotent_requests::status.eq(Some(i32::from(response.status))),
            idempotent_requests::headers.eq(Some(JsonValue(response.headers.clone()))),
            idempotent_requests::body.eq(Some(response.body.clone())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives a claimed key up (the request was refused or failed: a retry may try again). Only an
/// unanswered claim is released, never a kept answer.
pub fn release(conn: &mut DbConnection, login: &str, key: &str) -> StoreResult<()> {
    diesel::delete(
        idempotent_requests::table
            .find((login, key))
            .filter(idempotent_requests::status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}
