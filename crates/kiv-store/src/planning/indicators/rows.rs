//! The indicator table's row and its conversion to [`Indicator`].

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kiv_domain::planning::{Baseline, Target};
use kiv_domain::{Indicator, LocalizedText};

use crate::error::StoreError;
use crate::json::JsonValue;
use crate::schema::indicators;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = indicators,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct IndicatorRow {
    pub(crate) id: String,
    pub(crate) objective_id: Option<String>,
    pub(crate) action_id: Option<String>,
    pub(crate) name: JsonValue<LocalizedText>,
    pub(crate) unit: Option<String>,
    pub(crate) measure: String,
    pub(crate) direction: String,
    pub(crate) baseline: Option<JsonValue<Baseline>>,
    pub(crate) targets: JsonValue<Vec<Target>>,
    pub(crate) sort_title: String,
    pub(crate) search_text: String,
    pub(crate) version: i32,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

impl TryFrom<IndicatorRow> for Indicator {
    type Error = StoreError;

    fn try_from(row: IndicatorRow) -> Result<Self, Self::Error> {
        let IndicatorRow {
            id,
            objective_id,
            action_id,
            name,
            unit,
            measure,
            direction,
            baseline,
            targets,
            sort_title: _,
            search_text: _,
            version,
            created_at,
            updated_at,
        } = row;
        Ok(Indicator {
            measure: measure.parse().map_err(StoreError::corrupt)?,
            direction: direction.parse().map_err(StoreError::corrupt)?,
            id,
            objective_id,
            action_id,
            name: name.0,
            unit,
            baseline: baseline.map(|b| b.0),
            targets: targets.0,
            version,
            created_at,
            updated_at,
        })
    }
}
