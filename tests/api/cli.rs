//! The `storefront` binary itself: configuration refusals, migrate, seed, serve and its logs.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use storefront::db::quote_ident;

use crate::common::db::db_url;

const BIN: &str = env!("CARGO_BIN_EXE_storefront");

/// A database name that does not exist yet, dropped at the end.
struct FreshName(String);

impl FreshName {
    fn new() -> Self {
        FreshName(format!("sf_cli_{}", uuid::Uuid::new_v4().simple()))
    }
    fn url(&self) -> String {
        db_url(&self.0)
    }
    fn exists(&self) -> bool {
        PgConnection::establish(&self.url()).is_ok()
    }
    fn count(&self, table: &str) -> i64 {
        let mut conn = PgConnection::establish(&self.url()).unwrap();
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!("(SELECT count(*) FROM {table})")))
            .get_result(&mut conn)
            .unwrap()
    }
}

impl Drop for FreshName {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&db_url("postgres")) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&self.0)))
                .execute(&mut c);
        }
    }
}

fn storefront(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run storefront")
}

#[test]
fn production_refuses_to_start_without_a_session_key() {
    let out = storefront(&["serve"], &[("APP_ENV", "production")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SESSION_KEY"));
    let out = storefront(&["migrate"], &[("NUMBER_HOLD_MINUTES", "soon")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NUMBER_HOLD_MINUTES"));
}

#[test]
fn migrate_creates_a_missing_database_and_seed_is_idempotent() {
    let db = FreshName::new();
    let url = db.url();
    let out = storefront(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(db.count("products"), 0, "migrate does not seed");
    let out = storefront(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(out.status.success(), "a second migrate is a no-op");

    assert!(storefront(&["seed", "--demo"], &[("DATABASE_URL", &url)]).status.success());
    let (products, branches, stock) = (db.count("products"), db.count("branches"), db.count("stock"));
    assert!(products >= 25 && branches >= 5 && stock >= 30, "{products} {branches} {stock}");
    assert!(storefront(&["seed", "--demo"], &[("DATABASE_URL", &url)]).status.success());
    assert_eq!((db.count("products"), db.count("branches"), db.count("stock")), (products, branches, stock));
    assert_eq!(db.count("branches WHERE delivery_warehouse"), 1);
}

#[test]
fn serve_prepares_a_fresh_database_and_logs_one_line_per_request() {
    let db = FreshName::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let mut child = Command::new(BIN)
        .env_clear()
        .env("DATABASE_URL", db.url())
        .env("BIND", &bind)
        .env("LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut body = String::new();
    while Instant::now() < deadline {
        if let Ok(b) = http_get(&bind, "/products?kind=plan&lang=en") {
            body = b;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(body.contains("Smart 25"), "the demo catalog was loaded: {body}");
    // A reset link's token never reaches the log.
    let _ = http_get(&bind, "/password-reset/SECRET-reset-token-4711");
    let (mut request_line, mut reset_line) = (None, None);
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
        assert!(!line.contains("SECRET-reset-token-4711"), "a secret in the log: {line}");
        if line.contains("\"path\":\"/products\"") {
            request_line = Some(line);
        } else if line.contains("\"path\":\"/password-reset/[redacted]\"") {
            reset_line = Some(line);
        }
        if request_line.is_some() && reset_line.is_some() {
            break;
        }
    }
    assert!(reset_line.is_some(), "the reset request is logged, without its token");
    let _ = child.kill();
    let _ = child.wait();
    let line = request_line.expect("a log line for the request");
    let v: serde_json::Value = serde_json::from_str(&line).expect("JSON log line");
    assert_eq!(v["fields"]["status"], 200);
    assert_eq!(v["fields"]["method"], "GET");
    assert!(v["fields"]["latency_us"].as_u64().is_some(), "{line}");
    assert!(v["fields"]["request_id"].as_str().is_some_and(|s| !s.is_empty()), "{line}");
    assert!(db.count("products") > 0);
}

/// A plain HTTP/1.0 GET, so this test needs no async runtime.
fn http_get(addr: &str, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    if out.starts_with("HTTP/1.0 200") || out.starts_with("HTTP/1.1 200") {
        Ok(out)
    } else {
        Err(std::io::Error::other(out))
    }
}

#[test]
fn create_staff_creates_then_updates_with_an_argon2id_hash() {
    let db = FreshName::new();
    let url = db.url();
    let args = ["create-staff", "--email", "Saraa@Shop.MN", "--password", "Khuvsgul-Lake-77", "--role", "admin"];
    let out = storefront(&args, &[("DATABASE_URL", &url)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin account saraa@shop.mn"));
    assert_eq!(db.count("accounts WHERE email = 'saraa@shop.mn' AND role = 'admin' AND password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'"), 1);

    let args = ["create-staff", "--email", "saraa@shop.mn", "--password", "Orkhon-Valley-88", "--role", "staff"];
    let out = storefront(&args, &[("DATABASE_URL", &url)]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("updated staff account"));
    assert_eq!(db.count("accounts"), 1);
    assert_eq!(
        db.count("accounts WHERE role = 'staff' AND session_epoch = 1"),
        1,
        "the password change ends old sessions"
    );
}

#[test]
fn create_staff_refuses_weak_passwords_and_bad_roles() {
    let db = FreshName::new();
    let url = db.url();
    for (password, says) in [("short", "at least 10"), ("1234567890", "too common")] {
        let out = storefront(
            &["create-staff", "--email", "a@shop.mn", "--password", password, "--role", "admin"],
            &[("DATABASE_URL", &url)],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{password}");
    }
    let out = storefront(
        &["create-staff", "--email", "a@shop.mn", "--password", "Khuvsgul-Lake-77", "--role", "customer"],
        &[("DATABASE_URL", &url)],
    );
    assert!(!out.status.success());
    let out = storefront(
        &["create-staff", "--email", "not-an-email", "--password", "Khuvsgul-Lake-77", "--role", "staff"],
        &[("DATABASE_URL", &url)],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("email"));
}

/// A mail setting that cannot work is named plainly, before anything is touched, and the
/// process ends cleanly (it used to say "cannot listen on …" and die of a segmentation fault).
#[test]
fn an_outbox_that_is_a_file_is_named_and_nothing_is_touched() {
    let db = FreshName::new();
    let file = std::env::temp_dir().join(format!("sf-outbox-file-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, b"not a folder").unwrap();
    let out = storefront(&["serve"], &[("DATABASE_URL", &db.url()), ("OUTBOX_DIR", file.to_str().unwrap())]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(out.status.code(), Some(1), "a clean failure, not a signal");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("OUTBOX_DIR") && !err.contains("cannot listen"), "{err}");
    assert!(!db.exists(), "the database was not created");
}

/// A wrong setting is named, with its fix, before anything is touched: no database created or
/// migrated for a URL without a name, a server that is down, or a port that is taken.
#[test]
fn a_wrong_setting_is_named_before_anything_is_touched() {
    for (url, says) in [
        ("postgres://postgres@127.0.0.1:5432/", "DATABASE_URL names no database"),
        ("not-a-url", "DATABASE_URL must be a PostgreSQL URL"),
    ] {
        let out = storefront(&["migrate"], &[("DATABASE_URL", url)]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{url}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // Nothing listens on port 1: PostgreSQL is "down".
    let out = storefront(&["migrate"], &[("DATABASE_URL", "postgres://postgres:pw@127.0.0.1:1/storefront")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot reach PostgreSQL at 127.0.0.1:1 (DATABASE_URL)") && err.contains("Start PostgreSQL"),
        "{err}"
    );
    assert!(!err.contains(":pw@"), "no password in messages: {err}");
    // A taken port: refused before the database is created.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let db = FreshName::new();
    let out = storefront(&["serve"], &[("DATABASE_URL", &db.url()), ("BIND", &bind)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on BIND={bind}")), "{err}");
    assert!(!db.exists(), "no database was created for a server that cannot listen");
}
