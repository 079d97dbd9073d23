//! The `kiv` command: runs the API and the chores around it (migrations, reference data, the
//! OpenAPI document).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod logging;

use anyhow::{bail, Context};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use kiv_domain::{AccountKind, Caller, Role};
use kiv_http::auth::{TokenService, TokenSettings};
use kiv_http::{AppState, ServerOptions};
use kiv_store::accounts::{self, NewAccount};

/// jemalloc instead of the system allocator: glibc keeps an arena per thread that served a
/// request and seldom returns freed memory, so RSS after a burst of large reports stayed high.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use kiv_store::credentials::generate_secret;
use kiv_store::seed::{self, ReferenceData};
use kiv_store::synthetic::SyntheticOptions;
use kiv_store::{demo, migrations, secrets, Database, DatabaseUrl, PoolOptions};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "kiv",
    version,
    about = "Follow-up and evaluation API for the Kadernota Integrale Veiligheid and the Nationaal Veiligheidsplan"
)]
struct Cli {
    /// Where the data lives: sqlite://<file> (default) or postgres://user@host/db.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://kiv.db",
        global = true,
        hide_env_values = true
    )]
    database_url: String,

    /// Log filter, e.g. `info` or `kiv=debug,actix_web=info`.
    #[arg(long, env = "KIV_LOG", default_value = "info", global = true)]
    log: String,

    /// Log lines as text for people or as JSON for log collectors.
    #[arg(long, env = "KIV_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,

    /// Connections in the database pool.
    #[arg(long, env = "KIV_POOL_SIZE", default_value_t = 8, global = true)]
    pool_size: u32,

    /// Seconds a request waits for a database connection before it is answered 503 (the
    /// database is down or every connection is busy).
    #[arg(long, env = "KIV_POOL_TIMEOUT_SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300), global = true)]
    pool_timeout_seconds: u64,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Create an account and print its generated password or client secret, once.
    Create {
        /// The username (or, with --client, the client id).
        login: String,
        /// The organisation the account belongs to.
        #[arg(long = "org", value_name = "ORGANISATION_ID")]
        organisation_id: String,
        /// A role: admin, coordinator, reporter or evaluator (repeat for several).
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// An agency system (client credentials) instead of a person.
        #[arg(long)]
        client: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
        .map_err(|e: kiv_domain::vocabulary::UnknownValue| e.to_string())
}

/// How access tokens are signed and checked.
#[derive(Debug, Args)]
struct TokenArgs {
    /// HS256 signing secret (at least 32 bytes). Without it and without a private key, kiv
    /// generates one once and keeps it in the database.
    #[arg(long, env = "KIV_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// PEM file with an Ed25519 (EdDSA) or P-256 (ES256) private key: the production option.
    #[arg(long, env = "KIV_JWT_PRIVATE_KEY", value_name = "PEM")]
    jwt_private_key: Option<PathBuf>,
    /// Comma-separated PEM files of earlier public keys whose tokens remain valid (rotation).
    #[arg(
        long,
        env = "KIV_JWT_PUBLIC_KEYS",
        value_name = "PEM,...",
        value_delimiter = ','
    )]
    jwt_public_keys: Vec<PathBuf>,
    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "KIV_TOKEN_TTL_SECONDS", default_value_t = 900)]
    token_ttl_seconds: u64,
    /// The `iss` of issued tokens, and the only one accepted.
    #[arg(long, env = "KIV_JWT_ISSUER", default_value = "kiv")]
    jwt_issuer: String,
    /// The `aud` of issued tokens, and the only one accepted.
    #[arg(long, env = "KIV_JWT_AUDIENCE", default_value = "kiv")]
    jwt_audience: String,
    /// Seconds a node trusts what it read about an account behind a token or a report link: the
    /// longest a withdrawn right (account disabled, roles or secret changed) keeps working on
    /// another node. 0 reads the database on every request.
    #[arg(long, env = "KIV_ACCESS_CHECK_SECONDS", default_value_t = kiv_http::auth::access::DEFAULT_ACCESS_CHECK_TTL.as_secs(), value_parser = clap::value_parser!(u64).range(0..=60))]
    access_check_seconds: u64,
}

