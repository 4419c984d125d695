//! The outside world the shop talks to, built once and handed to `Application::build`: the
//! clock, the payment provider, the mailer (and, with the telco core, the operator gateway).
//! Production builds them from the configuration; tests fix the clock or put a fake of an
//! outside system in their place (never of our own database).
use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::domain::payments::sandbox::SandboxProvider;
use crate::domain::payments::PaymentProvider;
use crate::domain::shared::{Clock, SystemClock};
use crate::domain::telco::operator::OperatorGateway;
use crate::domain::telco::sandbox::OperatorSandbox;
use crate::mail::{Mailer, OutboxMailer, SmtpMailer};
use crate::operator_client::HttpOperator;

#[derive(Clone)]
pub struct Services {
    pub clock: Arc<dyn Clock>,
    /// Where shoppers pay (`None`: no provider configured, checkout answers 503).
    pub payments: Option<Arc<dyn PaymentProvider>>,
    pub mailer: Arc<dyn Mailer>,
    /// Where fulfilment goes (`None`: no operator configured; operator jobs wait).
    pub operator: Option<Arc<dyn OperatorGateway>>,
}

impl Services {
    /// The system clock, the sandbox provider when `PAYMENTS_SANDBOX` is on (no real provider
    /// is wired in yet), and SMTP when `SMTP_URL` is set, else `.eml` files in `OUTBOX_DIR`.
    ///
    /// # Errors
    /// A `MAIL_FROM` or `SMTP_URL` that cannot be used, or an outbox that cannot be created.
    pub fn from_config(config: &Config) -> std::io::Result<Self> {
        Ok(Self {
            clock: Arc::new(SystemClock),
            payments: payment_provider(config),
            mailer: mailer(config)?,
            operator: operator(config)?,
        })
    }
}

/// The real operator when `OPERATOR_URL` is set, else the sandbox when `OPERATOR_SANDBOX` is on.
fn operator(config: &Config) -> std::io::Result<Option<Arc<dyn OperatorGateway>>> {
    if let Some(url) = &config.operator_url {
        let token = config.operator_token.as_ref().map(|t| t.expose().to_string());
        let client = HttpOperator::new(url, token, Duration::from_secs(15)).map_err(std::io::Error::other)?;
        return Ok(Some(Arc::new(client)));
    }
    Ok(config.operator_sandbox.then(|| {
        Arc::new(OperatorSandbox {
            failure_percent: config.operator_sandbox_failure_percent,
            delay: Duration::from_millis(u64::from(config.operator_sandbox_delay_ms)),
            refuse: config.operator_sandbox_refuse.clone(),
        }) as Arc<dyn OperatorGateway>
    }))
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
