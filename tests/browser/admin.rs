//! Staff in a real browser: a personal campaign made from the admin pages, its codes assigned
//! to customers and mailed (caught by the test's SMTP server).
use fantoccini::Locator;
use storefront::domain::accounts::Role;

use crate::common::browser::{click, fill, path, sign_in, text_of, Browser};
use crate::common::smtp::SmtpServer;
use crate::common::spawn_with;

#[tokio::test]
async fn staff_create_a_campaign_and_mail_personal_codes_to_customers() {
    let smtp = SmtpServer::start().await;
    let app = spawn_with(true, &[("SMTP_URL", &smtp.url()), ("JOB_RUNNER", "on")]).await;
    app.customer_token("saraa@example.mn").await;
    app.customer_token("dorj@example.mn").await;
    app.create_staff("staff@shop.mn", Role::Staff);
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(1024, 900).await.unwrap();
    sign_in(c, &app.url("/login?lang=en&next=/admin/campaigns"), "staff@shop.mn").await;
    b.wait_for(10, "the campaigns", || async { path(c).await == "/admin/campaigns" }).await;
    click(c, "#new-campaign").await;
    b.wait_for(10, "the form", || async { path(c).await == "/admin/campaigns/new" }).await;
    fill(c, "name", "Loyal customers").await;
    click(c, "input[name=discount_type][value=fixed]").await;
    fill(c, "discount_value", "5000").await;
    click(c, "input[name=code_policy][value=personal]").await;
    click(c, "#create-campaign").await;
    b.wait_for(10, "the campaign's page", || async { text_of(c, "#campaign-name").await == "Loyal customers" }).await;
    fill(c, "customers", "saraa@example.mn\ndorj@example.mn").await;
    let mail_box = c.find(Locator::Css("#assign-form input[name=send_email]")).await.unwrap();
    assert_eq!(mail_box.prop("checked").await.unwrap().as_deref(), Some("true"));
    click(c, "#assign-codes").await;
    b.wait_for(10, "the codes", || async { text_of(c, "#codes").await.contains("saraa@example.mn") }).await;
    let codes = text_of(c, "#codes").await;
    assert!(codes.contains("dorj@example.mn") && codes.contains("Assigned"), "{codes}");
    let mail = smtp.wait_for("saraa@example.mn", 15).await;
    assert!(mail.text().contains("₮5,000"), "{}", mail.text());
    let code =
        mail.link_path("/cart").and_then(|l| l.split('=').nth(1).map(String::from)).expect("a link with the code");
    assert!(codes.contains(&code), "the mailed code is the assigned one: {code} in {codes}");
    smtp.wait_for("dorj@example.mn", 15).await;
    b.close().await;
}

#[tokio::test]
async fn a_new_order_and_its_payment_appear_on_the_dashboard_live_from_another_server() {
    let app = spawn_with(true, &[]).await;
    let other = app.another_server(&[]);
    app.create_staff("staff@shop.mn", Role::Staff);
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app.url("/login?lang=en&next=/admin"), "staff@shop.mn").await;
    b.wait_for(10, "the dashboard", || async { path(c).await == "/admin" }).await;
    b.wait_for(10, "the feed connected", || async { c.find(Locator::Css("#feed[data-live=on]")).await.is_ok() }).await;

    let top_up = serde_json::json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    let (status, cart) = app
        .call_at(
            &other.address,
            crate::common::shop::Call {
                method: reqwest::Method::POST,
                path: "/api/v1/carts".into(),
                token: None,
                body: None,
                key: None,
            },
        )
        .await;
    assert_eq!(status, 201);
    let cart = cart["id"].as_str().unwrap().to_string();
    let add = crate::common::shop::Call {
        method: reqwest::Method::POST,
        path: format!("/api/v1/carts/{cart}/items"),
        token: None,
        body: Some(top_up),
        key: None,
    };
    assert_eq!(app.call_at(&other.address, add).await.0, 201);
    let checkout = crate::common::shop::Call {
        method: reqwest::Method::POST,
        path: format!("/api/v1/carts/{cart}/checkout"),
        token: None,
        body: Some(serde_json::json!({"email": "live@example.mn"})),
        key: Some("live-1".into()),
    };
    let (status, placed) = app.call_at(&other.address, checkout).await;
    assert_eq!(status, 201, "{placed}");
    let number = placed["order"]["number"].as_str().unwrap().to_string();
    b.wait_for(15, "the new order in the feed", || async { text_of(c, "#feed").await.contains(&number) }).await;
    assert!(text_of(c, "#feed li").await.contains("placed"));
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    b.wait_for(15, "its payment in the feed", || async { text_of(c, "#feed li.feed-paid").await.contains(&number) })
        .await;
    assert_eq!(path(c).await, "/admin", "no reload");
    b.close().await;
}

