//! Every `PATCH` is a JSON merge patch (RFC 7396): an object property is merged member by
//! member into the stored one (the members left out survive), `null` removes a member, and
//! arrays and scalars replace. Checked per resource on the answer, on a later GET and in the
//! audit trail (or the follow-up's history), with refused patches changing nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PLAN: &str = "kiv-2016-2019";

/// A text in three languages, the way every text under test starts.
fn text(what: &str) -> Value {
    json!({"nl": format!("{what} (nl)"), "fr": format!("{what} (fr)"), "de": format!("{what} (de)")})
}

fn issue_names(problem: &Value) -> Vec<String> {
    problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Where a resource's changes are recorded: the audit trail (entity type) or, for follow-ups,
/// their own history.
#[derive(Clone, Copy)]
enum Trail {
    Audit(&'static str),
    FollowUpHistory,
}

/// One resource under test: who changes it, where, and where its changes are recorded.
struct Resource<'a> {
    writer: &'a Session<'a>,
    /// Reads the audit trail (a coordinator or an administrator).
    auditor: &'a Session<'a>,
    path: String,
    trail: Trail,
}

impl Resource<'_> {
    /// The resource as stored, with its ETag.
    async fn read(&self) -> (Value, String) {
        let response = self.writer.send(Method::GET, &self.path, None, None).await;
        assert_eq!(response.status().as_u16(), 200, "GET {}", self.path);
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        (response.json().await.unwrap(), etag)
    }

    /// PATCHes the resource from its current version; expects 200 and checks that a GET
    /// answers the same and that the trail's latest record is it. Returns the patched resource.
    async fn patched(&self, body: Value) -> Value {
        let (_, etag) = self.read().await;
        let response = self
            .writer
            .send(Method::PATCH, &self.path, Some(body.clone()), Some(&etag))
            .await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "PATCH {} {body}: {text}", self.path);
        let answered: Value = serde_json::from_str(&text).unwrap();
        let (read, _) = self.read().await;
        assert_eq!(read, answered, "GET after PATCH {body}");
        answered
    }

    /// What the trail recorded after the latest change.
    async fn recorded(&self) -> Value {
        let id = self.path.rsplit('/').next().unwrap();
        match self.trail {
            Trail::Audit(entity_type) => {
                let events = self
                    .auditor
                    .ok(
                        Method::GET,
                        &format!(
                            "/auditEvents?entityType={entity_type}&entityId={id}&pageSize=100"
                        ),
                        None,
                        None,
                    )
                    .await;
                let items = events["items"].as_array().unwrap();
                assert_eq!(items.len() as i64, events["total"].as_i64().unwrap());
                let last = items.last().unwrap();
                assert_eq!(last["operation"], "update");
                last["after"].clone()
            }
            Trail::FollowUpHistory => {
                let history = self
                    .writer
                    .ok(
                        Method::GET,
                        &format!("{}/history?pageSize=100", self.path),
                        None,
                        None,
                    )
                    .await;
                let items = history["items"].as_array().unwrap();
                assert_eq!(items.len() as i64, history["total"].as_i64().unwrap());
                let last = items.last().unwrap();
                assert_eq!(last["event"], "updated");
                last["followUp"].clone()
            }
        }
    }

    /// PATCHes the resource from its current version and expects 400 naming `names`; checks
    /// that nothing changed.
    async fn refused(&self, body: Value, names: &[&str]) -> Value {
        let (before, etag) = self.read().await;
        let problem = assert_problem(
            self.writer
                .send(Method::PATCH, &self.path, Some(body.clone()), Some(&etag))
                .await,
            400,
            "badRequest",
        )
        .await;
        assert_eq!(issue_names(&problem), names, "PATCH {body}: {problem}");
        let (after, etag_after) = self.read().await;
        assert_eq!(
            (after, etag_after),
            (before, etag),
            "a refused PATCH {body} changed {}",
            self.path
        );
        problem
    }

    /// The merge of the localized text `field` (which starts as `text(..)` in nl, fr and de):
    /// one language added keeps the others (in the answer, on GET and in the trail), `null`
    /// removes one, an unknown language is refused naming it. Removing the last language of
    /// a required text is refused (it names the text), of an optional one removes the text.
    async fn merges_text(&self, field: &str, required: bool) {
        let (start, _) = self.read().await;
        let nl = start[field]["nl"].clone();
        let de = start[field]["de"].clone();
        assert!(
            nl.is_string() && start[field]["fr"].is_string() && de.is_string(),
            "{field} starts in nl, fr and de: {start}"
        );
        let added = self.patched(json!({field: {"en": "English"}})).await;
        let expected = json!({"nl": nl, "fr": start[field]["fr"], "de": de, "en": "English"});
        assert_eq!(added[field], expected, "{} {field}", self.path);
        assert_eq!(self.recorded().await[field], expected, "recorded {field}");

        let removed = self.patched(json!({field: {"fr": null}})).await;
        let expected = json!({"nl": nl, "de": de, "en": "English"});
        assert_eq!(removed[field], expected, "{} {field}", self.path);
        assert_eq!(self.recorded().await[field], expected, "recorded {field}");

        self.refused(json!({field: {"es": "Español"}}), &[&format!("{field}.es")])
            .await;
        self.refused(json!({field: {"de": 3}}), &[&format!("{field}.de")])
            .await;
        let emptied = json!({field: {"nl": null, "de": null, "en": null}});
        if required {
            self.refused(emptied, &[field]).await;
            self.refused(json!({field: null}), &[field]).await;
        } else {
            let gone = self.patched(emptied).await;
            assert!(gone.get(field).is_none(), "{field} left: {gone}");
            assert!(self.recorded().await[field].is_null());
            // A patch of an absent text creates it, without the members it removes.
            let back = self
                .patched(json!({field: {"nl": "Terug", "fr": null}}))
                .await;
            assert_eq!(back[field], json!({"nl": "Terug"}));
            let gone = self.patched(json!({field: null})).await;
            assert!(gone.get(field).is_none(), "{field} left: {gone}");
        }
    }

    /// A body that is not a JSON object is no merge patch.
    async fn refuses_bodies_that_are_not_objects(&self) {
        for body in [json!([]), json!("x"), json!(null), json!(3)] {
            let problem = self.refused(body.clone(), &[""]).await;
            assert!(
                problem["issues"][0]["detail"]
                    .as_str()
                    .unwrap()
                    .contains("merge patch"),
                "{body}: {problem}"
            );
        }
    }
}

