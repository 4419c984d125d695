//! `/admin/audit`: every staff change, newest first, filtered by action, subject and day.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::nav::{AdminNav, Section};
use crate::domain::audit::{self, AuditAction, AuditFilter};
use crate::domain::shared::{shop_local, PageRequest};
use crate::web::error::AppError;
use crate::web::extract::StaffUser;
use crate::web::pages::views::Pager;
use crate::web::render::{html_with, Chrome};
use crate::web::state::AppState;

pub struct EntryRow {
    pub at: String,
    pub who: String,
    pub action: &'static str,
    pub subject: String,
    pub before: String,
    pub after: String,
}

pub struct ActionChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub actions: Vec<ActionChoice>,
    pub subject: String,
    pub day: String,
    pub rows: Vec<EntryRow>,
    pub total: i64,
    pub pager: Pager,
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub struct AuditQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// A subject's id (an order's, a product's, a campaign's…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A day on the shop's calendar, `2026-11-30`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

fn compact(v: Option<&serde_json::Value>) -> String {
    v.map(|v| serde_json::to_string(v).unwrap_or_default()).unwrap_or_default()
}

pub async fn list_audit(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let action = q.action.as_deref().and_then(AuditAction::parse);
    let subject = q.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let day = q.day.as_deref().and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    // A day runs from its midnight in Ulaanbaatar (UTC+8).
    let from = day.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|m| m.and_utc() - Duration::hours(8));
    let filter = AuditFilter {
        action,
        subject_id: subject.clone(),
        from,
        until: from.map(|f| f + Duration::days(1)),
        ..AuditFilter::default()
    };
    let page = PageRequest::parse(q.page.as_deref(), None).unwrap_or_default();
    let entries = state.shop.db.run(move |conn| Ok::<_, AppError>(audit::list(conn, &filter, page)?)).await?;
    let rows = entries
        .items
        .iter()
        .map(|e| EntryRow {
            at: shop_local(e.at).format("%Y-%m-%d %H:%M:%S").to_string(),
            who: e.actor_email.clone(),
            action: ctx.t(&format!("admin.audit.action.{}", e.action)),
            subject: format!("{} {}", e.subject_type, e.subject_id),
            before: compact(e.before.as_ref()),
            after: compact(e.after.as_ref()),
        })
        .collect();
    let actions = AuditAction::ALL
        .iter()
        .map(|a| ActionChoice {
            value: a.as_str(),
            label: ctx.t(&format!("admin.audit.action.{}", a.as_str())),
            selected: Some(*a) == action,
        })
        .collect();
    let pager = Pager::new(&entries, |n| {
        let with_page = AuditQuery { page: (n > 1).then(|| n.to_string()), ..q.clone() };
        format!("/admin/audit?{}", serde_urlencoded::to_string(&with_page).unwrap_or_default())
    });
    let page = AuditPage {
        nav: AdminNav::new(&staff.0, Section::Audit),
        actions,
        subject: subject.unwrap_or_default(),
        day: day.map(|d| d.to_string()).unwrap_or_default(),
        rows,
        total: entries.total,
        pager,
        ctx,
    };
    html_with(StatusCode::OK, &page)
}
