use serde_json::json;

use crate::common::{cookie_client, csrf_in, spawn_with, GOOD_PASSWORD};

async fn try_token(client: &reqwest::Client, url: &str, email: &str, password: &str) -> reqwest::Response {
    client.post(url).json(&json!({"email": email, "password": password})).send().await.unwrap()
}

#[tokio::test]
async fn ten_failures_lock_the_account_for_fifteen_minutes() {
    let app = spawn_with(false, &[]).await;
    app.customer_token("bat@example.mn").await;
    let url = app.url("/api/v1/auth/token");
    for i in 0..10 {
        assert_eq!(
            try_token(&app.client, &url, "bat@example.mn", "Wrong-Password-1").await.status(),
            401,
            "failure {i}"
        );
    }
    let res = try_token(&app.client, &url, "BAT@example.mn", GOOD_PASSWORD).await;
    assert_eq!(res.status(), 429, "even the right password waits");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((850..=900).contains(&retry), "{retry}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Another account from the same address is not locked.
    app.customer_token("saraa@example.mn").await;
}

#[tokio::test]
async fn a_successful_sign_in_forgives_earlier_failures() {
    let app = spawn_with(false, &[]).await;
    app.customer_token("bat@example.mn").await;
    let url = app.url("/api/v1/auth/token");
    for _ in 0..9 {
        try_token(&app.client, &url, "bat@example.mn", "Wrong-Password-1").await;
    }
    assert_eq!(try_token(&app.client, &url, "bat@example.mn", GOOD_PASSWORD).await.status(), 200);
    for _ in 0..9 {
        assert_eq!(try_token(&app.client, &url, "bat@example.mn", "Wrong-Password-1").await.status(), 401);
    }
}

#[tokio::test]
async fn the_address_limit_spans_accounts_and_pages() {
    let app = spawn_with(false, &[("LOGIN_LIMIT_PER_IP", "4/15m")]).await;
    let url = app.url("/api/v1/auth/token");
    for i in 0..4 {
        let status = try_token(&app.client, &url, &format!("user{i}@example.mn"), "Wrong-Password-1").await.status();
        assert_eq!(status, 401);
    }
    assert_eq!(try_token(&app.client, &url, "fresh@example.mn", "Wrong-Password-1").await.status(), 429);
    // The sign-in page shares the limit and says how long to wait.
    let client = cookie_client();
    let html = client.get(app.url("/login?lang=en")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&html);
    let res = client
        .post(app.url("/login?lang=en"))
        .form(&[("_csrf", csrf.as_str()), ("email", "other@example.mn"), ("password", "whatever-123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("Too many attempts. Try again in 15 min."));
}

#[tokio::test]
async fn registrations_are_limited_per_address() {
    let app = spawn_with(false, &[("REGISTER_LIMIT_PER_IP", "2/1h")]).await;
    for i in 0..2 {
        let (status, _) = app
            .post_json(
                "/api/v1/auth/register",
                &json!({"email": format!("u{i}@example.mn"), "password": GOOD_PASSWORD, "name": "U"}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let res = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"email": "u9@example.mn", "password": GOOD_PASSWORD, "name": "U"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3500..=3600).contains(&retry), "{retry}");
}

/// Two server processes, one database, twenty concurrent wrong passwords for one account with
/// a limit of ten: exactly ten are checked, the rest wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_limit_holds_across_server_processes_under_concurrency() {
    let env = [("LOGIN_LIMIT_PER_ACCOUNT", "10/15m"), ("LOGIN_LIMIT_PER_IP", "1000/15m")];
    let app = spawn_with(false, &env).await;
    app.customer_token("bat@example.mn").await;
    let other = app.another_server(&env);
    let urls = [app.url("/api/v1/auth/token"), other.url("/api/v1/auth/token")];
    let mut tasks = Vec::new();
    for i in 0..20 {
        let url = urls[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            try_token(&client, &url, "bat@example.mn", "Wrong-Password-1").await.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10, "{statuses:?}");
}

/// Behind a proxy, the caller writes the left of `X-Forwarded-For` and the proxy appends the
/// address it saw: rotating the first entry must not escape the limit.
#[tokio::test]
async fn behind_a_proxy_the_limit_counts_the_hop_the_proxy_appended() {
    let env = [("LOGIN_LIMIT_PER_IP", "4/15m"), ("TRUST_FORWARDED_FOR", "on"), ("TRUSTED_PROXIES", "10.0.0.2")];
    let app = spawn_with(false, &env).await;
    let url = app.url("/api/v1/auth/token");
    let attempt = |forwarded: String, email: String| {
        let (client, url) = (app.client.clone(), url.clone());
        async move {
            client
                .post(url)
                .header("X-Forwarded-For", forwarded)
                .json(&json!({"email": email, "password": "Wrong-Password-1"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let mut statuses = Vec::new();
    for i in 0..8 {
        // Forged first hops, one real client, then our own proxy.
        statuses.push(attempt(format!("198.51.100.{i}, 203.0.113.7, 10.0.0.2"), format!("u{i}@example.mn")).await);
    }
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 429).count(), 4, "{statuses:?}");
    // Another client behind the same proxy has its own allowance.
    assert_eq!(attempt("203.0.113.8, 10.0.0.2".into(), "v@example.mn".into()).await, 401);
    // An IPv6 client counts by its /64: picking another of its own addresses does not escape.
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(attempt(format!("2001:db8:5:7::{i:x}, 10.0.0.2"), format!("w{i}@example.mn")).await);
    }
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 429).count(), 2, "{statuses:?}");
    assert_eq!(attempt("2001:db8:5:8::1, 10.0.0.2".into(), "x@example.mn".into()).await, 401, "the next /64");
}

/// The current password asked before a change is limited like signing in: a stolen session
/// or token cannot guess it freely, and the right one forgives the failures.
#[tokio::test]
async fn guessing_the_current_password_on_a_change_is_limited() {
    let app = spawn_with(false, &[]).await;
    let token = app.customer_token("bat@example.mn").await;
    let change = |current: &str| {
        let body = json!({"current_password": current, "new_password": "Orkhon-Valley-2026"});
        app.client.post(app.url("/api/v1/me/password")).bearer_auth(&token).json(&body).send()
    };
    for i in 0..10 {
        assert_eq!(change("Wrong-Password-1").await.unwrap().status(), 422, "guess {i}");
    }
    let res = change(GOOD_PASSWORD).await.unwrap();
    assert_eq!(res.status(), 429, "even the right password waits");
    assert!(res.headers().contains_key("retry-after"));
}

/// A NUL byte (which PostgreSQL refuses in text) in the email is a wrong sign-in, not a 500,
/// on the API and the page alike.
#[tokio::test]
async fn a_nul_byte_in_the_sign_in_email_is_a_wrong_sign_in() {
    let app = spawn_with(false, &[]).await;
    let res = try_token(&app.client, &app.url("/api/v1/auth/token"), "bat\u{0}@example.mn", "Wrong-Password-1").await;
    assert_eq!(res.status(), 401);
    let client = cookie_client();
    let html = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&html);
    let res = client
        .post(app.url("/login"))
        .form(&[("_csrf", csrf.as_str()), ("email", "bat\u{0}@example.mn"), ("password", "whatever-123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}
