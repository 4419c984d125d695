//! `/api/v1/admin/audit`: the trail of staff changes (an extension of the contract).
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::audit::{self, AuditAction, AuditEntry, AuditFilter};
use crate::domain::shared::{AccountId, Code, FieldErrors, Page, PageRequest};
use crate::web::error::{AppError, Problem};
use crate::web::render::json_ok;
use crate::web::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A staff member's account id.
    pub actor: Option<String>,
    /// product_created, product_updated, branch_created, stock_set, campaign_created,
    /// codes_made, code_freed, order_moved, order_refunded, job_retried, numbers_imported,
    /// sim_cards_imported or esim_profiles_imported.
    pub action: Option<String>,
    /// product, branch, stock, campaign, order, job or pool.
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    /// RFC 3339: from this moment on.
    pub from: Option<String>,
    /// RFC 3339: before this moment.
    pub until: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_email: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl AuditPage {
    fn new(p: Page<AuditEntry>) -> Self {
        Self {
            page: p.page,
            per_page: p.per_page,
            total: p.total,
            items: p
                .items
                .into_iter()
                .map(|e| AuditEntryDto {
                    id: e.id,
                    at: e.at,
                    actor_id: e.actor_id.map(Into::into),
                    actor_email: e.actor_email,
                    action: e.action,
                    subject_type: e.subject_type,
                    subject_id: e.subject_id,
                    before: e.before,
                    after: e.after,
                })
                .collect(),
        }
    }
}

fn moment(raw: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<DateTime<Utc>> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let at = DateTime::parse_from_rfc3339(raw).ok().map(|t| t.with_timezone(&Utc));
    if at.is_none() {
        errors.add(field, Code::Timestamp);
    }
    at
}

/// Staff changes, newest first.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditPage), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_audit(state: web::Data<AppState>, query: web::Query<AuditQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let mut errors = FieldErrors::new();
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let actor = nonempty(q.actor).and_then(|a| {
        AccountId::parse(&a).or_else(|| {
            errors.add("actor", Code::CustomerUnknown);
            None
        })
    });
    let action = nonempty(q.action).and_then(|a| {
        AuditAction::parse(&a).or_else(|| {
            errors.add("action", Code::UnknownAction);
            None
        })
    });
    let from = moment(q.from.as_deref(), "from", &mut errors);
    let until = moment(q.until.as_deref(), "until", &mut errors);
    let page = PageRequest::parse(q.page.as_deref(), q.per_page.as_deref()).unwrap_or_else(|e| {
        errors.extend(e);
        PageRequest::default()
    });
    errors.into_result()?;
    let filter = AuditFilter {
        actor,
        action,
        subject_type: nonempty(q.subject_type),
        subject_id: nonempty(q.subject_id),
        from,
        until,
    };
    let entries = state.shop.db.run(move |conn| Ok::<_, AppError>(audit::list(conn, &filter, page)?)).await?;
    json_ok(&AuditPage::new(entries))
}
