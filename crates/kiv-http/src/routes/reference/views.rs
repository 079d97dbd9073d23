//! What the reference data endpoints read and answer: the representations of plans, clusters
//! and themes (an organisation's is in `crate::views`, as other resources show it too), the
//! query parameters of each collection and the bodies that create and change plans and
//! organisations.

use actix_web::HttpRequest;
use chrono::NaiveDate;
use kiv_domain::merge_patch::ObjectPatch;
use kiv_domain::{
    Cluster, LocalizedText, OrganisationKind, Plan, PlanKind, ReportingFrequency, Theme,
};
use kiv_store::reference::organisations::OrganisationChanges;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{cannot_remove, patch_field};
use crate::patch_schemas::LocalizedTextPatch;
use crate::problem::ApiError;
use crate::respond::href;
use crate::routes::collection_query;

/// A policy plan and the period over which it is followed up.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "kiv-2016-2019",
    "href": "http://127.0.0.1:8080/kiv/v1/plans/kiv-2016-2019",
    "version": "1",
    "kind": "frameworkNote",
    "title": {"nl": "Kadernota Integrale Veiligheid 2016-2019"},
    "periodStart": "2016-01-01",
    "periodEnd": "2019-12-31",
    "reportingFrequency": "semiannual",
    "reportingPeriods": ["2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2"],
    "clusterIds": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
    "themeIds": ["administrativeApproach", "internetAndIct", "identityFraud", "proceedsOfCrime", "internationalCooperation"]
}))]
pub struct PlanView {
    /// Readable id: `kiv-2016-2019`, `nvp-2016-2019`.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub kind: PlanKind,
    pub title: LocalizedText,
    /// First day of the plan period; follow-up outside the period is refused.
    pub period_start: NaiveDate,
    /// Last day of the plan period.
    pub period_end: NaiveDate,
    pub reporting_frequency: ReportingFrequency,
    /// Every period in which actions of this plan are followed up, in order: the values a
    /// follow-up's `period` may take.
    pub reporting_periods: Vec<String>,
    /// The clusters the plan covers.
    pub cluster_ids: Vec<String>,
    /// The transversal themes of the plan.
    pub theme_ids: Vec<String>,
}

impl crate::respond::Representation for PlanView {}

impl PlanView {
    pub(super) fn new(req: &HttpRequest, plan: Plan) -> Self {
        let version = kiv_domain::Tagged::validator(&plan).to_string();
        let reporting_periods = plan
            .reporting_periods()
            .iter()
            .map(ToString::to_string)
            .collect();
        let Plan {
            id,
            kind,
            title,
            period_start,
            period_end,
            reporting_frequency,
            cluster_ids,
            theme_ids,
            version: _,
            updated_at: _,
        } = plan;
        PlanView {
            version,
            href: href(req, &format!("plans/{id}")),
            id,
            kind,
            title,
            period_start,
            period_end,
            reporting_frequency,
            reporting_periods,
            cluster_ids,
            theme_ids,
        }
    }
}

collection_query! {
    /// Filters of the plan collection.
    pub struct PlanQuery sorted by r"^ *[-+]?(id|periodStart) *(, *[-+]?(id|periodStart) *)*$" {
        /// Only plans of this kind.
        pub kind: Option<PlanKind>,
        /// Only plans whose period contains this date (`2017-06-30`).
        pub active_on: Option<NaiveDate>,
    }
}

/// A new plan: the next plan cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"id": "kiv-2020-2023", "kind": "frameworkNote", "title": {"nl": "Kadernota Integrale Veiligheid 2020-2023"}, "periodStart": "2020-01-01", "periodEnd": "2023-12-31", "reportingFrequency": "semiannual", "clusterIds": ["1", "2", "3"], "themeIds": ["internationalCooperation"]}))]
pub struct NewPlan {
    /// Readable id: lowercase letters, digits and single hyphens, starting with a letter.
    #[schema(pattern = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length = 64)]
    pub id: String,
    pub kind: PlanKind,
    pub title: LocalizedText,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: ReportingFrequency,
    #[serde(default)]
    pub cluster_ids: Vec<String>,
    #[serde(default)]
    pub theme_ids: Vec<String>,
}

/// Changes to a plan: a JSON merge patch (RFC 7396). Properties left out stay as they are, the
/// title is merged language by language and lists are replaced. Its id never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"title": {"fr": "Note-cadre de sécurité intégrale 2016-2019"}, "themeIds": ["identityFraud", "internationalCooperation"]}))]
pub struct PlanPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = PlanKind)]
    pub kind: Option<Option<PlanKind>>,
    /// Merged into the stored title: `{"fr": "..."}` changes the French title only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate)]
    pub period_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate)]
    pub period_end: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = ReportingFrequency)]
    pub reporting_frequency: Option<Option<ReportingFrequency>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub cluster_ids: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>)]
    pub theme_ids: Option<Option<Vec<String>>>,
}

