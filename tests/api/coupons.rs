//! Coupon campaigns through the API: staff make campaigns and codes; shoppers apply them to a
//! cart and check out; uses are counted from placing an order, given back on cancel, and the
//! statistics follow paid orders.
use serde_json::{json, Value};
use storefront::domain::accounts::Role;

use crate::common::smtp::SmtpServer;
use crate::common::{spawn_app, spawn_with, TestApp};

async fn staff(app: &TestApp) -> String {
    app.create_staff("staff@shop.mn", Role::Staff);
    app.token("staff@shop.mn", crate::common::GOOD_PASSWORD).await
}

async fn campaign(app: &TestApp, token: &str, body: Value) -> String {
    let (status, created) = app.send("POST", "/api/v1/admin/campaigns", Some(token), Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

async fn codes(app: &TestApp, token: &str, campaign: &str, body: Value) -> (u16, Value) {
    app.send("POST", &format!("/api/v1/admin/campaigns/{campaign}/codes"), Some(token), Some(body)).await
}

async fn apply(app: &TestApp, cart: &str, token: Option<&str>, code: &str) -> (u16, Value) {
    app.send("POST", &format!("/api/v1/carts/{cart}/coupons"), token, Some(json!({"code": code}))).await
}

fn top_up(app: &TestApp) -> Value {
    json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"})
}

fn router(app: &TestApp) -> Value {
    json!({"product_id": app.product_id("zte-mf286-4g-router")})
}

fn amount(v: &Value) -> String {
    v["amount"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn staff_create_campaigns_and_every_wrong_field_is_named() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let (status, body) = app.send("POST", "/api/v1/admin/campaigns", Some(&token), Some(json!({}))).await;
    assert_eq!(status, 422, "{body}");
    for field in ["name", "discount.type", "discount.value", "code_policy"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let wrong = json!({"name": "x", "discount": {"type": "percent", "value": 120}, "code_policy": "everyone",
        "max_redemptions": 0, "budget": "-5", "applies_to": {"kinds": ["spaceship"], "product_ids": ["nope"]},
        "starts_at": "2026-12-31", "ends_at": "2026-12-01"});
    let (status, body) = app.send("POST", "/api/v1/admin/campaigns", Some(&token), Some(wrong)).await;
    assert_eq!(status, 422, "{body}");
    for field in [
        "discount.value",
        "code_policy",
        "max_redemptions",
        "budget",
        "applies_to.kinds",
        "applies_to.product_ids",
        "ends_at",
    ] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, created) = app
        .send(
            "POST",
            "/api/v1/admin/campaigns",
            Some(&token),
            Some(json!({"name": "Цагаан сар", "discount": {"type": "fixed", "value": "5000"},
                "code_policy": "limited", "max_redemptions": 3, "budget": 100000, "min_subtotal": "20000",
                "applies_to": {"kinds": ["device"]}, "starts_at": "2026-01-01T00:00:00+08:00"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["discount"], json!({"type": "fixed", "value": "5000.00"}));
    assert_eq!(created["budget"]["amount"], "100000.00");
    assert_eq!(created["applies_to"]["kinds"], json!(["device"]));
    assert_eq!(created["starts_at"], "2025-12-31T16:00:00Z");
    // Customers are no staff.
    let customer = app.customer_token("bat@example.mn").await;
    let (status, _) = app.send("POST", "/api/v1/admin/campaigns", Some(&customer), Some(json!({}))).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn codes_are_named_generated_by_thousands_without_ambiguous_signs_or_assigned_and_mailed() {
    let smtp = SmtpServer::start().await;
    let app = spawn_with(true, &[("SMTP_URL", &smtp.url()), ("JOB_RUNNER", "on")]).await;
    let token = staff(&app).await;
    let shared = campaign(
        &app,
        &token,
        json!({"name": "Winter", "discount": {"type": "percent", "value": 10},
        "code_policy": "once_per_customer"}),
    )
    .await;
    let (status, made) = codes(&app, &token, &shared, json!({"code": "tsagaan10"})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        made["codes"],
        json!([{"code": "TSAGAAN10", "status": "unused", "customer_id": null,
        "customer_email": null, "redeemed_at": null}])
    );
    let (status, again) = codes(&app, &token, &shared, json!({"code": "TSAGAAN10"})).await;
    assert_eq!(status, 422, "{again}");
    assert!(again["errors"]["code"].is_array());
    let (status, bad) = codes(&app, &token, &shared, json!({"code": "50%-off!"})).await;
    assert_eq!(status, 422, "{bad}");
    let (status, bad) = codes(&app, &token, &shared, json!({"count": 10_001})).await;
    assert_eq!(status, 422, "{bad}");
    let (status, bad) = codes(&app, &token, &shared, json!({"assign_to": ["a@example.mn"]})).await;
    assert_eq!((status, bad["errors"]["assign_to"].is_array()), (422, true), "{bad}");

    let (status, made) = codes(&app, &token, &shared, json!({"count": 10_000, "prefix": "xmas-"})).await;
    assert_eq!(status, 201);
    let made: Vec<&str> = made["codes"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(made.len(), 10_000);
    let distinct: std::collections::HashSet<&&str> = made.iter().collect();
    assert_eq!(distinct.len(), 10_000);
    assert!(made.iter().all(|c| c.starts_with("XMAS-") && c.len() == 13 && !c[5..].contains(['0', 'O', '1', 'I'])));
    let (_, page) =
        app.get_json_as(&format!("/api/v1/admin/campaigns/{shared}/codes?status=unused&per_page=5"), &token).await;
    assert_eq!((page["total"].as_i64(), page["items"].as_array().map(Vec::len)), (Some(10_001), Some(5)));
    let (status, _) = app.get_json_as(&format!("/api/v1/admin/campaigns/{shared}/codes?status=lost"), &token).await;
    assert_eq!(status, 422);

    let personal = campaign(
        &app,
        &token,
        json!({"name": "Loyal", "discount": {"type": "fixed", "value": 3000},
        "code_policy": "personal", "min_subtotal": 10000, "ends_at": "2030-01-01"}),
    )
    .await;
    let (status, bad) = codes(&app, &token, &personal, json!({"code": "MINE"})).await;
    assert_eq!(status, 422, "{bad}");
    app.customer_token("saraa@example.mn").await;
    let (_, me) = app.get_json_as("/api/v1/me", &app.customer_token("dorj@example.mn").await).await;
    let dorj = me["id"].as_str().unwrap().to_string();
    let (status, bad) =
        codes(&app, &token, &personal, json!({"assign_to": ["saraa@example.mn", "ghost@example.mn"]})).await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad["errors"]["assign_to[1]"].is_array(), "{bad}");
    let (status, made) =
        codes(&app, &token, &personal, json!({"assign_to": ["SARAA@example.mn", dorj], "send_email": true})).await;
    assert_eq!(status, 201, "{made}");
    let made = made["codes"].as_array().unwrap();
    assert_eq!(made.len(), 2);
    assert!(made.iter().all(|c| c["status"] == "assigned"));
    assert_eq!(made[0]["customer_email"], "saraa@example.mn");
    assert_eq!(made[1]["customer_id"].as_str(), Some(dorj.as_str()));
    let code = made[0]["code"].as_str().unwrap();
    let mail = smtp.wait_for("saraa@example.mn", 10).await;
    assert!(mail.text().contains(code), "{}", mail.text());
    assert!(mail.text().contains("₮3,000"), "{}", mail.text());
    assert_eq!(mail.link_path("/cart").as_deref(), Some(format!("/cart?coupon={code}").as_str()));
    smtp.wait_for("dorj@example.mn", 10).await;
}

#[tokio::test]
async fn a_code_is_refused_with_its_reason_and_a_good_one_splits_its_discount_over_the_lines() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let bat = app.customer_token("bat@example.mn").await;
    let devices = campaign(
        &app,
        &token,
        json!({"name": "Routers", "discount": {"type": "percent", "value": 10},
        "code_policy": "limited", "applies_to": {"kinds": ["device"]}}),
    )
    .await;
    codes(&app, &token, &devices, json!({"code": "ROUTER10"})).await;
    let minimum = campaign(
        &app,
        &token,
        json!({"name": "Big", "discount": {"type": "fixed", "value": 1000},
        "code_policy": "limited", "min_subtotal": 1000000}),
    )
    .await;
    codes(&app, &token, &minimum, json!({"code": "BIG"})).await;
    let over = campaign(
        &app,
        &token,
        json!({"name": "Past", "discount": {"type": "fixed", "value": 1000},
        "code_policy": "limited", "starts_at": "2020-01-01", "ends_at": "2020-02-01"}),
    )
    .await;
    codes(&app, &token, &over, json!({"code": "PAST"})).await;
    let once = campaign(
        &app,
        &token,
        json!({"name": "Once", "discount": {"type": "fixed", "value": 500},
        "code_policy": "once_per_customer"}),
    )
    .await;
    codes(&app, &token, &once, json!({"code": "ONCE"})).await;
    let personal = campaign(
        &app,
        &token,
        json!({"name": "Yours", "discount": {"type": "fixed", "value": 500},
        "code_policy": "personal"}),
    )
    .await;
    let (_, made) = codes(&app, &token, &personal, json!({"assign_to": ["bat@example.mn"]})).await;
    let bats = made["codes"][0]["code"].as_str().unwrap().to_string();

    let guest = app.cart_with(None, &[top_up(&app)]).await;
    let (status, body) = apply(&app, &guest, None, "NOSUCH").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("coupon_unknown")), "{body}");
    let (status, body) = apply(&app, &guest, None, "router10").await;
    assert_eq!((status, body["error_codes"]["code"][0]["code"].as_str()), (422, Some("coupon_not_applicable")));
    let (status, body) = apply(&app, &guest, None, "BIG").await;
    assert_eq!((status, body["error_codes"]["code"][0]["code"].as_str()), (422, Some("coupon_below_minimum")));
    assert!(body["errors"]["code"][0].as_str().unwrap().contains("₮1,000,000"), "{body}");
    let (status, body) = apply(&app, &guest, None, "PAST").await;
    assert_eq!((status, body["error_codes"]["code"][0]["code"].as_str()), (422, Some("coupon_expired")));
    let (status, body) = apply(&app, &guest, None, "ONCE").await;
    assert_eq!((status, body["code"].as_str()), (409, Some("coupon_not_yours")), "{body}");
    let (status, body) = apply(&app, &guest, None, &bats).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("coupon_not_yours")), "{body}");
    let (status, body) = apply(&app, &guest, None, "").await;
    assert_eq!(status, 422, "{body}");
    // Mongolian by default, English when asked.
    let (_, en) =
        app.send("POST", &format!("/api/v1/carts/{guest}/coupons?lang=en"), None, Some(json!({"code": "PAST"}))).await;
    assert_eq!(en["errors"]["code"][0], "this code has expired");

    // A router and a top-up: 10 % off the router only, in whole tögrög.
    let cart = app.cart_with(Some(&bat), &[router(&app), top_up(&app)]).await;
    let (status, body) = apply(&app, &cart, Some(&bat), " router 10 ").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["coupons"], json!(["ROUTER10"]));
    let price: rust_decimal::Decimal = amount(&body["items"][0]["total"]).parse().unwrap();
    let ten = (price / rust_decimal::Decimal::from(10))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(amount(&body["items"][0]["discount"]), format!("{ten:.2}"));
    assert_eq!(amount(&body["items"][1]["discount"]), "0.00");
    assert_eq!(amount(&body["totals"]["discount"]), format!("{ten:.2}"));
    let subtotal: rust_decimal::Decimal = amount(&body["totals"]["subtotal"]).parse().unwrap();
    let shipping: rust_decimal::Decimal = amount(&body["totals"]["shipping"]).parse().unwrap();
    assert_eq!(amount(&body["totals"]["total"]), format!("{:.2}", subtotal - ten + shipping));
    assert_eq!(body["coupon_details"][0]["code"], "ROUTER10");
    // One code per order unless both campaigns stack.
    let (status, body) = apply(&app, &cart, Some(&bat), &bats).await;
    assert_eq!((status, body["error_codes"]["code"][0]["code"].as_str()), (422, Some("coupon_one_per_order")));
    // Applying the same code again changes nothing; removing it takes the discount away.
    let (status, body) = apply(&app, &cart, Some(&bat), "ROUTER10").await;
    assert_eq!((status, body["coupons"].as_array().map(Vec::len)), (200, Some(1)));
    let (status, _) = app.send("DELETE", &format!("/api/v1/carts/{cart}/coupons/NOTHERE"), Some(&bat), None).await;
    assert_eq!(status, 404);
    let (status, body) = app.send("DELETE", &format!("/api/v1/carts/{cart}/coupons/router10"), Some(&bat), None).await;
    assert_eq!((status, body["coupons"].clone(), amount(&body["totals"]["discount"])), (200, json!([]), "0.00".into()));
    let (status, body) = apply(&app, &cart, Some(&bat), &bats.to_lowercase()).await;
    assert_eq!((status, amount(&body["totals"]["discount"])), (200, "500.00".into()), "{body}");
    // Another customer's cart: not theirs to see.
    let other = app.customer_token("saraa@example.mn").await;
    assert_eq!(apply(&app, &cart, Some(&other), "ROUTER10").await.0, 404);
}

#[tokio::test]
async fn a_code_is_used_from_placing_the_order_given_back_on_cancel_and_counted_when_paid() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let bat = app.customer_token("bat@example.mn").await;
    let once = campaign(
        &app,
        &token,
        json!({"name": "Once", "discount": {"type": "fixed", "value": 700},
        "code_policy": "once_per_customer"}),
    )
    .await;
    codes(&app, &token, &once, json!({"code": "ONCE700"})).await;
    let first = app.cart_with(Some(&bat), &[top_up(&app)]).await;
    assert_eq!(apply(&app, &first, Some(&bat), "ONCE700").await.0, 200);
    let second = app.cart_with(Some(&bat), &[top_up(&app)]).await;
    assert_eq!(apply(&app, &second, Some(&bat), "ONCE700").await.0, 200);
    let (status, placed) = app.checkout(&first, Some(&bat), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(amount(&placed["order"]["totals"]["discount"]), "700.00");
    assert_eq!(amount(&placed["order"]["totals"]["total"]), "4300.00");
    assert_eq!(amount(&placed["order"]["items"][0]["discount"]), "700.00");
    assert_eq!(placed["order"]["coupons"], json!(["ONCE700"]));
    assert_eq!(amount(&placed["payment"]["amount"]), "4300.00");
    let order = placed["order"]["id"].as_str().unwrap().to_string();
    // The other cart carries the code too: checkout refuses it as used, and so does applying it.
    let (status, body) = app.checkout(&second, Some(&bat), json!({})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("coupon_used")), "{body}");
    let third = app.cart_with(Some(&bat), &[top_up(&app)]).await;
    let (status, body) = apply(&app, &third, Some(&bat), "ONCE700").await;
    assert_eq!((status, body["code"].as_str()), (409, Some("coupon_used")), "{body}");
    let (_, listed) = app.get_json_as(&format!("/api/v1/admin/campaigns/{once}/codes"), &token).await;
    assert_eq!(listed["items"][0]["status"], "redeemed", "{listed}");
    assert_eq!(listed["items"][0]["customer_email"], "bat@example.mn");
    // Cancelled before payment: the code is the customer's to use again.
    let (status, _) = app.send("POST", &format!("/api/v1/orders/{order}/cancel"), Some(&bat), None).await;
    assert_eq!(status, 200);
    let (_, listed) = app.get_json_as(&format!("/api/v1/admin/campaigns/{once}/codes"), &token).await;
    assert_eq!((listed["total"].as_i64(), listed["items"][0]["status"].as_str()), (Some(1), Some("unused")));
    let (status, placed) = app.checkout(&second, Some(&bat), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    let placed_id = placed["order"]["id"].as_str().unwrap();
    let (_, read) = app.get_json_as(&format!("/api/v1/orders/{placed_id}"), &bat).await;
    assert_eq!(read["coupons"], json!(["ONCE700"]), "{read}");
    let (_, mine) = app.get_json_as("/api/v1/orders", &bat).await;
    assert_eq!(mine["items"][0]["coupons"], json!(["ONCE700"]), "{mine}");
    let (_, stats) = app.get_json_as(&format!("/api/v1/admin/campaigns/{once}/stats"), &token).await;
    assert_eq!((stats["redemptions"].as_i64(), stats["reserved"].as_i64()), (Some(0), Some(1)), "{stats}");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    let (_, stats) = app.get_json_as(&format!("/api/v1/admin/campaigns/{once}/stats"), &token).await;
    assert_eq!(stats["redemptions"], 1, "{stats}");
    assert_eq!(amount(&stats["discount_total"]), "700.00");
    assert_eq!(amount(&stats["revenue"]), "4300.00");
}

#[tokio::test]
async fn statistics_follow_a_scripted_run_of_orders_refunds_included() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let personal = campaign(
        &app,
        &token,
        json!({"name": "Loyal", "discount": {"type": "percent", "value": 20},
        "code_policy": "personal", "budget": 3500}),
    )
    .await;
    let mut customers = Vec::new();
    for name in ["a", "b", "c", "d", "e"] {
        let email = format!("{name}@example.mn");
        customers.push((app.customer_token(&email).await, email));
    }
    let emails: Vec<&str> = customers.iter().map(|(_, e)| e.as_str()).collect();
    let (_, made) = codes(&app, &token, &personal, json!({"assign_to": emails})).await;
    codes(&app, &token, &personal, json!({"count": 3})).await;
    let code_of = |email: &str| {
        made["codes"].as_array().unwrap().iter().find(|c| c["customer_email"] == email).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // a, b, c pay (20 % of a 5,000 top-up: 1,000 off each); d's order takes the last 500 of
    // the budget and is cancelled, which gives it back; c is refunded in full, which keeps its
    // code used and its 1,000 spent, so e gets the 500 left.
    let mut orders = Vec::new();
    for (token_, email) in &customers[..4] {
        let cart = app.cart_with(Some(token_), &[top_up(&app)]).await;
        assert_eq!(apply(&app, &cart, Some(token_), &code_of(email)).await.0, 200);
        let (status, placed) = app.checkout(&cart, Some(token_), json!({})).await;
        assert_eq!(status, 201, "{placed}");
        orders.push(placed);
    }
    let discounts: Vec<String> = orders.iter().map(|o| amount(&o["order"]["totals"]["discount"])).collect();
    assert_eq!(discounts, ["1000.00", "1000.00", "1000.00", "500.00"]);
    for placed in &orders[..3] {
        app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    }
    let (status, _) = app
        .send(
            "POST",
            &format!("/api/v1/orders/{}/cancel", orders[3]["order"]["id"].as_str().unwrap()),
            Some(&customers[3].0),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let refunded = orders[2]["order"]["id"].as_str().unwrap();
    let (status, body) = app
        .call(crate::common::shop::Call {
            method: reqwest::Method::POST,
            path: format!("/api/v1/admin/orders/{refunded}/refund"),
            token: Some(&token),
            body: Some(json!({"reason": "changed mind"})),
            key: Some("refund-1".into()),
        })
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, stats) = app.get_json_as(&format!("/api/v1/admin/campaigns/{personal}/stats"), &token).await;
    assert_eq!(stats["codes_issued"], 8, "{stats}");
    assert_eq!(stats["codes_assigned"], 5);
    assert_eq!(stats["redemptions"], 2);
    assert_eq!(stats["unique_customers"], 2);
    assert_eq!(amount(&stats["discount_total"]), "2000.00");
    assert_eq!(amount(&stats["revenue"]), "8000.00");
    assert_eq!(stats["redemption_rate"], "0.25");
    assert_eq!(stats["per_day"][0]["redemptions"], 2);
    // The refunded code stays used; the cancelled one is the customer's again.
    let (_, listed) =
        app.get_json_as(&format!("/api/v1/admin/campaigns/{personal}/codes?status=redeemed"), &token).await;
    assert_eq!(listed["total"], 3, "{listed}");
    let (_, listed) =
        app.get_json_as(&format!("/api/v1/admin/campaigns/{personal}/codes?status=assigned"), &token).await;
    assert_eq!(listed["total"], 2, "{listed}");
    let cart = app.cart_with(Some(&customers[4].0), &[top_up(&app)]).await;
    let (status, body) = apply(&app, &cart, Some(&customers[4].0), &code_of(&customers[4].1)).await;
    assert_eq!((status, amount(&body["totals"]["discount"])), (200, "500.00".into()), "{body}");
    let (status, placed) = app.checkout(&cart, Some(&customers[4].0), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    // Nothing is left for anyone: d's code is refused as used up.
    let cart = app.cart_with(Some(&customers[3].0), &[top_up(&app)]).await;
    let (status, body) = apply(&app, &cart, Some(&customers[3].0), &code_of(&customers[3].1)).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("coupon_used_up")), "{body}");
    // Staff free c's refunded code: c may use it again, and its 1,000 of budget is back.
    let free = |code: String| format!("/api/v1/admin/campaigns/{personal}/codes/{code}/free");
    let (status, freed) = app.send("POST", &free(code_of(&customers[2].1)), Some(&token), None).await;
    assert_eq!((status, freed["freed"].as_i64()), (200, Some(1)), "{freed}");
    let (status, _) = app.send("POST", &free("NOSUCHCODE".into()), Some(&token), None).await;
    assert_eq!(status, 404);
    let (status, body) = apply(&app, &cart, Some(&customers[3].0), &code_of(&customers[3].1)).await;
    assert_eq!((status, amount(&body["totals"]["discount"])), (200, "1000.00".into()), "{body}");
    let (status, _) =
        app.get_json_as("/api/v1/admin/campaigns/00000000-0000-0000-0000-000000000000/stats", &token).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn customers_come_from_a_csv_and_the_codes_go_out_as_one() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    app.customer_token("saraa@example.mn").await;
    app.customer_token("=dorj@example.mn").await;
    let personal = campaign(
        &app,
        &token,
        json!({"name": "Loyal", "discount": {"type": "fixed", "value": 500},
        "code_policy": "personal"}),
    )
    .await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/admin/campaigns/{personal}/codes")))
        .bearer_auth(&token)
        .header("Content-Type", "text/csv")
        .body("email,name\nsaraa@example.mn,Saraa\n\"=dorj@example.mn\",Dorj\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    assert_eq!(made["codes"].as_array().map(Vec::len), Some(2), "{made}");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/admin/campaigns/{personal}/codes?format=csv")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let kind = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/csv"), "{kind} {:?}", res.status());
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "code,status,customer_id,customer_email,redeemed_at");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines.iter().any(|l| l.contains(",assigned,") && l.ends_with(",saraa@example.mn,")), "{csv}");
    // A spreadsheet would run `=dorj…` as a formula: it is written as text.
    assert!(lines.iter().any(|l| l.contains(",'=dorj@example.mn,")), "{csv}");
    let (status, _) = app.get_json_as(&format!("/api/v1/admin/campaigns/{personal}/codes?format=xml"), &token).await;
    assert_eq!(status, 422);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/admin/campaigns/{personal}/codes")))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn unknown_codes_are_guesses_limited_like_sign_ins_and_known_ones_do_not_count() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let shared = campaign(
        &app,
        &token,
        json!({"name": "Open", "discount": {"type": "fixed", "value": 100},
        "code_policy": "limited"}),
    )
    .await;
    codes(&app, &token, &shared, json!({"code": "REAL"})).await;
    let cart = app.cart_with(None, &[top_up(&app)]).await;
    // Known codes, even refused ones, are no guesses.
    for _ in 0..12 {
        assert_eq!(apply(&app, &cart, None, "REAL").await.0, 200);
    }
    for i in 0..10 {
        let (status, body) = apply(&app, &cart, None, &format!("GUESS{i}")).await;
        assert_eq!(status, 404, "guess {i}: {body}");
    }
    let (status, body) = apply(&app, &cart, None, "GUESS10").await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")), "{body}");
    assert_eq!(apply(&app, &cart, None, "REAL").await.0, 429, "even a right code waits");
}

#[tokio::test]
async fn the_order_mail_shows_the_discount() {
    let smtp = SmtpServer::start().await;
    let app = spawn_with(true, &[("SMTP_URL", &smtp.url()), ("JOB_RUNNER", "on")]).await;
    let token = staff(&app).await;
    let shared = campaign(
        &app,
        &token,
        json!({"name": "Open", "discount": {"type": "fixed", "value": 1000},
        "code_policy": "limited"}),
    )
    .await;
    codes(&app, &token, &shared, json!({"code": "MAILED"})).await;
    let cart = app.cart_with(None, &[top_up(&app)]).await;
    assert_eq!(apply(&app, &cart, None, "MAILED").await.0, 200);
    let (status, placed) = app.checkout(&cart, None, json!({"email": "mail@example.mn"})).await;
    assert_eq!(status, 201, "{placed}");
    let mail = smtp.wait_for("mail@example.mn", 10).await;
    assert!(mail.text().contains("Хөнгөлөлт: −₮1,000"), "{}", mail.text());
    assert!(mail.text().contains("₮4,000"), "{}", mail.text());
}
