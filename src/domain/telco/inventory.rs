//! SIM cards and eSIM profiles: their identifiers and codes, and the key that keeps the codes
//! unusable in a leaked database. A physical SIM's code is only ever compared, so it is kept as
//! a keyed hash; an eSIM's activation code is shown to its owner, so it is sealed (AES-256-GCM).
use std::fmt;

use aes_gcm::aead::{Aead, KeyInit as AeadKeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::domain::shared::{Code, FieldErrors};

/// The development key: every process of a development shop agrees on it, so codes imported
/// by one are found by another. Production sets `INVENTORY_KEY`.
pub const DEV_INVENTORY_KEY: &[u8] = b"storefront-development-inventory-key";

/// The shop's secret for SIM codes. Two keys are derived from it, one per use.
#[derive(Clone)]
pub struct InventoryKey {
    hash: [u8; 32],
    seal: [u8; 32],
}

impl fmt::Debug for InventoryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InventoryKey(***)")
    }
}

impl Default for InventoryKey {
    fn default() -> Self {
        Self::new(DEV_INVENTORY_KEY)
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl InventoryKey {
    pub fn new(secret: &[u8]) -> Self {
        Self { hash: hmac(secret, b"sim-code-hash"), seal: hmac(secret, b"esim-code-seal") }
    }

    /// What the database keeps of a code: its HMAC-SHA256.
    pub fn digest(&self, code: &str) -> Vec<u8> {
        hmac(&self.hash, code.as_bytes()).to_vec()
    }

    /// A random nonce followed by the ciphertext.
    ///
    /// # Errors
    /// The system gave no randomness.
    pub fn seal(&self, plain: &str) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
        let cipher = Aes256Gcm::new(&self.seal.into());
        let sealed = cipher.encrypt(Nonce::from_slice(&nonce), plain.as_bytes()).map_err(|e| e.to_string())?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// `None` for anything this key did not seal.
    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() < 12 {
            return None;
        }
        let (nonce, body) = sealed.split_at(12);
        let cipher = Aes256Gcm::new(&self.seal.into());
        String::from_utf8(cipher.decrypt(Nonce::from_slice(nonce), body).ok()?).ok()
    }
}

/// The 8-digit secret printed with a physical SIM.
#[derive(Clone, PartialEq, Eq)]
pub struct SimCode(String);

impl fmt::Debug for SimCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SimCode(***)")
    }
}

impl SimCode {
    /// Spaces and dashes are ignored (`1234 5678`).
    ///
    /// # Errors
    /// `sim_code` on `field` for anything but 8 digits.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldErrors> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(FieldErrors::single(field, Code::SimCode))
        }
    }

    pub fn digest(&self, key: &InventoryKey) -> Vec<u8> {
        key.digest(&self.0)
    }
}

/// A SIM's ICCID: 19 or 20 digits starting `89`, the last a Luhn check digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iccid(String);

impl Iccid {
    /// # Errors
    /// `iccid` on `field`: wrong length or start, or a wrong check digit.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldErrors> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let shaped =
            (19..=20).contains(&digits.len()) && digits.starts_with("89") && digits.bytes().all(|b| b.is_ascii_digit());
        if shaped && luhn_ok(&digits) {
            Ok(Self(digits))
        } else {
            Err(FieldErrors::single(field, if shaped { Code::IccidCheck } else { Code::Iccid }))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Luhn check over all digits, the last being the check digit.
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The check digit that completes `body` (for tests and the demo pool).
pub fn luhn_complete(body: &str) -> String {
    (0..10).map(|d| format!("{body}{d}")).find(|c| luhn_ok(c)).unwrap_or_else(|| body.to_string())
}

/// An eSIM activation code (GSMA SGP.22): `LPA:1$<SM-DP+ address>$<matching ID>`.
#[derive(Clone, PartialEq, Eq)]
pub struct EsimCode {
    text: String,
}

impl fmt::Debug for EsimCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EsimCode(***)")
    }
}

impl EsimCode {
    /// # Errors
    /// `esim_code` on `field` for anything but `LPA:1$address$matching-id`.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldErrors> {
        let text = raw.trim();
        let bad = || FieldErrors::single(field, Code::EsimCode);
        let rest = text.strip_prefix("LPA:1$").ok_or_else(bad)?;
        let mut parts = rest.split('$');
        let (address, matching) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let address_ok = !address.is_empty()
            && address.len() <= 255
            && address.contains('.')
            && address.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:".contains(&b));
        let matching_ok = !matching.is_empty()
            && matching.len() <= 255
            && matching.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if address_ok && matching_ok {
            Ok(Self { text: text.to_string() })
        } else {
            Err(bad())
        }
    }

    /// A code read back from the pool (checked on import).
    pub fn from_stored(text: String) -> Self {
        Self { text }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The SM-DP+ address, for typing in by hand.
    pub fn smdp_address(&self) -> &str {
        self.text.split('$').nth(1).unwrap_or("")
    }

    /// The matching ID, for typing in by hand.
    pub fn matching_id(&self) -> &str {
        self.text.split('$').nth(2).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iccids_need_89_the_length_and_a_luhn_digit() {
        let good = luhn_complete("898810012345678901");
        assert_eq!(good.len(), 19);
        assert!(Iccid::parse(&good, "iccid").is_ok());
        assert!(Iccid::parse(&luhn_complete("8988100123456789012"), "iccid").is_ok());
        let wrong_digit = format!("{}{}", &good[..18], (u32::from(good.as_bytes()[18] - b'0') + 1) % 10);
        assert_eq!(Iccid::parse(&wrong_digit, "iccid").unwrap_err().fields()["iccid"][0].code, Code::IccidCheck);
        for bad in ["", "12345", &luhn_complete("998810012345678901"), "8988100123456789x12"] {
            assert_eq!(Iccid::parse(bad, "iccid").unwrap_err().fields()["iccid"][0].code, Code::Iccid, "{bad}");
        }
    }

    #[test]
    fn sim_codes_are_8_digits_and_kept_as_keyed_hashes() -> Result<(), FieldErrors> {
        let code = SimCode::parse("1234 5678", "code")?;
        let a = InventoryKey::new(b"one key");
        let b = InventoryKey::new(b"another key");
        assert_eq!(code.digest(&a), SimCode::parse("12345678", "code")?.digest(&a));
        assert_ne!(code.digest(&a), code.digest(&b));
        assert!(!format!("{code:?}").contains("1234"));
        for bad in ["1234567", "123456789", "abcdefgh"] {
            assert!(SimCode::parse(bad, "code").is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn esim_codes_are_sealed_and_open_only_under_their_key() -> Result<(), String> {
        let code =
            EsimCode::parse("LPA:1$smdp.example.mn$ABCD-1234", "activation_code").map_err(|e| format!("{e:?}"))?;
        assert_eq!((code.smdp_address(), code.matching_id()), ("smdp.example.mn", "ABCD-1234"));
        let key = InventoryKey::new(b"k");
        let sealed = key.seal(code.as_str())?;
        assert!(!String::from_utf8_lossy(&sealed).contains("ABCD"));
        assert_eq!(key.open(&sealed).as_deref(), Some(code.as_str()));
        assert_eq!(InventoryKey::new(b"other").open(&sealed), None);
        for bad in ["LPA:1$$X", "LPA:2$a.b$X", "smdp.example.mn$X", "LPA:1$a.b$", "LPA:1$a.b$X Y"] {
            assert!(EsimCode::parse(bad, "activation_code").is_err(), "{bad}");
        }
        Ok(())
    }
}
