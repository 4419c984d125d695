//! `/admin/jobs`: mail and operator jobs that failed or stopped, with their last error; staff
//! send one round again (asked first), through the same call as the API's retry.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::nav::{AdminNav, Section};
use crate::domain::jobs::{self, JobError, JobStatus};
use crate::domain::shared::{shop_local, PageRequest};
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::extract::StaffUser;
use crate::web::pages::views::Pager;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

pub struct JobRow {
    pub id: Uuid,
    pub queue: &'static str,
    pub kind: String,
    pub status: &'static str,
    pub attempts: String,
    pub next: String,
    pub error: String,
    pub retryable: bool,
}

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
pub struct JobsPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    pub tabs: Vec<Tab>,
    pub rows: Vec<JobRow>,
    pub total: i64,
    pub pager: Pager,
}

#[derive(Deserialize)]
pub struct JobsQuery {
    pub status: Option<String>,
    pub page: Option<String>,
}

const SHOWN: [JobStatus; 3] = [JobStatus::Failed, JobStatus::Dead, JobStatus::Pending];

fn href(status: JobStatus, page: u32) -> String {
    if page > 1 {
        format!("/admin/jobs?status={}&page={page}", status.as_str())
    } else {
        format!("/admin/jobs?status={}", status.as_str())
    }
}

pub async fn list_jobs(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    staff: StaffUser,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, AppError> {
    // Failed jobs first: they are what staff come here for.
    let status = query.status.as_deref().and_then(JobStatus::parse).unwrap_or(JobStatus::Failed);
    let page = PageRequest::parse(query.page.as_deref(), None).unwrap_or_default();
    let found = state.shop.db.run(move |conn| Ok::<_, AppError>(jobs::list(conn, Some(status), page)?)).await?;
    let rows = found
        .items
        .iter()
        .map(|j| JobRow {
            id: j.id,
            queue: j.queue.as_str(),
            kind: j.kind.clone(),
            status: j.status.as_str(),
            attempts: format!("{}/{}", j.attempts, j.max_attempts),
            next: shop_local(j.run_at).format("%Y-%m-%d %H:%M").to_string(),
            error: j.last_error.clone().unwrap_or_default(),
            retryable: j.status.can_retry(),
        })
        .collect();
    let tabs = SHOWN
        .iter()
        .map(|s| Tab { href: href(*s, 1), label: ctx.t(&format!("admin.jobs.{}", s.as_str())), current: *s == status })
        .collect();
    let page = JobsPage {
        nav: AdminNav::new(&staff.0, Section::Jobs),
        csrf: ctx.form_token(&session),
        notice: session::take_flash(&session).map(|k| ctx.t_dynamic(&k).to_string()),
        tabs,
        rows,
        total: found.total,
        pager: Pager::new(&found, |n| href(status, n)),
        ctx,
    };
    html_with(StatusCode::OK, &page)
}

pub async fn retry_job(
    state: web::Data<AppState>,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: Uuid = path_id(&id)?;
    let (who, now) = (staff.0.id, state.shop.now());
    let retried = state.shop.db.run(move |conn| jobs::retry(conn, id, who, now)).await;
    match retried {
        Ok(_) => {
            state.shop.wake_jobs();
            session::flash(&session, "admin.jobs.retried");
        }
        Err(JobError::NotRetryable(_)) => session::flash(&session, "admin.jobs.not_retryable"),
        Err(e) => return Err(e.into()),
    }
    Ok(see_other("/admin/jobs"))
}
