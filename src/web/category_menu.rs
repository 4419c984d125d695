//! The category tree behind the shop's filter menu, kept for a few seconds. Every list page
//! draws the menu and the tree changes rarely; filtering never uses this copy (the database
//! resolves categories inside the product query), so after a change a menu may lag by at most
//! the time to live, on any number of server processes, and nothing else is affected.
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::domain::catalog::CategoryTree;

pub const TIME_TO_LIVE: Duration = Duration::from_secs(10);

/// The category tree, kept.
pub type CategoryMenu = Kept<CategoryTree>;

/// A value read from the database and kept for a while (the category tree; the dashboard's
/// figures), per process.
pub struct Kept<T> {
    ttl: Duration,
    slot: RwLock<Option<(Instant, Arc<T>)>>,
}

impl<T> Kept<T> {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, slot: RwLock::new(None) }
    }

    /// The kept value while it is younger than the time to live.
    pub fn fresh(&self) -> Option<Arc<T>> {
        let slot = self.slot.read().ok()?;
        slot.as_ref().filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, tree)| Arc::clone(tree))
    }

    pub fn keep(&self, tree: T) -> Arc<T> {
        let tree = Arc::new(tree);
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((Instant::now(), Arc::clone(&tree)));
        }
        tree
    }

    /// The value a page shows: the one `kept`, else the one it just `read` (kept for the next
    /// visits); `None` only when it had neither.
    pub fn settle(&self, kept: Option<Arc<T>>, read: Option<T>) -> Option<Arc<T>> {
        match (kept, read) {
            (Some(kept), _) => Some(kept),
            (None, Some(read)) => Some(self.keep(read)),
            (None, None) => None,
        }
    }

    /// Forget the kept tree (after this process changed the categories).
    pub fn forget(&self) {
        if let Ok(mut slot) = self.slot.write() {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_tree_expires_and_can_be_forgotten() {
        let menu = CategoryMenu::new(Duration::from_millis(30));
        assert!(menu.fresh().is_none());
        menu.keep(CategoryTree::default());
        assert!(menu.fresh().is_some());
        menu.forget();
        assert!(menu.fresh().is_none());
        menu.keep(CategoryTree::default());
        std::thread::sleep(Duration::from_millis(40));
        assert!(menu.fresh().is_none());
    }
}
