//! The `kiv` command itself: migrations, seeding and the committed OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::TestApp;
use kiv_store::testing::TestDatabase;

fn kiv(db: &TestDatabase, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_kiv"))
        .args(args)
        .env("DATABASE_URL", db.url().connection_string())
        .env("KIV_LOG", "warn")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "kiv {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn migrate_and_seed_are_idempotent() {
    let db = TestDatabase::new();
    let first = stdout(&kiv(&db, &["migrate"]));
    assert!(first.contains("applied"), "{first}");
    assert_eq!(
        stdout(&kiv(&db, &["migrate"])).trim(),
        "database is up to date"
    );

    let seeded = stdout(&kiv(&db, &["seed"]));
    assert_eq!(
        seeded.trim(),
        "plans: 2 inserted, 0 updated, 0 unchanged; clusters: 10 inserted, 0 updated, 0 unchanged; \
         themes: 5 inserted, 0 updated, 0 unchanged; organisations: 5 inserted, 0 updated, 0 unchanged"
    );
    // The repository's seed files are what the binary has built in: reloading them changes nothing.
    let again = stdout(&kiv(&db, &["seed", "--from", "seeds"]));
    assert_eq!(
        again.trim(),
        "plans: 0 inserted, 0 updated, 2 unchanged; clusters: 0 inserted, 0 updated, 10 unchanged; \
         themes: 0 inserted, 0 updated, 5 unchanged; organisations: 0 inserted, 0 updated, 5 unchanged"
    );
}

#[test]
fn seed_demo_loads_illustrative_plan_content_once() {
    let db = TestDatabase::new();
    kiv(&db, &["seed", "--demo"]);
    kiv(&db, &["seed", "--demo"]);
    let counts = kiv_store::demo_plan::counts(&mut db.connect()).unwrap();
    // Ten clusters, each an objective with three actions; loaded once however often it runs.
    assert_eq!((counts.objectives, counts.actions), (10, 30));
    assert!(counts.follow_ups > 150, "{counts:?}");
    assert_eq!((counts.cluster_follow_ups, counts.evaluations), (11, 1));
}

#[actix_web::test]
async fn seed_synthetic_loads_a_plan_whose_progress_report_adds_up() {
    let app = TestApp::spawn().await;
    let args = [
        "seed",
        "--synthetic",
        "--zones",
        "3",
        "--actions-per-zone",
        "4",
        "--federal-actions",
        "5",
    ];
    let output = stdout(&kiv(&app.db, &args));
    let counts = kiv_store::synthetic::counts(&mut app.db.connect()).unwrap();
    // What it printed is what the database holds.
    assert!(output.contains(&counts.to_string()), "{output}\n{counts}");
    assert_eq!((counts.zones, counts.actions), (3, 3 * 4 + 5));
    // Ten clusters with two strategic objectives of three operational ones, and five transversal
    // objectives with two operational ones each.
    assert_eq!(counts.objectives, 10 * (2 + 2 * 3) + 5 * 3);
    assert_eq!(counts.indicators, 10 * 2 * 3 + 5 * 2 + 2 * counts.actions);
    let states: Vec<&str> = counts
        .follow_ups_by_state
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(states, ["approved", "draft", "returned", "submitted"]);
    assert!(counts.follow_ups > 5 * counts.actions, "{counts:?}");
    assert!(counts.indicator_values >= 2 * counts.follow_ups);
    // Every approval left an approved revision; a corrected one has two.
    assert!(counts.approved_revisions >= counts.follow_ups_by_state["approved"]);
    assert!(counts.events >= 3 * counts.follow_ups_by_state["approved"]);

    // Loaded once: a second run is refused, and changes nothing.
    let again = Command::new(env!("CARGO_BIN_EXE_kiv"))
        .args(args)
        .env("DATABASE_URL", app.db.url().connection_string())
        .env("KIV_LOG", "warn")
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("synthetic content already"));
    assert_eq!(
        kiv_store::synthetic::counts(&mut app.db.connect()).unwrap(),
        counts
    );

    // The progress report over it: every action once, by the status its state says.
    let report = app
        .get_json("/reports/progress?planId=kiv-2016-2019", 200)
        .await;
    let totals = &report["totals"];
    assert_eq!(totals["actions"], counts.actions);
    let by_status = totals["byStatus"].as_object().unwrap();
    let sum: u64 = by_status.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(sum, counts.actions as u64);
    let with_state: usize = counts.action_statuses.values().sum();
    assert_eq!(by_status["notReported"], counts.actions - with_state);
    for (status, n) in &counts.action_statuses {
        assert_eq!(by_status[status.as_str()], *n, "{status}");
    }
    let per_cluster: u64 = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["actions"].as_u64().unwrap())
        .sum();
    assert_eq!(per_cluster, counts.actions as u64);
    // Filters see the zones' actions.
    let led = app
        .get_json("/actions?organisationId=syn-pz-002&pageSize=100", 200)
        .await;
    assert!(led["total"].as_u64().unwrap() >= 4, "{led}");
    // Each action's history starts with its creation; each follow-up's with its own.
    let action = led["items"][0]["id"].as_str().unwrap();
    let history = app
        .get_json(&format!("/actions/{action}/history"), 200)
        .await;
    assert_eq!(history["items"][0]["operation"], "create", "{history}");
    let follow_ups = app
        .get_json(&format!("/followUps?actionId={action}"), 200)
        .await;
    let follow_up = follow_ups["items"][0]["id"].as_str().unwrap();
    let events = app
        .get_json(&format!("/followUps/{follow_up}/history"), 200)
        .await;
    assert!(events["total"].as_u64().unwrap() >= 1, "{events}");
    app.stop().await;
}

