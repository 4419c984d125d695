//! The outside world the shop talks to, built once and handed to `Application::build`: the
//! clock, the payment provider, the mailer (and, with the telco core, the operator gateway).
//! Production builds them from the configuration; tests fix the clock or put a fake of an
//! outside system in their place (never of our own database).
use std::sync::Arc;

use crate::config::Config;
use crate::domain::payments::sandbox::SandboxProvider;
use crate::domain::payments::PaymentProvider;
use crate::domain::shared::{Clock, SystemClock};
use crate::mail::{Mailer, OutboxMailer, SmtpMailer};

#[derive(Clone)]
pub struct Services {
    pub clock: Arc<dyn Clock>,
    /// Where shoppers pay (`None`: no provider configured, checkout answers 503).
    pub payments: Option<Arc<dyn PaymentProvider>>,
    pub mailer: Arc<dyn Mailer>,
}

impl Services {
    /// The system clock, the sandbox provider when `PAYMENTS_SANDBOX` is on (no real provider
    /// is wired in yet), and SMTP when `SMTP_URL` is set, else `.eml` files in `OUTBOX_DIR`.
    ///
    /// # Errors
    /// A `MAIL_FROM` or `SMTP_URL` that cannot be used, or an outbox that cannot be created.
    pub fn from_config(config: &Config) -> std::io::Result<Self> {
        Ok(Self { clock: Arc::new(SystemClock), payments: payment_provider(config), mailer: mailer(config)? })
    }
}

fn mailer(config: &Config) -> std::io::Result<Arc<dyn Mailer>> {
    let from: lettre::message::Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| std::io::Error::other(format!("MAIL_FROM {:?}: {e}", config.mail_from)))?;
    let mailer: Arc<dyn Mailer> = match &config.smtp_url {
        Some(url) => Arc::new(SmtpMailer::new(url.expose(), from).map_err(std::io::Error::other)?),
        None => Arc::new(
            OutboxMailer::new(config.outbox_dir.clone().into(), from)
                .map_err(|e| std::io::Error::other(format!("OUTBOX_DIR {:?}: {e}", config.outbox_dir)))?,
        ),
    };
    Ok(mailer)
}

fn payment_provider(config: &Config) -> Option<Arc<dyn PaymentProvider>> {
    config.payments_sandbox.then(|| {
        let sandbox = SandboxProvider::new(config.payments_webhook_secret.expose().as_bytes(), &config.public_url);
        Arc::new(sandbox) as Arc<dyn PaymentProvider>
    })
}
