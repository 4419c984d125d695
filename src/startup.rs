//! Building and running the server: `Application::build(config, services)` → `port()` →
//! `run_until_stopped()`.
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use diesel::Connection;

use crate::config::Config;
use crate::db::{self, Db};
use crate::domain::catalog::demo;
use crate::domain::fulfilment;
use crate::domain::payments::ProviderRefund;
use crate::domain::telco::operator::FulfilItem;
use crate::domain::telco::owned::ActivateNumber;
use crate::flows::hashing::PasswordWork;
use crate::flows::Shop;
use crate::mail;
use crate::services::Services;
use crate::telemetry;
use crate::web::{self, pages::errors, state::AppState};
use crate::worker;

pub struct Application {
    port: u16,
    db: Db,
    password_work: Arc<PasswordWork>,
    server: Server,
    runner: Option<worker::RunnerHandle>,
}

/// What `prepare_database` did, for the start-up log.
#[derive(Debug, Default)]
pub struct Prepared {
    pub created: bool,
    pub migrations: usize,
    pub seeded: bool,
}

/// Creates the database if it is missing and applies pending migrations; with `seed`, loads
/// the demo catalog into an empty catalog.
///
/// # Errors
/// A message saying which step failed.
pub fn prepare_database(config: &Config, seed: bool) -> Result<Prepared, String> {
    let url = config.database_url.expose();
    let created = db::create_database_if_missing(url).map_err(|e| db::explain(url, &e))?;
    let mut conn = diesel::PgConnection::establish(url).map_err(|e| db::explain(url, &e.into()))?;
    let migrations = db::migrate::run_pending(&mut conn)?;
    let mut seeded = false;
    if seed && demo::is_empty(&mut conn).map_err(|e| e.to_string())? {
        demo::seed_demo(&mut conn, &config.shop_rules().inventory_key).map_err(|e| format!("seeding failed: {e}"))?;
        seeded = true;
    }
    Ok(Prepared { created, migrations, seeded })
}

/// A job runner that sends the shop's mail, has the payment provider pay refunds out and the
/// operator fulfil paid lines.
fn job_runner(db: Db, config: &Config, services: &Services) -> worker::Runner {
    let sender = mail::Sender {
        db: db.clone(),
        clock: services.clock.clone(),
        mailer: services.mailer.clone(),
        public_url: config.public_url.clone(),
        pickup_key: config.shop_rules().inventory_key,
    };
    let mut performers = mail::performers(worker::Performers::new(), sender);
    if let Some(provider) = services.payments.clone() {
        let (db, clock) = (db.clone(), services.clock.clone());
        performers = performers.on(move |refund: ProviderRefund| {
            let mut conn = db.get().map_err(|e| e.to_string())?;
            provider.refund(&mut conn, &refund, clock.now())
        });
    }
    if let Some(gateway) = services.operator.clone() {
        let (db, clock) = (db.clone(), services.clock.clone());
        let (activations, activation_db, activation_clock) = (gateway.clone(), db.clone(), clock.clone());
        performers = performers
            .on(move |job: FulfilItem| {
                let mut conn = db.get().map_err(|e| e.to_string())?;
                fulfilment::perform(&mut conn, gateway.as_ref(), &job, || clock.now())
            })
            .on(move |job: ActivateNumber| {
                let mut conn = activation_db.get().map_err(|e| e.to_string())?;
                fulfilment::perform_activation(&mut conn, activations.as_ref(), &job, || activation_clock.now())
            });
    }
    worker::Runner { db, clock: services.clock.clone(), performers, lease: config.job_lease }
}

/// The job runner alone (`storefront worker`): a process that serves no HTTP.
pub struct Worker {
    runner: worker::RunnerHandle,
}

