//! kiv when things go wrong: the database stops and comes back, the pool runs dry, the process
//! is told to stop during a request, or is killed during an import. Each test runs the real
//! `kiv` binary (or the app) on a database of its own.
//!
//! The outage test starts a private PostgreSQL server (never the machine's shared one, which
//! other tests use at the same time): it needs `initdb` and `pg_ctl` under
//! `/usr/lib/postgresql/*/bin`, and is skipped where they are missing (a failure where
//! `KIV_REQUIRE_ALL_TESTS=1`, as in CI).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{assert_problem, TestApp};
use kiv_domain::{Caller, LocalizedText, ObjectiveLevel, Role};
use kiv_http::limits::Limits;
use kiv_store::planning::{actions, objectives};
use kiv_store::testing::TestDatabase;
use kiv_store::{Database, PoolOptions};
use serde_json::Value;

/// A `kiv serve` process, its log in a file (a pipe nobody reads would stall it).
struct Kiv {
    child: Child,
    address: String,
    log: PathBuf,
    _logs: tempfile::TempDir,
}

impl Kiv {
    async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let logs = tempfile::tempdir().unwrap();
        let log = logs.path().join("kiv.log");
        let address = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().to_string()
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_kiv"));
        command
            .args(["serve", "--demo", "--bind", &address, "--workers", "2"])
            .env("DATABASE_URL", database_url)
            .env("KIV_LOG", "info")
            .env("KIV_BOOTSTRAP_ADMIN_PASSWORD", "bootstrap-password-123")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (name, value) in env {
            command.env(name, value);
        }
        let kiv = Self {
            child: command.spawn().unwrap(),
            address,
            log,
            _logs: logs,
        };
        kiv.wait_until_up().await;
        kiv
    }

    async fn wait_until_up(&self) {
        let client = client();
        for _ in 0..300 {
            if client
                .get(self.url("/health"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("kiv did not come up:\n{}", self.logs());
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}/kiv/v1{path}", self.address)
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn token(&self, login: &str) -> String {
        let response = client()
            .post(self.url("/auth/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", login),
                ("password", "demo"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "token for {login}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal}");
    }

    /// Waits for the process to end, at most `limit`.
    fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < limit,
                "kiv did not stop within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Kiv {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A PostgreSQL server of this test's own, in a temporary directory, on a free port. As root
/// (CI), its programs run as the `postgres` user: PostgreSQL refuses to run as root.
struct PrivatePostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// Creates and starts the server; `None` when its programs are missing and the test is skipped.
    fn start_new() -> Option<Self> {
        let Some(bin) = postgres_bin() else {
            common::skip::skip_for_missing(
                "the database outage test",
                "PostgreSQL's server programs (initdb, pg_ctl) under /usr/lib/postgresql/*/bin",
            );
            return None;
        };
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let dir = tempfile::tempdir().unwrap();
        if root {
            let chown = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chown.success(), "chown of the data directory to postgres");
        }
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let server = Self {
            bin,
            dir,
            port,
            as_postgres: root,
        };
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        server.start();
        Some(server)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
        );
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "fast", "-w", "-t", "60", "stop"],
        );
    }

    fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.data();
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&pg_ctl);
            command
        } else {
            Command::new(&pg_ctl)
        };
        let _ = command
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The newest PostgreSQL server installation's `bin` directory.
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

