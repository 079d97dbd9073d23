//! The action list's filters on plan, cluster and status read copies kept on the action row:
//! every write that moves an action, changes its objective's cluster or sets its status by an
//! approval must leave the list finding it where a fresh read of the action says it is.

use crate::common;
use common::{Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// The codes of the actions `path` lists, and its total.
async fn listed(session: &Session<'_>, path: &str) -> (Vec<String>, i64) {
    let page = session.ok(Method::GET, path, None, None).await;
    let codes = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_owned())
        .collect();
    (codes, page["total"].as_i64().unwrap())
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

#[actix_web::test]
async fn an_action_moved_to_an_objective_of_another_cluster_is_listed_there() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let drugs = app.objective().create(&fod).await;
    let fraud = app
        .objective()
        .cluster("1")
        .code("1")
        .title(json!({"nl": "Fraude"}))
        .create(&fod)
        .await;
    let action = app.action().objective(&drugs).create(&fod).await;
    assert_eq!(
        listed(&fod, "/actions?planId=kiv-2016-2019&clusterId=3").await,
        (vec!["3.a".to_owned()], 1)
    );

    let path = format!("/actions/{}", id(&action));
    let tag = fod.etag(&path).await;
    let moved = fod
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"objectiveId": id(&fraud)})),
            Some(&tag),
        )
        .await;
    assert_eq!(
        (moved["clusterId"].clone(), moved["planId"].clone()),
        (json!("1"), json!("kiv-2016-2019"))
    );
    assert_eq!(listed(&fod, "/actions?clusterId=3").await.1, 0);
    assert_eq!(
        listed(&fod, "/actions?planId=kiv-2016-2019&clusterId=1").await,
        (vec!["3.a".to_owned()], 1)
    );
    let read = fod.ok(Method::GET, &path, None, None).await;
    assert_eq!(read["clusterId"], "1");
}

#[actix_web::test]
async fn an_objective_moved_to_another_cluster_takes_its_actions_along() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objective = app.objective().create(&fod).await;
    let first = app.action().objective(&objective).create(&fod).await;
    app.action()
        .objective(&objective)
        .code("3.b")
        .create(&fod)
        .await;
    let before = fod
        .ok(Method::GET, &format!("/actions/{}", id(&first)), None, None)
        .await;

    let path = format!("/objectives/{}", id(&objective));
    let tag = fod.etag(&path).await;
    fod.ok(
        Method::PATCH,
        &path,
        Some(json!({"clusterId": "2"})),
        Some(&tag),
    )
    .await;
    assert_eq!(listed(&fod, "/actions?clusterId=3").await.1, 0);
    assert_eq!(
        listed(&fod, "/actions?clusterId=2&sort=code").await,
        (vec!["3.a".to_owned(), "3.b".to_owned()], 2)
    );
    let after = fod
        .ok(Method::GET, &format!("/actions/{}", id(&first)), None, None)
        .await;
    assert_eq!(after["clusterId"], "2");
    // Not an edit of the action: its revision stays (the version's digest follows the content).
    let revision = |action: &Value| {
        let version = action["version"].as_str().unwrap().to_owned();
        version.split('-').next().unwrap().to_owned()
    };
    assert_eq!(revision(&after), revision(&before));

    // An objective without a cluster: its actions are in none.
    let tag = fod.etag(&path).await;
    fod.ok(
        Method::PATCH,
        &path,
        Some(json!({"clusterId": null})),
        Some(&tag),
    )
    .await;
    assert_eq!(listed(&fod, "/actions?clusterId=2").await.1, 0);
    assert_eq!(listed(&fod, "/actions?planId=kiv-2016-2019").await.1, 2);
    let after = fod
        .ok(Method::GET, &format!("/actions/{}", id(&first)), None, None)
        .await;
    assert_eq!(after["clusterId"], Value::Null);
}

