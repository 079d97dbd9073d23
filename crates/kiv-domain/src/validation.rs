//! Input issues: what is wrong with one field of a request, in the words an integrator needs to fix
//! it. The HTTP layer turns a list of these into one belgif `badRequest` problem.

use serde_json::Value;

/// Where in the request the offending value was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueLocation {
    Body,
    Query,
    Path,
    Header,
}

impl IssueLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueLocation::Body => "body",
            IssueLocation::Query => "query",
            IssueLocation::Path => "path",
            IssueLocation::Header => "header",
        }
    }
}

/// One problem with one input value (an entry of a problem's `issues`).
#[derive(Debug, Clone, PartialEq)]
pub struct InputIssue {
    /// Problem type URN, e.g. `urn:problem-type:belgif:input-validation:invalidInput`.
    pub issue_type: String,
    pub title: String,
    pub detail: String,
    pub location: IssueLocation,
    /// The field, in the request's own naming: `pageSize`, `indicatorValues[0].value`.
    pub name: String,
    /// The value as received, when there was one.
    pub value: Option<Value>,
}

const BELGIF_INPUT: &str = "urn:problem-type:belgif:input-validation:";

impl InputIssue {
    /// A value of the right type that breaks a rule (a range, a vocabulary, a reference).
    pub fn invalid(
        location: IssueLocation,
        name: impl Into<String>,
        value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            issue_type: format!("{BELGIF_INPUT}invalidInput"),
            title: "Invalid input".into(),
            detail: detail.into(),
            location,
            name: name.into(),
            value,
        }
    }

    /// A value that does not fit the schema: wrong type, malformed, a required one missing.
    pub fn schema_violation(
        location: IssueLocation,
        name: impl Into<String>,
        value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            issue_type: format!("{BELGIF_INPUT}schemaViolation"),
            title: "Input isn't valid with respect to schema".into(),
            ..Self::invalid(location, name, value, detail)
        }
    }

    /// A parameter or property the operation does not know (belgif `unknownInput`): refused
    /// rather than ignored, as a mistyped name would otherwise silently change nothing.
    pub fn unknown_input(
        location: IssueLocation,
        name: impl Into<String>,
        value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            issue_type: format!("{BELGIF_INPUT}unknownInput"),
            title: "Unknown input".into(),
            ..Self::invalid(location, name, value, detail)
        }
    }

    /// A reference to a resource that does not exist.
    pub fn referenced_resource_not_found(location: IssueLocation, name: &str, id: &str) -> Self {
        Self {
            issue_type: format!("{BELGIF_INPUT}referencedResourceNotFound"),
            title: "Referenced resource not found".into(),
            ..Self::invalid(
                location,
                name,
                Some(Value::from(id)),
                format!("{name} names {id:?}, which does not exist"),
            )
        }
    }

    /// A rule of kiv's own, with its own problem type `urn:problem-type:kiv:<kind>`.
    pub fn kiv(
        kind: &str,
        title: impl Into<String>,
        location: IssueLocation,
        name: impl Into<String>,
        value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            issue_type: format!("urn:problem-type:kiv:{kind}"),
            title: title.into(),
            ..Self::invalid(location, name, value, detail)
        }
    }
}

impl InputIssue {
    /// The issue for a value that does not fit its schema, from serde's message and the path
    /// (`a.b[0].c`, `.` for the whole value) where deserialization stopped. Unknown and missing
    /// fields have no path of their own: serde names them in the message, and the issue names
    /// them under their parent (`title.es`). `value_of` looks the received value up by name.
    pub fn from_deserialization(
        location: IssueLocation,
        path: &str,
        message: String,
        value_of: impl Fn(&str) -> Option<Value>,
    ) -> Self {
        let unknown_field = message.starts_with("unknown field");
        let unknown = (unknown_field || message.starts_with("missing field"))
            .then(|| message.split('`').nth(1).unwrap_or_default().to_owned());
        let name = match unknown {
            // Some deserializers already put the unknown field on the path, others stop at its
            // parent.
            Some(field) if path == "." => field,
            Some(field) if path != field && !path.ends_with(&format!(".{field}")) => {
                format!("{path}.{field}")
            }
            _ if path == "." => String::new(),
            _ => path.to_owned(),
        };
        let value = value_of(&name);
        if unknown_field {
            Self::unknown_input(location, name, value, message)
        } else {
            Self::schema_violation(location, name, value, message)
        }
    }
}
