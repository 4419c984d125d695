use serde_json::{json, Value};
use storefront::domain::accounts::Role;

use crate::common::shop::{delivery, pickup, Call};
use crate::common::smtp::SmtpServer;
use crate::common::{spawn_app, spawn_with, TestApp};

async fn staff(app: &TestApp) -> String {
    app.create_staff("staff@shop.mn", Role::Staff);
    app.token("staff@shop.mn", crate::common::GOOD_PASSWORD).await
}

async fn paid_order(app: &TestApp, email: &str, fulfillment: Value) -> String {
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let (status, placed) = app.checkout(&cart, None, json!({"email": email, "fulfillment": fulfillment})).await;
    assert_eq!(status, 201, "{placed}");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    placed["order"]["id"].as_str().unwrap().to_string()
}

async fn transition(app: &TestApp, token: &str, order: &str, body: Value) -> (u16, Value) {
    app.send("POST", &format!("/api/v1/admin/orders/{order}/transition"), Some(token), Some(body)).await
}

async fn refund(app: &TestApp, token: &str, order: &str, key: &str, body: Value) -> (u16, Value) {
    app.call(Call {
        method: reqwest::Method::POST,
        path: format!("/api/v1/admin/orders/{order}/refund"),
        token: Some(token),
        body: Some(body),
        key: Some(key.into()),
    })
    .await
}

