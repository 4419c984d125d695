//! Queue operations. `enqueue` joins the caller's transaction; the others stand alone.
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::types::{backoff_secs, Job, JobError, JobKind, JobStatus, NewJob, Queue};
use crate::db::schema::jobs;
use crate::db::DbError;
use crate::db::{prepared, Staged};
use crate::domain::audit;
use crate::domain::shared::AccountId;
use crate::domain::shared::{Page, PageRequest};

/// How long a claimed job may run before another worker may take it over (a crashed worker).
pub const LEASE: Duration = Duration::minutes(5);

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = jobs, check_for_backend(diesel::pg::Pg))]
struct JobRow {
    id: Uuid,
    queue: Queue,
    kind: String,
    payload: Value,
    status: JobStatus,
    attempts: i32,
    max_attempts: i32,
    run_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl JobRow {
    fn into_job(self) -> Job {
        Job {
            id: self.id,
            queue: self.queue,
            kind: self.kind,
            payload: self.payload,
            status: self.status,
            attempts: self.attempts,
            max_attempts: self.max_attempts,
            run_at: self.run_at,
            last_error: self.last_error,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// Queues a job in the caller's transaction; with a `dedup_key` already queued, nothing is
/// added and `None` is returned.
pub fn enqueue(conn: &mut PgConnection, job: &NewJob, now: DateTime<Utc>) -> Result<Option<Uuid>, DbError> {
    let (id, write) = stage(job.clone(), now);
    let written = crate::db::together(conn, &[write])?;
    Ok((written == [1]).then_some(id))
}

/// `enqueue` as a write to send with others (`db::together`): its id, and the write, which
/// writes no row when a job with the same `dedup_key` is queued.
pub fn stage(job: NewJob, now: DateTime<Utc>) -> (Uuid, Staged) {
    use diesel::sql_types::{Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
    let id = Uuid::new_v4();
    let write = Staged::new(
        "INSERT INTO jobs (id, queue, kind, payload, dedup_key, max_attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(job.queue)
    .bind::<Text, _>(job.kind)
    .bind::<Jsonb, _>(job.payload)
    .bind::<Nullable<Text>, _>(job.dedup_key)
    .bind::<Integer, _>(job.max_attempts)
    .bind::<Timestamptz, _>(now);
    (id, write)
}

/// Queues a typed job in the caller's transaction (see `enqueue`).
///
/// # Errors
/// A database error, or a payload that cannot be written as JSON (never for plain data).
pub fn enqueue_job<J: JobKind>(conn: &mut PgConnection, job: &J, now: DateTime<Utc>) -> Result<Option<Uuid>, DbError> {
    enqueue(conn, &new_job(job)?, now)
}

/// `enqueue_job` as a write to send with others (`db::together`).
///
/// # Errors
/// A payload that cannot be written as JSON (never for plain data).
pub fn stage_job<J: JobKind>(job: &J, now: DateTime<Utc>) -> Result<Staged, DbError> {
    Ok(stage(new_job(job)?, now).1)
}

fn new_job<J: JobKind>(job: &J) -> Result<NewJob, DbError> {
    let payload = serde_json::to_value(job)
        .map_err(|e| DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))?;
    Ok(NewJob {
        queue: J::QUEUE,
        kind: job.kind().to_string(),
        payload,
        dedup_key: job.dedup_key(),
        max_attempts: J::MAX_ATTEMPTS,
    })
}

/// Takes up to `limit` due jobs of `queues` for this worker: pending or failed ones whose time
/// has come, and running ones whose worker's lease ran out. Each claim counts as an attempt.
/// Workers on any number of processes never take the same job (`SKIP LOCKED`).
pub fn claim(conn: &mut PgConnection, queues: &[Queue], limit: i64, now: DateTime<Utc>) -> Result<Vec<Job>, JobError> {
    claim_leased(conn, queues, limit, now, LEASE)
}

/// `claim` with a lease of `lease` (a runner configured with `JOB_LEASE_SECONDS`).
///
/// # Errors
/// A database error.
pub fn claim_leased(
    conn: &mut PgConnection,
    queues: &[Queue],
    limit: i64,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<Job>, JobError> {
    let queues: Vec<&str> = queues.iter().map(|q| q.as_str()).collect();
    let rows: Vec<JobRow> = prepared(CLAIM)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(queues)
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .bind::<diesel::sql_types::Timestamptz, _>(now + lease)
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .bind::<diesel::sql_types::Text, _>(JobStatus::Running)
        .load(conn)?;
    Ok(rows.into_iter().map(JobRow::into_job).collect())
}

/// The due jobs, taken in two index scans that each stop at the limit: the states are written
/// out (not bound) because only then can the planner's generic plan use the partial indexes
/// `jobs_due_idx` and `jobs_running_idx`, and one condition joining both with `OR` made it
/// read and sort every pending job at each claim (27 ms a claim behind 25,000 queued mails).
/// `claim_names_the_states_as_the_enum_does` pins the literals to `JobStatus`.
const CLAIM: &str = "WITH expired AS (SELECT id FROM jobs \
         WHERE status = 'running' AND locked_until < $2 AND queue = ANY($1) \
         ORDER BY locked_until LIMIT $4 FOR UPDATE SKIP LOCKED), \
     due AS (SELECT id FROM jobs \
         WHERE status IN ('pending', 'failed') AND run_at <= $2 AND queue = ANY($1) \
         ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
     UPDATE jobs SET status = $5, attempts = attempts + 1, locked_until = $3, updated_at = $2 \
     WHERE id IN (SELECT id FROM (SELECT id FROM expired UNION ALL SELECT id FROM due) taken LIMIT $4) \
     RETURNING id, queue, kind, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at";

/// The job as this worker claimed it: still running, on the attempt it claimed. A worker whose
/// lease ran out and whose job another worker took over (a new attempt) matches nothing, so it
/// can neither renew, finish nor fail that job.
fn held(job: &Job) -> Box<dyn BoxableExpression<jobs::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>> {
    Box::new(jobs::id.eq(job.id).and(jobs::status.eq(JobStatus::Running)).and(jobs::attempts.eq(job.attempts)))
}

/// Renews the lease on `job` as its work begins, so each job of a claimed batch has a full
/// lease of its own. `false` when this worker no longer holds it: it must leave it alone.
///
/// # Errors
/// A database error.
pub fn renew(conn: &mut PgConnection, job: &Job, now: DateTime<Utc>, lease: Duration) -> Result<bool, JobError> {
    let renewed = diesel::update(jobs::table.filter(held(job)))
        .set((jobs::locked_until.eq(now + lease), jobs::updated_at.eq(now)))
        .execute(conn)?;
    Ok(renewed == 1)
}

/// The job is done (unless another worker holds it now).
pub fn complete(conn: &mut PgConnection, job: &Job, now: DateTime<Utc>) -> Result<(), JobError> {
    diesel::update(jobs::table.filter(held(job)))
        .set((
            jobs::status.eq(JobStatus::Done),
            jobs::locked_until.eq(None::<DateTime<Utc>>),
            jobs::last_error.eq(None::<String>),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The attempt failed: retried after a backoff, or `dead` after its last attempt.
pub fn fail(conn: &mut PgConnection, job: &Job, error: &str, now: DateTime<Utc>) -> Result<JobStatus, JobError> {
    let dead = job.attempts >= job.max_attempts;
    let status = if dead { JobStatus::Dead } else { JobStatus::Failed };
    let error: String = error.chars().take(2000).collect();
    diesel::update(jobs::table.filter(held(job)))
        .set((
            jobs::status.eq(status),
            jobs::locked_until.eq(None::<DateTime<Utc>>),
            jobs::last_error.eq(Some(error)),
            jobs::run_at.eq(now + Duration::seconds(backoff_secs(job.attempts))),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(status)
}

/// Staff send a failed or dead job round again, now, with a fresh set of attempts.
///
/// # Errors
/// `NotFound`; `NotRetryable` for a job that is pending, running or done.
pub fn retry(conn: &mut PgConnection, id: Uuid, staff: AccountId, now: DateTime<Utc>) -> Result<Job, JobError> {
    conn.transaction(|conn| {
        let row: JobRow = jobs::table
            .find(id)
            .for_update()
            .select(JobRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(JobError::NotFound)?;
        let status = row.status;
        if !status.can_retry() {
            return Err(JobError::NotRetryable(status.as_str()));
        }
        let row: JobRow = diesel::update(jobs::table.find(id))
            .set((
                jobs::status.eq(JobStatus::Pending),
                jobs::attempts.eq(0),
                jobs::run_at.eq(now),
                jobs::updated_at.eq(now),
            ))
            .returning(JobRow::as_returning())
            .get_result(conn)?;
        let before = serde_json::json!({"status": status.as_str()});
        let after = serde_json::json!({"status": row.status.as_str(), "kind": row.kind});
        let subject = audit::Subject::new("job", id);
        audit::record(conn, staff, audit::AuditAction::JobRetried, &subject, Some(before), Some(after), now)?;
        Ok(row.into_job())
    })
}

/// The jobs queued under these keys (the business ids they act on), one statement whatever
/// their number: an order's page shows how the operator is doing with each of its lines.
///
/// # Errors
/// A database failure.
pub fn by_keys(conn: &mut PgConnection, keys: &[String]) -> Result<Vec<(String, Job)>, JobError> {
    let rows: Vec<(Option<String>, JobRow)> =
        jobs::table.filter(jobs::dedup_key.eq_any(keys)).select((jobs::dedup_key, JobRow::as_select())).load(conn)?;
    Ok(rows.into_iter().filter_map(|(key, row)| key.map(|k| (k, row.into_job()))).collect())
}

/// Jobs newest first, optionally of one status.
pub fn list(conn: &mut PgConnection, status: Option<JobStatus>, page: PageRequest) -> Result<Page<Job>, JobError> {
    let mut query = jobs::table.into_boxed();
    let mut count = jobs::table.into_boxed();
    if let Some(s) = status {
        query = query.filter(jobs::status.eq(s));
        count = count.filter(jobs::status.eq(s));
    }
    let total: i64 = count.count().get_result(conn)?;
    let rows: Vec<JobRow> = query
        .select(JobRow::as_select())
        .order((jobs::created_at.desc(), jobs::id))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok(Page {
        items: rows.into_iter().map(JobRow::into_job).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::{JobStatus, CLAIM};

    #[test]
    fn claim_names_the_states_as_the_enum_does() {
        let running = format!("status = '{}' AND locked_until", JobStatus::Running.as_str());
        let due = format!("status IN ('{}', '{}') AND run_at", JobStatus::Pending.as_str(), JobStatus::Failed.as_str());
        assert!(CLAIM.contains(&running) && CLAIM.contains(&due), "{CLAIM}");
    }
}