#[test]
fn a_changed_seed_file_updates_the_rows_it_names() {
    let db = TestDatabase::new();
    kiv(&db, &["seed"]);
    let dir = tempfile::tempdir().unwrap();
    for name in kiv_store::seed::SEED_FILES {
        let text = std::fs::read_to_string(Path::new("seeds").join(name)).unwrap();
        let text = text.replace("en: Nuisance", "en: Public nuisance");
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let output = stdout(&kiv(&db, &["seed", "--from", dir.path().to_str().unwrap()]));
    assert!(
        output.contains("clusters: 0 inserted, 1 updated, 9 unchanged"),
        "{output}"
    );
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let document = kiv_http::openapi();
    let json = format!("{}\n", document.to_pretty_json().unwrap());
    let committed = std::fs::read_to_string("openapi/openapi.json").unwrap();
    assert!(
        committed == json,
        "openapi/openapi.json is stale: run `cargo run -- openapi` and commit it"
    );
    let yaml = std::fs::read_to_string("openapi/openapi.yaml").unwrap();
    assert!(
        yaml == document.to_yaml().unwrap(),
        "openapi/openapi.yaml is stale"
    );
}

#[actix_web::test]
async fn the_served_document_is_the_committed_one_and_every_path_answers() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value = app.get_json("/doc/openapi.json", 200).await;
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    assert_eq!(served, committed);
    let yaml = app.get("/doc/openapi.yaml").await;
    assert_eq!(yaml.status().as_u16(), 200);
    assert!(yaml.text().await.unwrap().starts_with("openapi: 3.1"));
    let ui = app.get("/doc/").await;
    assert_eq!(ui.status().as_u16(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));

    // Every documented GET is routed: reference data answers, unknown UUIDs are 404 for the
    // resource, never "no such route".
    const NOBODY: &str = "00000000-0000-0000-0000-000000000000";
    for (path, item) in served["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let concrete = path
            .replace("{planId}", "kiv-2016-2019")
            .replace("{clusterId}", "6")
            .replace("{themeId}", "identityFraud")
            .replace("{organisationId}", "fod-justitie");
        // Required query parameters, after the path (downloads end in their extension).
        let report = |name: &str| format!("{}/reports/{name}", "/kiv/v1");
        let required = if path.starts_with(&report("compliance")) {
            "?planId=kiv-2016-2019&period=2017S2"
        } else if path.starts_with(&report("")) && !path.starts_with(&report("links")) {
            "?planId=kiv-2016-2019"
        } else if path.ends_with("/followUps/missing") {
            "?period=2017S2"
        } else {
            ""
        };
        let concrete = format!("{concrete}{required}");
        let concrete = concrete
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    NOBODY
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let token = app.token("demo-admin").await;
        let response = app
            .client
            .get(format!("{}{concrete}", app.origin))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        if concrete.contains(NOBODY) {
            assert_eq!(status, 404, "{concrete}");
            assert!(!body.contains("No resource at"), "{concrete} is not routed");
        } else {
            assert_eq!(status, 200, "{concrete}: {body}");
        }
    }
    app.stop().await;
}

