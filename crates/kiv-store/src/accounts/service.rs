//! Creating and changing accounts: each one transaction that checks the change and records the
//! audit event. A change of an account's rights or secret moves its access version, so that the
//! tokens it holds stop working.

use diesel::prelude::*;
use kiv_domain::{Account, AccountKind, Caller, Role};

use super::credentials::hash_secret;
use super::queries::{find_row, get};
use super::rows::AccountRow;
use crate::audit::{self, Operation};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::schema::accounts;

/// A new account; its secret is hashed before it is stored.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub kind: AccountKind,
    pub login: String,
    pub organisation_id: String,
    pub roles: Vec<Role>,
}

/// Creates an account whose password or client secret is `secret`.
/// [`StoreError::Duplicate`] naming the account that has the login when it is taken.
pub fn create(
    conn: &mut DbConnection,
    actor: &Caller,
    new: NewAccount,
    secret: &str,
) -> StoreResult<Account> {
    let secret_hash = hash_secret(secret)?;
    crate::database::write_transaction(conn, |conn| {
        if crate::reference::organisations::find_row(conn, &new.organisation_id)?.is_none() {
            return Err(StoreError::MissingReference {
                field: "organisationId",
                id: new.organisation_id,
            });
        }
        if let Some(duplicate) = login_holder(conn, &new.login)? {
            return Err(duplicate);
        }
        let at = now();
        let row = AccountRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind: new.kind.as_str().to_owned(),
            login: new.login,
            organisation_id: new.organisation_id,
            roles: JsonValue(new.roles),
            secret_hash,
            disabled: false,
            secret_changed_at: at,
            version: 1,
            created_at: at,
            updated_at: at,
            access_version: 1,
        };
        crate::error::unique_write(
            conn,
            |conn| {
                Ok(diesel::insert_into(accounts::table)
                    .values(&row)
                    .execute(conn)?)
            },
            |conn| login_holder(conn, &row.login),
        )?;
        let account = Account::try_from(row)?;
        audit::record(
            conn,
            actor,
            "account",
            &account.id,
            Operation::Create,
            None,
            Some(&account),
        )?;
        Ok(account)
    })
}

/// The account that has `login`, as the conflict to answer: logins are unique.
fn login_holder(conn: &mut DbConnection, login: &str) -> StoreResult<Option<StoreError>> {
    Ok(find_row(conn, login)?.map(|existing| {
        let detail = format!(
            "an account with login {login:?} exists already ({})",
            existing.id
        );
        StoreError::duplicate(existing.id, detail)
    }))
}

/// Changes an administrator may make to an account.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub disabled: Option<bool>,
    pub roles: Option<Vec<Role>>,
}

/// Applies `changes` if the account is still at `expected_version` and `actor` may make them
/// (an administrator does not lock themselves out): [`StoreError::NotFound`] for no such account.
pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: AccountChanges,
) -> StoreResult<Account> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        actor
            .check_account_change(&current.login, changes.disabled, changes.roles.as_deref())
            .map_err(StoreError::Conflict)?;
        crate::error::check_version(expected_version, &current)?;
        let disabled = changes.disabled.unwrap_or(current.disabled);
        let roles = changes.roles.unwrap_or_else(|| current.roles.clone());
        // Tokens issued before a change of rights stop working; a change that leaves the rights
        // as they were keeps them.
        let rights_changed = disabled != current.disabled || roles != current.roles;
        let access_version = current.access_version + i32::from(rights_changed);
        let may_pull_reports = !disabled && kiv_domain::access::may_pull_reports(&roles);
        let at = now();
        let written = diesel::update(
            accounts::table
                .filter(accounts::id.eq(id))
                .filter(accounts::version.eq(current.version)),
        )
        .set((
            accounts::disabled.eq(disabled),
            accounts::roles.eq(JsonValue(roles)),
            accounts::version.eq(current.version + 1),
            accounts::access_version.eq(access_version),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)?;
        crate::error::expect_one_written(written, current.version)?;
        // Report links die with their maker's right to pull reports.
        if !may_pull_reports {
            crate::report_links::revoke_all_of(conn, &current.login, actor, at)?;
        }
        let updated = get(conn, id)?.ok_or(StoreError::NotFound)?;
        audit::record(
            conn,
            actor,
            "account",
            id,
            Operation::Update,
            Some(&current),
            Some(&updated),
        )?;
        Ok(updated)
    })
}

/// Replaces the account's secret (rotation); the old one, and every token obtained before,
/// stop working at once.
pub fn set_secret(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    secret: &str,
) -> StoreResult<Account> {
    let secret_hash = hash_secret(secret)?;
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
        crate::error::check_version(expected_version, &current)?;
        let at = now();
        let written = diesel::update(
            accounts::table
                .filter(accounts::id.eq(id))
                .filter(accounts::version.eq(current.version)),
        )
        .set((
            accounts::secret_hash.eq(secret_hash),
            accounts::secret_changed_at.eq(at),
            accounts::version.eq(current.version + 1),
            // A token obtained with the old secret may be in the wrong hands: none outlives it.
            accounts::access_version.eq(current.access_version + 1),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)?;
        crate::error::expect_one_written(written, current.version)?;
        let updated = get(conn, id)?.ok_or(StoreError::NotFound)?;
        // The trail says that the secret changed, never what it is.
        audit::record(
            conn,
            actor,
            "account",
            id,
            Operation::Update,
            Some(&current),
            Some(&updated),
        )?;
        Ok(updated)
    })
}
