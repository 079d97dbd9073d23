//! `/reports/links`: signed report links, and the record kiv keeps of each, so that their makers
//! and administrators can list and revoke them.

use std::collections::BTreeMap;

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use kiv_domain::access::ReportLink;
use kiv_domain::{InputIssue, IssueLocation};
use kiv_store::report_links;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::ReportReader;
use crate::extract::{page_and_sort, ApiJson, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{MalformedOrOutOfRange, ReportersPullNoReports};
use crate::render::ReportFormat;
use crate::respond::{utc, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_link)
        .service(list_links)
        .service(revoke_link);
}

/// The parameters each report takes.
const REPORTS: [(&str, &[&str]); 4] = [
    (
        "progress",
        &[
            "planId",
            "asOf",
            "period",
            "clusterId",
            "themeId",
            "organisationId",
            "format",
        ],
    ),
    (
        "trend",
        &[
            "planId",
            "clusterId",
            "themeId",
            "organisationId",
            "asOf",
            "format",
        ],
    ),
    ("compliance", &["planId", "period", "format"]),
    ("indicators", &["planId", "clusterId", "format"]),
];

/// Longest life of a report link: 30 days.
const MAX_LINK_SECONDS: u64 = 30 * 24 * 3600;

fn default_link_seconds() -> u64 {
    7 * 24 * 3600
}

/// A link to one report with its parameters.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"report": "progress", "parameters": {"planId": "kiv-2016-2019", "period": "2017S2", "asOf": "2017-12-31"}, "expiresInSeconds": 604800}))]
pub struct NewLink {
    #[schema(value_type = ReportName)]
    pub report: String,
    /// The report's query parameters, as its GET takes them, and `format` (`json`, the default,
    /// `csv`, `xlsx` or `html`): which of the report's operations the link opens.
    pub parameters: BTreeMap<String, String>,
    /// How long the link works: default 7 days, at most 30.
    #[serde(default = "default_link_seconds")]
    #[schema(minimum = 1, maximum = 2592000)]
    pub expires_in_seconds: u64,
}

/// What kiv keeps of a report link: never the URL itself.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
    "report": "progress",
    "parameters": {"planId": "kiv-2016-2019", "period": "2017S2", "asOf": "2017-12-31"},
    "createdBy": "demo-coordinator",
    "createdAt": "2018-01-10T14:00:00Z",
    "expiresAt": "2018-01-17T14:00:00Z"
}))]
pub struct LinkView {
    /// UUID; the `link` parameter of the URL.
    pub id: String,
    #[schema(value_type = ReportName)]
    pub report: String,
    /// The report's parameters, as the link passes them.
    pub parameters: BTreeMap<String, String>,
    /// The login of the account that made it.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it was revoked; absent while it works (until `expiresAt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it: its maker, an administrator, or the administrator who disabled the maker
    /// or took its roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
}

impl crate::respond::Representation for LinkView {}

impl LinkView {
    fn new(link: ReportLink) -> Self {
        let ReportLink {
            id,
            report,
            parameters,
            created_by,
            created_at,
            expires_at,
            revoked_at,
            revoked_by,
        } = link;
        Self {
            id,
            report,
            parameters,
            created_by,
            created_at: utc(created_at),
            expires_at: utc(expires_at),
            revoked_at: revoked_at.map(utc),
            revoked_by,
        }
    }
}

/// A signed report link, shown once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
    "report": "progress",
    "parameters": {"planId": "kiv-2016-2019", "period": "2017S2", "asOf": "2017-12-31"},
    "createdBy": "demo-coordinator",
    "createdAt": "2018-01-10T14:00:00Z",
    "expiresAt": "2018-01-17T14:00:00Z",
    "url": "http://127.0.0.1:8080/kiv/v1/reports/progress?planId=kiv-2016-2019&period=2017S2&asOf=2017-12-31&expires=1516197600&link=6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b&signature=3q2-7wAAAAA"
}))]
pub struct SignedLink {
    /// Opens the report without a token, until it expires or is revoked. Treat it like a
    /// password: it is not shown again.
    pub url: String,
    #[serde(flatten)]
    pub link: LinkView,
}

