//! Coupon codes on the pages: the code field in the cart (htmx and plain forms), a refusal
//! beside the field in the visitor's language, a mail's link that applies the code, the
//! discount on the order, and the customer's codes on `/account`.
use serde_json::json;
use storefront::domain::accounts::Role;

use crate::common::{between, cookie_client, csrf_in, spawn_app, TestApp};

/// A staff member makes a campaign with `body` and one code (or assigns one to `assign_to`).
async fn make(app: &TestApp, body: serde_json::Value, codes: serde_json::Value) -> serde_json::Value {
    if app.count("SELECT count(*) AS n FROM accounts WHERE email = 'staff@shop.mn'") == 0 {
        app.create_staff("staff@shop.mn", Role::Staff);
    }
    let token = app.token("staff@shop.mn", crate::common::GOOD_PASSWORD).await;
    let (status, created) = app.send("POST", "/api/v1/admin/campaigns", Some(&token), Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let (status, made) =
        app.send("POST", &format!("/api/v1/admin/campaigns/{id}/codes"), Some(&token), Some(codes)).await;
    assert_eq!(status, 201, "{made}");
    made
}

async fn add_top_up(app: &TestApp, client: &reqwest::Client) {
    let (_, html) = app.page(client, "/products/top-up-5000").await;
    let csrf = csrf_in(&html);
    let product = between(&html, r#"name="product_id" value=""#, "\"").to_string();
    let res = client
        .post(app.url("/cart/items"))
        .form(&[("_csrf", csrf.as_str()), ("product_id", &product), ("msisdn", "8811 2233")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

async fn apply(app: &TestApp, client: &reqwest::Client, code: &str, lang: &str) -> (u16, String) {
    let (_, cart) = app.page(client, "/cart").await;
    let res = client
        .post(app.url(&format!("/cart/coupons?lang={lang}")))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf_in(&cart).as_str()), ("code", code)])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_code_typed_in_the_cart_takes_its_discount_and_a_refusal_stands_beside_the_field() {
    let app = spawn_app().await;
    make(
        &app,
        json!({"name": "Winter", "discount": {"type": "fixed", "value": 1000}, "code_policy": "limited"}),
        json!({"code": "WINTER"}),
    )
    .await;
    make(
        &app,
        json!({"name": "Past", "discount": {"type": "fixed", "value": 1000}, "code_policy": "limited",
        "ends_at": "2020-01-01"}),
        json!({"code": "PAST"}),
    )
    .await;
    let shopper = cookie_client();
    add_top_up(&app, &shopper).await;
    let (_, cart) = app.page(&shopper, "/cart").await;
    assert!(cart.contains(r#"id="coupon-code""#) && !cart.contains(r#"class="discount""#), "no discount yet");

    // A refusal: the fragment keeps the typed code, marks the field and says why, in Mongolian
    // by default and in English when asked.
    let (status, fragment) = apply(&app, &shopper, "past", "mn").await;
    assert_eq!(status, 422);
    assert!(fragment.contains("энэ кодын хугацаа дууссан"), "{fragment}");
    assert!(fragment.contains(r#"value="past""#) && fragment.contains(r#"aria-invalid="true""#));
    let (_, fragment) = apply(&app, &shopper, "NOPE", "en").await;
    assert!(fragment.contains("no such code"), "{fragment}");

    let (status, fragment) = apply(&app, &shopper, " winter ", "en").await;
    assert_eq!(status, 200, "{fragment}");
    assert!(fragment.contains("WINTER") && fragment.contains("−₮1,000"), "{fragment}");
    assert!(fragment.contains("₮4,000"), "the total after the discount: {fragment}");
    // The checkout page shows the same, and the order carries it.
    let (_, checkout) = app.page(&shopper, "/checkout?lang=en").await;
    assert!(checkout.contains("WINTER") && checkout.contains("₮4,000"));
    let form = [
        ("_csrf", csrf_in(&checkout)),
        ("key", between(&checkout, r#"name="key" value=""#, "\"").to_string()),
        ("cart_version", between(&checkout, r#"name="cart_version" value=""#, "\"").to_string()),
        ("email", "guest@example.mn".to_string()),
    ];
    let res = shopper.post(app.url("/checkout")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let order = app.count("SELECT count(*) AS n FROM orders WHERE discount = 1000 AND total = 4000");
    assert_eq!(order, 1);

    // Without JavaScript: the form posts and the cart page comes back with the discount.
    let plain = cookie_client();
    add_top_up(&app, &plain).await;
    let (_, cart) = app.page(&plain, "/cart").await;
    let res = plain
        .post(app.url("/cart/coupons"))
        .form(&[("_csrf", csrf_in(&cart).as_str()), ("code", "WINTER")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, cart) = app.page(&plain, "/cart").await;
    assert!(cart.contains("Код амжилттай хэрэгжлээ") && cart.contains("−₮1,000"), "{cart}");
    let res = plain
        .post(app.url("/cart/coupons/winter/delete"))
        .form(&[("_csrf", csrf_in(&cart).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, cart) = app.page(&plain, "/cart").await;
    assert!(!cart.contains("−₮1,000"), "removed");
    // A form without its CSRF token is refused.
    let res = plain.post(app.url("/cart/coupons")).form(&[("code", "WINTER")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_mailed_personal_code_opens_the_cart_with_it_applied_and_the_account_lists_its_status() {
    let app = spawn_app().await;
    let shopper = cookie_client();
    app.register_in_browser(&shopper, "saraa@example.mn").await;
    let made = make(
        &app,
        json!({"name": "Loyal", "discount": {"type": "percent", "value": 10},
        "code_policy": "personal", "ends_at": "2030-06-01T12:00"}),
        json!({"assign_to": ["saraa@example.mn"]}),
    )
    .await;
    let code = made["codes"][0]["code"].as_str().unwrap().to_string();
    let (_, account) = app.page(&shopper, "/account").await;
    assert!(
        account.contains(&code)
            && account.contains("Ашиглах боломжтой")
            && account.contains("2030 оны 6-р сарын 1, 12:00")
    );
    assert!(account.contains(&format!("/cart?coupon={code}")));

    // The mail's link with an empty cart: the code waits for something to apply to.
    let (status, cart) = app.page(&shopper, &format!("/cart?coupon={}&lang=en", code.to_lowercase())).await;
    assert_eq!(status, 200, "{cart}");
    assert!(cart.contains(&code) && cart.contains("applies once your cart has something"), "{cart}");
    add_top_up(&app, &shopper).await;
    let (_, cart) = app.page(&shopper, "/cart").await;
    assert!(cart.contains("−₮500"), "{cart}");

    // Someone else opening the link is asked to sign in, and then told it is not theirs.
    let visitor = cookie_client();
    let res = visitor.get(app.url(&format!("/cart?coupon={code}"))).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?next="));
    app.register_in_browser(&visitor, "dorj@example.mn").await;
    let (status, cart) = app.page(&visitor, &format!("/cart?coupon={code}")).await;
    assert_eq!(status, 422);
    assert!(cart.contains("энэ код өөр хэрэглэгчид олгогдсон"), "{cart}");

    // Paid: the code shows as used on the account page.
    let (_, checkout) = app.page(&shopper, "/checkout").await;
    let form = [
        ("_csrf", csrf_in(&checkout)),
        ("key", between(&checkout, r#"name="key" value=""#, "\"").to_string()),
        ("cart_version", between(&checkout, r#"name="cart_version" value=""#, "\"").to_string()),
    ];
    let res = shopper.post(app.url("/checkout")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, account) = app.page(&shopper, "/account?lang=en").await;
    assert!(account.contains("code-used") && account.contains(">Used<"), "{account}");
}
