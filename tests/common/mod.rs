//! A running kiv for end-to-end tests: a fresh database (SQLite, or PostgreSQL when
//! `KIV_TEST_DATABASE_URL` is set), the real app on a random local port, and an HTTP client.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod builders;
pub mod skip;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use kiv_http::auth::{TokenService, TokenSettings};
use kiv_http::limits::Limits;
use kiv_http::{AppState, ServerOptions};
use kiv_store::testing::TestDatabase;
use kiv_store::{Database, PoolOptions};
use serde_json::Value;

/// The HS256 secret of test servers, so tests can forge tokens signed with it.
pub const TEST_SECRET: &[u8] = b"a test secret that is long enough for HS256";

pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    pub client: reqwest::Client,
    pub database: Database,
    pub db: TestDatabase,
    /// A token of `demo-evaluator`, who may read everything.
    pub reader: String,
    server: ServerHandle,
}

impl TestApp {
    /// Starts kiv on a new, migrated and seeded database with the demo accounts, signing tokens
    /// with [`TEST_SECRET`].
    pub async fn spawn() -> Self {
        Self::spawn_with(TokenService::hs256(TEST_SECRET, TokenSettings::default()).unwrap()).await
    }

    /// Starts kiv with the given token service.
    pub async fn spawn_with(tokens: TokenService) -> Self {
        Self::spawn_configured(
            tokens,
            PoolOptions {
                max_size: 4,
                acquire_timeout: Duration::from_secs(2),
            },
            Limits::default(),
        )
        .await
    }

    /// Starts kiv with other limits (and the test token service).
    pub async fn spawn_limited(pool: PoolOptions, limits: Limits) -> Self {
        let tokens = TokenService::hs256(TEST_SECRET, TokenSettings::default()).unwrap();
        Self::spawn_configured(tokens, pool, limits).await
    }

    /// Starts kiv with the given token service, pool and limits.
    pub async fn spawn_configured(
        tokens: TokenService,
        options: PoolOptions,
        limits: Limits,
    ) -> Self {
        Self::spawn_adjusted(tokens, options, limits, |state| state).await
    }

    /// Starts kiv trusting what it read of an account for `ttl` (zero: every request reads it).
    pub async fn spawn_with_access_ttl(ttl: Duration) -> Self {
        Self::spawn_with_state(|state| state.with_access_check_ttl(ttl)).await
    }

    /// Starts kiv with the test token service and default pool and limits, its state changed by
    /// `adjust` (another origin, another log-in policy...).
    pub async fn spawn_with_state(adjust: impl FnOnce(AppState) -> AppState) -> Self {
        let tokens = TokenService::hs256(TEST_SECRET, TokenSettings::default()).unwrap();
        let pool = PoolOptions {
            max_size: 4,
            acquire_timeout: Duration::from_secs(2),
        };
        Self::spawn_adjusted(tokens, pool, Limits::default(), adjust).await
    }

    /// Starts kiv with the given token service, pool and limits, its state changed by `adjust`.
    pub async fn spawn_adjusted(
        tokens: TokenService,
        options: PoolOptions,
        limits: Limits,
        adjust: impl FnOnce(AppState) -> AppState,
    ) -> Self {
        let db = TestDatabase::with_demo();
        let database = Database::connect(db.url().clone(), options).unwrap();
        let state = AppState::new(database.clone(), tokens).with_limits(limits);
        let (origin, handle) = serve(adjust(state));
        let mut app = Self {
            origin,
            // The server closes a connection idle for 5 s (actix's keep-alive); a client that
            // reused one at that moment would see it closed under its request. Idle connections
            // are dropped on this side first.
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .pool_idle_timeout(Duration::from_secs(2))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            database,
            db,
            reader: String::new(),
            server: handle,
        };
        app.reader = app.token("demo-evaluator").await;
        app
    }

