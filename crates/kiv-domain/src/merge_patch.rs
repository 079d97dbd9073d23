//! JSON merge patch (RFC 7396), the one way every `PATCH` of kiv changes a record.
//!
//! A patch names only what changes. For each member: absent leaves it as it is, `null` removes
//! it, an object is merged into the current object member by member (recursively, so
//! `{"title": {"en": "..."}}` changes the English title and keeps the others), and anything else
//! (a string, a number, an array) replaces it whole.
//!
//! The HTTP layer reads the top level of a patch into a typed struct (so unknown properties and
//! wrong types are refused at once) and keeps each object-valued property as an [`ObjectPatch`].
//! The store merges that into the stored value inside the update's transaction, with
//! [`merge_required`], [`merge_optional`] or [`merge_optional_text`], and checks the merged
//! record exactly as it checks a new one.

use serde::de::{DeserializeOwned, Error as _, Unexpected};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::localized::LocalizedText;
use crate::validation::{InputIssue, IssueLocation};

/// Applies `patch` to `target` as RFC 7396 section 2 defines it: an object patch merges member
/// by member (`null` removes the member, an object merges into it, anything else replaces it);
/// any other patch replaces the target.
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(members) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(current) = target {
        for (name, value) in members {
            if value.is_null() {
                current.remove(name);
            } else {
                merge(current.entry(name.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// The merge patch of one object-valued property (a localized text, the scores, a period, a
/// baseline): a JSON object whose members are merged into the property's current value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectPatch(Map<String, Value>);

impl ObjectPatch {
    /// A patch that sets every member of `value` (and removes none): what a patch of a property
    /// that has no value yet amounts to.
    pub fn of<T: Serialize>(value: &T) -> Result<Self, MergeError> {
        match serde_json::to_value(value) {
            Ok(Value::Object(members)) => Ok(Self(members)),
            Ok(other) => Err(MergeError::Unpatchable(other.to_string())),
            Err(error) => Err(MergeError::Unpatchable(error.to_string())),
        }
    }

    /// `current` (or nothing, when the property has no value) with this patch merged in, read
    /// back as a `T`. When the result is not a `T`, the issue names the member inside the
    /// property: `title.es` (unknown language), `scores.impact.score` (removed, or not a
    /// number), `period.to`.
    pub fn apply<T: Serialize + DeserializeOwned>(
        &self,
        name: &str,
        current: Option<&T>,
    ) -> Result<T, MergeError> {
        let mut merged = match current {
            Some(current) => serde_json::to_value(current)
                .map_err(|error| MergeError::Unpatchable(error.to_string()))?,
            None => Value::Null,
        };
        merge(&mut merged, &Value::Object(self.0.clone()));
        serde_path_to_error::deserialize(merged.clone()).map_err(|error| {
            let path = error.path().to_string();
            let issue = InputIssue::from_deserialization(
                IssueLocation::Body,
                &path,
                error.into_inner().to_string(),
                |inner| value_at(&merged, inner).cloned(),
            );
            let inner = issue.name.clone();
            MergeError::Invalid(Box::new(InputIssue {
                name: qualified(name, &inner),
                ..issue
            }))
        })
    }
}

impl<'de> Deserialize<'de> for ObjectPatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(members) => Ok(Self(members)),
            other => Err(D::Error::invalid_type(
                unexpected(&other),
                &"an object (its members are merged into the current value; null removes one)",
            )),
        }
    }
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(Unexpected::Signed)
            .or_else(|| n.as_f64().map(Unexpected::Float))
            .unwrap_or(Unexpected::Other("number")),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// Why a patch could not be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// The merged value breaks the property's schema; the issue names the member.
    #[error("{}: {}", .0.name, .0.detail)]
    Invalid(Box<InputIssue>),
    /// The value to patch is not a JSON object: stored data that no longer fits its type.
    #[error("the current value cannot be patched: {0}")]
    Unpatchable(String),
}

/// A required object property: unchanged without a patch, else merged. (`null` for the whole
/// property is refused before it gets here: a required property cannot be removed.)
pub fn merge_required<T: Serialize + DeserializeOwned + Clone>(
    name: &str,
    current: &T,
    patch: Option<&ObjectPatch>,
) -> Result<T, MergeError> {
    match patch {
        None => Ok(current.clone()),
        Some(patch) => patch.apply(name, Some(current)),
    }
}

/// An optional object property: unchanged without a patch (`None`), removed by `null`
/// (`Some(None)`), else merged into its current value, or into nothing when it has none (so a
/// patch of an absent property must carry every required member).
pub fn merge_optional<T: Serialize + DeserializeOwned + Clone>(
    name: &str,
    current: Option<&T>,
    patch: Option<Option<&ObjectPatch>>,
) -> Result<Option<T>, MergeError> {
    match patch {
        None => Ok(current.cloned()),
        Some(None) => Ok(None),
        Some(Some(patch)) => patch.apply(name, current).map(Some),
    }
}

/// An optional localized text (a description, a narrative, findings, a note): merged as
/// [`merge_optional`] does, and removed when the patch removes its last language, because a
/// text in no language is no text.
pub fn merge_optional_text(
    name: &str,
    current: Option<&LocalizedText>,
    patch: Option<Option<&ObjectPatch>>,
) -> Result<Option<LocalizedText>, MergeError> {
    Ok(merge_optional(name, current, patch)?.and_then(LocalizedText::or_none))
}

/// `inner` (a path inside the property, empty for the property itself) under `name`.
fn qualified(name: &str, inner: &str) -> String {
    if inner.is_empty() {
        name.to_owned()
    } else if inner.starts_with('[') {
        format!("{name}{inner}")
    } else {
        format!("{name}.{inner}")
    }
}

/// The value at a path such as `a.b[0].c` in a JSON document.
pub fn value_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = root;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part
            .split_once('[')
            .map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            current = current.get(key)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            current = current.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::evaluation::{PeriodRange, Score};

    fn patch(value: Value) -> ObjectPatch {
        serde_json::from_value(value).unwrap()
    }

    /// The examples of RFC 7396, appendix A.
    #[test]
    fn follows_the_rfc_examples() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": "b", "b": "c"}),
                json!({"a": null}),
                json!({"b": "c"}),
            ),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!([1, 2]),
                json!({"a": "b", "c": null}),
                json!({"a": "b"}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (target, patch, expected) in cases {
            let mut merged = target.clone();
            merge(&mut merged, &patch);
            assert_eq!(merged, expected, "{target} + {patch}");
        }
    }

    #[test]
    fn merges_a_localized_text_and_names_what_does_not_fit() {
        let title: LocalizedText =
            serde_json::from_value(json!({"nl": "Drugs", "fr": "Drogues", "de": "Drogen"}))
                .unwrap();
        let merged = patch(json!({"en": "Drugs", "de": null}))
            .apply("title", Some(&title))
            .unwrap();
        assert_eq!(
            serde_json::to_value(merged).unwrap(),
            json!({"nl": "Drugs", "fr": "Drogues", "en": "Drugs"})
        );
        let Err(MergeError::Invalid(issue)) =
            patch(json!({"es": "Drogas"})).apply("title", Some(&title))
        else {
            panic!("an unknown language was merged");
        };
        assert_eq!(issue.name, "title.es");
        let Err(MergeError::Invalid(issue)) = patch(json!({"fr": 3})).apply("title", Some(&title))
        else {
            panic!("a number was merged as a text");
        };
        assert_eq!(
            (issue.name.as_str(), issue.value.clone()),
            ("title.fr", Some(json!(3)))
        );
    }

    #[test]
    fn merges_scores_one_criterion_and_one_member_at_a_time() {
        let scores: BTreeMap<String, Score> = serde_json::from_value(json!({
            "impact": {"score": 2, "rationale": {"nl": "Weinig effect"}},
            "relevance": {"score": 4}
        }))
        .unwrap();
        let merged: BTreeMap<String, Score> =
            patch(json!({"impact": {"score": 3}, "coherence": {"score": 1}}))
                .apply("scores", Some(&scores))
                .unwrap();
        assert_eq!(
            serde_json::to_value(&merged).unwrap(),
            json!({"coherence": {"score": 1}, "impact": {"score": 3, "rationale": {"nl": "Weinig effect"}}, "relevance": {"score": 4}})
        );
        let Err(MergeError::Invalid(issue)) = patch(json!({"impact": {"score": null}}))
            .apply::<BTreeMap<String, Score>>("scores", Some(&scores))
        else {
            panic!("a score without its score was accepted");
        };
        assert_eq!(issue.name, "scores.impact.score");
        let removed: BTreeMap<String, Score> = patch(json!({"relevance": null}))
            .apply("scores", Some(&scores))
            .unwrap();
        assert_eq!(removed.keys().collect::<Vec<_>>(), ["impact"]);
    }

    #[test]
    fn removing_a_required_member_names_it() {
        let period: PeriodRange =
            serde_json::from_value(json!({"from": "2016S1", "to": "2017S2"})).unwrap();
        let Err(MergeError::Invalid(issue)) =
            patch(json!({"to": null})).apply("period", Some(&period))
        else {
            panic!("a period without its end was accepted");
        };
        assert_eq!(issue.name, "period.to");
        let moved: PeriodRange = patch(json!({"to": "2018S2"}))
            .apply("period", Some(&period))
            .unwrap();
        assert_eq!(moved.from, period.from);
        assert_eq!(moved.to.to_string(), "2018S2");
    }

    #[test]
    fn an_optional_text_without_languages_is_removed() {
        let narrative: LocalizedText = serde_json::from_value(json!({"nl": "Gestart"})).unwrap();
        let removed = patch(json!({"nl": null}));
        assert_eq!(
            merge_optional_text("narrative", Some(&narrative), Some(Some(&removed))).unwrap(),
            None
        );
        assert_eq!(
            merge_optional_text("narrative", Some(&narrative), None).unwrap(),
            Some(narrative.clone())
        );
        assert_eq!(
            merge_optional_text("narrative", Some(&narrative), Some(None)).unwrap(),
            None
        );
        let added = patch(json!({"fr": "Commencé", "en": null}));
        let created = merge_optional_text("narrative", None, Some(Some(&added))).unwrap();
        assert_eq!(
            serde_json::to_value(created).unwrap(),
            json!({"fr": "Commencé"})
        );
    }

    #[test]
    fn only_an_object_is_an_object_patch() {
        for refused in [json!([]), json!("x"), json!(3), json!(true)] {
            assert!(
                serde_json::from_value::<ObjectPatch>(refused.clone()).is_err(),
                "{refused}"
            );
        }
    }
}
