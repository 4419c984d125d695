//! Mail: messages rendered from askama templates (HTML and plain text, both languages) and sent
//! with lettre, over SMTP when `SMTP_URL` is set, else written as `.eml` files to `./outbox/`.
//! Mail only ever leaves through the job queue (see `worker`), never from a request: each kind
//! of mail is a typed job (`domain::mails`) that `performers` registers with the runner.
use std::path::PathBuf;
use std::sync::Arc;

use askama::Template;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use crate::db::Db;
use crate::domain::accounts::reset::{self, ResetLink, RESET_LIFETIME};
use crate::domain::mails::{CouponMail, NumberReminderMail, OrderMail, OrderNews, PasswordResetMail};
use crate::domain::orders::pickup::PickupCode;
use crate::domain::orders::{links, OrderToken};
use crate::domain::shared::{Clock, Lang};
use crate::domain::telco::InventoryKey;
use crate::i18n::Tr;
use crate::worker::Performers;

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

#[derive(Template)]
#[template(path = "mail/number_reminder.txt")]
struct NumberReminderText<'a> {
    t: Tr,
    mail: &'a NumberReminderMail,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/number_reminder.html")]
struct NumberReminderHtml<'a> {
    t: Tr,
    mail: &'a NumberReminderMail,
    link: &'a str,
}

/// The reminder to activate a number before it returns to the pool.
///
/// # Errors
/// A template that fails to render.
pub fn number_reminder(mail: &NumberReminderMail, public_url: &str) -> Result<Outgoing, String> {
    let t = Tr(mail.lang);
    let link = format!("{}/account/numbers", public_url.trim_end_matches('/'));
    Ok(Outgoing {
        to: mail.to.clone(),
        subject: t.fill("mail.number_reminder.subject", &[("number", &mail.msisdn), ("date", &mail.activate_by)]),
        text: NumberReminderText { t, mail, link: &link }.render().map_err(|e| e.to_string())?,
        html: NumberReminderHtml { t, mail, link: &link }.render().map_err(|e| e.to_string())?,
    })
}

#[derive(Template)]
#[template(path = "mail/coupon.txt")]
struct CouponText<'a> {
    t: Tr,
    mail: &'a CouponMail,
    link: &'a str,
    until: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/coupon.html")]
struct CouponHtml<'a> {
    t: Tr,
    mail: &'a CouponMail,
    link: &'a str,
    until: Option<String>,
}

/// A personal code for its customer, with a link that opens the cart with the code applied.
///
/// # Errors
/// A template that fails to render.
pub fn coupon(mail: &CouponMail, public_url: &str) -> Result<Outgoing, String> {
    let t = Tr(mail.lang);
    let link = format!("{}/cart?coupon={}", public_url.trim_end_matches('/'), mail.code);
    let until = mail.ends_at.map(|e| crate::domain::shared::shop_local(e).format("%Y-%m-%d %H:%M").to_string());
    Ok(Outgoing {
        to: mail.to.clone(),
        subject: t.fill("mail.coupon.subject", &[("discount", &mail.discount)]),
        text: CouponText { t, mail, link: &link, until: until.clone() }.render().map_err(|e| e.to_string())?,
        html: CouponHtml { t, mail, link: &link, until }.render().map_err(|e| e.to_string())?,
    })
}

struct OrderLine {
    name: String,
    quantity: i64,
    total: String,
    msisdn: Option<String>,
}

/// What an order mail says; written out once as HTML and once as plain text.
struct OrderContent<'a> {
    headline: &'a str,
    intro: &'a str,
    extra: Option<&'a str>,
    /// The pickup code, for the counter.
    code: Option<&'a str>,
    lines: &'a [OrderLine],
    /// Shown only when a code took something off.
    discount: Option<&'a str>,
    shipping: &'a str,
    total: &'a str,
    vat: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/order.html")]
struct OrderHtml<'a> {
    t: Tr,
    mail: &'a OrderContent<'a>,
}

