use crate::common::spawn_app;

#[tokio::test]
async fn lang_parameter_switches_and_is_remembered_in_a_cookie() {
    let app = spawn_app().await;
    let res = app.get("/products?lang=en").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("lang=en") && cookie.contains("Path=/") && cookie.contains("SameSite=Lax"), "{cookie}");
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en">"#) && html.contains("Shop"));
    assert!(html.contains(r#"href="/products?lang=mn""#), "the switcher points at the other language");

    // The next visit without ?lang= keeps English from the cookie.
    let res = app.client.get(app.url("/products/number-gold")).header("Cookie", "lang=en").send().await.unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.text().await.unwrap().contains("Gold number"));
}

#[tokio::test]
async fn first_visit_follows_accept_language_and_defaults_to_mongolian() {
    let app = spawn_app().await;
    let en = app.client.get(app.url("/")).header("Accept-Language", "en-US,en;q=0.9").send().await.unwrap();
    assert!(en.text().await.unwrap().contains(r#"<html lang="en">"#));
    let other = app.client.get(app.url("/")).header("Accept-Language", "de-DE").send().await.unwrap();
    assert!(other.text().await.unwrap().contains(r#"<html lang="mn">"#));
    let (_, html) = app.get_text("/").await;
    assert!(html.contains(r#"<html lang="mn">"#));
    // The cookie beats the header; ?lang= beats both.
    let res =
        app.client.get(app.url("/")).header("Accept-Language", "en").header("Cookie", "lang=mn").send().await.unwrap();
    assert!(res.text().await.unwrap().contains(r#"<html lang="mn">"#));
    let res = app.client.get(app.url("/?lang=en")).header("Cookie", "lang=mn").send().await.unwrap();
    assert!(res.text().await.unwrap().contains(r#"<html lang="en">"#));
}

#[tokio::test]
async fn an_unknown_lang_value_is_ignored() {
    let app = spawn_app().await;
    let res = app.get("/?lang=fr").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.text().await.unwrap().contains(r#"<html lang="mn">"#));
}
