//! What every handler can reach: the shop the flows work with, the configuration, start-up-built
//! documents.
use std::sync::Arc;

use actix_web::web::Bytes;

use super::category_menu::CategoryMenu;
use crate::config::Config;
use crate::domain::payments::PaymentProvider;
use crate::flows::Shop;
use crate::web::error::AppError;

pub struct AppState {
    pub shop: Shop,
    pub config: Arc<Config>,
    /// The OpenAPI document, serialized once at start-up.
    pub openapi_json: Bytes,
    pub category_menu: CategoryMenu,
    /// The dashboard's figures, read at most every `DASHBOARD_TTL` on this process (at 100,000
    /// orders they take tens of milliseconds; the live feed says what happens meanwhile).
    pub dashboard: super::category_menu::Kept<crate::domain::reports::Dashboard>,
    /// Orders placed and paid, for the dashboards open on this process.
    pub live: super::live::LiveFeed,
    /// This process's job runner, when it runs one: `/readyz` fails once it stopped.
    pub jobs: Option<crate::worker::RunnerHealth>,
}

impl AppState {
    /// The configured payment provider, or 503 when there is none.
    pub fn payment_provider(&self) -> Result<&dyn PaymentProvider, AppError> {
        self.shop.payments().ok_or_else(|| AppError::from(crate::domain::payments::PaymentError::PaymentsUnavailable))
    }

    /// The sandbox's own endpoints and page exist only while the sandbox is the provider (404).
    pub fn require_sandbox(&self) -> Result<(), AppError> {
        if self.shop.payments().is_some_and(|p| p.is_sandbox()) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
