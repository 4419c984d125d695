//! The staff's order list filters as a query string gives them, for the admin page and the API
//! alike: method, branch, days on the shop's calendar, and a search.
use chrono::{Duration, NaiveDate};

use crate::domain::orders::{MethodFilter, OrderFilter};
use crate::domain::shared::{Code, FieldErrors};

fn day(raw: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    if d.is_none() {
        errors.add(field, Code::Timestamp);
    }
    d
}

/// Reads the filters into `filter`; a wrong value is a field error.
pub fn read_filters(
    filter: &mut OrderFilter,
    method: Option<&str>,
    branch: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    q: Option<&str>,
    errors: &mut FieldErrors,
) {
    if let Some(m) = method.map(str::trim).filter(|s| !s.is_empty()) {
        filter.method = MethodFilter::parse(m);
        if filter.method.is_none() {
            errors.add("method", Code::Method);
        }
    }
    if let Some(b) = branch.map(str::trim).filter(|s| !s.is_empty()) {
        filter.branch = uuid::Uuid::parse_str(b).ok();
        if filter.branch.is_none() {
            errors.add("branch_id", Code::UnknownBranch);
        }
    }
    // A day runs from its midnight in Ulaanbaatar (UTC+8).
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|m| m.and_utc() - Duration::hours(8));
    filter.from = day(from, "from", errors).and_then(midnight);
    filter.until = day(to, "to", errors).and_then(|d| midnight(d + Duration::days(1)));
    filter.search = q.map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(100).collect());
}
