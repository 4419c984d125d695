//! Environment → `Config`, with the contract's defaults; secrets are redacted in `Debug`.
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

/// A value that must never reach a log line.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

use crate::domain::accounts::attempts::AttemptLimits;
pub use crate::domain::accounts::attempts::RateLimit;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: Secret,
    pub bind: String,
    pub app_env: AppEnv,
    /// `None` in development: a random key per process is made at start.
    pub session_key: Option<Secret>,
    pub smtp_url: Option<Secret>,
    pub payments_sandbox: bool,
    pub operator_sandbox: bool,
    pub operator_url: Option<String>,
    /// `OPERATOR_TOKEN`: the bearer token the operator's API wants, if any.
    pub operator_token: Option<Secret>,
    /// The operator sandbox's misbehaviour, for trying retries: `OPERATOR_SANDBOX_FAILURE_PERCENT`
    /// (0), `OPERATOR_SANDBOX_DELAY_MS` (0), `OPERATOR_SANDBOX_REFUSE` (numbers it bars).
    pub operator_sandbox_failure_percent: u32,
    pub operator_sandbox_delay_ms: u32,
    pub operator_sandbox_refuse: Vec<String>,
    pub own_prefixes: Vec<String>,
    pub number_hold_minutes: u32,
    pub login_limit_per_account: RateLimit,
    pub login_limit_per_ip: RateLimit,
    pub register_limit_per_ip: RateLimit,
    pub db_pool_size: u32,
    /// `DB_WRITE_POOL_SIZE`: connections for the shopper's writes (carts, checkout, payments,
    /// sessions), which wait on the disk more than on the CPU.
    pub db_write_pool_size: u32,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// `TRUSTED_PROXIES`: addresses of our own proxies, skipped from the right of
    /// `X-Forwarded-For` (empty: the last hop, the one the proxy in front of us appended).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where shoppers reach the shop, for links in mail: `PUBLIC_URL`, default `http://{BIND}`.
    pub public_url: String,
    /// The sender of the shop's mail.
    pub mail_from: String,
    /// The operator shoppers see: `BRAND_NAME_MN`, `BRAND_NAME_EN`, `BRAND_COLOUR` (`#rrggbb`),
    /// `SUPPORT_PHONE`, `SUPPORT_EMAIL`; the demo operator's by default.
    pub brand: crate::i18n::brand::Brand,
    /// Whether this process works the job queue (`JOB_RUNNER`, on by default).
    pub job_runner: bool,
    /// How long a claimed job is its runner's before another may take it over.
    pub job_lease: chrono::Duration,
    /// Where mail goes without `SMTP_URL`: `OUTBOX_DIR`, default `./outbox`.
    pub outbox_dir: String,
    /// Home delivery: `DELIVERY_FEE` (default 5000), free from `FREE_DELIVERY_FROM` (default
    /// 200000; `off` never).
    pub delivery_fee: rust_decimal::Decimal,
    pub free_delivery_from: Option<rust_decimal::Decimal>,
    /// `ORDER_EXPIRY_MINUTES` (default 30): how long an order waits for payment.
    pub order_expiry_minutes: u32,
    /// `PAYMENTS_WEBHOOK_SECRET`: the key payment webhooks are signed with. Development has a
    /// fixed default so every process of a shop agrees; production with the sandbox needs one.
    pub payments_webhook_secret: Secret,
    /// `INVENTORY_KEY`: the key SIM codes are hashed and eSIM codes sealed with (16+
    /// characters). Development has a fixed default; production needs one.
    pub inventory_key: Secret,
    /// `MAX_NUMBERS_PER_PERSON` (default 2): numbers one customer may own or have on order.
    pub max_numbers_per_person: u32,
    /// `ACTIVATION_WINDOW_DAYS` (default 30): how long a number bought to activate later waits.
    pub activation_window_days: u32,
}

pub const DEV_WEBHOOK_SECRET: &str = "storefront-development-webhook-secret";

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/storefront";

