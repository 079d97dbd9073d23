//! Reporting compliance: who reported for a period and who is still to be chased.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::localized::LocalizedText;

/// Where the reporting of one action for a period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporting {
    /// No follow-up, or one still being written (draft or returned).
    Missing,
    Submitted,
    Approved,
}

/// How one organisation reports for a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "organisationId": "federale-politie",
    "name": {"nl": "Federale Politie", "fr": "Police fédérale"},
    "due": 10,
    "submitted": 1,
    "approved": 8,
    "missing": 1,
    "rate": 0.9
})))]
pub struct OrganisationCompliance {
    pub organisation_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<LocalizedText>,
    /// Actions it leads that are due a report (planned in the period, not cancelled).
    pub due: usize,
    /// Reports waiting for review.
    pub submitted: usize,
    /// Reports approved.
    pub approved: usize,
    /// Due without a submitted or approved report.
    pub missing: usize,
    /// (submitted + approved) ÷ due.
    pub rate: f64,
}

/// Reporting compliance per organisation.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "planId": "kiv-2016-2019",
    "period": "2017S2",
    "organisations": [{"organisationId": "federale-politie", "name": {"nl": "Federale Politie", "fr": "Police fédérale"}, "due": 10, "submitted": 1, "approved": 8, "missing": 1, "rate": 0.9}]
})))]
pub struct ComplianceReport {
    pub plan_id: String,
    #[cfg_attr(feature = "openapi", schema(example = "2017S2"))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$")
    )]
    pub period: String,
    /// Worst first: lowest rate, then most missing.
    pub organisations: Vec<OrganisationCompliance>,
}

/// Per lead organisation, the actions due and where their reports stand, worst first:
/// `due` lists each due action's lead organisation and its reporting; `name` names an
/// organisation.
pub fn by_organisation<'a>(
    due: impl IntoIterator<Item = (String, Reporting)>,
    name: impl Fn(&str) -> Option<&'a LocalizedText>,
) -> Vec<OrganisationCompliance> {
    let mut per_organisation: BTreeMap<String, OrganisationCompliance> = BTreeMap::new();
    for (organisation_id, reporting) in due {
        let entry = per_organisation
            .entry(organisation_id.clone())
            .or_insert_with(|| OrganisationCompliance {
                name: name(&organisation_id).cloned(),
                organisation_id,
                due: 0,
                submitted: 0,
                approved: 0,
                missing: 0,
                rate: 0.0,
            });
        entry.due += 1;
        match reporting {
            Reporting::Approved => entry.approved += 1,
            Reporting::Submitted => entry.submitted += 1,
            Reporting::Missing => entry.missing += 1,
        }
    }
    let mut organisations: Vec<OrganisationCompliance> = per_organisation
        .into_values()
        .map(|mut o| {
            o.rate = ((o.submitted + o.approved) as f64 / o.due as f64 * 100.0).round() / 100.0;
            o
        })
        .collect();
    organisations.sort_by(|a, b| {
        a.rate
            .total_cmp(&b.rate)
            .then(b.missing.cmp(&a.missing))
            .then(a.organisation_id.cmp(&b.organisation_id))
    });
    organisations
}