impl Worker {
    /// Starts the runner thread with the mail performers.
    ///
    /// # Errors
    /// The database URL is unusable or the thread cannot start.
    pub fn start(config: &Config, services: Services) -> std::io::Result<Self> {
        let size = config.db_pool_size.min(4);
        let db = Db::new(config.database_url.expose(), size, size).map_err(std::io::Error::other)?;
        let runner = worker::spawn(job_runner(db, config, &services))?;
        Ok(Self { runner })
    }

    /// Lets the current job finish, then stops.
    pub fn stop(self) {
        self.runner.shut_down();
    }
}

impl Application {
    /// Binds the listener (port 0 picks a free one) and builds the server; nothing runs yet.
    /// `services` makes the outside world from the final configuration (its public URL is
    /// known only once the port is bound): `Services::from_config` in production, fakes or a
    /// fixed clock in tests.
    pub fn build(
        mut config: Config,
        services: impl FnOnce(&Config) -> std::io::Result<Services>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(&config.bind)?;
        let bound = listener.local_addr()?;
        let port = bound.port();
        // Without PUBLIC_URL, links name the address actually bound (port 0 picks one).
        if config.public_url == format!("http://{}", config.bind) {
            config.public_url = format!("http://{bound}");
        }
        let services = services(&config)?;
        let db = Db::new(config.database_url.expose(), config.db_pool_size, config.db_write_pool_size)
            .map_err(std::io::Error::other)?;
        let production = config.is_production();
        let session_key = web::session::key(&config);
        let (jobs_wake, runner) = if config.job_runner {
            let handle = worker::spawn(job_runner(db.clone(), &config, &services))?;
            (Some(handle.waker()), Some(handle))
        } else {
            (None, None)
        };
        let session_config = config.clone();
        crate::i18n::brand::set(config.brand.clone());
        web::assets::warm();
        let password_work = Arc::new(PasswordWork::for_this_machine());
        let shop = Shop {
            db: db.clone(),
            rules: config.shop_rules(),
            limits: config.attempt_limits(),
            services,
            password_work: Arc::clone(&password_work),
            jobs_wake,
            products: Arc::default(),
        };
        let state = actix_web::web::Data::new(AppState {
            shop,
            config: Arc::new(config),
            openapi_json: web::api::openapi::document_json().into(),
            category_menu: web::category_menu::CategoryMenu::new(web::category_menu::TIME_TO_LIVE),
            live: web::live::LiveFeed::start(db.clone()),
            dashboard: web::category_menu::Kept::new(web::admin::dashboard::DASHBOARD_TTL),
            jobs: runner.as_ref().map(worker::RunnerHandle::health),
        });
        let server = HttpServer::new(move || {
            // Assets need no session, language, CSRF check, error page or document policy
            // (they set nosniff themselves): the busiest path passes only the request log.
            App::new()
                .app_data(state.clone())
                .configure(web::asset_routes)
                .service(
                    actix_web::web::scope("")
                        .configure(web::routes)
                        .default_service(actix_web::web::to(errors::not_found))
                        .wrap(from_fn(web::csrf::protect))
                        .wrap(from_fn(errors::html_errors))
                        .wrap(from_fn(web::extract::resolve_language))
                        .wrap(web::session::middleware(&session_config, session_key.clone()))
                        .wrap(web::security_headers(production))
                        .wrap(from_fn(web::headers::no_store_for_personal)),
                )
                // Pages, CSS, JS and JSON go out gzip or brotli when the client takes them;
                // pictures (already compressed) and the live feed (identity) do not.
                .wrap(actix_web::middleware::Compress::default())
                .wrap(from_fn(telemetry::log_requests))
        })
        .listen(listener)?
        .run();
        Ok(Self { port, db, password_work, server, runner })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> Db {
        self.db.clone()
    }

    /// The password hashing of this server, which counts its work.
    pub fn password_work(&self) -> Arc<PasswordWork> {
        Arc::clone(&self.password_work)
    }

    /// Serves until stopped (SIGINT/SIGTERM), then stops the job runner after its current job.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(runner) = self.runner {
            let _ = actix_web::web::block(move || runner.shut_down()).await;
        }
        served
    }
}
