//! An account as stored (with the hash of its secret), and the account it is (without).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::{Account, Role};

use crate::error::StoreError;
use crate::json::JsonValue;
use crate::schema::accounts;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = accounts)]
pub(super) struct AccountRow {
    pub id: String,
    pub kind: String,
    pub login: String,
    pub organisation_id: String,
    pub roles: JsonValue<Vec<Role>>,
    pub secret_hash: String,
    pub disabled: bool,
    pub secret_changed_at: NaiveDateTime,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub access_version: i32,
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
