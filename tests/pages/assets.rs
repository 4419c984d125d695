use crate::common::spawn_app;

fn asset_url(html: &str, name: &str) -> String {
    let start = html.find(&format!("/static/{name}?v=")).expect("versioned asset url");
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test]
async fn assets_are_embedded_versioned_and_cached_for_a_year() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/").await;
    let css = asset_url(&html, "css/app.css");
    let res = app.get(&css).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert!(css.ends_with(etag.trim_matches('"')), "the version is the content hash");

    let again = app.client.get(app.url(&css)).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    // Without the current version the cache is short, so a deploy is picked up.
    let plain = app.get("/static/css/app.css").await;
    assert_eq!(plain.headers()["cache-control"], "public, max-age=300");
}

#[tokio::test]
async fn htmx_is_served_from_our_own_vendored_copy() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/products").await;
    let js = asset_url(&html, "vendor/htmx/htmx.min.js");
    let res = app.get(&js).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(res.text().await.unwrap().contains("2.0.8"));
    assert_eq!(app.get("/static/vendor/htmx/LICENSE").await.status(), 200);
    assert_eq!(app.get("/static/nope.js").await.status(), 404);
    assert_eq!(app.get("/static/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn the_shop_has_an_icon_and_a_description_in_the_page_s_language() {
    let app = crate::common::spawn_app().await;
    let res = app.get("/favicon.ico").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/x-icon");
    assert!(res.headers()["cache-control"].to_str().unwrap().starts_with("public"));
    let (_, home) = app.get_text("/").await;
    assert!(home.contains(r#"rel="icon" href="/static/img/logo.svg?v="#), "{home}");
    let description = crate::common::between(&home, r#"<meta name="description" content=""#, r#"""#);
    assert!(description.contains("рүүтер"), "Mongolian first: {description}");
    let (_, english) = app.get_text("/?lang=en").await;
    assert!(english.contains(r#"<meta name="description" content="Phones, routers"#));
}

#[tokio::test]
async fn pages_styles_and_scripts_go_out_compressed_when_the_browser_takes_it() {
    let app = crate::common::spawn_app().await;
    let client = reqwest::Client::new();
    let fetch = |path: &str, accept: &'static str| client.get(app.url(path)).header("Accept-Encoding", accept).send();
    let page = fetch("/products", "gzip, deflate, br").await.unwrap();
    assert_eq!(page.headers()["content-encoding"], "br");
    let vary: Vec<String> =
        page.headers().get_all("vary").iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect();
    assert!(vary.iter().any(|v| v.contains("accept-encoding")), "caches keep one copy per encoding: {vary:?}");
    let css = fetch("/static/css/app.css", "gzip").await.unwrap();
    assert_eq!(css.headers()["content-encoding"], "gzip");
    let plain_len = app.get("/static/css/app.css").await.bytes().await.unwrap().len();
    assert!(css.bytes().await.unwrap().len() * 2 < plain_len, "the stylesheet shrinks");
    let plain = fetch("/products", "identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let icon = fetch("/favicon.ico", "gzip").await.unwrap();
    assert!(icon.headers().get("content-encoding").is_none(), "pictures are compressed already");
}
