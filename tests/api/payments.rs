use chrono::Utc;
use serde_json::{json, Value};
use storefront::config::DEV_WEBHOOK_SECRET;
use storefront::domain::payments::webhook::sign;

use crate::common::shop::delivery;
use crate::common::{spawn_app, TestApp};

async fn placed_order(app: &TestApp) -> (String, String, String) {
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let (status, placed) = app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": delivery()})).await;
    assert_eq!(status, 201, "{placed}");
    (
        placed["order"]["id"].as_str().unwrap().to_string(),
        placed["payment"]["id"].as_str().unwrap().to_string(),
        placed["order_token"].as_str().unwrap().to_string(),
    )
}

fn event(id: &str, payment: &str, kind: &str, amount: &str) -> Vec<u8> {
    json!({"id": id, "type": kind, "data": {"payment_id": payment, "amount": amount, "currency": "MNT"}})
        .to_string()
        .into_bytes()
}

async fn post_webhook(app: &TestApp, body: &[u8], signature: &str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/payments/webhooks/sandbox"))
        .header("Content-Type", "application/json")
        .header("Sandbox-Signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_approved_payment_pays_the_order_once() {
    let app = spawn_app().await;
    let (order, payment, _) = placed_order(&app).await;
    let (status, paid) = app.simulate(&payment, "succeeded").await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("succeeded")), "{paid}");
    assert_eq!(app.order_status(&order), ("paid".into(), "paid".into()));
    // Said again, or contradicted late: nothing changes.
    assert_eq!(app.simulate(&payment, "succeeded").await.1["status"], "succeeded");
    assert_eq!(app.simulate(&payment, "failed").await.1["status"], "succeeded");
    assert_eq!(app.order_status(&order), ("paid".into(), "paid".into()));
    assert_eq!(app.count("SELECT count(*) AS n FROM order_events WHERE to_status = 'paid'"), 1);
    let (status, body) = app.simulate(&payment, "maybe").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(app.simulate(&uuid::Uuid::new_v4().to_string(), "succeeded").await.0, 404);
}

#[tokio::test]
async fn a_declined_payment_leaves_the_order_payable_again() {
    let app = spawn_app().await;
    let (order, payment, token) = placed_order(&app).await;
    let (status, failed) = app.simulate(&payment, "failed").await;
    assert_eq!((status, failed["status"].as_str()), (200, Some("failed")));
    assert_eq!(app.order_status(&order), ("pending_payment".into(), "unpaid".into()));
    assert_eq!(app.mail_jobs("payment_failed"), 1);

    let (status, again) = app.send("POST", &format!("/api/v1/orders/{order}/payments?token={token}"), None, None).await;
    assert_eq!(status, 201, "{again}");
    assert_ne!(again["id"].as_str(), Some(payment.as_str()));
    assert_eq!(again["status"], "pending");
    // Asking twice gives the same waiting attempt.
    let (_, same) = app.send("POST", &format!("/api/v1/orders/{order}/payments?token={token}"), None, None).await;
    assert_eq!(same["id"], again["id"]);
    app.simulate(again["id"].as_str().unwrap(), "succeeded").await;
    assert_eq!(app.order_status(&order), ("paid".into(), "paid".into()));
    let (status, body) = app.send("POST", &format!("/api/v1/orders/{order}/payments?token={token}"), None, None).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("not_payable")));
}

