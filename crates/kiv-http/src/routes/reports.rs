//! `/reports`: where the plans stand, for evaluators and the coordinating FODs.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use kiv_domain::report::{ComplianceReport, IndicatorReport, ProgressReport, TrendReport};
use kiv_domain::{InputIssue, IssueLocation, ReportingPeriod};
use kiv_store::reports::service::{self as reports, ReportRequest};
use kiv_store::reports::Scope;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::ReportAccess;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    MalformedParameter, NoAcceptableFormat, NoSuchPlan, ReportersPullNoReports, RevokedLink,
};
use crate::render::{self, html, table, xlsx, ReportFile, ReportFormat};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(progress_report)
        .service(progress_report_csv)
        .service(progress_report_xlsx)
        .service(progress_report_html)
        .service(trend_report)
        .service(trend_report_csv)
        .service(trend_report_xlsx)
        .service(trend_report_html)
        .service(compliance_report)
        .service(compliance_report_csv)
        .service(compliance_report_xlsx)
        .service(compliance_report_html)
        .service(indicator_report)
        .service(indicator_report_csv)
        .service(indicator_report_xlsx)
        .service(indicator_report_html);
}

/// The download operations of a report: the same parameters and figures as its JSON operation,
/// one operation per file format, each answering only its own media type as bytes. Generated
/// clients get a function that hands over the file; browsers, curl and links get a URL
/// (`/reports/progress.csv?planId=...`).
macro_rules! downloads {
    (
        $report:literal, $query:ty, $answer:ident;
        $( $handler:ident = $path:literal, $format:ident, $body:ty, $media:literal, $summary:literal; )*
    ) => {$(
        #[doc = $summary]
        #[doc = ""]
        #[doc = "The report of the same parameters as its JSON operation, as a file \
            (`Content-Disposition` names it). In CSV a text that would start a spreadsheet \
            formula (`=`, `+`, `-`, `@`, tab or CR first) comes behind a `'`, numbers as \
            numbers; in Excel every text is a text cell, never a formula. Names are in the \
            language `Accept-Language` prefers (Dutch by default; `Content-Language` says which)."]
        #[utoipa::path(
            tag = "Reports",
            params($query),
            responses(
                (status = 200, description = $summary, content((ReportFile = "application/octet-stream"), ($body = $media)), headers(
                    ("Content-Disposition" = String, description = "The file's name"),
                    ("Content-Language" = String, description = "The language of its names"),
                )),
                NoAcceptableFormat,
                MalformedParameter,
                ReportersPullNoReports,
                RevokedLink,
                NoSuchPlan,
            )
        )]
        #[get($path)]
        async fn $handler(
            req: HttpRequest,
            state: web::Data<AppState>,
            _access: ReportAccess,
            ApiQuery(query): ApiQuery<$query>,
        ) -> Result<HttpResponse, ApiError> {
            let format = render::negotiate_download(&req, ReportFormat::$format)?;
            $answer(&req, &state, query, format).await
        }
    )*};
}

downloads! {
    "progress", ProgressQuery, answer_progress;
    progress_report_csv = "/reports/progress.csv", Csv, String, "text/csv",
        "Progress report as CSV: the totals, each cluster, each objective, one row each";
    progress_report_xlsx = "/reports/progress.xlsx", Xlsx, ReportFile,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Progress report as an Excel workbook: sheets summary, clusters, objectives, indicators";
    progress_report_html = "/reports/progress.html", Html, String, "text/html",
        "Progress report as a printable HTML page with charts";
}

downloads! {
    "trend", TrendQuery, answer_trend;
    trend_report_csv = "/reports/trend.csv", Csv, String, "text/csv",
        "Trend report as CSV: one row per reporting period";
    trend_report_xlsx = "/reports/trend.xlsx", Xlsx, ReportFile,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Trend report as an Excel workbook: one row per reporting period";
    trend_report_html = "/reports/trend.html", Html, String, "text/html",
        "Trend report as a printable HTML page: a line chart and a table";
}

downloads! {
    "compliance", ComplianceQuery, answer_compliance;
    compliance_report_csv = "/reports/compliance.csv", Csv, String, "text/csv",
        "Compliance report as CSV: one row per organisation, worst first";
    compliance_report_xlsx = "/reports/compliance.xlsx", Xlsx, ReportFile,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Compliance report as an Excel workbook: one row per organisation, worst first";
    compliance_report_html = "/reports/compliance.html", Html, String, "text/html",
        "Compliance report as a printable HTML page";
}

