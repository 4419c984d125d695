//! Per-test databases: `CREATE DATABASE … TEMPLATE` of a template migrated (and seeded) once,
//! named after a hash of the migrations and the demo seed, guarded by an advisory lock.
#![allow(dead_code)]

use std::sync::OnceLock;

use diesel::prelude::*;
use diesel::sql_types::Bool;
use storefront::db::{migrate, quote_ident, quote_literal};
use storefront::domain::catalog::demo;

pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_SERVER").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The URL of database `name`. Loopback needs no TLS, and a test process that exits while
/// threads are inside OpenSSL can abort in its exit handlers.
pub fn db_url(name: &str) -> String {
    format!("{}/{name}?sslmode=disable", server_url())
}

fn admin() -> PgConnection {
    PgConnection::establish(&db_url("postgres"))
        .expect("PostgreSQL must be running on TEST_DATABASE_SERVER (default 127.0.0.1:5432)")
}

/// FNV-1a over the migrations and the seed (their paths relative to the checkout, so two
/// checkouts of the same code share a template), so a change to either makes a new template.
fn fingerprint() -> u64 {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(format!("{root}/migrations"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("migrations dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.push(format!("{root}/src/domain/catalog/demo.rs").into());
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for f in files {
        let bytes = std::fs::read(&f).expect("read file");
        let relative = f.strip_prefix(root).unwrap_or(&f).to_string_lossy().into_owned();
        for b in relative.as_bytes().iter().chain(bytes.iter()) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

fn exists(conn: &mut PgConnection, name: &str) -> bool {
    diesel::select(diesel::dsl::sql::<Bool>(&format!(
        "EXISTS (SELECT 1 FROM pg_database WHERE datname = {})",
        quote_literal(name)
    )))
    .get_result(conn)
    .expect("query pg_database")
}

/// The advisory lock a test process holds, shared, on the templates of `hash` while it may
/// clone them; a template is dropped only by whoever can take this lock exclusively, so two
/// checkouts testing against one server at once never drop each other's templates.
fn in_use_lock(hash: u64) -> i64 {
    i64::from_ne_bytes((hash ^ 0x7573_6564_5f62_795f).to_ne_bytes())
}

/// This process's claim on its templates, held for as long as the process runs.
fn hold_templates(hash: u64) {
    static HELD: OnceLock<std::sync::Mutex<PgConnection>> = OnceLock::new();
    HELD.get_or_init(|| {
        let mut conn = admin();
        diesel::sql_query(format!("SELECT pg_advisory_lock_shared({})", in_use_lock(hash)))
            .execute(&mut conn)
            .expect("hold templates");
        std::sync::Mutex::new(conn)
    });
}

/// Templates of other migrations that no running test process holds.
fn drop_unused_templates(conn: &mut PgConnection, hash: u64) {
    let stale: Vec<String> = diesel::sql_query(format!(
        "SELECT datname AS name FROM pg_database WHERE datname LIKE 'sf\\_tpl\\_%' AND datname NOT LIKE {}",
        quote_literal(&format!("sf\\_tpl\\_{hash:016x}%"))
    ))
    .load::<Name>(conn)
    .map(|rows| rows.into_iter().map(|r| r.name).collect())
    .unwrap_or_default();
    for old in stale {
        let Some(old_hash) = old.get(7..23).and_then(|h| u64::from_str_radix(h, 16).ok()) else { continue };
        let lock = in_use_lock(old_hash);
        let free: bool = diesel::select(diesel::dsl::sql::<Bool>(&format!("pg_try_advisory_lock({lock})")))
            .get_result(conn)
            .unwrap_or(false);
        if free {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {}", quote_ident(&old))).execute(conn);
            let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({lock})")).execute(conn);
        }
    }
}

fn build_template(seed: bool) -> String {
    let hash = fingerprint();
    hold_templates(hash);
    let name = format!("sf_tpl_{hash:016x}_{}", if seed { "demo" } else { "empty" });
    let mut conn = admin();
    let lock = i64::from_ne_bytes(hash.to_ne_bytes());
    diesel::sql_query(format!("SELECT pg_advisory_lock({lock})")).execute(&mut conn).expect("lock");
    if !exists(&mut conn, &name) {
        let building = format!("{name}_build");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&building)))
            .execute(&mut conn)
            .expect("drop stale build");
        diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(&building))).execute(&mut conn).expect("create");
        {
            let mut db = PgConnection::establish(&db_url(&building)).expect("connect template");
            migrate::run_pending(&mut db).expect("migrate template");
            if seed {
                demo::seed_demo(&mut db, &Default::default()).expect("seed template");
            }
        }
        diesel::sql_query(format!("ALTER DATABASE {} RENAME TO {}", quote_ident(&building), quote_ident(&name)))
            .execute(&mut conn)
            .expect("rename template");
        drop_unused_templates(&mut conn, hash);
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({lock})")).execute(&mut conn).expect("unlock");
    name
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

fn template(seed: bool) -> &'static str {
    static DEMO: OnceLock<String> = OnceLock::new();
    static EMPTY: OnceLock<String> = OnceLock::new();
    if seed {
        DEMO.get_or_init(|| build_template(true))
    } else {
        EMPTY.get_or_init(|| build_template(false))
    }
}

/// A database of this test's own, dropped when this value is.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A fresh copy of the migrated schema, with the demo catalog when `seed`.
    pub fn create(seed: bool) -> TestDb {
        let tpl = template(seed);
        let name = format!("sf_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = admin();
        diesel::sql_query(format!("CREATE DATABASE {} TEMPLATE {}", quote_ident(&name), quote_ident(tpl)))
            .execute(&mut conn)
            .expect("clone template");
        TestDb { url: db_url(&name), name }
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect test db")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&db_url("postgres")) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&self.name)))
                .execute(&mut conn);
        }
    }
}
