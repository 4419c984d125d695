//! Pagination: `?page=1&per_page=20` in, `{items, page, per_page, total}` out.
use serde::Serialize;

use super::FieldErrors;
use crate::domain::shared::{Code, FieldError};

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, per_page: DEFAULT_PER_PAGE }
    }
}

impl PageRequest {
    /// Parses the raw query values; anything but a whole number in range is a field error.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut out = Self::default();
        if let Some(p) = page {
            match p.trim().parse::<u32>() {
                Ok(n) if (1..=1_000_000).contains(&n) => out.page = n,
                _ => errors.add("page", Code::PageNumber),
            }
        }
        if let Some(p) = per_page {
            match p.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => out.per_page = n,
                _ => errors.add("per_page", FieldError::from(Code::PerPage).with("max", MAX_PER_PAGE)),
            }
        }
        errors.into_result().map(|()| out)
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per).unwrap_or(u32::MAX)
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.total_pages()
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() -> Result<(), Box<dyn std::error::Error>> {
        assert_eq!(PageRequest::parse(None, None)?, PageRequest { page: 1, per_page: 20 });
        assert_eq!(PageRequest::parse(Some("3"), Some("100"))?, PageRequest { page: 3, per_page: 100 });
        for bad in ["0", "-1", "x", "1.5", ""] {
            assert!(PageRequest::parse(Some(bad), None).unwrap_err().fields().contains_key("page"), "{bad}");
        }
        for bad in ["0", "101", "abc", "-5"] {
            assert!(PageRequest::parse(None, Some(bad)).unwrap_err().fields().contains_key("per_page"), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn pages_count_up() {
        let p = Page::<()> { items: vec![], page: 2, per_page: 20, total: 41 };
        assert_eq!(p.total_pages(), 3);
        assert!(p.has_prev() && p.has_next());
        let empty = Page::<()> { items: vec![], page: 1, per_page: 20, total: 0 };
        assert_eq!(empty.total_pages(), 0);
        assert!(!empty.has_next());
    }
}
