//! Mail: messages rendered from askama templates (HTML and plain text, both languages) and sent
//! with lettre, over SMTP when `SMTP_URL` is set, else written as `.eml` files to `./outbox/`.
//! Mail only ever leaves through the job queue (see `worker`), never from a request.
use std::path::PathBuf;

use askama::Template;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use serde_json::Value;

use crate::domain::accounts::reset::{MAIL_KIND as PASSWORD_RESET, RESET_LIFETIME};
use crate::domain::orders::mail::{
    CONFIRMATION as ORDER_CONFIRMATION, PAYMENT_FAILED, READY_FOR_PICKUP as ORDER_READY, SHIPPED as ORDER_SHIPPED,
};
use crate::domain::shared::Lang;
use crate::i18n::Tr;

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub trait Mailer: Send + Sync {
    /// Sends one message.
    ///
    /// # Errors
    /// Why the transport refused it; the job is retried later.
    fn send(&self, message: &Outgoing) -> Result<(), String>;
}

fn build(from: &Mailbox, m: &Outgoing) -> Result<Message, String> {
    let to: Mailbox = m.to.parse().map_err(|e| format!("bad recipient {:?}: {e}", m.to))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&m.subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(m.text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(m.html.clone())),
        )
        .map_err(|e| e.to_string())
}

pub struct SmtpMailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl SmtpMailer {
    /// # Errors
    /// When `url` is no SMTP URL lettre understands (`smtp://host:port`, `smtps://…`).
    pub fn new(url: &str, from: Mailbox) -> Result<Self, String> {
        let transport = SmtpTransport::from_url(url).map_err(|e| format!("SMTP_URL: {e}"))?.build();
        Ok(Self { transport, from })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, message: &Outgoing) -> Result<(), String> {
        self.transport.send(&build(&self.from, message)?).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Development: each message becomes an `.eml` file a developer can open.
pub struct OutboxMailer {
    transport: FileTransport,
    from: Mailbox,
    pub dir: PathBuf,
}

impl OutboxMailer {
    /// # Errors
    /// When the directory cannot be created.
    pub fn new(dir: PathBuf, from: Mailbox) -> Result<Self, String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Self { transport: FileTransport::new(&dir), from, dir })
    }
}

impl Mailer for OutboxMailer {
    fn send(&self, message: &Outgoing) -> Result<(), String> {
        self.transport.send(&build(&self.from, message)?).map(|_| ()).map_err(|e| e.to_string())
    }
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a> {
    t: Tr,
    name: &'a str,
    link: &'a str,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a> {
    t: Tr,
    name: &'a str,
    link: &'a str,
    minutes: i64,
}

struct OrderLine {
    name: String,
    quantity: i64,
    total: String,
    msisdn: Option<String>,
}

/// What an order mail says; written out once as HTML and once as plain text.
struct OrderMail<'a> {
    headline: &'a str,
    intro: &'a str,
    extra: Option<&'a str>,
    lines: &'a [OrderLine],
    shipping: &'a str,
    total: &'a str,
    vat: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/order.html")]
struct OrderHtml<'a> {
    t: Tr,
    mail: &'a OrderMail<'a>,
}

#[derive(Template)]
#[template(path = "mail/order.txt")]
struct OrderText<'a> {
    t: Tr,
    mail: &'a OrderMail<'a>,
}

