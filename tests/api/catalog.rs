use serde_json::Value;

use crate::common::{spawn_app, spawn_app_empty};

fn slugs(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn categories_are_a_bare_array_with_parents() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/api/v1/categories").await;
    assert_eq!(status, 200);
    let cats = body.as_array().expect("bare array");
    let devices = cats.iter().find(|c| c["slug"] == "devices").unwrap();
    let routers = cats.iter().find(|c| c["slug"] == "routers").unwrap();
    assert_eq!(routers["parent_id"], devices["id"]);
    assert!(devices["parent_id"].is_null());
    assert_eq!(devices["name"], "Төхөөрөмж");
    let mut keys: Vec<_> = routers.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["id", "name", "parent_id", "slug"]);
}

#[tokio::test]
async fn products_have_the_contract_shape_and_money_format() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/api/v1/products/zte-mf286-4g-router").await;
    assert_eq!(status, 200);
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["attributes", "available", "category_id", "description", "id", "kind", "name", "price", "slug"]);
    assert_eq!(body["kind"], "device");
    assert_eq!(body["price"], serde_json::json!({"amount": "189000.00", "currency": "MNT"}));
    assert!(body["attributes"]["specs"]["network"].as_str().unwrap().contains("4G"));
    assert_eq!(body["available"], true);
    // The same product by its id.
    let id = body["id"].as_str().unwrap();
    let (status, by_id) = app.get_json(&format!("/api/v1/products/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(by_id["slug"], "zte-mf286-4g-router");
}

#[tokio::test]
async fn attributes_follow_each_kind() {
    let app = spawn_app().await;
    let (_, plan) = app.get_json("/api/v1/products/plan-smart-25").await;
    for k in ["minutes", "sms", "data_mb", "units", "validity_days"] {
        assert!(plan["attributes"][k].is_i64(), "plan attribute {k}");
    }
    let (_, number) = app.get_json("/api/v1/products/number-gold").await;
    assert_eq!(number["attributes"], serde_json::json!({"tier": "gold"}));
    assert_eq!(number["price"]["amount"], "300000.00");
    let (_, free) = app.get_json("/api/v1/products/top-up-any-amount").await;
    assert_eq!(free["attributes"]["free_amount"], true);
    let (_, fixed) = app.get_json("/api/v1/products/top-up-5000").await;
    assert_eq!(fixed["attributes"]["free_amount"], false);
    assert_eq!(fixed["price"]["amount"], "5000.00");
    let (_, data) = app.get_json("/api/v1/products/data-5gb-30d").await;
    assert_eq!(data["attributes"], serde_json::json!({"data_mb": 5120, "validity_days": 30}));
    let (_, service) = app.get_json("/api/v1/products/esim-reissue").await;
    assert_eq!(service["attributes"], serde_json::json!({"service": "esim_reissue"}));
    let (_, esim) = app.get_json("/api/v1/products/esim").await;
    assert_eq!(esim["attributes"], serde_json::json!({}));
}

#[tokio::test]
async fn a_device_out_of_stock_everywhere_is_not_available() {
    let app = spawn_app().await;
    let (_, body) = app.get_json("/api/v1/products/huawei-b311-4g-router").await;
    assert_eq!(body["available"], false);
}

#[tokio::test]
async fn product_list_is_paginated_with_a_total() {
    let app = spawn_app().await;
    let (status, all) = app.get_json("/api/v1/products?per_page=100").await;
    assert_eq!(status, 200);
    let total = all["total"].as_i64().unwrap();
    assert_eq!(total as usize, all["items"].as_array().unwrap().len());
    assert!(total > 20, "the demo catalog spans more than one default page");

    let (_, first) = app.get_json("/api/v1/products").await;
    assert_eq!((first["page"].as_i64(), first["per_page"].as_i64()), (Some(1), Some(20)));
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    assert_eq!(first["total"].as_i64(), Some(total));

    // Pages do not overlap and together cover everything, in the same order.
    let mut seen = Vec::new();
    for page in 1..=((total + 6) / 7) {
        let (_, p) = app.get_json(&format!("/api/v1/products?per_page=7&page={page}")).await;
        assert_eq!(p["total"].as_i64(), Some(total));
        seen.extend(slugs(&p));
    }
    assert_eq!(seen, slugs(&all));

    // Past the last page: no items, but the total is still told.
    let (status, past) = app.get_json("/api/v1/products?page=99").await;
    assert_eq!(status, 200);
    assert!(past["items"].as_array().unwrap().is_empty());
    assert_eq!(past["total"].as_i64(), Some(total));
}

#[tokio::test]
async fn an_empty_catalog_is_an_empty_page() {
    let app = spawn_app_empty().await;
    let (status, body) = app.get_json("/api/v1/products").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"items": [], "page": 1, "per_page": 20, "total": 0}));
    let (_, cats) = app.get_json("/api/v1/categories").await;
    assert_eq!(cats, serde_json::json!([]));
}

