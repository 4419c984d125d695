//! The staff catalog API: products of every kind, branches and stock, each change named in the
//! audit log with who made it and the record before and after.
use serde_json::{json, Value};
use storefront::domain::accounts::Role;

use crate::common::{spawn_app, TestApp};

async fn staff(app: &TestApp) -> String {
    app.create_staff("staff@shop.mn", Role::Staff);
    app.token("staff@shop.mn", crate::common::GOOD_PASSWORD).await
}

fn router_body() -> Value {
    json!({"name": {"mn": "Хуавэй 5G рүүтер", "en": "Huawei 5G Router"}, "kind": "device", "category": "routers",
        "price": "459000", "description": {"mn": "Гэрийн интернэт", "en": "Home internet"},
        "attributes": {"specs": {"network": "5G", "wifi": "Wi-Fi 6"}}})
}

#[tokio::test]
async fn only_staff_change_the_catalog() {
    let app = spawn_app().await;
    let (status, _) = app.send("POST", "/api/v1/admin/products", None, Some(router_body())).await;
    assert_eq!(status, 401);
    let customer = app.customer_token("bat@example.mn").await;
    for (method, path) in
        [("POST", "/api/v1/admin/products"), ("POST", "/api/v1/admin/branches"), ("PUT", "/api/v1/admin/stock")]
    {
        let (status, _) = app.send(method, path, Some(&customer), Some(json!({}))).await;
        assert_eq!(status, 403, "{method} {path}");
    }
    let (status, _) = app.send("GET", "/api/v1/admin/audit", Some(&customer), None).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn staff_add_change_and_hide_products_and_every_wrong_field_is_named() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let (status, created) = app.send("POST", "/api/v1/admin/products", Some(&token), Some(router_body())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["slug"], "huawei-5g-router");
    assert_eq!(created["name"], "Хуавэй 5G рүүтер");
    assert_eq!(created["names"]["en"], "Huawei 5G Router");
    assert_eq!(created["price"]["amount"], "459000.00");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, shown) = app.get_json("/api/v1/products/huawei-5g-router?lang=en").await;
    assert_eq!((status, shown["name"].as_str()), (200, Some("Huawei 5G Router")));
    assert_eq!(shown["attributes"]["specs"]["network"], "5G");

    let (status, body) = app.send("POST", "/api/v1/admin/products", Some(&token), Some(router_body())).await;
    assert_eq!((status, body["error_codes"]["slug"][0]["code"].as_str()), (422, Some("slug_taken")), "{body}");
    let wrong = json!({"name": "Багц", "kind": "plan", "category": "nowhere", "price": "-1", "slug": "Bad Slug",
        "attributes": {"minutes": "lots"}});
    let (status, body) = app.send("POST", "/api/v1/admin/products", Some(&token), Some(wrong)).await;
    assert_eq!(status, 422, "{body}");
    for field in ["category", "price", "slug", "attributes.minutes"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, body) = app.send("POST", "/api/v1/admin/products", Some(&token), Some(json!({}))).await;
    assert_eq!(status, 422);
    for field in ["name.mn", "name.en", "kind", "category", "price"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    // A plan with its allowances, one name for both languages.
    let plan = json!({"name": "Smart 50", "kind": "plan", "category": "plans", "price": 50000,
        "attributes": {"minutes": 500, "sms": 500, "data_mb": 50000, "units": 0, "validity_days": 30}});
    let (status, body) = app.send("POST", "/api/v1/admin/products", Some(&token), Some(plan)).await;
    assert_eq!(status, 201, "{body}");

    let path = format!("/api/v1/admin/products/{id}");
    let (status, changed) = app.send("PATCH", &path, Some(&token), Some(json!({"price": "439000"}))).await;
    assert_eq!((status, changed["price"]["amount"].as_str()), (200, Some("439000.00")), "{changed}");
    assert_eq!(changed["names"]["mn"], "Хуавэй 5G рүүтер", "the rest stays");
    let (status, body) = app.send("PATCH", &path, Some(&token), Some(json!({"kind": "plan"}))).await;
    assert_eq!(status, 422, "a plan needs a plan's attributes: {body}");
    let (status, _) = app.send("PATCH", &path, Some(&token), Some(json!({"active": false}))).await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json("/api/v1/products/huawei-5g-router").await;
    assert_eq!(status, 404, "hidden from the shop");
    let (status, _) = app
        .send("PATCH", "/api/v1/admin/products/00000000-0000-0000-0000-000000000000", Some(&token), Some(json!({})))
        .await;
    assert_eq!(status, 404);

    let (_, audit) =
        app.get_json_as(&format!("/api/v1/admin/audit?subject_type=product&subject_id={id}"), &token).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["product_updated", "product_updated", "product_created"], "{audit}");
    let price_change = &audit["items"][1];
    assert_eq!(price_change["actor_email"], "staff@shop.mn");
    assert_eq!(price_change["before"]["price"], "459000.00");
    assert_eq!(price_change["after"]["price"], "439000.00");
}

