//! The demo data set: a demo police zone and one account per role, every one with the password
//! (or client secret) `demo`. Only ever loaded on request (`--demo`), never in production.

use kiv_domain::{AccountKind, LocalizedText, OrganisationKind, Role};

use crate::accounts::{self, NewAccount};
use crate::clock::now;
use crate::database::DbConnection;
use crate::error::StoreResult;
use crate::json::JsonValue;
use crate::reference::organisations::{self, OrganisationRow};
use crate::schema;

/// The password and client secret of every demo account.
pub const DEMO_SECRET: &str = "demo";

/// The demo police zone.
pub const DEMO_ZONE_ID: &str = "pz-demo";

/// The demo accounts: login, kind, organisation, role.
pub const DEMO_ACCOUNTS: [(&str, AccountKind, &str, Role); 7] = [
    (
        "demo-admin",
        AccountKind::Person,
        "fod-binnenlandse-zaken",
        Role::Admin,
    ),
    (
        "demo-coordinator",
        AccountKind::Person,
        "fod-justitie",
        Role::Coordinator,
    ),
    (
        "demo-coordinator-bz",
        AccountKind::Person,
        "fod-binnenlandse-zaken",
        Role::Coordinator,
    ),
    (
        "demo-reporter",
        AccountKind::Person,
        "federale-politie",
        Role::Reporter,
    ),
    (
        "demo-reporter-zone",
        AccountKind::Person,
        DEMO_ZONE_ID,
        Role::Reporter,
    ),
    (
        "demo-evaluator",
        AccountKind::Person,
        "fod-justitie",
        Role::Evaluator,
    ),
    (
        "demo-federale-politie",
        AccountKind::Client,
        "federale-politie",
        Role::Reporter,
    ),
];

/// Loads the demo data; what exists already is left alone. Returns the logins created.
pub fn apply(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    use diesel::prelude::*;

    crate::database::write_transaction(conn, |conn| {
        if organisations::find_row(conn, DEMO_ZONE_ID)?.is_none() {
            let at = now();
            diesel::insert_into(schema::organisations::table)
                .values(&OrganisationRow {
                    id: DEMO_ZONE_ID.to_owned(),
                    name: JsonValue(LocalizedText {
                        nl: Some("Politiezone Demo".into()),
                        fr: Some("Zone de police Démo".into()),
                        de: Some("Polizeizone Demo".into()),
                        en: Some("Demo police zone".into()),
                    }),
                    kind: OrganisationKind::LocalPolice.as_str().to_owned(),
                    coordinator: false,
                    parent_id: Some("lokale-politie".into()),
                    version: 1,
                    created_at: at,
                    updated_at: at,
                })
                .execute(conn)?;
        }
        let mut created = Vec::new();
        for (login, kind, organisation_id, role) in DEMO_ACCOUNTS {
            if accounts::find_by_login(conn, login)?.is_none() {
                let new = NewAccount {
                    kind,
                    login: login.to_owned(),
                    organisation_id: organisation_id.to_owned(),
                    roles: vec![role],
                };
                accounts::create(conn, &kiv_domain::Caller::system(), new, DEMO_SECRET)?;
                created.push(login.to_owned());
            }
        }
        Ok(created)
    })
}
