//! A Mongolian page shows no English: every word in Latin letters on the shopper's pages, in
//! text and in what screen readers and browsers show (alt, placeholder, aria-label, title), is a
//! brand, a unit or a model name from the allowlist.
use serde_json::json;

use crate::common::shop::pickup;
use crate::common::{cookie_client, spawn_app, TestApp};

/// Words in Latin letters a Mongolian page may show: brands, model names, units, standards.
const ALLOWED: &[&str] = &[
    "5g",
    "4g",
    "3g",
    "lte",
    "cat",
    "nsa",
    "sa",
    "wi",
    "fi",
    "wifi",
    "gb",
    "mb",
    "tb",
    "mah",
    "gbps",
    "mbps",
    "sms",
    "sim",
    "esim",
    "pin",
    "puk",
    "iccid",
    "lan",
    "usb",
    "nfc",
    "amoled",
    "oled",
    "lcd",
    "super",
    "ax3000",
    "ac1200",
    "n300",
    "samsung",
    "galaxy",
    "a55",
    "a15",
    "iphone",
    "apple",
    "xiaomi",
    "redmi",
    "note",
    "huawei",
    "cpe",
    "pro",
    "zte",
    "mf286",
    "mf920",
    "tp",
    "link",
    "deco",
    "mobicom",
    "storefront",
    "ts",
    "lpa",
    "smdp",
    "qr",
    "vat",
    "id",
    "ok",
    "pdf",
    "csv",
    "html",
    "http",
    "https",
    "www",
    "mn",
    "en",
    "e",
    "mail",
    "x",
    "ram",
    "ios",
    "android",
    "os",
    "max",
    "plus",
    "mini",
    "ultra",
    "lite",
    "gt",
    "se",
    "m",
    "api",
];

/// The text a visitor meets: the text between tags and the attributes read out or shown, with
/// scripts and styles left out.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let after = &rest[open..];
        let lower = after.get(..8).unwrap_or(after).to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            after.find("</script>").map(|e| e + 9)
        } else if lower.starts_with("<style") {
            after.find("</style>").map(|e| e + 8)
        } else {
            None
        };
        if let Some(end) = skip_to {
            rest = &after[end..];
            continue;
        }
        let Some(close) = after.find('>') else { break };
        let tag = &after[..close];
        // A name in another language marked as such (the switch to English) is read as that.
        if tag.contains(" lang=\"en\"") && !tag.starts_with("<html") {
            // The whole element, up to its closing tag (such elements do not nest their own kind).
            let name: String = tag[1..].chars().take_while(char::is_ascii_alphanumeric).collect();
            let end = after.find(&format!("</{name}>")).map_or(after.len(), |i| i + name.len() + 3);
            rest = &after[end..];
            continue;
        }
        for attr in ["alt=\"", "placeholder=\"", "aria-label=\"", "title=\"", "content=\""] {
            // `content` only of the page's description.
            if attr == "content=\"" && !tag.contains("name=\"description\"") {
                continue;
            }
            if let Some(start) = tag.find(attr) {
                let value = &tag[start + attr.len()..];
                out.push(' ');
                out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", "\"").replace("&nbsp;", " ")
}

/// Latin words not in the allowlist.
fn english_words(html: &str) -> Vec<String> {
    let text = visible_text(html);
    // Addresses people typed are theirs, not the shop's words.
    let text: String = text.split_whitespace().filter(|w| !w.contains('@')).collect::<Vec<_>>().join(" ");
    let mut found: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric()))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase)
        .filter(|w| !ALLOWED.contains(&w.as_str()))
        // Model names, codes and ids: letters mixed with digits (B311, TS-000123, a hash).
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        // The shopper's own name, as the test registered it.
        .filter(|w| w != "bat")
        .collect();
    found.sort();
    found.dedup();
    found
}

