//! Stock under real concurrency: many buyers, two server processes, one database.
#[path = "../common/mod.rs"]
mod common;

use diesel::prelude::*;
use serde_json::{json, Value};
use storefront::db::schema::{cart_items, carts};
use uuid::Uuid;

use common::shop::{pickup, Call};

const BUYERS: usize = 40;
const ROUNDS: usize = 50;
const UNITS: i32 = 5;

/// Every third buyer holds the router on two lines of one unit each (as merging carts can
/// leave it); the others one unit on one line. Returns each cart with the units it wants.
fn carts_for_round(conn: &mut PgConnection, product: Uuid) -> Vec<(Uuid, i32)> {
    let carts: Vec<(Uuid, i32)> = (0..BUYERS).map(|i| (Uuid::new_v4(), if i % 3 == 0 { 2 } else { 1 })).collect();
    diesel::insert_into(carts::table)
        .values(carts.iter().map(|(id, _)| carts::id.eq(*id)).collect::<Vec<_>>())
        .execute(conn)
        .unwrap();
    let lines: Vec<_> = carts
        .iter()
        .flat_map(|(id, units)| {
            (0..*units).map(move |_| {
                (cart_items::cart_id.eq(*id), cart_items::product_id.eq(product), cart_items::quantity.eq(1))
            })
        })
        .collect();
    diesel::insert_into(cart_items::table).values(lines).execute(conn).unwrap();
    carts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_units_are_sold_exactly_once_to_forty_concurrent_buyers() {
    let app = common::spawn_app().await;
    let other = app.another_server(&[]);
    let router = app.product_id("zte-mf286-4g-router");
    let central = app.branch_id("central");
    let mut conn = app.test_db.connect();
    for round in 0..ROUNDS {
        app.set_stock(router, central, UNITS);
        let carts = carts_for_round(&mut conn, router);
        let attempts = carts.iter().enumerate().map(|(i, (cart, units))| {
            let base = if i % 2 == 0 { app.address.clone() } else { other.address.clone() };
            let app = &app;
            async move {
                let call = Call {
                    method: reqwest::Method::POST,
                    path: format!("/api/v1/carts/{cart}/checkout"),
                    token: None,
                    body: Some(json!({"email": format!("buyer{i}@example.mn"), "fulfillment": pickup(central)})),
                    key: Some(Uuid::new_v4().to_string()),
                };
                let (status, body) = app.call_at(&base, call).await;
                (status, body, *units)
            }
        });
        let results = futures_util::future::join_all(attempts).await;
        let mut sold = 0;
        let mut payments = Vec::new();
        for (status, body, units) in &results {
            match status {
                201 => {
                    sold += units;
                    payments.push(body["payment"]["id"].as_str().unwrap().to_string());
                }
                409 => assert_eq!(body["code"], "out_of_stock", "round {round}: {body}"),
                other => panic!("round {round}: unexpected {other}: {body}"),
            }
        }
        assert_eq!(sold, UNITS, "round {round}: sold {sold} units");
        assert_eq!(app.stock(router, central), 0, "round {round}");
        for payment in &payments {
            let (status, paid) = app.simulate(payment, "succeeded").await;
            assert_eq!((status, paid["status"].as_str()), (200, Some("succeeded")), "round {round}");
        }
        let paid = app.count(&format!(
            "SELECT count(*) AS n FROM orders o JOIN carts c ON c.id = o.cart_id \
             WHERE o.status = 'paid' AND c.id IN ({})",
            carts.iter().map(|(id, _)| format!("'{id}'")).collect::<Vec<_>>().join(",")
        ));
        assert_eq!(paid, payments.len() as i64, "round {round}");
    }
    // Nothing went below zero at any point, and every sale is accounted for.
    let units_sold = app.count(
        "SELECT coalesce(sum(quantity), 0)::bigint AS n FROM order_items i JOIN orders o ON o.id = i.order_id \
         WHERE o.status = 'paid'",
    );
    assert_eq!(units_sold, i64::from(UNITS) * ROUNDS as i64);
}

const CARTS: usize = 30;
const NUMBER_ROUNDS: usize = 20;

/// Thirty carts, on two server processes, add one number at the same moment: one holds it, the
/// other twenty-nine are told it is taken, round after round.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_carts_adding_one_number_at_once_hold_it_once() {
    #[derive(QueryableByName)]
    struct M {
        #[diesel(sql_type = diesel::sql_types::Text)]
        msisdn: String,
    }
    let app = common::spawn_app().await;
    let other = app.another_server(&[]);
    let listing = app.product_id("number-ordinary");
    let mut conn = app.test_db.connect();
    let numbers: Vec<String> = diesel::sql_query(format!(
        "SELECT msisdn FROM numbers WHERE tier = 'ordinary' AND status = 'available' ORDER BY msisdn LIMIT {NUMBER_ROUNDS}"
    ))
    .load::<M>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|m| m.msisdn)
    .collect();
    for (round, number) in numbers.iter().enumerate() {
        let carts: Vec<Uuid> = (0..CARTS).map(|_| Uuid::new_v4()).collect();
        diesel::insert_into(carts::table)
            .values(carts.iter().map(|id| carts::id.eq(*id)).collect::<Vec<_>>())
            .execute(&mut conn)
            .unwrap();
        let attempts = carts.iter().enumerate().map(|(i, cart)| {
            let base = if i % 2 == 0 { app.address.clone() } else { other.address.clone() };
            let app = &app;
            async move {
                let call = Call {
                    method: reqwest::Method::POST,
                    path: format!("/api/v1/carts/{cart}/items"),
                    token: None,
                    body: Some(json!({"product_id": listing, "number": number, "activation": "later"})),
                    key: None,
                };
                app.call_at(&base, call).await
            }
        });
        let results = futures_util::future::join_all(attempts).await;
        let held = results.iter().filter(|(status, _)| *status == 201).count();
        assert_eq!(held, 1, "round {round}: {results:?}");
        for (status, body) in results.iter().filter(|(status, _)| *status != 201) {
            assert_eq!((*status, body["code"].as_str()), (409, Some("number_taken")), "round {round}: {body}");
        }
        let holders = app.count(&format!("SELECT count(*) AS n FROM cart_items WHERE number = '{number}'"));
        assert_eq!(holders, 1, "round {round}: one line holds it");
    }
}

