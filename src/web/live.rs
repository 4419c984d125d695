//! The dashboard's live feed of orders placed and paid, on every server process: a thread per
//! process reads new order events from the shared database about once a second while at least
//! one staff member listens, and hands them to the listeners (server-sent events).
//!
//! Reading rather than `LISTEN/NOTIFY`: a `NOTIFY` in every checkout would take PostgreSQL's
//! global notification lock at each commit and queue checkouts behind one another; a one-row
//! range read of the timeline's key per process per second costs the write path nothing.
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};

use tokio::sync::broadcast;

use crate::db::Db;
use crate::domain::reports::{self, FeedEvent};

/// How often the database is read while someone listens.
const EVERY: Duration = Duration::from_millis(800);
/// Events read again behind the cursor: one committed late with a smaller id is still seen.
const LOOK_BACK: i64 = 200;

struct Inner {
    db: Db,
    tx: broadcast::Sender<FeedEvent>,
    /// When the first of the present listeners came: older events are not news to them.
    since: Mutex<Option<DateTime<Utc>>>,
}

/// A process's feed: listeners subscribe; the reading thread stops with the feed.
#[derive(Clone)]
pub struct LiveFeed(Arc<Inner>);

impl LiveFeed {
    pub fn start(db: Db) -> Self {
        let (tx, _) = broadcast::channel(256);
        let feed = LiveFeed(Arc::new(Inner { db, tx, since: Mutex::new(None) }));
        let weak = Arc::downgrade(&feed.0);
        // A thread of its own: the reads are blocking, and short.
        let _ = std::thread::Builder::new().name("live-feed".into()).spawn(move || read_loop(&weak));
        feed
    }

    /// Listens from `now` on (the shop's clock, which the events are stamped with).
    pub fn subscribe(&self, now: DateTime<Utc>) -> broadcast::Receiver<FeedEvent> {
        if let Ok(mut since) = self.0.since.lock() {
            if self.0.tx.receiver_count() == 0 || since.is_none() {
                *since = Some(now);
            }
        }
        self.0.tx.subscribe()
    }
}

fn read_loop(feed: &Weak<Inner>) {
    let mut cursor: Option<i64> = None;
    let mut seen: VecDeque<i64> = VecDeque::with_capacity(1024);
    loop {
        std::thread::sleep(EVERY);
        let Some(inner) = feed.upgrade() else { return };
        if inner.tx.receiver_count() == 0 {
            // Nobody listens: the next listener starts from the events of its own time.
            cursor = None;
            seen.clear();
            if let Ok(mut since) = inner.since.lock() {
                *since = None;
            }
            continue;
        }
        let since = inner.since.lock().ok().and_then(|s| *s);
        let Ok(mut conn) = inner.db.get() else { continue };
        let start = match cursor {
            Some(c) => c,
            // The newest events are read behind where the listener came in, and kept by time.
            None => match reports::feed_start(&mut conn) {
                Ok(id) => id,
                Err(_) => continue,
            },
        };
        cursor = Some(start);
        let Ok(events) = reports::feed_after(&mut conn, (start - LOOK_BACK).max(0), 500) else { continue };
        drop(conn);
        for event in events {
            if since.is_some_and(|s| event.at < s) || seen.contains(&event.id) {
                continue;
            }
            cursor = Some(cursor.unwrap_or(0).max(event.id));
            if seen.len() == seen.capacity() {
                seen.pop_front();
            }
            seen.push_back(event.id);
            let _ = inner.tx.send(event);
        }
    }
}