/// Make a report link
///
/// A signed, expiring, read-only URL for one report with its parameters, to open in a browser or
/// send on without a token. The signature covers the path and every parameter, the link's id
/// included: a changed parameter makes the link invalid (401), an expired one is refused (403).
/// The URL is shown this once; kiv keeps the link's record (`GET /reports/links`), never its
/// signature. A link works only while its maker may pull reports: it dies (410) when the
/// maker's account is disabled or loses its roles, or when it is revoked
/// (`DELETE /reports/links/{linkId}`).
#[utoipa::path(
    tag = "Reports",
    request_body = NewLink,
    responses(
        (status = 201, description = "The link", body = SignedLink),
        (status = 400, description = "Unknown report or parameter, or a lifetime over 30 days", body = Problem, content_type = "application/problem+json"),
        ReportersPullNoReports,
    )
)]
#[post("/reports/links")]
async fn create_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    reader: ReportReader,
    ApiJson(body): ApiJson<NewLink>,
) -> Result<HttpResponse, ApiError> {
    let body_issue = |name: &str, value: Value, detail: String| {
        ApiError::bad_request(vec![InputIssue::invalid(
            IssueLocation::Body,
            name,
            Some(value),
            detail,
        )])
    };
    let Some((report, allowed)) = REPORTS.iter().find(|(name, _)| *name == body.report) else {
        return Err(body_issue(
            "report",
            Value::from(body.report.as_str()),
            "report is progress, trend, compliance or indicators".into(),
        ));
    };
    if let Some(unknown) = body
        .parameters
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))
    {
        return Err(body_issue(
            &format!("parameters.{unknown}"),
            Value::from(unknown.as_str()),
            format!("the {report} report takes {}", allowed.join(", ")),
        ));
    }
    if !body.parameters.contains_key("planId") {
        return Err(ApiError::bad_request(vec![InputIssue::invalid(
            IssueLocation::Body,
            "parameters.planId",
            None,
            "planId is required",
        )]));
    }
    // The file formats are operations of their own (`/reports/progress.csv`); `format` picks one.
    let extension = match body.parameters.get("format") {
        None => String::new(),
        Some(asked) => match ReportFormat::ALL.iter().find(|f| f.name() == asked) {
            Some(ReportFormat::Json) => String::new(),
            Some(format) => format!(".{}", format.name()),
            None => {
                let names: Vec<&str> = ReportFormat::ALL.iter().map(|f| f.name()).collect();
                return Err(body_issue(
                    "parameters.format",
                    Value::from(asked.as_str()),
                    format!("format is one of {}", names.join(", ")),
                ));
            }
        },
    };
    if body.expires_in_seconds == 0 || body.expires_in_seconds > MAX_LINK_SECONDS {
        return Err(body_issue(
            "expiresInSeconds",
            Value::from(body.expires_in_seconds),
            format!("a link lives 1 to {MAX_LINK_SECONDS} seconds"),
        ));
    }
    let expires = Utc::now().timestamp() + i64::try_from(body.expires_in_seconds).unwrap_or(0);
    let expires_at = DateTime::from_timestamp(expires, 0).unwrap_or_default();
    let (report_name, parameters) = ((*report).to_owned(), body.parameters.clone());
    let maker = reader.0.clone();
    let link = state
        .run(move |conn| {
            report_links::create(
                conn,
                &maker,
                &report_name,
                parameters,
                expires_at.naive_utc(),
            )
        })
        .await?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in body.parameters.iter().filter(|(key, _)| *key != "format") {
        query.append_pair(key, value);
    }
    query.append_pair(crate::links::EXPIRES, &expires.to_string());
    query.append_pair(crate::links::LINK, &link.id);
    let query = query.finish();
    let path = format!("{}/reports/{report}{extension}", crate::BASE_PATH);
    let key = state.link_key().await?;
    let signature = crate::links::sign(&key, &path, &query)
        .ok_or_else(|| ApiError::Internal("cannot sign a report link".into()))?;
    let url = format!(
        "{}{path}?{query}&{}={signature}",
        crate::origin::base_url(&req),
        crate::links::SIGNATURE
    );
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(SignedLink {
            url,
            link: LinkView::new(link),
        }))
}

collection_query! {
    /// Filters of the report links.
    pub struct LinkQuery {
        /// Only the links this login made. Administrators see everybody's links; anyone else
        /// only their own, so another login matches none.
        pub created_by: Option<String>,
    }
}

/// List report links
///
/// The links the caller made, newest first, revoked and expired ones included; administrators
/// see everybody's (`createdBy` narrows to one maker). Use it to find what is in circulation
/// before revoking it. The URLs themselves are not shown: kiv does not keep them.
#[utoipa::path(
    tag = "Reports",
    params(LinkQuery),
    responses(
        (status = 200, description = "One page of links", body = Collection<LinkView>),
        MalformedOrOutOfRange,
        (status = 403, description = "Reporters do not make links (missingScope)", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/reports/links")]
async fn list_links(
    req: HttpRequest,
    state: web::Data<AppState>,
    reader: ReportReader,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let caller = reader.0;
    let created_by = query.created_by;
    let found = state
        .run(move |conn| report_links::list(conn, &caller, created_by.as_deref(), page))
        .await?;
    Ok(Collection::new(&req, page, found, LinkView::new).respond())
}

/// Revoke a report link
///
/// Its maker or an administrator: from now on the link answers `410 revokedLink`, on every
/// node. Revoking a revoked link changes nothing (204 again). No `If-Match`: revocation is final
/// and the same whatever the link's state, so there is no concurrent change to detect. A link
/// somebody else made is `404` to anyone but an administrator.
#[utoipa::path(
    tag = "Reports",
    params(("linkId" = String, Path, description = "UUID of the link")),
    responses(
        (status = 204, description = "The link is revoked"),
        (status = 403, description = "Reporters do not make links (missingScope)", body = Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "No such link (or not yours)", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[delete("/reports/links/{linkId}")]
async fn revoke_link(
    state: web::Data<AppState>,
    reader: ReportReader,
    link_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let link_id = link_id.into_inner();
    let caller = reader.0;
    let key = link_id.clone();
    let login = caller.login.clone();
    state
        .run(move |conn| report_links::revoke(conn, &caller, &key))
        .await
        .map_err(|error| match error {
            ApiError::NotFound(_) => ApiError::not_found("report link", &link_id),
            other => other,
        })?;
    tracing::info!(%login, link = %link_id, "revoked a report link");
    Ok(HttpResponse::NoContent().finish())
}

/// The report a link opens: `progress`, `trend`, `compliance` or `indicators`.
///
/// The values of a string the OpenAPI document shows as a closed set; never built.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = "progress")]
#[allow(dead_code)] // describes a serialised string, is never built
pub enum ReportName {
    Progress,
    Trend,
    Compliance,
    Indicators,
}
