use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::shop::{delivery, pickup, Call};
use crate::common::{spawn_app, spawn_with};

#[tokio::test]
async fn a_guest_buys_a_router_for_delivery_from_the_warehouse() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let warehouse = app.branch_id("warehouse");
    let before = app.stock(router, warehouse);
    let cart = app.cart_with(None, &[json!({"product_id": router, "quantity": 1})]).await;
    let (status, placed) =
        app.checkout(&cart, None, json!({"email": "Guest@Example.mn", "fulfillment": delivery()})).await;
    assert_eq!(status, 201, "{placed}");
    let order = &placed["order"];
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["payment_status"], "unpaid");
    assert!(order["number"].as_str().unwrap().starts_with("TS-"), "{order}");
    assert_eq!(order["email"], "guest@example.mn");
    assert_eq!(order["totals"]["shipping"]["amount"], "5000.00");
    assert_eq!(order["totals"]["total"]["amount"], "194000.00");
    assert_eq!(order["fulfillment"]["method"], "delivery");
    assert_eq!(order["fulfillment"]["address"]["phone"], "88112233");
    assert_eq!(order["fulfillment"]["branch_id"], json!(warehouse));
    assert_eq!(order["items"][0]["fulfillment_status"], "pending");
    let payment = &placed["payment"];
    assert_eq!((payment["status"].as_str(), payment["provider"].as_str()), (Some("pending"), Some("sandbox")));
    assert_eq!(payment["amount"]["amount"], "194000.00");
    assert!(payment["redirect_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/payments/{}/pay", payment["id"].as_str().unwrap())));
    let token = placed["order_token"].as_str().unwrap();
    // The redirect leads to the sandbox's hosted page on this very server.
    let hosted = app.client.get(payment["redirect_url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(hosted.status(), 200);
    assert!(hosted.text().await.unwrap().contains("₮194,000"));

    // Reserved at once, at the warehouse.
    assert_eq!(app.stock(router, warehouse), before - 1);
    assert_eq!(app.mail_jobs("order_confirmation"), 1);
    // The cart became the order: it no longer changes, and a second checkout is refused.
    let (status, body) =
        app.send("POST", &format!("/api/v1/carts/{cart}/items"), None, Some(json!({"product_id": router}))).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("cart_closed")));
    let (status, _) = app.checkout(&cart, None, json!({"email": "guest@example.mn", "fulfillment": delivery()})).await;
    assert_eq!(status, 409);

    // The guest follows it with the token; nobody else sees it.
    let id = order["id"].as_str().unwrap();
    let (status, tracked) = app.send("GET", &format!("/api/v1/orders/{id}?token={token}"), None, None).await;
    assert_eq!(status, 200);
    assert_eq!(tracked["timeline"][0]["status"], "pending_payment");
    assert_eq!(app.send("GET", &format!("/api/v1/orders/{id}?token=wrong"), None, None).await.0, 404);
    assert_eq!(app.send("GET", &format!("/api/v1/orders/{id}"), None, None).await.0, 401);
    let stranger = app.customer_token("stranger@example.mn").await;
    assert_eq!(app.send("GET", &format!("/api/v1/orders/{id}"), Some(&stranger), None).await.0, 404);
}

