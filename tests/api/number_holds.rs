//! Buying a number: the hold a cart puts on it, activation choices, SIM codes, the eSIM pool,
//! the per-person limit, and what checkout, payment and cancellation do to the number.
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{spawn_app, TestApp};

/// Available demo numbers of `tier`, in order.
fn numbers_of(app: &TestApp, tier: &str, n: i64) -> Vec<String> {
    #[derive(QueryableByName)]
    struct M {
        #[diesel(sql_type = diesel::sql_types::Text)]
        msisdn: String,
    }
    let mut conn = app.test_db.connect();
    diesel::sql_query(format!(
        "SELECT msisdn FROM numbers WHERE tier = '{tier}' AND status = 'available' ORDER BY msisdn LIMIT {n}"
    ))
    .load::<M>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|m| m.msisdn)
    .collect()
}

fn number_state(app: &TestApp, msisdn: &str) -> String {
    #[derive(QueryableByName)]
    struct S {
        #[diesel(sql_type = diesel::sql_types::Text)]
        s: String,
    }
    let mut conn = app.test_db.connect();
    diesel::sql_query(format!(
        "SELECT status || ':' || coalesce(owner_id::text, '-') AS s FROM numbers WHERE msisdn = '{msisdn}'"
    ))
    .get_result::<S>(&mut conn)
    .unwrap()
    .s
}

fn number_item(app: &TestApp, tier: &str, number: &str, activation: &str) -> Value {
    json!({"product_id": app.product_id(&format!("number-{tier}")), "number": number, "activation": activation})
}

async fn add(app: &TestApp, cart: &str, token: Option<&str>, item: Value) -> (u16, Value) {
    app.send("POST", &format!("/api/v1/carts/{cart}/items"), token, Some(item)).await
}

