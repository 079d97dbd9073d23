//! Recommendations follow their evaluation's revision. `recommendations` holds the coordinators'
//! copy: that of the draft while a revision is being written; `published_recommendations` the
//! copy everybody else reads (see [`copies`]). Here are the records and what writers and readers
//! hand in; what is done with them, on behalf of whom, is the evaluations' (a recommendation
//! belongs to its evaluation).

pub(crate) mod copies;
pub(crate) mod register;
mod rows;

use chrono::NaiveDate;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::{LocalizedText, Priority, RecommendationStatus};

pub(crate) use rows::RecommendationRow;

/// A new recommendation.
#[derive(Debug, Clone)]
pub struct RecommendationInput {
    pub text: LocalizedText,
    pub organisation_ids: Vec<String>,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
}

/// Changes to a recommendation, a JSON merge patch (the texts are merged into the stored ones).
/// Its content (text, organisations, priority, due date) changes while its evaluation is a
/// draft; its follow-up (status and note) at any time.
#[derive(Debug, Clone, Default)]
pub struct RecommendationChanges {
    pub text: Option<ObjectPatch>,
    pub organisation_ids: Option<Vec<String>>,
    pub priority: Option<Priority>,
    pub due_date: Option<Option<NaiveDate>>,
    pub status: Option<RecommendationStatus>,
    pub status_note: Option<Option<ObjectPatch>>,
}

impl RecommendationChanges {
    pub(crate) fn touches_content(&self) -> bool {
        self.text.is_some()
            || self.organisation_ids.is_some()
            || self.priority.is_some()
            || self.due_date.is_some()
    }

    /// Whether the change sets what became of the recommendation, which is one across
    /// revisions.
    pub(crate) fn touches_follow_up(&self) -> bool {
        self.status.is_some() || self.status_note.is_some()
    }

    /// The fields the change sets, in the API's spelling.
    pub(crate) fn touched(&self) -> Vec<&'static str> {
        [
            ("text", self.text.is_some()),
            ("organisationIds", self.organisation_ids.is_some()),
            ("priority", self.priority.is_some()),
            ("dueDate", self.due_date.is_some()),
            ("status", self.status.is_some()),
            ("statusNote", self.status_note.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// What the register of recommendations can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendationSort {
    DueDate,
    Priority,
    Status,
}

impl RecommendationSort {
    pub const FIELDS: &'static [(&'static str, RecommendationSort)] = &[
        ("dueDate", RecommendationSort::DueDate),
        ("priority", RecommendationSort::Priority),
        ("status", RecommendationSort::Status),
    ];
}

/// Filters of the register of recommendations.
#[derive(Debug, Clone, Default)]
pub struct RecommendationFilter {
    pub plan_id: Option<String>,
    pub cluster_id: Option<String>,
    pub theme_id: Option<String>,
    /// Addressed to this organisation (among others, perhaps).
    pub organisation_id: Option<String>,
    pub status: Option<RecommendationStatus>,
    pub priority: Option<Priority>,
    /// Due before this date (not on it); recommendations without a due date are left out.
    pub due_before: Option<NaiveDate>,
}
