//! The number search's query string, which the `/numbers` page and `GET /api/v1/numbers` share.
use serde::Deserialize;

use crate::domain::shared::FieldErrors;
use crate::domain::telco::numbers::NumberSearch;

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

impl NumbersQuery {
    /// # Errors
    /// A field error per wrong parameter (`q`, `tier`, `page`, `per_page`).
    pub fn parse(&self) -> Result<NumberSearch, FieldErrors> {
        NumberSearch::parse(self.q.as_deref(), self.tier.as_deref(), self.page.as_deref(), self.per_page.as_deref())
    }
}