#[tokio::test]
async fn a_number_in_a_cart_is_held_for_it_and_nobody_else_can_add_it_until_it_is_freed() {
    let app = spawn_app().await;
    let number = numbers_of(&app, "ordinary", 1).remove(0);
    let first = app.cart_with(None, &[]).await;
    let (status, cart) = add(&app, &first, None, number_item(&app, "ordinary", &number, "later")).await;
    assert_eq!(status, 201, "{cart}");
    let line = &cart["items"][0];
    assert_eq!((line["number"].as_str(), line["activation"].as_str()), (Some(number.as_str()), Some("later")));
    let (_, listing) = app.get_json("/api/v1/products/number-ordinary").await;
    assert_eq!(line["unit_price"], listing["price"], "a number costs its tier's price");
    let until = chrono::DateTime::parse_from_rfc3339(line["hold_expires_at"].as_str().unwrap()).unwrap();
    let left = until.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!((14 * 60..=15 * 60).contains(&left), "held for NUMBER_HOLD_MINUTES: {left}s");
    assert!(number_state(&app, &number).starts_with("held"));
    let (_, found) = app.get_json(&format!("/api/v1/numbers?q={number}")).await;
    assert_eq!(found["total"], 0, "a held number is not offered");

    let second = app.cart_with(None, &[]).await;
    let (status, problem) = add(&app, &second, None, number_item(&app, "ordinary", &number, "later")).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("number_taken")), "{problem}");
    let (status, problem) = add(&app, &first, None, number_item(&app, "ordinary", &number, "later")).await;
    assert_eq!(status, 422, "twice in one cart: {problem}");
    assert_eq!(problem["error_codes"]["number"][0]["code"], "number_in_cart");

    // Taking the line out frees the number at once.
    let item = cart["items"][0]["id"].as_str().unwrap();
    let (status, emptied) = app.send("DELETE", &format!("/api/v1/carts/{first}/items/{item}"), None, None).await;
    assert_eq!((status, emptied["items"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(number_state(&app, &number), "available:-");
    assert_eq!(add(&app, &second, None, number_item(&app, "ordinary", &number, "later")).await.0, 201);
}

#[tokio::test]
async fn a_hold_that_ran_out_frees_the_number_at_once_and_its_cart_loses_it_at_checkout() {
    let app = spawn_app().await;
    let token = app.customer_token("late@example.mn").await;
    let number = numbers_of(&app, "ordinary", 1).remove(0);
    let slow = app.cart_with(Some(&token), &[number_item(&app, "ordinary", &number, "later")]).await;
    app.sql(&format!("UPDATE numbers SET held_until = now() - interval '1 second' WHERE msisdn = '{number}'"));
    let (_, cart) = app.send("GET", &format!("/api/v1/carts/{slow}"), Some(&token), None).await;
    assert!(cart["items"][0]["hold_expires_at"].is_string(), "the ran-out hold is still this cart's: {cart}");

    // A hold that ran out is not waited for: another shopper takes the number now.
    let quick = app.cart_with(None, &[]).await;
    assert_eq!(add(&app, &quick, None, number_item(&app, "ordinary", &number, "later")).await.0, 201);
    let (_, cart) = app.send("GET", &format!("/api/v1/carts/{slow}"), Some(&token), None).await;
    assert!(cart["items"][0]["hold_expires_at"].is_null(), "{cart}");
    let (status, problem) = app.checkout(&slow, Some(&token), json!({})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("number_lost")), "{problem}");
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 0, "nothing was placed");

    // A ran-out hold nobody took is taken again at checkout.
    let other = numbers_of(&app, "ordinary", 1).remove(0);
    let again = app.cart_with(Some(&token), &[number_item(&app, "ordinary", &other, "later")]).await;
    app.sql(&format!("UPDATE numbers SET held_until = now() - interval '1 second' WHERE msisdn = '{other}'"));
    let (status, placed) = app.checkout(&again, Some(&token), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    assert!(number_state(&app, &other).starts_with("reserved"));
}

#[tokio::test]
async fn number_lines_say_what_is_wrong_with_each_field() {
    let app = spawn_app().await;
    let cart = app.cart_with(None, &[]).await;
    let gold = numbers_of(&app, "gold", 1).remove(0);
    let product = app.product_id("number-ordinary");
    for (item, field, code) in [
        (json!({"product_id": product, "activation": "later"}), "number", "required"),
        (json!({"product_id": product, "number": "99112233", "activation": "later"}), "number", "not_our_number"),
        (json!({"product_id": product, "number": "88000001", "activation": "later"}), "number", "number_unknown"),
        (json!({"product_id": product, "number": gold, "activation": "later"}), "number", "number_tier"),
        (json!({"product_id": product, "number": gold}), "activation", "activation"),
        (json!({"product_id": product, "number": gold, "activation": "now"}), "activation", "activation"),
        (json!({"product_id": product, "number": gold, "activation": "physical"}), "activation_code", "required"),
        (
            json!({"product_id": product, "number": gold, "activation": "physical", "activation_code": "12ab"}),
            "activation_code",
            "sim_code",
        ),
        (json!({"product_id": product, "number": gold, "activation": "later", "quantity": 2}), "quantity", "only_one"),
    ] {
        let (status, problem) = add(&app, &cart, None, item.clone()).await;
        assert_eq!(status, 422, "{item}: {problem}");
        assert_eq!(problem["error_codes"][field][0]["code"], code, "{item}: {problem}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM numbers WHERE status = 'held'"), 0, "nothing was held");
}

#[tokio::test]
async fn a_physical_sim_code_is_checked_when_added_and_used_once() {
    let app = spawn_app().await;
    let token = app.customer_token("sim@example.mn").await;
    let [a, b] = <[String; 2]>::try_from(numbers_of(&app, "ordinary", 2)).unwrap();
    let cart = app.cart_with(Some(&token), &[]).await;
    let physical = |number: &str, code: &str| {
        json!({"product_id": app.product_id("number-ordinary"), "number": number, "activation": "physical",
               "activation_code": code})
    };
    let (status, problem) = add(&app, &cart, Some(&token), physical(&a, "99999999")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["error_codes"]["activation_code"][0]["code"], "sim_code_wrong");
    assert_eq!(add(&app, &cart, Some(&token), physical(&a, "2026 0001")).await.0, 201);
    let (status, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(app.count("SELECT count(*) AS n FROM sim_cards WHERE status = 'reserved'"), 1);

    // The card is the order's now: its code is refused to anyone else, when added and at checkout.
    let other = app.customer_token("other@example.mn").await;
    let cart2 = app.cart_with(Some(&other), &[]).await;
    let (status, problem) = add(&app, &cart2, Some(&other), physical(&b, "20260001")).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("sim_code_used")), "{problem}");
    assert_eq!(add(&app, &cart2, Some(&other), physical(&b, "20260002")).await.0, 201);
    app.sql("UPDATE sim_cards SET status = 'used' WHERE iccid IN (SELECT iccid FROM sim_cards ORDER BY iccid LIMIT 2)");
    let (status, problem) = app.checkout(&cart2, Some(&other), json!({})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("sim_code_used")), "{problem}");
    assert!(number_state(&app, &b).starts_with("held"), "the refused order let nothing go");

    // The database keeps no code in clear.
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sim_cards WHERE position('20260001' in encode(code_hash, 'escape')) > 0"),
        0
    );

    // Cancelling the unpaid order gives the number and the card back.
    let order = placed["order"]["id"].as_str().unwrap();
    let (status, _) = app.send("POST", &format!("/api/v1/orders/{order}/cancel"), Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(number_state(&app, &a), "available:-");
    assert_eq!(app.count("SELECT count(*) AS n FROM sim_cards WHERE status = 'reserved'"), 0);
}

