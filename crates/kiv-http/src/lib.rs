//! kiv's HTTP API: actix-web routes under `/kiv/v1`, problem+json answers for every failure, and
//! the OpenAPI document generated from the same route registrations that serve requests.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use kiv_store::{Database, DbConnection, StoreError, StoreResult};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};

// The floor, lowest first: a module imports only modules earlier in this list (and AppState
// from here), never a later one and never a route module.
//   1. origin, observe, links     where the client and the server are; traces; signed links
//   2. problem, problem_responses ApiError and the problem+json answer (why a token is refused
//                                 too); the problems many operations document alike
//   3. auth, path_guard, docs     who the caller is; path checks; the problem type pages
//   4. limits                     what a request may cost (reads the caller's identity)
//   5. extract, idempotency,      request extractors (body, query, versions, language);
//      middleware                 replayed answers; the response headers
//   6. respond, render,           answers: versions and languages; report formats;
//      openapi_common,            the shared parts of the OpenAPI document
//      patch_schemas
//   7. views                      representations more than one route module answers with
//   8. routes                     the handlers, each reading only the floor, never each other
pub mod auth;
pub mod body_schema;
pub mod conditional;
pub mod docs;
pub mod extract;
pub mod head;
pub mod idempotency;
pub mod limits;
pub mod links;
pub mod middleware;
pub mod negotiation;
pub mod observe;
pub mod openapi_common;
pub mod openapi_examples;
pub mod origin;
pub mod patch_schemas;
pub mod path_guard;
pub(crate) mod periods;
pub mod problem;
pub mod problem_responses;
pub mod render;
pub mod respond;
pub mod routes;
pub mod views;

use auth::TokenService;
use limits::{Limits, RateLimit};
use observe::Metrics;
use problem::ApiError;

