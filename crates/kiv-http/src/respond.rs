//! The shapes of successful answers: belgif collections and single resources with an entity tag.

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use kiv_domain::PageRequest;
use kiv_store::Page;
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::base_url;

/// One page of a collection (belgif): the items, where this page is, and links to its neighbours.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T: ToSchema> {
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u32,
    /// Items per page (at most 100).
    pub page_size: u32,
    /// Items in the whole collection, with the filters applied.
    pub total: i64,
    /// This page.
    #[serde(rename = "self")]
    pub self_link: String,
    /// The next page, absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The previous page, absent on the first one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

impl<T: ToSchema + Serialize> Collection<T> {
    /// Builds the page from the store's page, keeping the request's own filters in the links.
    pub fn new<S>(
        req: &HttpRequest,
        request: PageRequest,
        page: Page<S>,
        view: impl Fn(S) -> T,
    ) -> Self {
        let link = |number: u32| page_link(req, number, request.page_size);
        Collection {
            next: request.has_next(page.total).then(|| link(request.page + 1)),
            prev: (request.page > 1).then(|| link(request.page - 1)),
            self_link: link(request.page),
            items: page.items.into_iter().map(view).collect(),
            page: request.page,
            page_size: request.page_size,
            total: page.total,
        }
    }

    pub fn respond(self) -> HttpResponse {
        HttpResponse::Ok().json(self)
    }
}

/// The request's URL with `page` and `pageSize` set and every other parameter kept in order.
fn page_link(req: &HttpRequest, page: u32, page_size: u32) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "page" && key != "pageSize" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("page", &page.to_string());
    query.append_pair("pageSize", &page_size.to_string());
    format!("{}{}?{}", base_url(req), req.path(), query.finish())
}

/// A single resource with a strong entity tag from its version; `If-None-Match` with that tag
/// (or `*`) answers `304 Not Modified` without a body.
pub fn single<T: Serialize>(req: &HttpRequest, version: i32, body: &T) -> HttpResponse {
    let tag = EntityTag::new_strong(version.to_string());
    let fresh = match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
        None => false,
    };
    let mut response = if fresh {
        HttpResponse::build(StatusCode::NOT_MODIFIED)
    } else {
        HttpResponse::Ok()
    };
    response.insert_header(header::ETag(tag));
    if fresh {
        response.finish()
    } else {
        response.json(body)
    }
}

/// The absolute URL of a resource under the API's base path: `href(req, "clusters/6")`.
pub fn href(req: &HttpRequest, path: &str) -> String {
    format!("{}{}/{path}", base_url(req), crate::BASE_PATH)
}

/// `201 Created` with the new resource's `Location` and entity tag.
pub fn created<T: Serialize>(href: &str, version: i32, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, href))
        .insert_header(header::ETag(EntityTag::new_strong(version.to_string())))
        .json(body)
}

/// A stored UTC time as the API shows it: RFC 3339 with `Z`.
pub fn utc(time: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    time.and_utc()
}
