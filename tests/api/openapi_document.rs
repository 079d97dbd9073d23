//! The served OpenAPI document is complete (belgif): every component schema has an example that
//! is valid against that schema (JSON Schema 2020-12, with no property the schema does not
//! name), every component is referenced, every operation is described and every request body
//! has an example.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::common::TestApp;

async fn served_document() -> Value {
    let app = TestApp::spawn().await;
    let document = app.get_json("/doc/openapi.json", 200).await;
    app.stop().await;
    document
}

fn schemas(document: &Value) -> &serde_json::Map<String, Value> {
    document["components"]["schemas"].as_object().unwrap()
}

const OPERATIONS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The schema a `$ref` points to, followed until it is not a reference.
fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        schema = &document["components"]["schemas"][name];
    }
    schema
}

/// The properties a schema names (through its references, `allOf`, `oneOf` and `anyOf`), and
/// whether it admits others.
fn properties<'a>(document: &'a Value, schema: &'a Value) -> (Vec<(&'a str, &'a Value)>, bool) {
    let schema = resolve(document, schema);
    let mut named: Vec<(&str, &Value)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default();
    let mut open = schema
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false));
    let mut composed = false;
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            composed = true;
            let (more, more_open) = properties(document, part);
            named.extend(more);
            open |= more_open;
        }
    }
    if schema.get("properties").is_none() && !composed {
        // A schema that says nothing of properties (`before`, any value) admits any.
        open = true;
    }
    (named, open)
}

/// The places in `example` where a property is not one its schema names.
fn unknown_properties(document: &Value, schema: &Value, example: &Value, at: &str) -> Vec<String> {
    let mut found = Vec::new();
    match example {
        Value::Object(members) => {
            let (named, open) = properties(document, schema);
            for (name, value) in members {
                match named.iter().find(|(n, _)| n == name) {
                    Some((_, property)) => found.extend(unknown_properties(
                        document,
                        property,
                        value,
                        &format!("{at}.{name}"),
                    )),
                    None if !open => found.push(format!("{at}.{name}")),
                    None => {}
                }
            }
        }
        Value::Array(values) => {
            let schema = resolve(document, schema);
            let items = schema.get("items").or_else(|| {
                schema["oneOf"]
                    .as_array()?
                    .iter()
                    .find_map(|part| resolve(document, part).get("items"))
            });
            if let Some(items) = items {
                for (i, value) in values.iter().enumerate() {
                    found.extend(unknown_properties(
                        document,
                        items,
                        value,
                        &format!("{at}[{i}]"),
                    ));
                }
            }
        }
        _ => {}
    }
    found
}

#[actix_web::test]
async fn every_component_schema_has_an_example_valid_against_it() {
    let document = served_document().await;
    let mut problems = Vec::new();
    for (name, schema) in schemas(&document) {
        let Some(example) = schema.get("example") else {
            problems.push(format!("{name}: no example"));
            continue;
        };
        // The schema by reference from a root that holds the components, so that every `$ref`
        // of the document resolves.
        let root = json!({
            "$ref": format!("#/components/schemas/{name}"),
            "components": document["components"],
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{name}: the schema does not compile: {e}"));
        for error in validator.iter_errors(example) {
            problems.push(format!(
                "{name}: the example is invalid at {}: {error}",
                error.instance_path()
            ));
        }
        for place in unknown_properties(&document, schema, example, name) {
            problems.push(format!("{place}: not a property of its schema"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[actix_web::test]
async fn every_component_is_referenced() {
    let document = served_document().await;
    let text = document.to_string();
    let mut unused = Vec::new();
    for (kind, components) in document["components"].as_object().unwrap() {
        if kind == "securitySchemes" {
            // Named by each operation's `security`, not by a `$ref`.
            continue;
        }
        for (name, component) in components.as_object().unwrap() {
            let reference = format!("\"#/components/{kind}/{name}\"");
            let own = component.to_string().matches(&reference).count();
            if text.matches(&reference).count() == own {
                unused.push(format!("{kind}/{name}"));
            }
        }
    }
    assert!(unused.is_empty(), "never referenced: {unused:?}");
    let schemes: BTreeSet<&str> = document["components"]["securitySchemes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut required = BTreeSet::new();
    for item in document["paths"].as_object().unwrap().values() {
        for method in OPERATIONS {
            for requirement in item[method]["security"].as_array().into_iter().flatten() {
                required.extend(requirement.as_object().unwrap().keys().map(String::as_str));
            }
        }
    }
    assert_eq!(schemes, required, "security schemes no operation requires");
}

#[actix_web::test]
async fn every_operation_is_described_and_every_request_body_has_an_example() {
    let document = served_document().await;
    let mut problems = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in OPERATIONS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = format!("{} {path}", method.to_uppercase());
            let described = operation["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty());
            if !described {
                problems.push(format!("{at}: no description"));
            }
            let contents = operation["requestBody"]["content"].as_object();
            for (media_type, content) in contents.into_iter().flatten() {
                let schema = &content["schema"];
                let example = content.get("example").is_some()
                    || content.get("examples").is_some()
                    || schema.get("example").is_some()
                    || (schema.get("$ref").is_some()
                        && resolve(&document, schema).get("example").is_some());
                if !example {
                    problems.push(format!("{at}: the {media_type} body has no example"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check of unknown properties finds them where they hide: nested, in arrays, behind
/// references and `allOf`.
#[test]
fn unknown_properties_are_found_at_any_depth() {
    let document = json!({"components": {"schemas": {
        "Figures": {"type": "object", "properties": {"actions": {"type": "integer"}}},
        "Objective": {"allOf": [
            {"$ref": "#/components/schemas/Figures"},
            {"type": "object", "properties": {"code": {"type": "string"}}}
        ]},
        "Cluster": {"type": "object", "properties": {
            "objectives": {"type": "array", "items": {"$ref": "#/components/schemas/Objective"}},
            "before": {"description": "any value"}
        }}
    }}});
    let cluster = &document["components"]["schemas"]["Cluster"];
    let example = json!({
        "objectives": [{"actions": 1, "code": "3.1"}, {"actions": 2, "cod": "3.2"}],
        "before": {"anything": true},
        "name": "drugs"
    });
    assert_eq!(
        unknown_properties(&document, cluster, &example, "Cluster"),
        ["Cluster.name", "Cluster.objectives[1].cod"]
    );
}