/// A cluster of security phenomena. Both 2016-2019 plans share the same ten clusters.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "9",
    "href": "http://127.0.0.1:8080/kiv/v1/clusters/9",
    "version": "1",
    "number": 9,
    "code": "roadSafety",
    "name": {"nl": "Verkeersveiligheid", "fr": "Sécurité routière", "de": "Verkehrssicherheit", "en": "Road safety"},
    "subPhenomena": []
}))]
pub struct ClusterView {
    /// The cluster's number as a string, `"1"` to `"10"` in the order of the plan text.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub number: i32,
    /// A lowerCamelCase code, accepted in paths in place of the id.
    pub code: String,
    pub name: LocalizedText,
    /// Phenomena the cluster names explicitly (cluster 6: intrafamily violence, sexual violence,
    /// child abuse).
    pub sub_phenomena: Vec<LocalizedText>,
}

impl crate::respond::Representation for ClusterView {}

impl ClusterView {
    pub(super) fn new(req: &HttpRequest, cluster: Cluster) -> Self {
        let version = kiv_domain::Tagged::validator(&cluster).to_string();
        let Cluster {
            id,
            number,
            code,
            name,
            sub_phenomena,
            version: _,
            updated_at: _,
        } = cluster;
        ClusterView {
            version,
            href: href(req, &format!("clusters/{id}")),
            id,
            number,
            code,
            name,
            sub_phenomena,
        }
    }
}

collection_query! {
    /// Filters of the cluster collection.
    pub struct ClusterQuery sorted by r"^ *[-+]?(number|code) *(, *[-+]?(number|code) *)*$" {
        /// Only the clusters this plan covers.
        #[param(example = "kiv-2016-2019")]
        pub plan_id: Option<String>,
    }
}

/// A transversal theme: a challenge for the security policy across all clusters.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "proceedsOfCrime",
    "href": "http://127.0.0.1:8080/kiv/v1/themes/proceedsOfCrime",
    "version": "1",
    "position": 4,
    "name": {"nl": "De buitgerichte aanpak", "en": "The proceeds-of-crime approach"}
}))]
pub struct ThemeView {
    /// The theme's lowerCamelCase code.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    /// Order of the theme in the plan text, from 1.
    pub position: i32,
    pub name: LocalizedText,
}

impl crate::respond::Representation for ThemeView {}

impl ThemeView {
    pub(super) fn new(req: &HttpRequest, theme: Theme) -> Self {
        let version = kiv_domain::Tagged::validator(&theme).to_string();
        let Theme {
            id,
            position,
            name,
            version: _,
            updated_at: _,
        } = theme;
        ThemeView {
            version,
            href: href(req, &format!("themes/{id}")),
            id,
            position,
            name,
        }
    }
}

collection_query! {
    /// Filters of the theme collection.
    pub struct ThemeQuery sorted by r"^ *[-+]?(position|id) *(, *[-+]?(position|id) *)*$" {
        /// Only the themes of this plan.
        #[param(example = "kiv-2016-2019")]
        pub plan_id: Option<String>,
    }
}

collection_query! {
    /// Filters of the organisation collection.
    pub struct OrganisationQuery sorted by r"^ *[-+]?(id|kind) *(, *[-+]?(id|kind) *)*$" {
        /// Only organisations of this kind.
        pub kind: Option<OrganisationKind>,
        /// Only coordinating (`true`) or only other (`false`) organisations.
        pub coordinator: Option<bool>,
        /// Only the organisations that belong to this one (`lokale-politie`: the police zones).
        #[param(example = "lokale-politie")]
        pub parent_id: Option<String>,
    }
}

/// A new organisation, such as a police zone (`kind: localPolice`, `parentId: lokale-politie`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"name": {"nl": "Politiezone Gent", "fr": "Zone de police Gand"}, "kind": "localPolice", "parentId": "lokale-politie"}))]
pub struct NewOrganisationRequest {
    pub name: LocalizedText,
    pub kind: OrganisationKind,
    /// Whether the organisation coordinates (reviews follow-ups, writes evaluations).
    #[serde(default)]
    pub coordinator: bool,
    /// The organisation this one belongs to.
    pub parent_id: Option<String>,
}

/// Changes to an organisation: a JSON merge patch (RFC 7396). Properties left out stay as they
/// are, the name is merged language by language.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"name": {"en": "Ghent police zone"}}))]
pub struct OrganisationPatch {
    /// Merged into the stored name: `{"en": "..."}` adds or changes the English name only.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = LocalizedTextPatch)]
    pub name: Option<Option<ObjectPatch>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = OrganisationKind)]
    pub kind: Option<Option<OrganisationKind>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool)]
    pub coordinator: Option<Option<bool>>,
    /// `null` detaches the organisation from its parent.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, nullable)]
    pub parent_id: Option<Option<String>>,
}

impl OrganisationPatch {
    pub(super) fn validate(self) -> Result<OrganisationChanges, ApiError> {
        let mut issues = Vec::new();
        let mut required = |name: &str, present: bool| {
            if !present {
                issues.push(cannot_remove(name));
            }
        };
        required("name", !matches!(self.name, Some(None)));
        required("kind", !matches!(self.kind, Some(None)));
        required("coordinator", !matches!(self.coordinator, Some(None)));
        let name = self.name.flatten();
        if !issues.is_empty() {
            return Err(ApiError::bad_request(issues));
        }
        Ok(OrganisationChanges {
            name,
            kind: self.kind.flatten(),
            coordinator: self.coordinator.flatten(),
            parent_id: self.parent_id,
        })
    }
}
