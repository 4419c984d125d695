//! Every shopper page on a phone (360 and 390 px wide), and the journeys where feedback matters:
//! a search by a shopper's word, a busy add to cart, a declined payment, the order's steps.
use fantoccini::Client;
use serde_json::json;

use crate::common::browser::{add_router, click, fill, js, path, sign_in, text_of, Browser};
use crate::common::spawn_app;

/// The page is no wider than the screen, and `action` (if any) is on screen once scrolled to,
/// at least 44 px tall, and the element a tap at its centre would reach.
async fn fits(c: &Client, page: &str, action: Option<&str>) {
    let width = js(
        c,
        "const w = window.innerWidth; const wide = [...document.querySelectorAll('body *')]
           .filter(e => e.getBoundingClientRect().right > w + 0.5 && !e.closest('.main-nav'))
           .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))
           .slice(0, 8);
         return [document.documentElement.scrollWidth, w, wide];",
    )
    .await;
    assert!(width[0].as_i64() <= width[1].as_i64(), "{page} scrolls sideways: {width}");
    let Some(css) = action else { return };
    let script = format!(
        "const e = document.querySelector({css:?}); if (!e) return 'missing';
         e.scrollIntoView({{block: 'center'}});
         const r = e.getBoundingClientRect();
         if (r.left < 0 || r.right > window.innerWidth) return 'off the side: ' + r.left + '..' + r.right;
         if (r.height < 44) return 'too small to tap: ' + r.height;
         const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
         return e === hit || e.contains(hit) ? 'ok' : 'covered by ' + (hit && hit.outerHTML.slice(0, 80));"
    );
    assert_eq!(js(c, &script).await, json!("ok"), "{page}: {css}");
}

async fn visit(c: &Client, base: &str, page: &str) {
    let sep = if page.contains('?') { '&' } else { '?' };
    c.goto(&format!("{base}{page}{sep}lang=mn")).await.unwrap();
}

/// Checks out the cart as a guest collecting at the first branch offered; ends on the
/// sandbox's payment page.
async fn check_out_for_pickup(b: &Browser, base: &str) {
    let c = &b.client;
    c.goto(&format!("{base}/checkout?lang=en")).await.unwrap();
    fill(c, "email", "guest@example.mn").await;
    click(c, "input[name=method][value=pickup]").await;
    click(c, "#pickup-branches input[name=branch_id]").await;
    click(c, "#place-order").await;
    b.wait_for(10, "the payment page", || async { path(c).await.ends_with("/pay") }).await;
}

#[tokio::test]
async fn every_shopper_page_fits_a_phone_and_its_main_action_can_be_tapped() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    for width in [360u32, 390] {
        c.set_window_size(width, 800).await.unwrap();
        let open: [(&str, Option<&str>); 10] = [
            ("/", Some(".hero .button")),
            ("/products", Some(".filters-button")),
            ("/products?kind=plan", Some(".card-link")),
            ("/products/zte-mf286-4g-router", Some("#add-button")),
            ("/products/top-up-any-amount", Some("#add-button")),
            ("/numbers", Some("#number-filters button[type=submit]")),
            ("/top-up", Some("#top-up-form button[type=submit]")),
            ("/branches", None),
            ("/login", Some("main form button[type=submit]")),
            ("/register", Some("main form button[type=submit]")),
        ];
        for (page, action) in open {
            visit(c, &app.address, page).await;
            fits(c, &format!("{page} at {width} px"), action).await;
        }
    }

    // With something in the cart: the cart, checkout, the provider's page and the order.
    add_router(&b, &app.address).await;
    for width in [360u32, 390] {
        c.set_window_size(width, 800).await.unwrap();
        visit(c, &app.address, "/cart").await;
        fits(c, &format!("/cart at {width} px"), Some("#to-checkout")).await;
        visit(c, &app.address, "/checkout").await;
        fits(c, &format!("/checkout at {width} px"), Some("#place-order")).await;
    }
    check_out_for_pickup(&b, &app.address).await;
    let payment = path(c).await;
    let order = js(c, "return document.querySelector(\"a[href^='/orders/']\").getAttribute('href');").await;
    let order = order.as_str().unwrap().to_string();
    for width in [360u32, 390] {
        c.set_window_size(width, 800).await.unwrap();
        visit(c, &app.address, &payment).await;
        fits(c, &format!("the payment page at {width} px"), Some("#approve-payment")).await;
        visit(c, &app.address, &order).await;
        fits(c, &format!("the order at {width} px"), Some("#pay-order")).await;
    }

    // Signed in: the account and its numbers.
    c.goto(&app.url("/register?lang=en")).await.unwrap();
    fill(c, "name", "Bat").await;
    fill(c, "email", "bat@example.mn").await;
    fill(c, "password", crate::common::GOOD_PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    b.wait_for(10, "the account", || async { path(c).await == "/account" }).await;
    for width in [360u32, 390] {
        c.set_window_size(width, 800).await.unwrap();
        visit(c, &app.address, "/account").await;
        fits(c, &format!("/account at {width} px"), Some("main form button[type=submit]")).await;
        visit(c, &app.address, "/account/numbers").await;
        fits(c, &format!("/account/numbers at {width} px"), None).await;
    }
    b.close().await;
}

