//! Follow-ups and their review. Each write is one transaction; a change to a follow-up only
//! happens if it is still at the version the caller read (a conditional update, so of two
//! concurrent submits exactly one wins). Approval copies the follow-up into an immutable approved
//! revision, which is what reports count, and moves the action's current state.

pub mod contributions;
mod import;
mod queries;
mod rows;
mod service;

pub use import::{
    import, import_file, unknown_external_id, ActionRef, BulkRow, FileRow, ImportMode, RowOutcome,
    RowResult,
};
pub(crate) use queries::get;
pub(crate) use queries::reportable_indicators;
pub use queries::{
    action_states, history, list, list_with_actions, missing, read, readable, FollowUpEvent,
    FollowUpFilter,
};
pub(crate) use rows::{
    approval, split, ActionStateRow, Approval, ApprovedRow, ApprovedValueRow, FollowUpRow, ValueRow,
};
pub use service::{apply, create, update, FollowUpChanges, FollowUpInput};