#[tokio::test]
async fn forged_altered_stale_or_wrong_amount_webhooks_change_nothing() {
    let app = spawn_app().await;
    let (order, payment, _) = placed_order(&app).await;
    let secret = DEV_WEBHOOK_SECRET.as_bytes();
    let now = Utc::now().timestamp();
    let body = event("evt_1", &payment, "payment.succeeded", "194000.00");

    // Junk is refused before a database connection is taken: a flood cannot starve the pool.
    let taken = app.db.connections_taken();
    let forged = sign(b"guessed-secret", now, &body);
    assert_eq!(post_webhook(&app, &body, &forged).await.1["code"], "signature_invalid");
    let signed = sign(secret, now, &body);
    let altered = event("evt_1", &payment, "payment.succeeded", "1.00");
    assert_eq!(post_webhook(&app, &altered, &signed).await.0, 400);
    let stale = sign(secret, now - 301, &body);
    let (status, answer) = post_webhook(&app, &body, &stale).await;
    assert_eq!((status, answer["code"].as_str()), (400, Some("webhook_stale")));
    let no_header =
        app.client.post(app.url("/api/v1/payments/webhooks/sandbox")).body(body.clone()).send().await.unwrap();
    assert_eq!(no_header.status(), 400);
    assert_eq!(app.db.connections_taken(), taken, "junk webhooks took database connections");
    // Correctly signed, but for another amount than the payment's.
    let cheap = event("evt_2", &payment, "payment.succeeded", "1.00");
    let (status, answer) = post_webhook(&app, &cheap, &sign(secret, now, &cheap)).await;
    assert_eq!((status, answer["code"].as_str()), (422, Some("amount_mismatch")));
    assert_eq!(app.order_status(&order), ("pending_payment".into(), "unpaid".into()));
    assert_eq!(app.count("SELECT count(*) AS n FROM payment_events"), 0);

    // The genuine event pays; replaying it changes nothing twice.
    let (status, answer) = post_webhook(&app, &body, &signed).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("succeeded")), "{answer}");
    let (status, _) = post_webhook(&app, &body, &signed).await;
    assert_eq!(status, 200);
    assert_eq!(app.order_status(&order), ("paid".into(), "paid".into()));
    assert_eq!(app.count("SELECT count(*) AS n FROM order_events WHERE to_status = 'paid'"), 1);
    // An out-of-order decline arriving after the success is acknowledged and ignored.
    let late = event("evt_3", &payment, "payment.failed", "194000.00");
    assert_eq!(post_webhook(&app, &late, &sign(secret, now, &late)).await.1["status"], "succeeded");
    assert_eq!(app.mail_jobs("payment_failed"), 0);
}

#[tokio::test]
async fn unpaid_orders_cancel_and_release_paid_ones_do_not() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let warehouse = app.branch_id("warehouse");
    let before = app.stock(router, warehouse);
    let (order, payment, token) = placed_order(&app).await;
    assert_eq!(app.stock(router, warehouse), before - 1);
    assert_eq!(app.send("POST", &format!("/api/v1/orders/{order}/cancel"), None, None).await.0, 401);
    assert_eq!(app.send("POST", &format!("/api/v1/orders/{order}/cancel?token=nope"), None, None).await.0, 404);
    let (status, cancelled) =
        app.send("POST", &format!("/api/v1/orders/{order}/cancel?token={token}"), None, None).await;
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("cancelled")), "{cancelled}");
    assert_eq!(app.stock(router, warehouse), before);
    let (status, body) = app.send("POST", &format!("/api/v1/orders/{order}/cancel?token={token}"), None, None).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("illegal_transition")));
    assert_eq!(app.stock(router, warehouse), before, "released once");
    // Money arriving for a cancelled order goes straight back.
    let (_, late) = app.simulate(&payment, "succeeded").await;
    assert_eq!(late["status"], "refunded");
    assert_eq!(app.order_status(&order), ("cancelled".into(), "unpaid".into()));

    let (paid_order, paid_payment, paid_token) = placed_order(&app).await;
    app.simulate(&paid_payment, "succeeded").await;
    let (status, body) =
        app.send("POST", &format!("/api/v1/orders/{paid_order}/cancel?token={paid_token}"), None, None).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("illegal_transition")));
    assert_eq!(app.stock(router, warehouse), before - 1);
}

