//! The job runner: threads per server process; one claims due jobs (`SKIP LOCKED`, so any
//! number of processes share the queue), does them and records the outcome. It wakes when this
//! process queues something and otherwise polls every few seconds for jobs queued elsewhere or
//! due for a retry.
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::db::Db;
use crate::domain::jobs::{self, Job, JobError, JobKind, Queue};
use crate::domain::shared::Clock;
use crate::domain::{orders, pruning, telco};

pub const POLL: Duration = Duration::from_secs(2);
/// How often unpaid orders are checked for expiry.
const HOUSEKEEPING: Duration = Duration::from_secs(5);
/// How often rows that outlived their use are pruned.
const PRUNING: Duration = Duration::from_secs(600);
const BATCH: i64 = 10;

pub struct Runner {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub performers: Performers,
    /// How long a claimed job is this runner's before another may take it over.
    pub lease: chrono::Duration,
}

impl Runner {
    /// A runner with the default lease (`jobs::LEASE`).
    pub fn new(db: Db, clock: Arc<dyn Clock>, performers: Performers) -> Self {
        Self { db, clock, performers, lease: jobs::LEASE }
    }
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
            Err(panic) => Err(format!("panicked: {}", panic_message(panic.as_ref()))),
        }
    }
}

/// Whether the runner's threads still run: `/readyz` reports a runner that stopped.
#[derive(Clone, Default)]
pub struct RunnerHealth {
    stopped: Arc<AtomicBool>,
}

impl RunnerHealth {
    pub fn is_running(&self) -> bool {
        !self.stopped.load(Ordering::SeqCst)
    }
}

/// Marks the runner stopped when a thread ends, however it ends (a panic unwinds through it).
struct EndsRunner(RunnerHealth);

impl Drop for EndsRunner {
    fn drop(&mut self) {
        self.0.stopped.store(true, Ordering::SeqCst);
    }
}

/// A running job runner: wake it after queuing work, stop it before the process exits.
pub struct RunnerHandle {
    wake: Sender<()>,
    stop: Arc<AtomicBool>,
    health: RunnerHealth,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl RunnerHandle {
    pub fn waker(&self) -> Sender<()> {
        self.wake.clone()
    }

    pub fn health(&self) -> RunnerHealth {
        self.health.clone()
    }

    /// Lets the current job finish, then ends the threads.
    pub fn shut_down(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.send(());
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

/// Runs `pass` until `stop`, pausing `pause` (or until woken) between passes. A pass that
/// panics is logged and the loop goes on: one bad pass never ends mail or expiry.
fn keep_running(name: &str, stop: &AtomicBool, mut pause: impl FnMut() -> bool, mut pass: impl FnMut()) {
    while !stop.load(Ordering::SeqCst) {
        if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(&mut pass)) {
            tracing::error!(thread = name, panic = %panic_message(panic.as_ref()), "a runner pass panicked");
        }
        if !pause() {
            return;
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Starts the runner: one thread that works the queue (woken when this process queues a job,
/// else polling), and one for housekeeping on its own schedule, so a mail backlog never delays
/// the expiry of unpaid orders.
pub fn spawn(runner: Runner) -> std::io::Result<RunnerHandle> {
    let runner = Arc::new(runner);
    let (wake, rx) = std::sync::mpsc::channel::<()>();
    let stop = Arc::new(AtomicBool::new(false));
    let health = RunnerHealth::default();
    let jobs =
        {
            let (runner, stop, ends) = (Arc::clone(&runner), Arc::clone(&stop), EndsRunner(health.clone()));
            std::thread::Builder::new().name("job-runner".into()).spawn(move || {
                let _ends = ends;
                let pause = || !matches!(rx.recv_timeout(POLL), Err(RecvTimeoutError::Disconnected));
                keep_running("job-runner", &stop, pause, || {
                    while !stop.load(Ordering::SeqCst) && runner.work_batch() > 0 {}
                });
            })?
        };
    let housekeeping = {
        let (runner, stop, ends) = (Arc::clone(&runner), Arc::clone(&stop), EndsRunner(health.clone()));
        std::thread::Builder::new().name("housekeeping".into()).spawn(move || {
            let _ends = ends;
            let mut last_prune: Option<Instant> = None;
            let pause = || {
                // Short naps, so a shutdown is not kept waiting for a whole period.
                let until = Instant::now() + HOUSEKEEPING;
                while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(200));
                }
                true
            };
            keep_running("housekeeping", &stop, pause, || {
                runner.expire_orders();
                runner.activation_window();
                if last_prune.is_none_or(|t| t.elapsed() >= PRUNING) {
                    runner.prune();
                    last_prune = Some(Instant::now());
                }
            });
        })?
    };
    Ok(RunnerHandle { wake, stop, health, threads: vec![jobs, housekeeping] })
}

impl Runner {
    /// Orders whose time to pay ran out give back what they reserved.
    pub fn expire_orders(&self) {
        let Ok(mut conn) = self.db.get() else { return };
        match orders::commands::expire_due(&mut conn, self.clock.now(), 100) {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "unpaid orders expired"),
            Err(e) => tracing::warn!(error = %e, "expiring unpaid orders failed"),
        }
    }

    /// Owners of numbers bought for later are reminded before the deadline; numbers past it
    /// return to the pool.
    pub fn activation_window(&self) {
        let Ok(mut conn) = self.db.get() else { return };
        match telco::lifecycle::activation_window(&mut conn, self.clock.now()) {
            Ok(pass) if pass.reminded + pass.lapsed > 0 => tracing::info!(?pass, "activation window"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the activation window pass failed"),
        }
    }

    /// Rows that outlived their use go (`domain::pruning`).
    pub fn prune(&self) {
        let Ok(mut conn) = self.db.get() else { return };
        match pruning::prune(&mut conn, self.clock.now()) {
            Ok(pruned) if pruned.total() > 0 => tracing::info!(?pruned, "pruned"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning failed"),
        }
    }

    /// Claims and does one batch of jobs of the queues it can perform; returns how many it took.
    /// Each job's lease is renewed as its work begins; one another worker took over meanwhile
    /// (this worker's lease ran out) is left to it.
    pub fn work_batch(&self) -> usize {
        let queues = self.performers.queues();
        if queues.is_empty() {
            return 0;
        }
        let claimed = match self.db.get() {
            Ok(mut conn) => jobs::claim_leased(&mut conn, queues, BATCH, self.clock.now(), self.lease),
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
            match self
                .db
                .get()
                .map_err(JobError::from)
                .and_then(|mut conn| jobs::renew(&mut conn, &job, self.clock.now(), self.lease))
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(job = %job.id, kind = %job.kind, "job taken over by another worker");
                    continue;
                }
                Err(e) => {
                    tracing::warn!(job = %job.id, error = %e, "cannot renew a job's lease");
                    continue;
                }
            }
            let outcome = self.performers.perform(&job);
            let Ok(mut conn) = self.db.get() else { continue };
            let recorded = match &outcome {
                Ok(()) => jobs::complete(&mut conn, &job, self.clock.now()).map(|()| "done"),
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
