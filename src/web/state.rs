//! What every handler can reach: the database, the configuration, start-up-built documents.
use std::sync::mpsc::Sender;
use std::sync::Arc;

use actix_web::web::Bytes;

use super::category_menu::CategoryMenu;
use super::hashing::PasswordWork;
use crate::config::Config;
use crate::db::Db;
use crate::domain::payments::sandbox::SandboxProvider;
use crate::domain::payments::PaymentProvider;
use crate::domain::shared::ShopRules;

pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// The OpenAPI document, serialized once at start-up.
    pub openapi_json: Bytes,
    pub category_menu: CategoryMenu,
    pub password_work: PasswordWork,
    /// Wakes this process's job runner after queuing work (`None` when it does not run one).
    pub jobs_wake: Option<Sender<()>>,
    /// The rules domain calls apply, built once from the configuration.
    pub rules: ShopRules,
    /// Where shoppers pay (`None`: no provider configured, checkout answers 503).
    pub payments: Option<Arc<dyn PaymentProvider>>,
}

impl AppState {
    /// The payment provider, or 503 when none is configured.
    pub fn payment_provider(&self) -> Result<&dyn PaymentProvider, crate::web::error::AppError> {
        self.payments
            .as_deref()
            .ok_or_else(|| crate::web::error::AppError::Unavailable("no payment provider is configured".into()))
    }

    /// The sandbox provider, or 404 where it is off (its endpoints then do not exist).
    pub fn sandbox(&self) -> Result<&SandboxProvider, crate::web::error::AppError> {
        self.payments.as_deref().and_then(|p| p.as_sandbox()).ok_or(crate::web::error::AppError::NotFound)
    }

    pub fn wake_jobs(&self) {
        if let Some(tx) = &self.jobs_wake {
            let _ = tx.send(());
        }
    }
}