#[actix_web::test]
async fn the_status_filter_follows_each_approval() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let reporter = Session::new(&app, "demo-reporter").await;
    let objective = app.objective().create(&fod).await;
    let action = app.action().objective(&objective).create(&fod).await;
    let other = app
        .action()
        .objective(&objective)
        .code("3.b")
        .create(&fod)
        .await;
    let statuses = |status: &'static str| format!("/actions?clusterId=3&status={status}");
    assert_eq!(listed(&fod, &statuses("notReported")).await.1, 2);

    // A submitted follow-up is not the action's status yet.
    app.follow_up(&action)
        .period("2017S1")
        .status("onTrack")
        .progress(20)
        .submit(&reporter)
        .await;
    assert_eq!(listed(&fod, &statuses("onTrack")).await.1, 0);
    assert_eq!(listed(&fod, &statuses("notReported")).await.1, 2);
    let submitted = reporter
        .ok(
            Method::GET,
            &format!("/followUps?actionId={}", id(&action)),
            None,
            None,
        )
        .await;
    let first = format!("/followUps/{}", id(&submitted["items"][0]));
    fod.ok(
        Method::POST,
        &format!("{first}/approve"),
        None,
        Some("\"2\""),
    )
    .await;
    assert_eq!(
        listed(&fod, &statuses("onTrack")).await,
        (vec!["3.a".to_owned()], 1)
    );
    assert_eq!(
        listed(&fod, &statuses("notReported")).await,
        (vec!["3.b".to_owned()], 1)
    );

    // A later period's approval changes it.
    app.follow_up(&action)
        .period("2017S2")
        .status("delayed")
        .progress(30)
        .approve(&reporter, &fod)
        .await;
    assert_eq!(listed(&fod, &statuses("onTrack")).await.1, 0);
    assert_eq!(
        listed(&fod, &statuses("delayed")).await,
        (vec!["3.a".to_owned()], 1)
    );

    // Reopening the earlier period and approving it again does not override the later one.
    fod.ok(
        Method::POST,
        &format!("{first}/reopen"),
        Some(json!({"reviewNote": "Correctie"})),
        Some("\"3\""),
    )
    .await;
    assert_eq!(listed(&fod, &statuses("delayed")).await.1, 1);
    reporter
        .ok(
            Method::PATCH,
            &first,
            Some(json!({"status": "completed", "progress": 100})),
            Some("\"4\""),
        )
        .await;
    reporter
        .ok(
            Method::POST,
            &format!("{first}/submit"),
            None,
            Some("\"5\""),
        )
        .await;
    fod.ok(
        Method::POST,
        &format!("{first}/approve"),
        None,
        Some("\"6\""),
    )
    .await;
    assert_eq!(listed(&fod, &statuses("completed")).await.1, 0);
    assert_eq!(listed(&fod, &statuses("delayed")).await.1, 1);
    let read = fod
        .ok(
            Method::GET,
            &format!("/actions/{}", id(&action)),
            None,
            None,
        )
        .await;
    assert_eq!(read["status"], "delayed");

    // A cancellation is a status too; an edit of the action keeps it.
    app.follow_up(&other)
        .period("2017S1")
        .status("cancelled")
        .field("narrative", json!({"nl": "Geschrapt"}))
        .approve(&reporter, &fod)
        .await;
    assert_eq!(
        listed(&fod, &statuses("cancelled")).await,
        (vec!["3.b".to_owned()], 1)
    );
    let path = format!("/actions/{}", id(&other));
    let tag = fod.etag(&path).await;
    fod.ok(
        Method::PATCH,
        &path,
        Some(json!({"title": {"nl": "Geschrapte actie"}})),
        Some(&tag),
    )
    .await;
    assert_eq!(listed(&fod, &statuses("cancelled")).await.1, 1);
    assert_eq!(listed(&fod, &statuses("notReported")).await.1, 0);
}

#[actix_web::test]
async fn a_filtered_sorted_page_and_its_total_agree_with_the_whole() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objective = app.objective().create(&fod).await;
    let other = app
        .objective()
        .code("3.1")
        .level("operational")
        .title(json!({"nl": "Labs"}))
        .field("parentId", objective["id"].clone())
        .create(&fod)
        .await;
    // Equal planned ends: the order falls back to the objective's code, then the action's.
    for (objective, code, end) in [
        (&other, "b", "2018-06-30"),
        (&objective, "c", "2018-06-30"),
        (&objective, "a", "2018-12-31"),
        (&other, "a", "2017-12-31"),
        (&objective, "d", "2017-12-31"),
    ] {
        app.action()
            .objective(objective)
            .code(code)
            .planned("2016-01-01", end)
            .create(&fod)
            .await;
    }
    let all = listed(&fod, "/actions?clusterId=3&sort=-plannedEnd&pageSize=10").await;
    assert_eq!(
        all,
        (["a", "c", "b", "d", "a"].map(str::to_owned).to_vec(), 5)
    );
    let second = listed(
        &fod,
        "/actions?clusterId=3&sort=-plannedEnd&pageSize=2&page=2",
    )
    .await;
    assert_eq!(second, (["b", "d"].map(str::to_owned).to_vec(), 5));
    // Past the end: no item, the same total.
    let past = listed(
        &fod,
        "/actions?clusterId=3&sort=-plannedEnd&pageSize=2&page=4",
    )
    .await;
    assert_eq!(past, (vec![], 5));
    let status = listed(
        &fod,
        "/actions?planId=kiv-2016-2019&clusterId=3&status=notReported&sort=plannedEnd&pageSize=2&page=2",
    )
    .await;
    assert_eq!(status, (["c", "b"].map(str::to_owned).to_vec(), 5));
    let before = listed(
        &fod,
        "/actions?clusterId=3&plannedEndBefore=2018-07-01&sort=-plannedEnd,code",
    )
    .await;
    assert_eq!(
        before,
        (["b", "c", "a", "d"].map(str::to_owned).to_vec(), 4)
    );

    // An item of the list is the action as read on its own.
    let page = fod
        .ok(
            Method::GET,
            "/actions?clusterId=3&sort=code&pageSize=1",
            None,
            None,
        )
        .await;
    let item = &page["items"][0];
    let single = fod
        .ok(Method::GET, &format!("/actions/{}", id(item)), None, None)
        .await;
    for field in [
        "id",
        "planId",
        "clusterId",
        "objectiveId",
        "status",
        "progress",
        "partnerOrganisationIds",
        "themeIds",
        "version",
    ] {
        assert_eq!(item[field], single[field], "{field}");
    }
}
