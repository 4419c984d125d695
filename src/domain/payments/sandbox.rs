//! The built-in sandbox provider: it "takes" the money on its hosted page (or through
//! `simulate`) and tells the shop the way a real provider does, with a signed event that goes
//! through the same verification as any webhook.
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use super::commands::{get_payment, record_event};
use super::provider::PaymentProvider;
use super::types::{Outcome, Payment, ProviderRefund, WebhookEvent};
use super::webhook::{event_body, sign, verify, SIGNATURE_HEADER};
use super::PaymentError;
use crate::domain::shared::PaymentId;

pub const PROVIDER: &str = "sandbox";

pub struct SandboxProvider {
    secret: Vec<u8>,
    public_url: String,
}

impl SandboxProvider {
    /// `secret` signs and checks webhooks; `public_url` is where the hosted page is reached.
    pub fn new(secret: &[u8], public_url: &str) -> Self {
        Self { secret: secret.to_vec(), public_url: public_url.trim_end_matches('/').to_string() }
    }
}

/// The sandbox's hosted payment page.
pub fn pay_path(payment: PaymentId) -> String {
    format!("/payments/{payment}/pay")
}

impl PaymentProvider for SandboxProvider {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn redirect_url(&self, payment: PaymentId) -> String {
        format!("{}{}", self.public_url, pay_path(payment))
    }

    fn signature_header(&self) -> &'static str {
        SIGNATURE_HEADER
    }

    fn verify_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, PaymentError> {
        verify(&self.secret, signature, body, now)
    }

    fn is_sandbox(&self) -> bool {
        true
    }

    /// Records the refund on the sandbox's side, as a provider keeps its payouts: once per
    /// refund, never more in all than the payment took.
    fn refund(&self, conn: &mut PgConnection, refund: &ProviderRefund, now: DateTime<Utc>) -> Result<(), String> {
        use diesel::sql_types::{Numeric, Timestamptz, Uuid as SqlUuid};
        use diesel::RunQueryDsl;
        if refund.provider != PROVIDER {
            return Err(format!("a refund of a {} payment sent to the sandbox", refund.provider));
        }
        let paid_out = diesel::sql_query(
            "INSERT INTO sandbox_refunds (refund_id, payment_id, amount, created_at) \
             SELECT $1, p.id, $3, $4 FROM payments p \
             WHERE p.id = $2 AND p.provider = 'sandbox' \
               AND (SELECT coalesce(sum(amount), 0) FROM sandbox_refunds WHERE payment_id = p.id) + $3 <= p.amount \
             ON CONFLICT (refund_id) DO NOTHING",
        )
        .bind::<SqlUuid, _>(refund.refund_id)
        .bind::<SqlUuid, _>(refund.payment_id)
        .bind::<Numeric, _>(refund.amount)
        .bind::<Timestamptz, _>(now)
        .execute(conn)
        .map_err(|e| e.to_string())?;
        if paid_out == 1 || already_paid_out(conn, refund.refund_id)? {
            Ok(())
        } else {
            Err(format!(
                "the sandbox refuses to pay back {} of payment {}: more than it took",
                refund.amount, refund.payment_id
            ))
        }
    }

    /// Settles a sandbox payment as approved or declined by sending its signed event.
    ///
    /// # Errors
    /// `NotFound` for a payment of another provider or none; what applying the event may return.
    fn settle(
        &self,
        conn: &mut PgConnection,
        payment_id: PaymentId,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<Payment, PaymentError> {
        let payment = get_payment(conn, payment_id)?;
        if payment.provider != PROVIDER {
            return Err(PaymentError::NotFound);
        }
        let body = event_body(&format!("evt_{}", Uuid::new_v4().simple()), payment.id, outcome, payment.amount);
        let header = sign(&self.secret, now.timestamp(), &body);
        let event = self.verify_webhook(Some(&header), &body, now)?;
        record_event(conn, PROVIDER, &event, now)
    }
}

/// Whether the sandbox already paid out `refund_id` (a retry after a crash).
fn already_paid_out(conn: &mut PgConnection, refund_id: Uuid) -> Result<bool, String> {
    use crate::db::schema::sandbox_refunds;
    use diesel::prelude::*;
    diesel::select(diesel::dsl::exists(sandbox_refunds::table.find(refund_id)))
        .get_result(conn)
        .map_err(|e| e.to_string())
}