#[test]
fn account_create_prints_a_secret_that_logs_in() {
    let db = TestDatabase::new();
    kiv(&db, &["seed"]);
    let output = stdout(&kiv(
        &db,
        &[
            "account",
            "create",
            "pz-gent-rms",
            "--org",
            "lokale-politie",
            "--role",
            "reporter",
            "--client",
        ],
    ));
    let secret = output
        .lines()
        .find_map(|line| line.strip_prefix("client_secret: "))
        .unwrap()
        .to_owned();
    assert!(output.contains("client_id: pz-gent-rms"));
    let database = kiv_store::Database::connect(db.url().clone(), Default::default()).unwrap();
    let mut conn = database.connection().unwrap();
    let account = kiv_store::accounts::authenticate(
        &mut conn,
        kiv_domain::AccountKind::Client,
        "pz-gent-rms",
        &secret,
    )
    .unwrap()
    .expect("the printed secret logs in");
    assert_eq!(account.roles, [kiv_domain::Role::Reporter]);
    // An unknown role is refused before anything is written.
    let refused = Command::new(env!("CARGO_BIN_EXE_kiv"))
        .args([
            "account",
            "create",
            "x-y",
            "--org",
            "lokale-politie",
            "--role",
            "boss",
        ])
        .env("DATABASE_URL", db.url().connection_string())
        .output()
        .unwrap();
    assert!(!refused.status.success());
}