/// An objective of cluster 3 with a title and a description in nl, fr and de.
async fn objective(fod: &Session<'_>, code: &str) -> Value {
    fod.ok(
        Method::POST,
        "/objectives",
        Some(
            json!({"planId": PLAN, "clusterId": "3", "code": code, "level": "strategic",
                    "title": text("Doelstelling"), "description": text("Omschrijving")}),
        ),
        None,
    )
    .await
}

async fn action(fod: &Session<'_>, objective: &Value, code: &str) -> Value {
    fod.ok(
        Method::POST,
        "/actions",
        Some(
            json!({"objectiveId": objective["id"], "code": code, "title": text("Actie"),
                    "description": text("Omschrijving"), "leadOrganisationId": "federale-politie",
                    "plannedStart": "2016-01-01", "plannedEnd": "2019-12-31",
                    "themeIds": ["proceedsOfCrime"]}),
        ),
        None,
    )
    .await
}

fn path_of(kind: &str, record: &Value) -> String {
    format!("/{kind}/{}", record["id"].as_str().unwrap())
}

#[actix_web::test]
async fn objectives_and_actions_merge_their_texts() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objective = objective(&fod, "3.1").await;
    let resource = Resource {
        writer: &fod,
        auditor: &fod,
        path: path_of("objectives", &objective),
        trail: Trail::Audit("objective"),
    };
    resource.merges_text("title", true).await;
    resource.merges_text("description", false).await;
    // Arrays still replace.
    resource
        .patched(json!({"themeIds": ["proceedsOfCrime", "administrativeApproach"]}))
        .await;
    let themed = resource
        .patched(json!({"themeIds": ["administrativeApproach"]}))
        .await;
    assert_eq!(themed["themeIds"], json!(["administrativeApproach"]));
    resource.refuses_bodies_that_are_not_objects().await;

    let action = action(&fod, &objective, "3.1.a").await;
    let resource = Resource {
        writer: &fod,
        auditor: &fod,
        path: path_of("actions", &action),
        trail: Trail::Audit("action"),
    };
    resource.merges_text("title", true).await;
    resource.merges_text("description", false).await;
    let partners = resource
        .patched(json!({"partnerOrganisationIds": ["pz-demo"], "title": {"nl": "Nieuw"}}))
        .await;
    assert_eq!(partners["partnerOrganisationIds"], json!(["pz-demo"]));
    assert_eq!(partners["themeIds"], json!(["proceedsOfCrime"]));
    assert_eq!(partners["title"]["en"], "English");
    resource.refuses_bodies_that_are_not_objects().await;
    app.stop().await;
}

