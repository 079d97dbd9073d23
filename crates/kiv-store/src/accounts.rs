//! Accounts of people and agency systems.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::access::AccountStanding;
use kiv_domain::{Account, AccountKind, Caller, PageRequest, Role};

use crate::audit::{self, Operation};

use crate::clock::now;
use crate::credentials::{decoy_hash, hash_secret, verify_secret};
use crate::database::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::json::JsonValue;
use crate::page::Page;
use crate::schema::accounts;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = accounts)]
struct AccountRow {
    id: String,
    kind: String,
    login: String,
    organisation_id: String,
    roles: JsonValue<Vec<Role>>,
    secret_hash: String,
    disabled: bool,
    secret_changed_at: NaiveDateTime,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    access_version: i32,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;

    fn try_from(row: AccountRow) -> Result<Self, Self::Error> {
        let AccountRow {
            id,
            kind,
            login,
            organisation_id,
            roles,
            secret_hash: _,
            disabled,
            secret_changed_at: _,
            version,
            created_at,
            updated_at,
            access_version,
        } = row;
        Ok(Account {
            kind: kind.parse().map_err(StoreError::corrupt)?,
            id,
            login,
            organisation_id,
            roles: roles.0,
            disabled,
            version,
            access_version,
            created_at,
            updated_at,
        })
    }
}

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

fn find_row(conn: &mut DbConnection, login: &str) -> StoreResult<Option<AccountRow>> {
    Ok(accounts::table
        .filter(accounts::login.eq(login))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Account>> {
    accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?
        .map(Account::try_from)
        .transpose()
}

/// What the account with `login` may do now (`None` when there is no such account): what every
/// authenticated request is checked against.
pub fn standing(conn: &mut DbConnection, login: &str) -> StoreResult<Option<AccountStanding>> {
    let row: Option<(String, JsonValue<Vec<Role>>, bool, i32)> = accounts::table
        .filter(accounts::login.eq(login))
        .select((
            accounts::organisation_id,
            accounts::roles,
            accounts::disabled,
            accounts::access_version,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(organisation_id, roles, disabled, access_version)| AccountStanding {
            login: login.to_owned(),
            organisation_id,
            roles: roles.0,
            disabled,
            access_version,
        },
    ))
}

pub fn find_by_login(conn: &mut DbConnection, login: &str) -> StoreResult<Option<Account>> {
    find_row(conn, login)?.map(Account::try_from).transpose()
}

/// The account whose `login` and `secret` match, of `kind`, and not disabled. Unknown logins cost
/// as much time as wrong secrets.
pub fn authenticate(
    conn: &mut DbConnection,
    kind: AccountKind,
    login: &str,
    secret: &str,
) -> StoreResult<Option<Account>> {
    let Some(row) = find_row(conn, login)? else {
        verify_secret(secret, decoy_hash());
        return Ok(None);
    };
    let matches = verify_secret(secret, &row.secret_hash);
    let account = Account::try_from(row)?;
    Ok((matches && !account.disabled && account.kind == kind).then_some(account))
}

/// Filters of the account collection.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub organisation_id: Option<String>,
    pub kind: Option<AccountKind>,
    pub disabled: Option<bool>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &AccountFilter,
    page: PageRequest,
) -> StoreResult<Page<Account>> {
    let filtered = || {
        let mut query = accounts::table.into_boxed();
        if let Some(organisation_id) = &filter.organisation_id {
            query = query.filter(accounts::organisation_id.eq(organisation_id.clone()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(accounts::kind.eq(kind.as_str()));
        }
        if let Some(disabled) = filter.disabled {
            query = query.filter(accounts::disabled.eq(disabled));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows: Vec<AccountRow> = filtered()
        .order(accounts::login.asc())
        .limit(page.limit())
        .offset(page.offset())
        .select(AccountRow::as_select())
        .load(conn)?;
    Page { items: rows, total }.try_map(Account::try_from)
}

/// Changes an administrator may make to an account.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub disabled: Option<bool>,
    pub roles: Option<Vec<Role>>,
}

/// Applies `changes` if the account is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Caller,
    id: &str,
    expected_version: Option<kiv_domain::Validator>,
    changes: AccountChanges,
) -> StoreResult<Account> {
    crate::database::write_transaction(conn, |conn| {
        let current = get(conn, id)?.ok_or(StoreError::NotFound)?;
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

/// How many accounts exist: none means a first start, which creates the administrator.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(accounts::table.count().get_result(conn)?)
}
