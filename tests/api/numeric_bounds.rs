//! Every number kiv stores or sums lies in a stated range, on every write path, so no single
//! record can overflow or blank out a report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Asserts a 400 whose first issue names `name`; returns the problem.
async fn refused(response: reqwest::Response, name: &str) -> Value {
    let problem = assert_problem(response, 400, "badRequest").await;
    let names: Vec<&str> = problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(names.contains(&name), "{name} not in {problem}");
    problem
}

async fn objective(fod: &Session<'_>) -> Value {
    fod.ok(
        Method::POST,
        "/objectives",
        Some(json!({"planId": "kiv-2016-2019", "clusterId": "3", "code": "3", "level": "strategic", "title": {"nl": "Drugs"}})),
        None,
    )
    .await
}

fn action(objective: &Value, weight: f64) -> Value {
    json!({"objectiveId": objective["id"], "code": "3.1", "title": {"nl": "Drugteams"},
           "leadOrganisationId": "federale-politie", "plannedStart": "2016-01-01",
           "plannedEnd": "2019-12-31", "weight": weight})
}

#[actix_web::test]
async fn an_unbounded_weight_is_refused_on_every_write_path() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objective = objective(&fod).await;

    refused(
        fod.send(
            Method::POST,
            "/actions",
            Some(action(&objective, 1e307)),
            None,
        )
        .await,
        "weight",
    )
    .await;
    refused(
        fod.send(
            Method::POST,
            "/actions",
            Some(action(&objective, 1000.5)),
            None,
        )
        .await,
        "weight",
    )
    .await;
    let page = app.get_json("/actions", 200).await;
    assert_eq!(page["total"], 0, "a refused action was stored");

    let created = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&objective, 2.0)),
            None,
        )
        .await;
    let path = format!("/actions/{}", created["id"].as_str().unwrap());
    let tag = fod.etag(&path).await;
    refused(
        fod.send(
            Method::PATCH,
            &path,
            Some(json!({"weight": 1e307})),
            Some(&tag),
        )
        .await,
        "weight",
    )
    .await;
    let after = app.get_json(&path, 200).await;
    assert_eq!(
        (after["weight"].clone(), after["version"].clone()),
        (json!(2.0), created["version"].clone())
    );

    // The agency's own sync of its register.
    let system = Session::new(&app, "demo-federale-politie").await;
    let sync = "/actions/byExternalId/federale-politie/FGP-9";
    let mut body = action(&objective, 1e307);
    body["code"] = json!("3.2");
    body.as_object_mut().unwrap().remove("leadOrganisationId");
    refused(
        system
            .send(Method::PUT, sync, Some(body.clone()), None)
            .await,
        "weight",
    )
    .await;
    assert_eq!(app.get_json("/actions", 200).await["total"], 1);
    body["weight"] = json!(1.0);
    let synced = system
        .send(Method::PUT, sync, Some(body.clone()), None)
        .await;
    assert_eq!(synced.status().as_u16(), 201);
    let synced: Value = synced.json().await.unwrap();
    let synced_path = format!("/actions/{}", synced["id"].as_str().unwrap());
    let tag = system.etag(&synced_path).await;
    body["weight"] = json!(1e307);
    refused(
        system.send(Method::PUT, sync, Some(body), Some(&tag)).await,
        "weight",
    )
    .await;
    assert_eq!(app.get_json(&synced_path, 200).await["weight"], json!(1.0));
    app.stop().await;
}

