//! The vocabulary of kiv: what a plan, a cluster, a theme, an organisation and a reporting period
//! are, and the rules they obey. Nothing here touches a database, a file or the network, so every
//! rule can be tested on its own and reused by the store, the HTTP layer and the command line.

pub mod access;
pub mod evaluation;
pub mod followup;
pub mod localized;
pub mod merge_patch;
pub mod paging;
pub mod period;
pub mod planning;
pub mod reference;
pub mod report;
pub mod rollup;
pub mod tag;
pub mod throttle;
pub mod validation;
pub mod vocabulary;

pub use access::{Account, Caller};
pub use followup::{Contribution, FollowUp, ReportedValue, Transition};
pub use localized::{Language, LocalizedText};
pub use paging::{PageRequest, MAX_PAGE_SIZE};
pub use period::ReportingPeriod;
pub use planning::{Action, ActionState, Indicator, IndicatorValue, Objective};
pub use reference::{Cluster, Organisation, Plan, PlanSchedule, Theme};
pub use tag::{Tagged, Validator};
pub use validation::{InputIssue, IssueLocation};
pub use vocabulary::{
    AccountKind, ActionStatus, Assessment, Criterion, EvaluationRound, FollowUpStatus,
    IndicatorDirection, IndicatorMeasure, ObjectiveLevel, OrganisationKind, OverallRating,
    PlanKind, Priority, PublicationState, RecommendationStatus, ReportingFrequency, Role,
    WorkflowState,
};