#[tokio::test]
async fn products_filter_by_kind_and_by_category_with_children() {
    let app = spawn_app().await;
    let (_, devices) = app.get_json("/api/v1/products?kind=device&per_page=100").await;
    assert!(devices["items"].as_array().unwrap().iter().all(|p| p["kind"] == "device"));
    assert_eq!(devices["total"], 7);

    let (_, by_parent) = app.get_json("/api/v1/products?category=devices&per_page=100").await;
    assert_eq!(by_parent["total"], 7, "the parent category includes routers and phones");
    let (_, routers) = app.get_json("/api/v1/products?category=routers").await;
    assert_eq!(routers["total"], 4);
    let (_, phones) = app.get_json("/api/v1/products?category=phones&kind=device").await;
    assert_eq!(phones["total"], 3);
    let (_, none) = app.get_json("/api/v1/products?category=phones&kind=plan").await;
    assert_eq!(none["total"], 0);

    let (status, unknown) = app.get_json("/api/v1/products?category=no-such-category").await;
    assert_eq!(status, 200);
    assert_eq!(unknown["total"], 0);
}

#[tokio::test]
async fn search_matches_both_languages_and_treats_wildcards_literally() {
    let app = spawn_app().await;
    let (_, en) = app.get_json("/api/v1/products?q=router").await;
    let (_, mn) = app.get_json("/api/v1/products?q=%D1%80%D2%AF%D2%AF%D1%82%D1%8D%D1%80").await; // рүүтэр, a spelling of it
    let (_, mn_ok) = app.get_json("/api/v1/products?q=%D0%A0%D2%AF%D2%AF%D1%82%D0%B5%D1%80").await; // Рүүтер
                                                                                                    // The three routers by name and the pocket router filed under routers.
    assert_eq!(en["total"], 4, "{en}");
    assert_eq!(mn["total"], 4, "another spelling finds the same");
    assert_eq!(mn_ok["total"], 4, "Mongolian names match whatever the case");
    let (_, two_words) = app.get_json("/api/v1/products?q=huawei+5g").await;
    assert_eq!(slugs(&two_words), ["huawei-5g-cpe-pro-5"]);
    let (_, percent) = app.get_json("/api/v1/products?q=%25").await;
    assert_eq!(percent["total"], 0, "% is a character, not a wildcard");
    let (_, underscore) = app.get_json("/api/v1/products?q=_").await;
    assert_eq!(underscore["total"], 0);
}

#[tokio::test]
async fn bad_query_parameters_are_422_naming_the_field() {
    let app = spawn_app().await;
    for (query, field) in [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=1e3", "per_page"),
        ("kind=toaster", "kind"),
        ("category=Not%20A%20Slug", "category"),
    ] {
        let res = app.get(&format!("/api/v1/products?{query}")).await;
        assert_eq!(res.status().as_u16(), 422, "{query}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], 422);
        assert_eq!(body["code"], "validation_failed");
        assert!(body["errors"][field].is_array(), "{query}: {body}");
        assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string());
    }
    let long_q = "x".repeat(101);
    let (status, body) = app.get_json(&format!("/api/v1/products?q={long_q}")).await;
    assert_eq!(status, 422);
    assert!(body["errors"]["q"].is_array());
    // Several bad fields are all reported at once.
    let (_, body) = app.get_json("/api/v1/products?page=0&per_page=500&kind=x").await;
    let fields: Vec<_> = body["errors"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(fields, ["kind", "page", "per_page"]);
}

#[tokio::test]
async fn malformed_query_strings_are_400_not_500() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/api/v1/products?page=1&page=2").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "bad_request");
}