/// What one request may cost.
#[derive(Debug, Args)]
struct LimitArgs {
    /// The largest request body, in bytes; larger ones are answered 413.
    #[arg(long, env = "KIV_BODY_LIMIT_BYTES", default_value_t = kiv_http::limits::DEFAULT_BODY_LIMIT, value_parser = parse_positive_usize)]
    body_limit_bytes: usize,
    /// Requests per minute per client (token subject, or address without a token); 0 disables.
    #[arg(long, env = "KIV_RATE_LIMIT_PER_MINUTE", default_value_t = kiv_http::limits::DEFAULT_RATE_LIMIT_PER_MINUTE)]
    rate_limit_per_minute: u32,
    /// Seconds a request may take before it is abandoned with 503.
    #[arg(long, env = "KIV_REQUEST_TIMEOUT_SECONDS", default_value_t = kiv_http::limits::DEFAULT_REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout_seconds: u64,
    /// The largest `pageSize` of a collection.
    #[arg(long, env = "KIV_MAX_PAGE_SIZE", default_value_t = kiv_domain::MAX_PAGE_SIZE, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    max_page_size: u32,
    /// Reports computed at the same time; more wait their turn (within the request timeout).
    /// Default: half the cores, at least one.
    #[arg(long, env = "KIV_REPORT_CONCURRENCY", default_value_t = kiv_http::limits::default_report_concurrency(), value_parser = parse_positive_usize)]
    report_concurrency: usize,
}

impl LimitArgs {
    fn limits(&self) -> kiv_http::limits::Limits {
        kiv_http::limits::Limits {
            body_limit: self.body_limit_bytes,
            rate_limit_per_minute: self.rate_limit_per_minute,
            request_timeout: Duration::from_secs(self.request_timeout_seconds),
            max_page_size: self.max_page_size,
            report_concurrency: self.report_concurrency,
        }
    }
}

/// How the service is reached: what absolute links start with, and whose forwarded headers count.
#[derive(Debug, Args)]
struct OriginArgs {
    /// The URL clients reach kiv at, e.g. `https://kiv.example.be`: every absolute link (report
    /// links, `Location`, problem `href`s, paging links) starts with it, whatever the request's
    /// `Host` or forwarded headers say. Without it, links use the `Host` of the request (or, from
    /// a trusted proxy, the forwarded host and scheme).
    #[arg(long, env = "KIV_PUBLIC_BASE_URL", value_name = "URL", value_parser = kiv_http::origin::Origin::parse_base_url)]
    public_base_url: Option<String>,
    /// Comma-separated addresses or networks (`10.0.0.5,192.168.0.0/16,::1`) of the reverse
    /// proxies in front of kiv. Only on their connections are `Forwarded` and
    /// `X-Forwarded-For/-Host/-Proto` honoured, for links and for the client address that log-in
    /// throttling and rate limits count; from anyone else they are ignored.
    #[arg(long, env = "KIV_TRUSTED_PROXIES", value_name = "IP|CIDR,...", value_delimiter = ',', value_parser = kiv_http::origin::Origin::parse_proxy)]
    trusted_proxies: Vec<ipnet::IpNet>,
}

impl OriginArgs {
    fn origin(&self) -> kiv_http::origin::Origin {
        kiv_http::origin::Origin::new(self.public_base_url.clone(), self.trusted_proxies.clone())
    }
}

