//! What every operation shares, declared once in the OpenAPI document instead of on each
//! handler: the answers the extractors and the middleware give whatever the route (bad query
//! parameters, bodies that are too large or not JSON, the rate limit, an unavailable database),
//! the syntax of `If-Match`, and the bounds of paging; and what the belgif REST guide and the
//! linters ask of the document as a whole (`conform`).

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ArrayItems, SchemaType};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, ObjectBuilder, OpenApi, Ref, RefOr, Required, Schema, Type};

use crate::BASE_PATH;

/// What an `Idempotency-Key` may be: 1 to 255 visible ASCII characters, spaces and tabs inside
/// (what `idempotency` accepts; the ends of a header value are never spaces).
const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]([\\t -~]*[!-~])?$";

/// Paths the rate limit leaves alone (see `limits::rate_limit`).
const UNLIMITED_PATHS: [&str; 2] = ["/health", "/metrics"];

fn problem(description: &str) -> Response {
    Response::builder()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

/// The operations of a path, each method's slot (HEAD is never documented: it answers as GET).
pub fn operations(item: &mut utoipa::openapi::PathItem) -> [&mut Option<Operation>; 5] {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
}

/// Adds the shared answers to every operation that can give them (an operation's own, more
/// specific description of the same status wins), the `If-Match` pattern, and the paging bounds.
pub fn declare(document: &mut OpenApi) {
    let bad_request = problem(
        "A query parameter, header or body property is malformed, unknown or out of range \
         (`badRequest`; each refused value is an issue naming it)",
    );
    let too_large = problem(
        "The body is larger than the service's limit, 16 MiB unless configured otherwise \
         (`payloadTooLarge`, stating the limit)",
    );
    let not_json =
        problem("The body is not of a media type the operation reads (`unsupportedMediaType`)");
    let mut too_many = problem(
        "More requests than the client's rate allows (`tooManyRequests`); retry after \
         `Retry-After` seconds",
    );
    too_many.headers.insert(
        "Retry-After".into(),
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0)),
                ))
                .description(Some("Seconds to wait before the next request"))
                .build(),
        ),
    );
    let key_reused = problem(
        "The `Idempotency-Key` was used before with another request (`idempotencyKeyReused`)",
    );
    let key_in_use = problem(
        "A request with this `Idempotency-Key` is still being answered, or was abandoned less \
         than two minutes ago (`idempotencyKeyInUse`)",
    );
    let idempotency_key = ParameterBuilder::new()
        .name(crate::idempotency::HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Retries with the same key and body get the first successful (2xx) answer again \
             (`Idempotent-Replayed: true`), with their own `BelGov-Trace-Id`. A refused or \
             failed request keeps nothing: its retry with the same key, corrected (a fresh \
             `If-Match` after a 412, a fixed body after a 400), is carried out. Nor is an \
             answer that shows a secret once (`Cache-Control: no-store`: a new account's \
             secret, a rotation, a report link): its retry runs again. A UUID, say",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(255))
                .pattern(Some(IDEMPOTENCY_KEY_PATTERN)),
        ))
        .build();
    let unavailable = problem(
        "The database cannot be reached or every connection is busy, or the request took \
         longer than the service allows (`serviceUnavailable`); try again shortly",
    );
    for (path, item) in document.paths.paths.iter_mut() {
        let relative = path.strip_prefix(BASE_PATH).unwrap_or(path);
        let limited = !UNLIMITED_PATHS.contains(&relative);
        // Every POST with a token honours Idempotency-Key (see `idempotency`): declare it where
        // it is not declared yet, with the key's syntax, and the answers it adds.
        let public = crate::auth::openapi::PUBLIC_PATHS.contains(&relative);
        if let (Some(post), false) = (item.post.as_mut(), public) {
            let parameters = post.parameters.get_or_insert_with(Vec::new);
            let declared = parameters.iter_mut().find_map(|p| match p {
                RefOr::T(p) if p.name == crate::idempotency::HEADER => Some(p),
                _ => None,
            });
            match declared {
                // One description of what a key does, wherever a route declared it.
                Some(parameter) => {
                    parameter.schema = idempotency_key.schema.clone();
                    parameter.description = idempotency_key.description.clone();
                    parameter.required = Required::False;
                }
                None => parameters.push(RefOr::T(idempotency_key.clone())),
            }
            let responses = &mut post.responses.responses;
            responses
                .entry("409".into())
                .or_insert_with(|| key_in_use.clone().into());
            responses
                .entry("422".into())
                .or_insert_with(|| key_reused.clone().into());
        }
        for operation in operations(item).into_iter().flatten() {
            let parameters: Vec<&Parameter> = operation
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) => Some(p),
                    RefOr::Ref(_) => None,
                })
                .collect();
            let has_query = parameters
                .iter()
                .any(|p| p.parameter_in == ParameterIn::Query);
            let has_checked_header = parameters
                .iter()
                .any(|p| p.name == "If-Match" || p.name == crate::idempotency::HEADER);
            let has_body =
                matches!(&operation.request_body, Some(RefOr::T(body)) if !body.content.is_empty());
            let mut add = |status: &str, response: &Response| {
                operation
                    .responses
                    .responses
                    .entry(status.into())
                    .or_insert_with(|| response.clone().into());
            };
            if has_query || has_checked_header || has_body {
                add("400", &bad_request);
            }
            if has_body {
                add("413", &too_large);
                add("415", &not_json);
            }
            if limited {
                add("429", &too_many);
            }
            add("503", &unavailable);
            for parameter in inline_parameters(operation) {
                let bounds = match (parameter.parameter_in.clone(), parameter.name.as_str()) {
                    (ParameterIn::Header, "If-Match") => {
                        Bounds::Pattern(crate::extract::IF_MATCH_PATTERN)
                    }
                    (ParameterIn::Query, "page") => Bounds::Maximum(u32::MAX as usize),
                    (ParameterIn::Query, "pageSize") => {
                        Bounds::Maximum(kiv_domain::paging::MAX_PAGE_SIZE as usize)
                    }
                    (ParameterIn::Query, _) => Bounds::NoNul,
                    _ => continue,
                };
                if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                    match bounds {
                        Bounds::Pattern(pattern) => schema.pattern = Some(pattern.to_owned()),
                        Bounds::Maximum(maximum) => schema.maximum = Some(maximum.into()),
                        // Free text in a query: anything but NUL (see `extract::parse_query`).
                        Bounds::NoNul => {
                            let text = schema.schema_type == SchemaType::Type(Type::String);
                            if text && schema.pattern.is_none() && schema.format.is_none() {
                                schema.pattern = Some(NO_NUL_PATTERN.to_owned());
                            }
                        }
                    }
                }
            }
        }
    }
}