#[actix_web::test]
async fn a_postgres_outage_is_503_in_bounded_time_and_kiv_recovers_by_itself() {
    let Some(postgres) = PrivatePostgres::start_new() else {
        return;
    };
    let kiv = Kiv::start(&postgres.url(), &[("KIV_POOL_TIMEOUT_SECONDS", "2")]).await;
    let client = client();
    let token = kiv.token("demo-evaluator").await;
    let get = |path: &str, trace: &str| {
        client
            .get(kiv.url(path))
            .bearer_auth(&token)
            .header("BelGov-Trace-Id", trace)
            .send()
    };
    assert_eq!(get("/clusters", "before").await.unwrap().status(), 200);

    postgres.stop();
    for (i, path) in ["/clusters", "/clusters/6", "/plans"].iter().enumerate() {
        let started = Instant::now();
        let response = get(path, &format!("outage-probe-{i}")).await.unwrap();
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(10), "{path} took {elapsed:?}");
        assert_eq!(
            response.headers()["belgov-related-trace-id"],
            format!("outage-probe-{i}").as_str()
        );
        let own = response.headers()["belgov-trace-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let problem = assert_problem(response, 503, "serviceUnavailable").await;
        assert_eq!(problem["traceId"], own);
    }
    let started = Instant::now();
    let health = client.get(kiv.url("/health")).send().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(health.status(), 503);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "DOWN");

    postgres.start();
    let started = Instant::now();
    loop {
        let status = get("/clusters", "after").await.unwrap().status();
        if status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "kiv did not recover: {status}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    let health = client.get(kiv.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // Every line logged about a request carries its trace ids, kiv's and the caller's.
    let logs = kiv.logs();
    let line = logs
        .lines()
        .find(|line| line.contains("database unavailable"))
        .unwrap_or_else(|| panic!("no outage in the log:\n{logs}"));
    assert!(line.contains("related_trace_id=outage-probe-"), "{line}");
    assert_eq!(line.matches("trace_id=").count(), 2, "{line}");
}

#[actix_web::test]
async fn an_exhausted_pool_is_503_quickly_and_passes() {
    let pool = PoolOptions {
        max_size: 1,
        acquire_timeout: Duration::from_secs(1),
    };
    let app = TestApp::spawn_limited(pool, Limits::default()).await;
    let held = app.database.connection().unwrap();
    let started = Instant::now();
    let response = app.get("/clusters").await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "answered after {elapsed:?}"
    );
    assert_problem(response, 503, "serviceUnavailable").await;
    let health = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 503);
    drop(held);
    assert_eq!(app.get("/clusters").await.status().as_u16(), 200);
    let health = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    app.stop().await;
}

/// A migrated, seeded database with `n` actions of the federal police (external ids `FGP-<i>`).
fn register(db: &TestDatabase, n: usize) {
    let database = Database::connect(db.url().clone(), PoolOptions::default()).unwrap();
    let mut conn = database.connection().unwrap();
    kiv_store::prepare(&mut conn).unwrap();
    let caller = Caller {
        login: "demo-coordinator".into(),
        organisation_id: "fod-justitie".into(),
        roles: vec![Role::Coordinator],
    };
    let text = |t: &str| LocalizedText {
        nl: Some(t.into()),
        ..Default::default()
    };
    let objective = objectives::create(
        &mut conn,
        &caller,
        objectives::ObjectiveInput {
            plan_id: "kiv-2016-2019".into(),
            cluster_id: Some("7".into()),
            parent_id: None,
            code: "7".into(),
            level: ObjectiveLevel::Strategic,
            title: text("Eigendomscriminaliteit"),
            description: None,
            theme_ids: vec![],
            owner_organisation_ids: vec![],
        },
    )
    .unwrap();
    for i in 0..n {
        actions::create(
            &mut conn,
            &caller,
            actions::ActionInput {
                objective_id: objective.id.clone(),
                code: format!("7.{i}"),
                title: text(&format!("Actie {i}")),
                description: None,
                lead_organisation_id: "federale-politie".into(),
                partner_organisation_ids: vec![],
                theme_ids: vec![],
                planned_start: chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap(),
                planned_end: chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(),
                weight: 1.0,
                external_id: Some(format!("FGP-{i}")),
            },
        )
        .unwrap();
    }
}

const PERIODS: [&str; 8] = [
    "2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2",
];

/// A CSV import of one follow-up per action and semester.
fn import_file(actions: usize) -> String {
    let mut csv =
        String::from("actionExternalId,organisationId,period,status,progress,narrativeNl\n");
    for i in 0..actions {
        for period in PERIODS {
            csv.push_str(&format!(
                "FGP-{i},federale-politie,{period},onTrack,40,Voortgang van actie {i} in {period}\n"
            ));
        }
    }
    csv
}

/// The head of an import request, written by hand so that the test decides when each byte goes.
fn import_head(address: &str, token: &str, length: usize) -> String {
    format!(
        "POST /kiv/v1/imports/followUps?mode=atomic HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {length}\r\n\
         BelGov-Trace-Id: import-under-test\r\nConnection: close\r\n\r\n"
    )
}

