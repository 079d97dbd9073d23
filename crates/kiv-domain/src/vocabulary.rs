//! The closed vocabularies of kiv. Each value has one spelling, lowerCamelCase, used alike in
//! JSON, in query parameters and in the database, so nothing has to translate between them.

use std::fmt;
use std::str::FromStr;

/// A value outside a vocabulary; carries the allowed values so the answer can list them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of {}", allowed.join(", "))]
pub struct UnknownValue {
    pub value: String,
    pub allowed: &'static [&'static str],
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        // The document's example of each vocabulary is its first value.
        #[cfg_attr(feature = "openapi", schema(example = json!($name::NAMES.first())))]
        // Every spelling is the variant's name in lowerCamelCase (a unit test holds them to it);
        // saying so here is what the OpenAPI derive reads, as it cannot see the renames below.
        #[serde(rename_all = "camelCase")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in the order of the vocabulary.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every spelling, in the order of the vocabulary.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { value: value.to_owned(), allowed: Self::NAMES }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What kind of policy document a plan is.
    pub enum PlanKind {
        /// A framework note for integral security (Kadernota Integrale Veiligheid), shared by
        /// federal, regional and local actors.
        FrameworkNote = "frameworkNote",
        /// The police's share of the framework (Nationaal Veiligheidsplan).
        NationalSecurityPlan = "nationalSecurityPlan",
    }
}

vocabulary! {
    /// How often the actions of a plan are followed up; this fixes the plan's reporting periods.
    pub enum ReportingFrequency {
        /// One reporting period a year: `2017`.
        Annual = "annual",
        /// Two reporting periods a year: `2017S1`, `2017S2`.
        Semiannual = "semiannual",
        /// Four reporting periods a year: `2017Q1` .. `2017Q4`.
        Quarterly = "quarterly",
    }
}

vocabulary! {
    /// What kind of body an organisation is.
    pub enum OrganisationKind {
        /// A federal public service (FOD/SPF), such as FOD Justitie.
        FederalService = "federalService",
        /// The federal police.
        FederalPolice = "federalPolice",
        /// The local police and each of its police zones.
        LocalPolice = "localPolice",
        /// Prosecutors and the courts.
        Judiciary = "judiciary",
        /// A community or regional government.
        RegionalGovernment = "regionalGovernment",
        /// A municipality or province.
        LocalGovernment = "localGovernment",
        /// Anything else: academic partners, associations, ...
        Other = "other",
    }
}

vocabulary! {
    /// What an account may do; an account has one or more roles.
    pub enum Role {
        /// Organisations, accounts, client credentials and reference data.
        Admin = "admin",
        /// The coordinating FODs: the planning model, reviews and evaluations, for every action.
        Coordinator = "coordinator",
        /// An agency: follow-ups for the actions its organisation leads or takes part in.
        Reporter = "reporter",
        /// Reads everything and pulls every report; writes nothing.
        Evaluator = "evaluator",
    }
}

vocabulary! {
    /// Who uses an account.
    pub enum AccountKind {
        /// A person, who logs in with a username and a password.
        Person = "person",
        /// An agency system, which calls kiv unattended with a client id and a client secret.
        Client = "client",
    }
}

vocabulary! {
    /// Where an objective sits in a plan's tree.
    pub enum ObjectiveLevel {
        /// A strategic objective: the top of the tree, without a parent.
        Strategic = "strategic",
        /// An operational objective, under a strategic one of the same plan.
        Operational = "operational",
    }
}

vocabulary! {
    /// What an indicator's values are.
    pub enum IndicatorMeasure {
        /// A count or an amount.
        Number = "number",
        /// A share, 0 to 100.
        Percentage = "percentage",
        /// A text: an assessment in words.
        Qualitative = "qualitative",
    }
}

vocabulary! {
    /// Which way an indicator should move for the objective to be met.
    pub enum IndicatorDirection {
        Increase = "increase",
        Decrease = "decrease",
        Maintain = "maintain",
    }
}