#[actix_web::test]
async fn indicators_merge_their_name_and_baseline() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objective = objective(&fod, "3.1").await;
    let action = action(&fod, &objective, "3.1.a").await;
    let indicator = fod
        .ok(
            Method::POST,
            "/indicators",
            Some(
                json!({"actionId": action["id"], "name": text("Labs"), "measure": "number",
                        "direction": "increase", "baseline": {"value": 5, "year": 2015},
                        "targets": [{"period": "2017S2", "value": 10}]}),
            ),
            None,
        )
        .await;
    let resource = Resource {
        writer: &fod,
        auditor: &fod,
        path: path_of("indicators", &indicator),
        trail: Trail::Audit("indicator"),
    };
    resource.merges_text("name", true).await;

    let moved = resource.patched(json!({"baseline": {"year": 2016}})).await;
    assert_eq!(moved["baseline"], json!({"value": 5.0, "year": 2016}));
    assert_eq!(
        resource.recorded().await["baseline"],
        json!({"value": 5.0, "year": 2016})
    );
    assert_eq!(
        moved["targets"],
        json!([{"period": "2017S2", "value": 10.0}])
    );
    resource
        .refused(json!({"baseline": {"year": null}}), &["baseline.year"])
        .await;
    resource
        .refused(json!({"baseline": {"year": "soon"}}), &["baseline.year"])
        .await;
    let gone = resource.patched(json!({"baseline": null})).await;
    assert!(gone.get("baseline").is_none());
    // Without a baseline, a patch of it must give every member.
    resource
        .refused(json!({"baseline": {"year": 2016}}), &["baseline.value"])
        .await;
    let back = resource
        .patched(json!({"baseline": {"year": 2016, "value": 7}}))
        .await;
    assert_eq!(back["baseline"], json!({"value": 7.0, "year": 2016}));
    // Arrays replace.
    let targets = resource
        .patched(json!({"targets": [{"period": "2018S2", "value": 12}]}))
        .await;
    assert_eq!(
        targets["targets"],
        json!([{"period": "2018S2", "value": 12.0}])
    );
    resource.refuses_bodies_that_are_not_objects().await;
    app.stop().await;
}

#[actix_web::test]
async fn plans_and_organisations_merge_their_texts() {
    let app = TestApp::spawn().await;
    let admin = Session::new(&app, "demo-admin").await;
    admin
        .ok(
            Method::POST,
            "/plans",
            Some(
                json!({"id": "kiv-2020-2023", "kind": "frameworkNote", "title": text("KIV"),
                        "periodStart": "2020-01-01", "periodEnd": "2023-12-31",
                        "reportingFrequency": "annual", "clusterIds": ["1", "5"]}),
            ),
            None,
        )
        .await;
    let resource = Resource {
        writer: &admin,
        auditor: &admin,
        path: "/plans/kiv-2020-2023".into(),
        trail: Trail::Audit("plan"),
    };
    resource.merges_text("title", true).await;
    let clusters = resource.patched(json!({"clusterIds": ["1"]})).await;
    assert_eq!(clusters["clusterIds"], json!(["1"]));
    assert_eq!(clusters["title"]["en"], "English");
    resource.refuses_bodies_that_are_not_objects().await;

    let zone = admin
        .ok(
            Method::POST,
            "/organisations",
            Some(json!({"name": text("Politiezone Gent"), "kind": "localPolice", "parentId": "lokale-politie"})),
            None,
        )
        .await;
    let resource = Resource {
        writer: &admin,
        auditor: &admin,
        path: path_of("organisations", &zone),
        trail: Trail::Audit("organisation"),
    };
    resource.merges_text("name", true).await;
    let detached = resource.patched(json!({"parentId": null})).await;
    assert!(detached.get("parentId").is_none());
    assert_eq!(detached["name"]["en"], "English");
    resource.refuses_bodies_that_are_not_objects().await;
    app.stop().await;
}

#[actix_web::test]
async fn accounts_keep_what_a_patch_leaves_out_and_refuse_null() {
    let app = TestApp::spawn().await;
    let admin = Session::new(&app, "demo-admin").await;
    let created = admin
        .ok(
            Method::POST,
            "/accounts",
            Some(
                json!({"kind": "person", "username": "an.peeters", "organisationId": "fod-justitie",
                        "roles": ["evaluator", "coordinator"]}),
            ),
            None,
        )
        .await;
    let resource = Resource {
        writer: &admin,
        auditor: &admin,
        path: path_of("accounts", &created),
        trail: Trail::Audit("account"),
    };
    let roles = created["roles"].clone();
    assert_eq!(roles.as_array().unwrap().len(), 2);
    let disabled = resource.patched(json!({"disabled": true})).await;
    assert_eq!(disabled["roles"], roles);
    assert_eq!(resource.recorded().await["disabled"], true);
    let roles = resource.patched(json!({"roles": ["evaluator"]})).await;
    assert_eq!(
        (roles["disabled"].clone(), roles["roles"].clone()),
        (json!(true), json!(["evaluator"]))
    );
    // Neither can be removed.
    resource
        .refused(json!({"disabled": null}), &["disabled"])
        .await;
    resource
        .refused(json!({"roles": null, "disabled": false}), &["roles"])
        .await;
    resource.refuses_bodies_that_are_not_objects().await;
    app.stop().await;
}