downloads! {
    "indicator", IndicatorQuery, answer_indicators;
    indicator_report_csv = "/reports/indicators.csv", Csv, String, "text/csv",
        "Indicator report as CSV: one row per indicator and period with a value";
    indicator_report_xlsx = "/reports/indicators.xlsx", Xlsx, ReportFile,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Indicator report as an Excel workbook: one row per indicator and period with a value";
    indicator_report_html = "/reports/indicators.html", Html, String, "text/html",
        "Indicator report as a printable HTML page";
}

/// Which report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgressQuery {
    /// The plan.
    #[param(example = "kiv-2016-2019")]
    pub plan_id: String,
    /// The moment the report stands at: a date (its end; today's date means now) or an RFC 3339
    /// time, not in the future (400). Default: now.
    #[param(example = "2018-01-15", schema_with = as_of_schema)]
    pub as_of: Option<String>,
    /// A reporting period of the plan; default the one `asOf` falls in.
    #[param(example = "2017S2")]
    #[param(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
    pub period: Option<String>,
    pub cluster_id: Option<String>,
    /// Actions with this theme, or under an objective with it.
    pub theme_id: Option<String>,
    /// Actions this organisation leads.
    pub organisation_id: Option<String>,
    /// Set by a signed report link (`POST /reports/links`): its expiry, in Unix seconds.
    pub expires: Option<i64>,
    /// Set by a signed report link: its signature.
    pub signature: Option<String>,
    /// Set by a signed report link: its id (`GET /reports/links`).
    pub link: Option<String>,
}

fn query_issue(name: &str, value: &str, detail: impl Into<String>) -> ApiError {
    ApiError::bad_request(vec![InputIssue::invalid(
        IssueLocation::Query,
        name,
        Some(Value::from(value)),
        detail,
    )])
}

/// A date stands for its last moment: a report "as of 2017-12-31" counts that whole day.
/// `asOf`: a date or an RFC 3339 time.
fn as_of_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let string = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    AnyOfBuilder::new()
        .item(string(KnownFormat::Date))
        .item(string(KnownFormat::DateTime))
        .build()
        .into()
}

/// The moment a report stands at: `asOf` when given, else now. A report is reproducible only
/// of what has happened, so a moment in the future is refused; a date stands for its last moment,
/// and today's date for now (the report's `asOf` says which moment was used).
fn report_moment(asked: Option<&str>) -> Result<NaiveDateTime, ApiError> {
    let now = kiv_store::clock::now();
    let Some(text) = asked else {
        return Ok(now);
    };
    if let Ok(day) = text.parse::<NaiveDate>() {
        if day == now.date() {
            return Ok(now);
        }
        let end = day
            .and_hms_micro_opt(23, 59, 59, 999_999)
            .ok_or_else(|| query_issue("asOf", text, "not a date"))?;
        return not_after(end, now, text);
    }
    let moment = DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .map_err(|_| {
            query_issue(
                "asOf",
                text,
                "asOf is a date (2017-12-31) or an RFC 3339 time (2017-12-31T12:00:00Z)",
            )
        })?;
    not_after(moment, now, text)
}

fn not_after(
    moment: NaiveDateTime,
    now: NaiveDateTime,
    text: &str,
) -> Result<NaiveDateTime, ApiError> {
    if moment > now {
        Err(query_issue(
            "asOf",
            text,
            "asOf lies in the future: a report counts only what has been approved, so it stands at a past moment or now",
        ))
    } else {
        Ok(moment)
    }
}

/// The `period` parameter as a reporting period (whether it is one of the plan's, the store
/// checks with the plan).
fn period_parameter(text: &str) -> Result<ReportingPeriod, ApiError> {
    text.parse()
        .map_err(|e: kiv_domain::period::InvalidPeriod| query_issue("period", text, e.to_string()))
}

/// Progress report
///
/// Where a plan stands: totals, and per cluster and objective, the actions by status (with
/// `notReported`), the weighted mean progress (method named, cancelled and unreported actions
/// left out and counted), the reporting rate for the period, overdue actions and indicators on
/// or off track. Only follow-ups approved by `asOf` count, so a report as of 2017-12-31 gives the
/// same figures whenever it is pulled. An action is overdue when it was planned to end by the
/// last day of the report's period and is neither completed nor cancelled; an objective's row
/// counts its own actions and those of the objectives under it. Each cluster shows the FODs'
/// published assessment of the report's period and the latest published evaluation covering
/// that period or an earlier one. Coordinators, evaluators and administrators.
#[utoipa::path(
    tag = "Reports",
    params(ProgressQuery),
    responses(
        (status = 200, description = "The report", body = ProgressReport),
        NoAcceptableFormat,
        (status = 400, description = "A parameter is malformed, or the period is not the plan's", body = Problem, content_type = "application/problem+json"),
        ReportersPullNoReports,
        RevokedLink,
        NoSuchPlan,
    )
)]
#[get("/reports/progress")]
async fn progress_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    _access: ReportAccess,
    ApiQuery(query): ApiQuery<ProgressQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = render::negotiate(&req, &ReportFormat::ALL)?;
    answer_progress(&req, &state, query, format).await
}

