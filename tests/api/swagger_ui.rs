//! The Swagger UI works offline: opened in headless Chromium under a real host name (not a
//! loopback one, for which Swagger UI skips its online validator), it renders the operations
//! from what kiv serves and requests nothing from any other host. Chromium's network log lists
//! every request the page made; every other host name fails to resolve, so nothing leaves the
//! machine even when the check fails.
//!
//! Without a `chromium` the test says it was skipped (a failure where `KIV_REQUIRE_ALL_TESTS=1`,
//! as in CI).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::TestApp;
use serde_json::Value;

/// The host name the page is opened under; Chromium resolves it to the test server.
const HOST: &str = "kiv.example.be";

/// The browser: `KIV_CHROMIUM`, else `chromium` (or `chromium-browser`) on the `PATH`; without
/// one the test is skipped (see `common::skip`).
fn browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KIV_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        common::skip::skip_for_missing(
            "the Swagger UI's offline check",
            "chromium (apt-get install -y chromium, or KIV_CHROMIUM naming a browser)",
        );
    }
    found
}

/// Opens `url` in headless Chromium, lets its scripts run for up to `budget` of virtual time,
/// and returns the page's DOM as it then stands and Chromium's network log.
fn open(browser: PathBuf, url: String, port: u16, budget: Duration) -> (String, Value) {
    let profile = tempfile::tempdir().unwrap();
    let net_log = profile.path().join("net-log.json");
    let stderr_path = profile.path().join("chromium.log");
    let stderr = std::fs::File::create(&stderr_path).unwrap();
    let stdout_path = profile.path().join("dom.html");
    let stdout = std::fs::File::create(&stdout_path).unwrap();
    let mut child = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            // Chromium's own traffic (updates, metrics, safe browsing) is not the page's.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-domain-reliability",
            "--disable-sync",
            "--no-pings",
            "--no-proxy-server",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        // The test host is the test server; every other name fails to resolve, so a request
        // to another host is attempted (and logged) but never leaves the machine.
        .arg(format!(
            "--host-resolver-rules=MAP {HOST} 127.0.0.1, MAP * ~NOTFOUND"
        ))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(format!("--virtual-time-budget={}", budget.as_millis()))
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("profile").display()
        ))
        .arg(&url)
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        status.success(),
        "chromium failed ({status}, after {:?}; killed after two minutes) on port {port}:\n{log}",
        started.elapsed()
    );
    let dom = std::fs::read_to_string(&stdout_path).unwrap();
    let net_log = std::fs::read_to_string(&net_log).unwrap();
    // A log cut short (Chromium stopped before closing it) still holds whole events.
    let parsed = serde_json::from_str(&net_log).or_else(|_| {
        serde_json::from_str(&format!("{}]}}", net_log.trim_end().trim_end_matches(',')))
    });
    assert!(parsed.is_ok(), "the network log is not JSON:\n{log}");
    let net_log = parsed.unwrap();
    (dom, net_log)
}

/// The URLs the page requested, from a Chromium network log: every request job started for the
/// page itself (the main frame) or on its behalf (an initiator that is an origin). Chromium's own
/// traffic (updates, accounts, autofill) has no such initiator and is not the page's doing.
fn page_requests(net_log: &Value) -> Vec<String> {
    let start_job = &net_log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    assert!(
        start_job.is_number(),
        "the network log names no request jobs"
    );
    let mut urls: Vec<String> = net_log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| &event["type"] == start_job)
        .map(|event| &event["params"])
        .filter(|params| {
            params["request_type"] == "main frame" || params["initiator"] != "not an origin"
        })
        .filter_map(|params| params["url"].as_str().map(str::to_owned))
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

#[actix_web::test]
async fn the_swagger_ui_fetches_nothing_from_another_host() {
    let Some(browser) = browser() else { return };
    let app = TestApp::spawn().await;
    let port: u16 = app.origin.rsplit(':').next().unwrap().parse().unwrap();
    let url = format!("http://{HOST}:{port}/kiv/v1/doc/");
    let (dom, net_log) = actix_web::rt::task::spawn_blocking(move || {
        open(browser, url, port, Duration::from_secs(20))
    })
    .await
    .unwrap();
    app.stop().await;

    // The UI read the document and rendered its operations.
    let operations = dom.matches("opblock-summary-path").count();
    assert!(
        operations > 50,
        "the Swagger UI rendered {operations} operations:\n{dom}"
    );
    assert!(dom.contains("getHealth"), "{dom}");

    let requests = page_requests(&net_log);
    let page = format!("http://{HOST}:{port}/");
    assert!(
        requests
            .iter()
            .any(|url| url == &format!("{page}kiv/v1/doc/openapi.json")),
        "the page did not read the document: {requests:#?}"
    );
    let elsewhere: Vec<&String> = requests
        .iter()
        .filter(|url| !url.starts_with(&page))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "the Swagger UI reached beyond {HOST}:{port}: {elsewhere:#?}"
    );
}