vocabulary! {
    /// Where an action stands, from its latest approved follow-up.
    pub enum ActionStatus {
        NotStarted = "notStarted",
        OnTrack = "onTrack",
        Delayed = "delayed",
        Completed = "completed",
        Cancelled = "cancelled",
        /// No approved follow-up yet.
        NotReported = "notReported",
    }
}

vocabulary! {
    /// What an organisation says of an action in a follow-up.
    pub enum FollowUpStatus {
        NotStarted = "notStarted",
        OnTrack = "onTrack",
        Delayed = "delayed",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

vocabulary! {
    /// Where a follow-up is in its review.
    pub enum WorkflowState {
        /// Being written by the reporting organisation.
        Draft = "draft",
        /// Waiting for a coordinator's review.
        Submitted = "submitted",
        /// Accepted: it counts in reports and can no longer be edited.
        Approved = "approved",
        /// Sent back with a review note, to be edited and submitted again.
        Returned = "returned",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for kind in OrganisationKind::ALL {
            assert_eq!(kind.as_str().parse::<OrganisationKind>(), Ok(*kind));
            assert_eq!(
                serde_json::to_string(kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }

    /// The OpenAPI document spells values by `rename_all = "camelCase"`; JSON by the explicit
    /// spellings. They must agree.
    #[test]
    fn every_spelling_is_the_camel_case_name() {
        fn camel(debug: String) -> String {
            let mut chars = debug.chars();
            chars
                .next()
                .map(|first| first.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }
        macro_rules! check {
            ($($kind:ty),+) => {$(
                for value in <$kind>::ALL {
                    assert_eq!(camel(format!("{value:?}")), value.as_str());
                }
            )+};
        }
        check!(
            PlanKind,
            ReportingFrequency,
            OrganisationKind,
            Role,
            AccountKind,
            ObjectiveLevel,
            IndicatorMeasure,
            IndicatorDirection,
            ActionStatus,
            FollowUpStatus,
            WorkflowState,
            Assessment,
            PublicationState,
            EvaluationRound,
            OverallRating,
            Criterion,
            RecommendationStatus,
            Priority
        );
    }

    #[test]
    fn unknown_value_lists_allowed() {
        let error = "weekly".parse::<ReportingFrequency>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"weekly\" is not one of annual, semiannual, quarterly"
        );
    }
}

vocabulary! {
    /// Where a cluster stands, in the coordinating FODs' judgement.
    pub enum Assessment {
        OnTrack = "onTrack",
        /// Behind in places: needs attention.
        Attention = "attention",
        OffTrack = "offTrack",
    }
}

vocabulary! {
    /// Whether a cluster follow-up or an evaluation is still being written or is out.
    pub enum PublicationState {
        /// Visible to coordinators only, and editable.
        Draft = "draft",
        /// Frozen and visible to every reader; corrected only by a new revision.
        Published = "published",
    }
}

vocabulary! {
    /// When in the policy cycle an evaluation is made.
    pub enum EvaluationRound {
        Interim = "interim",
        MidTerm = "midTerm",
        Final = "final",
    }
}

vocabulary! {
    /// The overall judgement of an evaluation.
    pub enum OverallRating {
        Insufficient = "insufficient",
        Partial = "partial",
        LargelyAchieved = "largelyAchieved",
        Achieved = "achieved",
    }
}

vocabulary! {
    /// The OECD-DAC evaluation criteria, each scored 1 (poor) to 4 (good).
    pub enum Criterion {
        Relevance = "relevance",
        Coherence = "coherence",
        Effectiveness = "effectiveness",
        Efficiency = "efficiency",
        Impact = "impact",
        Sustainability = "sustainability",
    }
}

vocabulary! {
    /// What became of a recommendation.
    pub enum RecommendationStatus {
        Open = "open",
        InProgress = "inProgress",
        Implemented = "implemented",
        Rejected = "rejected",
    }
}

vocabulary! {
    /// How urgent a recommendation is.
    pub enum Priority {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}
