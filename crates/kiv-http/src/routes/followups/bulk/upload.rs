//! The CSV file of an import, as it arrives: the body itself (`text/csv`, what curl and scripts
//! send) or the part `file` of a form (`multipart/form-data`, what browsers and generated clients
//! send when they upload a file).

use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest};
use kiv_domain::{InputIssue, IssueLocation};
use utoipa::ToSchema;

use crate::problem::ApiError;

/// The name of the form part that carries the file.
pub const FILE_PART: &str = "file";

/// A CSV import sent as a form.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the part from the body itself
#[schema(example = json!({
    "file": "actionExternalId,organisationId,period,status,progress,narrativeNl\nFGP-2016-044,federale-politie,2017S1,onTrack,40,Twee eenheden operationeel\n"
}))]
pub struct CsvUpload {
    /// The CSV file, UTF-8, as described for `text/csv`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The CSV file the request carries, whichever way it was sent.
pub async fn csv_file(req: &HttpRequest, body: Bytes) -> Result<Bytes, ApiError> {
    let mime = req.mime_type().ok().flatten();
    match mime
        .as_ref()
        .map(|m| (m.type_().as_str(), m.subtype().as_str()))
    {
        Some(("text", "csv")) => Ok(body),
        Some(("multipart", "form-data")) => {
            let boundary = mime
                .as_ref()
                .and_then(|m| m.get_param("boundary"))
                .map(|b| b.as_str().to_owned())
                .ok_or_else(|| malformed("the form's Content-Type names no boundary"))?;
            file_part(body, boundary).await
        }
        _ => Err(ApiError::Status {
            status: actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail: format!(
                "The body must be a CSV file: Content-Type text/csv, or multipart/form-data with \
                 the file in the part `{FILE_PART}`"
            ),
        }),
    }
}

async fn file_part(body: Bytes, boundary: String) -> Result<Bytes, ApiError> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Some(part) = form
        .next_field()
        .await
        .map_err(|e| malformed(&format!("the form cannot be read: {e}")))?
    {
        if part.name() == Some(FILE_PART) {
            return part
                .bytes()
                .await
                .map_err(|e| malformed(&format!("the part `{FILE_PART}` cannot be read: {e}")));
        }
    }
    Err(ApiError::bad_request(vec![InputIssue::invalid(
        IssueLocation::Body,
        FILE_PART,
        None,
        format!("the form has no part `{FILE_PART}` with the CSV file"),
    )]))
}

fn malformed(detail: &str) -> ApiError {
    ApiError::bad_request(vec![InputIssue::invalid(
        IssueLocation::Body,
        FILE_PART,
        None,
        detail,
    )])
}