#[tokio::test]
async fn wrong_sim_codes_are_limited_per_customer() {
    let app = spawn_app().await;
    let token = app.customer_token("guesser@example.mn").await;
    let number = numbers_of(&app, "ordinary", 1).remove(0);
    let cart = app.cart_with(Some(&token), &[]).await;
    let mut statuses = Vec::new();
    for guess in 0..12 {
        let item = json!({"product_id": app.product_id("number-ordinary"), "number": number, "activation": "physical",
                          "activation_code": format!("9{guess:07}")});
        statuses.push(add(&app, &cart, Some(&token), item).await.0);
    }
    assert_eq!(&statuses[..10], &[422; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    // Even the right code waits now.
    let right = json!({"product_id": app.product_id("number-ordinary"), "number": number, "activation": "physical",
                       "activation_code": "20260003"});
    assert_eq!(add(&app, &cart, Some(&token), right).await.0, 429);
}

#[tokio::test]
async fn numbers_need_an_account_and_one_person_may_have_two() {
    let app = spawn_app().await;
    let numbers = numbers_of(&app, "ordinary", 4);
    let guest = app.cart_with(None, &[number_item(&app, "ordinary", &numbers[0], "later")]).await;
    let (status, problem) = app.checkout(&guest, None, json!({"email": "g@example.mn"})).await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("account_required")), "{problem}");

    let token = app.customer_token("two@example.mn").await;
    let cart = app.cart_with(Some(&token), &[number_item(&app, "ordinary", &numbers[1], "later")]).await;
    let (status, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    let payment = placed["payment"]["id"].as_str().unwrap();
    assert_eq!(app.simulate(payment, "succeeded").await.0, 200);
    let owner = app.count(
        "SELECT count(*) AS n FROM numbers n JOIN accounts a ON a.id = n.owner_id \
                           WHERE a.email = 'two@example.mn' AND n.status = 'sold'",
    );
    assert_eq!(owner, 1, "paid: the number is the customer's");

    // A second number fits; a third does not, whether in one cart or in two.
    let one = app.cart_with(Some(&token), &[number_item(&app, "ordinary", &numbers[2], "later")]).await;
    let (status, problem) = add(&app, &one, Some(&token), number_item(&app, "ordinary", &numbers[3], "later")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["error_codes"]["number"][0]["code"], "too_many_numbers");
    assert_eq!(problem["error_codes"]["number"][0]["params"]["max"], "2");
    // Lines added before the limit was reached (as guest carts merged at sign-in can) are
    // counted again at checkout.
    let two = app.cart_with(None, &[number_item(&app, "ordinary", &numbers[3], "later")]).await;
    app.sql(&format!(
        "UPDATE carts SET account_id = (SELECT id FROM accounts WHERE email = 'two@example.mn') WHERE id = '{two}'"
    ));
    let (first, second) =
        tokio::join!(app.checkout(&one, Some(&token), json!({})), app.checkout(&two, Some(&token), json!({})));
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{first:?} {second:?}");
}

#[tokio::test]
async fn an_esim_costs_its_price_and_its_numbers_tier_and_takes_a_profile_from_the_pool() {
    let app = spawn_app().await;
    let token = app.customer_token("esim@example.mn").await;
    let gold = numbers_of(&app, "gold", 1).remove(0);
    let cart = app.cart_with(Some(&token), &[]).await;
    let (status, body) =
        add(&app, &cart, Some(&token), json!({"product_id": app.product_id("esim"), "number": gold})).await;
    assert_eq!(status, 201, "{body}");
    let (_, esim) = app.get_json("/api/v1/products/esim").await;
    let (_, tier) = app.get_json("/api/v1/products/number-gold").await;
    let price = |v: &Value| v["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(price(&body["items"][0]["unit_price"]), price(&esim["price"]) + price(&tier["price"]));
    assert_eq!(body["items"][0]["activation"], "esim");
    // The tier's listing activated on an eSIM costs the same.
    let same = numbers_of(&app, "gold", 1).remove(0);
    let via_number = app.cart_with(None, &[number_item(&app, "gold", &same, "esim")]).await;
    let (_, other_cart) = app.send("GET", &format!("/api/v1/carts/{via_number}"), None, None).await;
    assert_eq!(other_cart["items"][0]["unit_price"], body["items"][0]["unit_price"]);
    let (status, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(app.count("SELECT count(*) AS n FROM esim_profiles WHERE status = 'reserved'"), 1);

    // An empty pool makes the eSIM unavailable: it cannot be added (or bought), no order fails.
    assert_eq!(app.get_json("/api/v1/products/esim").await.1["available"], true);
    app.sql("UPDATE esim_profiles SET status = 'revoked' WHERE status = 'available'");
    for slug in ["esim", "esim-reissue"] {
        let (_, product) = app.get_json(&format!("/api/v1/products/{slug}")).await;
        assert_eq!(product["available"], false, "{slug} with the pool empty");
    }
    let (_, number) = app.get_json("/api/v1/products/number-gold").await;
    assert_eq!(number["available"], true);
    let other = numbers_of(&app, "ordinary", 1).remove(0);
    let cart2 = app.cart_with(Some(&token), &[]).await;
    let (status, problem) =
        add(&app, &cart2, Some(&token), json!({"product_id": app.product_id("esim"), "number": other})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("out_of_stock")), "{problem}");
    assert!(number_state(&app, &other).starts_with("available"), "not held");
}