/// Two server processes work one queue: a hundred paid top-ups are each credited exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_credit_a_hundred_top_ups_exactly_once() {
    const ORDERS: usize = 100;
    let runner = [("JOB_RUNNER", "on"), ("OPERATOR_SANDBOX_DELAY_MS", "5")];
    let app = common::spawn_with(true, &runner).await;
    let other = app.another_server(&runner);
    let product = app.product_id("top-up-any-amount");
    for i in 0..ORDERS {
        let base = if i % 2 == 0 { app.address.clone() } else { other.address.clone() };
        let item = json!({"product_id": product, "msisdn": format!("86{i:06}"), "amount": 1000 + i});
        let call = |path: String, body: Value, key: Option<String>| Call {
            method: reqwest::Method::POST,
            path,
            token: None,
            body: Some(body),
            key,
        };
        let (status, cart) = app.call_at(&base, call("/api/v1/carts".into(), json!({}), None)).await;
        assert_eq!(status, 201);
        let cart = cart["id"].as_str().unwrap();
        assert_eq!(app.call_at(&base, call(format!("/api/v1/carts/{cart}/items"), item, None)).await.0, 201);
        let body = json!({"email": format!("t{i}@example.mn")});
        let key = Some(Uuid::new_v4().to_string());
        let (status, placed) = app.call_at(&base, call(format!("/api/v1/carts/{cart}/checkout"), body, key)).await;
        assert_eq!(status, 201, "{placed}");
        let payment = placed["payment"]["id"].as_str().unwrap();
        let paid = json!({"outcome": "succeeded"});
        assert_eq!(app.call_at(&base, call(format!("/api/v1/payments/{payment}/simulate"), paid, None)).await.0, 200);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.count("SELECT count(*) AS n FROM orders WHERE status = 'completed'") < ORDERS as i64 {
        assert!(std::time::Instant::now() < deadline, "all top-ups fulfilled");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_operator_ledger"), ORDERS as i64);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sandbox_subscribers s JOIN order_items i ON i.msisdn = s.msisdn WHERE s.balance = i.total"),
        ORDERS as i64,
        "each number holds exactly what was paid for it"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM jobs WHERE kind = 'fulfil_item' AND attempts <> 1"),
        0,
        "each sent once"
    );
}

const COUPON_ROUNDS: usize = 10;

async fn checkout_at(app: &common::TestApp, base: &str, cart: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let call = Call {
        method: reqwest::Method::POST,
        path: format!("/api/v1/carts/{cart}/checkout"),
        token,
        body: Some(body),
        key: Some(Uuid::new_v4().to_string()),
    };
    app.call_at(base, call).await
}