/// The mails about an order: confirmation, declined payment, shipped, ready for pickup.
fn order_mail(kind: &str, payload: &Value, t: Tr, public_url: &str) -> Result<Outgoing, String> {
    let lang = t.0;
    let number = text(payload, "number");
    let order_id = text(payload, "order_id");
    let token = payload.pointer("/secret/token").and_then(Value::as_str).ok_or("order mail without its token")?;
    let link = format!("{}/orders/{order_id}?token={token}", public_url.trim_end_matches('/'));
    let localized = |v: &Value, key: &str| -> String {
        let k = format!("{key}_{}", lang.code());
        v.get(&k).and_then(Value::as_str).unwrap_or_default().to_string()
    };
    let lines: Vec<OrderLine> = payload
        .get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| OrderLine {
                    name: localized(i, "name"),
                    quantity: i.get("quantity").and_then(Value::as_i64).unwrap_or(1),
                    total: text(i, "total").to_string(),
                    msisdn: i.get("msisdn").and_then(Value::as_str).map(String::from),
                })
                .collect()
        })
        .unwrap_or_default();
    let args = [("number", number)];
    let (subject, intro, extra) = match kind {
        ORDER_CONFIRMATION => {
            (t.fill("mail.order.placed.subject", &args), t.fill("mail.order.placed.intro", &args), None)
        }
        PAYMENT_FAILED => (t.fill("mail.order.failed.subject", &args), t.fill("mail.order.failed.intro", &args), None),
        ORDER_SHIPPED => (
            t.fill("mail.order.shipped.subject", &args),
            t.fill("mail.order.shipped.intro", &args),
            payload
                .get("tracking")
                .and_then(Value::as_str)
                .map(|n| t.fill("mail.order.shipped.tracking", &[("tracking", n)])),
        ),
        ORDER_READY => {
            let branch = payload.get("branch").cloned().unwrap_or(Value::Null);
            let place = t.fill(
                "mail.order.ready.where",
                &[
                    ("branch", &localized(&branch, "name")),
                    ("address", &localized(&branch, "address")),
                    ("hours", text(&branch, "opening_hours")),
                ],
            );
            (t.fill("mail.order.ready.subject", &args), t.fill("mail.order.ready.intro", &args), Some(place))
        }
        other => return Err(format!("no mail template for {other:?}")),
    };
    let (shipping, total, vat) = (text(payload, "shipping"), text(payload, "total"), text(payload, "vat"));
    let mail = OrderMail {
        headline: &subject,
        intro: &intro,
        extra: extra.as_deref(),
        lines: &lines,
        shipping,
        total,
        vat,
        link: &link,
    };
    Ok(Outgoing {
        to: text(payload, "to").into(),
        text: OrderText { t, mail: &mail }.render().map_err(|e| e.to_string())?,
        html: OrderHtml { t, mail: &mail }.render().map_err(|e| e.to_string())?,
        subject,
    })
}

fn text<'a>(payload: &'a Value, key: &str) -> &'a str {
    payload.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The message a mail job asks for.
///
/// # Errors
/// An unknown kind or a payload without what the kind needs: the job fails and, after its
/// retries, is left dead for staff to look at.
pub fn render(kind: &str, payload: &Value, public_url: &str) -> Result<Outgoing, String> {
    let lang = Lang::parse(text(payload, "lang")).unwrap_or_default();
    let t = Tr(lang);
    let to = text(payload, "to");
    if to.is_empty() {
        return Err("mail job without a recipient".into());
    }
    match kind {
        PASSWORD_RESET => {
            let token =
                payload.pointer("/secret/token").and_then(Value::as_str).ok_or("reset mail without its token")?;
            let link = format!("{}/password-reset/{token}", public_url.trim_end_matches('/'));
            let name = text(payload, "name");
            let minutes = RESET_LIFETIME.num_minutes();
            Ok(Outgoing {
                to: to.into(),
                subject: t.t("mail.reset.subject").into(),
                text: PasswordResetText { t, name, link: &link, minutes }.render().map_err(|e| e.to_string())?,
                html: PasswordResetHtml { t, name, link: &link, minutes }.render().map_err(|e| e.to_string())?,
            })
        }
        ORDER_CONFIRMATION | PAYMENT_FAILED | ORDER_SHIPPED | ORDER_READY => order_mail(kind, payload, t, public_url),
        other => Err(format!("no mail template for {other:?}")),
    }
}
