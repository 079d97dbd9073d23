//! The JSON shape of an organisation, in its own answers and inside an account's.

use actix_web::HttpRequest;
use kiv_domain::{LocalizedText, Organisation, OrganisationKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::respond::href;

/// An organisation that coordinates the plans or reports on their actions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "fod-justitie",
    "href": "http://127.0.0.1:8080/kiv/v1/organisations/fod-justitie",
    "version": "1",
    "name": {"nl": "FOD Justitie", "fr": "SPF Justice", "de": "FÖD Justiz", "en": "FPS Justice"},
    "kind": "federalService",
    "coordinator": true
}))]
pub struct OrganisationView {
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub name: LocalizedText,
    pub kind: OrganisationKind,
    /// Coordinators (FOD Justitie, FOD Binnenlandse Zaken) review follow-ups and write
    /// evaluations.
    pub coordinator: bool,
    /// The organisation this one belongs to; every police zone belongs to `lokale-politie`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// The link to `parentId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_href: Option<String>,
}

impl crate::respond::Representation for OrganisationView {}

impl OrganisationView {
    pub(crate) fn new(req: &HttpRequest, organisation: Organisation) -> Self {
        let version = kiv_domain::Tagged::validator(&organisation).to_string();
        let Organisation {
            id,
            name,
            kind,
            coordinator,
            parent_id,
            version: _,
            updated_at: _,
        } = organisation;
        OrganisationView {
            version,
            href: href(req, &format!("organisations/{id}")),
            id,
            name,
            kind,
            coordinator,
            parent_href: parent_id
                .as_ref()
                .map(|id| href(req, &format!("organisations/{id}"))),
            parent_id,
        }
    }
}
