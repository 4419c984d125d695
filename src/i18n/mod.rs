//! The one translation lookup. Catalogs are `key = value` files, one per language, embedded
//! at build time; a test fails when a key is missing in either of them.
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::domain::shared::{FieldError, FieldErrors, Lang};

pub mod brand;
pub mod suffix;

const MN: &str = include_str!("mn.txt");
const EN: &str = include_str!("en.txt");

pub type Catalog = HashMap<&'static str, &'static str>;

/// Parses a catalog file: `key = value` per line, `#` comments, blank lines ignored.
pub fn parse_catalog(text: &'static str) -> Catalog {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.trim(), v.trim())))
        .collect()
}

fn catalogs() -> &'static (Catalog, Catalog) {
    static CATALOGS: OnceLock<(Catalog, Catalog)> = OnceLock::new();
    CATALOGS.get_or_init(|| (parse_catalog(MN), parse_catalog(EN)))
}

pub fn catalog(lang: Lang) -> &'static Catalog {
    let (mn, en) = catalogs();
    match lang {
        Lang::Mn => mn,
        Lang::En => en,
    }
}

/// Translations in one language; templates call `ctx.t` with a catalog key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text for `key`; the key itself when it is missing (the catalog test prevents that).
    pub fn t(&self, key: &str) -> &'static str {
        match catalog(self.0).get(key) {
            Some(v) => v,
            None => {
                tracing::warn!(key, lang = self.0.code(), "missing translation");
                catalog(Lang::En).get(key).copied().unwrap_or("…")
            }
        }
    }

    /// The operator's name in this language.
    pub fn brand(&self) -> &'static str {
        brand::get().name(self.0)
    }

    /// The text for a key built at run time (a spec name, a kind), or `fallback` when the
    /// catalogs do not know it.
    pub fn t_or<'a>(&self, key: &str, fallback: &'a str) -> &'a str
    where
        'static: 'a,
    {
        catalog(self.0).get(key).copied().unwrap_or(fallback)
    }

    /// A field error in this language: the catalog's `field.<code>` with its parameters filled in.
    pub fn field(&self, error: &FieldError) -> String {
        let mut s = self.t(&format!("field.{}", error.code.as_str())).to_string();
        for (name, value) in &error.params {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// Every field's errors in this language, as the API's `errors` member shows them.
    pub fn fields(&self, errors: &FieldErrors) -> std::collections::BTreeMap<String, Vec<String>> {
        errors
            .fields()
            .iter()
            .map(|(field, list)| (field.clone(), list.iter().map(|e| self.field(e)).collect()))
            .collect()
    }

    /// A moment as a reader of this language writes it, on Ulaanbaatar's clock:
    /// `2026 оны 11-р сарын 30, 01:41` or `30 Nov 2026, 01:41`.
    pub fn datetime(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        format!("{}, {}", self.date(at), crate::domain::shared::shop_local(at).format("%H:%M"))
    }

    /// A day on Ulaanbaatar's calendar: `2026 оны 11-р сарын 30` or `30 Nov 2026`.
    pub fn date(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        use chrono::Datelike;
        let day = crate::domain::shared::shop_local(at).date();
        match self.0 {
            Lang::Mn => format!("{} оны {}-р сарын {}", day.year(), day.month(), day.day()),
            Lang::En => day.format("%-d %b %Y").to_string(),
        }
    }

    /// The text for `key` with `{name}` placeholders filled in; `{name:abl}` and `{name:dat}`
    /// put the Mongolian "from" and "to" endings on the value, by its vowels.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
            if s.contains(&format!("{{{name}:")) {
                s = s
                    .replace(&format!("{{{name}:abl}}"), &suffix::ablative(value))
                    .replace(&format!("{{{name}:dat}}"), &suffix::dative(value));
            }
        }
        s
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn moments_read_as_each_language_writes_them_on_ulaanbaatar_s_clock() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-29T17:41:00Z").unwrap().to_utc();
        assert_eq!(Tr(Lang::Mn).datetime(at), "2026 оны 11-р сарын 30, 01:41");
        assert_eq!(Tr(Lang::En).datetime(at), "30 Nov 2026, 01:41");
        assert_eq!(Tr(Lang::En).date(at), "30 Nov 2026");
    }
}