#[actix_web::test]
async fn follow_ups_merge_their_narrative() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let objective = objective(&fod, "3.1").await;
    let action = action(&fod, &objective, "3.1.a").await;
    let follow_up = police
        .ok(
            Method::POST,
            "/followUps",
            Some(
                json!({"actionId": action["id"], "period": "2017S1", "status": "onTrack",
                        "progress": 30, "narrative": text("Gestart")}),
            ),
            None,
        )
        .await;
    let resource = Resource {
        writer: &police,
        auditor: &fod,
        path: path_of("followUps", &follow_up),
        trail: Trail::FollowUpHistory,
    };
    resource.merges_text("narrative", false).await;
    resource
        .patched(json!({"narrative": text("Gestart")}))
        .await;
    let progressed = resource
        .patched(json!({"progress": 45, "narrative": {"en": "Started"}}))
        .await;
    assert_eq!(progressed["progress"], 45.0);
    assert_eq!(progressed["status"], "onTrack");
    assert_eq!(progressed["narrative"]["fr"], "Gestart (fr)");
    assert_eq!(progressed["narrative"]["en"], "Started");
    resource.refused(json!({"status": null}), &["status"]).await;
    resource.refuses_bodies_that_are_not_objects().await;
    app.stop().await;
}

#[actix_web::test]
async fn cluster_follow_ups_merge_each_text() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let record = fod
        .ok(
            Method::POST,
            "/clusterFollowUps",
            Some(json!({"planId": PLAN, "clusterId": "3", "period": "2017S2", "assessment": "attention",
                        "narrative": text("Verhaal"), "highlights": text("Hoogtepunten"),
                        "obstacles": text("Obstakels"), "nextSteps": text("Volgende stappen")})),
            None,
        )
        .await;
    let resource = Resource {
        writer: &fod,
        auditor: &fod,
        path: path_of("clusterFollowUps", &record),
        trail: Trail::Audit("clusterFollowUp"),
    };
    // Each text on its own: the others are left alone.
    for field in ["narrative", "highlights", "obstacles", "nextSteps"] {
        let (before, _) = resource.read().await;
        resource.merges_text(field, false).await;
        let (after, _) = resource.read().await;
        for other in ["narrative", "highlights", "obstacles", "nextSteps"] {
            if other != field {
                assert_eq!(
                    after[other], before[other],
                    "{other} after patching {field}"
                );
            }
        }
    }
    resource
        .patched(json!({"narrative": text("Verhaal")}))
        .await;
    let assessed = resource
        .patched(json!({"assessment": "onTrack", "narrative": {"en": "Story"}}))
        .await;
    assert_eq!(assessed["assessment"], "onTrack");
    assert_eq!(assessed["narrative"]["nl"], "Verhaal (nl)");
    assert_eq!(assessed["narrative"]["en"], "Story");
    resource
        .refused(json!({"assessment": null}), &["assessment"])
        .await;
    resource.refuses_bodies_that_are_not_objects().await;
    app.stop().await;
}

const CRITERIA: [&str; 6] = [
    "relevance",
    "coherence",
    "effectiveness",
    "efficiency",
    "impact",
    "sustainability",
];