#[tokio::test]
async fn a_category_includes_descendants_at_any_depth() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let mut conn = app.test_db.connect();
    diesel::sql_query(
        "WITH c AS (INSERT INTO categories (slug, parent_id, name_mn, name_en) \
           SELECT '5g-routers', id, '5G рүүтер', '5G routers' FROM categories WHERE slug = 'routers' RETURNING id) \
         UPDATE products SET category_id = (SELECT id FROM c) WHERE slug = 'huawei-5g-cpe-pro-5'",
    )
    .execute(&mut conn)
    .unwrap();
    let (_, deep) = app.get_json("/api/v1/products?category=5g-routers").await;
    assert_eq!(slugs(&deep), ["huawei-5g-cpe-pro-5"]);
    let (_, routers) = app.get_json("/api/v1/products?category=routers").await;
    assert_eq!(routers["total"], 4, "the grandchild's product is still a router");
    let (_, devices) = app.get_json("/api/v1/products?category=devices&per_page=100").await;
    assert!(slugs(&devices).contains(&"huawei-5g-cpe-pro-5".to_string()));
    assert_eq!(devices["total"], 7);
}

#[tokio::test]
async fn unknown_products_and_paths_are_problem_404s() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/products/no-such-product",
        "/api/v1/products/00000000-0000-0000-0000-000000000000",
        "/api/v1/products/00000000-0000-0000-0000-000000000000/availability",
        "/api/v1/nothing-here",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 404, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "not_found");
    }
    let res = app.client.post(app.url("/api/v1/products")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn availability_lists_every_branch_for_devices() {
    let app = spawn_app().await;
    let (_, product) = app.get_json("/api/v1/products/huawei-5g-cpe-pro-5").await;
    let id = product["id"].as_str().unwrap();
    let (status, body) = app.get_json(&format!("/api/v1/products/{id}/availability?lang=en")).await;
    assert_eq!(status, 200);
    let rows = body.as_array().unwrap();
    let (_, branches) = app.get_json("/api/v1/branches").await;
    assert_eq!(rows.len(), branches.as_array().unwrap().len(), "every branch, the warehouse included");
    let find = |name: &str| rows.iter().find(|r| r["branch_name"] == name).unwrap().clone();
    assert_eq!(find("Central branch")["quantity"], 4);
    assert_eq!(find("Zaisan branch")["quantity"], 0);
    let warehouse = find("Delivery warehouse");
    assert_eq!(warehouse["quantity"], 20);
    assert_eq!(warehouse["pickup"], false);
    let mut keys: Vec<_> = warehouse.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["branch_id", "branch_name", "pickup", "quantity"]);

    // Kinds without stock have nothing to list.
    let (_, topup) = app.get_json("/api/v1/products/top-up-5000").await;
    let (status, body) =
        app.get_json(&format!("/api/v1/products/{}/availability", topup["id"].as_str().unwrap())).await;
    assert_eq!((status, body), (200, serde_json::json!([])));
}

#[tokio::test]
async fn branches_have_exactly_one_delivery_warehouse() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/api/v1/branches").await;
    assert_eq!(status, 200);
    let branches = body.as_array().unwrap();
    assert!(branches.len() >= 4);
    assert_eq!(branches.iter().filter(|b| b["delivery_warehouse"] == true).count(), 1);
    assert!(branches.iter().filter(|b| b["pickup"] == true).count() >= 4);
    let mut keys: Vec<_> = branches[0].as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["address", "delivery_warehouse", "id", "name", "opening_hours", "pickup"]);
}

