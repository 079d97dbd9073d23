//! Entity tags that never lie: a representation's tag changes whenever any byte of it can change
//! (derived fields included), `If-None-Match` with an old tag answers the new body, and a change
//! made from an old tag is refused, also when what changed was not the resource's own row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, report_follow_up, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A strategic objective in cluster 3 and an action of it led by the federal police.
async fn objective_and_action(fod: &Session<'_>) -> (Value, Value) {
    let objective = fod
        .app
        .objective()
        .title(json!({"nl": "Drugs", "fr": "Drogues"}))
        .create(fod)
        .await;
    let action = fod
        .app
        .action()
        .objective(&objective)
        .title(json!({"nl": "Drugslabs", "fr": "Laboratoires"}))
        .create(fod)
        .await;
    (objective, action)
}

/// A GET of `path` with these extra headers: status, `ETag`, `Vary` and body.
async fn get(
    session: &Session<'_>,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String, Option<String>, String) {
    let mut request = session.app.request(Method::GET, path, &session.token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (etag, vary) = (header("etag").unwrap_or_default(), header("vary"));
    let status = response.status().as_u16();
    (status, etag, vary, response.text().await.unwrap())
}

#[actix_web::test]
async fn an_approval_changes_the_actions_tag_and_refuses_changes_made_from_the_old_one() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let reporter = Session::new(&app, "demo-federale-politie").await;
    let (_, action) = objective_and_action(&fod).await;
    let path = format!("/actions/{}", action["id"].as_str().unwrap());

    let (_, before, _, body) = get(&fod, &path, &[]).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], "notReported");
    assert_eq!(get(&fod, &path, &[("If-None-Match", &before)]).await.0, 304);

    report_follow_up(
        &reporter,
        &fod,
        &action["id"],
        "2017S1",
        json!({"status": "delayed", "progress": 25}),
        true,
    )
    .await;

    let (_, _, _, plain) = get(&fod, &path, &[]).await;
    let (status, after, _, body) = get(&fod, &path, &[("If-None-Match", &before)]).await;
    assert_eq!(
        status, 200,
        "a cache holding the old figures was told they are fresh: {before} {plain}"
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            body["status"].clone(),
            body["progress"].clone(),
            body["statusPeriod"].clone()
        ),
        (json!("delayed"), json!(25.0), json!("2017S1"))
    );
    assert_ne!(after, before);
    assert_eq!(get(&fod, &path, &[("If-None-Match", &after)]).await.0, 304);

    // Whoever saw the action before the approval changes nothing with that tag: not by PATCH,
    // not by the agency's sync, not by DELETE.
    assert_problem(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"weight": 2})),
            Some(&before),
        )
        .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    let sync = json!({"objectiveId": action["objectiveId"], "code": "3.a", "title": {"nl": "Drugslabs"}, "plannedStart": "2016-01-01", "plannedEnd": "2018-12-31"});
    let fod_sync = |tag: String| {
        let body = sync.clone();
        let fod = &fod;
        async move {
            fod.send(
                Method::PUT,
                "/actions/byExternalId/federale-politie/FGP-1",
                Some(body),
                Some(&tag),
            )
            .await
        }
    };
    // (The sync path finds the action by its external id: give it one first.)
    let with_external_id = fod
        .send(
            Method::PATCH,
            &path,
            Some(json!({"externalId": "FGP-1"})),
            Some(&after),
        )
        .await;
    assert_eq!(with_external_id.status().as_u16(), 200);
    let current = with_external_id.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    report_follow_up(
        &reporter,
        &fod,
        &action["id"],
        "2017S2",
        json!({"status": "onTrack", "progress": 60}),
        true,
    )
    .await;
    assert_problem(
        fod_sync(current.clone()).await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    assert_problem(
        fod.send(Method::DELETE, &path, None, Some(&current)).await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
    // With the tag as it is now, the change goes through.
    let fresh = fod.etag(&path).await;
    assert_ne!(fresh, current);
    let synced = fod_sync(fresh).await;
    assert_eq!(synced.status().as_u16(), 200);
    let synced: Value = synced.json().await.unwrap();
    assert_eq!(synced["status"], "onTrack");
}

#[actix_web::test]
async fn moving_an_objective_to_another_cluster_changes_its_actions_tags() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let (objective, action) = objective_and_action(&fod).await;
    let path = format!("/actions/{}", action["id"].as_str().unwrap());
    let objective_path = format!("/objectives/{}", objective["id"].as_str().unwrap());

    let before = fod.etag(&path).await;
    let objective_tag = fod.etag(&objective_path).await;
    fod.ok(
        Method::PATCH,
        &objective_path,
        Some(json!({"clusterId": "4"})),
        Some(&objective_tag),
    )
    .await;

    let (status, after, _, body) = get(&fod, &path, &[("If-None-Match", &before)]).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["clusterId"], "4");
    assert_ne!(after, before);
    assert_problem(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"weight": 2})),
            Some(&before),
        )
        .await,
        412,
        "kiv:preconditionFailed",
    )
    .await;
}

