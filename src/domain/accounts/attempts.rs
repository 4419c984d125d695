//! Rate limits on signing in, registering and password resets, kept in PostgreSQL so they hold
//! with any number of server processes. An attempt reserves its place before the slow password
//! check, under transaction-scoped advisory locks on its keys, so concurrent attempts cannot
//! slip past the limit together.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::AccountError;
use crate::db::schema::auth_attempts;

/// A sliding-window allowance such as `10/15m`: `max` events per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window_secs: u64,
}

impl RateLimit {
    /// `COUNT/WINDOW` such as `10/15m` (units s, m, h; minutes without one).
    ///
    /// # Errors
    /// What is wrong with the text.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (max, window) =
            s.split_once('/').ok_or_else(|| format!("expected COUNT/WINDOW such as 10/15m, got {s:?}"))?;
        let max = max.trim().parse().map_err(|_| format!("bad count in {s:?}"))?;
        let window = window.trim();
        let (digits, unit) = window.split_at(window.find(|c: char| !c.is_ascii_digit()).unwrap_or(window.len()));
        let n: u64 = digits.parse().map_err(|_| format!("bad window in {s:?}"))?;
        let secs = match unit {
            "s" => n,
            "m" | "" => n * 60,
            "h" => n * 3600,
            _ => return Err(format!("bad window unit in {s:?} (use s, m or h)")),
        };
        if n == 0 {
            return Err(format!("window must be positive in {s:?}"));
        }
        Ok(Self { max, window_secs: secs })
    }
}

/// The caller's network address as the web edge determined it (the trusted proxy's hop or the
/// peer), as limits count it: an IPv6 caller by its /64, the block one subscriber line gets (a
/// host picks any of its 2^64 addresses at will), and an IPv4-mapped address as IPv4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

impl ClientIp {
    pub fn of(ip: std::net::IpAddr) -> Self {
        use std::net::IpAddr;
        match ip {
            IpAddr::V4(v4) => Self(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(v4.to_string()),
                None => {
                    let s = v6.segments();
                    let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                    Self(format!("{net}/64"))
                }
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    Login,
    Register,
    Reset,
    /// Proving the current password to change it: a stolen session must not guess it freely.
    PasswordChange,
    /// Typing a physical SIM's code: ten million codes must not be tried one after another.
    SimCode,
    /// Typing a coupon code: generated codes must not be found by trying.
    Coupon,
}

impl AttemptKind {
    fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Login => "login",
            AttemptKind::Register => "register",
            AttemptKind::Reset => "reset",
            AttemptKind::PasswordChange => "password_change",
            AttemptKind::SimCode => "sim_code",
            AttemptKind::Coupon => "coupon",
        }
    }
}

/// What is being limited: the kind of attempt, the account it names (if any) with its limit,
/// and the caller's address with its limit.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub kind: AttemptKind,
    pub account: Option<(String, RateLimit)>,
    pub ip: ClientIp,
    pub ip_limit: RateLimit,
}

/// The configured allowances, one per kind of attempt and what it is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimits {
    pub login_per_account: RateLimit,
    pub login_per_ip: RateLimit,
    pub register_per_ip: RateLimit,
}

impl Attempt {
    /// Signing in as `email` (counted per account and per address).
    pub fn login(email: &str, ip: ClientIp, limits: &AttemptLimits) -> Self {
        Attempt {
            kind: AttemptKind::Login,
            account: Some((email.to_string(), limits.login_per_account)),
            ip,
            ip_limit: limits.login_per_ip,
        }
    }

    /// Opening an account (counted per address).
    pub fn register(ip: ClientIp, limits: &AttemptLimits) -> Self {
        Attempt { kind: AttemptKind::Register, account: None, ip, ip_limit: limits.register_per_ip }
    }

    /// Giving the current password to change it, under the sign-in allowances (per account).
    pub fn password_change(account: crate::domain::shared::AccountId, ip: ClientIp, limits: &AttemptLimits) -> Self {
        Attempt {
            kind: AttemptKind::PasswordChange,
            account: Some((account.to_string(), limits.login_per_account)),
            ip,
            ip_limit: limits.login_per_ip,
        }
    }

    /// Trying a SIM code, counted per customer (or, for a guest, per cart) and per address under
    /// the sign-in allowances. Only wrong codes count: a right one is `settled`.
    pub fn sim_code(who: &str, ip: ClientIp, limits: &AttemptLimits) -> Self {
        Attempt {
            kind: AttemptKind::SimCode,
            account: Some((who.to_string(), limits.login_per_account)),
            ip,
            ip_limit: limits.login_per_ip,
        }
    }

    /// Typing a coupon code, under the sign-in allowances: only unknown codes count.
    pub fn coupon(who: &str, ip: ClientIp, limits: &AttemptLimits) -> Self {
        Attempt { kind: AttemptKind::Coupon, ..Self::sim_code(who, ip, limits) }
    }

