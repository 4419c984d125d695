//! The job queue against the real database: claims, retries, dead jobs, concurrency, and the
//! runner with mail transports that fail and recover.
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use serde_json::json;
use storefront::domain::accounts::Role;
use storefront::domain::jobs::{self, JobStatus, NewJob, Queue};
use storefront::domain::shared::{Lang, SystemClock};
use storefront::mail::{Mailer, Outgoing};
use storefront::worker::{Performers, Runner};

use crate::common::{spawn_app_empty, TestDb, GOOD_PASSWORD};

/// Bat's account, whom the reset mails of these tests are for.
const BAT: &str = "5b0e8f8e-6a43-4d8e-9d0f-0c7a1f3b2a11";

fn with_bat(conn: &mut diesel::PgConnection) {
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "INSERT INTO accounts (id, email, name, password_hash) VALUES ('{BAT}', 'bat@example.mn', 'Bat', 'x')"
        )),
        conn,
    )
    .unwrap();
}

fn mail_job(key: Option<&str>, max_attempts: i32) -> NewJob {
    NewJob {
        queue: Queue::Mail,
        kind: "password_reset".into(),
        payload: json!({"account_id": BAT, "to": "bat@example.mn", "lang": "en"}),
        dedup_key: key.map(str::to_string),
        max_attempts,
    }
}

#[test]
fn failures_back_off_then_the_job_dies() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    let now = Utc::now();
    jobs::enqueue(&mut conn, &mail_job(None, 2), now).unwrap();
    let job = jobs::claim(&mut conn, &[Queue::Mail], 10, now).unwrap().remove(0);
    assert_eq!((job.status, job.attempts), (JobStatus::Running, 1));
    assert_eq!(jobs::fail(&mut conn, &job, "smtp down", now).unwrap(), JobStatus::Failed);
    assert!(jobs::claim(&mut conn, &[Queue::Mail], 10, now).unwrap().is_empty(), "not due before its backoff");
    let later = now + Duration::seconds(11);
    let job = jobs::claim(&mut conn, &[Queue::Mail], 10, later).unwrap().remove(0);
    assert_eq!(job.attempts, 2);
    assert_eq!(jobs::fail(&mut conn, &job, "smtp still down", later).unwrap(), JobStatus::Dead);
    assert!(
        jobs::claim(&mut conn, &[Queue::Mail], 10, later + Duration::hours(2)).unwrap().is_empty(),
        "dead jobs stay put"
    );
    let dead = jobs::list(&mut conn, Some(JobStatus::Dead), Default::default()).unwrap();
    assert_eq!(dead.total, 1);
    assert_eq!(dead.items[0].last_error.as_deref(), Some("smtp still down"));

    let retried = jobs::retry(&mut conn, job.id, storefront::domain::shared::AccountId::random(), later).unwrap();
    assert_eq!((retried.status, retried.attempts), (JobStatus::Pending, 0));
    assert!(
        jobs::retry(&mut conn, job.id, storefront::domain::shared::AccountId::random(), later).is_err(),
        "a pending job is not retried again"
    );
}

#[test]
fn a_job_with_the_same_business_key_is_queued_once() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    assert!(jobs::enqueue(&mut conn, &mail_job(Some("order-1:confirmation"), 8), Utc::now()).unwrap().is_some());
    assert!(jobs::enqueue(&mut conn, &mail_job(Some("order-1:confirmation"), 8), Utc::now()).unwrap().is_none());
    assert_eq!(jobs::list(&mut conn, None, Default::default()).unwrap().total, 1);
}

#[test]
fn a_crashed_workers_job_is_taken_over_after_its_lease() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    let now = Utc::now();
    jobs::enqueue(&mut conn, &mail_job(None, 8), now).unwrap();
    assert_eq!(jobs::claim(&mut conn, &[Queue::Mail], 10, now).unwrap().len(), 1);
    assert!(jobs::claim(&mut conn, &[Queue::Mail], 10, now + Duration::minutes(4)).unwrap().is_empty());
    let again = jobs::claim(&mut conn, &[Queue::Mail], 10, now + Duration::minutes(6)).unwrap();
    assert_eq!(again[0].attempts, 2);
}

