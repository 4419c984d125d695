//! The operator's network, as the shop sees it: the requests that touch it, how they can fail,
//! and the gateway that sends them. Each request carries a key the operator keeps, so sending it
//! again (after a timeout, a crash, a retry) never does it twice. The built-in sandbox is one
//! gateway; an HTTP client for a real operator at `OPERATOR_URL` is another.
use diesel::PgConnection;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::types::{Activation, SimKind};
use crate::domain::catalog::ProductKind;
use crate::domain::jobs::{JobKind, Queue};
use crate::domain::shared::OrderItemId;

/// What the shop asks the operator to do for a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "snake_case")]
pub enum OperatorRequest {
    /// Put a number on the network, on a physical SIM card or an eSIM profile (by ICCID).
    Activate { msisdn: String, sim: SimKind, iccid: String },
    /// Credit airtime units (balance).
    TopUp { msisdn: String, amount: Decimal },
    /// Add data, valid for some days.
    DataPack { msisdn: String, data_mb: i64, validity_days: i64 },
    /// Start a subscription plan: units, minutes, SMS and data for its validity.
    StartPlan { msisdn: String, plan: String, units: i64, minutes: i64, sms: i64, data_mb: i64, validity_days: i64 },
    /// Move a number to a new eSIM profile (`sim` is always `esim`); the old one stops working.
    ReissueEsim { msisdn: String, sim: SimKind, iccid: String },
}

impl OperatorRequest {
    pub fn msisdn(&self) -> &str {
        match self {
            OperatorRequest::Activate { msisdn, .. }
            | OperatorRequest::TopUp { msisdn, .. }
            | OperatorRequest::DataPack { msisdn, .. }
            | OperatorRequest::StartPlan { msisdn, .. }
            | OperatorRequest::ReissueEsim { msisdn, .. } => msisdn,
        }
    }

    /// The operation's name, as the operator's API and the sandbox's ledger know it.
    pub fn operation(&self) -> &'static str {
        match self {
            OperatorRequest::Activate { .. } => "activate",
            OperatorRequest::TopUp { .. } => "top_up",
            OperatorRequest::DataPack { .. } => "data_pack",
            OperatorRequest::StartPlan { .. } => "start_plan",
            OperatorRequest::ReissueEsim { .. } => "reissue_esim",
        }
    }
}

/// Why a request was not done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    /// It may work later: a timeout, the operator down or busy. Retried with backoff.
    #[error("operator unavailable: {0}")]
    Transient(String),
    /// The operator said no for good (a barred number, an unknown SIM): not retried; the line
    /// is refunded.
    #[error("operator refused: {0}")]
    Refused(String),
}

pub trait OperatorGateway: Send + Sync {
    /// Sends `request` under `key`: the same key sent again is done at most once. `conn` is the
    /// shop's database (the sandbox keeps its state there; a real operator ignores it).
    ///
    /// # Errors
    /// `Transient` or `Refused`.
    fn send(&self, conn: &mut PgConnection, key: &str, request: &OperatorRequest) -> Result<(), OperatorError>;
}

/// Whether a paid line is done by the operator: top-ups, packs, plans, eSIM re-issues, eSIMs and
/// numbers activated now. A number bought to activate later is the customer's at payment.
pub fn needs_operator(kind: ProductKind, activation: Option<Activation>) -> bool {
    match kind {
        ProductKind::TopUp | ProductKind::DataPack | ProductKind::Plan | ProductKind::Esim | ProductKind::Service => {
            true
        }
        ProductKind::Number => matches!(activation, Some(Activation::Esim | Activation::Physical)),
        ProductKind::Device => false,
    }
}

/// Fulfil one digital line of a paid order through the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilItem {
    pub item_id: OrderItemId,
}

pub const FULFIL_ITEM: &str = "fulfil_item";

impl JobKind for FulfilItem {
    const QUEUE: Queue = Queue::Operator;
    const KINDS: &'static [&'static str] = &[FULFIL_ITEM];

    fn kind(&self) -> &'static str {
        FULFIL_ITEM
    }

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{FULFIL_ITEM}:{}", self.item_id))
    }
}
