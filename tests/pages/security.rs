use crate::common::spawn_app;

#[tokio::test]
async fn every_response_carries_strict_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/products", "/products/esim", "/nope", "/api/v1/products", "/api/docs"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.get("referrer-policy").is_some(), "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.get("x-request-id").is_some(), "{path}");
    }
}

/// A strict CSP is only possible with no inline script: no `<script>` without `src`, no
/// `on…=` handler attributes, no `javascript:` links.
#[tokio::test]
async fn pages_have_no_inline_script() {
    let app = spawn_app().await;
    for path in
        ["/", "/products", "/products?kind=device&per_page=3", "/products/zte-mf286-4g-router", "/nope", "/api/docs"]
    {
        let (_, html) = app.get_text(path).await;
        let lower = html.to_lowercase();
        for (i, _) in lower.match_indices("<script") {
            let tag_end = lower[i..].find('>').map(|e| i + e).unwrap();
            assert!(lower[i..tag_end].contains(" src="), "{path}: inline <script> at {i}");
        }
        assert!(!lower.contains("javascript:"), "{path}");
        let has_handler = lower.split(|c: char| c.is_whitespace()).any(|w| {
            w.starts_with("on")
                && w.contains('=')
                && w[2..w.find('=').unwrap()].chars().all(|c| c.is_ascii_alphabetic())
        });
        assert!(!has_handler, "{path}: inline event handler");
    }
}

#[tokio::test]
async fn errors_never_leak_internals() {
    let app = spawn_app().await;
    for path in [
        "/products?page=99999999999999999999",
        "/api/v1/products?per_page=%FF",
        "/products/%00",
        "/api/v1/products/%E0%A4%A",
        "/api/v1/products?q=%00",
        "/products?category=%00",
    ] {
        let res = app.get(path).await;
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("diesel") && !body.contains("panicked") && !body.contains("src/"), "{path}: {body}");
    }
}

#[tokio::test]
async fn production_marks_the_session_cookie_secure() {
    let key = "k".repeat(88);
    let app = crate::common::spawn_with(
        false,
        &[("APP_ENV", "production"), ("SESSION_KEY", &key), ("INVENTORY_KEY", "inventory-key-for-tests")],
    )
    .await;
    let res = app.get("/login").await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sf_session="))
        .expect("the login form starts a session")
        .to_string();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(res.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
}

#[tokio::test]
async fn oversized_forms_are_413() {
    let app = spawn_app().await;
    let client = crate::common::cookie_client();
    let csrf = app.csrf_from(&client, "/login").await;
    let big = "x".repeat(200_000);
    let res =
        client.post(app.url("/login")).form(&[("_csrf", csrf.as_str()), ("email", big.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("<html"));
}

/// One person's answers (their account, a tracking page, a bearer token) are never cached; the
/// public catalog may be.
#[tokio::test]
async fn personal_answers_carry_no_store_and_the_catalog_does_not() {
    let app = crate::common::spawn_app_empty().await;
    let client = crate::common::cookie_client();
    app.register_in_browser(&client, "bat@example.mn").await;
    let account = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), 200);
    assert_eq!(account.headers()["cache-control"], "no-store");
    let token = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({"email": "bat@example.mn", "password": crate::common::GOOD_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    assert_eq!(token.headers()["cache-control"], "no-store");
    let products = app.client.get(app.url("/products")).send().await.unwrap();
    assert!(products.headers().get("cache-control").is_none_or(|v| v != "no-store"));
}

/// The language link of a page is built from its path: `//evil.example/x` must not become a
/// link to another site.
#[tokio::test]
async fn a_path_with_two_leading_slashes_never_links_off_the_site() {
    let app = crate::common::spawn_app_empty().await;
    for path in ["//evil.example/x", "/\\evil.example/x"] {
        let res = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(!html.contains("href=\"//evil") && !html.contains("href=\"/\\evil"), "{path}: {html}");
    }
}