#[derive(Template)]
#[template(path = "mail/order.txt")]
struct OrderText<'a> {
    t: Tr,
    mail: &'a OrderContent<'a>,
}

/// The mail about an order (confirmation, declined payment, shipped, ready for pickup), with
/// the tracking link `token` opens and, when it is ready for pickup, the code for the counter.
///
/// # Errors
/// A template that fails to render.
pub fn order(
    mail: &OrderMail,
    token: &OrderToken,
    pickup: Option<&PickupCode>,
    public_url: &str,
) -> Result<Outgoing, String> {
    let t = Tr(mail.lang);
    let lang = mail.lang;
    let link = format!("{}/orders/{}?token={}", public_url.trim_end_matches('/'), mail.order_id, token.as_str());
    let pick = |mn: &str, en: &str| -> String {
        match lang {
            Lang::Mn => mn.to_string(),
            Lang::En => en.to_string(),
        }
    };
    let lines: Vec<OrderLine> = mail
        .items
        .iter()
        .map(|i| OrderLine {
            name: pick(&i.name_mn, &i.name_en),
            quantity: i64::from(i.quantity),
            total: i.total.clone(),
            msisdn: i.msisdn.clone(),
        })
        .collect();
    let args = [("number", mail.number.as_str())];
    let (subject, intro, extra) = match mail.news {
        OrderNews::Placed => {
            (t.fill("mail.order.placed.subject", &args), t.fill("mail.order.placed.intro", &args), None)
        }
        OrderNews::PaymentFailed => {
            (t.fill("mail.order.failed.subject", &args), t.fill("mail.order.failed.intro", &args), None)
        }
        OrderNews::Shipped => (
            t.fill("mail.order.shipped.subject", &args),
            t.fill("mail.order.shipped.intro", &args),
            mail.tracking.as_deref().map(|n| t.fill("mail.order.shipped.tracking", &[("tracking", n)])),
        ),
        OrderNews::ReadyForPickup => {
            let place = mail.branch.as_ref().map(|b| {
                t.fill(
                    "mail.order.ready.where",
                    &[
                        ("branch", &pick(&b.name_mn, &b.name_en)),
                        ("address", &pick(&b.address_mn, &b.address_en)),
                        ("hours", &pick(b.opening_hours_mn.as_deref().unwrap_or(&b.opening_hours), &b.opening_hours)),
                    ],
                )
            });
            (t.fill("mail.order.ready.subject", &args), t.fill("mail.order.ready.intro", &args), place)
        }
        OrderNews::Fulfilled => {
            (t.fill("mail.order.fulfilled.subject", &args), t.fill("mail.order.fulfilled.intro", &args), None)
        }
        OrderNews::NotDelivered => (
            t.fill("mail.order.not_delivered.subject", &args),
            t.fill("mail.order.not_delivered.intro", &args),
            Some(t.t("mail.order.not_delivered.refund").to_string()),
        ),
    };
    let code = match (mail.news, pickup) {
        (OrderNews::ReadyForPickup, Some(c)) => Some(t.fill("mail.order.ready.code", &[("code", &c.display())])),
        _ => None,
    };
    let content = OrderContent {
        headline: &subject,
        intro: &intro,
        extra: extra.as_deref(),
        code: code.as_deref(),
        lines: &lines,
        discount: Some(mail.discount.as_str()).filter(|d| *d != crate::domain::shared::Money::ZERO.display()),
        shipping: &mail.shipping,
        total: &mail.total,
        vat: &mail.vat,
        link: &link,
    };
    Ok(Outgoing {
        to: mail.to.clone(),
        text: OrderText { t, mail: &content }.render().map_err(|e| e.to_string())?,
        html: OrderHtml { t, mail: &content }.render().map_err(|e| e.to_string())?,
        subject,
    })
}

