//! Jobs and their states.
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::db::DbError;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Queue {
    Mail,
    Operator,
    /// Calls to the payment provider (refunds).
    Payments,
}

impl Queue {
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Mail => "mail",
            Queue::Operator => "operator",
            Queue::Payments => "payments",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Queue::Mail, Queue::Operator, Queue::Payments].into_iter().find(|q| q.as_str() == s)
    }
}

crate::db::text_enum!(Queue, "job queue");

/// `pending` → `running` → `done`, or → `failed` (to be retried at `run_at`) → … → `dead`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum JobStatus {
    Pending,
    Running,
    Done,
    Failed,
    Dead,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] =
        [JobStatus::Pending, JobStatus::Running, JobStatus::Done, JobStatus::Failed, JobStatus::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|j| j.as_str() == s)
    }

    /// Staff may send a job round again once it has stopped trying or is waiting to.
    pub fn can_retry(self) -> bool {
        matches!(self, JobStatus::Failed | JobStatus::Dead)
    }
}

crate::db::text_enum!(JobStatus, "job status");

/// One kind of job, as the serde type its payload is: the same type is written by whoever
/// enqueues the job and read by whoever performs it, so a missing or mistyped field fails the
/// job with a clear error instead of becoming an empty string.
pub trait JobKind: Serialize + DeserializeOwned + 'static {
    const QUEUE: Queue;
    /// The `kind` values this type is stored under (one type may carry several kinds).
    const KINDS: &'static [&'static str];
    const MAX_ATTEMPTS: i32 = 8;

    /// The `kind` this job is stored under; one of `KINDS`.
    fn kind(&self) -> &'static str;

    /// The business id that makes the job unique: a second job with it is not queued.
    fn dedup_key(&self) -> Option<String> {
        None
    }

    /// Reads a stored job of `kind`.
    ///
    /// # Errors
    /// A payload that is not this type.
    fn decode(kind: &str, payload: Value) -> Result<Self, serde_json::Error> {
        let _ = kind;
        serde_json::from_value(payload)
    }
}

/// A job row about to be written; `enqueue_job` makes one from a `JobKind`.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub queue: Queue,
    pub kind: String,
    pub payload: Value,
    /// The business id the job acts on; a second job with the same key is not queued.
    pub dedup_key: Option<String>,
    pub max_attempts: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: Uuid,
    pub queue: Queue,
    pub kind: String,
    pub payload: Value,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("job not found")]
    NotFound,
    #[error("job is {0} and cannot be retried")]
    NotRetryable(&'static str),
    #[error(transparent)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for JobError {
    fn from(e: diesel::result::Error) -> Self {
        JobError::Internal(DbError::Query(e))
    }
}

/// Seconds to wait before attempt `n + 1` after `n` failures: 10 s, 20 s, 40 s, … up to an hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    let exp = attempts.clamp(1, 12) - 1;
    (10i64 << exp).min(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!((1..=5).map(backoff_secs).collect::<Vec<_>>(), [10, 20, 40, 80, 160]);
        assert_eq!(backoff_secs(30), 3600);
        assert_eq!(backoff_secs(0), 10);
    }

    #[test]
    fn only_stopped_jobs_are_retried() {
        assert!(JobStatus::Dead.can_retry() && JobStatus::Failed.can_retry());
        assert!(!JobStatus::Done.can_retry() && !JobStatus::Running.can_retry() && !JobStatus::Pending.can_retry());
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
    }
}
