//! The payment provider, as the shop sees one: where a shopper pays, and how its signed webhooks
//! are read. The built-in sandbox is one; a real provider is another implementation, chosen at
//! start-up.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::sandbox::SandboxProvider;
use super::types::WebhookEvent;
use super::PaymentError;

pub trait PaymentProvider: Send + Sync {
    /// The name stored with each payment and used in the webhook's path.
    fn name(&self) -> &'static str;

    /// The page where the shopper pays `payment`.
    fn redirect_url(&self, payment: Uuid) -> String;

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

    /// The sandbox, which can also settle payments itself (`simulate`, its hosted page).
    fn as_sandbox(&self) -> Option<&SandboxProvider> {
        None
    }
}
