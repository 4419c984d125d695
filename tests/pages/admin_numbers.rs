//! Staff find numbers in any state by pattern, state and tier, retire a free one and put it back
//! on sale; a number a shopper holds or owns is never taken from them.
use serde_json::json;

use crate::admin::staff_client;
use crate::common::{between, csrf_in, spawn_app, GOOD_PASSWORD};

#[tokio::test]
async fn staff_find_numbers_by_pattern_and_state_and_retire_and_release_a_free_one() {
    let app = spawn_app().await;
    app.sql(
        "INSERT INTO numbers (msisdn, tier, status) VALUES ('88557701', 'gold', 'available'), \
         ('88557702', 'gold', 'available'), ('88557703', 'silver', 'sold') ON CONFLICT DO NOTHING",
    );
    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/numbers?lang=en&q=8855770*").await;
    assert_eq!(status, 200);
    let found = between(&page, r#"id="numbers-found""#, "</table>").to_string();
    assert!(page.contains(">3 numbers<"), "{page}");
    assert!(found.contains("8855 7701") && found.contains("8855 7703") && found.contains("Sold"), "{found}");
    assert!(!between(&found, r#"data-msisdn="88557703""#, "</tr>").contains("Retire"), "a sold number stays sold");

    let (_, page) = app.page(&staff, "/admin/numbers?lang=en&q=557*&status=available&tier=gold").await;
    assert!(page.contains(">0 numbers<"), "a pattern with * is anchored at the start");
    let (_, page) = app.page(&staff, "/admin/numbers?lang=en&q=5577&status=available&tier=gold").await;
    assert!(page.contains(">2 numbers<"));
    let (status, page) = app.page(&staff, "/admin/numbers?lang=en&q=88a").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"class="field-error""#), "a wrong pattern is told, not a 500");

    // A shopper holds 88557702: staff cannot retire it from under them.
    let cart = app.cart_with(None, &[]).await;
    let (held, body) = app
        .post_json(
            &format!("/api/v1/carts/{cart}/items"),
            &json!({"product_id": app.product_id("number-gold"), "number": "88557702", "activation": "later"}),
        )
        .await;
    assert_eq!(held, 201, "{body}");
    let csrf = csrf_in(&page);
    let back = "/admin/numbers?q=5577&status=&tier=#found";
    let post = |msisdn: &str, action: &str| {
        staff
            .post(app.url(&format!("/admin/numbers/{msisdn}/{action}?lang=en")))
            .form(&[("_csrf", csrf.as_str()), ("back", back)])
            .send()
    };
    let res = post("88557702", "retire").await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], back);
    let (_, page) = app.page(&staff, "/admin/numbers?lang=en&q=5577").await;
    assert!(page.contains("was not changed"), "told why");
    assert_eq!(app.count("SELECT count(*) AS n FROM numbers WHERE msisdn = '88557702' AND status = 'held'"), 1);

    let res = post("88557701", "retire").await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = app.page(&staff, "/admin/numbers?lang=en&q=88557701").await;
    assert!(page.contains("The number is retired.") && page.contains("Put back on sale"), "{page}");
    let (_, offers) = app.get_json("/api/v1/numbers?q=88557701").await;
    assert_eq!(offers["total"], 0, "shoppers no longer see it: {offers}");
    assert_eq!(post("88557701", "retire").await.unwrap().status(), 303, "twice is told, not an error");
    assert_eq!(post("88557701", "release").await.unwrap().status(), 303);
    let (_, offers) = app.get_json("/api/v1/numbers?q=88557701").await;
    assert_eq!(offers["total"], 1, "on sale again");
    assert_eq!(post("99999999", "retire").await.unwrap().status(), 404);
    assert_eq!(post("88557701", "explode").await.unwrap().status(), 404);

    let token = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let (_, record) = app.get_json_as("/api/v1/admin/numbers/88557701", &token).await;
    let events: Vec<_> = record["events"].as_array().unwrap().iter().map(|e| e["event"].clone()).collect();
    assert_eq!(events, [json!("retired"), json!("released")], "{record}");
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?subject_type=number", &token).await;
    assert_eq!(audit["total"], 2, "{audit}");
}

#[tokio::test]
async fn sim_cards_and_esim_profiles_are_imported_from_the_page_after_a_preview() {
    use storefront::domain::telco::inventory::luhn_complete;
    let app = spawn_app().await;
    let staff = staff_client(&app).await;
    let (_, page) = app.page(&staff, "/admin/numbers?lang=en").await;
    let csrf = csrf_in(&page);
    let before = app.count("SELECT count(*) AS n FROM sim_cards");
    let cards = format!(
        "iccid,activation_code\n{},55551234\n{},12\n",
        luhn_complete("898810099000000011"),
        luhn_complete("898810099000000012")
    );
    let res = staff
        .post(app.url("/admin/numbers/preview?lang=en"))
        .form(&[("_csrf", csrf.as_str()), ("pool", "sim_cards"), ("csv", cards.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let preview = between(&page, r#"id="preview""#, "</form>");
    assert!(preview.contains("add 1 SIM cards") && preview.contains("activation_code"), "{preview}");
    assert!(preview.contains(r#"name="pool" value="sim_cards""#));
    assert_eq!(app.count("SELECT count(*) AS n FROM sim_cards"), before, "a preview imports nothing");
    let res = staff
        .post(app.url("/admin/numbers/import"))
        .form(&[("_csrf", csrf.as_str()), ("pool", "sim_cards"), ("csv", cards.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = app.page(&staff, &format!("{at}&lang=en")).await;
    assert!(page.contains("Imported 1 SIM cards; 0 were in the pool already; 1 lines refused."), "{page}");
    assert_eq!(app.count("SELECT count(*) AS n FROM sim_cards"), before + 1);

    let profiles = format!("{},LPA:1$smdp.operator.mn$K2-1F2E3D-4C5B6A\n", luhn_complete("898810088000000011"));
    let res = staff
        .post(app.url("/admin/numbers/import"))
        .form(&[("_csrf", csrf.as_str()), ("pool", "esim_profiles"), ("csv", profiles.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM esim_profiles WHERE iccid LIKE '89881008800000001%'"),
        1,
        "imported, its code sealed"
    );
    let token = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?subject_type=pool", &token).await;
    assert_eq!(audit["total"], 2, "{audit}");
}
