//! The job runner: a thread per server process that claims due jobs (`SKIP LOCKED`, so any
//! number of processes share the queue), does them and records the outcome. It wakes when this
//! process queues something and otherwise polls every few seconds for jobs queued elsewhere or
//! due for a retry.
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::db::Db;
use crate::domain::jobs::{self, Job, JobKind, Queue};
use crate::domain::shared::Clock;
use crate::domain::{idempotency, orders};

pub const POLL: Duration = Duration::from_secs(2);
/// How often expiry and pruning run: not on every wake-up after each queued mail.
const HOUSEKEEPING: Duration = Duration::from_secs(5);
const BATCH: i64 = 10;

pub struct Runner {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub performers: Performers,
}

type Perform = Box<dyn Fn(&str, Value) -> Result<(), String> + Send + Sync>;

/// What the runner can do, by job kind: each `JobKind` registers the function that performs it.
/// The runner claims only from the queues of registered kinds, so new kinds (the operator's)
/// plug in here without touching the runner.
#[derive(Default)]
pub struct Performers {
    by_kind: HashMap<&'static str, Perform>,
    queues: Vec<Queue>,
}

impl Performers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Performs jobs of type `J` (all of its kinds) with `perform`.
    #[must_use]
    pub fn on<J: JobKind>(mut self, perform: impl Fn(J) -> Result<(), String> + Send + Sync + 'static) -> Self {
        let perform = Arc::new(perform);
        for &kind in J::KINDS {
            let perform = Arc::clone(&perform);
            let decode_and_perform = move |kind: &str, payload: Value| {
                let job = J::decode(kind, payload).map_err(|e| format!("unreadable {kind} job: {e}"))?;
                perform(job)
            };
            self.by_kind.insert(kind, Box::new(decode_and_perform));
        }
        if !self.queues.contains(&J::QUEUE) {
            self.queues.push(J::QUEUE);
        }
        self
    }

    pub fn queues(&self) -> &[Queue] {
        &self.queues
    }

    /// Performs one job; a panic inside it is that job's failure, never the runner's.
    ///
    /// # Errors
    /// What the job's performer says, an unknown kind, or the panic's message.
    pub fn perform(&self, job: &Job) -> Result<(), String> {
        let perform = self
            .by_kind
            .get(job.kind.as_str())
            .ok_or_else(|| format!("no performer for jobs of kind {:?}", job.kind))?;
        let payload = job.payload.clone();
        match std::panic::catch_unwind(AssertUnwindSafe(|| perform(&job.kind, payload))) {
            Ok(outcome) => outcome,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".into());
                Err(format!("panicked: {message}"))
            }
        }
    }
}

/// A running job runner: wake it after queuing work, stop it before the process exits.
pub struct RunnerHandle {
    wake: Sender<()>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl RunnerHandle {
    pub fn waker(&self) -> Sender<()> {
        self.wake.clone()
    }

    /// Lets the current job finish, then ends the thread.
    pub fn shut_down(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.send(());
        let _ = self.thread.join();
    }
}

pub fn spawn(runner: Runner) -> std::io::Result<RunnerHandle> {
    let (wake, rx) = std::sync::mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new().name("job-runner".into()).spawn(move || runner.run(&rx, &flag))?;
    Ok(RunnerHandle { wake, stop, thread })
}

impl Runner {
    fn run(&self, wake: &Receiver<()>, stop: &AtomicBool) {
        let mut last_pass = None;
        while !stop.load(Ordering::SeqCst) {
            if last_pass.is_none_or(|t: Instant| t.elapsed() >= HOUSEKEEPING) {
                self.housekeeping();
                last_pass = Some(Instant::now());
            }
            while !stop.load(Ordering::SeqCst) && self.work_batch() > 0 {}
            match wake.recv_timeout(POLL) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Orders whose time to pay ran out give back what they reserved; old idempotency keys go.
    pub fn housekeeping(&self) {
        let Ok(mut conn) = self.db.get() else { return };
        let now = self.clock.now();
        match orders::commands::expire_due(&mut conn, now, 100) {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "unpaid orders expired"),
            Err(e) => tracing::warn!(error = %e, "expiring unpaid orders failed"),
        }
        if let Err(e) = idempotency::prune(&mut conn, now) {
            tracing::warn!(error = %e, "pruning idempotency keys failed");
        }
    }

    /// Claims and does one batch of jobs of the queues it can perform; returns how many it took.
    pub fn work_batch(&self) -> usize {
        let queues = self.performers.queues();
        if queues.is_empty() {
            return 0;
        }
        let claimed = match self.db.get() {
            Ok(mut conn) => jobs::claim(&mut conn, queues, BATCH, self.clock.now()),
            Err(e) => {
                tracing::warn!(error = %e, "job runner cannot reach the database");
                return 0;
            }
        };
        let batch = match claimed {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "claiming jobs failed");
                return 0;
            }
        };
        let n = batch.len();
        for job in batch {
            let outcome = self.performers.perform(&job);
            let Ok(mut conn) = self.db.get() else { continue };
            let recorded = match &outcome {
                Ok(()) => jobs::complete(&mut conn, job.id, self.clock.now()).map(|()| "done"),
                Err(error) => jobs::fail(&mut conn, &job, error, self.clock.now()).map(|s| s.as_str()),
            };
            match (recorded, outcome) {
                (Ok(status), Ok(())) => tracing::info!(job = %job.id, kind = %job.kind, status, "job"),
                (Ok(status), Err(error)) => {
                    tracing::warn!(job = %job.id, kind = %job.kind, status, attempt = job.attempts, %error, "job failed")
                }
                (Err(e), _) => tracing::error!(job = %job.id, error = %e, "cannot record a job's outcome"),
            }
        }
        n
    }
}