#[tokio::test]
async fn orders_left_unpaid_expire_and_give_their_stock_back() {
    let app = crate::common::spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let router = app.product_id("zte-mf286-4g-router");
    let warehouse = app.branch_id("warehouse");
    let before = app.stock(router, warehouse);
    let (order, payment, _) = placed_order(&app).await;
    let (fresh, _, _) = placed_order(&app).await;
    assert_eq!(app.stock(router, warehouse), before - 2);
    app.sql(&format!("UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = '{order}'"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.order_status(&order).0 != "cancelled" {
        assert!(std::time::Instant::now() < deadline, "the order did not expire");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.stock(router, warehouse), before - 1);
    assert_eq!(app.order_status(&fresh).0, "pending_payment");
    let note = app.count(&format!(
        "SELECT count(*) AS n FROM order_events WHERE order_id = '{order}' AND actor = 'system' AND note = 'expired'"
    ));
    assert_eq!(note, 1);
    let (_, late) = app.simulate(&payment, "succeeded").await;
    assert_eq!(late["status"], "refunded");
}

#[tokio::test]
async fn the_shopper_is_mailed_the_order_and_a_declined_payment_with_the_tracking_link() {
    let smtp = crate::common::smtp::SmtpServer::start().await;
    let app = crate::common::spawn_with(true, &[("SMTP_URL", &smtp.url())]).await;
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/carts/{cart}/checkout")))
        .header("Idempotency-Key", "mail-1")
        .header("Accept-Language", "en")
        .json(&json!({"email": "dulmaa@example.mn", "fulfillment": delivery()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let placed: Value = res.json().await.unwrap();
    let (order, number) = (placed["order"]["id"].as_str().unwrap(), placed["order"]["number"].as_str().unwrap());
    let token = placed["order_token"].as_str().unwrap();
    let confirmation = smtp.wait_for_subject("dulmaa@example.mn", "received", 10).await;
    assert!(confirmation.subject().contains(number));
    let text = confirmation.text();
    assert!(text.contains("ZTE MF286 4G router") && text.contains("₮194,000"), "{text}");
    assert!(text.contains("10% VAT: ₮17,636.36"), "{text}");

    app.simulate(placed["payment"]["id"].as_str().unwrap(), "failed").await;
    let declined = smtp.wait_for_subject("dulmaa@example.mn", "did not go through", 10).await;
    // Each mail carries a link of its own to this order, and every link handed out works.
    let mut secrets = vec![token.to_string()];
    for mail in [&confirmation, &declined] {
        let link = mail.link_path("/orders/").expect("a tracking link");
        assert!(link.starts_with(&format!("/orders/{order}?token=")), "{link}");
        let (status, page) = app.get_text(&link).await;
        assert!(status == 200 && page.contains(number), "{link}: {status}");
        secrets.push(link.rsplit('=').next().unwrap().to_string());
    }
    assert_eq!(secrets.iter().collect::<std::collections::HashSet<_>>().len(), 3, "{secrets:?}");
    // No secret is kept in clear: not with the order, its answer, nor in the queue.
    for secret in &secrets {
        let found = app.count(&format!(
            "SELECT (SELECT count(*) FROM orders o WHERE o::text LIKE '%{secret}%') \
                  + (SELECT count(*) FROM idempotency_keys k WHERE k::text LIKE '%{secret}%') \
                  + (SELECT count(*) FROM jobs j WHERE j::text LIKE '%{secret}%') AS n"
        ));
        assert_eq!(found, 0, "a tracking secret stored in clear");
    }
    assert_eq!(app.get_text(&format!("/orders/{order}?token={}x", &token[1..])).await.0, 404);
}

/// The clock is one of the services a test may fix: moved past an order's time to pay, the job
/// runner expires it, without touching the database behind the shop's back.
#[tokio::test]
async fn with_the_clock_moved_past_its_deadline_an_unpaid_order_expires() {
    use std::sync::Arc;
    use storefront::domain::shared::FixedClock;
    use storefront::services::Services;
    let clock = Arc::new(FixedClock::at(chrono::Utc::now()));
    let fixed = Arc::clone(&clock);
    let app = crate::common::spawn_with_services(true, &[("JOB_RUNNER", "on")], move |config| {
        Ok(Services { clock: fixed, ..Services::from_config(config)? })
    })
    .await;
    let (order, _, _) = placed_order(&app).await;
    assert_eq!(app.order_status(&order).0, "pending_payment");
    clock.advance(chrono::Duration::minutes(31));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.order_status(&order).0 != "cancelled" {
        assert!(std::time::Instant::now() < deadline, "the order did not expire");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