#[tokio::test]
async fn staff_ship_deliveries_and_hand_over_pickups_and_the_shopper_is_mailed() {
    let smtp = SmtpServer::start().await;
    let app = spawn_with(true, &[("SMTP_URL", &smtp.url())]).await;
    let token = staff(&app).await;
    let delivered = paid_order(&app, "dorj@example.mn", delivery()).await;
    let confirmation = smtp.wait_for_subject("dorj@example.mn", "хүлээн авлаа", 10).await;
    let link = confirmation.link_path("/orders/").expect("a tracking link");
    assert!(link.starts_with(&format!("/orders/{delivered}?token=")), "{link}");

    // A delivery cannot be made ready for pickup, nor handed over at a counter.
    for to in ["ready_for_pickup", "picked_up"] {
        let (status, body) = transition(&app, &token, &delivered, json!({"to": to})).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("illegal_transition")), "{to}");
    }
    let (status, body) = transition(&app, &token, &delivered, json!({"to": "teleported"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, shipped) =
        transition(&app, &token, &delivered, json!({"to": "shipped", "tracking": "MN123456"})).await;
    assert_eq!((status, shipped["status"].as_str()), (200, Some("shipped")), "{shipped}");
    assert_eq!(shipped["fulfillment"]["tracking_number"], "MN123456");
    assert_eq!(shipped["items"][0]["fulfillment_status"], "in_progress");
    let mail = smtp.wait_for_subject("dorj@example.mn", "замдаа гарлаа", 10).await;
    assert!(mail.text().contains("MN123456"));
    let (status, _) = transition(&app, &token, &delivered, json!({"to": "cancelled"})).await;
    assert_eq!(status, 409, "a paid order is not cancelled");
    let (_, done) = transition(&app, &token, &delivered, json!({"to": "completed"})).await;
    assert_eq!(done["status"], "completed");
    let timeline: Vec<&str> =
        done["timeline"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(timeline, ["pending_payment", "paid", "shipped", "completed"]);
    assert_eq!(done["timeline"][2]["actor"], "staff");

    let zaisan = app.branch_id("zaisan");
    let collected = paid_order(&app, "saraa@example.mn", pickup(zaisan)).await;
    assert_eq!(transition(&app, &token, &collected, json!({"to": "shipped"})).await.0, 409);
    assert_eq!(transition(&app, &token, &collected, json!({"to": "picked_up"})).await.0, 409);
    assert_eq!(transition(&app, &token, &collected, json!({"to": "completed"})).await.0, 409, "not before it is ready");
    let (_, ready) = transition(&app, &token, &collected, json!({"to": "ready_for_pickup"})).await;
    assert_eq!(ready["status"], "ready_for_pickup");
    let mail = smtp.wait_for_subject("saraa@example.mn", "авахад бэлэн", 10).await;
    assert!(mail.text().contains("Зайсан"), "{}", mail.text());
    let code = mail.text().split("Таны авах код: ").nth(1).map(|r| r.chars().take(7).collect::<String>()).unwrap();
    // A code given with the hand-over (an extension) is checked; the contract's call needs none.
    let wrong = if code == "000 000" { "000 001" } else { "000 000" };
    let (status, problem) =
        transition(&app, &token, &collected, json!({"to": "picked_up", "pickup_code": wrong})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["error_codes"]["pickup_code"][0]["code"], "pickup_code");
    let (_, picked) = transition(&app, &token, &collected, json!({"to": "picked_up", "pickup_code": code})).await;
    assert_eq!(
        (picked["status"].as_str(), picked["items"][0]["fulfillment_status"].as_str()),
        (Some("completed"), Some("done"))
    );

    // Customers cannot reach any of it; an unknown order is 404.
    let customer = app.customer_token("bat@example.mn").await;
    assert_eq!(transition(&app, &customer, &collected, json!({"to": "completed"})).await.0, 403);
    assert_eq!(transition(&app, &token, &uuid::Uuid::new_v4().to_string(), json!({"to": "completed"})).await.0, 404);
    let (status, list) = app.send("GET", "/api/v1/admin/orders?status=completed", Some(&token), None).await;
    assert_eq!((status, list["total"].as_i64()), (200, Some(2)));
    assert_eq!(app.send("GET", "/api/v1/admin/orders?status=lost", Some(&token), None).await.0, 422);
}

#[tokio::test]
async fn refunds_are_idempotent_and_put_unshipped_goods_back() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let router = app.product_id("zte-mf286-4g-router");
    let warehouse = app.branch_id("warehouse");
    let before = app.stock(router, warehouse);
    let order = paid_order(&app, "a@b.mn", delivery()).await;
    assert_eq!(app.stock(router, warehouse), before - 1);

    let res = app
        .client
        .post(app.url(&format!("/api/v1/admin/orders/{order}/refund")))
        .bearer_auth(&token)
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "Idempotency-Key is required");
    assert_eq!(refund(&app, &token, &order, "r0", json!({"amount": "10"})).await.0, 422);
    let (status, body) = refund(&app, &token, &order, "r1", json!({"amount": "999999", "reason": "too much"})).await;
    assert_eq!(status, 422, "{body}");

    let (status, partial) =
        refund(&app, &token, &order, "r2", json!({"amount": 4000, "reason": "late delivery"})).await;
    assert_eq!(status, 200, "{partial}");
    assert_eq!(
        (partial["status"].as_str(), partial["payment_status"].as_str()),
        (Some("paid"), Some("partially_refunded"))
    );
    assert_eq!(partial["refunded_total"]["amount"], "4000.00");
    // The same key and body: the first answer, not a second refund.
    assert_eq!(
        refund(&app, &token, &order, "r2", json!({"amount": 4000, "reason": "late delivery"})).await,
        (200, partial.clone())
    );
    assert_eq!(refund(&app, &token, &order, "r2", json!({"amount": 5000, "reason": "late delivery"})).await.0, 422);

    let (status, full) = refund(&app, &token, &order, "r3", json!({"reason": "customer changed their mind"})).await;
    assert_eq!(status, 200, "{full}");
    assert_eq!((full["status"].as_str(), full["payment_status"].as_str()), (Some("refunded"), Some("refunded")));
    assert_eq!(full["refunded_total"]["amount"], "194000.00");
    assert_eq!(app.stock(router, warehouse), before, "the router never left: back on the shelf");
    let (status, body) = refund(&app, &token, &order, "r4", json!({"reason": "again"})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("not_refundable")));

    // Shipped goods are not put back by a refund.
    let shipped = paid_order(&app, "c@d.mn", delivery()).await;
    transition(&app, &token, &shipped, json!({"to": "shipped"})).await;
    let (status, _) = refund(&app, &token, &shipped, "r5", json!({"reason": "lost in transit"})).await;
    assert_eq!(status, 200);
    assert_eq!(app.stock(router, warehouse), before - 1);
    // An unpaid order has nothing to refund.
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let (_, placed) = app.checkout(&cart, None, json!({"email": "e@f.mn", "fulfillment": delivery()})).await;
    let unpaid = placed["order"]["id"].as_str().unwrap();
    assert_eq!(refund(&app, &token, unpaid, "r6", json!({"reason": "x"})).await.0, 409);
}

