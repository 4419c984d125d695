//! The built-in sandbox provider: it "takes" the money on its hosted page (or through
//! `simulate`) and tells the shop the way a real provider does, with a signed event that goes
//! through the same verification as any webhook.
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use super::commands::{get_payment, record_event};
use super::types::{Outcome, Payment};
use super::webhook::{event_body, sign, verify};
use super::PaymentError;

pub const PROVIDER: &str = "sandbox";

/// Settles a sandbox payment as approved or declined by sending its signed event.
///
/// # Errors
/// `NotFound` for a payment of another provider or none; what applying the event may return.
pub fn simulate(
    conn: &mut PgConnection,
    secret: &[u8],
    payment_id: Uuid,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<Payment, PaymentError> {
    let payment = get_payment(conn, payment_id)?;
    if payment.provider != PROVIDER {
        return Err(PaymentError::NotFound);
    }
    let body = event_body(&format!("evt_{}", Uuid::new_v4().simple()), payment.id, outcome, payment.amount);
    let header = sign(secret, now.timestamp(), &body);
    let event = verify(secret, Some(&header), &body, now)?;
    record_event(conn, PROVIDER, &event, now)
}