/// Every resource of the API lives under this path.
pub const BASE_PATH: &str = "/kiv/v1";

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Database,
    pub tokens: Arc<TokenService>,
    /// What one request may cost.
    pub limits: Limits,
    /// Requests per client, shared by every worker; `None` when unlimited.
    pub rate_limit: Option<Arc<RateLimit>>,
    /// Counts of requests and their latency, shared by every worker.
    pub metrics: Option<Arc<Metrics>>,
    /// The public base URL and the trusted proxies: where links point, who the client is.
    pub origin: Arc<origin::Origin>,
    /// How failed log-ins slow further attempts down.
    pub login_policy: kiv_domain::throttle::LoginPolicy,
    /// What this node last read of the accounts behind tokens and report links, shared by every
    /// worker and trusted for a few seconds.
    pub access: Arc<auth::access::AccessCache>,
    /// The key of signed report links, read from the database on first use.
    link_key: Arc<std::sync::OnceLock<Vec<u8>>>,
    /// Turns to compute a report (`Limits::report_concurrency`), shared by every worker.
    report_turns: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state with the default [`Limits`].
    pub fn new(db: Database, tokens: TokenService) -> Self {
        let metrics = Metrics::new()
            .map_err(|error| tracing::error!(%error, "metrics are not available"))
            .ok()
            .map(Arc::new);
        Self {
            db,
            tokens: Arc::new(tokens),
            limits: Limits::default(),
            rate_limit: RateLimit::per_minute(Limits::default().rate_limit_per_minute)
                .map(Arc::new),
            metrics,
            origin: Arc::default(),
            login_policy: kiv_domain::throttle::LoginPolicy::default(),
            access: Arc::new(auth::access::AccessCache::new(
                auth::access::DEFAULT_ACCESS_CHECK_TTL,
            )),
            link_key: Arc::default(),
            report_turns: Arc::new(tokio::sync::Semaphore::new(
                Limits::default().report_concurrency,
            )),
        }
    }

    /// The same state with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.rate_limit = RateLimit::per_minute(limits.rate_limit_per_minute).map(Arc::new);
        self.report_turns = Arc::new(tokio::sync::Semaphore::new(
            limits.report_concurrency.max(1),
        ));
        self.limits = limits;
        self
    }

    /// The same state with another public base URL and other trusted proxies.
    pub fn with_origin(mut self, origin: origin::Origin) -> Self {
        self.origin = Arc::new(origin);
        self
    }

    /// The same state with another log-in throttling policy (shorter waits, say, in tests).
    pub fn with_login_policy(mut self, policy: kiv_domain::throttle::LoginPolicy) -> Self {
        self.login_policy = policy;
        self
    }

    /// The same state trusting what it read of an account for `ttl` (zero: every request reads
    /// the database). A withdrawn right keeps working on another node for at most this long.
    pub fn with_access_check_ttl(mut self, ttl: Duration) -> Self {
        self.access = Arc::new(auth::access::AccessCache::new(ttl));
        self
    }

    /// The key that signs report links (generated once, kept in the database, shared by nodes).
    pub async fn link_key(&self) -> Result<Vec<u8>, ApiError> {
        if let Some(key) = self.link_key.get() {
            return Ok(key.clone());
        }
        let (key, _) = self
            .run(|conn| {
                kiv_store::secrets::get_or_create(
                    conn,
                    links::KEY_NAME,
                    kiv_store::credentials::generate_secret,
                )
            })
            .await?;
        let key = key.into_bytes();
        Ok(self.link_key.get_or_init(|| key).clone())
    }

    /// Runs `work` with a pooled connection on the blocking thread pool, so database calls
    /// never stall the async workers.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let mut conn = db.connection()?;
            let result = work(&mut conn);
            if let Err(StoreError::Unavailable(_)) = &result {
                // The connection failed under the request (the database went away): the pool
                // must not hand it out again.
                conn.mark_lost();
            }
            result
        })
        .await?
        .map_err(ApiError::from)
    }

    /// Runs `work` on the record `id` of the path, like [`AppState::run`]; the store's
    /// `NotFound` (absent, or not the caller's to see) becomes the 404 of that record, named
    /// `what`. The one way a handler acts on the record its path points at: one call, in which
    /// the store checks existence, the caller's right to read it and the operation together.
    pub async fn run_on<T, F>(&self, what: &'static str, id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &str) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let key = id.clone();
        self.run(move |conn| work(conn, &key))
            .await
            .map_err(|e| e.not_found_as(what, &id))
    }

    /// Runs `work`, which computes a report, like [`AppState::run`] once it is its turn: at
    /// most `Limits::report_concurrency` at a time. Waiting counts toward the request timeout.
    pub async fn run_report<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = self
            .report_turns
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(format!("report turns closed: {e}")))?;
        self.run(work).await
    }

    /// [`AppState::run_on`] for a report: the record `id` the report is asked of (its plan, its
    /// evaluation) named `what` in a 404, the work run in its turn like [`AppState::run_report`].
    pub async fn run_report_on<T, F>(
        &self,
        what: &'static str,
        id: String,
        work: F,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &str) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let key = id.clone();
        self.run_report(move |conn| work(conn, &key))
            .await
            .map_err(|e| e.not_found_as(what, &id))
    }

    /// Answers a read of one resource: loads it by `id`, 404 when absent, otherwise its view
    /// with an entity tag from the state it is made of.
    pub async fn read_one<T, V>(
        &self,
        req: &HttpRequest,
        what: &'static str,
        id: String,
        load: fn(&mut DbConnection, &str) -> StoreResult<Option<T>>,
        view: fn(&HttpRequest, T) -> V,
    ) -> Result<HttpResponse, ApiError>
    where
        T: kiv_domain::Tagged + Send + 'static,
        V: respond::Representation,
    {
        let key = id.clone();
        let item = self
            .run(move |conn| load(conn, &key))
            .await?
            .ok_or_else(|| ApiError::not_found(what, &id))?;
        let validator = item.validator();
        Ok(respond::single(req, validator, &view(req, item)))
    }
}

