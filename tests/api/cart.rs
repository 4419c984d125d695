use serde_json::json;

use crate::common::spawn_app;

#[tokio::test]
async fn guests_and_customers_keep_carts_priced_by_the_server() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let (status, cart) = app.send("POST", "/api/v1/carts", None, None).await;
    assert_eq!(status, 201);
    assert_eq!(cart["items"], json!([]));
    assert_eq!(cart["needs_shipping"], false);
    let id = cart["id"].as_str().unwrap();

    // A price, a total or a name sent by the client is ignored.
    let (status, cart) = app
        .send(
            "POST",
            &format!("/api/v1/carts/{id}/items"),
            None,
            Some(json!({"product_id": router, "quantity": 1, "unit_price": {"amount": "1.00"}, "price": "1"})),
        )
        .await;
    assert_eq!(status, 201, "{cart}");
    assert_eq!(cart["items"][0]["unit_price"], json!({"amount": "189000.00", "currency": "MNT"}));
    assert_eq!(cart["items"][0]["total"]["amount"], "189000.00");
    assert_eq!(cart["needs_shipping"], true);
    assert_eq!(cart["totals"]["subtotal"]["amount"], "189000.00");
    assert_eq!(cart["totals"]["shipping"]["amount"], "5000.00");
    assert_eq!(cart["totals"]["total"]["amount"], "194000.00");

    // Adding the same device again adds up; a string quantity is read like a number.
    let (_, cart) = app
        .send("POST", &format!("/api/v1/carts/{id}/items"), None, Some(json!({"product_id": router, "quantity": "1"})))
        .await;
    assert_eq!(cart["items"].as_array().unwrap().len(), 1);
    assert_eq!(cart["items"][0]["quantity"], 2);
    // Free delivery from ₮200,000.
    assert_eq!(cart["totals"]["shipping"]["amount"], "0.00");
    let item = cart["items"][0]["id"].as_str().unwrap().to_string();

    let (status, cart) =
        app.send("PATCH", &format!("/api/v1/carts/{id}/items/{item}"), None, Some(json!({"quantity": 1}))).await;
    assert_eq!((status, cart["items"][0]["quantity"].as_i64()), (200, Some(1)));
    let (status, fetched) = app.send("GET", &format!("/api/v1/carts/{id}"), None, None).await;
    assert_eq!((status, &fetched), (200, &cart));
    let (status, cart) = app.send("DELETE", &format!("/api/v1/carts/{id}/items/{item}"), None, None).await;
    assert_eq!((status, cart["items"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(app.send("DELETE", &format!("/api/v1/carts/{id}/items/{item}"), None, None).await.0, 404);

    // A customer's cart is theirs alone: anybody else gets 404.
    let bat = app.customer_token("bat@example.mn").await;
    let saraa = app.customer_token("saraa@example.mn").await;
    let mine = app.cart_with(Some(&bat), &[json!({"product_id": router})]).await;
    assert_eq!(app.send("GET", &format!("/api/v1/carts/{mine}"), Some(&bat), None).await.0, 200);
    assert_eq!(app.send("GET", &format!("/api/v1/carts/{mine}"), Some(&saraa), None).await.0, 404);
    assert_eq!(app.send("GET", &format!("/api/v1/carts/{mine}"), None, None).await.0, 404);
    let add = json!({"product_id": router});
    assert_eq!(app.send("POST", &format!("/api/v1/carts/{mine}/items"), Some(&saraa), Some(add)).await.0, 404);
    assert_eq!(app.send("GET", "/api/v1/carts/not-a-uuid", None, None).await.0, 404);
    assert_eq!(app.send("POST", "/api/v1/carts", Some("not-a-token"), None).await.0, 401);
}

#[tokio::test]
async fn quantities_outside_1_to_99_and_unknown_products_are_422() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[json!({"product_id": router})]).await;
    let path = format!("/api/v1/carts/{cart}/items");
    for bad in [json!(0), json!(-1), json!(100), json!(2.5), json!("abc"), json!(1e12), json!(true)] {
        let (status, body) = app.send("POST", &path, None, Some(json!({"product_id": router, "quantity": bad}))).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["errors"]["quantity"].is_array(), "{body}");
    }
    let (_, cart_body) = app.send("GET", &format!("/api/v1/carts/{cart}"), None, None).await;
    let item = cart_body["items"][0]["id"].as_str().unwrap();
    for bad in [json!(0), json!(-5), json!(1000), json!(null)] {
        let (status, body) = app.send("PATCH", &format!("{path}/{item}"), None, Some(json!({"quantity": bad}))).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    // 98 more would make 99 + 1 = 100 of one item.
    let (status, body) = app.send("POST", &path, None, Some(json!({"product_id": router, "quantity": 99}))).await;
    assert_eq!(status, 422, "{body}");
    for bad in [json!({}), json!({"product_id": "nope"}), json!({"product_id": uuid::Uuid::new_v4()})] {
        let (status, body) = app.send("POST", &path, None, Some(bad.clone())).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["errors"]["product_id"].is_array());
    }
    // The cart is unchanged by all of it.
    let (_, after) = app.send("GET", &format!("/api/v1/carts/{cart}"), None, None).await;
    assert_eq!(after, cart_body);
}

#[tokio::test]
async fn more_than_any_branch_holds_is_out_of_stock() {
    let app = spawn_app().await;
    // The iPhone: 2 at the central branch, 8 at the warehouse; nobody has 9.
    let phone = app.product_id("iphone-16-128gb");
    let cart = app.cart_with(None, &[]).await;
    let path = format!("/api/v1/carts/{cart}/items");
    let (status, body) = app.send("POST", &path, None, Some(json!({"product_id": phone, "quantity": 9}))).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("out_of_stock")), "{body}");
    assert_eq!(app.send("POST", &path, None, Some(json!({"product_id": phone, "quantity": 8}))).await.0, 201);
}

