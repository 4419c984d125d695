//! The payment provider, as the shop sees one: where a shopper pays, and how its signed webhooks
//! are read. The built-in sandbox is one; a real provider is another implementation, chosen at
//! start-up.
use chrono::{DateTime, Utc};

use diesel::PgConnection;

use super::types::{Outcome, Payment, ProviderRefund, WebhookEvent};
use super::PaymentError;
use crate::domain::shared::PaymentId;

pub trait PaymentProvider: Send + Sync {
    /// The name stored with each payment and used in the webhook's path.
    fn name(&self) -> &'static str;

    /// The page where the shopper pays `payment`.
    fn redirect_url(&self, payment: PaymentId) -> String;

    /// The header that carries a webhook's signature.
    fn signature_header(&self) -> &'static str;

    /// Checks a webhook's signature and age, then reads its event.
    ///
    /// # Errors
    /// `SignatureInvalid`, `Stale`, or `Invalid` for a signed body that is not an event.
    fn verify_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, PaymentError>;

    /// Pays `refund` back to the shopper, once per `refund_id` (a retry of one already paid
    /// out is no second refund). Runs as a job: an error is retried with backoff.
    ///
    /// # Errors
    /// Why the provider did not pay it out.
    fn refund(&self, conn: &mut PgConnection, refund: &ProviderRefund, now: DateTime<Utc>) -> Result<(), String>;

    /// Whether this is the built-in sandbox, whose hosted page is one of the shop's own pages.
    fn is_sandbox(&self) -> bool {
        false
    }

    /// Settles a payment as approved or declined, as the provider itself would: only the
    /// sandbox can (`simulate`, its hosted page); a real provider settles on its own side.
    ///
    /// # Errors
    /// `NotFound` for a provider that cannot, or a payment that is not this provider's.
    fn settle(
        &self,
        _conn: &mut PgConnection,
        _payment_id: PaymentId,
        _outcome: Outcome,
        _now: DateTime<Utc>,
    ) -> Result<Payment, PaymentError> {
        Err(PaymentError::NotFound)
    }
}
