//! `/themes`: the transversal themes that cut across the clusters.

use actix_web::{get, web, HttpRequest, HttpResponse};
use kiv_domain::{LocalizedText, Theme};
use kiv_store::reference::themes::{self, ThemeFilter, ThemeSort};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::Auth;
use crate::extract::{page_and_sort, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::respond::{href, Collection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_themes).service(get_theme);
}

/// A transversal theme: a challenge for the security policy across all clusters.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "proceedsOfCrime",
    "href": "http://127.0.0.1:8080/kiv/v1/themes/proceedsOfCrime",
    "position": 4,
    "name": {"nl": "De buitgerichte aanpak", "en": "The proceeds-of-crime approach"}
}))]
pub struct ThemeView {
    /// The theme's lowerCamelCase code.
    pub id: String,
    pub href: String,
    /// Order of the theme in the plan text, from 1.
    pub position: i32,
    pub name: LocalizedText,
}

impl crate::respond::Representation for ThemeView {}

impl ThemeView {
    fn new(req: &HttpRequest, theme: Theme) -> Self {
        let Theme {
            id,
            position,
            name,
            version: _,
            updated_at: _,
        } = theme;
        ThemeView {
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

/// List the transversal themes
///
/// In the order of the plan text unless `sort` says otherwise (`position`, `id`).
#[utoipa::path(
    tag = "Reference data",
    params(ThemeQuery),
    responses(
        (status = 200, description = "One page of themes", body = Collection<ThemeView>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/themes")]
async fn list_themes(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    ApiQuery(query): ApiQuery<ThemeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, sort) = page_and_sort(
        &req,
        query.page,
        query.page_size,
        query.sort.as_deref(),
        ThemeSort::FIELDS,
    )?;
    let filter = ThemeFilter {
        plan_id: query.plan_id,
    };
    let found = state
        .run(move |conn| themes::list(conn, &filter, &sort, page))
        .await?;
    Ok(Collection::new(&req, page, found, |t| ThemeView::new(&req, t)).respond())
}

/// Read a transversal theme
///
/// The `ETag` changes whenever the theme does; send it back in `If-None-Match` to get
/// `304 Not Modified` while it has not.
#[utoipa::path(
    tag = "Reference data",
    params(("themeId" = String, Path, description = "Code of the theme", example = "internationalCooperation")),
    responses(
        (status = 200, description = "The theme", body = ThemeView,
         headers(("ETag" = String, description = "Entity tag of this version"))),
        (status = 304, description = "Not modified since the entity tag sent in If-None-Match"),
        (status = 404, description = "No such theme", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/themes/{themeId}")]
async fn get_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    _auth: Auth,
    theme_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .read_one(
            &req,
            "theme",
            theme_id.into_inner(),
            themes::get,
            ThemeView::new,
        )
        .await
}
