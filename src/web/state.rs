//! What every handler can reach: the database, the configuration, start-up-built documents.
use std::sync::mpsc::Sender;
use std::sync::Arc;

use actix_web::web::Bytes;

use super::category_menu::CategoryMenu;
use super::hashing::PasswordWork;
use crate::config::Config;
use crate::db::Db;
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
}

impl AppState {
    pub fn wake_jobs(&self) {
        if let Some(tx) = &self.jobs_wake {
            let _ = tx.send(());
        }
    }
}
