//! A cluster as stored, and the cluster it is.

use diesel::prelude::*;
use kiv_domain::{Cluster, LocalizedText};

use crate::json::JsonValue;
use crate::schema::clusters;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = clusters)]
pub(crate) struct ClusterRow {
    pub id: String,
    pub number: i32,
    pub code: String,
    pub name: JsonValue<LocalizedText>,
    pub sub_phenomena: JsonValue<Vec<LocalizedText>>,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl From<ClusterRow> for Cluster {
    fn from(row: ClusterRow) -> Self {
        let ClusterRow {
            id,
            number,
            code,
            name,
            sub_phenomena,
            version,
            created_at: _,
            updated_at,
        } = row;
        Cluster {
            id,
            number,
            code,
            name: name.0,
            sub_phenomena: sub_phenomena.0,
            version,
            updated_at,
        }
    }
}