#[actix_web::test]
async fn labelled_resources_are_tagged_per_language_and_say_so() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let (objective, action) = objective_and_action(&fod).await;
    let indicator = fod
        .ok(Method::POST, "/indicators", Some(json!({"actionId": action["id"], "name": {"nl": "Labs", "fr": "Labos"}, "measure": "number", "direction": "increase"})), None)
        .await;
    for (path, changes) in [
        (
            format!("/objectives/{}", objective["id"].as_str().unwrap()),
            json!({"description": {"nl": "Productie en handel"}}),
        ),
        (
            format!("/actions/{}", action["id"].as_str().unwrap()),
            json!({"weight": 2}),
        ),
        (
            format!("/indicators/{}", indicator["id"].as_str().unwrap()),
            json!({"unit": "labs"}),
        ),
    ] {
        let (_, plain, vary, body) = get(&fod, &path, &[]).await;
        assert_eq!(vary.as_deref(), Some("Accept-Language, Accept"), "{path}");
        assert!(serde_json::from_str::<Value>(&body)
            .unwrap()
            .get("label")
            .is_none());
        let (_, french, vary, body) = get(&fod, &path, &[("Accept-Language", "fr-BE")]).await;
        assert_eq!(vary.as_deref(), Some("Accept-Language, Accept"), "{path}");
        let label = serde_json::from_str::<Value>(&body).unwrap()["label"].clone();
        assert!(
            label.as_str().is_some_and(|l| !l.is_empty()),
            "{path}: {body}"
        );
        let (_, dutch, _, _) = get(&fod, &path, &[("Accept-Language", "nl")]).await;
        assert!(
            plain != french && french != dutch && plain != dutch,
            "{path}: {plain} {french} {dutch}"
        );
        // A French body is not fresh for a Dutch reader, nor for one without a language.
        let stale_for = |language: Option<&'static str>| {
            let french = french.clone();
            let (fod, path) = (&fod, path.clone());
            async move {
                let mut headers = vec![("If-None-Match", french.as_str())];
                headers.extend(language.map(|l| ("Accept-Language", l)));
                get(fod, &path, &headers).await.0
            }
        };
        assert_eq!(stale_for(Some("nl")).await, 200, "{path}");
        assert_eq!(stale_for(None).await, 200, "{path}");
        assert_eq!(stale_for(Some("fr")).await, 304, "{path}");
        // The language a body was read in does not matter to a change: the state does.
        let changed = fod
            .send(Method::PATCH, &path, Some(changes.clone()), Some(&french))
            .await;
        assert_eq!(changed.status().as_u16(), 200, "{path}");
        assert_problem(
            fod.send(Method::PATCH, &path, Some(changes), Some(&french))
                .await,
            412,
            "kiv:preconditionFailed",
        )
        .await;
    }
}

#[actix_web::test]
async fn resources_made_of_their_own_row_keep_their_version_as_tag() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let (objective, _) = objective_and_action(&fod).await;
    let path = format!("/objectives/{}", objective["id"].as_str().unwrap());
    assert_eq!(fod.etag(&path).await, "\"1\"");
    let (_, tag, vary, _) = get(&fod, "/plans/kiv-2016-2019", &[("Accept-Language", "fr")]).await;
    assert_eq!(
        tag, "\"1\"",
        "a plan has no label, so no language in its tag"
    );
    assert_eq!(
        vary.as_deref(),
        Some("Accept"),
        "its body does not follow Accept-Language"
    );
}
