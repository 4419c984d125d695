use fantoccini::{Client, Locator};

use crate::common::browser::{js, Browser};
use crate::common::spawn_app;

async fn count_text(c: &Client) -> String {
    match c.find(Locator::Css("#product-list .result-count")).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn url(c: &Client) -> String {
    c.current_url().await.map(|u| u.to_string()).unwrap_or_default()
}

/// A value set on `window` survives an htmx swap and disappears on a full page load.
async fn mark_page(c: &Client) {
    js(c, "window.__sameDocument = 'yes'; return true;").await;
}

async fn same_document(c: &Client) -> bool {
    js(c, "return window.__sameDocument === 'yes';").await == serde_json::json!(true)
}

async fn wait_for_htmx(b: &Browser) {
    let c = &b.client;
    b.wait_for(10, "htmx to load", || async {
        js(c, "return typeof htmx === 'object';").await == serde_json::json!(true)
    })
    .await;
}

#[tokio::test]
async fn filtering_and_searching_swap_the_list_in_place_and_push_the_url() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&app.url("/products?lang=en")).await.unwrap();
    wait_for_htmx(&b).await;
    let all = count_text(c).await;
    assert!(all.starts_with("Results: "), "{all}");
    mark_page(c).await;

    c.find(Locator::Id("filter-kind")).await.unwrap().select_by_value("device").await.unwrap();
    b.wait_for(10, "the device list", || async { count_text(c).await == "Results: 7" }).await;
    assert!(url(c).await.contains("kind=device"), "the URL follows the filter");
    assert!(same_document(c).await, "the list changed without a page load");
    assert!(c.source().await.unwrap().contains("ZTE MF286 4G router"));

    c.find(Locator::Id("filter-q")).await.unwrap().send_keys("iphone").await.unwrap();
    b.wait_for(10, "the search result", || async { count_text(c).await == "Results: 1" }).await;
    let now = url(c).await;
    assert!(now.contains("q=iphone") && now.contains("kind=device"), "{now}");
    assert!(same_document(c).await);
    let names: Vec<String> = {
        let mut out = Vec::new();
        for e in c.find_all(Locator::Css("#product-list .card-name")).await.unwrap() {
            out.push(e.text().await.unwrap());
        }
        out
    };
    assert_eq!(names, ["Apple iPhone 16 128GB"]);

    // Back returns to the device list; a reload renders the same list on the server.
    c.back().await.unwrap();
    b.wait_for(10, "the device list again", || async { count_text(c).await == "Results: 7" }).await;
    assert!(!url(c).await.contains("q=iphone"));
    c.refresh().await.unwrap();
    b.wait_for(10, "the reloaded page", || async { !same_document(c).await }).await;
    assert_eq!(count_text(c).await, "Results: 7");
    let selected = js(c, "return document.getElementById('filter-kind').value;").await;
    assert_eq!(selected, "device");
    b.close().await;
}

#[tokio::test]
async fn pagination_swaps_the_list_in_place() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&app.url("/products?lang=en&per_page=5")).await.unwrap();
    wait_for_htmx(&b).await;
    mark_page(c).await;
    let first = c.find(Locator::Css("#product-list .card-name")).await.unwrap().text().await.unwrap();
    c.find(Locator::Css(".pagination a[rel=next]")).await.unwrap().click().await.unwrap();
    b.wait_for(10, "page 2", || async { url(c).await.contains("page=2") }).await;
    b.wait_for(10, "the second page's items", || async {
        match c.find(Locator::Css("#product-list .card-name")).await {
            Ok(e) => e.text().await.unwrap_or_default() != first,
            Err(_) => false,
        }
    })
    .await;
    assert!(same_document(c).await);
    let current = c.find(Locator::Css(".pagination [aria-current=page]")).await.unwrap().text().await.unwrap();
    assert_eq!(current, "2");
    b.close().await;
}

#[tokio::test]
async fn the_language_switch_changes_the_page_and_is_remembered() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    let lang = || async { js(c, "return document.documentElement.lang;").await };
    // Chromium asks for English first (Accept-Language: en-US), so the first visit is English.
    c.goto(&app.url("/products?kind=plan")).await.unwrap();
    assert_eq!(lang().await, "en");
    c.goto(&app.url("/products?kind=plan&lang=mn")).await.unwrap();
    assert_eq!(lang().await, "mn");
    assert!(c.source().await.unwrap().contains("Смарт 25"));
    c.find(Locator::Css("a.lang-switch")).await.unwrap().click().await.unwrap();
    b.wait_for(10, "the English page", || async { lang().await == "en" }).await;
    let source = c.source().await.unwrap();
    assert!(source.contains("Smart 25") && !source.contains("Смарт 25"));
    let now = url(c).await;
    assert!(now.contains("kind=plan") && now.contains("lang=en") && !now.contains("lang=mn"), "{now}");
    // A later visit without ?lang= stays in English.
    c.goto(&app.url("/")).await.unwrap();
    assert_eq!(lang().await, "en");
    assert!(c.source().await.unwrap().contains("Featured"));
    b.close().await;
}

async fn number_count(c: &Client) -> String {
    match c.find(Locator::Css("#number-list .result-count")).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The number picker on a phone: typing a pattern updates the list in place as one types, the
/// address follows the search (it can be shared), and nothing is wider than a 360 px screen.
#[tokio::test]
async fn the_number_picker_searches_as_one_types_on_a_phone() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(360, 800).await.unwrap();
    c.goto(&app.url("/numbers?lang=en")).await.unwrap();
    wait_for_htmx(&b).await;
    let all = number_count(c).await;
    assert!(all.starts_with("Numbers found: "), "{all}");
    mark_page(c).await;
    c.find(Locator::Id("number-q")).await.unwrap().send_keys("8888*").await.unwrap();
    b.wait_for(10, "the narrowed list", || async { number_count(c).await != all && !number_count(c).await.is_empty() })
        .await;
    assert!(same_document(c).await, "the list changed without a page load");
    let now = url(c).await;
    assert!(now.contains("q=8888"), "{now}");
    assert!(c.source().await.unwrap().contains("8888 8888"));
    let wide = js(c, "return document.documentElement.scrollWidth <= window.innerWidth;").await;
    assert_eq!(wide, serde_json::json!(true), "the page scrolls sideways at 360 px");
    b.close().await;
}
