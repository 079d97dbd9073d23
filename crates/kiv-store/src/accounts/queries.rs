//! Reading accounts: one by id or login, what one may do now, the collection, and the check of
//! a login's secret.

use diesel::prelude::*;
use kiv_domain::access::AccountStanding;
use kiv_domain::{Account, AccountKind, Organisation, PageRequest, Role};

use super::credentials::{decoy_hash, verify_secret};
use super::rows::AccountRow;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::json::JsonValue;
use crate::page::{load_page, total_count, Page};
use crate::schema::accounts;

pub(super) fn find_row(conn: &mut DbConnection, login: &str) -> StoreResult<Option<AccountRow>> {
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

/// The account with `login` and its organisation: who the caller is.
pub fn with_organisation(
    conn: &mut DbConnection,
    login: &str,
) -> StoreResult<Option<(Account, Organisation)>> {
    let Some(account) = find_by_login(conn, login)? else {
        return Ok(None);
    };
    let organisation = crate::reference::organisations::get(conn, &account.organisation_id)?;
    Ok(organisation.map(|organisation| (account, organisation)))
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
    let page = load_page(
        conn,
        filtered()
            .order(accounts::login.asc())
            .select((AccountRow::as_select(), total_count())),
        page,
        |conn| filtered().count().get_result(conn),
    )?;
    page.try_map(Account::try_from)
}

/// How many accounts exist: none means a first start, which creates the administrator.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(accounts::table.count().get_result(conn)?)
}
