//! The browser session: an encrypted, signed cookie (actix-session's cookie store) holding the
//! secret of the server-side session (`domain::accounts::sessions`), who is signed in, their
//! account's session epoch and the CSRF token. Any number of server processes share sessions
//! through `SESSION_KEY` and the database.
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{time::Duration, Key, SameSite};
use uuid::Uuid;

use crate::domain::shared::{CartId, OrderId};

use crate::config::Config;
use crate::domain::accounts::sessions::SessionSecret;
use crate::domain::accounts::{tokens, Account};

pub const COOKIE: &str = "sf_session";
const UID: &str = "uid";
const SID: &str = "sid";
const EPOCH: &str = "epoch";
const NAME: &str = "name";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
const CART: &str = "cart";
const CART_COUNT: &str = "cart_count";
const PLACED_CART: &str = "placed_cart";
const ORDER_LINKS: &str = "order_links";
/// How many guest orders a browser keeps the links of.
const ORDER_LINKS_KEPT: usize = 5;

/// The key that encrypts and signs session cookies: `SESSION_KEY` (64+ bytes, base64), or in
/// development a random one per process (sessions then end when it restarts).
pub fn key(config: &Config) -> Key {
    // The configuration accepted the key only if this reading gives 64 bytes or more.
    let decoded = config.session_key.as_ref().and_then(|k| crate::config::decode_session_key(k.expose()));
    match decoded {
        Some(bytes) if bytes.len() >= 64 => Key::from(&bytes),
        _ => Key::generate(),
    }
}

pub fn middleware(config: &Config, key: Key) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(COOKIE.into())
        .cookie_content_security(CookieContentSecurity::Private)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(config.is_production())
        .session_lifecycle(PersistentSession::default().session_ttl(Duration::days(14)))
        .build()
}

/// The server-side session the cookie names, and the account epoch it was signed in at.
pub fn signed_in(session: &Session) -> Option<(SessionSecret, i32)> {
    let sid = session.get::<SessionSecret>(SID).ok().flatten()?;
    let epoch = session.get::<i32>(EPOCH).ok().flatten()?;
    Some((sid, epoch))
}

/// The server-side session's secret, to end it.
pub fn secret(session: &Session) -> Option<SessionSecret> {
    session.get::<SessionSecret>(SID).ok().flatten()
}

pub fn display_name(session: &Session) -> Option<String> {
    session.get::<String>(NAME).ok().flatten()
}

/// The session's CSRF token, if it has one (pages without forms never create it).
pub fn csrf(session: &Session) -> Option<String> {
    session.get::<String>(CSRF).ok().flatten()
}

/// The session's CSRF token, made now if it has none.
pub fn csrf_or_new(session: &Session) -> String {
    if let Some(t) = csrf(session) {
        return t;
    }
    let token = tokens::random_secret().unwrap_or_else(|_| Uuid::new_v4().simple().to_string());
    let _ = session.insert(CSRF, &token);
    token
}

/// Signs `account` in with the server-side session `secret` names: a new cookie (no
/// fixation), the account's epoch, a fresh CSRF token. Whatever a guest's session carried over
/// to the account (the cart) is moved here.
pub fn sign_in(session: &Session, account: &Account, secret: &SessionSecret) {
    session.renew();
    session.remove(CSRF);
    let display = account.display_name();
    let _ = session.insert(SID, secret);
    let _ = session.insert(UID, account.id);
    let _ = session.insert(EPOCH, account.session_epoch);
    let _ = session.insert(NAME, display);
    csrf_or_new(session);
}

/// Refreshes what the session knows of the account (its new epoch after a password change,
/// its new name) without renewing it.
pub fn sign_in_again(session: &Session, account: &Account) {
    let display = account.display_name();
    let _ = session.insert(EPOCH, account.session_epoch);
    let _ = session.insert(NAME, display);
}

pub fn sign_out(session: &Session) {
    session.purge();
}

/// Leaves a one-time notice (a catalog key) for the next page this session shows.
pub fn flash(session: &Session, key: &'static str) {
    let _ = session.insert(FLASH, key);
}

/// Takes the one-time notice, if any.
pub fn take_flash(session: &Session) -> Option<String> {
    session.remove_as::<String>(FLASH).and_then(Result::ok)
}

/// The cart this browser fills (a guest's, or the signed-in customer's).
pub fn cart(session: &Session) -> Option<CartId> {
    session.get::<CartId>(CART).ok().flatten()
}

/// Remembers the cart and how many units it holds, for the header's badge (shown without a
/// database read on every page).
pub fn set_cart(session: &Session, id: Option<CartId>, count: i64) {
    match id {
        Some(id) => {
            let _ = session.insert(CART, id);
            let _ = session.insert(CART_COUNT, count);
        }
        None => {
            session.remove(CART);
            session.remove(CART_COUNT);
        }
    }
}

pub fn cart_count(session: &Session) -> i64 {
    session.get::<i64>(CART_COUNT).ok().flatten().unwrap_or(0)
}

/// The cart this browser last turned into an order: a resubmitted checkout form replays its
/// answer under the same idempotency key instead of finding no cart.
pub fn placed_cart(session: &Session) -> Option<CartId> {
    session.get::<CartId>(PLACED_CART).ok().flatten()
}

pub fn set_placed_cart(session: &Session, id: CartId) {
    let _ = session.insert(PLACED_CART, id);
}

/// Keeps the link to an order this browser placed or opened as a guest, so the payment
/// provider's return and a reload find the order without the secret in the address. Only the
/// newest few are kept; the cookie is encrypted.
pub fn remember_order_link(session: &Session, order: OrderId, token: &str) {
    let mut kept = session.get::<Vec<(OrderId, String)>>(ORDER_LINKS).ok().flatten().unwrap_or_default();
    kept.retain(|(id, _)| *id != order);
    kept.insert(0, (order, token.to_string()));
    kept.truncate(ORDER_LINKS_KEPT);
    let _ = session.insert(ORDER_LINKS, kept);
}

/// The link this browser keeps to `order`, if any.
pub fn order_link(session: &Session, order: OrderId) -> Option<String> {
    let kept = session.get::<Vec<(OrderId, String)>>(ORDER_LINKS).ok().flatten()?;
    kept.into_iter().find(|(id, _)| *id == order).map(|(_, token)| token)
}

#[cfg(test)]
mod key_tests {
    use base64::Engine;

    use super::*;

    fn config_with(key: &str) -> Result<Config, String> {
        Config::from_lookup(|k| (k == "SESSION_KEY").then(|| key.to_string()))
    }

    /// A key the configuration accepts is the key sessions use: never silently a random one
    /// (which would end sessions at every restart and differ between processes).
    #[test]
    fn an_accepted_key_is_the_one_used_however_it_was_written() -> Result<(), String> {
        let bytes: Vec<u8> = (0u8..64).map(|b| b.wrapping_mul(91).wrapping_add(3)).collect();
        let padded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let expected = Key::from(&bytes);
        for written in
            [padded.clone(), padded.trim_end_matches('=').to_string(), format!("{}\n{}", &padded[..40], &padded[40..])]
        {
            assert_eq!(key(&config_with(&written)?).master(), expected.master(), "{written:?}");
        }
        Ok(())
    }
}
