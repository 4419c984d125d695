//! Headless Chromium over WebDriver: a chromedriver of the test's own and a fantoccini client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts chromedriver on a port it picks itself (`--port=0`) and reads the port from its
/// banner: a port chosen beforehand could be taken by a parallel test's driver in between.
fn start_driver() -> (Child, u16) {
    let mut driver = Command::new(find(&["chromedriver"]))
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let stdout = driver.stdout.take().expect("chromedriver's stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("started successfully on port ").nth(1).and_then(|p| p.trim_end_matches('.').parse().ok())
        })
        .expect("chromedriver says which port it listens on");
    // Keep draining its output so a full pipe never blocks it.
    std::thread::spawn(move || lines.for_each(drop));
    (driver, port)
}

fn find(names: &[&str]) -> String {
    for n in names {
        for dir in ["/usr/bin", "/usr/lib/chromium", "/usr/local/bin"] {
            let p = format!("{dir}/{n}");
            if std::path::Path::new(&p).exists() {
                return p;
            }
        }
    }
    panic!("{names:?} not found: install chromium and chromium-driver (scripts/test does)");
}

impl Browser {
    pub async fn start() -> Browser {
        let (driver, port) = start_driver();
        let profile = std::env::temp_dir().join(format!("sf-chrome-{}", uuid::Uuid::new_v4().simple()));
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": find(&["chromium", "chromium-browser"]),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--no-first-run", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let caps: serde_json::Map<String, serde_json::Value> = caps.as_object().cloned().unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(e) => panic!("cannot start a WebDriver session: {e}"),
            }
        };
        Browser { client, driver, _profile: TempDir(profile) }
    }

    /// Polls `check` until it holds or `secs` pass.
    pub async fn wait_for<F, Fut>(&self, secs: u64, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}");
    }

    /// Ends the WebDriver session; dropping then stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Types `value` into the field of id `id`, replacing what it held.
pub async fn fill(c: &Client, id: &str, value: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("#{id}: {e}"));
    field.clear().await.unwrap_or_else(|e| panic!("#{id}: {e}"));
    field.send_keys(value).await.unwrap_or_else(|e| panic!("#{id}: {e}"));
}

pub async fn click(c: &Client, css: &str) {
    let found = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    found.click().await.unwrap_or_else(|e| panic!("{css}: {e}"));
}

/// The path of the page the browser shows.
pub async fn path(c: &Client) -> String {
    c.current_url().await.map(|u| u.path().to_string()).unwrap_or_default()
}

/// The text of the first element `css` finds, empty when there is none (yet).
pub async fn text_of(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Runs `script` in the page and returns what it returns.
pub async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.expect("script")
}

/// Opens the sign-in page at `login_url` and signs in as `email` with the tests' password; the
/// caller waits for where the sign-in leads.
pub async fn sign_in(c: &Client, login_url: &str, email: &str) {
    c.goto(login_url).await.unwrap();
    fill(c, "email", email).await;
    fill(c, "password", crate::common::GOOD_PASSWORD).await;
    click(c, "form[action='/login'] button[type=submit]").await;
}

/// Adds the router from its page (in English) and waits for the confirmation.
pub async fn add_router(b: &Browser, base: &str) {
    let c = &b.client;
    c.goto(&format!("{base}/products/zte-mf286-4g-router?lang=en")).await.unwrap();
    click(c, "#add-button").await;
    b.wait_for(10, "the confirmation", || async { text_of(c, "#add-result").await.contains("Added to your cart") })
        .await;
}
