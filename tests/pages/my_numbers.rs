//! `/account/numbers` and the order page's eSIM: a customer's numbers, activating one bought for
//! later, and an eSIM's QR code shown to its owner only.
use std::time::Duration;

use serde_json::json;

use crate::common::{cookie_client, csrf_in, spawn_with, TestApp};

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client.get(app.url(path)).send().await.unwrap().text().await.unwrap()
}

fn first_free(app: &TestApp, skip: i64) -> String {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct M {
        #[diesel(sql_type = diesel::sql_types::Text)]
        msisdn: String,
    }
    diesel::sql_query(format!(
        "SELECT msisdn FROM numbers WHERE tier = 'ordinary' AND status = 'available' ORDER BY msisdn OFFSET {skip} LIMIT 1"
    ))
    .get_result::<M>(&mut app.test_db.connect())
    .unwrap()
    .msisdn
}

/// A customer signed in in `client` who paid for `items`; returns the order id.
async fn bought(app: &TestApp, client: &reqwest::Client, email: &str, items: &[serde_json::Value]) -> String {
    app.register_in_browser(client, email).await;
    let token = app.token(email, crate::common::GOOD_PASSWORD).await;
    let cart = app.cart_with(Some(&token), items).await;
    let (status, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    placed["order"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_number_bought_for_later_is_activated_from_my_numbers_with_a_sim_code() {
    let app = spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let client = cookie_client();
    let number = first_free(&app, 0);
    let item = json!({"product_id": app.product_id("number-ordinary"), "number": number, "activation": "later"});
    bought(&app, &client, "later@example.mn", &[item]).await;
    let account = page(&app, &client, "/account").await;
    assert!(account.contains(r#"href="/account/numbers""#));
    let mine = page(&app, &client, "/account/numbers").await;
    assert!(mine.contains("Миний дугаарууд") && mine.contains("Идэвхжүүлээгүй"), "{mine}");
    let csrf = csrf_in(&mine);
    let path = format!("/account/numbers/{number}/activate");

    let res = client
        .post(app.url(&path))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf.as_str()), ("sim", "physical"), ("activation_code", "11112222")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let list = res.text().await.unwrap();
    assert!(list.starts_with(r#"<section id="my-numbers""#), "the list alone: {list}");
    assert!(list.contains(r#"id="activation_code-error""#) && list.contains("ийм кодтой SIM карт алга"), "{list}");

    let res = client
        .post(app.url(&path))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf.as_str()), ("sim", "physical"), ("activation_code", "2026 0021")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let list = res.text().await.unwrap();
    assert!(list.contains("Идэвхжүүлж байна") && list.contains(r#"hx-trigger="every 2s""#), "{list}");
    let mut active = String::new();
    for _ in 0..100 {
        active = page(&app, &client, "/account/numbers").await;
        if active.contains("status-active") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(active.contains("Идэвхтэй") && active.contains("SIM карт дээр"), "{active}");
    assert!(!active.contains("hx-trigger=\"every 2s\""), "it stops asking once active");
}

#[tokio::test]
async fn an_esim_shows_its_qr_code_on_the_order_page_to_its_owner_only() {
    let app = spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let client = cookie_client();
    let number = first_free(&app, 3);
    let item = json!({"product_id": app.product_id("esim"), "number": number});
    let order = bought(&app, &client, "esim@example.mn", &[item]).await;
    let mut shown = String::new();
    for _ in 0..100 {
        shown = page(&app, &client, &format!("/orders/{order}")).await;
        if shown.contains(r#"class="qr"><svg"#) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown.contains(r#"class="qr"><svg"#) && shown.contains("SM-DP+ хаяг"), "{shown}");
    assert!(shown.contains(r#"href="LPA:1$smdp.demo.storefront.mn$DEMO-"#), "one-tap install");
    let mine = page(&app, &client, "/account/numbers").await;
    assert!(mine.contains(r#"class="qr"><svg"#) && mine.contains("smdp.demo.storefront.mn"), "{mine}");

    // Staff reach the order, but the eSIM is its owner's alone.
    app.create_staff("staff@shop.mn", storefront::domain::accounts::Role::Staff);
    let staff = cookie_client();
    app.sign_in_browser(&staff, "staff@shop.mn").await;
    let as_staff = page(&app, &staff, &format!("/orders/{order}")).await;
    assert!(as_staff.contains("order-status") && !as_staff.contains(r#"class="qr"><svg"#), "{as_staff}");
}