#[tokio::test]
async fn names_follow_the_requested_language() {
    let app = spawn_app().await;
    let (_, mn) = app.get_json("/api/v1/products/number-gold").await;
    assert_eq!(mn["name"], "Алтан дугаар");
    let (_, en) = app.get_json("/api/v1/products/number-gold?lang=en").await;
    assert_eq!(en["name"], "Gold number");
    let res = app
        .client
        .get(app.url("/api/v1/products/number-gold"))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none(), "the API sets no cookies");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Gold number");
}

#[tokio::test]
async fn a_product_list_costs_the_same_few_queries_whatever_its_size() {
    let app = spawn_app().await;
    // Warm up: the pool's first connections are opened lazily.
    app.get("/api/v1/products").await;
    let mut costs = Vec::new();
    for per_page in [1, 20, 100] {
        let before = app.queries();
        let res = app.get(&format!("/api/v1/products?per_page={per_page}")).await;
        assert_eq!(res.status(), 200);
        costs.push(app.queries() - before);
    }
    assert_eq!(costs, [1, 1, 1], "one product query with its window count; categories resolved inside it");
    let (_, filtered) = app.get_json("/api/v1/products?category=devices&q=5g&kind=device").await;
    assert_eq!(slugs(&filtered), ["huawei-5g-cpe-pro-5", "samsung-galaxy-a55"]);
    let before = app.queries();
    app.get("/api/v1/products?category=devices&q=router&kind=device").await;
    assert_eq!(app.queries() - before, 1, "every filter at once is still one statement");

    app.get("/products").await; // keeps the category menu
    for per_page in [1, 100] {
        let before = app.queries();
        app.get(&format!("/products?per_page={per_page}")).await;
        assert_eq!(app.queries() - before, 1, "the HTML list page, menu kept");
    }
    let before = app.queries();
    app.get("/").await;
    assert_eq!(app.queries() - before, 2, "home: featured + kinds");
    let before = app.queries();
    app.get("/products/zte-mf286-4g-router").await;
    assert_eq!(app.queries() - before, 2, "product (its first picture kept with it) + availability, menu kept");
}

#[tokio::test]
async fn search_understands_the_words_shoppers_use_in_either_language_and_near_spellings() {
    let app = spawn_app().await;
    let found = |q: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app.get_json(&format!("/api/v1/products?per_page=100&q={}", urlencode(q))).await;
            assert_eq!(status, 200, "{q}: {body}");
            slugs(&body)
        }
    };
    let phones = found("утас").await;
    assert!(
        phones.contains(&"samsung-galaxy-a55".to_string()) && phones.contains(&"iphone-16-128gb".to_string()),
        "{phones:?}"
    );
    assert!(!phones.iter().any(|s| s.contains("router")), "a category word finds its category: {phones:?}");
    let mut english = found("phones").await;
    let mut mongolian = phones.clone();
    english.sort();
    mongolian.sort();
    assert_eq!(english, mongolian, "and in English");
    for spelling in ["роутер", "рутер", "router", "рүүтер"] {
        let routers = found(spelling).await;
        assert!(routers.contains(&"zte-mf286-4g-router".to_string()), "{spelling}: {routers:?}");
        assert!(!routers.contains(&"samsung-galaxy-a55".to_string()), "{spelling}: {routers:?}");
    }
    assert_eq!(found("айфон").await, ["iphone-16-128gb"]);
    let packs = found("багц").await;
    assert!(!packs.is_empty() && packs.iter().all(|s| !s.contains("router") && !s.contains("galaxy")), "{packs:?}");
    assert!(found("samsng").await.contains(&"samsung-galaxy-a55".to_string()), "a typo still finds it");
    let plans = found("plan").await;
    assert!(
        plans.contains(&"plan-smart-15".to_string()) && !plans.contains(&"number-platinum".to_string()),
        "a word the catalog has is taken as written, not as a near spelling of another (platinum): {plans:?}"
    );
    assert!(found("qqqqzz").await.is_empty());
    assert_eq!(found("galaxy").await.first().map(String::as_str), Some("samsung-galaxy-a55"), "nearest first");
    // A category renamed is searched by its new name at once (the kept documents follow it).
    app.sql("UPDATE categories SET name_en = 'Handsets' WHERE slug = 'phones'");
    assert!(found("handsets").await.contains(&"samsung-galaxy-a55".to_string()));
    let before = app.queries();
    app.get("/api/v1/products?q=%D1%80%D0%BE%D1%83%D1%82%D0%B5%D1%80").await;
    assert_eq!(app.queries() - before, 1, "synonyms and near spellings in the same one statement");
    let (_, page) = app.get_text("/products?q=%D1%83%D1%82%D0%B0%D1%81").await;
    assert!(page.contains("/products/samsung-galaxy-a55"), "the page's search is the same");
}