#[tokio::test]
async fn staff_open_branches_and_set_stock_with_a_reason() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let body = json!({"name": {"mn": "Дархан салбар", "en": "Darkhan branch"}, "address": {"mn": "Дархан, 4-р хороо",
        "en": "Darkhan, 4th khoroo"}, "opening_hours": "Даваа–Баасан 09:00–18:00", "delivery_warehouse": true});
    let (status, branch) = app.send("POST", "/api/v1/admin/branches", Some(&token), Some(body.clone())).await;
    assert_eq!(status, 201, "{branch}");
    assert_eq!((branch["pickup"].as_bool(), branch["delivery_warehouse"].as_bool()), (Some(true), Some(true)));
    assert_eq!(branch["slug"], "darkhan-branch");
    let warehouses = app.count("SELECT count(*) AS n FROM branches WHERE delivery_warehouse");
    assert_eq!(warehouses, 1, "the flag moved");
    let (status, again) = app.send("POST", "/api/v1/admin/branches", Some(&token), Some(body)).await;
    assert_eq!((status, again["error_codes"]["slug"][0]["code"].as_str()), (422, Some("slug_taken")));
    let (status, bad) = app.send("POST", "/api/v1/admin/branches", Some(&token), Some(json!({"name": "X"}))).await;
    assert_eq!(status, 422);
    assert!(bad["errors"]["address.mn"].is_array() && bad["errors"]["opening_hours.mn"].is_array(), "{bad}");
    assert_eq!((branch["open_days"].as_i64(), &branch["opens_at"]), (Some(7), &json!(null)), "no hours, no promise");

    // Hours a program reads: checked, then kept as times.
    let hours = |days: u8, opens: &str, closes: &str| {
        json!({"name": {"mn": "Эрдэнэт салбар", "en": "Erdenet branch"}, "address": "Эрдэнэт", "opening_hours": "—",
            "open_days": days, "opens_at": opens, "closes_at": closes})
    };
    let (status, bad) = app.send("POST", "/api/v1/admin/branches", Some(&token), Some(hours(4, "9", "18:00"))).await;
    assert_eq!(status, 422);
    assert_eq!(bad["error_codes"]["open_days"][0]["code"], "open_days", "{bad}");
    assert_eq!(bad["error_codes"]["opens_at"][0]["code"], "time_of_day", "{bad}");
    let (_, bad) = app.send("POST", "/api/v1/admin/branches", Some(&token), Some(hours(6, "18:00", "09:00"))).await;
    assert_eq!(bad["error_codes"]["closes_at"][0]["code"], "ends_before_start", "{bad}");
    let (_, bad) = app.send("POST", "/api/v1/admin/branches", Some(&token), Some(hours(6, "09:00", ""))).await;
    assert_eq!(bad["error_codes"]["closes_at"][0]["code"], "required", "{bad}");
    let (status, erdenet) =
        app.send("POST", "/api/v1/admin/branches", Some(&token), Some(hours(6, "09:30", "18:00"))).await;
    assert_eq!(status, 201, "{erdenet}");
    assert_eq!(
        (&erdenet["open_days"], &erdenet["opens_at"], &erdenet["closes_at"]),
        (&json!(6), &json!("09:30"), &json!("18:00"))
    );

    let branch_id = branch["id"].as_str().unwrap();
    let router = app.product_id("zte-mf286-4g-router");
    let set = json!({"product_id": router, "branch_id": branch_id, "quantity": 12, "reason": "delivery from Huawei"});
    let (status, level) = app.send("PUT", "/api/v1/admin/stock", Some(&token), Some(set)).await;
    assert_eq!(status, 200, "{level}");
    assert_eq!(level, json!({"product_id": router, "branch_id": branch_id, "quantity": 12}));
    let (_, availability) = app.get_json("/api/v1/products/zte-mf286-4g-router/availability").await;
    let here = availability.as_array().unwrap().iter().find(|a| a["branch_id"] == branch_id).cloned();
    assert_eq!(here.map(|a| a["quantity"].clone()), Some(json!(12)), "{availability}");
    let (status, _) = app
        .send(
            "PUT",
            "/api/v1/admin/stock",
            Some(&token),
            Some(json!({"product_id": router, "branch_id": branch_id, "quantity": 9})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM stock_movements WHERE delta = -3 AND quantity_after = 9"),
        1,
        "the change is a movement"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM stock_movements WHERE reason = 'delivery from Huawei' AND delta = 12"),
        1
    );
    let plan = app.product_id("data-5gb-30d");
    for (body, field) in [
        (json!({"product_id": plan, "branch_id": branch_id, "quantity": 1}), "product_id"),
        (json!({"product_id": router, "branch_id": router, "quantity": 1}), "branch_id"),
        (json!({"product_id": router, "branch_id": branch_id, "quantity": -1}), "quantity"),
        (json!({"product_id": router, "branch_id": branch_id, "quantity": 2.5}), "quantity"),
    ] {
        let (status, bad) = app.send("PUT", "/api/v1/admin/stock", Some(&token), Some(body)).await;
        assert_eq!((status, bad["errors"][field].is_array()), (422, true), "{field}: {bad}");
    }
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?action=stock_set", &token).await;
    assert_eq!(audit["total"], 2, "{audit}");
    assert_eq!(audit["items"][0]["before"]["quantity"], 12);
    assert_eq!(audit["items"][0]["after"]["quantity"], 9);
    let (status, _) = app.get_json_as("/api/v1/admin/audit?action=teleported", &token).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn staff_actions_on_orders_campaigns_and_imports_are_in_the_audit_log() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let (_, campaign) = app
        .send(
            "POST",
            "/api/v1/admin/campaigns",
            Some(&token),
            Some(json!({"name": "A", "discount": {"type": "fixed",
            "value": 100}, "code_policy": "limited"})),
        )
        .await;
    let id = campaign["id"].as_str().unwrap();
    app.send("POST", &format!("/api/v1/admin/campaigns/{id}/codes"), Some(&token), Some(json!({"count": 3}))).await;
    let res = app
        .client
        .post(app.url("/api/v1/admin/numbers/import"))
        .bearer_auth(&token)
        .header("Content-Type", "text/csv")
        .body("msisdn,tier\n88000001,ordinary\n77000001,gold\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, audit) = app.get_json_as("/api/v1/admin/audit", &token).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["numbers_imported", "codes_made", "campaign_created"], "{audit}");
    assert_eq!(audit["items"][0]["after"], json!({"imported": 1, "skipped": 0, "refused": 1}));
    assert_eq!(audit["items"][1]["after"], json!({"generated": 3}));
}
