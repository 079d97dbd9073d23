//! Merging the object properties of a `PATCH` (JSON merge patch, RFC 7396) into the stored
//! record, inside the update's transaction, with `kiv_domain::merge_patch`. Every property that
//! does not merge is one issue, so a single answer names them all.

use kiv_domain::merge_patch::{self, MergeError, ObjectPatch};
use kiv_domain::{InputIssue, LocalizedText};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{StoreError, StoreResult};

/// Merges the object properties of one patch and collects what does not fit.
#[derive(Debug, Default)]
pub(crate) struct Merger {
    issues: Vec<InputIssue>,
}

impl Merger {
    /// A required object property: unchanged without a patch, else merged.
    pub(crate) fn required<T: Serialize + DeserializeOwned + Clone>(
        &mut self,
        name: &str,
        current: &T,
        patch: Option<&ObjectPatch>,
    ) -> StoreResult<T> {
        let merged = merge_patch::merge_required(name, current, patch);
        self.take(merged, || current.clone())
    }

    /// An optional object property: unchanged without a patch, removed by `null`, else merged.
    pub(crate) fn optional<T: Serialize + DeserializeOwned + Clone>(
        &mut self,
        name: &str,
        current: Option<&T>,
        patch: &Option<Option<ObjectPatch>>,
    ) -> StoreResult<Option<T>> {
        let merged = merge_patch::merge_optional(name, current, patch.as_ref().map(Option::as_ref));
        self.take(merged, || current.cloned())
    }

    /// An optional localized text: as [`Merger::optional`], and removed when the patch removes
    /// its last language.
    pub(crate) fn optional_text(
        &mut self,
        name: &str,
        current: Option<&LocalizedText>,
        patch: &Option<Option<ObjectPatch>>,
    ) -> StoreResult<Option<LocalizedText>> {
        let merged =
            merge_patch::merge_optional_text(name, current, patch.as_ref().map(Option::as_ref));
        self.take(merged, || current.cloned())
    }

    fn take<T>(
        &mut self,
        merged: Result<T, MergeError>,
        unchanged: impl FnOnce() -> T,
    ) -> StoreResult<T> {
        match merged {
            Ok(value) => Ok(value),
            Err(MergeError::Invalid(issue)) => {
                self.issues.push(*issue);
                Ok(unchanged())
            }
            Err(error @ MergeError::Unpatchable(_)) => Err(StoreError::corrupt(error)),
        }
    }

    /// Refuses the patch when a property did not merge.
    pub(crate) fn finish(self) -> StoreResult<()> {
        crate::records::reject_if_any(self.issues)
    }
}