/// The document's frame; paths and schemas are collected from the registered handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "kiv",
        description = "Follow-up and evaluation of the Kadernota Integrale Veiligheid and the \
            Nationaal Veiligheidsplan: what was done per action and reporting period, how well it \
            worked per cluster, and progress reports for evaluators.\n\n\
            Conventions (belgif): paths and JSON properties are lowerCamelCase; collections carry \
            `items`, `page`, `pageSize`, `total`, `self` and `next`; every error is \
            `application/problem+json`.\n\n\
            HTTP: `HEAD` works wherever `GET` does (same status and headers, no body). Every GET \
            but health and metrics answers with an `ETag` and revalidates with `If-None-Match` \
            (`304`). An `Accept` that excludes every type an operation answers in is `406` \
            (before a change is made). Bodies with `label`s state their `Content-Language`; an \
            `Accept-Language` naming none of nl, fr, de, en gets Dutch.\n\n\
            Tracing (belgif): every answer carries a `BelGov-Trace-Id` header, a new UUID the \
            service gives each request; when the request carried a well-formed \
            `BelGov-Trace-Id` of its own (1 to 64 letters, digits, `-`, `_`, `.` or `:`), the \
            answer repeats it as `BelGov-Related-Trace-Id`. The service logs every line about \
            the request under both, and problem answers repeat the service's as `traceId`: \
            quote it when reporting a problem.\n\n\
            Limits: request bodies up to 16 MiB (`413 payloadTooLarge`), 6,000 requests a minute \
            per client (`429 tooManyRequests` with `Retry-After`; the client is the token's \
            subject, or the address without a token), 30 seconds per request \
            (`503 serviceUnavailable`) and `pageSize` up to 100; these are the defaults, and a \
            deployment may configure others. Health and metrics are never rate limited.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
        contact(name = "kiv maintainers", url = "https://example.invalid/kiv"),
    ),
    // Relative: the document is served by the service it describes, under whatever host name
    // it is reached at; the paths carry the base path /kiv/v1 (see the README's "Deviations
    // from the belgif REST guide").
    servers((url = "/", description = "This service, at the host the document was read from")),
    tags(
        (name = "Authentication", description = "Access tokens for agency systems (client credentials) and people (password)."),
        (name = "Accounts", description = "People and agency systems, their organisation and roles."),
        (name = "Reference data", description = "Plans, clusters, themes and organisations."),
        (name = "Planning", description = "Objectives, actions and indicators of each plan, and their history."),
        (name = "Follow-up", description = "Progress per action and reporting period, and its review by the coordinating FODs."),
        (name = "Cluster follow-up", description = "The coordinating FODs' interim follow-up of each cluster per reporting period, with the figures frozen at publication."),
        (name = "Evaluations", description = "Evaluations of a cluster or a transversal theme (OECD-DAC scores, rating, findings, evidence), their recommendations and what became of them."),
        (name = "Reports", description = "Where the plans stand, for evaluators and the coordinating FODs."),
        (name = "Service", description = "Health and metrics of the service."),
    )
)]
struct ApiDoc;

fn api() -> UtoipaApp<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope(BASE_PATH).configure(routes::configure))
}

/// The OpenAPI document of the whole API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = api().split_for_parts().1;
    auth::openapi::declare(&mut document);
    openapi_common::declare(&mut document);
    openapi_common::conform(&mut document);
    conditional::declare(&mut document);
    negotiation::declare(&mut document);
    negotiation::declare_languages(&mut document);
    // Last: every answer, the shared ones too, carries the trace id header.
    observe::declare(&mut document);
    document
}

/// The OpenAPI document as served, and the route table made from it: built once per server and
/// shared by its workers (building it takes tens of megabytes for a moment; each worker kept a
/// copy of its own).
#[derive(Clone)]
pub struct Documentation {
    json: web::Bytes,
    yaml: web::Bytes,
    routes: web::Data<middleware::RouteTable>,
}

impl std::fmt::Debug for Documentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documentation")
            .field("json_bytes", &self.json.len())
            .finish()
    }
}

