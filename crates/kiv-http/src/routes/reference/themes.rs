//! `/themes`: the transversal themes that cut across the clusters.

use actix_web::{get, web, HttpRequest, HttpResponse};
use kiv_store::reference::themes::{self, ThemeFilter, ThemeSort};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{ThemeQuery, ThemeView};
use crate::auth::Auth;
use crate::extract::{page_and_sort, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::MalformedOrOutOfRange;
use crate::respond::Collection;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_themes).service(get_theme);
}

/// List the transversal themes
///
/// In the order of the plan text unless `sort` says otherwise (`position`, `id`).
#[utoipa::path(
    tag = "Reference data",
    params(ThemeQuery),
    responses(
        (status = 200, description = "One page of themes", body = Collection<ThemeView>),
        MalformedOrOutOfRange,
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