#[tokio::test]
async fn pickup_is_only_at_a_branch_holding_every_device_line() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let pocket = app.product_id("tp-link-m7350-pocket-wifi");
    // ZTE: central 12, zaisan 6, 3-4 0. TP-Link: central 0, zaisan 3, 3-4 2.
    let (central, zaisan) = (app.branch_id("central"), app.branch_id("zaisan"));
    let customer = app.customer_token("bat@example.mn").await;
    let items = [json!({"product_id": router, "quantity": 2}), json!({"product_id": pocket})];
    let cart = app.cart_with(Some(&customer), &items).await;
    let (status, body) = app.checkout(&cart, Some(&customer), json!({"fulfillment": pickup(central)})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("out_of_stock")), "{body}");
    // Nothing was taken by the refused attempt.
    assert_eq!(app.stock(router, central), 12);
    let warehouse = app.branch_id("warehouse");
    let (status, body) = app.checkout(&cart, Some(&customer), json!({"fulfillment": pickup(warehouse)})).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["fulfillment.branch_id"].is_array());

    let (status, placed) = app.checkout(&cart, Some(&customer), json!({"fulfillment": pickup(zaisan)})).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["order"]["totals"]["shipping"]["amount"], "0.00");
    assert_eq!(placed["order"]["fulfillment"]["branch_name"], "Зайсан салбар");
    assert!(placed.get("order_token").is_none(), "customers follow their orders signed in");
    assert_eq!((app.stock(router, zaisan), app.stock(pocket, zaisan)), (4, 2));
    let (status, mine) = app.send("GET", "/api/v1/orders", Some(&customer), None).await;
    assert_eq!((status, mine["total"].as_i64()), (200, Some(1)));
    assert_eq!(mine["items"][0]["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn checkout_says_what_is_missing_field_by_field() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let path = format!("/api/v1/carts/{cart}/checkout");

    let res = app.client.post(app.url(&path)).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 400, "no Idempotency-Key");
    let res = app
        .client
        .post(app.url(&path))
        .header("Idempotency-Key", "k1")
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    let cases: [(Value, &str); 6] = [
        (json!({"fulfillment": delivery()}), "email"),
        (json!({"email": "not-an-email", "fulfillment": delivery()}), "email"),
        (json!({"email": "a@b.mn"}), "fulfillment.method"),
        (json!({"email": "a@b.mn", "fulfillment": {"method": "drone"}}), "fulfillment.method"),
        (
            json!({"email": "a@b.mn", "fulfillment": {"method": "delivery", "address": {"name": "Bat"}}}),
            "fulfillment.address.phone",
        ),
        (json!({"email": "a@b.mn", "fulfillment": {"method": "pickup", "branch_id": "x"}}), "fulfillment.branch_id"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.checkout(&cart, None, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(answer["errors"][field].is_array(), "{body}: {answer}");
    }
    let empty = app.cart_with(None, &[]).await;
    let (status, answer) = app.checkout(&empty, None, json!({"email": "a@b.mn"})).await;
    assert_eq!(status, 422);
    assert!(answer["errors"]["cart"].is_array());
    assert_eq!(app.checkout(&Uuid::new_v4().to_string(), None, json!({})).await.0, 404);
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 0);
}

#[tokio::test]
async fn a_cart_without_goods_skips_delivery_and_pickup() {
    let app = spawn_app().await;
    let top_up = app.product_id("top-up-5000");
    let cart = app.cart_with(None, &[json!({"product_id": top_up, "msisdn": "88112233"})]).await;
    // Fulfilment is ignored when nothing needs shipping, even a nonsensical one.
    let (status, placed) =
        app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": {"method": "drone"}})).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["order"]["fulfillment"], Value::Null);
    assert_eq!(placed["order"]["totals"]["total"]["amount"], "5000.00");
    assert_eq!(placed["order"]["items"][0]["msisdn"], "88112233");
}

#[tokio::test]
async fn a_shoppers_writes_have_their_own_connections_and_never_wait_behind_reads() {
    let app = spawn_with(true, &[("DB_WRITE_POOL_SIZE", "2")]).await;
    let top_up = app.product_id("top-up-5000");
    // Every connection readers have (four in tests) is busy...
    let busy: Vec<_> = (0..4).map(|_| app.db.get().expect("a reader's connection")).collect();
    // ...and a cart is still made, filled and checked out, without waiting the pool's 5 s out.
    let started = std::time::Instant::now();
    let cart = app.cart_with(None, &[json!({"product_id": top_up, "msisdn": "88112233"})]).await;
    let (status, placed) = app.checkout(&cart, None, json!({"email": "a@b.mn"})).await;
    assert_eq!(status, 201, "{placed}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "{:?}", started.elapsed());
    drop(busy);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let path = format!("/api/v1/carts/{cart}/checkout");
    let body = json!({"email": "a@b.mn", "fulfillment": delivery()});
    let call = |body: Value, key: &str| Call {
        method: reqwest::Method::POST,
        path: path.clone(),
        token: None,
        body: Some(body),
        key: Some(key.to_string()),
    };
    // Two at once with one key: one order.
    let (a, b) = tokio::join!(app.call(call(body.clone(), "same-key")), app.call(call(body.clone(), "same-key")));
    assert_eq!((a.0, b.0), (201, 201), "{} {}", a.1, b.1);
    assert_eq!(a.1, b.1);
    let (status, again) = app.call(call(body.clone(), "same-key")).await;
    assert_eq!((status, &again), (201, &a.1));
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);

    let (status, other) = app.call(call(json!({"email": "other@b.mn", "fulfillment": delivery()}), "same-key")).await;
    assert_eq!(status, 422, "{other}");
    assert!(other["errors"]["Idempotency-Key"].is_array());

    // A refusal is an answer too: replayed, not recomputed.
    let empty = app.cart_with(None, &[]).await;
    let refused = Call {
        method: reqwest::Method::POST,
        path: format!("/api/v1/carts/{empty}/checkout"),
        token: None,
        body: Some(json!({"email": "a@b.mn"})),
        key: Some("k-empty".into()),
    };
    let (first, first_body) = app.call(refused).await;
    assert_eq!(first, 422);
    app.send("POST", &format!("/api/v1/carts/{empty}/items"), None, Some(json!({"product_id": router}))).await;
    let refused_again = Call {
        method: reqwest::Method::POST,
        path: format!("/api/v1/carts/{empty}/checkout"),
        token: None,
        body: Some(json!({"email": "a@b.mn"})),
        key: Some("k-empty".into()),
    };
    assert_eq!(app.call(refused_again).await, (422, first_body));
}

#[tokio::test]
async fn without_a_payment_provider_checkout_is_unavailable_and_the_sandbox_is_gone() {
    let app = crate::common::spawn_with(true, &[("PAYMENTS_SANDBOX", "off")]).await;
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let (status, body) = app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": delivery()})).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 0);
    let id = Uuid::new_v4();
    assert_eq!(app.simulate(&id.to_string(), "succeeded").await.0, 404);
    assert_eq!(app.send("POST", "/api/v1/payments/webhooks/sandbox", None, Some(json!({}))).await.0, 404);
    assert_eq!(app.get(&format!("/payments/{id}/pay")).await.status(), 404);
}
