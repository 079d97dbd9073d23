//! Plan content made over HTTP with defaults from the demo plan, so that a test states only what
//! matters to it: `app.action().lead("pz-demo").weight(2).create(&fod).await`.
//!
//! The defaults: an objective `3` "Drugs" (strategic, cluster 3 of plan `kiv-2016-2019`), an
//! action `3.a` "Drugslabs" of it led by the federal police from 2016-01-01 to 2018-12-31, and a
//! follow-up for the period `2017S1`.

use reqwest::Method;
use serde_json::{json, Map, Value};

use super::{report_follow_up, Session, TestApp};

impl TestApp {
    /// An objective to create; see [`ObjectiveBuilder`].
    pub fn objective(&self) -> ObjectiveBuilder {
        ObjectiveBuilder::default()
    }

    /// An action to create; see [`ActionBuilder`].
    pub fn action(&self) -> ActionBuilder {
        ActionBuilder::default()
    }

    /// A follow-up of `action` (the action as answered, or its id); see [`FollowUpBuilder`].
    pub fn follow_up(&self, action: &Value) -> FollowUpBuilder {
        FollowUpBuilder::new(action)
    }
}

/// The id of `value`: its `id` field when it is an object, else the value itself.
fn id_of(value: &Value) -> Value {
    match value.get("id") {
        Some(id) => id.clone(),
        None => value.clone(),
    }
}

/// Sets `key` of a request body.
fn set(mut body: Map<String, Value>, key: &str, value: impl Into<Value>) -> Map<String, Value> {
    body.insert(key.to_owned(), value.into());
    body
}

/// `POST /objectives` with the demo defaults.
#[derive(Debug, Clone)]
pub struct ObjectiveBuilder {
    body: Map<String, Value>,
}

impl Default for ObjectiveBuilder {
    fn default() -> Self {
        let body = json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "3", "level": "strategic", "title": {"nl": "Drugs"}});
        Self {
            body: body.as_object().cloned().unwrap_or_default(),
        }
    }
}

impl ObjectiveBuilder {
    pub fn plan(self, plan: &str) -> Self {
        self.field("planId", plan)
    }

    pub fn cluster(self, cluster: &str) -> Self {
        self.field("clusterId", cluster)
    }

    /// No cluster (an objective of a plan without clusters).
    pub fn without_cluster(mut self) -> Self {
        self.body.remove("clusterId");
        self
    }

    pub fn code(self, code: &str) -> Self {
        self.field("code", code)
    }

    pub fn level(self, level: &str) -> Self {
        self.field("level", level)
    }

    /// The title per language: `json!({"nl": "Drugs", "fr": "Drogues"})`.
    pub fn title(self, title: Value) -> Self {
        self.field("title", title)
    }

    /// Any other field of the body.
    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.body = set(self.body, key, value);
        self
    }

    /// Creates it as `session` (which must succeed); the objective as answered.
    pub async fn create(self, session: &Session<'_>) -> Value {
        session
            .ok(
                Method::POST,
                "/objectives",
                Some(Value::Object(self.body)),
                None,
            )
            .await
    }
}

/// `POST /actions` with the demo defaults; of a new default objective unless
/// [`ActionBuilder::objective`] names one.
#[derive(Debug, Clone)]
pub struct ActionBuilder {
    objective: Option<Value>,
    body: Map<String, Value>,
}

impl Default for ActionBuilder {
    fn default() -> Self {
        let body = json!({"code": "3.a", "title": {"nl": "Drugslabs"}, "leadOrganisationId": "federale-politie", "plannedStart": "2016-01-01", "plannedEnd": "2018-12-31"});
        Self {
            objective: None,
            body: body.as_object().cloned().unwrap_or_default(),
        }
    }
}

impl ActionBuilder {
    /// The objective (as answered, or its id) the action belongs to.
    pub fn objective(mut self, objective: &Value) -> Self {
        self.objective = Some(id_of(objective));
        self
    }

    pub fn code(self, code: &str) -> Self {
        self.field("code", code)
    }

    /// The title per language: `json!({"nl": "Drugslabs", "fr": "Laboratoires"})`.
    pub fn title(self, title: Value) -> Self {
        self.field("title", title)
    }

    /// The leading organisation's id.
    pub fn lead(self, organisation: &str) -> Self {
        self.field("leadOrganisationId", organisation)
    }

    /// The partner organisations' ids.
    pub fn partners(self, organisations: &[&str]) -> Self {
        self.field("partnerOrganisationIds", organisations.to_vec())
    }

    pub fn planned(self, start: &str, end: &str) -> Self {
        self.field("plannedStart", start).field("plannedEnd", end)
    }

    pub fn weight(self, weight: impl Into<Value>) -> Self {
        self.field("weight", weight)
    }

    /// Any other field of the body.
    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.body = set(self.body, key, value);
        self
    }

    /// Creates it as `session` (which must succeed), first the default objective when none was
    /// named; the action as answered.
    pub async fn create(self, session: &Session<'_>) -> Value {
        let objective = match self.objective {
            Some(objective) => objective,
            None => id_of(&ObjectiveBuilder::default().create(session).await),
        };
        let body = set(self.body, "objectiveId", objective);
        session
            .ok(Method::POST, "/actions", Some(Value::Object(body)), None)
            .await
    }
}

/// `POST /followUps` of one action for `2017S1` unless [`FollowUpBuilder::period`] says
/// otherwise, and its review.
#[derive(Debug, Clone)]
pub struct FollowUpBuilder {
    action: Value,
    period: String,
    fields: Map<String, Value>,
}

impl FollowUpBuilder {
    /// A follow-up of `action` (as answered, or its id).
    pub fn new(action: &Value) -> Self {
        Self {
            action: id_of(action),
            period: "2017S1".to_owned(),
            fields: Map::new(),
        }
    }

    pub fn period(mut self, period: &str) -> Self {
        period.clone_into(&mut self.period);
        self
    }

    /// `onTrack`, `delayed`...
    pub fn status(self, status: &str) -> Self {
        self.field("status", status)
    }

    pub fn progress(self, progress: impl Into<Value>) -> Self {
        self.field("progress", progress)
    }

    /// Any other field of the body.
    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields = set(self.fields, key, value);
        self
    }

    /// The request body.
    pub fn body(&self) -> Value {
        let mut body = self.fields.clone();
        body.insert("actionId".to_owned(), self.action.clone());
        body.insert("period".to_owned(), Value::String(self.period.clone()));
        Value::Object(body)
    }

    /// Creates the draft as `writer` (which must succeed); the follow-up as answered.
    pub async fn create(self, writer: &Session<'_>) -> Value {
        writer
            .ok(Method::POST, "/followUps", Some(self.body()), None)
            .await
    }

    /// Has `reporter` create and submit it; the follow-up as last answered.
    pub async fn submit(self, reporter: &Session<'_>) -> Value {
        let fields = Value::Object(self.fields);
        report_follow_up(
            reporter,
            reporter,
            &self.action,
            &self.period,
            fields,
            false,
        )
        .await
    }

    /// Has `reporter` create and submit it and `fod` approve it; the follow-up as last answered.
    pub async fn approve(self, reporter: &Session<'_>, fod: &Session<'_>) -> Value {
        let fields = Value::Object(self.fields);
        report_follow_up(reporter, fod, &self.action, &self.period, fields, true).await
    }
}
