//! Password hashing off the async threads, at most a few at a time: a burst of sign-ins
//! queues here instead of taking every blocking thread and all the memory (19 MiB each).
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Semaphore;

use crate::domain::accounts::AccountError;

pub struct PasswordWork {
    permits: Semaphore,
    done: AtomicU64,
}

impl PasswordWork {
    pub fn new(max_at_once: usize) -> Self {
        Self { permits: Semaphore::new(max_at_once.max(1)), done: AtomicU64::new(0) }
    }

    /// How many hashes and verifications have run: every sign-in attempt costs one, whether
    /// or not its email exists, which tests check without timing anything.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// One permit per available core: argon2 is CPU-bound, more at once only adds waiting.
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` (a hash or a verification) on the blocking pool once a permit is free.
    ///
    /// # Errors
    /// `Hashing` when the blocking pool is gone (the server is shutting down).
    pub async fn run<T, F>(&self, work: F) -> Result<T, AccountError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| AccountError::Hashing("hashing closed".into()))?;
        let result = actix_web::web::block(work).await.map_err(|_| AccountError::Hashing("hashing cancelled".into()));
        self.done.fetch_add(1, Ordering::Relaxed);
        result
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[actix_web::test]
    async fn no_more_hashes_run_at_once_than_permitted() -> Result<(), Box<dyn std::error::Error>> {
        let work = Arc::new(PasswordWork::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (work, running, most) = (Arc::clone(&work), Arc::clone(&running), Arc::clone(&most));
                actix_web::rt::spawn(async move {
                    work.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            t.await??;
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        Ok(())
    }
}
