//! `spawn_app()`: the real server on a free port over a database of the test's own.
#![allow(dead_code)]

pub mod browser;
pub mod db;
pub mod shop;
pub mod smtp;

use std::sync::Arc;
use storefront::config::Config;

use storefront::db::Db;
use storefront::flows::hashing::PasswordWork;
use storefront::services::Services;
use storefront::startup::Application;

pub use db::TestDb;

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: Db,
    /// The server's password hashing, which counts the hashes and verifications it ran.
    pub hashing: Arc<PasswordWork>,
    pub test_db: TestDb,
    /// No redirects followed, no cookies kept: each request says what it sends.
    pub client: reqwest::Client,
}

/// The app over the demo catalog.
pub async fn spawn_app() -> TestApp {
    spawn(true).await
}

/// The app over an empty, migrated database.
pub async fn spawn_app_empty() -> TestApp {
    spawn(false).await
}

async fn spawn(seed: bool) -> TestApp {
    spawn_with(seed, &[]).await
}

/// The app over a fresh database, with extra configuration (`("LOGIN_LIMIT_PER_IP", "5/15m")`).
pub async fn spawn_with(seed: bool, env: &[(&str, &str)]) -> TestApp {
    spawn_with_services(seed, env, Services::from_config).await
}

/// The app with the outside world of the test's choosing: a fixed clock, a fake provider.
pub async fn spawn_with_services(
    seed: bool,
    env: &[(&str, &str)],
    services: impl FnOnce(&Config) -> std::io::Result<Services>,
) -> TestApp {
    let test_db = TestDb::create(seed);
    let (port, db, hashing) = start_server_with(&test_db.url, env, services);
    TestApp { address: format!("http://127.0.0.1:{port}"), port, db, hashing, test_db, client: plain_client() }
}

/// Idle connections are dropped before the server's keep-alive (5 s) would close them: a
/// request on a connection the server is closing at that instant fails as an incomplete
/// message, which says nothing about the shop.
const IDLE: std::time::Duration = std::time::Duration::from_secs(2);

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(IDLE)
        .build()
        .expect("client")
}

fn start_server(url: &str, env: &[(&str, &str)]) -> (u16, Db, Arc<PasswordWork>) {
    start_server_with(url, env, Services::from_config)
}

fn start_server_with(
    url: &str,
    env: &[(&str, &str)],
    services: impl FnOnce(&Config) -> std::io::Result<Services>,
) -> (u16, Db, Arc<PasswordWork>) {
    let url = url.to_string();
    let mut env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    // Only tests that send mail need a job runner (they configure SMTP_URL).
    if !env.iter().any(|(k, _)| k == "SMTP_URL" || k == "JOB_RUNNER") {
        env.push(("JOB_RUNNER".into(), "off".into()));
    }
    // Mail without SMTP goes to files: keep them out of the repository.
    let outbox = std::env::temp_dir().join("storefront-test-outbox");
    env.push(("OUTBOX_DIR".into(), outbox.to_string_lossy().into_owned()));
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(url.clone()),
        "BIND" => Some("127.0.0.1:0".into()),
        "DB_POOL_SIZE" => Some("4".into()),
        "DB_WRITE_POOL_SIZE" => {
            Some(env.iter().find(|(name, _)| name == k).map_or_else(|| "4".into(), |(_, v)| v.clone()))
        }
        _ => env.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone()),
    })
    .expect("test config");
    let app = Application::build(config, services).expect("build app");
    let port = app.port();
    let db = app.db();
    let hashing = app.password_work();
    tokio::spawn(app.run_until_stopped());
    (port, db, hashing)
}

/// Another server process over the same database (as behind a load balancer).
pub struct OtherServer {
    pub address: String,
}

impl OtherServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }
}

impl TestApp {
    /// A second server over this app's database, with the same extra configuration.
    pub fn another_server(&self, env: &[(&str, &str)]) -> OtherServer {
        let (port, _, _) = start_server(&self.test_db.url, env);
        OtherServer { address: format!("http://127.0.0.1:{port}") }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.expect("json body"))
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("text body"))
    }

    /// How many SQL statements the app has run so far.
    pub fn queries(&self) -> u64 {
        self.db.queries_run()
    }
}

pub const GOOD_PASSWORD: &str = "Khuvsgul-Lake-77";

impl TestApp {
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let res = self.client.post(self.url(path)).json(body).send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get_json_as(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        let res = self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Registers a customer through the API and returns a bearer token for it.
    pub async fn customer_token(&self, email: &str) -> String {
        let (status, body) = self
            .post_json(
                "/api/v1/auth/register",
                &serde_json::json!({"email": email, "password": GOOD_PASSWORD, "name": "Bat"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        self.token(email, GOOD_PASSWORD).await
    }

    /// Creates a staff account (as `create-staff` does) and returns a bearer token for it.
    pub fn create_staff(&self, email: &str, role: storefront::domain::accounts::Role) {
        use storefront::domain::accounts::{commands, password, Email};
        let mut conn = self.test_db.connect();
        let email = Email::parse(email, "email").unwrap();
        let hash = password::hash(GOOD_PASSWORD).unwrap();
        commands::upsert_staff(&mut conn, &email, &hash, role, Some("Staff")).unwrap();
    }

    pub async fn token(&self, email: &str, password: &str) -> String {
        let (status, body) =
            self.post_json("/api/v1/auth/token", &serde_json::json!({"email": email, "password": password})).await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }
}

/// A client that keeps cookies like a browser, without following redirects.
pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(IDLE)
        .build()
        .expect("client")
}

/// The text between `start` and the next `end` in a page (a hidden field's value, say).
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html.find(start).map(|i| i + start.len()).unwrap_or_else(|| panic!("no {start:?} in page"));
    &html[s..s + html[s..].find(end).unwrap()]
}

/// The `_csrf` hidden field of a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

impl TestApp {
    /// GET `path` with a browser-like `client`: the status and the page.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let res = client.get(self.url(path)).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// GET `path` with `client` and return the CSRF token of the page.
    pub async fn csrf_from(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client.get(self.url(path)).send().await.unwrap().text().await.unwrap();
        csrf_in(&html)
    }

    /// Registers through the page with a cookie client, which is then signed in.
    pub async fn register_in_browser(&self, client: &reqwest::Client, email: &str) {
        let csrf = self.csrf_from(client, "/register").await;
        let res = client
            .post(self.url("/register"))
            .form(&[("_csrf", csrf.as_str()), ("email", email), ("name", "Bat"), ("password", GOOD_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    }

    pub async fn sign_in_browser(&self, client: &reqwest::Client, email: &str) -> reqwest::Response {
        let csrf = self.csrf_from(client, "/login").await;
        client
            .post(self.url("/login"))
            .form(&[("_csrf", csrf.as_str()), ("email", email), ("password", GOOD_PASSWORD), ("next", "/account")])
            .send()
            .await
            .unwrap()
    }
}
