//! The number search's query string, which the `/numbers` page and `GET /api/v1/numbers` share.
use serde::Deserialize;

use crate::domain::catalog::Tier;
use crate::domain::shared::{Code, FieldErrors, PageRequest};
use crate::domain::telco::numbers::NumberPattern;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NumbersQuery {
    /// Digits, `*` for any digits: `88*11` starts with 88 and ends with 11, `*2233` ends with
    /// 2233; without `*`, numbers containing the digits.
    pub q: Option<String>,
    /// ordinary, silver, gold or platinum.
    pub tier: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A search, parsed: every wrong parameter is reported at once.
pub struct NumberSearch {
    pub pattern: Option<NumberPattern>,
    pub tier: Option<Tier>,
    pub page: PageRequest,
}

impl NumbersQuery {
    /// # Errors
    /// A field error per wrong parameter (`q`, `tier`, `page`, `per_page`).
    pub fn parse(&self) -> Result<NumberSearch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let pattern = NumberPattern::parse(self.q.as_deref().unwrap_or(""), "q").map_err(|e| errors.extend(e)).ok();
        let tier = match self.tier.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Some(None),
            Some(t) => match Tier::parse(&t.to_ascii_lowercase()) {
                Some(t) => Some(Some(t)),
                None => {
                    errors.add("tier", Code::Tier);
                    None
                }
            },
        };
        let page =
            PageRequest::parse(self.page.as_deref(), self.per_page.as_deref()).map_err(|e| errors.extend(e)).ok();
        match (pattern, tier, page) {
            (Some(pattern), Some(tier), Some(page)) => Ok(NumberSearch { pattern, tier, page }),
            _ => Err(errors),
        }
    }
}