/// A shopper's word finds the products (a transliteration from the header's search), and a
/// second tap on a busy "add to cart" adds nothing more.
#[tokio::test]
async fn a_shoppers_word_finds_routers_and_a_double_tap_adds_one() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(390, 800).await.unwrap();
    c.goto(&app.url("/?lang=mn")).await.unwrap();
    fill(c, "site-search", "роутер").await;
    click(c, ".search button").await;
    b.wait_for(10, "the results", || async { path(c).await == "/products" }).await;
    let names = text_of(c, "#product-list").await;
    assert!(names.contains("ZTE MF286 4G рүүтер") && names.contains("Huawei B311 4G рүүтер"), "{names}");
    assert!(!names.contains("iPhone"), "{names}");

    c.goto(&app.url("/products/zte-mf286-4g-router?lang=en")).await.unwrap();
    // Two taps before the first answer: the button is disabled by the first.
    let busy = js(
        c,
        "const b = document.getElementById('add-button'); b.click(); const busy = b.disabled; b.click(); return busy;",
    )
    .await;
    assert_eq!(busy, json!(true), "the button is busy while the first add is on its way");
    b.wait_for(10, "the confirmation", || async { text_of(c, "#add-result").await.contains("Added to your cart") })
        .await;
    b.wait_for(10, "the button back", || async {
        js(c, "return document.getElementById('add-button').disabled;").await == json!(false)
    })
    .await;
    assert_eq!(text_of(c, "#cart-link .cart-count").await, "1");
    let lines: i64 = app.count("SELECT coalesce(sum(quantity), 0)::bigint AS n FROM cart_items");
    assert_eq!(lines, 1, "one router in the cart, not two");
    b.close().await;
}

/// A failed checkout puts its summary of what to fix first and moves focus there; a declined
/// payment is told on the order, which offers to pay again; the steps show where the order is.
#[tokio::test]
async fn a_declined_payment_is_told_and_paid_again_and_the_steps_follow() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(390, 800).await.unwrap();
    add_router(&b, &app.address).await;
    c.goto(&app.url("/checkout?lang=en")).await.unwrap();
    click(c, "#place-order").await;
    b.wait_for(10, "the summary", || async { !text_of(c, "#error-summary").await.is_empty() }).await;
    let summary = text_of(c, "#error-summary").await;
    assert!(summary.contains("Email"), "{summary}");
    let focused = js(c, "return document.activeElement && document.activeElement.id;").await;
    assert_eq!(focused, json!("error-summary"), "focus moves to the summary");

    check_out_for_pickup(&b, &app.address).await;
    click(c, "#decline-payment").await;
    b.wait_for(10, "the order", || async { path(c).await.starts_with("/orders/") }).await;
    let told = text_of(c, "#payment-declined").await;
    assert!(told.contains("Your payment was declined"), "{told}");
    assert_eq!(text_of(c, "#pay-order").await, "Pay again");
    assert_eq!(text_of(c, "#order-steps [aria-current=step]").await, "Placed");
    assert!(text_of(c, "#next-step-text").await.contains("pay by"));

    click(c, "#pay-order").await;
    b.wait_for(10, "the payment page", || async { path(c).await.ends_with("/pay") }).await;
    click(c, "#approve-payment").await;
    b.wait_for(10, "the order again", || async { path(c).await.starts_with("/orders/") }).await;
    b.wait_for(10, "paid", || async { text_of(c, "#order-status").await == "Paid" }).await;
    assert!(text_of(c, "#payment-declined").await.is_empty(), "the decline is behind us");
    assert_eq!(text_of(c, "#order-steps [aria-current=step]").await, "Paid");
    let steps = text_of(c, "#order-steps").await;
    assert!(steps.contains("Ready for pickup") && steps.contains("Completed"), "{steps}");
    let next = text_of(c, "#next-step-text").await;
    assert!(next.contains("getting your order ready at"), "{next}");
    b.close().await;
}

/// Staff on a phone: no admin page is wider than 360 px (wide tables scroll within themselves).
#[tokio::test]
async fn every_admin_page_fits_a_phone() {
    use storefront::domain::accounts::Role;
    let app = spawn_app().await;
    app.create_staff("admin@shop.mn", Role::Admin);
    let b = Browser::start().await;
    let c = &b.client;
    // An order to look at, placed as a guest.
    add_router(&b, &app.address).await;
    check_out_for_pickup(&b, &app.address).await;
    c.set_window_size(360, 800).await.unwrap();
    sign_in(c, &app.url("/login?lang=mn&next=/admin"), "admin@shop.mn").await;
    b.wait_for(10, "the dashboard", || async { path(c).await == "/admin" }).await;
    visit(c, &app.address, "/admin/orders").await;
    let order_id = {
        let ids = js(
            c,
            "return [...document.querySelectorAll(\"a[href^='/admin/orders/']\")].map(a => a.getAttribute('href'));",
        )
        .await;
        ids.as_array().and_then(|a| a.first()).and_then(|v| v.as_str()).map(str::to_string)
    };
    let mut pages: Vec<String> = [
        "/admin",
        "/admin/orders",
        "/admin/products",
        "/admin/products/new",
        "/admin/categories",
        "/admin/branches",
        "/admin/stock",
        "/admin/numbers",
        "/admin/campaigns",
        "/admin/campaigns/new",
        "/admin/customers",
        "/admin/jobs",
        "/admin/reports",
        "/admin/audit",
        "/admin/staff",
    ]
    .map(String::from)
    .to_vec();
    pages.push(order_id.expect("the orders list the one placed above"));
    for page in &pages {
        visit(c, &app.address, page).await;
        assert_eq!(path(c).await, page.split('?').next().unwrap(), "{page} answered");
        fits(c, &format!("{page} at 360 px"), None).await;
    }
    b.close().await;
}