/// The mail with the link to choose a new password, to the account's address.
///
/// # Errors
/// A template that fails to render.
pub fn password_reset(lang: Lang, link: &ResetLink, public_url: &str) -> Result<Outgoing, String> {
    let t = Tr(lang);
    let href = format!("{}/password-reset/{}", public_url.trim_end_matches('/'), link.token);
    let (name, minutes) = (link.account.name.as_str(), RESET_LIFETIME.num_minutes());
    Ok(Outgoing {
        to: link.account.email.clone(),
        subject: t.fill("mail.reset.subject", &[("brand", t.brand())]),
        text: PasswordResetText { t, name, link: &href, minutes }.render().map_err(|e| e.to_string())?,
        html: PasswordResetHtml { t, name, link: &href, minutes }.render().map_err(|e| e.to_string())?,
    })
}

/// What sending a mail with a link needs: the database to mint the link, the clock, the
/// transport and the shop's public address.
#[derive(Clone)]
pub struct Sender {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<dyn Mailer>,
    pub public_url: String,
    /// Derives pickup codes (never stored) for the "ready for pickup" mail.
    pub pickup_key: InventoryKey,
}

impl Sender {
    /// Mints the link, sends the mail, and takes the link back if the mail did not go, so
    /// every attempt carries a link that works and a failed one leaves none behind. The
    /// connection is not held while the transport talks to the mail server.
    fn with_link<L>(
        &self,
        mint: impl FnOnce(&mut crate::db::PgPooled) -> Result<Option<L>, String>,
        render: impl FnOnce(&L) -> Result<Outgoing, String>,
        withdraw: impl FnOnce(&mut crate::db::PgPooled, &L) -> Result<(), String>,
    ) -> Result<(), String> {
        let Some(link) = mint(&mut self.db.get().map_err(|e| e.to_string())?)? else { return Ok(()) };
        let sent = render(&link).and_then(|message| self.mailer.send(&message));
        if sent.is_err() {
            if let Err(e) = self.db.get().map_err(|e| e.to_string()).and_then(|mut conn| withdraw(&mut conn, &link)) {
                tracing::warn!(error = %e, "cannot take back the link of an unsent mail");
            }
        }
        sent
    }

    fn order(&self, mail: &OrderMail) -> Result<(), String> {
        self.with_link(
            |conn| links::mint(conn, mail.order_id, self.clock.now()).map(Some).map_err(|e| e.to_string()),
            |token| {
                let code =
                    (mail.news == OrderNews::ReadyForPickup).then(|| PickupCode::of(mail.order_id, &self.pickup_key));
                order(mail, token, code.as_ref(), &self.public_url)
            },
            |conn, token| links::withdraw(conn, token).map_err(|e| e.to_string()),
        )
    }

    fn coupon(&self, mail: &CouponMail) -> Result<(), String> {
        self.mailer.send(&coupon(mail, &self.public_url)?)
    }

    fn number_reminder(&self, mail: &NumberReminderMail) -> Result<(), String> {
        self.mailer.send(&number_reminder(mail, &self.public_url)?)
    }

    /// A reset for an account that is gone is done without a mail.
    fn password_reset(&self, mail: &PasswordResetMail) -> Result<(), String> {
        self.with_link(
            |conn| reset::issue(conn, mail.account_id, self.clock.now()).map_err(|e| e.to_string()),
            |link| password_reset(mail.lang, link, &self.public_url),
            |conn, link| reset::withdraw(conn, &link.token).map_err(|e| e.to_string()),
        )
    }
}

/// Registers the mail kinds with the job runner: each is rendered with a fresh link and sent.
pub fn performers(performers: Performers, sender: Sender) -> Performers {
    let (reset_sender, order_sender, coupon_sender) = (sender.clone(), sender.clone(), sender.clone());
    performers
        .on(move |mail: PasswordResetMail| reset_sender.password_reset(&mail))
        .on(move |mail: OrderMail| order_sender.order(&mail))
        .on(move |mail: CouponMail| coupon_sender.coupon(&mail))
        .on(move |mail: NumberReminderMail| sender.number_reminder(&mail))
}