/// Four workers on their own connections drain 60 jobs: each job is taken exactly once.
#[test]
fn concurrent_workers_never_take_the_same_job() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    for _ in 0..60 {
        jobs::enqueue(&mut conn, &mail_job(None, 8), Utc::now()).unwrap();
    }
    let taken = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let taken = Arc::clone(&taken);
            let mut c = db.connect();
            std::thread::spawn(move || loop {
                let batch = jobs::claim(&mut c, &[Queue::Mail], 3, Utc::now()).unwrap();
                if batch.is_empty() {
                    return;
                }
                for j in batch {
                    taken.lock().unwrap().push(j.id);
                    jobs::complete(&mut c, &j, Utc::now()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let taken = taken.lock().unwrap();
    assert_eq!(taken.len(), 60);
    assert_eq!(taken.iter().collect::<HashSet<_>>().len(), 60);
    assert_eq!(jobs::list(&mut conn, Some(JobStatus::Done), Default::default()).unwrap().total, 60);
}

fn mail_performers(db: &storefront::db::Db, mailer: Arc<dyn Mailer>) -> Performers {
    let sender = storefront::mail::Sender {
        db: db.clone(),
        clock: Arc::new(SystemClock),
        mailer,
        public_url: "https://shop.example.mn".into(),
        pickup_key: Default::default(),
    };
    storefront::mail::performers(Performers::new(), sender)
}

fn mail_runner(db: storefront::db::Db, mailer: Arc<dyn Mailer>) -> Runner {
    Runner::new(db.clone(), Arc::new(SystemClock), mail_performers(&db, mailer))
}

/// A job kind of this test only, whose performer panics on `boom`.
#[derive(serde::Serialize, serde::Deserialize)]
struct Probe {
    boom: bool,
}

impl jobs::JobKind for Probe {
    const QUEUE: Queue = Queue::Operator;
    const KINDS: &'static [&'static str] = &["probe"];

    fn kind(&self) -> &'static str {
        "probe"
    }
}

#[test]
fn the_runner_dispatches_by_kind_and_a_panicking_job_fails_alone() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    with_bat(&mut conn);
    let now = Utc::now();
    jobs::enqueue_job(&mut conn, &Probe { boom: true }, now).unwrap();
    jobs::enqueue_job(&mut conn, &Probe { boom: false }, now).unwrap();
    jobs::enqueue(&mut conn, &mail_job(None, 8), now).unwrap();
    // A row someone wrote by hand with a field missing: it fails to read, it is not guessed.
    let mut broken = mail_job(None, 1);
    broken.payload = json!({"to": "bat@example.mn", "lang": "en"});
    jobs::enqueue(&mut conn, &broken, now).unwrap();
    let mail = Arc::new(FlakyMail { down: AtomicBool::new(false), sent: Mutex::new(Vec::new()) });
    let performed = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&performed);
    let pool = storefront::db::Db::new(&db.url, 2, 2).unwrap();
    let performers = mail_performers(&pool, mail.clone()).on(move |probe: Probe| {
        assert!(!probe.boom, "the operator fell over");
        seen.lock().unwrap().push("probe");
        Ok(())
    });
    let runner = Runner::new(pool, Arc::new(SystemClock), performers);
    assert_eq!(runner.work_batch(), 4, "mail and operator queues are both worked");
    assert_eq!(*performed.lock().unwrap(), ["probe"]);
    assert_eq!(mail.sent.lock().unwrap().len(), 1);
    let failed = jobs::list(&mut conn, None, Default::default()).unwrap();
    let errors: Vec<String> = failed.items.iter().filter_map(|j| j.last_error.clone()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("panicked: the operator fell over")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("missing field `account_id`")), "{errors:?}");
    // The runner is still there for the next job.
    jobs::enqueue_job(&mut conn, &Probe { boom: false }, Utc::now()).unwrap();
    assert_eq!(runner.work_batch(), 1);
    assert_eq!(performed.lock().unwrap().len(), 2);
}

/// Stands in for the mail server only (not our database): refuses while `down`.
struct FlakyMail {
    down: AtomicBool,
    sent: Mutex<Vec<Outgoing>>,
}

impl Mailer for FlakyMail {
    fn send(&self, m: &Outgoing) -> Result<(), String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("connection refused".into());
        }
        self.sent.lock().unwrap().push(m.clone());
        Ok(())
    }
}

