use fantoccini::{Client, Locator};

use crate::common::browser::{add_router, click, fill, path, text_of, Browser};
use crate::common::spawn_app;

/// The id of the cart's first line, as the page names its quantity field.
async fn line_id(c: &Client) -> String {
    let row = c.find(Locator::Css(".cart-line")).await.unwrap();
    row.attr("data-line").await.unwrap().unwrap()
}

/// Adds the router from its page (htmx: the badge changes in place) and goes to checkout.
async fn router_to_checkout(b: &Browser, base: &str, expected_count: &str) {
    let c = &b.client;
    add_router(b, base).await;
    b.wait_for(10, "the badge", || async { text_of(c, "#cart-link .cart-count").await == expected_count }).await;
    assert!(path(c).await.starts_with("/products/"), "htmx added without leaving the page");
    click(c, "#cart-link").await;
    b.wait_for(10, "the cart", || async { path(c).await == "/cart" }).await;
    click(c, "#to-checkout").await;
    b.wait_for(10, "the checkout", || async { path(c).await == "/checkout" }).await;
}

#[tokio::test]
async fn a_guest_buys_a_router_for_pickup_and_one_for_delivery_through_the_sandbox() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    let c = &b.client;

    // Pickup: the order waits for payment, and its page turns to paid when the provider's
    // webhook arrives, without a reload.
    router_to_checkout(&b, &app.address, "1").await;
    let pickup_list = text_of(c, "#pickup-branches").await;
    assert!(pickup_list.contains("Zaisan"), "{pickup_list}");
    assert!(!pickup_list.contains("Delivery warehouse") && !pickup_list.contains("3rd & 4th"), "{pickup_list}");
    // More routers than Zaisan holds (6): the list follows the cart without a reload.
    fill(c, &format!("qty-{}", line_id(c).await), "7").await;
    click(c, ".quantity-form button").await;
    b.wait_for(10, "the pickup list to drop Zaisan", || async {
        let list = text_of(c, "#pickup-branches").await;
        list.contains("Central branch") && !list.contains("Zaisan")
    })
    .await;
    fill(c, &format!("qty-{}", line_id(c).await), "1").await;
    click(c, ".quantity-form button").await;
    b.wait_for(10, "Zaisan back in the list", || async { text_of(c, "#pickup-branches").await.contains("Zaisan") })
        .await;
    assert_eq!(path(c).await, "/checkout");
    fill(c, "email", "guest@example.mn").await;
    click(c, "input[name=method][value=pickup]").await;
    click(c, "#pickup-branches input[name=branch_id]").await;
    click(c, "#place-order").await;
    b.wait_for(10, "the payment page", || async { path(c).await.ends_with("/pay") }).await;
    assert!(text_of(c, "#sandbox-amount").await.contains("189,000"), "pickup is free");
    let payment = path(c).await.split('/').nth(2).unwrap().to_string();
    click(c, "a[href^='/orders/']").await;
    b.wait_for(10, "the tracking page", || async { path(c).await.starts_with("/orders/") }).await;
    assert_eq!(text_of(c, "#order-status").await, "Awaiting payment");
    let (status, _) = app.simulate(&payment, "succeeded").await;
    assert_eq!(status, 200);
    b.wait_for(15, "the page to show the payment", || async { text_of(c, "#order-status").await == "Paid" }).await;
    assert!(text_of(c, "#order").await.contains("Pick up at"));

    // Delivery, paid on the sandbox's page.
    router_to_checkout(&b, &app.address, "1").await;
    fill(c, "email", "guest@example.mn").await;
    click(c, "input[name=method][value=delivery]").await;
    fill(c, "address-name", "Bat").await;
    fill(c, "address-phone", "8811 2233").await;
    fill(c, "address-city", "Ulaanbaatar").await;
    fill(c, "address-district", "Bayangol").await;
    fill(c, "address-line1", "3rd microdistrict, 45-12").await;
    click(c, "#place-order").await;
    b.wait_for(10, "the payment page", || async { path(c).await.ends_with("/pay") }).await;
    assert!(text_of(c, "#sandbox-amount").await.contains("194,000"), "with the delivery fee");
    click(c, "#approve-payment").await;
    b.wait_for(10, "back on the tracking page", || async { path(c).await.starts_with("/orders/") }).await;
    assert_eq!(text_of(c, "#order-status").await, "Paid");
    assert!(text_of(c, "#order").await.contains("Delivered to Bat"));
    assert_eq!(text_of(c, "#cart-link .cart-count").await, "0");
    b.close().await;
}
