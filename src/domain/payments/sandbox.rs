//! The built-in sandbox provider: it "takes" the money on its hosted page (or through
//! `simulate`) and tells the shop the way a real provider does, with a signed event that goes
//! through the same verification as any webhook.
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use super::commands::{get_payment, record_event};
use super::provider::PaymentProvider;
use super::types::{Outcome, Payment, WebhookEvent};
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
