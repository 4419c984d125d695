//! Provider webhooks: `Sandbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
//! The signature is checked in constant time over the raw body, and the timestamp must be
//! within five minutes of now, so an altered body, a forged signature or an old event replayed
//! later is refused before anything is read from it.
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::Sha256;

use super::types::{Outcome, WebhookEvent};
use super::PaymentError;
use crate::domain::shared::Money;
use crate::domain::shared::PaymentId;
use crate::domain::shared::{Code, FieldErrors};

pub const SIGNATURE_HEADER: &str = "Sandbox-Signature";
pub const TOLERANCE_SECS: i64 = 300;

/// HMAC-SHA256 over `"{timestamp}.{body}"`. HMAC takes keys of any length, so this is always
/// `Some`; a `None` would only make every signature fail to verify.
fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The header value a provider sends with `body` at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default();
    format!("t={timestamp},v1={tag}")
}

#[derive(Deserialize)]
struct Body {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    payment_id: PaymentId,
    amount: Decimal,
    currency: String,
}

/// Checks a webhook's signature and age, then reads it.
///
/// # Errors
/// `SignatureInvalid` (missing, malformed or wrong signature), `Stale`, `Invalid` for a
/// correctly signed body that is not an event we know.
pub fn verify(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<WebhookEvent, PaymentError> {
    let header = header.ok_or(PaymentError::SignatureInvalid)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.extend(hex::decode(s).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(PaymentError::SignatureInvalid)?;
    let expected = mac(secret, timestamp, body).ok_or(PaymentError::SignatureInvalid)?;
    if !signatures.iter().any(|s| expected.clone().verify_slice(s).is_ok()) {
        return Err(PaymentError::SignatureInvalid);
    }
    if (now.timestamp() - timestamp).abs() > TOLERANCE_SECS {
        return Err(PaymentError::Stale);
    }
    let invalid = || PaymentError::Invalid(FieldErrors::single("body", Code::NotAnEvent));
    let parsed: Body = serde_json::from_slice(body).map_err(|_| invalid())?;
    let outcome = match parsed.kind.as_str() {
        "payment.succeeded" => Outcome::Succeeded,
        "payment.failed" => Outcome::Failed,
        _ => return Err(invalid()),
    };
    if parsed.data.currency != crate::domain::shared::money::CURRENCY || parsed.id.is_empty() || parsed.id.len() > 200 {
        return Err(invalid());
    }
    Ok(WebhookEvent {
        id: parsed.id,
        payment_id: parsed.data.payment_id,
        outcome,
        amount: Money::mnt(parsed.data.amount),
    })
}

/// The body of an event, as the sandbox provider sends it.
pub fn event_body(event_id: &str, payment_id: PaymentId, outcome: Outcome, amount: Money) -> Vec<u8> {
    serde_json::json!({
        "id": event_id,
        "type": format!("payment.{}", outcome.as_str()),
        "data": {"payment_id": payment_id, "amount": amount.amount_string(), "currency": "MNT"},
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_events_verify_and_altered_forged_or_old_ones_do_not() -> Result<(), Box<dyn std::error::Error>> {
        let secret = b"whsec_test";
        let now = Utc::now();
        let payment = PaymentId::random();
        let body = event_body("evt_1", payment, Outcome::Succeeded, Money::mnt(Decimal::from(89_000)));
        let header = sign(secret, now.timestamp(), &body);
        let event = verify(secret, Some(&header), &body, now)?;
        assert_eq!((event.payment_id, event.outcome), (payment, Outcome::Succeeded));
        assert_eq!(event.amount.amount_string(), "89000.00");

        let mut altered = body.clone();
        let at = altered.iter().position(|b| *b == b'8').ok_or("no digit")?;
        altered[at] = b'1';
        assert!(matches!(verify(secret, Some(&header), &altered, now), Err(PaymentError::SignatureInvalid)));
        let forged = sign(b"not-the-secret", now.timestamp(), &body);
        assert!(matches!(verify(secret, Some(&forged), &body, now), Err(PaymentError::SignatureInvalid)));
        assert!(matches!(verify(secret, None, &body, now), Err(PaymentError::SignatureInvalid)));
        assert!(matches!(verify(secret, Some("t=1,v1=zz"), &body, now), Err(PaymentError::SignatureInvalid)));
        let old = now - chrono::Duration::seconds(TOLERANCE_SECS + 1);
        let stale = sign(secret, old.timestamp(), &body);
        assert!(matches!(verify(secret, Some(&stale), &body, now), Err(PaymentError::Stale)));
        Ok(())
    }
}
