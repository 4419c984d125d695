//! The shop's two languages and text held in both.
use serde::Serialize;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    serde::Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Lang {
    /// Mongolian, the shop's default.
    #[default]
    Mn,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Mn, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Mn => "mn",
            Lang::En => "en",
        }
    }

    /// As stored (`orders.lang`): its code.
    pub fn as_str(self) -> &'static str {
        self.code()
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "mn" => Some(Lang::Mn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` header, by its q-values;
    /// `None` when it names neither, so the caller keeps the default.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let primary = tag.split('-').next().unwrap_or("");
            let Some(lang) = Lang::parse(primary) else { continue };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l)
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Mn => Lang::En,
            Lang::En => Lang::Mn,
        }
    }
}

crate::db::text_enum!(Lang, "language");

/// A text the shop keeps in both languages (names, descriptions, addresses).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct Localized {
    pub mn: String,
    pub en: String,
}

impl Localized {
    /// Reads a text kept in both languages, or one written before it was (the same for both):
    /// outcomes stored under idempotency keys keep the shape they were written in.
    ///
    /// # Errors
    /// Neither a text nor `{mn, en}`.
    pub fn from_either<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            One(String),
            Both { mn: String, en: String },
        }
        Ok(match <Either as serde::Deserialize>::deserialize(d)? {
            Either::One(text) => Localized { mn: text.clone(), en: text },
            Either::Both { mn, en } => Localized { mn, en },
        })
    }

    pub fn new(mn: impl Into<String>, en: impl Into<String>) -> Self {
        Self { mn: mn.into(), en: en.into() }
    }

    /// The text in `lang`, falling back to the other language when it is empty.
    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::Mn => (&self.mn, &self.en),
            Lang::En => (&self.en, &self.mn),
        };
        if first.is_empty() {
            second
        } else {
            first
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("mn-MN,mn;q=0.9,en;q=0.8"), Some(Lang::Mn));
        assert_eq!(Lang::from_accept_language("de,en;q=0.5,mn;q=0.7"), Some(Lang::Mn));
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn localized_text_falls_back_to_the_other_language() {
        let t = Localized::new("Рүүтер", "");
        assert_eq!(t.get(Lang::En), "Рүүтер");
        assert_eq!(Localized::new("Рүүтер", "Router").get(Lang::En), "Router");
    }
}