/// A paid order, placed through the API: a router delivered or collected at Zaisan.
async fn paid_router_order(app: &crate::common::TestApp, fulfillment: serde_json::Value) -> String {
    let router = serde_json::json!({"product_id": app.product_id("zte-mf286-4g-router")});
    let cart = app.cart_with(None, &[router]).await;
    let (status, placed) =
        app.checkout(&cart, None, serde_json::json!({"email": "buyer@example.mn", "fulfillment": fulfillment})).await;
    assert_eq!(status, 201, "{placed}");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    placed["order"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn staff_ship_a_delivery_and_hand_over_a_pickup_order_from_the_order_page() {
    let smtp = SmtpServer::start().await;
    let app = spawn_with(true, &[("SMTP_URL", &smtp.url()), ("JOB_RUNNER", "on")]).await;
    let delivery = paid_router_order(&app, crate::common::shop::delivery()).await;
    let pickup = paid_router_order(&app, crate::common::shop::pickup(app.branch_id("zaisan"))).await;
    app.create_staff("staff@shop.mn", Role::Staff);
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(1024, 900).await.unwrap();
    sign_in(c, &app.url(&format!("/login?lang=en&next=/admin/orders/{delivery}")), "staff@shop.mn").await;
    b.wait_for(10, "the order", || async { text_of(c, "#order-status").await == "Paid" }).await;
    fill(c, "tracking", "MN-778899").await;
    click(c, "#action-shipped").await;
    b.wait_for(10, "shipped", || async { text_of(c, "#order-status").await == "Shipped" }).await;
    assert!(text_of(c, "#order").await.contains("MN-778899"));
    click(c, "#action-completed").await;
    b.wait_for(10, "completed", || async { text_of(c, "#order-status").await == "Completed" }).await;

    c.goto(&app.url(&format!("/admin/orders/{pickup}"))).await.unwrap();
    assert!(c.find(Locator::Css("#action-shipped")).await.is_err(), "a pickup order is not shipped");
    click(c, "#action-ready_for_pickup").await;
    b.wait_for(10, "ready", || async { text_of(c, "#order-status").await == "Ready for pickup" }).await;
    // The shopper's mail carries the code; a wrong one hands nothing over.
    let code_in = |text: &str| {
        ["Your pickup code: ", "Таны авах код: "]
            .iter()
            .find_map(|lead| text.split(lead).nth(1).map(|rest| rest.chars().take(7).collect::<String>()))
    };
    let mut code = None;
    b.wait_for(15, "the ready-for-pickup mail", || {
        code = smtp
            .received()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains("buyer@")))
            .find_map(|m| code_in(&m.text()));
        let found = code.is_some();
        async move { found }
    })
    .await;
    let code = code.unwrap();
    assert_eq!(code.len(), 7, "{code}");
    fill(c, "pickup_code", "999999").await;
    click(c, "#action-picked_up").await;
    b.wait_for(10, "told it is wrong", || async { text_of(c, ".notice").await.contains("not this order's") }).await;
    assert_eq!(text_of(c, "#order-status").await, "Ready for pickup");
    fill(c, "pickup_code", &code).await;
    click(c, "#action-picked_up").await;
    b.wait_for(10, "handed over", || async { text_of(c, "#order-status").await == "Completed" }).await;
    let (_, audit) = app
        .get_json_as(
            "/api/v1/admin/audit?action=order_moved",
            &app.token("staff@shop.mn", crate::common::GOOD_PASSWORD).await,
        )
        .await;
    assert_eq!(audit["total"], 4, "{audit}");
    b.close().await;
}