impl Documentation {
    /// The document with the page size capped at `max_page_size`.
    pub fn new(max_page_size: u32) -> Self {
        let mut document = openapi();
        openapi_common::cap_page_size(&mut document, max_page_size);
        let routes = web::Data::new(middleware::RouteTable::new(&document));
        let json = document.to_json().unwrap_or_else(|e| {
            format!("{{\"error\": \"the document could not be rendered: {e}\"}}")
        });
        let yaml = document
            .to_yaml()
            .unwrap_or_else(|e| format!("# the document could not be rendered: {e}\n"));
        Self {
            json: web::Bytes::from(json),
            yaml: web::Bytes::from(yaml),
            routes,
        }
    }
}

/// The application: API routes, documentation, the fallback for unknown routes and methods, the
/// problem+json rendering of every error, and request logging.
pub fn build_app(
    state: AppState,
    documentation: Documentation,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // The documentation is mounted before the API scope: a scope takes every path under its
    // prefix, so anything registered after `/kiv/v1` would never be reached.
    let body_limit = state.limits.body_limit;
    let routes = documentation.routes.clone();
    App::new()
        .app_data(web::Data::new(state))
        .app_data(routes)
        .app_data(web::PayloadConfig::new(body_limit))
        .configure(|cfg| docs::configure(cfg, documentation.json, documentation.yaml))
        .into_utoipa_app()
        .service(utoipa_actix_web::scope(BASE_PATH).configure(routes::configure))
        .into_app()
        .default_service(web::to(middleware::fallback))
        // The last wrapped runs first: observe (trace id, metrics) → HEAD as GET → security
        // headers → log span → entity tags of reads → rate limit → Accept → idempotency →
        // timeout → NUL guard → problem rendering → unknown query parameters → the account
        // behind the token → the route. None of them may hold a clone
        // of the request while the inner layers run: actix routes a request only while it holds
        // the one reference.
        .wrap(from_fn(auth::check_accounts))
        .wrap(from_fn(middleware::known_parameters))
        .wrap(from_fn(middleware::problems))
        .wrap(from_fn(path_guard::refuse_nul))
        .wrap(from_fn(limits::timeout))
        .wrap(from_fn(idempotency::idempotency))
        .wrap(from_fn(negotiation::acceptable_answers))
        .wrap(from_fn(limits::rate_limit))
        .wrap(from_fn(conditional::tag_reads))
        .wrap(TracingLogger::<middleware::RequestSpan>::new())
        .wrap(from_fn(middleware::security_headers))
        .wrap(from_fn(head::head_as_get))
        .wrap(from_fn(observe::observe))
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Worker threads; each has its own event loop.
    pub workers: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_timeout: Duration,
    /// Stop on SIGINT/SIGTERM (off for servers embedded in tests).
    pub handle_signals: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            shutdown_timeout: Duration::from_secs(30),
            handle_signals: true,
        }
    }
}

/// A server on `listener`; await it to run until stopped. On SIGTERM it stops accepting, lets
/// in-flight requests finish (up to the shutdown timeout) and returns.
pub fn server(
    state: AppState,
    listener: TcpListener,
    options: &ServerOptions,
) -> std::io::Result<Server> {
    // Database work runs on each worker's blocking threads and never uses more than the pool's
    // connections: more threads would only wait for one, and each keeps a malloc arena that
    // inflates the resident memory under load.
    let blocking_threads = usize::try_from(state.db.pool_state().max.max(2)).unwrap_or(8);
    let documentation = Documentation::new(state.limits.max_page_size);
    let mut server = HttpServer::new(move || build_app(state.clone(), documentation.clone()))
        .workers(options.workers)
        .worker_max_blocking_threads(blocking_threads)
        .shutdown_timeout(options.shutdown_timeout.as_secs());
    if !options.handle_signals {
        server = server.disable_signals();
    }
    Ok(server.listen(listener)?.run())
}