impl Config {
    /// Reads the process environment.
    ///
    /// # Errors
    /// A message naming the variable that is malformed, or the unsafe default that
    /// production refuses.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let app_env = match var("APP_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") | Some("test") => AppEnv::Development,
            Some("production") | Some("prod") => AppEnv::Production,
            Some(other) => return Err(format!("APP_ENV must be development or production, got {other:?}")),
        };
        let dev = app_env == AppEnv::Development;
        let bind = var("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        // Development runs the payment sandbox (anyone may "pay") with a public webhook secret:
        // fine on this machine, never on a network because a deployment forgot APP_ENV.
        if var("APP_ENV").is_none() && !is_loopback(&bind) {
            return Err(format!(
                "APP_ENV is not set and BIND={bind} listens beyond this machine, where the development \
                 payment sandbox must not run: set APP_ENV=production (with SESSION_KEY), or \
                 APP_ENV=development to run the sandbox there on purpose"
            ));
        }
        let flag = |k: &str, default: bool| -> Result<bool, String> {
            match var(k).as_deref().map(str::trim) {
                None => Ok(default),
                Some("1" | "true" | "on" | "yes") => Ok(true),
                Some("0" | "false" | "off" | "no") => Ok(false),
                Some(v) => Err(format!("{k} must be on or off, got {v:?}")),
            }
        };
        let session_key = var("SESSION_KEY").map(Secret::new);
        if let Some(key) = &session_key {
            let bytes = decode_session_key(key.expose()).ok_or_else(|| "SESSION_KEY must be base64".to_string())?.len();
            if bytes < 64 {
                return Err(format!("SESSION_KEY must decode to at least 64 bytes, got {bytes}"));
            }
        } else if !dev {
            return Err("APP_ENV=production needs SESSION_KEY (64+ bytes, base64)".into());
        }
        let own_prefixes: Vec<String> = var("OWN_PREFIXES")
            .unwrap_or_else(|| "80,86,88,89".into())
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if own_prefixes.is_empty()
            || own_prefixes.iter().any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("OWN_PREFIXES must be a comma-separated list of 2-digit prefixes".into());
        }
        let number = |k: &str, default: u32| -> Result<u32, String> {
            match var(k) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{k} must be a positive whole number, got {v:?}")),
            }
        };
        let amount = |k: &str, default: &str| -> Result<Option<rust_decimal::Decimal>, String> {
            let raw = var(k).unwrap_or_else(|| default.into());
            if matches!(raw.trim(), "off" | "none") {
                return Ok(None);
            }
            raw.trim()
                .parse::<rust_decimal::Decimal>()
                .ok()
                .filter(|d| !d.is_sign_negative() && d.fract().is_zero())
                .map(Some)
                .ok_or_else(|| format!("{k} must be a whole number of tögrög, got {raw:?}"))
        };
        let payments_sandbox = flag("PAYMENTS_SANDBOX", dev)?;
        let payments_webhook_secret = match var("PAYMENTS_WEBHOOK_SECRET") {
            Some(s) if s.len() >= 16 => Secret::new(s),
            Some(_) => return Err("PAYMENTS_WEBHOOK_SECRET must be at least 16 characters".into()),
            None if dev || !payments_sandbox => Secret::new(DEV_WEBHOOK_SECRET.into()),
            None => return Err("APP_ENV=production with PAYMENTS_SANDBOX needs PAYMENTS_WEBHOOK_SECRET".into()),
        };
        let inventory_key = match var("INVENTORY_KEY") {
            Some(s) if s.len() >= 16 => Secret::new(s),
            Some(_) => return Err("INVENTORY_KEY must be at least 16 characters".into()),
            None if dev => {
                Secret::new(String::from_utf8_lossy(crate::domain::telco::inventory::DEV_INVENTORY_KEY).into())
            }
            None => return Err("APP_ENV=production needs INVENTORY_KEY (16+ characters), the key of SIM codes".into()),
        };
        let limit = |k: &str, default: &str| -> Result<RateLimit, String> {
            RateLimit::parse(&var(k).unwrap_or_else(|| default.into())).map_err(|e| format!("{k}: {e}"))
        };
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        check_database_url(database_url.trim())?;
        let brand = {
            use crate::i18n::brand::Brand;
            let demo = Brand::default();
            let text = |key: &str, default: String| {
                var(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).unwrap_or(default)
            };
            Brand {
                name_mn: text("BRAND_NAME_MN", demo.name_mn),
                name_en: text("BRAND_NAME_EN", demo.name_en),
                colour: match var("BRAND_COLOUR") {
                    None => demo.colour,
                    Some(v) => Brand::parse_colour(&v)
                        .ok_or_else(|| format!("BRAND_COLOUR must be a colour as #rrggbb, got {v:?}"))?,
                },
                phone: text("SUPPORT_PHONE", demo.phone),
                email: text("SUPPORT_EMAIL", demo.email),
            }
        };
        Ok(Self {
            database_url: Secret::new(database_url.trim().to_string()),
            bind,
            app_env,
            session_key,
            smtp_url: var("SMTP_URL").map(Secret::new),
            payments_sandbox,
            operator_sandbox: flag("OPERATOR_SANDBOX", dev)?,
            operator_url: var("OPERATOR_URL")
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty()),
            operator_token: var("OPERATOR_TOKEN").map(Secret::new),
            operator_sandbox_failure_percent: match var("OPERATOR_SANDBOX_FAILURE_PERCENT") {
                None => 0,
                Some(v) => v.trim().parse().ok().filter(|p| *p <= 100).ok_or_else(|| {
                    format!("OPERATOR_SANDBOX_FAILURE_PERCENT must be a whole number from 0 to 100, got {v:?}")
                })?,
            },
            operator_sandbox_delay_ms: match var("OPERATOR_SANDBOX_DELAY_MS") {
                None => 0,
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| format!("OPERATOR_SANDBOX_DELAY_MS must be a whole number, got {v:?}"))?,
            },
            operator_sandbox_refuse: var("OPERATOR_SANDBOX_REFUSE")
                .map(|l| l.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect())
                .unwrap_or_default(),
            own_prefixes,
            number_hold_minutes: number("NUMBER_HOLD_MINUTES", 15)?,
            login_limit_per_account: limit("LOGIN_LIMIT_PER_ACCOUNT", "10/15m")?,
            login_limit_per_ip: limit("LOGIN_LIMIT_PER_IP", "50/15m")?,
            register_limit_per_ip: limit("REGISTER_LIMIT_PER_IP", "100/1h")?,
            db_pool_size: number("DB_POOL_SIZE", default_pool_size())?,
            db_write_pool_size: number("DB_WRITE_POOL_SIZE", default_write_pool_size())?,
            trust_forwarded_for: flag("TRUST_FORWARDED_FOR", false)?,
            trusted_proxies: var("TRUSTED_PROXIES")
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.parse().map_err(|_| format!("TRUSTED_PROXIES: {s:?} is not an IP address")))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default(),
            public_url: var("PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{}", var("BIND").unwrap_or_else(|| "127.0.0.1:8080".into()))),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| brand.sender()),
            brand,
            job_runner: flag("JOB_RUNNER", true)?,
            job_lease: chrono::Duration::seconds(i64::from(number("JOB_LEASE_SECONDS", 300)?)),
            outbox_dir: var("OUTBOX_DIR").unwrap_or_else(|| "outbox".into()),
            delivery_fee: amount("DELIVERY_FEE", "5000")?.unwrap_or_default(),
            free_delivery_from: amount("FREE_DELIVERY_FROM", "200000")?,
            order_expiry_minutes: number("ORDER_EXPIRY_MINUTES", 30)?,
            payments_webhook_secret,
            inventory_key,
            max_numbers_per_person: number("MAX_NUMBERS_PER_PERSON", 2)?,
            activation_window_days: number("ACTIVATION_WINDOW_DAYS", 30)?,
        })
    }

    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    /// The rules domain calls apply (prefixes, delivery fee, order expiry).
    /// The rate limits of sign-in, registration and reset requests.
    pub fn attempt_limits(&self) -> AttemptLimits {
        AttemptLimits {
            login_per_account: self.login_limit_per_account,
            login_per_ip: self.login_limit_per_ip,
            register_per_ip: self.register_limit_per_ip,
        }
    }

    pub fn shop_rules(&self) -> crate::domain::shared::ShopRules {
        use crate::domain::shared::Money;
        crate::domain::shared::ShopRules {
            own_prefixes: self.own_prefixes.clone(),
            delivery_fee: Money::mnt(self.delivery_fee),
            free_delivery_from: self.free_delivery_from.map(Money::mnt),
            order_expiry: chrono::Duration::minutes(i64::from(self.order_expiry_minutes)),
            number_hold: chrono::Duration::minutes(i64::from(self.number_hold_minutes)),
            max_numbers_per_person: i64::from(self.max_numbers_per_person),
            activation_window: chrono::Duration::days(i64::from(self.activation_window_days)),
            inventory_key: crate::domain::telco::InventoryKey::new(self.inventory_key.expose().as_bytes()),
        }
    }
}