#[actix_web::test]
async fn serve_keeps_secrets_out_of_its_logs_and_stops_gracefully() {
    use std::process::Stdio;
    use std::time::Duration;

    let db = TestDatabase::new();
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let child = Command::new(env!("CARGO_BIN_EXE_kiv"))
        .args(["serve", "--demo", "--bind", &address])
        .env("DATABASE_URL", db.url().connection_string())
        .env("KIV_LOG", "debug")
        .env("KIV_BOOTSTRAP_ADMIN_PASSWORD", "bootstrap-password-123")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let base = format!("http://{address}/kiv/v1");
    let client = reqwest::Client::new();
    let mut up = false;
    // Loading the demo content takes a few seconds on a busy machine.
    for _ in 0..300 {
        if client
            .get(format!("{base}/health"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "kiv did not come up");

    let token = |form: Vec<(&'static str, String)>| {
        client.post(format!("{base}/auth/token")).form(&form).send()
    };
    let admin: serde_json::Value = token(vec![
        ("grant_type", "password".into()),
        ("username", "admin".into()),
        ("password", "bootstrap-password-123".into()),
    ])
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let admin = admin["access_token"].as_str().unwrap().to_owned();
    let created: serde_json::Value = client
        .post(format!("{base}/accounts"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"kind": "client", "clientId": "pz-log-test", "organisationId": "pz-demo", "roles": ["reporter"]}))
        .send().await.unwrap().json().await.unwrap();
    let secret = created["clientSecret"].as_str().unwrap().to_owned();
    let issued: serde_json::Value = token(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", "pz-log-test".into()),
        ("client_secret", secret.clone()),
    ])
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access = issued["access_token"].as_str().unwrap().to_owned();
    assert!(client
        .get(format!("{base}/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let refused = token(vec![
        ("grant_type", "password".into()),
        ("username", "admin".into()),
        ("password", "a-wrong-guess-456".into()),
    ])
    .await
    .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    // A login name with a line break and a terminal escape cannot forge a log line.
    let forged = token(vec![
        ("grant_type", "password".into()),
        (
            "username",
            "nobody\n2026-01-01T00:00:00Z  INFO kiv: forged line\u{1b}[2J".into(),
        ),
        ("password", "whatever-it-is".into()),
    ])
    .await
    .unwrap();
    assert_eq!(forged.status().as_u16(), 400);

    // SIGTERM: kiv stops accepting, finishes, and exits cleanly.
    assert!(Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap()
        .success());
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(child.wait_with_output()));
    let output = receiver
        .recv_timeout(Duration::from_secs(40))
        .expect("kiv did not stop")
        .unwrap();
    assert!(
        output.status.success(),
        "kiv exited with {:?}",
        output.status
    );

    let logs = String::from_utf8_lossy(&output.stderr);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        logs.contains("refused a log-in"),
        "the logs are not what this test thinks: {logs}"
    );
    assert!(logs.contains("kiv stopped"));
    assert!(
        !logs.lines().any(|l| l.starts_with("2026-01-01T00:00:00Z")) && !logs.contains('\u{1b}'),
        "a request forged a log line: {logs}"
    );
    assert!(logs.contains("nobody\\n2026-01-01T00:00:00Z"), "{logs}");
    for (what, value) in [
        ("client secret", secret.as_str()),
        ("access token", access.as_str()),
        ("admin token", admin.as_str()),
        ("bootstrap password", "bootstrap-password-123"),
        ("wrong password", "a-wrong-guess-456"),
    ] {
        assert!(!logs.contains(value), "the log shows the {what}");
        assert!(!printed.contains(value), "the output shows the {what}");
    }
}

/// Two nodes starting at once on one fresh database: one migrates, seeds and creates the
/// administrator while the other waits for it, and both serve (on PostgreSQL one used to exit
/// with a duplicate key on `clusters_pkey`).
#[actix_web::test]
async fn two_nodes_starting_together_on_a_fresh_database_both_serve() {
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let db = TestDatabase::new();
    if !db.url().connection_string().starts_with("postgres") {
        // An SQLite file is one node's database (README: nodes scale out on PostgreSQL); this
        // test runs in the PostgreSQL pass (KIV_TEST_DATABASE_URL).
        eprintln!("two nodes share a database on PostgreSQL only: runs with KIV_TEST_DATABASE_URL");
        return;
    }
    let start = |demo: bool| {
        let address = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().to_string()
        };
        let mut args = vec!["serve".to_owned(), "--bind".to_owned(), address.clone()];
        if demo {
            args.push("--demo".to_owned());
        }
        let child = Command::new(env!("CARGO_BIN_EXE_kiv"))
            .args(&args)
            .env("DATABASE_URL", db.url().connection_string())
            .env("KIV_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        (child, format!("http://{address}/kiv/v1/health"))
    };
    let mut nodes = [start(true), start(true)];
    let client = reqwest::Client::new();
    for (child, health) in &mut nodes {
        let mut up = false;
        for _ in 0..300 {
            if client
                .get(health.as_str())
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                up = true;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        if !up {
            child.kill().unwrap();
            let output = child.stderr.take().map(|mut e| {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut e, &mut text).unwrap();
                text
            });
            panic!("a node did not come up: {output:?}");
        }
    }
    let mut printed = String::new();
    for (mut child, _) in nodes {
        assert!(
            child.try_wait().unwrap().is_none(),
            "a node exited while the other started"
        );
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        printed.push_str(&String::from_utf8_lossy(&output.stdout));
    }
    assert_eq!(
        printed.matches("created the administrator account").count(),
        1,
        "{printed}"
    );
}