fn inline_parameters(operation: &mut Operation) -> impl Iterator<Item = &mut Parameter> {
    operation
        .parameters
        .iter_mut()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
}

enum Bounds {
    Pattern(&'static str),
    Maximum(usize),
    NoNul,
}

/// Text without NUL (U+0000), which the service refuses in every text.
const NO_NUL_PATTERN: &str = "^[^\\x00]*$";

/// States the page size cap a deployment configured (`KIV_MAX_PAGE_SIZE`) in the document it
/// serves, so that the served document says what that service accepts.
pub fn cap_page_size(document: &mut OpenApi, max_page_size: u32) {
    for item in document.paths.paths.values_mut() {
        for operation in operations(item).into_iter().flatten() {
            for parameter in inline_parameters(operation) {
                if parameter.parameter_in == ParameterIn::Query && parameter.name == "pageSize" {
                    if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                        schema.maximum = Some((max_page_size.max(1) as usize).into());
                    }
                }
            }
        }
    }
}

/// The name utoipa gives the schema of `Collection<T>`: `Collection_` and the item's schema.
const COLLECTION_PREFIX: &str = "Collection_";

/// Brings the document in line with the belgif REST guide and the linters' rules (see the
/// README's "Deviations from the belgif REST guide" for what stays different), after every other
/// part is declared: lowerCamelCase operation ids, collection schemas named after their items and
/// referring to them, closed sets of query values as enums, the anonymous alternative on the
/// operations that need no token, and a problem as the default answer.
pub fn conform(document: &mut OpenApi) {
    name_collections(document);
    crate::openapi_examples::exemplify(document);
    let default_problem = problem(
        "Any other failure, as a problem: `type`, `title`, `status`, `detail` and `traceId` say \
         what went wrong",
    );
    for (path, item) in document.paths.paths.iter_mut() {
        let relative = path.strip_prefix(BASE_PATH).unwrap_or(path);
        let public = crate::auth::openapi::PUBLIC_PATHS.contains(&relative);
        for operation in operations(item).into_iter().flatten() {
            if let Some(id) = operation.operation_id.as_mut() {
                *id = lower_camel_case(id);
            }
            if public {
                // Stated, not left out: no token is needed here.
                operation.security = Some(Vec::new());
            } else if signed_link(operation) {
                // A report opened by its signed link needs no token: the empty requirement says
                // that a token is one way in, not the only one.
                operation
                    .security
                    .get_or_insert_with(Vec::new)
                    .push(SecurityRequirement::default());
            }
            operation
                .responses
                .responses
                .entry("default".into())
                .or_insert_with(|| default_problem.clone().into());
            for parameter in inline_parameters(operation) {
                if parameter.parameter_in != ParameterIn::Query {
                    continue;
                }
                if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                    if let Some(values) = schema.pattern.as_deref().and_then(closed_set) {
                        schema.enum_values = Some(values.into_iter().map(Into::into).collect());
                        schema.pattern = None;
                    }
                }
            }
        }
    }
}

/// Whether the operation is a report that a signed link opens (it takes `signature`).
fn signed_link(operation: &Operation) -> bool {
    operation.parameters.iter().flatten().any(|p| {
        matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query && p.name == "signature")
    })
}