#[test]
fn the_runner_keeps_mail_through_an_outage() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    with_bat(&mut conn);
    jobs::enqueue(&mut conn, &mail_job(None, 8), Utc::now()).unwrap();
    let mail = Arc::new(FlakyMail { down: AtomicBool::new(true), sent: Mutex::new(Vec::new()) });
    let pool = storefront::db::Db::new(&db.url, 2, 2).unwrap();
    let runner = mail_runner(pool, mail.clone());
    assert_eq!(runner.work_batch(), 1);
    let failed = jobs::list(&mut conn, Some(JobStatus::Failed), Default::default()).unwrap();
    assert_eq!(failed.items[0].last_error.as_deref(), Some("connection refused"));
    mail.down.store(false, Ordering::SeqCst);
    assert_eq!(runner.work_batch(), 0, "not due yet");
    diesel::RunQueryDsl::execute(diesel::sql_query("UPDATE jobs SET run_at = now()"), &mut conn).unwrap();
    assert_eq!(runner.work_batch(), 1);
    let sent = mail.sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    let link = sent[0].text.split_whitespace().find(|w| w.starts_with("https://shop.example.mn/password-reset/"));
    let token = link.expect("a reset link in the mail").rsplit('/').next().unwrap();
    assert!(storefront::domain::accounts::reset::is_valid(&mut conn, token, Utc::now()).unwrap());
    // The attempt that failed took its link back: only the mailed one exists.
    let links: i64 = diesel::RunQueryDsl::get_result::<i64>(
        diesel::QueryDsl::count(storefront::db::schema::password_resets::table),
        &mut conn,
    )
    .unwrap();
    assert_eq!(links, 1);
}

