//! The examples of the OpenAPI document that no type can state itself (belgif: an example on
//! every schema; every other schema's is on its type).

use std::collections::BTreeMap;

use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// Where the examples of the document's answers are served from (`OrganisationView`'s, say).
const EXAMPLE_ORIGIN: &str = "http://127.0.0.1:8080";

/// What a downloaded workbook starts with (the ZIP signature of Office Open XML), as the example
/// of a file's bytes.
const WORKBOOK_SIGNATURE: &str = "PK\u{3}\u{4}";

/// The examples that no type can state itself (every other schema's is on its type): a
/// collection's is a first page with one item, the item's own example (`Collection<T>` is
/// generic over its item), listed by the collection's read operation; a file's is the first bytes
/// of a workbook.
pub fn exemplify(document: &mut OpenApi) {
    // The collection each read operation answers, the paths without a parameter first.
    let mut lists: Vec<(String, String)> = Vec::new();
    for (path, item) in &document.paths.paths {
        let Some(get) = &item.get else {
            continue;
        };
        let Some(RefOr::T(ok)) = get.responses.responses.get("200") else {
            continue;
        };
        for content in ok.content.values() {
            let RefOr::T(content) = content else {
                continue;
            };
            if let Some(RefOr::Ref(reference)) = &content.schema {
                if let Some(name) = reference.ref_location.strip_prefix("#/components/schemas/") {
                    if name.ends_with("Collection") {
                        lists.push((name.to_owned(), path.clone()));
                    }
                }
            }
        }
    }
    lists.sort_by_key(|(_, path)| path.contains('{'));
    let Some(components) = document.components.as_mut() else {
        return;
    };
    let examples: BTreeMap<String, serde_json::Value> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| Some((name.clone(), schema_example(schema)?.clone())))
        .collect();
    for (name, schema) in components.schemas.iter_mut() {
        match schema {
            RefOr::T(Schema::Object(object)) if object.example.is_none() => {
                if object.format == Some(SchemaFormat::KnownFormat(KnownFormat::Binary)) {
                    object.example = Some(WORKBOOK_SIGNATURE.into());
                    continue;
                }
                let item = match object.properties.get("items") {
                    Some(RefOr::T(Schema::Array(items))) => match &items.items {
                        ArrayItems::RefOrSchema(item) => match item.as_ref() {
                            RefOr::Ref(reference) => reference
                                .ref_location
                                .strip_prefix("#/components/schemas/")
                                .and_then(|item| examples.get(item)),
                            RefOr::T(_) => None,
                        },
                        ArrayItems::False => None,
                    },
                    _ => None,
                };
                let path = lists.iter().find(|(list, _)| list == name);
                if let (Some(item), Some((_, path))) = (item, path) {
                    object.example = Some(page_of(item, path));
                }
            }
            _ => {}
        }
    }
}

/// A schema's own example.
fn schema_example(schema: &RefOr<Schema>) -> Option<&serde_json::Value> {
    match schema {
        RefOr::T(Schema::Object(object)) => object.example.as_ref(),
        RefOr::T(Schema::AllOf(all_of)) => all_of.example.as_ref(),
        RefOr::T(Schema::OneOf(one_of)) => one_of.example.as_ref(),
        RefOr::T(Schema::Array(array)) => array.example.as_ref(),
        _ => None,
    }
}

/// The first page of the collection at `path` with `item` alone in it; a parameter of the path
/// is the item's property of that name, or the id of the record it is about (an event's).
fn page_of(item: &serde_json::Value, path: &str) -> serde_json::Value {
    let mut link = String::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        link.push_str(before);
        let Some((parameter, after)) = after.split_once('}') else {
            break;
        };
        let value = item.get(parameter).or_else(|| {
            item.as_object()?
                .values()
                .find_map(|nested| nested.get("id"))
        });
        match value.and_then(serde_json::Value::as_str) {
            Some(value) => link.push_str(value),
            None => link.push_str(&format!("{{{parameter}}}")),
        }
        rest = after;
    }
    link.push_str(rest);
    serde_json::json!({
        "items": [item],
        "page": 1,
        "pageSize": 20,
        "total": 1,
        "self": format!("{EXAMPLE_ORIGIN}{link}?page=1&pageSize=20"),
    })
}
