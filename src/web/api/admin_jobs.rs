//! `/api/v1/admin/jobs`: staff see mail and operator jobs and send failed ones round again.
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::jobs::{self, Job, JobStatus};
use crate::domain::shared::Code;
use crate::domain::shared::{FieldErrors, PageRequest};
use crate::web::error::{AppError, Problem};
use crate::web::render::json_ok;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// pending, running, done, failed or dead; all when absent.
    pub status: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct JobDto<'a> {
    pub id: Uuid,
    #[schema(example = "mail")]
    pub queue: &'a str,
    #[schema(example = "password_reset")]
    pub kind: &'a str,
    #[schema(example = "failed")]
    pub status: &'static str,
    pub attempts: i32,
    pub max_attempts: i32,
    /// When the next attempt is due (pending and failed jobs).
    pub run_at: DateTime<Utc>,
    pub last_error: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl<'a> JobDto<'a> {
    fn new(j: &'a Job) -> Self {
        Self {
            id: j.id,
            queue: j.queue.as_str(),
            kind: &j.kind,
            status: j.status.as_str(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            last_error: j.last_error.as_deref(),
            created_at: j.created_at,
            updated_at: j.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct JobPage<'a> {
    pub items: Vec<JobDto<'a>>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

/// Jobs, newest first.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin", params(JobsQuery), security(("bearer" = [])),
    responses((status = 200, body = JobPage), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_jobs(state: web::Data<AppState>, query: web::Query<JobsQuery>) -> Result<HttpResponse, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref());
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => JobStatus::parse(s).map(Some).ok_or_else(|| FieldErrors::single("status", Code::JobStatus)),
    };
    let (page, status) = match (page, status) {
        (Ok(p), Ok(s)) => (p, s),
        (p, s) => {
            let mut errors = FieldErrors::new();
            if let Err(e) = p {
                errors.extend(e);
            }
            if let Err(e) = s {
                errors.extend(e);
            }
            return Err(errors.into());
        }
    };
    let jobs = state.shop.db.run(move |conn| Ok::<_, AppError>(jobs::list(conn, status, page)?)).await?;
    json_ok(&JobPage {
        items: jobs.items.iter().map(JobDto::new).collect(),
        page: jobs.page,
        per_page: jobs.per_page,
        total: jobs.total,
    })
}

/// Send a failed or dead job round again, now, with a fresh set of attempts.
#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = JobDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is pending, running or done", body = Problem, content_type = "application/problem+json")))]
pub async fn retry_job(
    state: web::Data<AppState>,
    staff: crate::web::extract::ApiStaff,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = crate::web::extract::path_id(&id)?;
    let (staff, now) = (staff.0.id, state.shop.now());
    let job = state.shop.db.run(move |conn| Ok::<_, AppError>(jobs::retry(conn, id, staff, now)?)).await?;
    state.shop.wake_jobs();
    json_ok(&JobDto::new(&job))
}
