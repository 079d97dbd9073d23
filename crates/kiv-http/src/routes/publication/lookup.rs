//! The records the publication handlers act on, as the caller may read them, or a 404.

use kiv_domain::evaluation::Evaluation;
use kiv_domain::Caller;
use kiv_store::evaluations;

use crate::problem::ApiError;
use crate::AppState;

/// The evaluation `id` as `caller` may read it; 404 when there is none, or none it may read.
pub async fn readable_evaluation(
    state: &AppState,
    caller: &Caller,
    id: String,
) -> Result<Evaluation, ApiError> {
    let who = caller.clone();
    let key = id.clone();
    state
        .run(move |conn| evaluations::get(conn, &who, &key))
        .await?
        .ok_or_else(|| ApiError::not_found("evaluation", &id))
}
