//! The formats reports are answered in: JSON (the default), CSV, Excel and a printable HTML page.
//!
//! Renderers only read the report structs the store and the handlers assembled; no figure is
//! computed here, so every format carries the same numbers as the JSON document.

pub mod cell;
pub mod csv;
pub mod html;
pub mod labels;
pub mod svg;
pub mod table;
pub mod xlsx;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use kiv_domain::Language;

use crate::problem::ApiError;

/// The formats a report can be answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
    Xlsx,
    Html,
}

/// Media type of Excel workbooks (Office Open XML).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A downloaded file as bytes in the OpenAPI document: the Excel workbook, and every download as
/// `application/octet-stream`, so that generated clients hand files over as bytes instead of
/// parsing them. CSV and HTML are documented as text under their own media types too.
#[derive(Debug)]
pub struct ReportFile;

impl utoipa::PartialSchema for ReportFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("An Excel workbook (Office Open XML)"))
            .into()
    }
}

impl utoipa::ToSchema for ReportFile {}

impl ReportFormat {
    /// Every format, JSON first (the default).
    pub const ALL: [ReportFormat; 4] = [
        ReportFormat::Json,
        ReportFormat::Csv,
        ReportFormat::Xlsx,
        ReportFormat::Html,
    ];

    /// Its name in `?format=`, which is also the file extension.
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Html => "html",
        }
    }

    /// Its media type (without parameters).
    pub fn media_type(self) -> &'static str {
        match self {
            ReportFormat::Json => "application/json",
            ReportFormat::Csv => "text/csv",
            ReportFormat::Xlsx => XLSX,
            ReportFormat::Html => "text/html",
        }
    }
}

/// The format a client asks for by `Accept`: the best of `offered` (quality values honoured; on
/// a tie, the earlier in `Accept`, then the earlier in `offered`). Without `Accept`, or with
/// `*/*`, the first of `offered`. An `Accept` that none of `offered` satisfies is
/// `406 Not Acceptable`. Operations that answer one file format (the downloads) offer only it,
/// so that their `Accept` is checked the same way.
pub fn negotiate(req: &HttpRequest, offered: &[ReportFormat]) -> Result<ReportFormat, ApiError> {
    let first = offered
        .first()
        .copied()
        .ok_or_else(|| ApiError::Internal("no format offered".into()))?;
    let Some(ranges) = crate::negotiation::accept_ranges(req.headers()) else {
        return Ok(first);
    };
    let score = |format: ReportFormat| crate::negotiation::acceptance(&ranges, format.media_type());
    let mut chosen: Option<(ReportFormat, f32, usize)> = None;
    for format in offered {
        let Some((quality, position)) = score(*format) else {
            continue;
        };
        if quality <= 0.0 {
            continue;
        }
        let better = match chosen {
            None => true,
            Some((_, q, p)) => quality > q || (quality == q && position < p),
        };
        if better {
            chosen = Some((*format, quality, position));
        }
    }
    chosen.map(|(format, _, _)| format).ok_or_else(|| {
        let types: Vec<&str> = offered.iter().map(|f| f.media_type()).collect();
        ApiError::Status {
            status: StatusCode::NOT_ACCEPTABLE,
            detail: format!("This resource is available as {}", types.join(", ")),
        }
    })
}

/// The language of a rendered report: the one `Accept-Language` prefers among kiv's, else Dutch.
pub fn language(req: &HttpRequest) -> Language {
    crate::extract::preferred_language(req).unwrap_or(Language::Nl)
}

/// What a download operation answers `format` in: its own media type, or bytes
/// (`application/octet-stream`, which the downloads document beside it, so that generated clients
/// can take any file as bytes); any other `Accept` that excludes the format is `406`.
pub fn negotiate_download(
    req: &HttpRequest,
    format: ReportFormat,
) -> Result<ReportFormat, ApiError> {
    let asks_bytes = crate::negotiation::accept_ranges(req.headers()).is_some_and(|ranges| {
        ranges
            .iter()
            .any(|(essence, quality)| essence == OCTET_STREAM && *quality > 0.0)
    });
    if asks_bytes {
        Ok(format)
    } else {
        negotiate(req, &[format])
    }
}

pub use crate::negotiation::OCTET_STREAM;

/// A downloadable file: CSV or Excel, with the language its names are in.
pub fn attachment(
    format: ReportFormat,
    body: impl actix_web::body::MessageBody + 'static,
    name: &str,
    language: Language,
) -> HttpResponse {
    let content_type = match format {
        ReportFormat::Csv => "text/csv; charset=utf-8",
        ReportFormat::Html => "text/html; charset=utf-8",
        ReportFormat::Json => "application/json",
        ReportFormat::Xlsx => XLSX,
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.name()),
        ))
        .insert_header((header::CONTENT_LANGUAGE, language.as_str()))
        .body(body)
}

/// Nothing a page loads may come from elsewhere: its only resources are inline styles and
/// inline SVG.
const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The same policy inside the page, so that a saved copy loads nothing either (a policy in a
/// `meta` element cannot name `frame-ancestors`).
pub const SAVED_PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// A printable page, shown in the browser (not downloaded).
pub fn page(body: String, name: &str, language: Language) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}.html\""),
        ))
        .insert_header((header::CONTENT_LANGUAGE, language.as_str()))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        ))
        .body(body)
}

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn negotiated(accept: Option<&str>) -> Result<ReportFormat, u16> {
        let mut request = TestRequest::default();
        if let Some(accept) = accept {
            request = request.insert_header((header::ACCEPT, accept));
        }
        negotiate(&request.to_http_request(), &ReportFormat::ALL)
            .map_err(|e| actix_web::ResponseError::status_code(&e).as_u16())
    }

    #[test]
    fn negotiates_by_accept() {
        use ReportFormat::*;
        assert_eq!(negotiated(None), Ok(Json));
        assert_eq!(negotiated(Some("*/*")), Ok(Json));
        assert_eq!(negotiated(Some("text/csv")), Ok(Csv));
        assert_eq!(negotiated(Some("text/csv, application/json")), Ok(Csv));
        assert_eq!(negotiated(Some("application/json, text/csv")), Ok(Json));
        assert_eq!(
            negotiated(Some("text/csv;q=0.5, application/json;q=0.9")),
            Ok(Json)
        );
        assert_eq!(
            negotiated(Some(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            )),
            Ok(Html)
        );
        assert_eq!(negotiated(Some(XLSX)), Ok(Xlsx));
        assert_eq!(negotiated(Some("text/*")), Ok(Csv));
        assert_eq!(negotiated(Some("image/png")), Err(406));
        assert_eq!(negotiated(Some("*/*;q=0")), Err(406));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<b class="x">Tom & Jerry's</b>"#),
            "&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;"
        );
    }
}