/// How much synthetic content `seed --synthetic` generates (defaults: about 10,000 actions,
/// 80,000 follow-ups and 200,000 indicator values).
#[derive(Debug, Args)]
struct SyntheticArgs {
    /// Police zones, each an organisation under the local police.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().zones)]
    zones: usize,
    /// Actions each zone leads.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().actions_per_zone)]
    actions_per_zone: usize,
    /// Actions led by federal services.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().federal_actions)]
    federal_actions: usize,
    /// Reporting periods with follow-ups, from the first (2016S1) on: at most 8.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().periods,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=8))]
    periods: usize,
    /// Strategic objectives per cluster.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().strategic_per_cluster)]
    strategic_per_cluster: usize,
    /// Operational objectives under each strategic one.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().operational_per_strategic)]
    operational_per_strategic: usize,
    /// Indicators of each action.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().indicators_per_action)]
    indicators_per_action: usize,
    /// Seed of the generator: the same seed and options give the same content.
    #[arg(long, requires = "synthetic", default_value_t = SyntheticOptions::default().seed)]
    seed: u64,
}

impl From<SyntheticArgs> for SyntheticOptions {
    fn from(args: SyntheticArgs) -> Self {
        let SyntheticArgs {
            zones,
            actions_per_zone,
            federal_actions,
            periods,
            strategic_per_cluster,
            operational_per_strategic,
            indicators_per_action,
            seed,
        } = args;
        Self {
            zones,
            actions_per_zone,
            federal_actions,
            periods,
            strategic_per_cluster,
            operational_per_strategic,
            indicators_per_action,
            seed,
        }
    }
}

