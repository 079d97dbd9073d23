//! The problems many operations answer alike, as utoipa response sets: a handler's
//! `responses(...)` names the set (`IfMatchRequired`) instead of repeating its status,
//! description and media type, so the document says the same thing in the same words wherever
//! the same thing can happen. A problem particular to one operation stays a tuple on it.

use utoipa::IntoResponses;

use crate::problem::Problem;

/// Declares a response set answering one problem with `Problem` as its body.
macro_rules! problem_responses {
    ($( $(#[$doc:meta])* $name:ident = $status:tt $description:tt; )*) => {$(
        $(#[$doc])*
        #[derive(Debug, IntoResponses)]
        #[response(status = $status, description = $description, content_type = "application/problem+json")]
        pub struct $name(pub Problem);
    )*};
}

problem_responses! {
    /// A body or a query whose fields break the rules, each named in `issues`.
    InvalidInput = 400 "Invalid input";
    /// A query or path parameter that cannot be read.
    MalformedParameter = 400 "A parameter is malformed";
    /// A query or path parameter that cannot be read or lies outside its bounds.
    MalformedOrOutOfRange = 400 "A parameter is malformed or out of range";
    /// The caller lacks the coordinator role.
    NotCoordinator = 403 "Not a coordinator (missingScope)";
    /// The caller lacks the administrator role.
    NotAdministrator = 403 "The caller is not an administrator (missingScope)";
    /// Reports are for coordinators, evaluators and administrators.
    ReportersPullNoReports = 403 "Reporters do not pull reports (missingScope)";
    /// The plan in the path does not exist.
    NoSuchPlan = 404 "No such plan";
    /// The objective in the path does not exist.
    NoSuchObjective = 404 "No such objective";
    /// The action in the path does not exist.
    NoSuchAction = 404 "No such action";
    /// The indicator in the path does not exist.
    NoSuchIndicator = 404 "No such indicator";
    /// The follow-up in the path does not exist.
    NoSuchFollowUp = 404 "No such follow-up";
    /// The follow-up in the path does not exist or is one the caller may not read, which kiv
    /// does not tell apart.
    NoVisibleFollowUp = 404 "No such follow-up (or not one the caller may see)";
    /// The cluster follow-up in the path does not exist.
    NoSuchClusterFollowUp = 404 "No such cluster follow-up";
    /// The evaluation in the path does not exist.
    NoSuchEvaluation = 404 "No such evaluation";
    /// The evaluation in the path does not exist or is a draft the caller may not read.
    NoVisibleEvaluation = 404 "No such evaluation (or none the caller may see)";
    /// The report format the `Accept` header asks for is not one kiv makes.
    NoAcceptableFormat = 406 "`Accept` names no format the report is available in";
    /// The transition asked for does not start from the record's state.
    InvalidTransition = 409 "Not allowed from the current state (invalidTransition)";
    /// The report link was revoked, or its maker lost the right to pull reports.
    RevokedLink = 410 "A report link that was revoked, or whose maker may no longer pull reports (revokedLink)";
    /// `If-Match` names a version that is no longer the current one.
    ChangedSinceRead = 412 "It changed since its ETag was read";
    /// `If-Match` names a version of the follow-up that is no longer the current one.
    FollowUpChangedSinceRead = 412 "The follow-up changed since its ETag was read";
    /// The same `Idempotency-Key` came with another request.
    IdempotencyKeyReused = 422 "The Idempotency-Key was used for another request";
    /// A change without `If-Match`: kiv does not let a write overwrite what it has not seen.
    IfMatchRequired = 428 "If-Match is missing";
}
