//! The shapes of successful answers: belgif collections and single resources with an entity tag.

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use kiv_domain::{Language, PageRequest, Validator};
use kiv_store::Page;
use serde::Serialize;
use utoipa::ToSchema;

use crate::origin::base_url;

/// One page of a collection (belgif): the items, where this page is, and links to its neighbours.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T: ToSchema> {
    /// The language the items' labels are in, when they carry labels.
    #[serde(skip)]
    #[schema(ignore)]
    language: Option<Language>,
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

impl<T: ToSchema + Representation> Collection<T> {
    /// Builds the page from the store's page, keeping the request's own filters in the links.
    pub fn new<S>(
        req: &HttpRequest,
        request: PageRequest,
        page: Page<S>,
        view: impl Fn(S) -> T,
    ) -> Self {
        let link = |number: u32| page_link(req, number, request.page_size);
        Collection {
            language: language_of::<T>(req),
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
        let mut response = HttpResponse::Ok();
        by_language::<T>(&mut response, self.language);
        response.json(self)
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

/// A single resource's body, as [`single`] and [`created`] send it.
pub trait Representation: Serialize {
    /// Whether the body depends on `Accept-Language` (it then carries a `label` in the language
    /// asked for): its entity tag names that language, and the answer says
    /// `Vary: Accept-Language`, so that no cache hands one language's body to another.
    const BY_LANGUAGE: bool = false;
}

/// The entity tag of `body` as `req` gets it: the validator of the stored state it is made of
/// (`"3"`, or `"3-5e0c41d2a1b4c7f0"` when it shows data kept elsewhere) and, for a body that
/// follows `Accept-Language`, the language it is in (`"3@fr"`). [`crate::extract::expected_version`]
/// reads the same tags back.
fn entity_tag(validator: Validator, language: Option<Language>) -> EntityTag {
    EntityTag::new_strong(match language {
        Some(language) => format!("{validator}@{}", language.as_str()),
        None => validator.to_string(),
    })
}

/// The language of the labels a `T` carries for `req`, if it carries any.
fn language_of<T: Representation>(req: &HttpRequest) -> Option<Language> {
    T::BY_LANGUAGE
        .then(|| crate::extract::preferred_language(req))
        .flatten()
}

/// What a body that follows `Accept-Language` says of it: `Vary: Accept-Language`, so that no
/// cache hands one language's body to another, and `Content-Language` when it carries labels.
fn by_language<T: Representation>(
    response: &mut actix_web::HttpResponseBuilder,
    language: Option<Language>,
) {
    if T::BY_LANGUAGE {
        response.insert_header((header::VARY, "Accept-Language"));
    }
    if let Some(language) = language {
        response.insert_header((header::CONTENT_LANGUAGE, language.as_str()));
    }
}

/// The headers every single resource carries: its entity tag, and those of [`by_language`].
fn tagged<T: Representation>(
    response: &mut actix_web::HttpResponseBuilder,
    validator: Validator,
    language: Option<Language>,
) {
    response.insert_header(header::ETag(entity_tag(validator, language)));
    by_language::<T>(response, language);
}

/// A single resource with a strong entity tag from the state it is made of; `If-None-Match`
/// with that tag (or `*`) answers `304 Not Modified` without a body.
pub fn single<T: Representation>(
    req: &HttpRequest,
    validator: Validator,
    body: &T,
) -> HttpResponse {
    let language = language_of::<T>(req);
    let tag = entity_tag(validator, language);
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
    tagged::<T>(&mut response, validator, language);
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
pub fn created<T: Representation>(
    req: &HttpRequest,
    href: &str,
    validator: Validator,
    body: &T,
) -> HttpResponse {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, href));
    tagged::<T>(&mut response, validator, language_of::<T>(req));
    response.json(body)
}

/// A stored UTC time as the API shows it: RFC 3339 with `Z`.
pub fn utc(time: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    time.and_utc()
}