/// Everything the server sends until it closes the connection (or resets it).
fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// Waits until another connection holds a write transaction on the database: on SQLite the
/// write lock (kiv's writes begin with `BEGIN IMMEDIATE`), on PostgreSQL a session with a
/// transaction id, which it gets with its first write.
fn wait_for_a_writer(url: &kiv_store::DatabaseUrl, limit: Duration) {
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Writers {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    let mut conn = url.connect().unwrap();
    if let kiv_store::DbConnection::Sqlite(sqlite) = &mut conn {
        sqlite.batch_execute("PRAGMA busy_timeout = 0").unwrap();
    }
    let started = Instant::now();
    loop {
        let writing = match &mut conn {
            kiv_store::DbConnection::Sqlite(sqlite) => {
                match sqlite.batch_execute("BEGIN IMMEDIATE") {
                    Ok(()) => {
                        sqlite.batch_execute("ROLLBACK").unwrap();
                        false
                    }
                    Err(_) => true,
                }
            }
            kiv_store::DbConnection::Postgres(pg) => {
                let writers: Writers = diesel::sql_query(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                     AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                )
                .get_result(pg)
                .unwrap();
                writers.n > 0
            }
        };
        if writing {
            return;
        }
        assert!(started.elapsed() < limit, "the import never began writing");
        std::thread::sleep(Duration::from_millis(5));
    }
}

async fn follow_up_total(kiv: &Kiv, token: &str) -> u64 {
    let page: Value = client()
        .get(kiv.url("/followUps?pageSize=1"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["total"].as_u64().unwrap()
}

#[actix_web::test]
async fn sigterm_lets_a_request_in_flight_finish() {
    let db = TestDatabase::new();
    register(&db, 25);
    let mut kiv = Kiv::start(&db.url().connection_string(), &[]).await;
    let token = kiv.token("demo-coordinator").await;
    let body = import_file(25);
    let (first, rest) = body.split_at(body.len() / 2);

    // The request is in flight: its head and half its body are in, the rest is still coming.
    let mut stream = TcpStream::connect(&kiv.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
        .write_all(import_head(&kiv.address, &token, body.len()).as_bytes())
        .unwrap();
    stream.write_all(first.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    kiv.signal("TERM");
    std::thread::sleep(Duration::from_millis(700));
    stream.write_all(rest.as_bytes()).unwrap();
    let answer = read_answer(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let report: Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap_or_default()).unwrap();
    assert_eq!(report["created"], 25 * 8, "{report}");

    let status = kiv.wait(Duration::from_secs(40));
    assert!(status.success(), "kiv exited with {status:?}");
    let logs = kiv.logs();
    assert!(logs.contains("kiv stopped"), "{logs}");
}

#[actix_web::test]
async fn sigkill_during_an_atomic_import_leaves_all_of_it_or_none() {
    const ACTIONS: usize = 400;
    let db = TestDatabase::new();
    register(&db, ACTIONS);
    let url = db.url().connection_string();
    let mut kiv = Kiv::start(&url, &[]).await;
    let token = kiv.token("demo-coordinator").await;
    let body = import_file(ACTIONS);
    // The demo content has follow-ups of its own.
    let before = follow_up_total(&kiv, &token).await;

    let mut stream = TcpStream::connect(&kiv.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
        .write_all(import_head(&kiv.address, &token, body.len()).as_bytes())
        .unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    // Killed while its one transaction is writing.
    wait_for_a_writer(db.url(), Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(50));
    kiv.signal("KILL");
    let status = kiv.wait(Duration::from_secs(10));
    assert!(!status.success());
    let answer = read_answer(&mut stream);
    assert!(
        !answer.starts_with("HTTP/1.1 200"),
        "the import finished before the kill; make the file larger: {}",
        answer.lines().next().unwrap_or_default()
    );

    // After a restart on the same database: every row of the file, or none.
    drop(kiv);
    let kiv = Kiv::start(&url, &[]).await;
    let token = kiv.token("demo-coordinator").await;
    let total = follow_up_total(&kiv, &token).await - before;
    let all = u64::try_from(ACTIONS * PERIODS.len()).unwrap();
    assert!(total == 0 || total == all, "{total} of {all} follow-ups");
    eprintln!("after the kill: {total} of {all} follow-ups");
}