#[actix_web::test]
async fn evaluations_merge_scores_period_and_findings() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let mut scores = json!({});
    for (index, criterion) in CRITERIA.iter().enumerate() {
        scores[criterion] = json!({"score": index % 4 + 1, "rationale": {"nl": format!("Waarom {criterion}"), "fr": format!("Pourquoi {criterion}")}});
    }
    let evaluation = fod
        .ok(
            Method::POST,
            "/evaluations",
            Some(json!({"planId": PLAN, "clusterId": "3", "round": "midTerm",
                        "period": {"from": "2016S1", "to": "2017S2"}, "scores": scores,
                        "overallRating": "partial", "findings": text("Bevindingen")})),
            None,
        )
        .await;
    assert_eq!(evaluation["scores"], scores);
    let resource = Resource {
        writer: &fod,
        auditor: &fod,
        path: path_of("evaluations", &evaluation),
        trail: Trail::Audit("evaluation"),
    };

    // One score changes; its rationale and the other five stay.
    let patched = resource
        .patched(json!({"scores": {"impact": {"score": 3}}}))
        .await;
    let mut expected = scores.clone();
    expected["impact"]["score"] = json!(3);
    assert_eq!(patched["scores"], expected);
    assert_eq!(resource.recorded().await["scores"], expected);
    // One language of one rationale changes; the score and the other languages stay.
    let patched = resource
        .patched(
            json!({"scores": {"efficiency": {"rationale": {"en": "Why efficiency", "fr": null}}}}),
        )
        .await;
    expected["efficiency"]["rationale"] =
        json!({"nl": "Waarom efficiency", "en": "Why efficiency"});
    assert_eq!(patched["scores"], expected);
    assert_eq!(resource.recorded().await["scores"], expected);
    // Removing a rationale's last language removes the rationale.
    let patched = resource
        .patched(json!({"scores": {"efficiency": {"rationale": {"nl": null, "en": null}}}}))
        .await;
    expected["efficiency"] = json!({"score": expected["efficiency"]["score"]});
    assert_eq!(patched["scores"], expected);
    // `null` removes a criterion.
    let patched = resource
        .patched(json!({"scores": {"coherence": null}}))
        .await;
    expected.as_object_mut().unwrap().remove("coherence");
    assert_eq!(patched["scores"], expected);
    assert_eq!(resource.recorded().await["scores"], expected);
    // A score cannot be removed from its criterion, nor leave 1-4; a criterion added needs a
    // score, and only criteria are scored.
    resource
        .refused(
            json!({"scores": {"impact": {"score": null}}}),
            &["scores.impact.score"],
        )
        .await;
    resource
        .refused(
            json!({"scores": {"impact": {"score": 5}}}),
            &["scores.impact.score"],
        )
        .await;
    resource
        .refused(
            json!({"scores": {"coherence": {"rationale": {"nl": "Samenhang"}}}}),
            &["scores.coherence.score"],
        )
        .await;
    resource
        .refused(
            json!({"scores": {"beauty": {"score": 2}}}),
            &["scores.beauty"],
        )
        .await;
    resource
        .refused(
            json!({"scores": {"impact": {"weight": 2}}}),
            &["scores.impact.weight"],
        )
        .await;
    resource.refused(json!({"scores": null}), &["scores"]).await;
    let patched = resource
        .patched(json!({"scores": {"coherence": {"score": 2}}}))
        .await;
    expected["coherence"] = json!({"score": 2});
    assert_eq!(patched["scores"], expected);

    // The period merges too: one end moves, the other stays; neither can be removed.
    let moved = resource.patched(json!({"period": {"to": "2018S2"}})).await;
    assert_eq!(moved["period"], json!({"from": "2016S1", "to": "2018S2"}));
    assert_eq!(
        resource.recorded().await["period"],
        json!({"from": "2016S1", "to": "2018S2"})
    );
    resource
        .refused(json!({"period": {"from": null}}), &["period.from"])
        .await;
    resource
        .refused(json!({"period": {"from": "2019S1"}}), &["period.to"])
        .await;
    resource
        .refused(json!({"period": {"from": "2016X"}}), &["period.from"])
        .await;

    resource.merges_text("findings", false).await;
    let rated = resource
        .patched(json!({"overallRating": null, "findings": {"nl": "Terug"}}))
        .await;
    assert!(rated.get("overallRating").is_none());
    assert_eq!(rated["scores"], expected, "scores survive other patches");
    resource.refuses_bodies_that_are_not_objects().await;

    // Recommendations merge their text and their status note.
    let recommendation = fod
        .ok(
            Method::POST,
            &format!("{}/recommendations", resource.path),
            Some(json!({"text": text("Aanbeveling"), "organisationIds": ["federale-politie"], "priority": "high"})),
            None,
        )
        .await;
    let resource = Resource {
        writer: &fod,
        auditor: &fod,
        path: path_of("recommendations", &recommendation),
        trail: Trail::Audit("recommendation"),
    };
    resource.merges_text("text", true).await;
    resource
        .patched(json!({"status": "inProgress", "statusNote": text("Nota")}))
        .await;
    resource.merges_text("statusNote", false).await;
    let noted = resource
        .patched(json!({"statusNote": {"nl": "Nota"}, "status": "implemented"}))
        .await;
    assert_eq!(noted["status"], "implemented");
    assert_eq!(noted["text"]["en"], "English");
    resource
        .refused(json!({"priority": null}), &["priority"])
        .await;
    resource.refuses_bodies_that_are_not_objects().await;
    app.stop().await;
}
