//! The OpenAPI shapes of the object properties of a `PATCH` body. Every `PATCH` is a JSON merge
//! patch (RFC 7396, see `kiv_domain::merge_patch`): an object property is merged member by
//! member into the stored value, `null` removes a member, and the members left out stay as
//! they are. These types only describe that to integrators; the handlers read such a property
//! as a `kiv_domain::merge_patch::ObjectPatch`.

use kiv_domain::planning::IndicatorValue;
use serde::Deserialize;
use utoipa::ToSchema;

/// A merge patch of a localized text: each language given replaces the stored one, `null`
/// removes it, and the languages left out stay. `{"en": "Road safety"}` adds or changes the
/// English text only. A required text cannot lose its last language; an optional one that
/// does is removed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"en": "Road safety", "de": null}))]
pub struct LocalizedTextPatch {
    /// Dutch; `null` removes it.
    pub nl: Option<String>,
    /// French; `null` removes it.
    pub fr: Option<String>,
    /// German; `null` removes it.
    pub de: Option<String>,
    /// English; `null` removes it.
    pub en: Option<String>,
}

/// A merge patch of the scores, criterion by criterion: a criterion given is merged into its
/// stored score (or added, and then needs its `score`), `null` removes it, and the criteria
/// left out stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"impact": {"score": 3}, "efficiency": null}))]
pub struct ScoresPatch {
    pub relevance: Option<ScorePatch>,
    pub coherence: Option<ScorePatch>,
    pub effectiveness: Option<ScorePatch>,
    pub efficiency: Option<ScorePatch>,
    pub impact: Option<ScorePatch>,
    pub sustainability: Option<ScorePatch>,
}

/// A merge patch of one criterion's score: `{"score": 3}` keeps the rationale.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"score": 3, "rationale": {"nl": "De doelgroep werd grotendeels bereikt."}}))]
pub struct ScorePatch {
    /// 1 (poor) to 4 (good); required when the criterion has no score yet, never `null`.
    #[schema(minimum = 1, maximum = 4, required = false)]
    pub score: i64,
    /// Merged into the stored rationale; `null` removes it.
    pub rationale: Option<LocalizedTextPatch>,
}

/// A merge patch of the periods an evaluation covers: `{"to": "2018S2"}` moves the end only.
/// Both ends are required: neither can be `null`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "2018S2"}))]
pub struct PeriodRangePatch {
    #[schema(
        example = "2016S1",
        pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$",
        required = false
    )]
    pub from: String,
    #[schema(
        example = "2017S2",
        pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$",
        required = false
    )]
    pub to: String,
}

/// A merge patch of an indicator's baseline: `{"year": 2016}` keeps the value. An indicator
/// without a baseline needs both members; neither can be `null` (`"baseline": null` removes
/// the whole baseline).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2016}))]
pub struct BaselinePatch {
    #[schema(required = false)]
    pub value: IndicatorValue,
    /// The year the baseline was measured.
    #[schema(required = false)]
    pub year: i32,
}
