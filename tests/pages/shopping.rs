use crate::common::{between, cookie_client, csrf_in, spawn_app, TestApp};

async fn add_router(app: &TestApp, client: &reqwest::Client, quantity: &str, htmx: bool) -> reqwest::Response {
    let (_, html) = app.page(client, "/products/zte-mf286-4g-router?lang=en").await;
    let csrf = csrf_in(&html);
    let product = between(&html, r#"name="product_id" value=""#, "\"").to_string();
    let mut req = client.post(app.url("/cart/items?lang=en")).form(&[
        ("_csrf", csrf.as_str()),
        ("product_id", &product),
        ("quantity", quantity),
    ]);
    if htmx {
        req = req.header("HX-Request", "true");
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn adding_to_the_cart_updates_the_badge_and_the_cart_page() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    let res = add_router(&app, &shopper, "1", false).await;
    assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/cart"));
    let (_, cart) = app.page(&shopper, "/cart?lang=en").await;
    assert!(cart.contains("Added to your cart."), "{cart}");
    assert!(cart.contains("ZTE MF286 4G router") && cart.contains("₮189,000"));
    assert!(cart.contains("₮194,000"), "delivery fee in the total");
    assert_eq!(between(&cart, r#"class="cart-count""#, "</span>").rsplit('>').next(), Some("1"));

    // With htmx: a confirmation and the badge swapped out of band.
    let res = add_router(&app, &shopper, "2", true).await;
    assert_eq!(res.status(), 200);
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains("Added to your cart.") && fragment.contains(r#"hx-swap-oob="true""#));
    assert!(!fragment.contains("<html"));
    assert_eq!(between(&fragment, r#"class="cart-count""#, "</span>").rsplit('>').next(), Some("3"));

    // A quantity out of range is refused where it was typed, and nothing changes.
    let res = add_router(&app, &shopper, "0", true).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("must be a whole number from 1 to 99"));
    let res = add_router(&app, &shopper, "500", false).await;
    assert_eq!(res.status(), 422);

    // Changing and removing lines in place.
    let (_, cart) = app.page(&shopper, "/cart?lang=en").await;
    let line = between(&cart, r#"data-line=""#, "\"").to_string();
    let csrf = csrf_in(&cart);
    let res = shopper
        .post(app.url(&format!("/cart/items/{line}?lang=en")))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf.as_str()), ("quantity", "-3")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = shopper
        .post(app.url(&format!("/cart/items/{line}?lang=en")))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf.as_str()), ("quantity", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["hx-trigger"], "cart-changed");
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains(r#"id="cart""#) && fragment.contains("₮378,000"));
    let res = shopper
        .post(app.url(&format!("/cart/items/{line}/delete")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, cart) = app.page(&shopper, "/cart?lang=en").await;
    assert!(cart.contains("Your cart is empty."));
    // Without a CSRF token nothing is added.
    let res = shopper.post(app.url("/cart/items")).form(&[("product_id", "x")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_guests_cart_joins_the_account_on_sign_in() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    app.register_in_browser(&shopper, "bat@example.mn").await;
    add_router(&app, &shopper, "1", false).await;
    shopper
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf_in(&app.page(&shopper, "/cart").await.1).as_str())])
        .send()
        .await
        .unwrap();
    let (_, cart) = app.page(&shopper, "/cart?lang=en").await;
    assert!(cart.contains("Your cart is empty."), "signing out leaves the account's cart behind");
    add_router(&app, &shopper, "2", false).await;
    let res = app.sign_in_browser(&shopper, "bat@example.mn").await;
    assert_eq!(res.status(), 303);
    let (_, cart) = app.page(&shopper, "/cart?lang=en").await;
    let quantity = between(&cart, r#"name="quantity" type="number" min="1" max="99" value=""#, "\"");
    assert_eq!(quantity, "3", "the guest's two routers joined the account's one");
    assert_eq!(app.count("SELECT count(*) AS n FROM carts WHERE status = 'open'"), 1);
}

#[tokio::test]
async fn checkout_asks_for_what_is_missing_then_goes_to_payment_and_tracking() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    add_router(&app, &shopper, "1", false).await;
    let (status, html) = app.page(&shopper, "/checkout?lang=en").await;
    assert_eq!(status, 200);
    // Only branches holding the router are offered: not the 3rd & 4th microdistrict (0), not the warehouse.
    let pickup = between(&html, r#"id="pickup-branches""#, "</div>");
    assert!(pickup.contains("Central branch") || pickup.contains("Zaisan"), "{pickup}");
    assert!(!pickup.contains("3rd &amp; 4th") && !pickup.contains("Delivery warehouse"), "{pickup}");
    let csrf = csrf_in(&html);
    let key = between(&html, r#"name="key" value=""#, "\"").to_string();
    let version = between(&html, r#"name="cart_version" value=""#, "\"").to_string();

    let res = shopper
        .post(app.url("/checkout?lang=en"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("key", &key),
            ("cart_version", &version),
            ("method", "delivery"),
            ("name", "Bat"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="email-error""#), "email is asked for");
    assert!(html.contains(r#"id="address-phone-error""#), "the phone is missing");
    assert!(html.contains(r#"value="Bat""#), "input kept");

    let form = [
        ("_csrf", csrf.as_str()),
        ("key", &key),
        ("cart_version", &version),
        ("email", "guest@example.mn"),
        ("method", "delivery"),
        ("name", "Bat"),
        ("phone", "8811 2233"),
        ("city", "Ulaanbaatar"),
        ("district", "Bayangol"),
        ("line1", "3rd microdistrict, 45-12"),
    ];
    let res = shopper.post(app.url("/checkout?lang=en")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let pay = res.headers()["location"].to_str().unwrap().to_string();
    assert!(pay.starts_with("/payments/") && pay.ends_with("/pay"), "{pay}");
    // A double submit lands on the same payment; one order.
    let again = shopper.post(app.url("/checkout?lang=en")).form(&form).send().await.unwrap();
    assert_eq!(again.headers()["location"].to_str().unwrap(), pay);
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);
    let (_, cart) = app.page(&shopper, "/cart?lang=en").await;
    assert!(cart.contains("Your cart is empty."));

    let (status, sandbox) = app.page(&shopper, &format!("{pay}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(sandbox.contains("₮194,000") && sandbox.contains("Approve payment"));
    // The provider's page is reached by the payment alone: it shows no link to the order.
    assert!(!sandbox.contains("token="), "the sandbox page shows the order's secret");
    let res = shopper
        .post(app.url(&pay))
        .form(&[("_csrf", csrf_in(&sandbox).as_str()), ("outcome", "succeeded")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let tracking = res.headers()["location"].to_str().unwrap().to_string();
    assert!(tracking.starts_with("/orders/") && !tracking.contains('?'), "{tracking}");
    // The guest's browser kept the link when it placed the order.
    let (status, order) = app.page(&shopper, &format!("{tracking}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(order.contains(r#"id="order-status">Paid<"#), "{order}");
    assert!(order.contains("Awaiting payment") && order.contains("Delivered to Bat"));
    assert!(order.contains(r#"id="order-vat">₮17,636.36<"#), "the receipt shows the VAT it includes");
    // Without the link (and not signed in), the order does not exist.
    let bare = tracking.as_str();
    assert_eq!(app.page(&cookie_client(), bare).await.0, 404);
    let (status, _) = app.page(&cookie_client(), &format!("{bare}?token=wrong")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_declined_payment_can_be_paid_again_or_the_order_cancelled() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    app.register_in_browser(&shopper, "bat@example.mn").await;
    add_router(&app, &shopper, "1", false).await;
    let (_, html) = app.page(&shopper, "/checkout?lang=en").await;
    let branch = between(&html, r#"name="branch_id" value=""#, "\"").to_string();
    let form = [
        ("_csrf", csrf_in(&html)),
        ("key", between(&html, r#"name="key" value=""#, "\"").to_string()),
        ("cart_version", between(&html, r#"name="cart_version" value=""#, "\"").to_string()),
        ("method", "pickup".to_string()),
        ("branch_id", branch),
    ];
    let res = shopper.post(app.url("/checkout")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let pay = res.headers()["location"].to_str().unwrap().to_string();
    let sandbox = app.page(&shopper, &pay).await.1;
    let res = shopper
        .post(app.url(&pay))
        .form(&[("_csrf", csrf_in(&sandbox).as_str()), ("outcome", "failed")])
        .send()
        .await
        .unwrap();
    let tracking = res.headers()["location"].to_str().unwrap().to_string();
    let order_path = tracking.split('?').next().unwrap().to_string();
    // The owner, signed in, needs no token.
    let (_, order) = app.page(&shopper, &format!("{order_path}?lang=en")).await;
    assert!(order.contains(r#"id="order-status">Awaiting payment<"#), "{order}");
    assert!(order.contains(r#"id="payment-declined""#) && order.contains("Your payment was declined"), "{order}");
    assert!(order.contains(r#"id="pay-order">Pay again<"#), "{order}");
    let res = shopper
        .post(app.url(&format!("{order_path}/pay")))
        .form(&[("_csrf", csrf_in(&order).as_str())])
        .send()
        .await
        .unwrap();
    let again = res.headers()["location"].to_str().unwrap().to_string();
    assert_ne!(again, pay, "a new payment attempt");
    let res = shopper
        .post(app.url(&format!("{order_path}/cancel")))
        .form(&[("_csrf", csrf_in(&order).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, order) = app.page(&shopper, &format!("{order_path}?lang=en")).await;
    assert!(order.contains("The order was cancelled.") && order.contains(r#"id="order-status">Cancelled<"#));
    let (_, account) = app.page(&shopper, "/account?lang=en").await;
    assert!(account.contains("Your orders") && account.contains("TS-"), "orders listed on the account page");
}

#[tokio::test]
async fn a_top_up_is_bought_with_an_email_and_no_delivery_step() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    let (_, html) = app.page(&shopper, "/products/top-up-any-amount?lang=en").await;
    let csrf = csrf_in(&html);
    let product = between(&html, r#"name="product_id" value=""#, "\"").to_string();
    assert!(html.contains(r#"name="msisdn""#) && html.contains(r#"name="amount""#));
    let refused = shopper
        .post(app.url("/cart/items?lang=en"))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf.as_str()), ("product_id", &product), ("msisdn", "9911 2233"), ("amount", "100")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.unwrap();
    assert!(text.contains("one of our numbers") && text.contains("must be from"), "{text}");
    let res = shopper
        .post(app.url("/cart/items"))
        .form(&[("_csrf", csrf.as_str()), ("product_id", &product), ("msisdn", "8811 2233"), ("amount", "7500")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, checkout) = app.page(&shopper, "/checkout?lang=en").await;
    assert!(!checkout.contains("How do you want it?") && !checkout.contains("pickup-branches"), "no delivery step");
    assert!(checkout.contains("8811 2233") && checkout.contains("₮7,500"));
    let form = [
        ("_csrf", csrf_in(&checkout)),
        ("key", between(&checkout, r#"name="key" value=""#, "\"").to_string()),
        ("cart_version", between(&checkout, r#"name="cart_version" value=""#, "\"").to_string()),
        ("email", "guest@example.mn".to_string()),
    ];
    let res = shopper.post(app.url("/checkout")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/payments/"));
}

/// A refusal from the domain is a page of its problem code, in the visitor's language, with its
/// status: a paid order cannot be cancelled (409), nor paid again.
#[tokio::test]
async fn cancelling_or_paying_a_paid_order_answers_its_conflict_in_the_visitors_language() {
    let app = spawn_app().await;
    let router = app.product_id("zte-mf286-4g-router");
    let cart = app.cart_with(None, &[serde_json::json!({"product_id": router})]).await;
    let body = serde_json::json!({"email": "a@b.mn", "fulfillment": crate::common::shop::delivery()});
    let (_, placed) = app.checkout(&cart, None, body).await;
    let (order, payment) = (placed["order"]["id"].as_str().unwrap(), placed["payment"]["id"].as_str().unwrap());
    assert_eq!(app.simulate(payment, "succeeded").await.0, 200);
    let token = placed["order_token"].as_str().unwrap().to_string();
    let shopper = cookie_client();
    for (lang, says) in [("mn", "захиалга энэ хооронд өөрчлөгдсөн"), ("en", "The order has moved on meanwhile")]
    {
        let (status, _) = app.page(&shopper, &format!("/orders/{order}?token={token}&lang={lang}")).await;
        assert_eq!(status, 200);
        // A paid order's page offers neither action: a stale tab or a second device still might.
        let (_, form) = app.page(&shopper, "/login").await;
        let csrf = csrf_in(&form);
        let res = shopper
            .post(app.url(&format!("/orders/{order}/cancel")))
            .form(&[("_csrf", csrf.as_str()), ("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 409, "{lang}");
        let text = res.text().await.unwrap();
        assert!(text.to_lowercase().contains(&says.to_lowercase()), "{lang}: {text}");
        let res = shopper
            .post(app.url(&format!("/orders/{order}/pay")))
            .form(&[("_csrf", csrf.as_str()), ("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 409, "{lang}");
    }
    assert_eq!(app.order_status(order).0, "paid");
}

/// A checkout form places an order only for the cart its page showed: a cart changed in another
/// tab, or an old form sent again after its order when a new cart is filling, gets the
/// checkout page again with the current cart, a notice and a new key, never an order for
/// lines the shopper did not see nor the old order.
#[tokio::test]
async fn a_checkout_form_places_only_the_cart_its_page_showed() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    app.register_in_browser(&shopper, "bat@example.mn").await;
    add_router(&app, &shopper, "1", false).await;
    let (_, html) = app.page(&shopper, "/checkout?lang=en").await;
    let branch = between(&html, r#"name="branch_id" value=""#, "\"").to_string();
    let shown = |html: &str| {
        [
            ("_csrf", csrf_in(html)),
            ("key", between(html, r#"name="key" value=""#, "\"").to_string()),
            ("cart_version", between(html, r#"name="cart_version" value=""#, "\"").to_string()),
            ("method", "pickup".to_string()),
            ("branch_id", branch.clone()),
        ]
    };
    let old = shown(&html);
    // Another tab changes the cart before this form is sent.
    add_router(&app, &shopper, "1", false).await;
    let res = shopper.post(app.url("/checkout?lang=en")).form(&old).send().await.unwrap();
    assert_eq!(res.status(), 409);
    let again = res.text().await.unwrap();
    assert!(again.contains("Your cart changed since this page was shown"), "{again}");
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 0);
    let fresh = shown(&again);
    assert_ne!(fresh[1].1, old[1].1, "a new key");
    let res = shopper.post(app.url("/checkout")).form(&fresh).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("SELECT sum(quantity) AS n FROM order_items"), 2, "the cart the page showed");
    // The same form again is the same order (a double submit) ...
    let twice = shopper.post(app.url("/checkout")).form(&fresh).send().await.unwrap();
    assert_eq!(twice.headers()["location"], res.headers()["location"]);
    // ... but not once a new cart is filling: that one is checked out afresh.
    add_router(&app, &shopper, "3", false).await;
    let res = shopper.post(app.url("/checkout?lang=en")).form(&fresh).send().await.unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("Your cart changed"));
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);
}
