//! Use cases that more than one presentation runs (shop pages, admin pages, the API): the async
//! steps around a domain call (throttling, password hashing off the async threads, the payment
//! provider, waking the job runner), written once. Handlers parse, call one of these, render.
//! Never imports `web`: pages and API are both above this.
pub mod accounts;
pub mod cart;
pub mod hashing;
pub mod numbers;
pub mod orders;
pub mod throttle;

use std::sync::mpsc::Sender;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::domain::accounts::attempts::AttemptLimits;
use crate::domain::catalog::ProductMemory;
use crate::domain::payments::PaymentProvider;
use crate::domain::shared::ShopRules;
use crate::services::Services;
use hashing::PasswordWork;

/// What a flow works with: the database, the shop's rules, the outside world.
pub struct Shop {
    pub db: Db,
    pub rules: ShopRules,
    pub limits: AttemptLimits,
    pub services: Services,
    pub password_work: Arc<PasswordWork>,
    /// Wakes this process's job runner after queuing work (`None` when it does not run one).
    pub jobs_wake: Option<Sender<()>>,
    /// Products as this process last read them, for adding to carts (checked as it writes).
    pub products: Arc<ProductMemory>,
}

impl Shop {
    pub fn now(&self) -> DateTime<Utc> {
        self.services.clock.now()
    }

    /// The configured payment provider, if any.
    pub fn payments(&self) -> Option<&dyn PaymentProvider> {
        self.services.payments.as_deref()
    }

    /// Work was queued: the runner need not wait for its next poll.
    pub fn wake_jobs(&self) {
        if let Some(tx) = &self.jobs_wake {
            let _ = tx.send(());
        }
    }
}