/// The progress report in `format`, for the JSON operation and its downloads alike.
async fn answer_progress(
    req: &HttpRequest,
    state: &AppState,
    query: ProgressQuery,
    format: ReportFormat,
) -> Result<HttpResponse, ApiError> {
    let as_of = report_moment(query.as_of.as_deref())?;
    let period = query.period.as_deref().map(period_parameter).transpose()?;
    let request = ReportRequest {
        scope: Scope {
            plan_id: query.plan_id,
            cluster_id: query.cluster_id,
            theme_id: query.theme_id,
            organisation_id: query.organisation_id,
        },
        period,
        as_of,
    };
    let with_trend = format == ReportFormat::Html;
    let (report, trend) = state
        .run_report_on("plan", request.scope.plan_id.clone(), move |conn, _| {
            reports::progress(conn, &request, with_trend)
        })
        .await?;
    let language = render::language(req);
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => render::attachment(
            format,
            table::progress(&report, language).csv()?,
            "progress",
            language,
        ),
        ReportFormat::Xlsx => render::attachment(
            format,
            xlsx::progress(&report, language)?,
            "progress",
            language,
        ),
        ReportFormat::Html => render::page(
            html::progress_page(&report, &trend, language),
            "progress",
            language,
        ),
    })
}

/// Which trend.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrendQuery {
    #[param(example = "kiv-2016-2019")]
    pub plan_id: String,
    pub cluster_id: Option<String>,
    /// Actions with this theme, or under an objective with it.
    pub theme_id: Option<String>,
    /// Actions this organisation leads.
    pub organisation_id: Option<String>,
    /// The moment every point stands at, as in the progress report: a date (its end; today's
    /// date means now) or an RFC 3339 time, not in the future. Default: now.
    #[param(example = "2018-01-15", schema_with = as_of_schema)]
    pub as_of: Option<String>,
    /// Set by a signed report link (`POST /reports/links`): its expiry, in Unix seconds.
    pub expires: Option<i64>,
    /// Set by a signed report link: its signature.
    pub signature: Option<String>,
    /// Set by a signed report link: its id (`GET /reports/links`).
    pub link: Option<String>,
}

/// Which indicators.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorQuery {
    #[param(example = "kiv-2016-2019")]
    pub plan_id: String,
    pub cluster_id: Option<String>,
    /// Set by a signed report link (`POST /reports/links`): its expiry, in Unix seconds.
    pub expires: Option<i64>,
    /// Set by a signed report link: its signature.
    pub signature: Option<String>,
    /// Set by a signed report link: its id (`GET /reports/links`).
    pub link: Option<String>,
}

/// Trend report
///
/// The plan's figures (or one cluster's, theme's or lead organisation's) period after period,
/// all as of one moment (`asOf`, default now): the point of a period is exactly the totals of the
/// progress report of that period with the same `asOf`. A follow-up approved after its period
/// ended counts for its period, as it does in the progress report. One point per reporting
/// period of the plan that has begun by `asOf`.
#[utoipa::path(
    tag = "Reports",
    params(TrendQuery),
    responses(
        (status = 200, description = "One point per reporting period", body = TrendReport),
        NoAcceptableFormat,
        (status = 400, description = "A parameter is malformed", body = Problem, content_type = "application/problem+json"),
        ReportersPullNoReports,
        RevokedLink,
        NoSuchPlan,
    )
)]
#[get("/reports/trend")]
async fn trend_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    _access: ReportAccess,
    ApiQuery(query): ApiQuery<TrendQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = render::negotiate(&req, &ReportFormat::ALL)?;
    answer_trend(&req, &state, query, format).await
}

