//! The built-in operator sandbox: a stand-in for the operator's network that keeps, per number,
//! a balance, data, a plan and a SIM in the shop's database, and a ledger of every request key
//! it has done. A key it has seen is answered as done without doing anything again, which is
//! what the exactly-once tests count. It can be told to refuse some numbers for good, to fail a
//! share of requests for a while, and to be slow, so the shop's retries are exercised.
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Numeric, Text};

use super::operator::{OperatorError, OperatorGateway, OperatorRequest};
use crate::db::prepared;

#[derive(Debug, Clone, Default)]
pub struct OperatorSandbox {
    /// Percent (0–100) of requests answered as an outage (`OPERATOR_SANDBOX_FAILURE_PERCENT`).
    pub failure_percent: u32,
    /// How long each request takes (`OPERATOR_SANDBOX_DELAY_MS`).
    pub delay: Duration,
    /// Numbers the operator refuses for good, as barred (`OPERATOR_SANDBOX_REFUSE`).
    pub refuse: Vec<String>,
}

fn outage(percent: u32) -> bool {
    if percent == 0 {
        return false;
    }
    let mut b = [0u8; 4];
    // Without randomness the sandbox simply does not fail.
    getrandom::fill(&mut b).is_ok() && u32::from_le_bytes(b) % 100 < percent
}

impl OperatorGateway for OperatorSandbox {
    fn send(&self, conn: &mut PgConnection, key: &str, request: &OperatorRequest) -> Result<(), OperatorError> {
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        if self.refuse.iter().any(|n| n == request.msisdn()) {
            return Err(OperatorError::Refused(format!("number {} is barred", request.msisdn())));
        }
        if outage(self.failure_percent) {
            return Err(OperatorError::Transient("sandbox outage (OPERATOR_SANDBOX_FAILURE_PERCENT)".into()));
        }
        apply(conn, key, request).map_err(|e| OperatorError::Transient(format!("sandbox: {e}")))
    }
}

/// Records the request under its key and, the first time only, does it.
fn apply(conn: &mut PgConnection, key: &str, request: &OperatorRequest) -> Result<(), diesel::result::Error> {
    let amount = match request {
        OperatorRequest::TopUp { amount, .. } => Some(*amount),
        _ => None,
    };
    let detail = serde_json::to_value(request).unwrap_or_default();
    conn.transaction(|conn| {
        let first = prepared(
            "INSERT INTO sandbox_operator_ledger (key, msisdn, operation, amount, detail) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind::<Text, _>(key)
        .bind::<Text, _>(request.msisdn())
        .bind::<Text, _>(request.operation())
        .bind::<Nullable<Numeric>, _>(amount)
        .bind::<Jsonb, _>(detail)
        .execute(conn)?;
        if first == 0 {
            return Ok(());
        }
        prepared("INSERT INTO sandbox_subscribers (msisdn) VALUES ($1) ON CONFLICT (msisdn) DO NOTHING")
            .bind::<Text, _>(request.msisdn())
            .execute(conn)?;
        match request {
            OperatorRequest::Activate { msisdn, sim, iccid } | OperatorRequest::ReissueEsim { msisdn, iccid, sim } => {
                prepared("UPDATE sandbox_subscribers SET sim = $2, iccid = $3, updated_at = now() WHERE msisdn = $1")
                    .bind::<Text, _>(msisdn)
                    .bind::<Text, _>(*sim)
                    .bind::<Text, _>(iccid)
                    .execute(conn)?;
            }
            OperatorRequest::TopUp { msisdn, amount } => {
                prepared("UPDATE sandbox_subscribers SET balance = balance + $2, updated_at = now() WHERE msisdn = $1")
                    .bind::<Text, _>(msisdn)
                    .bind::<Numeric, _>(amount)
                    .execute(conn)?;
            }
            OperatorRequest::DataPack { msisdn, data_mb, .. } => {
                prepared("UPDATE sandbox_subscribers SET data_mb = data_mb + $2, updated_at = now() WHERE msisdn = $1")
                    .bind::<Text, _>(msisdn)
                    .bind::<BigInt, _>(data_mb)
                    .execute(conn)?;
            }
            OperatorRequest::StartPlan { msisdn, plan, units, data_mb, validity_days, .. } => {
                prepared(
                    "UPDATE sandbox_subscribers SET plan = $2, balance = balance + $3, data_mb = data_mb + $4, \
                     plan_until = now() + make_interval(days => $5::int), updated_at = now() WHERE msisdn = $1",
                )
                .bind::<Text, _>(msisdn)
                .bind::<Text, _>(plan)
                .bind::<Numeric, _>(rust_decimal::Decimal::from(*units))
                .bind::<BigInt, _>(data_mb)
                .bind::<BigInt, _>(validity_days)
                .execute(conn)?;
            }
        }
        Ok(())
    })
}