#[tokio::test]
async fn staff_import_numbers_from_a_csv_with_one_bad_line_after_a_preview() {
    let app = spawn_with(true, &[]).await;
    app.create_staff("staff@shop.mn", Role::Staff);
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(1024, 900).await.unwrap();
    sign_in(c, &app.url("/login?lang=en&next=/admin/numbers"), "staff@shop.mn").await;
    b.wait_for(10, "the numbers page", || async { path(c).await == "/admin/numbers" }).await;
    assert!(text_of(c, "#pools").await.contains("Platinum"));
    fill(c, "csv", "msisdn,tier\n88990001,gold\n99990002,gold\n88990003,silver\n").await;
    click(c, "#preview-import").await;
    b.wait_for(10, "the preview", || async { text_of(c, "#preview").await.contains("add 2 numbers") }).await;
    let errors = text_of(c, "#preview-errors").await;
    assert!(errors.contains('3') && errors.contains("msisdn"), "line 3 (the foreign number) is named: {errors}");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM numbers WHERE msisdn IN ('88990001', '88990003')"),
        0,
        "nothing yet"
    );
    click(c, "#confirm-import").await;
    b.wait_for(10, "the import", || async { text_of(c, "#import-done").await.contains("Imported 2 numbers") }).await;
    assert_eq!(app.count("SELECT count(*) AS n FROM numbers WHERE msisdn IN ('88990001', '88990003')"), 2);
    b.close().await;
}

#[tokio::test]
async fn staff_set_stock_in_place_on_a_tablet_and_the_change_is_kept_with_why() {
    let app = spawn_with(true, &[]).await;
    app.create_staff("staff@shop.mn", Role::Staff);
    let router = app.product_id("zte-mf286-4g-router");
    let zaisan = app.branch_id("zaisan");
    app.set_stock(router, zaisan, 2);
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(800, 1000).await.unwrap();
    sign_in(c, &app.url("/login?lang=en&next=/admin/stock"), "staff@shop.mn").await;
    b.wait_for(10, "the stock grid", || async { path(c).await == "/admin/stock" }).await;
    let cell = format!("stock-{router}-{zaisan}");
    fill(c, "stock-reason", "Delivery received").await;
    fill(c, &format!("{cell}-q"), "9").await;
    click(c, &format!("#{cell} button")).await;
    b.wait_for(10, "the cell saved in place", || async { text_of(c, &format!("#{cell}")).await.contains("Saved") })
        .await;
    assert!(c.find(Locator::Css(".notice")).await.is_err(), "no reload: the plain form's notice is not there");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM stock_movements WHERE product_id = '{router}' AND branch_id = '{zaisan}' \
             AND delta = 7 AND reason = 'Delivery received'"
        )),
        1
    );
    b.close().await;
}

#[tokio::test]
async fn every_admin_section_fits_a_tablet_and_is_reached_by_keyboard() {
    let app = spawn_with(true, &[]).await;
    app.create_staff("admin@shop.mn", Role::Admin);
    let router = app.product_id("zte-mf286-4g-router");
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(768, 1024).await.unwrap();
    sign_in(c, &app.url("/login?lang=mn&next=/admin"), "admin@shop.mn").await;
    b.wait_for(10, "the dashboard", || async { path(c).await == "/admin" }).await;
    for page in [
        "/admin".to_string(),
        "/admin/orders".into(),
        "/admin/products".into(),
        format!("/admin/products/{router}"),
        "/admin/categories".into(),
        "/admin/branches".into(),
        "/admin/stock".into(),
        "/admin/customers".into(),
        "/admin/numbers?q=88*".into(),
        "/admin/campaigns".into(),
        "/admin/campaigns/new".into(),
        "/admin/jobs".into(),
        "/admin/reports".into(),
        "/admin/audit".into(),
        "/admin/staff".into(),
    ] {
        c.goto(&app.url(&page)).await.unwrap();
        let fits =
            c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await.unwrap();
        assert_eq!(fits, serde_json::json!(true), "{page} scrolls sideways at 768 px");
        // The page opens with a skip link; Enter on it moves on to the page's own content.
        let first = c
            .execute(
                "const all = [...document.querySelectorAll('a[href], button, input, select, textarea')]; \
                 return all[0] ? all[0].className : '';",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(first, serde_json::json!("skip-link"), "{page}");
        let skip = c.find(Locator::Css(".skip-link")).await.unwrap();
        skip.send_keys(&fantoccini::key::Key::Enter.to_string()).await.unwrap();
        b.wait_for(5, "the skip link followed", || async {
            c.current_url().await.map(|u| u.fragment() == Some("main")).unwrap_or(false)
        })
        .await;
    }
    b.close().await;
}
