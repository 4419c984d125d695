//! A personal code in a real browser, on a phone-sized screen: a wrong code is refused beside
//! the field, the right one takes its discount without a reload, the order is paid with it,
//! and the account then shows the code as used.
use fantoccini::Locator;
use serde_json::json;
use storefront::domain::accounts::Role;

use crate::common::browser::{click, fill, path, text_of, Browser};
use crate::common::spawn_app;

#[tokio::test]
async fn a_personal_code_is_applied_in_the_cart_paid_with_and_then_shown_as_used() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(360, 800).await.unwrap();
    c.goto(&app.url("/register?lang=en")).await.unwrap();
    fill(c, "name", "Saraa").await;
    fill(c, "email", "saraa@example.mn").await;
    fill(c, "password", crate::common::GOOD_PASSWORD).await;
    click(c, "form[action='/register'] button[type=submit]").await;
    b.wait_for(10, "signed in", || async { path(c).await != "/register" }).await;

    app.create_staff("staff@shop.mn", Role::Staff);
    let staff = app.token("staff@shop.mn", crate::common::GOOD_PASSWORD).await;
    let (_, campaign) = app
        .send("POST", "/api/v1/admin/campaigns", Some(&staff), Some(json!({"name": "Loyal",
            "discount": {"type": "percent", "value": 10}, "code_policy": "personal", "applies_to": {"kinds": ["device"]}})))
        .await;
    let id = campaign["id"].as_str().unwrap();
    let (_, made) = app
        .send(
            "POST",
            &format!("/api/v1/admin/campaigns/{id}/codes"),
            Some(&staff),
            Some(json!({"assign_to": ["saraa@example.mn"]})),
        )
        .await;
    let code = made["codes"][0]["code"].as_str().unwrap().to_string();

    c.goto(&app.url("/products/zte-mf286-4g-router?lang=en")).await.unwrap();
    click(c, "#add-button").await;
    b.wait_for(10, "the confirmation", || async { text_of(c, "#add-result").await.contains("Added to your cart") })
        .await;
    c.goto(&app.url("/cart")).await.unwrap();
    fill(c, "coupon-code", "WRONG-CODE").await;
    click(c, ".coupon-form button[type=submit]").await;
    b.wait_for(10, "the refusal at the field", || async { text_of(c, "#coupon-error").await.contains("no such code") })
        .await;
    let field = c.find(Locator::Id("coupon-code")).await.unwrap();
    assert_eq!(field.prop("value").await.unwrap().as_deref(), Some("WRONG-CODE"), "the typed code stays");
    assert_eq!(field.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    assert_eq!(path(c).await, "/cart", "no reload");

    fill(c, "coupon-code", &code.to_lowercase()).await;
    click(c, ".coupon-form button[type=submit]").await;
    b.wait_for(10, "the discount", || async { text_of(c, ".coupon-amount").await.contains("18,900") }).await;
    // With the delivery fee while no method is chosen (189,000 − 18,900 + 5,000).
    assert!(text_of(c, ".totals .total").await.contains("175,100"));
    assert!(text_of(c, ".cart-line .line-discount").await.contains("18,900"));
    let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await.unwrap();
    assert_eq!(fits, json!(true), "the cart with its code fits a 360 px screen");

    click(c, "#to-checkout").await;
    b.wait_for(10, "the checkout", || async { path(c).await == "/checkout" }).await;
    click(c, "input[name=method][value=pickup]").await;
    click(c, "#pickup-branches input[name=branch_id]").await;
    click(c, "#place-order").await;
    b.wait_for(10, "the payment page", || async { path(c).await.ends_with("/pay") }).await;
    assert!(text_of(c, "#sandbox-amount").await.contains("170,100"));
    click(c, "#approve-payment").await;
    b.wait_for(10, "the order page", || async { path(c).await.starts_with("/orders/") }).await;
    assert!(text_of(c, "#order .totals .discount").await.contains("18,900"));

    c.goto(&app.url("/account")).await.unwrap();
    let mine = text_of(c, ".my-codes").await;
    assert!(mine.contains(&code) && mine.contains("Used"), "{mine}");
    b.close().await;
}