#[tokio::test]
async fn top_ups_need_one_of_our_numbers_and_a_fitting_amount() {
    let app = spawn_app().await;
    let fixed = app.product_id("top-up-5000");
    let free = app.product_id("top-up-any-amount");
    let cart = app.cart_with(None, &[]).await;
    let path = format!("/api/v1/carts/{cart}/items");
    let cases = [
        (json!({"product_id": fixed}), "msisdn"),
        (json!({"product_id": fixed, "msisdn": "9911 2233"}), "msisdn"),
        (json!({"product_id": fixed, "msisdn": "881122"}), "msisdn"),
        (json!({"product_id": fixed, "msisdn": "88112233", "amount": "7000"}), "amount"),
        (json!({"product_id": fixed, "msisdn": "88112233", "quantity": 2}), "quantity"),
        (json!({"product_id": free, "msisdn": "88112233"}), "amount"),
        (json!({"product_id": free, "msisdn": "88112233", "amount": "499"}), "amount"),
        (json!({"product_id": free, "msisdn": "88112233", "amount": 600000}), "amount"),
        (json!({"product_id": free, "msisdn": "88112233", "amount": "1500.50"}), "amount"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.send("POST", &path, None, Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(answer["errors"][field].is_array(), "{body}: {answer}");
    }
    let (status, cart) =
        app.send("POST", &path, None, Some(json!({"product_id": fixed, "msisdn": "+976 8811-2233"}))).await;
    assert_eq!(status, 201, "{cart}");
    let (status, cart) =
        app.send("POST", &path, None, Some(json!({"product_id": free, "msisdn": "80112233", "amount": 12500}))).await;
    assert_eq!(status, 201, "{cart}");
    let items = cart["items"].as_array().unwrap();
    assert_eq!(items[0]["msisdn"], "88112233");
    assert_eq!(items[1]["unit_price"]["amount"], "12500.00");
    assert_eq!(cart["totals"]["total"]["amount"], "17500.00");
    assert_eq!(cart["needs_shipping"], false);
    let item = items[0]["id"].as_str().unwrap();
    let (status, _) = app.send("PATCH", &format!("{path}/{item}"), None, Some(json!({"quantity": 2}))).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn carts_and_orders_cost_the_same_few_queries_whatever_their_size() {
    let app = spawn_app().await;
    let slugs = ["zte-mf286-4g-router", "tp-link-m7350-pocket-wifi", "xiaomi-redmi-note-13", "samsung-galaxy-a55"];
    let mut cart_costs = Vec::new();
    let mut order_costs = Vec::new();
    for n in [1, 4] {
        let items: Vec<_> = slugs[..n].iter().map(|s| json!({"product_id": app.product_id(s)})).collect();
        let cart = app.cart_with(None, &items).await;
        let before = app.queries();
        assert_eq!(app.send("GET", &format!("/api/v1/carts/{cart}"), None, None).await.0, 200);
        cart_costs.push(app.queries() - before);
        let (_, placed) =
            app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": crate::common::shop::delivery()})).await;
        let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["order_token"].as_str().unwrap());
        let before = app.queries();
        assert_eq!(app.send("GET", &format!("/api/v1/orders/{id}?token={token}"), None, None).await.0, 200);
        order_costs.push(app.queries() - before);
    }
    assert_eq!(cart_costs, [2, 2], "the cart, then its lines priced in one join");
    assert_eq!(order_costs, [4, 4], "order, branch, items, timeline");
}

/// The write path's cost in statements (BEGIN, savepoints and COMMIT included), as the
/// benchmark in `bench/writes.sh` sends it: a new cart, a fixed top-up into an empty cart, and
/// a guest's checkout of one top-up under a key.
#[tokio::test]
async fn the_write_path_costs_a_fixed_few_statements() {
    let app = spawn_app().await;
    let topup = app.product_id("top-up-5000");
    let before = app.queries();
    let (status, cart) = app.send("POST", "/api/v1/carts", None, None).await;
    assert_eq!(status, 201);
    let create = app.queries() - before;
    let item = json!({"product_id": topup, "msisdn": "88112233"});
    let (_, first) = app.send("POST", "/api/v1/carts", None, None).await;
    let path = format!("/api/v1/carts/{}/items", first["id"].as_str().unwrap());
    let before = app.queries();
    assert_eq!(app.send("POST", &path, None, Some(item.clone())).await.0, 201);
    let add_unknown = app.queries() - before;
    let path = format!("/api/v1/carts/{}/items", cart["id"].as_str().unwrap());
    let before = app.queries();
    assert_eq!(app.send("POST", &path, None, Some(item)).await.0, 201);
    let add = app.queries() - before;
    let before = app.queries();
    let (status, _) = app.checkout(cart["id"].as_str().unwrap(), None, json!({"email": "a@b.mn"})).await;
    assert_eq!(status, 201);
    let checkout = app.queries() - before;
    // Adding reads the product the first time this process sees it; then the line is added,
    // the product checked to be as remembered and the cart's lines read back in one
    // statement. Checkout: BEGIN, the cart closed and its lines read in one statement (a line
    // added meanwhile makes it close the cart first and read after: another test races them),
    // the order, then its payment attempt, its mail and the key's answer in one, COMMIT.
    assert_eq!(add_unknown, 2, "the product read, then added");
    assert_eq!((create, add, checkout), (1, 1, 5), "was (1, 8, 19), then (1, 3, 8), then (1, 2, 5)");
}
