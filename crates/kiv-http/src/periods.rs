//! Reading a reporting period (`2017S1`) from a path, query or body, as a 400 naming the field.

use kiv_domain::ReportingPeriod;
use serde_json::Value;

use crate::problem::ApiError;

/// The period `text` names, or a 400 for the `period` parameter at `location`.
pub(crate) fn parse_period(
    text: &str,
    location: kiv_domain::IssueLocation,
) -> Result<ReportingPeriod, ApiError> {
    text.parse()
        .map_err(|e: kiv_domain::period::InvalidPeriod| {
            ApiError::bad_request(vec![kiv_domain::InputIssue::invalid(
                location,
                "period",
                Some(Value::from(text)),
                e.to_string(),
            )])
        })
}
