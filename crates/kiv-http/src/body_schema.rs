//! Every refused value of a JSON body in one answer (belgif: `issues` lists them all).
//!
//! A body is read into its Rust type by serde, which stops at the first value it cannot take. When
//! it does, the body is also checked against the operation's request schema in the OpenAPI
//! document, which reports every property that breaks it; the answer lists those and serde's
//! own. Serde alone decides what is accepted, so the schema never refuses a body the service
//! takes: it only finds the other mistakes of one that is refused anyway. The schemas are compiled
//! the first time an operation refuses a body, and kept.

use std::sync::{Arc, OnceLock};

use jsonschema::error::ValidationErrorKind;
use kiv_domain::{InputIssue, IssueLocation};
use serde_json::Value;

/// The JSON schema of one operation's request body, with the document's components it refers
/// to.
#[derive(Debug)]
pub struct BodySchema {
    schema: Value,
    components: Arc<Value>,
    compiled: OnceLock<Option<jsonschema::Validator>>,
}

impl BodySchema {
    /// The schema of `body` (an OpenAPI request body) for JSON, if it has one.
    pub fn of(
        body: &utoipa::openapi::RefOr<utoipa::openapi::request_body::RequestBody>,
        components: Arc<Value>,
    ) -> Option<Self> {
        let utoipa::openapi::RefOr::T(body) = body else {
            return None;
        };
        let (_, content) = body
            .content
            .iter()
            .find(|(media_type, _)| media_type.contains("json"))?;
        let utoipa::openapi::RefOr::T(content) = content else {
            return None;
        };
        let schema = serde_json::to_value(content.schema.as_ref()?).ok()?;
        Some(Self {
            schema,
            components,
            compiled: OnceLock::new(),
        })
    }

    fn validator(&self) -> Option<&jsonschema::Validator> {
        self.compiled
            .get_or_init(|| {
                let mut root = serde_json::Map::new();
                root.insert("allOf".into(), Value::Array(vec![self.schema.clone()]));
                root.insert("components".into(), (*self.components).clone());
                let built = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&Value::Object(root));
                match built {
                    Ok(validator) => Some(validator),
                    Err(error) => {
                        tracing::warn!(%error, "a request body schema does not compile");
                        None
                    }
                }
            })
            .as_ref()
    }

    /// An issue for each value of `body` the schema refuses, one per property.
    pub fn issues(&self, body: &Value) -> Vec<InputIssue> {
        let Some(validator) = self.validator() else {
            return Vec::new();
        };
        let mut issues: Vec<InputIssue> = Vec::new();
        for error in validator.iter_errors(body) {
            let at = property_path(body, error.instance_path().as_str());
            let found = |issues: &[InputIssue], name: &str| issues.iter().any(|i| i.name == name);
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected }
                | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                    for property in unexpected {
                        let name = join(&at, property);
                        if !found(&issues, &name) {
                            let value = kiv_domain::merge_patch::value_at(body, &name).cloned();
                            issues.push(InputIssue::unknown_input(
                                IssueLocation::Body,
                                &name,
                                value,
                                format!("unknown field `{property}`"),
                            ));
                        }
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let name = join(&at, property.as_str().unwrap_or_default());
                    if !found(&issues, &name) {
                        issues.push(InputIssue::schema_violation(
                            IssueLocation::Body,
                            &name,
                            None,
                            format!("missing field `{}`", property.as_str().unwrap_or_default()),
                        ));
                    }
                }
                _ => {
                    if !found(&issues, &at) {
                        let value = kiv_domain::merge_patch::value_at(body, &at).cloned();
                        issues.push(InputIssue::schema_violation(
                            IssueLocation::Body,
                            &at,
                            value,
                            error.to_string(),
                        ));
                    }
                }
            }
        }
        issues
    }
}

fn join(path: &str, property: &str) -> String {
    if path.is_empty() {
        property.to_owned()
    } else {
        format!("{path}.{property}")
    }
}

/// A JSON pointer into `body` (`/indicatorValues/0/value`) in the request's own naming
/// (`indicatorValues[0].value`): array positions in brackets, property names after dots.
fn property_path(body: &Value, pointer: &str) -> String {
    let mut path = String::new();
    let mut here = Some(body);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match here {
            Some(Value::Array(items)) => {
                path.push_str(&format!("[{segment}]"));
                here = segment.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            other => {
                if !path.is_empty() {
                    path.push('.');
                }
                here = other.and_then(|value| value.get(&segment));
                path.push_str(&segment);
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::property_path;
    use serde_json::json;

    #[test]
    fn names_properties_as_the_request_does() {
        let body = json!({"indicatorValues": [{"value": 1}, {"value": "x"}], "a/b": {"0": 1}});
        assert_eq!(
            property_path(&body, "/indicatorValues/1/value"),
            "indicatorValues[1].value"
        );
        assert_eq!(property_path(&body, "/a~1b/0"), "a/b.0");
        assert_eq!(property_path(&body, ""), "");
    }
}
