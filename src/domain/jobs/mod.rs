//! The durable job queue in PostgreSQL: mail and operator calls are rows written in the same
//! transaction as the change that causes them (a transactional outbox), claimed with
//! `FOR UPDATE SKIP LOCKED` by any number of workers, retried with backoff, and left `dead`
//! for staff to see and retry after too many failures.
pub mod commands;
pub mod types;

pub use commands::{claim, claim_leased, complete, enqueue, enqueue_job, fail, list, renew, retry, stage_job, LEASE};
pub use types::{Job, JobError, JobKind, JobStatus, NewJob, Queue};
