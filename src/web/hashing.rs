//! Password hashing off the async threads, at most a few at a time: a burst of sign-ins
//! queues here instead of taking every blocking thread and all the memory (19 MiB each).
use tokio::sync::Semaphore;

use super::error::AppError;

pub struct PasswordWork {
    permits: Semaphore,
}

impl PasswordWork {
    pub fn new(max_at_once: usize) -> Self {
        Self { permits: Semaphore::new(max_at_once.max(1)) }
    }

    /// One permit per available core: argon2 is CPU-bound, more at once only adds waiting.
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` (a hash or a verification) on the blocking pool once a permit is free.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| AppError::Internal("hashing closed".into()))?;
        actix_web::web::block(work).await.map_err(|_| AppError::Internal("hashing cancelled".into()))
    }
}
