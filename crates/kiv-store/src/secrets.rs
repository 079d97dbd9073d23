//! Secrets the server makes for itself, kept in the database so that every node of a deployment
//! (and every restart) uses the same one.

use diesel::prelude::*;

use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::schema::server_secrets;

/// The secret called `name`, made by `generate` and stored if there is none yet. The flag says
/// whether it was made now. Two nodes starting at once agree on the first one stored.
pub fn get_or_create(
    conn: &mut DbConnection,
    name: &str,
    generate: impl FnOnce() -> String,
) -> StoreResult<(String, bool)> {
    if let Some(value) = get(conn, name)? {
        return Ok((value, false));
    }
    let inserted = diesel::insert_into(server_secrets::table)
        .values((
            server_secrets::name.eq(name),
            server_secrets::value.eq(generate()),
            server_secrets::created_at.eq(now()),
        ))
        .execute(conn);
    match inserted.map_err(StoreError::from) {
        Ok(_) => {}
        // Another node stored one first: use theirs.
        Err(StoreError::Unique(_)) => {}
        Err(other) => return Err(other),
    }
    let value = get(conn, name)?.ok_or(StoreError::NotFound)?;
    Ok((value, true))
}

fn get(conn: &mut DbConnection, name: &str) -> StoreResult<Option<String>> {
    Ok(server_secrets::table
        .find(name)
        .select(server_secrets::value)
        .first(conn)
        .optional()?)
}
