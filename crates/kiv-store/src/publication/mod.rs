//! Publication: what the coordinating FODs publish about a plan, and how. Two kinds of record are
//! published: cluster follow-ups (where a cluster stands in a reporting period, in the FODs'
//! words, with its figures frozen at publication) and evaluations (of a cluster or a theme, with
//! their evidence and recommendations).
//!
//! Both are written as drafts and published in revisions ([`revisions`]): publishing freezes a
//! draft and shows it to every reader; revising starts the draft of the next revision while the
//! published one stays visible. Coordinators read (and write) drafts; everybody else reads the
//! latest published revision, never a draft (`kiv_domain::Caller::may_read_drafts`). Every step
//! is kept in the record's history, and each publication leaves the judgement the progress report
//! shows in `crate::judgements`. Recommendations follow their evaluation's revision
//! ([`recommendations`]), except for what became of them, which is one across revisions.

pub mod cluster_followups;
pub mod evaluations;
pub mod recommendations;
pub mod revisions;

pub use crate::judgements::Judgement;
pub use revisions::{PublicationEvent, Publishable, Step};
