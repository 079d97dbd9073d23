//! Request extraction that refuses bad input with issues naming the offending parameter.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use kiv_domain::paging::{parse_sort, SortKey};
use kiv_domain::{InputIssue, IssueLocation, PageRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::ApiError;

/// Query parameters deserialized into `T`. Unknown parameters and malformed values are refused
/// with a `badRequest` problem whose issue names the parameter, instead of being ignored (a
/// mistyped filter must not silently return everything).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let name = error.path().to_string();
        let inner = error.into_inner().to_string();
        // An unknown parameter has no path; serde names it in the message instead.
        let name = if name == "." {
            inner
                .split('`')
                .nth(1)
                .map(str::to_owned)
                .unwrap_or_default()
        } else {
            name
        };
        let value = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(key, _)| *key == name))
            .map(|(_, value)| Value::String(value));
        ApiError::bad_request(vec![InputIssue::schema_violation(
            IssueLocation::Query,
            name,
            value,
            inner,
        )])
    })
}

/// Checks paging and sorting together, so one answer lists every problem.
pub fn page_and_sort<F: Copy>(
    page: Option<i64>,
    page_size: Option<i64>,
    sort: Option<&str>,
    fields: &[(&'static str, F)],
) -> Result<(PageRequest, Vec<SortKey<F>>), ApiError> {
    let paging = PageRequest::new(page, page_size);
    let sorting = sort.map_or(Ok(Vec::new()), |s| parse_sort(s, fields));
    match (paging, sorting) {
        (Ok(page), Ok(sort)) => Ok((page, sort)),
        (paging, sorting) => Err(ApiError::bad_request(
            paging
                .err()
                .into_iter()
                .chain(sorting.err())
                .flatten()
                .collect(),
        )),
    }
}

/// Scheme and host the client used (honouring `Forwarded`/`X-Forwarded-*`), for absolute links.
pub fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}
