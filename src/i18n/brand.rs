//! Who the shop is: the operator's name in each language, its colour and how shoppers reach it.
//! Set once at start from configuration; the demo operator's until then (tests, tools).
use std::sync::OnceLock;

use crate::domain::shared::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    pub name_mn: String,
    pub name_en: String,
    /// `#rrggbb`: buttons, links, the logo's tile.
    pub colour: String,
    pub phone: String,
    pub email: String,
}

impl Default for Brand {
    fn default() -> Self {
        Brand {
            name_mn: "Тэнгэр Мобайл".into(),
            name_en: "Tenger Mobile".into(),
            colour: "#0b5fff".into(),
            phone: "7700-1800".into(),
            email: "help@tenger.mn".into(),
        }
    }
}

impl Brand {
    /// Who the shop's mail comes from when `MAIL_FROM` does not say: the brand's name, at a
    /// no-reply address of the support address's domain.
    pub fn sender(&self) -> String {
        let domain = self.email.rsplit_once('@').map_or("tenger.mn", |(_, d)| d);
        format!("{} <no-reply@{domain}>", self.name_mn)
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Mn => &self.name_mn,
            Lang::En => &self.name_en,
        }
    }

    /// `colour` when it is `#rrggbb`, else `None`.
    pub fn parse_colour(raw: &str) -> Option<String> {
        let hex = raw.trim().strip_prefix('#')?;
        (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| format!("#{}", hex.to_lowercase()))
    }

    /// The colour three quarters as bright, for hovers.
    pub fn colour_dark(&self) -> String {
        let hex = self.colour.trim_start_matches('#');
        let part = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        let dark = |v: u8| u8::try_from(u16::from(v) * 3 / 4).unwrap_or(v);
        format!("#{:02x}{:02x}{:02x}", dark(part(0)), dark(part(2)), dark(part(4)))
    }
}

static BRAND: OnceLock<Brand> = OnceLock::new();

/// Sets the brand for the process; the first call wins (tests start many apps in one process).
pub fn set(brand: Brand) {
    let _ = BRAND.set(brand);
}

pub fn get() -> &'static Brand {
    BRAND.get_or_init(Brand::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_is_six_hex_digits_and_darkens_by_a_quarter() {
        assert_eq!(Brand::parse_colour(" #0B5FFF "), Some("#0b5fff".into()));
        assert_eq!(Brand::parse_colour("0b5fff"), None);
        assert_eq!(Brand::parse_colour("#0b5ff"), None);
        assert_eq!(Brand::parse_colour("#0b5fgg"), None);
        let b = Brand { colour: "#0b5fff".into(), ..Brand::default() };
        assert_eq!(b.colour_dark(), "#0847bf");
    }
}
