use crate::common::spawn_app;

#[tokio::test]
async fn home_shows_featured_products_and_kinds_in_mongolian() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="mn">"#));
    assert!(html.contains("Онцлох бараа"), "featured heading");
    assert!(html.contains("Apple iPhone 16 128GB"));
    assert!(html.contains("₮3,799,000"), "prices as ₮ with separators");
    assert!(html.contains(r#"href="/products?kind=plan""#));
    assert!(html.contains("Үйлчилгээний багц"));
}

#[tokio::test]
async fn product_list_filters_searches_and_pages_without_javascript() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/products?kind=device").await;
    assert_eq!(status, 200);
    assert!(html.contains("<!doctype html>"));
    assert!(html.contains("Илэрц: 7"));
    assert!(html.contains("ZTE MF286 4G рүүтер"));
    assert!(!html.contains("Смарт 25"), "plans are filtered out");
    assert!(html.contains(r#"<option value="device" selected>"#), "the filter shows what is chosen");

    let (_, html) = app.get_text("/products?q=iphone").await;
    assert!(html.contains("Илэрц: 1") && html.contains("Apple iPhone 16"));
    assert!(html.contains(r#"value="iphone""#), "the search box keeps the words");

    let (_, page1) = app.get_text("/products?per_page=5").await;
    assert!(page1.contains(r#"href="/products?per_page=5&#38;page=2""#), "next page link keeps per_page");
    let (_, page2) = app.get_text("/products?per_page=5&page=2").await;
    assert!(page2.contains(r#"rel="prev""#) && page2.contains(r#"aria-current="page">2<"#));
}

#[tokio::test]
async fn htmx_requests_get_only_the_list_fragment() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/products?kind=plan")).header("HX-Request", "true").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["vary"], "HX-Request");
    let html = res.text().await.unwrap();
    assert!(html.trim_start().starts_with(r#"<section id="product-list""#), "{html}");
    assert!(!html.contains("<html") && !html.contains("<header"));
    assert!(html.contains("Смарт 25") && !html.contains("iPhone"));
    let paged =
        app.client.get(app.url("/products?kind=plan&per_page=2")).header("HX-Request", "true").send().await.unwrap();
    let paged = paged.text().await.unwrap();
    assert!(
        paged.contains(r##"hx-get="/products?kind=plan&#38;per_page=2&#38;page=2" hx-target="closest section""##),
        "{paged}"
    );

    // Restoring history after a cache miss needs the whole page.
    let res = app
        .client
        .get(app.url("/products?kind=plan"))
        .header("HX-Request", "true")
        .header("HX-History-Restore-Request", "true")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn device_page_shows_availability_per_branch() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/products/huawei-5g-cpe-pro-5?lang=en").await;
    assert_eq!(status, 200);
    assert!(html.contains("Huawei 5G CPE Pro 5 router"));
    assert!(html.contains("₮749,000"));
    assert!(html.contains("Availability at branches"));
    assert!(html.contains("Central branch") && html.contains("Zaisan branch") && html.contains("Delivery warehouse"));
    assert!(html.contains("Out of stock"), "Zaisan has none");
    assert!(html.contains("Only 2 left"), "3rd & 4th has two");
    assert!(html.contains("Delivery only"), "the warehouse is not a pickup point");
    assert!(html.contains("Wi‑Fi 6 (AX3000)"), "specs are shown");
}

#[tokio::test]
async fn plan_and_data_pages_show_their_allowances() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/products/plan-smart-25?lang=en").await;
    assert!(html.contains("Minutes") && html.contains(">500<"));
    assert!(html.contains("15 GB"));
    assert!(html.contains("5,000"), "units");
    assert!(html.contains("30 days"));
    let (_, html) = app.get_text("/products/data-20gb-30d").await;
    assert!(html.contains("20 GB") && html.contains("30 хоног"));
}

#[tokio::test]
async fn top_up_page_shows_the_denominations_and_free_amount() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/products/top-up-any-amount?lang=en").await;
    assert!(html.contains("Any amount from ₮500 to ₮500,000"));
    for amount in ["₮1,000", "₮3,000", "₮5,000", "₮10,000", "₮20,000"] {
        assert!(html.contains(amount), "{amount}");
    }
    assert!(html.contains(r#"href="/products/top-up-10000""#));
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404_in_the_visitors_language() {
    let app = spawn_app().await;
    let res = app.get("/products/no-such-thing").await;
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Хуудас олдсонгүй") && html.contains(r#"<html lang="mn">"#));
    let (status, html) = app.get_text("/no/such/page?lang=en").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
    // With a valid CSRF token a wrong method is 405; without one the CSRF check answers 403 first.
    let client = crate::common::cookie_client();
    let csrf = app.csrf_from(&client, "/login").await;
    let res = client.post(app.url("/products")).header("X-CSRF-Token", csrf).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("<html"));
    assert_eq!(app.client.post(app.url("/products")).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn bad_list_parameters_get_a_422_page_naming_them() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/products?page=0&kind=toaster&lang=en").await;
    assert_eq!(status, 422);
    assert!(html.contains("That request was not valid"));
    assert!(html.contains("<code>kind</code>") && html.contains("<code>page</code>"));
    let res = app.client.get(app.url("/products?page=x")).header("HX-Request", "true").send().await.unwrap();
    assert_eq!(res.status(), 422);
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains("error-box") && !fragment.contains("<html"));
}

/// The app with the shop's clock standing at `ub` on Ulaanbaatar's clock (UTC+8).
async fn app_at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> crate::common::TestApp {
    use chrono::TimeZone;
    use std::sync::Arc;
    use storefront::domain::shared::FixedClock;
    use storefront::services::Services;
    let at = chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - chrono::Duration::hours(8);
    let clock = Arc::new(FixedClock::at(at));
    crate::common::spawn_with_services(true, &[], move |config| {
        Ok(Services { clock, ..Services::from_config(config)? })
    })
    .await
}

/// A device page answers "when can I have it?" from stock and branch hours, in the page's
/// language, and says where the product sits in the catalog.
#[tokio::test]
async fn a_device_page_says_where_it_sits_how_much_is_left_and_when_it_can_be_had() {
    // Monday 30 November 2026, 10:00: the central branch (09–21) has the router in stock.
    let app = app_at(2026, 11, 30, 10, 0).await;
    let (status, html) = app.get_text("/products/zte-mf286-4g-router").await;
    assert_eq!(status, 200);
    let crumbs = crate::common::between(&html, r#"class="breadcrumbs""#, "</nav>").to_string();
    assert!(crumbs.contains(r#"<a href="/">Нүүр</a>"#), "{crumbs}");
    assert!(crumbs.contains(r#"<a href="/products?category=devices">Төхөөрөмж</a>"#), "{crumbs}");
    assert!(crumbs.contains(r#"<a href="/products?category=routers">Рүүтер</a>"#), "{crumbs}");
    assert!(crumbs.contains(r#"aria-current="page">ZTE MF286 4G рүүтер"#), "{crumbs}");
    // Stock at three of the four collection branches (12, 6, 0, 5).
    assert!(html.contains(r#"id="stock-note">3 салбарт байгаа"#), "{html}");
    let when = crate::common::between(&html, r#"id="when""#, "</ul>").to_string();
    assert!(when.contains("Өнөөдөр 11:00 цагаас Төв салбараас очиж авна"), "{when}");
    assert!(when.contains("Улаанбаатарт өнөөдөр хүргэнэ"), "{when}");
    assert!(html.contains(r#"class="product-picture"><img src="/static/img/demo/zte-mf286-4g-router.svg"#));

    // Saturday 5 December, 19:30: of the branches holding it only the central one (09–21) is
    // open an hour more; the warehouse works Monday to Friday.
    let app = app_at(2026, 12, 5, 19, 30).await;
    let (_, html) = app.get_text("/products/zte-mf286-4g-router?lang=en").await;
    let when = crate::common::between(&html, r#"id="when""#, "</ul>").to_string();
    assert!(when.contains("Pick up today from 20:30 at Central branch"), "{when}");
    assert!(when.contains("Delivered on Monday in Ulaanbaatar"), "{when}");

    // A device nowhere in stock promises nothing.
    let (_, html) = app.get_text("/products/huawei-b311-4g-router?lang=en").await;
    assert!(html.contains(r#"id="stock-note">Out of stock"#), "{html}");
    assert!(!html.contains(r#"id="when""#));
}

/// The footer names the operator and how to reach it, and links the branches page, which lists
/// every branch with its hours.
#[tokio::test]
async fn the_footer_gives_contacts_and_the_branches_page_lists_every_branch() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/").await;
    let footer = crate::common::between(&html, r#"<footer class="site-footer">"#, "</footer>").to_string();
    assert!(footer.contains("Тэнгэр Мобайл") && footer.contains(r#"href="tel:77001800">7700-1800"#), "{footer}");
    assert!(footer.contains(r#"href="/branches""#), "{footer}");
    let (status, html) = app.get_text("/branches").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<h2>").count(), 5, "five branches: {html}");
    assert!(html.contains("Даваа–Ням 09:00–21:00") && html.contains("Зөвхөн хүргэлт"), "{html}");
}

/// Every kind listed together comes grouped under the kinds' headings; plans listed alone are
/// compared side by side; the refinements work without JavaScript and stay in the address.
#[tokio::test]
async fn the_list_groups_kinds_compares_plans_and_keeps_its_refinements_in_links() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/products?lang=en&per_page=100").await;
    let headings: Vec<&str> =
        html.split(r#"<h2 class="kind-heading">"#).skip(1).map(|h| &h[..h.find('<').unwrap()]).collect();
    assert_eq!(headings, ["Devices", "Phone numbers", "eSIM", "Data packs", "Top-up", "Plans", "Services"], "{html}");

    let (_, html) = app.get_text("/products?kind=plan&lang=en").await;
    let table = crate::common::between(&html, r#"id="plan-comparison""#, "</table>").to_string();
    assert_eq!(table.matches(r#"<th scope="col">"#).count(), 4, "a column per plan: {table}");
    for row in ["Data", "Minutes", "Valid for"] {
        assert!(table.contains(&format!(r#"<th scope="row">{row}</th>"#)), "{row}: {table}");
    }
    let (_, html) = app.get_text("/products?kind=device&lang=en").await;
    assert!(!html.contains("plan-comparison") && !html.contains("kind-heading"), "one kind: no groups, no table");

    let (status, html) =
        app.get_text("/products?kind=device&sort=price_asc&max_price=200000&in_stock=1&per_page=1&lang=en").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"<option value="price_asc" selected>"#) && html.contains(r#"name="max_price" type="number""#)
    );
    assert!(html.contains(r#"id="filter-in-stock" name="in_stock" value="1" checked"#), "{html}");
    let next = crate::common::between(&html, r#"rel="next" href=""#, r#"""#).to_string();
    assert!(
        next.contains("sort=price_asc") && next.contains("max_price=200000") && next.contains("in_stock=1"),
        "{next}"
    );
    let (status, html) = app.get_text("/products?sort=cheapest&lang=en").await;
    assert_eq!(status, 422, "{html}");
}