fn parse_positive_usize(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (applies pending migrations; loads the reference data into an empty database).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "KIV_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Worker threads (default: one per core).
        #[arg(long, env = "KIV_WORKERS")]
        workers: Option<usize>,
        /// Also load the demo accounts (password `demo`); never in production.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        tokens: TokenArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        origin: OriginArgs,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the reference data (plans, clusters, themes, organisations); idempotent.
    Seed {
        /// Read the seed files from this directory instead of the copy built into kiv.
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// Also load the demo police zone and demo accounts (password `demo`); never in production.
        #[arg(long)]
        demo: bool,
        /// Also generate synthetic plan content at scale (for benchmarks; never in production).
        #[arg(long)]
        synthetic: bool,
        #[command(flatten)]
        scale: SyntheticArgs,
    },
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Write the OpenAPI document (openapi.json and openapi.yaml).
    Openapi {
        /// Directory to write to.
        #[arg(long, default_value = "openapi")]
        out_dir: PathBuf,
        /// Compare with the files instead of writing them; fail when they differ.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kiv: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(cli: &Cli) {
    let filter = EnvFilter::try_new(&cli.log).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal: a log file or collector would get the escape codes verbatim.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => builder.fmt_fields(logging::text_fields()).init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let pool = PoolOptions {
        max_size: cli.pool_size,
        acquire_timeout: Duration::from_secs(cli.pool_timeout_seconds),
    };
    match cli.command {
        Command::Serve {
            bind,
            workers,
            demo,
            tokens,
            limits,
            origin,
        } => {
            let database = open(&cli.database_url, pool)?;
            prepare(&database)?;
            if demo {
                load_demo(&database)?;
            }
            let access_check = Duration::from_secs(tokens.access_check_seconds);
            let tokens = token_service(&tokens, &database)?;
            let listener =
                TcpListener::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
            let mut options = ServerOptions::default();
            if let Some(workers) = workers {
                options.workers = workers;
            }
            let limits = limits.limits();
            tracing::info!(address = %bind, backend = database.backend().as_str(), ?limits, "kiv listening; API under http://{bind}/kiv/v1, docs at http://{bind}/kiv/v1/doc");
            let origin = origin.origin();
            tracing::info!(?origin, "links and client addresses");
            let state = AppState::new(database, tokens)
                .with_limits(limits)
                .with_origin(origin)
                .with_access_check_ttl(access_check);
            let server = kiv_http::server(state, listener, &options)?;
            actix_web::rt::System::new().block_on(server)?;
            tracing::info!("kiv stopped");
            Ok(())
        }
        Command::Migrate => {
            let database = open(&cli.database_url, pool)?;
            let applied = migrations::run_pending(&mut *database.connection()?)?;
            if applied.is_empty() {
                println!("database is up to date");
            }
            for name in applied {
                println!("applied {name}");
            }
            Ok(())
        }
        Command::Seed {
            from,
            demo,
            synthetic,
            scale,
        } => {
            let database = open(&cli.database_url, pool)?;
            let mut conn = database.connection()?;
            migrations::run_pending(&mut conn)?;
            let data = match from {
                Some(dir) => ReferenceData::from_dir(&dir)?,
                None => ReferenceData::embedded()?,
            };
            let report = seed::apply(&mut conn, &data)?;
            println!("{report}");
            drop(conn);
            if demo {
                load_demo(&database)?;
            }
            if synthetic {
                let started = Instant::now();
                let counts = kiv_store::synthetic::apply(
                    &mut *database.connection()?,
                    &SyntheticOptions::from(scale),
                )?;
                println!(
                    "synthetic content of {}: {counts}; in {:.2} s",
                    kiv_store::synthetic::SYNTHETIC_PLAN,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Account(AccountCommand::Create {
            login,
            organisation_id,
            roles,
            client,
        }) => {
            let database = open(&cli.database_url, pool)?;
            let mut conn = database.connection()?;
            migrations::run_pending(&mut conn)?;
            let kind = if client {
                AccountKind::Client
            } else {
                AccountKind::Person
            };
            if let Some(issue) = kiv_domain::access::check_login("login", &login)
                .or_else(|| kiv_domain::access::check_roles(&roles))
            {
                bail!("{}", issue.detail);
            }
            let secret = generate_secret();
            let new = NewAccount {
                kind,
                login,
                organisation_id,
                roles,
            };
            let account = accounts::create(&mut conn, &Caller::system(), new, &secret)?;
            let (id_label, secret_label) = match kind {
                AccountKind::Client => ("client_id", "client_secret"),
                AccountKind::Person => ("username", "password"),
            };
            println!("{id_label}: {}", account.login);
            println!("{secret_label}: {secret}");
            eprintln!("kiv: store the {secret_label} now; it is not shown again");
            Ok(())
        }
        Command::Openapi { out_dir, check } => write_openapi(&out_dir, check),
    }
}

fn open(url: &str, pool: PoolOptions) -> anyhow::Result<Database> {
    let url: DatabaseUrl = url.parse()?;
    tracing::info!(database = %url, "connecting");
    Ok(Database::connect(url, pool)?)
}

/// Brings the schema up to date, loads the reference data into a database that has none, and
/// creates the first administrator in a database without accounts.
fn prepare(database: &Database) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    // Under the start-up lock as a whole, so that of two nodes starting on a fresh database only
    // one creates the administrator.
    kiv_store::migrations::exclusively(&mut conn, prepare_locked)
}

fn prepare_locked(conn: &mut kiv_store::DbConnection) -> anyhow::Result<()> {
    let preparation = kiv_store::prepare(conn)?;
    for name in preparation.migrations {
        tracing::info!(migration = %name, "applied migration");
    }
    if let Some(report) = preparation.seeded {
        tracing::info!(%report, "loaded reference data into the new database");
    }
    if accounts::count(conn)? == 0 {
        let (password, generated) = match std::env::var("KIV_BOOTSTRAP_ADMIN_PASSWORD") {
            Ok(password) if !password.is_empty() => (password, false),
            _ => (generate_secret(), true),
        };
        let admin = NewAccount {
            kind: AccountKind::Person,
            login: BOOTSTRAP_ADMIN.into(),
            organisation_id: "fod-binnenlandse-zaken".into(),
            roles: vec![Role::Admin],
        };
        accounts::create(conn, &Caller::system(), admin, &password)?;
        if generated {
            println!(
                "kiv: created the administrator account {BOOTSTRAP_ADMIN:?} with the password {password}\n\
                 kiv: it is shown this once; set KIV_BOOTSTRAP_ADMIN_PASSWORD to choose it instead"
            );
        } else {
            tracing::info!(
                username = BOOTSTRAP_ADMIN,
                "created the administrator account with the password of KIV_BOOTSTRAP_ADMIN_PASSWORD"
            );
        }
    }
    Ok(())
}

/// The username of the administrator created on first start.
const BOOTSTRAP_ADMIN: &str = "admin";

fn load_demo(database: &Database) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    kiv_store::migrations::exclusively(&mut conn, load_demo_locked)
}

fn load_demo_locked(conn: &mut kiv_store::DbConnection) -> anyhow::Result<()> {
    let created = demo::apply(conn)?;
    match kiv_store::demo_plan::apply(conn)? {
        Some(content) => tracing::info!(
            objectives = content.objectives,
            actions = content.actions,
            follow_ups = content.follow_ups,
            cluster_follow_ups = content.cluster_follow_ups,
            evaluations = content.evaluations,
            "loaded the illustrative demo plan content"
        ),
        None => tracing::info!("the illustrative demo plan content is loaded already"),
    }
    let banner = "DEMO ACCOUNTS ARE ENABLED: every demo-* account has the password (or client secret) \"demo\". Never use --demo in production.";
    eprintln!("\n{}\n!!! {banner}\n{}\n", "!".repeat(80), "!".repeat(80));
    tracing::warn!(created = ?created, "{banner}");
    Ok(())
}

/// The token service the configuration asks for.
fn token_service(args: &TokenArgs, database: &Database) -> anyhow::Result<TokenService> {
    let settings = TokenSettings {
        issuer: args.jwt_issuer.clone(),
        audience: args.jwt_audience.clone(),
        ttl: Duration::from_secs(args.token_ttl_seconds),
    };
    if let Some(path) = &args.jwt_private_key {
        let private = std::fs::read(path)
            .with_context(|| format!("cannot read KIV_JWT_PRIVATE_KEY {}", path.display()))?;
        let previous = args
            .jwt_public_keys
            .iter()
            .map(|path| {
                std::fs::read(path)
                    .map(|pem| (path.display().to_string(), pem))
                    .with_context(|| format!("cannot read public key {}", path.display()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let service = TokenService::asymmetric(&private, &previous, settings)?;
        tracing::info!(algorithm = ?service.algorithm(), "signing tokens with the configured private key; public keys at /kiv/v1/auth/jwks.json");
        return Ok(service);
    }
    let secret = match &args.jwt_secret {
        Some(secret) => secret.clone(),
        None => {
            let (secret, created) = secrets::get_or_create(
                &mut *database.connection()?,
                JWT_SECRET_NAME,
                generate_secret,
            )?;
            let message = "no KIV_JWT_SECRET or KIV_JWT_PRIVATE_KEY configured: signing tokens (HS256) with a secret kiv generated and keeps in its database (table server_secrets), so tokens survive restarts; configure a key pair in production";
            if created {
                tracing::warn!("{message}");
            } else {
                tracing::info!("{message}");
            }
            secret
        }
    };
    Ok(TokenService::hs256(secret.as_bytes(), settings)?)
}

/// The name under which the generated HS256 secret is kept.
const JWT_SECRET_NAME: &str = "jwt-hs256-secret";

fn write_openapi(out_dir: &Path, check: bool) -> anyhow::Result<()> {
    let document = kiv_http::openapi();
    let files = [
        ("openapi.json", format!("{}\n", document.to_pretty_json()?)),
        ("openapi.yaml", document.to_yaml()?),
    ];
    let mut stale = Vec::new();
    for (name, content) in files {
        let path = out_dir.join(name);
        if check {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if committed != content {
                stale.push(path.display().to_string());
            }
        } else {
            std::fs::create_dir_all(out_dir)?;
            std::fs::write(&path, content)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        bail!(
            "{} differ from the code; run `cargo run -- openapi` and commit the result",
            stale.join(" and ")
        );
    }
    Ok(())
}
