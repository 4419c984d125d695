//! The `storefront` command line: serve | worker | migrate | seed --demo | create-staff.
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use storefront::config::Config;
use storefront::domain::catalog::demo;
use storefront::services::Services;
use storefront::startup::{prepare_database, Application};

#[derive(Parser)]
#[command(name = "storefront", version, about = "A mobile operator's own web shop")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Create and migrate the database, seed the demo catalog into an empty one, serve HTTP.
    Serve {
        /// Do not load the demo catalog, even into an empty database.
        #[arg(long)]
        no_seed: bool,
    },
    /// Work the job queue (mail, later operator calls) and expire unpaid orders, without serving
    /// HTTP: run one beside servers started with JOB_RUNNER=off to keep that work off their cores.
    Worker,
    /// Create the database if it is missing and apply pending migrations, then exit.
    Migrate,
    /// Load a catalog (idempotent).
    Seed {
        /// The demo catalog: devices, numbers, eSIM, data packs, top-ups, plans, branches.
        #[arg(long)]
        demo: bool,
    },
    /// Create or update a staff account.
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, value_parser = ["admin", "staff"])]
        role: String,
        /// Display name (kept as it is when omitted for an existing account).
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    let _log = storefront::telemetry::init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("storefront: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve { no_seed: false }) {
        Command::Serve { no_seed } => serve(config, !no_seed),
        Command::Worker => worker(config),
        Command::Migrate => prepare_database(&config, false).map(|p| {
            tracing::info!(created = p.created, migrations = p.migrations, "database ready");
        }),
        Command::Seed { demo: true } => seed_demo(&config),
        Command::Seed { demo: false } => Err("say which catalog to load: storefront seed --demo".into()),
        Command::CreateStaff { email, password, role, name } => create_staff(&config, &email, &password, &role, name),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("storefront: {e}");
            ExitCode::FAILURE
        }
    }
}

fn worker(config: Config) -> Result<(), String> {
    prepare_database(&config, false)?;
    let worker =
        storefront::startup::Worker::start(&config, Services::from_config(&config).map_err(|e| e.to_string())?)
            .map_err(|e| format!("cannot start the job runner: {e}"))?;
    tracing::info!("job runner working; stop with SIGINT or SIGTERM");
    actix_web::rt::System::new().block_on(async {
        #[cfg(unix)]
        {
            use actix_web::rt::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
            tokio_select(actix_web::rt::signal::ctrl_c(), term.recv()).await;
        }
        #[cfg(not(unix))]
        actix_web::rt::signal::ctrl_c().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(())
    })?;
    worker.stop();
    Ok(())
}

/// Waits for whichever of two signals comes first.
#[cfg(unix)]
async fn tokio_select<A: std::future::Future, B: std::future::Future>(a: A, b: B) {
    futures_util::pin_mut!(a, b);
    futures_util::future::select(a, b).await;
}

/// Field errors as an operator at a terminal reads them.
fn in_english(errors: &storefront::domain::shared::FieldErrors) -> String {
    let tr = storefront::i18n::Tr(storefront::domain::shared::Lang::En);
    let parts: Vec<String> =
        tr.fields(errors).into_iter().map(|(field, messages)| format!("{field} {}", messages.join(", "))).collect();
    parts.join("; ")
}

fn seed_demo(config: &Config) -> Result<(), String> {
    use diesel::Connection;
    prepare_database(config, false)?;
    let mut conn = diesel::PgConnection::establish(config.database_url.expose()).map_err(|e| e.to_string())?;
    let report = demo::seed_demo(&mut conn, &config.shop_rules().inventory_key).map_err(|e| e.to_string())?;
    tracing::info!(?report, "demo catalog loaded");
    Ok(())
}

fn create_staff(config: &Config, email: &str, password: &str, role: &str, name: Option<String>) -> Result<(), String> {
    use diesel::Connection;
    use storefront::domain::accounts::{commands, password as hashing, Email, Password, Role};
    let email = Email::parse(email, "email").map_err(|e| in_english(&e))?;
    let password = Password::parse(password, "password", Some(&email)).map_err(|e| in_english(&e))?;
    let role = Role::parse(role).filter(|r| r.is_staff()).ok_or("role must be admin or staff")?;
    prepare_database(config, false)?;
    let hash = hashing::hash(password.expose()).map_err(|e| e.to_string())?;
    let mut conn = diesel::PgConnection::establish(config.database_url.expose()).map_err(|e| e.to_string())?;
    let (account, created) =
        commands::upsert_staff(&mut conn, &email, &hash, role, name.as_deref()).map_err(|e| e.to_string())?;
    let verb = if created { "created" } else { "updated" };
    println!("{verb} {} account {} ({})", account.role.as_str(), account.email, account.id);
    Ok(())
}

fn serve(config: Config, seed: bool) -> Result<(), String> {
    // Settings are checked before anything is touched: a mail setting that cannot work is
    // named as such, not reported after the database was migrated as a failure to listen.
    Services::from_config(&config).map_err(|e| format!("cannot set up mail: {e}"))?;
    // A taken port is found before the database is created or migrated.
    std::net::TcpListener::bind(&config.bind).map_err(|e| {
        format!("cannot listen on BIND={}: {e}; stop what uses it or set BIND to a free address", config.bind)
    })?;
    let prepared = prepare_database(&config, seed)?;
    tracing::info!(
        created = prepared.created,
        migrations = prepared.migrations,
        seeded = prepared.seeded,
        env = ?config.app_env,
        "database ready"
    );
    if config.session_key.is_none() {
        tracing::warn!("SESSION_KEY is not set: using a random key for this process (development only)");
    }
    let bind = config.bind.clone();
    actix_web::rt::System::new().block_on(async move {
        let app =
            Application::build(config, Services::from_config).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        tracing::info!(address = %format!("http://{bind}"), port = app.port(), "serving");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}