async fn wait_for(app: &TestApp, query: &str, expected: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let n = app.count(query);
        if n == expected {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{query}: {n}, expected {expected}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Refunds move money through the provider, not only rows: each is a job queued with the
/// refund that the provider pays out once (the sandbox records its payouts), staff refunds and
/// the automatic refund of a payment that came too late alike.
#[tokio::test]
async fn refunds_are_paid_out_by_the_provider_once_each() {
    let app = crate::common::spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let token = staff(&app).await;
    let order = paid_order(&app, "a@b.mn", delivery()).await;
    assert_eq!(refund(&app, &token, &order, "p1", json!({"amount": 4000, "reason": "late"})).await.0, 200);
    assert_eq!(refund(&app, &token, &order, "p1", json!({"amount": 4000, "reason": "late"})).await.0, 200);
    assert_eq!(refund(&app, &token, &order, "p2", json!({"reason": "the rest"})).await.0, 200);
    wait_for(&app, "SELECT count(*) AS n FROM jobs WHERE kind = 'provider_refund' AND status = 'done'", 2).await;
    assert_eq!(app.count("SELECT sum(amount)::bigint AS n FROM sandbox_refunds"), 194_000);
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_refunds"), 2, "once per refund, the replay none");

    // A payment that succeeds after its order was cancelled goes straight back.
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let (_, placed) = app.checkout(&cart, None, json!({"email": "c@d.mn", "fulfillment": delivery()})).await;
    let (id, secret) = (placed["order"]["id"].as_str().unwrap(), placed["order_token"].as_str().unwrap());
    let path = format!("/api/v1/orders/{id}/cancel?token={secret}");
    assert_eq!(app.send("POST", &path, None, None).await.0, 200);
    let (_, late) = app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    assert_eq!(late["status"], "refunded");
    wait_for(&app, "SELECT count(*) AS n FROM sandbox_refunds WHERE amount = 194000", 1).await;
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_refunds"), 3);
}

#[tokio::test]
async fn staff_find_orders_by_number_email_phone_method_branch_and_day() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let zaisan = app.branch_id("zaisan");
    let delivered = paid_order(&app, "Dorj.Bat@example.mn", delivery()).await;
    let collected = paid_order(&app, "saraa@example.mn", pickup(zaisan)).await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    let cart = app.cart_with(None, &[top_up]).await;
    let (_, digital) = app.checkout(&cart, None, json!({"email": "nomin@example.mn"})).await;
    let digital = digital["order"]["id"].as_str().unwrap().to_string();
    let list = |q: String| {
        let app = &app;
        let token = token.clone();
        async move {
            let (status, page) = app.get_json_as(&format!("/api/v1/admin/orders?{q}"), &token).await;
            assert_eq!(status, 200, "{q}: {page}");
            page["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    let (_, order) = app.get_json_as(&format!("/api/v1/admin/orders/{collected}"), &token).await;
    let number = order["number"].as_str().unwrap().to_string();
    assert_eq!(list(format!("q={number}")).await, std::slice::from_ref(&collected));
    let digits = number.trim_start_matches("TS-").trim_start_matches('0').to_string();
    assert_eq!(list(format!("q={digits}")).await, std::slice::from_ref(&collected), "the number's digits alone");
    assert_eq!(list("q=dorj.BAT@".into()).await, std::slice::from_ref(&delivered), "the start of the email, any case");
    assert_eq!(
        list("q=8811%202233".into()).await,
        std::slice::from_ref(&delivered),
        "the delivery phone, however typed"
    );
    assert_eq!(list("q=50%25".into()).await, Vec::<String>::new(), "LIKE's signs are plain text");
    assert_eq!(list("method=pickup".into()).await, std::slice::from_ref(&collected));
    assert_eq!(list("method=none".into()).await, std::slice::from_ref(&digital));
    assert_eq!(list(format!("branch_id={zaisan}")).await, std::slice::from_ref(&collected));
    assert_eq!(list("from=2020-01-01&to=2020-12-31".into()).await, Vec::<String>::new());
    assert_eq!(list("from=2020-01-01".into()).await.len(), 3);
    let (status, bad) = app.get_json_as("/api/v1/admin/orders?method=drone&from=yesterday", &token).await;
    assert_eq!(status, 422);
    assert!(bad["errors"]["method"].is_array() && bad["errors"]["from"].is_array(), "{bad}");
}
