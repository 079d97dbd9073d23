//! The `kiv` command: runs the API and the chores around it (migrations, reference data, the
//! OpenAPI document).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use kiv_http::{AppState, ServerOptions};
use kiv_store::seed::{self, ReferenceData};
use kiv_store::{migrations, Database, DatabaseUrl, PoolOptions};
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

    #[command(subcommand)]
    command: Command,
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
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the reference data (plans, clusters, themes, organisations); idempotent.
    Seed {
        /// Read the seed files from this directory instead of the copy built into kiv.
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
    },
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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let pool = PoolOptions {
        max_size: cli.pool_size,
        ..PoolOptions::default()
    };
    match cli.command {
        Command::Serve { bind, workers } => {
            let database = open(&cli.database_url, pool)?;
            prepare(&database)?;
            let listener =
                TcpListener::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
            let mut options = ServerOptions::default();
            if let Some(workers) = workers {
                options.workers = workers;
            }
            tracing::info!(address = %bind, backend = database.backend().as_str(), "kiv listening; API under http://{bind}/kiv/v1, docs at http://{bind}/kiv/v1/doc");
            let server = kiv_http::server(AppState::new(database), listener, &options)?;
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
        Command::Seed { from } => {
            let database = open(&cli.database_url, pool)?;
            let mut conn = database.connection()?;
            migrations::run_pending(&mut conn)?;
            let data = match from {
                Some(dir) => ReferenceData::from_dir(&dir)?,
                None => ReferenceData::embedded()?,
            };
            let report = seed::apply(&mut conn, &data)?;
            println!("{report}");
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

/// Brings the schema up to date and loads the reference data into a database that has none.
fn prepare(database: &Database) -> anyhow::Result<()> {
    let preparation = kiv_store::prepare(&mut *database.connection()?)?;
    for name in preparation.migrations {
        tracing::info!(migration = %name, "applied migration");
    }
    if let Some(report) = preparation.seeded {
        tracing::info!(%report, "loaded reference data into the new database");
    }
    Ok(())
}

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
