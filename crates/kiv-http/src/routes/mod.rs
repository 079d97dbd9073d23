//! The API's resources, one module each, mounted under `/kiv/v1`.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod followups;
pub mod health;
pub mod metrics;
pub mod planning;
pub mod publication;
pub mod reference;
pub mod report_links;
pub mod reports;

/// Follow-ups in bulk, part of the follow-ups feature, at their former path too.
pub use followups::bulk;

/// Mounts every resource; used by the server and by the OpenAPI generator alike.
pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    metrics::configure(cfg);
    auth::configure(cfg);
    accounts::configure(cfg);
    reference::configure(cfg);
    planning::configure(cfg);
    followups::configure(cfg);
    publication::configure(cfg);
    audit::configure(cfg);
    report_links::configure(cfg);
    reports::configure(cfg);
}

/// Query parameters of a collection: the collection's own filters plus `page` and `pageSize`,
/// and, for a collection that can be sorted, `sort` with the pattern of its sort keys (made by
/// [`sort_pattern`] from the keys the store sorts on; a test checks they agree). All documented
/// once here.
macro_rules! collection_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident sorted by $pattern:literal {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $crate::routes::collection_query! {
            $(#[$meta])*
            pub struct $name {
                $( $(#[$fmeta])* pub $field: $ty, )*
                /// Sort keys, the first deciding first; prefix `-` for descending (`-number`).
                /// Separate them by commas (`sort=code,-plannedEnd`) or repeat the parameter
                /// (`sort=code&sort=-plannedEnd`).
                #[param(pattern = $pattern)]
                pub sort: Option<String>,
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Page number, from 1.
            #[param(minimum = 1, example = 1)]
            pub page: Option<i64>,
            /// Items per page, from 1 to the service's cap: 100 unless configured otherwise
            /// (`KIV_MAX_PAGE_SIZE`); default 20.
            #[param(minimum = 1, example = 20)]
            pub page_size: Option<i64>,
        }
    };
}
pub(crate) use collection_query;

/// The pattern of a `sort` parameter over these keys: keys separated by commas, each with an
/// optional `-` (descending) or `+`, spaces allowed around them (as `parse_sort` reads it).
pub fn sort_pattern<F>(fields: &[(&str, F)]) -> String {
    let keys: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
    let key = format!(" *[-+]?({}) *", keys.join("|"));
    format!("^{key}(,{key})*$")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use utoipa::openapi::{RefOr, Schema};

    use super::sort_pattern;

    /// The pattern each collection documents for `sort` is made of the keys it sorts on.
    #[test]
    fn sort_patterns_name_the_sort_keys() {
        use kiv_store::planning::{
            actions::ActionSort, indicators::IndicatorSort, objectives::ObjectiveSort,
        };
        use kiv_store::reference::{
            clusters::ClusterSort, organisations::OrganisationSort, plans::PlanSort,
            themes::ThemeSort,
        };
        let expected = [
            ("/actions", sort_pattern(ActionSort::FIELDS)),
            ("/objectives", sort_pattern(ObjectiveSort::FIELDS)),
            ("/indicators", sort_pattern(IndicatorSort::FIELDS)),
            ("/plans", sort_pattern(PlanSort::FIELDS)),
            ("/clusters", sort_pattern(ClusterSort::FIELDS)),
            ("/themes", sort_pattern(ThemeSort::FIELDS)),
            ("/organisations", sort_pattern(OrganisationSort::FIELDS)),
            (
                "/recommendations",
                sort_pattern(kiv_store::evaluations::RecommendationSort::FIELDS),
            ),
        ];
        let document = crate::openapi();
        let mut sortable = Vec::new();
        for (path, item) in &document.paths.paths {
            let Some(get) = &item.get else { continue };
            for parameter in get.parameters.iter().flatten() {
                let RefOr::T(parameter) = parameter else {
                    continue;
                };
                if parameter.name != "sort" {
                    continue;
                }
                let Some(RefOr::T(Schema::Object(schema))) = &parameter.schema else {
                    panic!("sort of {path} has no schema");
                };
                sortable.push((
                    path.trim_start_matches(crate::BASE_PATH).to_owned(),
                    schema.pattern.clone().unwrap(),
                ));
            }
        }
        sortable.sort();
        let mut expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(p, s)| (p.to_owned(), s))
            .collect();
        expected.sort();
        assert_eq!(sortable, expected);
    }
}