/// The trend report in `format`, for the JSON operation and its downloads alike.
async fn answer_trend(
    req: &HttpRequest,
    state: &AppState,
    query: TrendQuery,
    format: ReportFormat,
) -> Result<HttpResponse, ApiError> {
    let as_of = report_moment(query.as_of.as_deref())?;
    let request = ReportRequest {
        scope: Scope {
            plan_id: query.plan_id,
            cluster_id: query.cluster_id,
            theme_id: query.theme_id,
            organisation_id: query.organisation_id,
        },
        period: None,
        as_of,
    };
    let report: TrendReport = state
        .run_report_on("plan", request.scope.plan_id.clone(), move |conn, _| {
            reports::trend(conn, &request)
        })
        .await?;
    let language = render::language(req);
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => {
            render::attachment(format, table::trend(&report).csv()?, "trend", language)
        }
        ReportFormat::Xlsx => render::attachment(
            format,
            xlsx::single("trend", &table::trend(&report))?,
            "trend",
            language,
        ),
        ReportFormat::Html => render::page(html::trend_page(&report, language), "trend", language),
    })
}

/// Which compliance report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComplianceQuery {
    #[param(example = "kiv-2016-2019")]
    pub plan_id: String,
    /// A reporting period of the plan.
    #[param(example = "2017S2")]
    #[param(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")]
    pub period: String,
    /// Set by a signed report link (`POST /reports/links`): its expiry, in Unix seconds.
    pub expires: Option<i64>,
    /// Set by a signed report link: its signature.
    pub signature: Option<String>,
    /// Set by a signed report link: its id (`GET /reports/links`).
    pub link: Option<String>,
}

/// Compliance report
///
/// Per lead organisation: the actions due a report for the period, how many are submitted,
/// approved and missing, and the rate reported — worst first, so coordinators know whom to
/// chase.
#[utoipa::path(
    tag = "Reports",
    params(ComplianceQuery),
    responses(
        (status = 200, description = "Per organisation, worst first", body = ComplianceReport),
        NoAcceptableFormat,
        (status = 400, description = "The period is malformed or not the plan's", body = Problem, content_type = "application/problem+json"),
        ReportersPullNoReports,
        RevokedLink,
        NoSuchPlan,
    )
)]
#[get("/reports/compliance")]
async fn compliance_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    _access: ReportAccess,
    ApiQuery(query): ApiQuery<ComplianceQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = render::negotiate(&req, &ReportFormat::ALL)?;
    answer_compliance(&req, &state, query, format).await
}

/// The compliance report in `format`, for the JSON operation and its downloads alike.
async fn answer_compliance(
    req: &HttpRequest,
    state: &AppState,
    query: ComplianceQuery,
    format: ReportFormat,
) -> Result<HttpResponse, ApiError> {
    let period = period_parameter(&query.period)?;
    let report: ComplianceReport = state
        .run_report_on("plan", query.plan_id, move |conn, plan_id| {
            reports::compliance(conn, plan_id, period)
        })
        .await?;
    let language = render::language(req);
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => render::attachment(
            format,
            table::compliance(&report, language).csv()?,
            "compliance",
            language,
        ),
        ReportFormat::Xlsx => render::attachment(
            format,
            xlsx::single("compliance", &table::compliance(&report, language))?,
            "compliance",
            language,
        ),
        ReportFormat::Html => render::page(
            html::compliance_page(&report, language),
            "compliance",
            language,
        ),
    })
}

/// Indicator report
///
/// Each indicator of the plan (or of one cluster) with its baseline, its targets and its
/// approved values per reporting period, each against the target then in force, and whether it
/// is on track at its latest value.
#[utoipa::path(
    tag = "Reports",
    params(IndicatorQuery),
    responses(
        (status = 200, description = "The indicators", body = IndicatorReport),
        NoAcceptableFormat,
        (status = 400, description = "A parameter is malformed", body = Problem, content_type = "application/problem+json"),
        ReportersPullNoReports,
        RevokedLink,
        NoSuchPlan,
    )
)]
#[get("/reports/indicators")]
async fn indicator_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    _access: ReportAccess,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = render::negotiate(&req, &ReportFormat::ALL)?;
    answer_indicators(&req, &state, query, format).await
}

/// The indicators report in `format`, for the JSON operation and its downloads alike.
async fn answer_indicators(
    req: &HttpRequest,
    state: &AppState,
    query: IndicatorQuery,
    format: ReportFormat,
) -> Result<HttpResponse, ApiError> {
    let report: IndicatorReport = state
        .run_report_on("plan", query.plan_id, move |conn, plan_id| {
            reports::indicators(conn, plan_id, query.cluster_id.as_deref())
        })
        .await?;
    let language = render::language(req);
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => render::attachment(
            format,
            table::indicators(&report, language).csv()?,
            "indicators",
            language,
        ),
        ReportFormat::Xlsx => render::attachment(
            format,
            xlsx::single("indicators", &table::indicators(&report, language))?,
            "indicators",
            language,
        ),
        ReportFormat::Html => render::page(
            html::indicators_page(&report, language),
            "indicators",
            language,
        ),
    })
}