#[actix_web::test]
async fn indicator_numbers_stay_in_range() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let objective = objective(&fod).await;
    let created = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&objective, 1.0)),
            None,
        )
        .await;

    // Targets and baselines of an indicator.
    let indicator = |targets: Value, baseline: Value| {
        json!({"actionId": created["id"], "name": {"nl": "Labs"}, "measure": "number",
               "direction": "increase", "targets": targets, "baseline": baseline})
    };
    refused(
        fod.send(
            Method::POST,
            "/indicators",
            Some(indicator(
                json!([{"period": "2017S1", "value": 3}, {"period": "2017S2", "value": 1e13}]),
                json!({"value": 1, "year": 2015}),
            )),
            None,
        )
        .await,
        "targets[1].value",
    )
    .await;
    refused(
        fod.send(
            Method::POST,
            "/indicators",
            Some(indicator(json!([]), json!({"value": -2e12, "year": 2015}))),
            None,
        )
        .await,
        "baseline.value",
    )
    .await;
    let labs = fod
        .ok(
            Method::POST,
            "/indicators",
            Some(indicator(
                json!([{"period": "2017S2", "value": 1e12}]),
                json!({"value": -1e12, "year": 2015}),
            )),
            None,
        )
        .await;
    let labs_path = format!("/indicators/{}", labs["id"].as_str().unwrap());
    let tag = fod.etag(&labs_path).await;
    refused(
        fod.send(
            Method::PATCH,
            &labs_path,
            Some(json!({"targets": [{"period": "2017S2", "value": 1e300}]})),
            Some(&tag),
        )
        .await,
        "targets[0].value",
    )
    .await;
    assert_eq!(
        app.get_json(&labs_path, 200).await["targets"][0]["value"],
        json!(1e12)
    );

    // A follow-up's indicator values: JSON and the CSV import.
    let police = Session::new(&app, "demo-reporter").await;
    refused(
        police
            .send(
                Method::POST,
                "/followUps",
                Some(json!({"actionId": created["id"], "period": "2017S1", "status": "onTrack", "progress": 10,
                            "indicatorValues": [{"indicatorId": labs["id"], "value": 1e300}]})),
                None,
            )
            .await,
        "indicatorValues[0].value",
    )
    .await;
    let mut system = app
        .request(
            Method::PUT,
            "/actions/byExternalId/federale-politie/FGP-1",
            &app.token("demo-federale-politie").await,
        )
        .json(&{
            let mut body = action(&objective, 1.0);
            body["code"] = json!("3.2");
            body.as_object_mut().unwrap().remove("leadOrganisationId");
            body
        })
        .send()
        .await
        .unwrap();
    assert_eq!(system.status().as_u16(), 201);
    let synced: Value = system.json().await.unwrap();
    let csv_indicator = fod
        .ok(
            Method::POST,
            "/indicators",
            Some(json!({"actionId": synced["id"], "name": {"nl": "Teams"}, "measure": "number", "direction": "increase"})),
            None,
        )
        .await;
    let token = app.token("demo-federale-politie").await;
    let header = format!(
        "actionExternalId,organisationId,period,status,progress,indicator:{}",
        csv_indicator["id"].as_str().unwrap()
    );
    for (row, field) in [
        (
            "FGP-1,federale-politie,2017S1,onTrack,40,1e300",
            "indicatorValues[0].value",
        ),
        (
            "FGP-1,federale-politie,2017S1,onTrack,40,NaN",
            "indicatorValues[0].value",
        ),
        (
            "FGP-1,federale-politie,2017S1,onTrack,40,inf",
            "indicatorValues[0].value",
        ),
        ("FGP-1,federale-politie,2017S1,onTrack,NaN,4", "progress"),
    ] {
        system = app
            .request(Method::POST, "/imports/followUps?mode=atomic", &token)
            .header("Content-Type", "text/csv")
            .body(format!("{header}\n{row}\n"))
            .send()
            .await
            .unwrap();
        refused(system, &format!("rows[1].{field}")).await;
    }
    assert_eq!(app.get_json("/followUps", 200).await["total"], 0);
    app.stop().await;
}

#[actix_web::test]
async fn the_largest_weight_rolls_up_on_both_backends() {
    let app = TestApp::spawn().await;
    let fod = Session::new(&app, "demo-coordinator").await;
    let police = Session::new(&app, "demo-reporter").await;
    let objective = objective(&fod).await;
    let heavy = fod
        .ok(
            Method::POST,
            "/actions",
            Some(action(&objective, 1000.0)),
            None,
        )
        .await;
    let mut light = action(&objective, 1.0);
    light["code"] = json!("3.2");
    let light = fod.ok(Method::POST, "/actions", Some(light), None).await;
    common::report_follow_up(
        &police,
        &fod,
        &heavy["id"],
        "2017S2",
        json!({"status": "completed", "progress": 100}),
        true,
    )
    .await;
    common::report_follow_up(
        &police,
        &fod,
        &light["id"],
        "2017S2",
        json!({"status": "onTrack", "progress": 0}),
        true,
    )
    .await;

    let path = "/reports/progress?planId=kiv-2016-2019&period=2017S2";
    let report = app.get_json(path, 200).await;
    // (1000 × 100 + 1 × 0) / 1001
    assert_eq!(report["totals"]["progress"], 99.9);
    assert_eq!(report["totals"]["actions"], 2);
    for format in ["csv", "html", "xlsx"] {
        let response = app
            .get(&path.replacen('?', &format!(".{format}?"), 1))
            .await;
        assert_eq!(response.status().as_u16(), 200, "{format}");
    }

    // A weight stored before the bound counts at the maximum: the sums cannot overflow.
    legacy_weight(&app, heavy["id"].as_str().unwrap(), 1e307);
    let report = app.get_json(path, 200).await;
    assert_eq!(report["totals"]["progress"], 99.9);
    for format in ["csv", "html", "xlsx"] {
        let response = app
            .get(&path.replacen('?', &format!(".{format}?"), 1))
            .await;
        assert_eq!(response.status().as_u16(), 200, "{format}");
    }
    app.stop().await;
}

/// Writes `weight` straight into the database, as data from before the bound would be.
fn legacy_weight(app: &TestApp, id: &str, weight: f64) {
    use diesel::RunQueryDsl;
    let sql = format!("UPDATE actions SET weight = {weight:e} WHERE id = '{id}'");
    let mut conn = app.database.connection().unwrap();
    let conn: &mut kiv_store::DbConnection = &mut conn;
    let changed = diesel::sql_query(sql).execute(conn).unwrap();
    assert_eq!(changed, 1);
}