/// `list_accounts` → `listAccounts`.
fn lower_camel_case(snake: &str) -> String {
    let mut camel = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !camel.is_empty();
        } else if upper {
            camel.extend(c.to_uppercase());
            upper = false;
        } else {
            camel.push(c);
        }
    }
    camel
}

/// The values of a pattern that lists them, `^(json|csv)$`, or `None` for any other pattern.
fn closed_set(pattern: &str) -> Option<Vec<String>> {
    let inner = pattern.strip_prefix("^(")?.strip_suffix(")$")?;
    let values: Vec<String> = inner.split('|').map(str::to_owned).collect();
    let plain = |v: &String| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric());
    values.iter().all(plain).then_some(values)
}

/// `Collection_AccountView` → `AccountCollection`: the component names are UpperCamelCase
/// without `_` (belgif), every reference follows, and each collection's `items` refers to the
/// item's own schema instead of repeating it.
fn name_collections(document: &mut OpenApi) {
    let Some(components) = document.components.as_mut() else {
        return;
    };
    let generic: Vec<String> = components
        .schemas
        .keys()
        .filter(|name| name.starts_with(COLLECTION_PREFIX))
        .cloned()
        .collect();
    let mut renamed = Vec::new();
    for old in generic {
        let Some(item) = old.strip_prefix(COLLECTION_PREFIX) else {
            continue;
        };
        let new = format!("{}Collection", item.strip_suffix("View").unwrap_or(item));
        let Some(mut schema) = components.schemas.remove(&old) else {
            continue;
        };
        if let (RefOr::T(Schema::Object(collection)), Some(own)) =
            (&mut schema, components.schemas.get(item))
        {
            if let Some(RefOr::T(Schema::Array(items))) = collection.properties.get_mut("items") {
                if let ArrayItems::RefOrSchema(inline) = &mut items.items {
                    if **inline == *own {
                        **inline = RefOr::Ref(Ref::from_schema_name(item));
                    }
                }
            }
        }
        components.schemas.insert(new.clone(), schema);
        renamed.push((
            format!("#/components/schemas/{old}"),
            format!("#/components/schemas/{new}"),
        ));
    }
    for item in document.paths.paths.values_mut() {
        for operation in operations(item).into_iter().flatten() {
            for response in operation.responses.responses.values_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                for content in response.content.values_mut() {
                    let RefOr::T(content) = content else {
                        continue;
                    };
                    if let Some(RefOr::Ref(reference)) = content.schema.as_mut() {
                        if let Some((_, new)) = renamed
                            .iter()
                            .find(|(old, _)| *old == reference.ref_location)
                        {
                            reference.ref_location = new.clone();
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_become_lower_camel_case() {
        assert_eq!(lower_camel_case("list_accounts"), "listAccounts");
        assert_eq!(lower_camel_case("get_health"), "getHealth");
        assert_eq!(lower_camel_case("jwks"), "jwks");
        assert_eq!(lower_camel_case("_private_x"), "privateX");
    }

    #[test]
    fn only_patterns_listing_words_are_closed_sets() {
        assert_eq!(
            closed_set("^(json|csv|xlsx)$"),
            Some(vec!["json".into(), "csv".into(), "xlsx".into()])
        );
        assert_eq!(closed_set("^[^\\x00]*$"), None);
        assert_eq!(closed_set("^(19[0-9]{2}|2[0-9]{3})(S[12]|Q[1-4])?$"), None);
    }

    /// belgif `openapi-opid` and `oas-comp`, and the collections' items by reference.
    #[test]
    fn the_document_follows_the_naming_rules() {
        let document = crate::openapi();
        for item in document.paths.paths.clone().values_mut() {
            for operation in operations(item).into_iter().flatten() {
                let id = operation.operation_id.clone().unwrap_or_default();
                assert!(
                    id.starts_with(|c: char| c.is_ascii_lowercase())
                        && id.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{id}"
                );
                assert!(
                    operation.responses.responses.contains_key("default"),
                    "{id}"
                );
                assert!(operation.security.is_some(), "{id}");
            }
        }
        let components = document.components.unwrap_or_default();
        for (name, schema) in &components.schemas {
            assert!(
                name.starts_with(|c: char| c.is_ascii_uppercase())
                    && name.chars().all(|c| c.is_ascii_alphanumeric()),
                "{name}"
            );
            if name.ends_with("Collection") {
                let RefOr::T(Schema::Object(collection)) = schema else {
                    panic!("{name} is not an object");
                };
                let Some(RefOr::T(Schema::Array(items))) = collection.properties.get("items")
                else {
                    panic!("{name} has no items");
                };
                assert!(
                    matches!(&items.items, ArrayItems::RefOrSchema(item) if matches!(**item, RefOr::Ref(_))),
                    "the items of {name} are not a reference"
                );
            }
        }
        assert!(components.schemas.contains_key("AccountCollection"));
    }
}