async fn staff_campaign(app: &common::TestApp, token: &str, body: Value, code: &str) {
    let (status, created) = app.send("POST", "/api/v1/admin/campaigns", Some(token), Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let (status, made) = app
        .send("POST", &format!("/api/v1/admin/campaigns/{id}/codes"), Some(token), Some(json!({"code": code})))
        .await;
    assert_eq!(status, 201, "{made}");
}

/// One customer fills ten carts, applies one once-per-customer code to each, and checks all ten
/// out at once on two server processes: one order carries the discount, nine are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_checkouts_of_one_customer_use_a_once_per_customer_code_once() {
    let app = common::spawn_app().await;
    let other = app.another_server(&[]);
    app.create_staff("staff@shop.mn", storefront::domain::accounts::Role::Staff);
    let staff = app.token("staff@shop.mn", common::GOOD_PASSWORD).await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    for round in 0..COUPON_ROUNDS {
        let code = format!("ONCE-{round}");
        staff_campaign(
            &app,
            &staff,
            json!({"name": code, "discount": {"type": "fixed", "value": 1000},
            "code_policy": "once_per_customer"}),
            &code,
        )
        .await;
        let bat = app.customer_token(&format!("bat{round}@example.mn")).await;
        let mut carts = Vec::new();
        for _ in 0..10 {
            let cart = app.cart_with(Some(&bat), std::slice::from_ref(&top_up)).await;
            let (status, body) = app
                .send("POST", &format!("/api/v1/carts/{cart}/coupons"), Some(&bat), Some(json!({"code": code})))
                .await;
            assert_eq!(status, 200, "{body}");
            carts.push(cart);
        }
        let attempts = carts.iter().enumerate().map(|(i, cart)| {
            let base = if i % 2 == 0 { app.address.clone() } else { other.address.clone() };
            let (app, bat) = (&app, &bat);
            async move { checkout_at(app, &base, cart, Some(bat), json!({})).await }
        });
        let results = futures_util::future::join_all(attempts).await;
        let placed: Vec<&Value> = results.iter().filter(|(s, _)| *s == 201).map(|(_, b)| b).collect();
        for (status, body) in &results {
            assert!(
                *status == 201 || (*status == 409 && body["code"] == "coupon_used"),
                "round {round}: {status} {body}"
            );
        }
        assert_eq!(placed.len(), 1, "round {round}");
        assert_eq!(placed[0]["order"]["totals"]["discount"]["amount"], "1000.00");
        let live = app.count(&format!(
            "SELECT count(*) AS n FROM coupon_redemptions r JOIN coupon_codes c ON c.id = r.code_id \
             WHERE c.code = '{code}' AND r.status <> 'released'"
        ));
        assert_eq!(live, 1, "round {round}");
    }
}

/// Twenty guests with a limited code (three uses) and a budget check out at once on two
/// server processes: three orders carry it, and neither the limit nor the budget is passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_buyers_share_a_code_limited_to_three_and_a_budget() {
    let app = common::spawn_app().await;
    let other = app.another_server(&[]);
    app.create_staff("staff@shop.mn", storefront::domain::accounts::Role::Staff);
    let staff = app.token("staff@shop.mn", common::GOOD_PASSWORD).await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    for round in 0..COUPON_ROUNDS {
        // Three uses, or 2,500 of budget for 1,000 off each: the third gets 500.
        let (limit, budget) = if round % 2 == 0 { (3, None) } else { (20, Some("2500")) };
        let code = format!("LIMITED-{round}");
        staff_campaign(
            &app,
            &staff,
            json!({"name": code, "discount": {"type": "fixed", "value": 1000},
            "code_policy": "limited", "max_redemptions": limit, "budget": budget}),
            &code,
        )
        .await;
        let mut carts = Vec::new();
        for _ in 0..20 {
            let cart = app.cart_with(None, std::slice::from_ref(&top_up)).await;
            let (status, body) =
                app.send("POST", &format!("/api/v1/carts/{cart}/coupons"), None, Some(json!({"code": code}))).await;
            assert_eq!(status, 200, "{body}");
            carts.push(cart);
        }
        let attempts = carts.iter().enumerate().map(|(i, cart)| {
            let base = if i % 2 == 0 { app.address.clone() } else { other.address.clone() };
            let app = &app;
            async move { checkout_at(app, &base, cart, None, json!({"email": format!("guest{i}@example.mn")})).await }
        });
        let results = futures_util::future::join_all(attempts).await;
        let mut discounts = Vec::new();
        for (status, body) in &results {
            match status {
                201 => discounts.push(body["order"]["totals"]["discount"]["amount"].as_str().unwrap().to_string()),
                409 => assert_eq!(body["code"], "coupon_used_up", "round {round}: {body}"),
                other => panic!("round {round}: unexpected {other}: {body}"),
            }
        }
        discounts.sort();
        let expected: Vec<&str> =
            if budget.is_none() { vec!["1000.00"; 3] } else { vec!["1000.00", "1000.00", "500.00"] };
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        expected.sort();
        assert_eq!(discounts, expected, "round {round}");
    }
}