    /// Asking for a password-reset mail, under the sign-in allowances.
    pub fn reset(email: &str, ip: ClientIp, limits: &AttemptLimits) -> Self {
        Attempt {
            kind: AttemptKind::Reset,
            account: Some((email.to_string(), limits.login_per_account)),
            ip,
            ip_limit: limits.login_per_ip,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead; the number names the reserved attempt for `succeeded`.
    Allowed(i64),
    /// Over the limit; try again after this many seconds.
    Limited { retry_after_secs: u64 },
}

#[derive(QueryableByName)]
struct Window {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    oldest: Option<DateTime<Utc>>,
}

fn window(
    conn: &mut PgConnection,
    kind: AttemptKind,
    column: &str,
    key: &str,
    limit: RateLimit,
    now: DateTime<Utc>,
) -> Result<Window, AccountError> {
    let since = now - chrono::Duration::seconds(limit.window_secs as i64);
    Ok(diesel::sql_query(format!(
        "SELECT count(*) AS n, min(at) AS oldest FROM auth_attempts \
         WHERE kind = $1 AND {column} = $2 AND NOT succeeded AND at > $3"
    ))
    .bind::<Text, _>(kind.as_str())
    .bind::<Text, _>(key)
    .bind::<diesel::sql_types::Timestamptz, _>(since)
    .get_result(conn)?)
}

fn retry_after(w: &Window, limit: RateLimit, now: DateTime<Utc>) -> u64 {
    let free_at = w.oldest.unwrap_or(now) + chrono::Duration::seconds(limit.window_secs as i64);
    (free_at - now).num_seconds().max(1) as u64
}

/// Reserves a place for `attempt`, or says how long to wait.
///
/// # Errors
/// A database error.
pub fn reserve(conn: &mut PgConnection, attempt: &Attempt, now: DateTime<Utc>) -> Result<Verdict, AccountError> {
    conn.transaction(|conn| {
        // Lock the keys in one order so two attempts never wait on each other crosswise.
        let mut keys = vec![format!("{}:ip:{}", attempt.kind.as_str(), attempt.ip.0)];
        if let Some((account, _)) = &attempt.account {
            keys.push(format!("{}:account:{account}", attempt.kind.as_str()));
        }
        keys.sort();
        for key in &keys {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<Text, _>(key)
                .execute(conn)?;
        }
        let mut wait = 0;
        let by_ip = window(conn, attempt.kind, "ip", &attempt.ip.0, attempt.ip_limit, now)?;
        if by_ip.n >= i64::from(attempt.ip_limit.max) {
            wait = retry_after(&by_ip, attempt.ip_limit, now);
        }
        if let Some((account, limit)) = &attempt.account {
            let by_account = window(conn, attempt.kind, "account_key", account, *limit, now)?;
            if by_account.n >= i64::from(limit.max) {
                wait = wait.max(retry_after(&by_account, *limit, now));
            }
        }
        if wait > 0 {
            return Ok(Verdict::Limited { retry_after_secs: wait });
        }
        let id: i64 = diesel::insert_into(auth_attempts::table)
            .values((
                auth_attempts::kind.eq(attempt.kind.as_str()),
                auth_attempts::account_key.eq(attempt.account.as_ref().map(|(a, _)| a.as_str())),
                auth_attempts::ip.eq(&attempt.ip.0),
                auth_attempts::at.eq(now),
            ))
            .returning(auth_attempts::id)
            .get_result(conn)?;
        Ok(Verdict::Allowed(id))
    })
}

/// The reserved attempt was not a failure: it alone stops counting.
pub fn settle(conn: &mut PgConnection, id: i64) -> Result<(), AccountError> {
    diesel::update(auth_attempts::table.find(id)).set(auth_attempts::succeeded.eq(true)).execute(conn)?;
    Ok(())
}

/// The reserved attempt succeeded: it and the account's earlier failures of that kind stop
/// counting (a shopper who finally remembers the password starts afresh).
pub fn succeeded(conn: &mut PgConnection, attempt: &Attempt, id: i64) -> Result<(), AccountError> {
    diesel::update(auth_attempts::table.find(id)).set(auth_attempts::succeeded.eq(true)).execute(conn)?;
    if let Some((account, _)) = &attempt.account {
        diesel::update(auth_attempts::table)
            .filter(auth_attempts::kind.eq(attempt.kind.as_str()))
            .filter(auth_attempts::account_key.eq(account))
            .filter(auth_attempts::succeeded.eq(false))
            .set(auth_attempts::succeeded.eq(true))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets attempts older than a day (the longest window); run now and then.
pub fn prune(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<usize, AccountError> {
    Ok(diesel::delete(auth_attempts::table.filter(auth_attempts::at.lt(now - chrono::Duration::days(1))))
        .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::ClientIp;

    #[test]
    fn an_ipv6_caller_counts_by_its_64_and_a_mapped_ipv4_as_ipv4() {
        let of = |s: &str| s.parse().map(|ip| ClientIp::of(ip).0).unwrap_or_default();
        assert_eq!(of("2001:db8:5:7:abcd::1"), "2001:db8:5:7::/64");
        assert_eq!(of("2001:db8:5:7::ffff"), of("2001:db8:5:7:1:2:3:4"));
        assert_eq!(of("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(of("192.0.2.7"), "192.0.2.7");
    }
}
