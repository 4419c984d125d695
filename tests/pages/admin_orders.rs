use serde_json::json;
use storefront::domain::accounts::Role;

use crate::common::shop::{delivery, pickup};
use crate::common::{between, cookie_client, csrf_in, spawn_app, TestApp};

async fn placed(app: &TestApp, fulfillment: serde_json::Value, pay: bool) -> String {
    placed_with_link(app, fulfillment, pay).await.0
}

/// A guest's order and the secret of its link, as the shopper's mail carries it.
async fn placed_with_link(app: &TestApp, fulfillment: serde_json::Value, pay: bool) -> (String, String) {
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let (_, placed) = app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": fulfillment})).await;
    if pay {
        app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    }
    (placed["order"]["id"].as_str().unwrap().to_string(), placed["order_token"].as_str().unwrap().to_string())
}

async fn text(client: &reqwest::Client, url: String) -> (u16, String) {
    let res = client.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn staff_move_orders_along_and_refund_them_from_the_admin_pages() {
    let app = spawn_app().await;
    let delivered = placed(&app, delivery(), true).await;
    let (collected, link) = placed_with_link(&app, pickup(app.branch_id("zaisan")), true).await;
    let unpaid = placed(&app, delivery(), false).await;

    // Only staff: guests sign in first, customers are refused.
    let guest = cookie_client();
    assert_eq!(guest.get(app.url("/admin/orders")).send().await.unwrap().status(), 303);
    let customer = cookie_client();
    app.register_in_browser(&customer, "bat@example.mn").await;
    assert_eq!(customer.get(app.url(&format!("/admin/orders/{delivered}"))).send().await.unwrap().status(), 403);

    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = cookie_client();
    assert_eq!(app.sign_in_browser(&staff, "saraa@shop.mn").await.status(), 303);
    let (status, list) = text(&staff, app.url("/admin/orders?lang=en")).await;
    assert_eq!(status, 200);
    assert!(list.contains("3 orders") && list.contains("Awaiting payment"), "{list}");
    let (_, paid_only) = text(&staff, app.url("/admin/orders?status=paid&lang=en")).await;
    assert!(paid_only.contains("2 orders"));

    // A delivery offers shipping (with a tracking number) but no pickup moves.
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{delivered}?lang=en"))).await;
    assert!(page.contains(r#"id="action-shipped""#) && !page.contains(r#"id="action-ready_for_pickup""#));
    assert!(!page.contains(r#"id="action-cancelled""#), "a paid order is not cancelled");
    let csrf = csrf_in(&page);
    let res = staff
        .post(app.url(&format!("/admin/orders/{delivered}/transition")))
        .form(&[("_csrf", csrf.as_str()), ("to", "shipped"), ("tracking", "MN-778899")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{delivered}?lang=en"))).await;
    assert!(page.contains(r#"id="order-status">Shipped<"#) && page.contains("MN-778899"), "{page}");
    // A move the order cannot make (from a stale page) is refused with the problem's page, its
    // status a 409, and nothing changes.
    let refused = staff
        .post(app.url(&format!("/admin/orders/{delivered}/transition?lang=en")))
        .form(&[("_csrf", csrf.as_str()), ("to", "ready_for_pickup")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("can no longer be done"));
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{delivered}?lang=en"))).await;
    assert!(page.contains(r#"id="order-status">Shipped<"#));

    // A pickup: ready, then handed over once the shopper tells the code their page (and mail) shows.
    let hand_over = |to: &'static str, code: String| {
        staff
            .post(app.url(&format!("/admin/orders/{collected}/transition?lang=en")))
            .form(&[("_csrf", csrf.clone()), ("to", to.to_string()), ("pickup_code", code)])
            .send()
    };
    let (_, shopper) = text(&cookie_client(), app.url(&format!("/orders/{collected}?token={link}&lang=en"))).await;
    assert!(!shopper.contains("pickup-code"), "no code before the order waits at the counter");
    hand_over("ready_for_pickup", String::new()).await.unwrap();
    let (_, shopper) = text(&cookie_client(), app.url(&format!("/orders/{collected}?token={link}&lang=en"))).await;
    let code = between(&shopper, r#"id="pickup-code">"#, "<").to_string();
    assert_eq!(code.len(), 7, "six digits, spaced: {code}");
    for wrong in ["", "000 000"] {
        let wrong = if wrong.is_empty() || code != wrong { wrong.to_string() } else { "111 111".to_string() };
        assert_eq!(hand_over("picked_up", wrong).await.unwrap().status(), 303);
        assert_eq!(app.order_status(&collected).0, "ready_for_pickup", "not without the code");
    }
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{collected}?lang=en"))).await;
    assert!(page.contains("Not handed over"), "told why");
    assert_eq!(hand_over("picked_up", code.replace(' ', "")).await.unwrap().status(), 303);
    assert_eq!(app.order_status(&collected).0, "completed");

    // A partial refund, then the rest; the form's key makes a resubmission harmless.
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{delivered}?lang=en"))).await;
    let key = {
        let marker = r#"name="key" value=""#;
        let s = page.find(marker).unwrap() + marker.len();
        page[s..s + 36].to_string()
    };
    let form = [("_csrf", csrf.as_str()), ("key", key.as_str()), ("amount", "4000"), ("reason", "late")];
    for _ in 0..2 {
        let res = staff.post(app.url(&format!("/admin/orders/{delivered}/refund"))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
    }
    assert_eq!(app.order_status(&delivered), ("shipped".into(), "partially_refunded".into()));
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{delivered}?lang=en"))).await;
    assert!(page.contains("₮4,000"), "one refund of ₮4,000, not two");
    let res = staff
        .post(app.url(&format!("/admin/orders/{delivered}/refund")))
        .form(&[("_csrf", csrf.as_str()), ("key", "second"), ("reason", "lost")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.order_status(&delivered), ("refunded".into(), "refunded".into()));

    // An unpaid order can be cancelled by staff.
    staff
        .post(app.url(&format!("/admin/orders/{unpaid}/transition")))
        .form(&[("_csrf", csrf.as_str()), ("to", "cancelled")])
        .send()
        .await
        .unwrap();
    assert_eq!(app.order_status(&unpaid).0, "cancelled");
}

#[tokio::test]
async fn the_order_page_shows_how_the_operator_is_doing_with_each_line() {
    let app = spawn_app().await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    let router = json!({"product_id": app.product_id("zte-mf286-4g-router")});
    let cart = app.cart_with(None, &[top_up, router]).await;
    let (_, placed) =
        app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": pickup(app.branch_id("zaisan"))})).await;
    let order = placed["order"]["id"].as_str().unwrap().to_string();
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = cookie_client();
    app.sign_in_browser(&staff, "saraa@shop.mn").await;
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{order}?lang=en"))).await;
    assert!(!page.contains("data-operator"), "nothing asked of the operator before payment");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{order}?lang=en"))).await;
    assert_eq!(page.matches("data-operator=").count(), 1, "the top-up's line only, not the router's: {page}");
    assert!(page.contains(r#"data-operator="pending">Operator: waiting"#), "{page}");
    app.sql("UPDATE jobs SET status = 'dead', attempts = 8, last_error = 'operator refused: barred' WHERE kind = 'fulfil_item'");
    let (_, page) = text(&staff, app.url(&format!("/admin/orders/{order}?lang=en"))).await;
    assert!(page.contains("stopped trying · tried 8 times") && page.contains("operator refused: barred"), "{page}");
}