/// Two connections per core and one more, at least four: PostgreSQL answers the shop's short
/// queries fastest with few backends per core; more only queue on the CPU (on two cores, 16
/// connections gave less throughput and a longer tail than 4 to 8).
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2 + 1).unwrap_or(u32::MAX).max(4)
}

/// Four times the readers: a commit mostly waits for the WAL flush, and commits waiting
/// together share one flush. On one core, 16 writers against 4 took adding to a cart from 2,800
/// to 3,900 a second and checkout from 1,070 to 1,450 (`bench/writes.sh`), reads unchanged.
pub fn default_write_pool_size() -> u32 {
    default_pool_size().saturating_mul(4)
}

/// A `DATABASE_URL` must be a PostgreSQL URL naming the shop's own database: without a name
/// libpq would pick PostgreSQL's own `postgres` database and the shop's tables would land there.
/// The URL is never echoed (it may hold a password).
fn check_database_url(url: &str) -> Result<(), String> {
    const EXAMPLE: &str = "postgres://postgres@127.0.0.1:5432/storefront";
    let Some(rest) = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) else {
        return Err(format!("DATABASE_URL must be a PostgreSQL URL such as {EXAMPLE}"));
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, name) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if host.is_empty() {
        return Err(format!("DATABASE_URL names no server: give its host, as in {EXAMPLE}"));
    }
    if name.is_empty() {
        return Err(format!("DATABASE_URL names no database: end it with the shop's database name, as in {EXAMPLE}"));
    }
    if matches!(name, "postgres" | "template0" | "template1") {
        return Err(format!(
            "DATABASE_URL names PostgreSQL's own database {name:?}: name the shop's own, as in {EXAMPLE} \
             (it is created if missing)"
        ));
    }
    Ok(())
}