    /// A token for a demo account (password or client secret `demo`).
    pub async fn token(&self, login: &str) -> String {
        let grant = if login == "demo-federale-politie" {
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", login),
                ("client_secret", "demo"),
            ]
        } else {
            vec![
                ("grant_type", "password"),
                ("username", login),
                ("password", "demo"),
            ]
        };
        let response = self
            .client
            .post(self.url("/auth/token"))
            .form(&grant)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "token for {login}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A request with `token`.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// The absolute URL of an API path: `url("/clusters")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/kiv/v1{path}", self.origin)
    }

    /// GETs `path` as `demo-evaluator`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.reader)
            .send()
            .await
            .unwrap()
    }

    /// GETs `path`, asserts the status, returns the JSON body.
    pub async fn get_json(&self, path: &str, status: u16) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn stop(self) {
        self.server.stop(false).await;
    }

    /// Another node of the same deployment: its own server, pool and caches on this app's
    /// database, signing with the same secret.
    pub fn second_node(&self, access_ttl: Duration) -> Node {
        let database = Database::connect(
            self.db.url().clone(),
            PoolOptions {
                max_size: 4,
                acquire_timeout: Duration::from_secs(2),
            },
        )
        .unwrap();
        let tokens = TokenService::hs256(TEST_SECRET, TokenSettings::default()).unwrap();
        let state = AppState::new(database, tokens).with_access_check_ttl(access_ttl);
        let (origin, server) = serve(state);
        Node { origin, server }
    }
}

/// A second node started by [`TestApp::second_node`].
pub struct Node {
    pub origin: String,
    server: ServerHandle,
}

impl Node {
    pub fn url(&self, path: &str) -> String {
        format!("{}/kiv/v1{path}", self.origin)
    }

    pub async fn stop(self) {
        self.server.stop(false).await;
    }
}

/// Serves `state` on a random local port with one worker; its origin and handle.
fn serve(state: AppState) -> (String, ServerHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let server = kiv_http::server(
        state,
        listener,
        &ServerOptions {
            workers: 1,
            shutdown_timeout: Duration::from_secs(1),
            handle_signals: false,
        },
    )
    .unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (origin, handle)
}

/// Asserts that `response` is a problem+json answer with `status` and belgif `problem_type`,
/// and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16, problem_type: &str) -> Value {
    let problem_type = if problem_type.contains(':') {
        problem_type.to_owned()
    } else {
        format!("belgif:{problem_type}")
    };
    assert_eq!(response.status().as_u16(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["type"],
        format!("urn:problem-type:{problem_type}"),
        "{body}"
    );
    assert_eq!(body["status"], status);
    assert!(body["instance"].as_str().unwrap().starts_with("urn:uuid:"));
    assert!(body["href"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    body
}

/// Runs two requests at once.
pub async fn both<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let a = std::pin::pin!(a);
    let b = std::pin::pin!(b);
    let mut a = Some(a);
    let mut b = Some(b);
    let mut out_a = None;
    let mut out_b = None;
    std::future::poll_fn(|cx| {
        use std::task::Poll;
        if let Some(fut) = a.as_mut() {
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                out_a = Some(v);
                a = None;
            }
        }
        if let Some(fut) = b.as_mut() {
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                out_b = Some(v);
                b = None;
            }
        }
        if a.is_none() && b.is_none() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (out_a.unwrap(), out_b.unwrap())
}

/// Requests as one account.
pub struct Session<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl<'a> Session<'a> {
    /// Logs a demo account in.
    pub async fn new(app: &'a TestApp, login: &str) -> Self {
        Self {
            app,
            token: app.token(login).await,
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.app.request(method, path, &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.unwrap()
    }

    /// Sends and expects a 2xx answer; returns its body.
    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> Value {
        let response = self.send(method.clone(), path, body, if_match).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {text}"
        );
        serde_json::from_str(&text).unwrap()
    }
}

impl Session<'_> {
    /// The entity tag a GET of `path` answers with, quotes included: what `If-Match` sends back.
    pub async fn etag(&self, path: &str) -> String {
        let response = self.send(reqwest::Method::GET, path, None, None).await;
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.headers()["etag"].to_str().unwrap().to_owned()
    }
}

/// Has `reporter` create and submit a follow-up of `action` for `period` with the fields of
/// `body`, and `fod` approve it when `approve` is set; returns the follow-up as last answered.
pub async fn report_follow_up(
    reporter: &Session<'_>,
    fod: &Session<'_>,
    action: &Value,
    period: &str,
    body: Value,
    approve: bool,
) -> Value {
    let mut follow_up = serde_json::json!({"actionId": action, "period": period});
    for (key, value) in body.as_object().unwrap() {
        follow_up[key] = value.clone();
    }
    let created = reporter
        .ok(reqwest::Method::POST, "/followUps", Some(follow_up), None)
        .await;
    let path = format!("/followUps/{}", created["id"].as_str().unwrap());
    let submitted = reporter
        .ok(
            reqwest::Method::POST,
            &format!("{path}/submit"),
            None,
            Some("\"1\""),
        )
        .await;
    if !approve {
        return submitted;
    }
    fod.ok(
        reqwest::Method::POST,
        &format!("{path}/approve"),
        None,
        Some("\"2\""),
    )
    .await
}