fn urlencode(q: &str) -> String {
    serde_urlencoded::to_string([("q", q)]).unwrap().trim_start_matches("q=").to_string()
}

fn prices(body: &Value) -> Vec<f64> {
    body["items"].as_array().unwrap().iter().map(|p| p["price"]["amount"].as_str().unwrap().parse().unwrap()).collect()
}

/// Lists come in the order asked for, within a price range, optionally only what can be bought
/// now; a wrong refinement names its field.
#[tokio::test]
async fn lists_sort_by_price_newest_and_popularity_and_filter_by_price_and_stock() {
    use crate::common::shop::pickup;
    use serde_json::json;
    let app = spawn_app().await;
    let (_, body) = app.get_json("/api/v1/products?kind=device&sort=price_asc").await;
    let up = prices(&body);
    assert!(up.windows(2).all(|w| w[0] <= w[1]) && up.len() == 7, "{up:?}");
    let (_, body) = app.get_json("/api/v1/products?kind=device&sort=price_desc").await;
    assert_eq!(prices(&body).first(), up.last(), "the dearest first");

    let (_, body) = app.get_json("/api/v1/products?kind=device&min_price=150000&max_price=750000&sort=price_asc").await;
    assert_eq!(prices(&body), [189000.0, 699000.0, 749000.0], "{body}");
    let (_, body) = app.get_json("/api/v1/products?kind=device&in_stock=1").await;
    assert!(!slugs(&body).contains(&"huawei-b311-4g-router".to_string()) && body["total"] == 6, "{body}");

    // A device made just now comes first among the newest.
    app.sql("UPDATE products SET created_at = now() + interval '1 minute' WHERE slug = 'xiaomi-redmi-note-13'");
    let (_, body) = app.get_json("/api/v1/products?sort=newest&per_page=1").await;
    assert_eq!(slugs(&body), ["xiaomi-redmi-note-13"]);

    // Paid units count: two routers paid for make it the most bought; an unpaid order does not.
    let router = app.product_id("tp-link-m7350-pocket-wifi");
    let phone = app.product_id("samsung-galaxy-a55");
    let cart = app.cart_with(None, &[json!({"product_id": router, "quantity": 2})]).await;
    let branch = app.branch_id("zaisan");
    let (status, placed) = app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": pickup(branch)})).await;
    assert_eq!(status, 201, "{placed}");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    let cart = app.cart_with(None, &[json!({"product_id": phone, "quantity": 3})]).await;
    let central = app.branch_id("central");
    let (status, unpaid) = app.checkout(&cart, None, json!({"email": "a@b.mn", "fulfillment": pickup(central)})).await;
    assert_eq!(status, 201, "{unpaid}");
    let (_, body) = app.get_json("/api/v1/products?kind=device&sort=popular&per_page=1").await;
    assert_eq!(slugs(&body), ["tp-link-m7350-pocket-wifi"], "{body}");

    let (status, bad) = app.get_json("/api/v1/products?sort=cheapest&min_price=-5&max_price=abc").await;
    assert_eq!(status, 422);
    assert_eq!(bad["error_codes"]["sort"][0]["code"], "sort_order", "{bad}");
    assert_eq!(bad["error_codes"]["min_price"][0]["code"], "decimal", "{bad}");
    assert_eq!(bad["error_codes"]["max_price"][0]["code"], "decimal", "{bad}");
    let (status, bad) = app.get_json("/api/v1/products?min_price=500000&max_price=100000").await;
    assert_eq!((status, &bad["error_codes"]["max_price"][0]["code"]), (422, &json!("price_range")), "{bad}");
}
