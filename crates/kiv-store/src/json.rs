//! JSON columns: `JSONB` on PostgreSQL, `TEXT` on SQLite, one Rust type for both.

use std::io::Write;

use diesel::backend::Backend;
use diesel::deserialize::FromSqlRow;
use diesel::deserialize::{self, FromSql};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sqlite::Sqlite;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::database::MultiBackend;

/// The SQL type of a JSON column on either backend.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 3802, array_oid = 3807))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Json;

/// A value stored as JSON. Wrapping keeps serde out of the row types' other columns and lets
/// each backend use its natural JSON representation.
#[derive(Debug, Clone, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Json)]
pub struct JsonValue<T>(pub T);

/// The version byte that starts PostgreSQL's binary `jsonb` format.
const JSONB_VERSION: u8 = 1;

impl<T: DeserializeOwned> FromSql<Json, Pg> for JsonValue<T> {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        match value.as_bytes().split_first() {
            Some((&JSONB_VERSION, json)) => Ok(JsonValue(serde_json::from_slice(json)?)),
            _ => Err("unsupported jsonb encoding".into()),
        }
    }
}

impl<T: Serialize + std::fmt::Debug> ToSql<Json, Pg> for JsonValue<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(&[JSONB_VERSION])?;
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}

impl<T: DeserializeOwned> FromSql<Json, Sqlite> for JsonValue<T> {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)?;
        Ok(JsonValue(serde_json::from_str(&text)?))
    }
}

impl<T: Serialize + std::fmt::Debug> ToSql<Json, Sqlite> for JsonValue<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}

impl diesel::sql_types::HasSqlType<Json> for MultiBackend {
    fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
        MultiBackend::lookup_sql_type::<Json>(lookup)
    }
}

impl<T: DeserializeOwned> FromSql<Json, MultiBackend> for JsonValue<T> {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Json>()
    }
}

impl<T: Serialize + std::fmt::Debug + Send + Sync + 'static> ToSql<Json, MultiBackend>
    for JsonValue<T>
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Json, self));
        Ok(IsNull::No)
    }
}
