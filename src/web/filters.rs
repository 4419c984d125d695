//! Askama filters: how money and other values are written on pages.
#![allow(clippy::unnecessary_wraps)] // askama calls every filter as fallible

use crate::domain::shared::Money;

/// `₮12,500`
pub fn money(m: &Money, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(m.display())
}

/// Megabytes as a shopper reads them: `500 MB`, `5 GB`, `1.5 GB`.
pub fn data_size(mb: &i64, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(data_size_text(*mb))
}

/// `2 GB`, `1.5 GB`, `500 MB`, for code that builds a text.
pub fn data_size_text(mb: i64) -> String {
    if mb >= 1024 && mb % 1024 == 0 {
        format!("{} GB", mb / 1024)
    } else if mb >= 1024 {
        format!("{}.{} GB", mb / 1024, (mb % 1024) * 10 / 1024)
    } else {
        format!("{mb} MB")
    }
}

/// Thousands separators for counts: `1,500`.
pub fn thousands(n: &i64, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(with_thousands(*n))
}

/// `1,500`, for code that builds a text.
pub fn with_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + 4);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_read_naturally() -> Result<(), Box<dyn std::error::Error>> {
        let v = askama::NO_VALUES;
        assert_eq!(data_size(&5120, v)?, "5 GB");
        assert_eq!(data_size(&1536, v)?, "1.5 GB");
        assert_eq!(data_size(&500, v)?, "500 MB");
        assert_eq!(thousands(&1500, v)?, "1,500");
        assert_eq!(thousands(&-1_234_567, v)?, "-1,234,567");
        Ok(())
    }
}