/// Whether a `BIND` address only listens on this machine.
fn is_loopback(bind: &str) -> bool {
    match bind.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => bind.rsplit_once(':').is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost")),
    }
}

/// The bytes of a `SESSION_KEY`: base64 in the standard or URL-safe alphabet, with or without
/// `=` padding, line breaks allowed (`openssl rand -base64 64` prints two lines). The one
/// reading of the key, for the configuration check and for the session cookie alike.
pub fn decode_session_key(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    let cleaned = cleaned.trim_end_matches('=');
    if cleaned.is_empty() {
        return None;
    }
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(cleaned).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_session_key_reads_the_same_however_openssl_or_a_person_wrote_it() {
        use base64::Engine;
        let bytes: Vec<u8> = (0u8..64).map(|b| b.wrapping_mul(37).wrapping_add(200)).collect();
        let padded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let two_lines = format!("{}\n{}\n", &padded[..76], &padded[76..]);
        let unpadded = padded.trim_end_matches('=').to_string();
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        for written in [&padded, &two_lines, &unpadded, &url_safe] {
            assert_eq!(decode_session_key(written).as_deref(), Some(bytes.as_slice()), "{written:?}");
            assert!(cfg(&[("SESSION_KEY", written)]).is_ok(), "{written:?}");
        }
    }

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_contract() -> Result<(), Box<dyn std::error::Error>> {
        let c = cfg(&[])?;
        assert_eq!(c.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.app_env, AppEnv::Development);
        assert!(c.payments_sandbox && c.operator_sandbox);
        assert_eq!(c.own_prefixes, ["80", "86", "88", "89"]);
        assert_eq!(c.number_hold_minutes, 15);
        assert_eq!(c.login_limit_per_account, RateLimit { max: 10, window_secs: 900 });
        assert_eq!(c.login_limit_per_ip, RateLimit { max: 50, window_secs: 900 });
        assert_eq!(c.register_limit_per_ip, RateLimit { max: 100, window_secs: 3600 });
        assert!(c.db_pool_size >= 4);
        assert_eq!(c.db_write_pool_size, c.db_pool_size * 4);
        assert_eq!(cfg(&[("DB_WRITE_POOL_SIZE", "9")])?.db_write_pool_size, 9);
        assert_eq!(cfg(&[("DB_POOL_SIZE", "12")])?.db_pool_size, 12);
        // The mail comes from the brand unless told otherwise, as an address mail clients accept.
        let from: lettre::message::Mailbox = c.mail_from.parse().map_err(|e| format!("{e}"))?;
        assert_eq!(
            (from.name.as_deref(), from.email.to_string().as_str()),
            (Some("Тэнгэр Мобайл"), "no-reply@tenger.mn")
        );
        let other = cfg(&[("BRAND_NAME_MN", "Дэлхий"), ("SUPPORT_EMAIL", "tuslamj@delkhii.mn")])?;
        assert_eq!(other.mail_from, "Дэлхий <no-reply@delkhii.mn>");
        assert_eq!(cfg(&[("MAIL_FROM", "Shop <a@b.mn>")])?.mail_from, "Shop <a@b.mn>");
        assert_eq!((c.delivery_fee, c.free_delivery_from), (5000.into(), Some(200_000.into())));
        assert_eq!(c.order_expiry_minutes, 30);
        assert_eq!((c.max_numbers_per_person, c.activation_window_days), (2, 30));
        assert_eq!(cfg(&[("FREE_DELIVERY_FROM", "off")])?.free_delivery_from, None);
        assert!(cfg(&[("DELIVERY_FEE", "-5")]).unwrap_err().contains("DELIVERY_FEE"));
        Ok(())
    }

    #[test]
    fn production_refuses_to_start_without_a_session_key() -> Result<(), Box<dyn std::error::Error>> {
        let err = cfg(&[("APP_ENV", "production")]).unwrap_err();
        assert!(err.contains("SESSION_KEY"), "{err}");
        let key = "a".repeat(88);
        let err = cfg(&[("APP_ENV", "production"), ("SESSION_KEY", &key)]).unwrap_err();
        assert!(err.contains("INVENTORY_KEY"), "{err}");
        let c = cfg(&[("APP_ENV", "production"), ("SESSION_KEY", &key), ("INVENTORY_KEY", "inventory-key-0123")])?;
        assert!(!c.payments_sandbox && !c.operator_sandbox);
        let sandbox = [
            ("APP_ENV", "production"),
            ("SESSION_KEY", key.as_str()),
            ("INVENTORY_KEY", "inventory-key-0123"),
            ("PAYMENTS_SANDBOX", "on"),
        ];
        assert!(cfg(&sandbox).unwrap_err().contains("PAYMENTS_WEBHOOK_SECRET"));
        let mut with_secret = sandbox.to_vec();
        with_secret.push(("PAYMENTS_WEBHOOK_SECRET", "whsec_0123456789abcdef"));
        assert!(cfg(&with_secret)?.payments_sandbox);
        Ok(())
    }

    #[test]
    fn short_or_malformed_values_are_refused_by_name() {
        assert!(cfg(&[("SESSION_KEY", "c2hvcnQ=")]).unwrap_err().contains("64 bytes"));
        assert!(cfg(&[("SESSION_KEY", "not base64 at all!")]).unwrap_err().contains("base64"));
        assert!(cfg(&[("OWN_PREFIXES", "8,99")]).unwrap_err().contains("OWN_PREFIXES"));
        assert!(cfg(&[("NUMBER_HOLD_MINUTES", "-1")]).unwrap_err().contains("NUMBER_HOLD_MINUTES"));
        assert!(cfg(&[("APP_ENV", "staging")]).unwrap_err().contains("APP_ENV"));
        for (url, says) in [
            ("postgres://postgres@127.0.0.1:5432/", "names no database"),
            ("postgres://postgres@127.0.0.1:5432", "names no database"),
            ("postgres://postgres:s3cret@127.0.0.1:5432/postgres", "PostgreSQL's own database"),
            ("not-a-url", "must be a PostgreSQL URL"),
            ("postgres:///shop", "names no server"),
        ] {
            let err = cfg(&[("DATABASE_URL", url)]).unwrap_err();
            assert!(err.contains("DATABASE_URL") && err.contains(says), "{url}: {err}");
            assert!(!err.contains("s3cret"), "the password is never echoed: {err}");
        }
        assert!(cfg(&[("DATABASE_URL", "postgresql://u:p@db.internal/shop?sslmode=require")]).is_ok());
        // A deployment that forgot APP_ENV does not run the sandbox on a network address.
        for public in ["0.0.0.0:8080", "[::]:8080", "192.0.2.10:80", "shop.example.mn:80"] {
            assert!(cfg(&[("BIND", public)]).unwrap_err().contains("APP_ENV"), "{public}");
            assert!(cfg(&[("BIND", public), ("APP_ENV", "development")]).is_ok(), "{public}: on purpose");
        }
        for local in ["127.0.0.1:8080", "[::1]:8080", "localhost:8080", "127.0.0.1:0"] {
            assert!(cfg(&[("BIND", local)]).is_ok(), "{local}");
        }
        assert!(cfg(&[("LOGIN_LIMIT_PER_IP", "ten")]).unwrap_err().contains("LOGIN_LIMIT_PER_IP"));
    }

    #[test]
    fn secrets_are_redacted_in_debug() -> Result<(), Box<dyn std::error::Error>> {
        let c = cfg(&[("DATABASE_URL", "postgres://u:hunter2@h/db")])?;
        assert!(!format!("{c:?}").contains("hunter2"));
        Ok(())
    }
}