#[tokio::test]
async fn staff_list_and_retry_jobs_over_the_api() {
    let app = spawn_app_empty().await;
    {
        let mut conn = app.test_db.connect();
        let now = Utc::now();
        jobs::enqueue(&mut conn, &mail_job(None, 1), now).unwrap();
        let job = jobs::claim(&mut conn, &[Queue::Mail], 1, now).unwrap().remove(0);
        jobs::fail(&mut conn, &job, "mailbox unavailable", now).unwrap();
    }
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let customer = app.customer_token("bat@example.mn").await;
    assert_eq!(app.get_json_as("/api/v1/admin/jobs", &customer).await.0, 403);

    let (status, dead) = app.get_json_as("/api/v1/admin/jobs?status=dead", &staff).await;
    assert_eq!(status, 200);
    assert_eq!(dead["total"], 1);
    let job = &dead["items"][0];
    assert_eq!((job["status"].as_str(), job["last_error"].as_str()), (Some("dead"), Some("mailbox unavailable")));
    assert_eq!(app.get_json_as("/api/v1/admin/jobs?status=pending", &staff).await.1["total"], 0);
    assert_eq!(app.get_json_as("/api/v1/admin/jobs?status=bogus", &staff).await.0, 422);

    let id = job["id"].as_str().unwrap();
    let res =
        app.client.post(app.url(&format!("/api/v1/admin/jobs/{id}/retry"))).bearer_auth(&staff).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!((body["status"].as_str(), body["attempts"].as_i64()), (Some("pending"), Some(0)));
    let res =
        app.client.post(app.url(&format!("/api/v1/admin/jobs/{id}/retry"))).bearer_auth(&staff).send().await.unwrap();
    assert!(res.status() == 409 || res.status() == 200, "pending or already re-run");
    let res = app
        .client
        .post(app.url("/api/v1/admin/jobs/00000000-0000-0000-0000-000000000000/retry"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[test]
fn without_smtp_mail_is_written_to_the_outbox_as_eml() {
    use storefront::mail::OutboxMailer;
    let dir = std::env::temp_dir().join(format!("sf-outbox-{}", uuid::Uuid::new_v4().simple()));
    let mailer = OutboxMailer::new(dir.clone(), "Storefront <no-reply@storefront.mn>".parse().unwrap()).unwrap();
    let account = storefront::domain::accounts::Account {
        id: storefront::domain::shared::AccountId::random(),
        email: "bat@example.mn".into(),
        name: "Bat".into(),
        role: Role::Customer,
        session_epoch: 0,
    };
    let reset = storefront::domain::accounts::reset::ResetLink { account, token: "abc".into() };
    let message = storefront::mail::password_reset(Lang::En, &reset, "http://127.0.0.1:8080").unwrap();
    mailer.send(&message).unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    assert!(raw.contains("Subject: Reset your Tenger Mobile password") && raw.contains("To: bat@example.mn"));
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn wait_for_job(app: &crate::common::TestApp, condition: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.count(&format!("SELECT count(*) AS n FROM jobs WHERE {condition}")) == 0 {
        assert!(std::time::Instant::now() < deadline, "no job where {condition}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// An SMTP outage long enough to kill a guest's confirmation mail loses nothing: when staff
/// send the dead job round again, it goes out with a tracking link that opens the order.
#[tokio::test]
async fn a_dead_order_mail_retried_by_staff_carries_a_working_link() {
    let smtp = crate::common::smtp::SmtpServer::start().await;
    smtp.set_down(true);
    let app = crate::common::spawn_with(true, &[("SMTP_URL", &smtp.url())]).await;
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let body = json!({"email": "dulmaa@example.mn", "fulfillment": crate::common::shop::delivery()});
    let (status, placed) = app.checkout(&cart, None, body).await;
    assert_eq!(status, 201);
    let (order, number) = (placed["order"]["id"].as_str().unwrap(), placed["order"]["number"].as_str().unwrap());
    wait_for_job(&app, "kind = 'order_confirmation' AND status = 'failed'").await;
    // The outage outlasts every attempt.
    app.sql("UPDATE jobs SET max_attempts = attempts, run_at = now() WHERE kind = 'order_confirmation'");
    wait_for_job(&app, "kind = 'order_confirmation' AND status = 'dead'").await;
    assert!(smtp.received().is_empty());

    smtp.set_down(false);
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let (_, dead) = app.get_json_as("/api/v1/admin/jobs?status=dead", &staff).await;
    let id = dead["items"][0]["id"].as_str().unwrap();
    let res =
        app.client.post(app.url(&format!("/api/v1/admin/jobs/{id}/retry"))).bearer_auth(&staff).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mail = smtp.wait_for_subject("dulmaa@example.mn", number, 15).await;
    let link = mail.link_path("/orders/").expect("a tracking link");
    assert!(link.starts_with(&format!("/orders/{order}?token=")), "{link}");
    let (status, page) = app.get_text(&link).await;
    assert_eq!(status, 200, "{link}");
    assert!(page.contains(number));
    wait_for_job(&app, "kind = 'order_confirmation' AND status = 'done'").await;
}

/// A slow batch cannot be sent twice: each job's lease starts when its work does, and a worker
/// whose lease ran out (another took the job over) can neither renew nor finish it.
#[test]
fn a_job_taken_over_after_its_lease_is_left_to_the_new_worker() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    let now = Utc::now();
    jobs::enqueue(&mut conn, &mail_job(None, 8), now).unwrap();
    jobs::enqueue(&mut conn, &mail_job(None, 8), now).unwrap();
    let first = jobs::claim(&mut conn, &[Queue::Mail], 10, now).unwrap();
    assert_eq!(first.len(), 2);
    // The first job's work begins at once; the second would begin after a slow first one.
    assert!(jobs::renew(&mut conn, &first[0], now, jobs::LEASE).unwrap());
    let later = now + Duration::minutes(4);
    assert!(jobs::renew(&mut conn, &first[0], later, jobs::LEASE).unwrap(), "its own lease, renewed");
    let takeover = now + Duration::minutes(6);
    let second = jobs::claim(&mut conn, &[Queue::Mail], 10, takeover).unwrap();
    assert_eq!(second.len(), 1, "only the job whose lease ran out is taken over");
    assert_eq!(second[0].id, first[1].id);
    assert!(!jobs::renew(&mut conn, &first[1], takeover, jobs::LEASE).unwrap(), "the old worker must leave it");
    jobs::complete(&mut conn, &first[1], takeover).unwrap();
    jobs::fail(&mut conn, &first[1], "late", takeover).unwrap();
    let row = jobs::list(&mut conn, Some(JobStatus::Running), Default::default()).unwrap();
    assert_eq!(row.items.iter().filter(|j| j.id == second[0].id).count(), 1, "still the new worker's");
    jobs::complete(&mut conn, &second[0], takeover).unwrap();
    assert_eq!(jobs::list(&mut conn, Some(JobStatus::Done), Default::default()).unwrap().total, 1);
}

/// The runner's threads report when they stop, which `/readyz` shows.
#[test]
fn the_runner_reports_when_it_has_stopped() {
    let db = TestDb::create(false);
    let pool = storefront::db::Db::new(&db.url, 2, 2).unwrap();
    let mail = Arc::new(FlakyMail { down: AtomicBool::new(false), sent: Mutex::new(Vec::new()) });
    let handle = storefront::worker::spawn(mail_runner(pool, mail)).unwrap();
    let health = handle.health();
    assert!(health.is_running());
    handle.shut_down();
    assert!(!health.is_running());
}

/// What only served a while is forgotten; what still serves stays.
#[test]
fn pruning_forgets_spent_rows_and_abandoned_guest_carts() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    with_bat(&mut conn);
    let run = |conn: &mut diesel::PgConnection, sql: &str| {
        diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn).unwrap();
    };
    for age in ["8 days", "1 hour"] {
        run(
            &mut conn,
            &format!(
                "INSERT INTO auth_attempts (kind, ip, at) VALUES ('login', '192.0.2.1', now() - interval '{age}')"
            ),
        );
        run(
            &mut conn,
            &format!(
                "INSERT INTO api_tokens (account_id, token_hash, created_at, expires_at) \
                 VALUES ('{BAT}', sha256(random()::text::bytea), now() - interval '40 days', now() - interval '{age}' + interval '30 minutes')"
            ),
        );
        run(
            &mut conn,
            &format!(
                "INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) \
                 VALUES ('{BAT}', sha256(random()::text::bytea), now() - interval '{age}' - interval '1 hour', now() - interval '{age}')"
            ),
        );
        run(
            &mut conn,
            &format!(
                "INSERT INTO browser_sessions (secret_hash, account_id, created_at, expires_at) \
                 VALUES (sha256(random()::text::bytea), '{BAT}', now() - interval '20 days', now() - interval '{age}' + interval '30 minutes')"
            ),
        );
        run(
            &mut conn,
            &format!(
                "INSERT INTO idempotency_keys (caller, key, fingerprint, status_code, response_body, created_at) \
                 VALUES ('cart:x', md5(random()::text), '\\x00', 1, '{{}}', now() - interval '{age}' - interval '1 day')"
            ),
        );
    }
    run(
        &mut conn,
        "INSERT INTO carts (created_at, updated_at) VALUES (now() - interval '31 days', now() - interval '31 days'), \
             (now() - interval '29 days', now() - interval '29 days'), (now() - interval '40 days', now() - interval '1 day')",
    );
    run(
        &mut conn,
        &format!(
            "INSERT INTO carts (account_id, created_at, updated_at) \
             VALUES ('{BAT}', now() - interval '90 days', now() - interval '90 days')"
        ),
    );

    let pruned = storefront::domain::pruning::prune(&mut conn, Utc::now()).unwrap();
    assert_eq!(
        (pruned.attempts, pruned.api_tokens, pruned.reset_links, pruned.sessions, pruned.carts),
        (1, 1, 1, 1, 1),
        "{pruned:?}"
    );
    assert_eq!(pruned.idempotency_keys, 2, "keys are kept a day");
    let left = |conn: &mut diesel::PgConnection, table: &str| -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::RunQueryDsl::get_result::<N>(diesel::sql_query(format!("SELECT count(*) AS n FROM {table}")), conn)
            .unwrap()
            .n
    };
    for table in ["auth_attempts", "api_tokens", "password_resets", "browser_sessions"] {
        assert_eq!(left(&mut conn, table), 1, "{table}: the fresh row stays");
    }
    assert_eq!(left(&mut conn, "carts"), 3, "guest carts used lately (one made long ago) and a customer's cart stay");
    assert_eq!(storefront::domain::pruning::prune(&mut conn, Utc::now()).unwrap().total(), 0);
}