async fn mongolian(app: &TestApp, client: &reqwest::Client, path: &str) -> Vec<String> {
    let (status, page) = app.page(client, path).await;
    assert!(status < 400, "{path}: {status}");
    assert!(page.contains(r#"<html lang="mn""#), "{path}");
    english_words(&page)
}

#[test]
fn the_check_finds_english_and_lets_brands_and_units_pass() {
    let page = r#"<html lang="mn"><head><title>Утас</title><style>.a{color:red}</style></head>
        <body><p>Samsung Galaxy A55, 128 GB, 5G</p><script>let english = 1;</script>
        <img alt="Front view"><p>Даваа–Ням 09:00–21:00 (deliveries only)</p></body></html>"#;
    assert_eq!(english_words(page), ["deliveries", "front", "only", "view"]);
}

#[tokio::test]
async fn a_shopper_meets_no_english_word_on_a_mongolian_page() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    app.register_in_browser(&shopper, "bat@example.mn").await;
    let router = app.product_id("zte-mf286-4g-router");
    let mut pages = vec![
        "/".to_string(),
        "/products".into(),
        "/products?kind=device".into(),
        "/products?kind=plan".into(),
        "/products?sort=price_desc&in_stock=1&min_price=1000".into(),
        "/branches".into(),
        "/products/zte-mf286-4g-router".into(),
        "/products/samsung-galaxy-a55".into(),
        "/products/top-up-5000".into(),
        "/numbers".into(),
        "/top-up".into(),
        "/account".into(),
        "/account/numbers".into(),
        "/password-reset".into(),
    ];
    // A cart with a device, and checkout.
    let csrf = app.csrf_from(&shopper, "/products/zte-mf286-4g-router").await;
    let res = shopper
        .post(app.url("/cart/items"))
        .form(&[("_csrf", csrf.as_str()), ("product_id", &router.to_string()), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    pages.extend(["/cart".to_string(), "/checkout".into()]);
    // An order placed for pickup.
    let token = app.customer_token("dorj@example.mn").await;
    let cart = app.cart_with(Some(&token), &[json!({"product_id": router})]).await;
    let (_, placed) = app.checkout(&cart, Some(&token), json!({"fulfillment": pickup(app.branch_id("zaisan"))})).await;
    let order = placed["order"]["id"].as_str().unwrap_or_default().to_string();
    let dorj = cookie_client();
    assert_eq!(app.sign_in_browser(&dorj, "dorj@example.mn").await.status(), 303);

    let mut leaks = Vec::new();
    for path in &pages {
        let words = mongolian(&app, &shopper, path).await;
        if !words.is_empty() {
            leaks.push(format!("{path}: {words:?}"));
        }
    }
    let (_, page) = app.page(&dorj, &format!("/orders/{order}")).await;
    assert!(page.contains("салбараас очиж авна"), "the ending follows the branch's name: {page}");
    let words = mongolian(&app, &dorj, &format!("/orders/{order}")).await;
    if !words.is_empty() {
        leaks.push(format!("/orders/…: {words:?}"));
    }
    // What the domain says back: a foreign number, an amount out of bounds.
    let csrf = app.csrf_from(&shopper, "/top-up").await;
    let free = app.product_id("top-up-any-amount");
    for form in [
        vec![("_csrf", csrf.clone()), ("msisdn", "99112233".to_string())],
        vec![
            ("_csrf", csrf.clone()),
            ("msisdn", "88112233".to_string()),
            ("product_id", free.to_string()),
            ("amount", "1".to_string()),
            ("email", "bat@example.mn".to_string()),
        ],
    ] {
        let path = if form.len() == 2 { "/top-up/check" } else { "/top-up" };
        let res = shopper.post(app.url(path)).form(&form).send().await.unwrap();
        let page = res.text().await.unwrap();
        assert!(page.contains("field-error") || page.contains("error"), "{path}: an error is told");
        let words = english_words(&page);
        if !words.is_empty() {
            leaks.push(format!("{path} error: {words:?}"));
        }
    }
    assert!(leaks.is_empty(), "English on Mongolian pages:\n{}", leaks.join("\n"));
}
