//! Branches and their stock from the admin: a branch opened and changed, stock set in place by
//! htmx or a plain form, each change a movement with who and why, and bad input told in the cell.
use crate::admin::staff_client;
use crate::common::{between, cookie_client, csrf_in, spawn_app, GOOD_PASSWORD};

#[tokio::test]
async fn staff_open_and_change_a_branch_and_one_warehouse_remains() {
    let app = spawn_app().await;
    let customer = cookie_client();
    app.register_in_browser(&customer, "bat@example.mn").await;
    assert_eq!(customer.get(app.url("/admin/branches")).send().await.unwrap().status(), 403);
    assert_eq!(customer.get(app.url("/admin/stock")).send().await.unwrap().status(), 403);

    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/branches?lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"data-branch="zaisan""#) && page.contains(r#"aria-current="page">Branches and stock<"#));
    let csrf = csrf_in(&page);
    let res = staff
        .post(app.url("/admin/branches?lang=en"))
        .form(&[("_csrf", csrf.as_str()), ("name_mn", "Дархан салбар"), ("name_en", "Darkhan"), ("pickup", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="address.mn-error""#) && page.contains(r#"id="opening_hours.mn-error""#), "{page}");
    assert!(page.contains(r#"value="Дархан салбар""#));
    let full = [
        ("_csrf", csrf.as_str()),
        ("name_mn", "Дархан салбар"),
        ("name_en", "Darkhan"),
        ("address_mn", "Дархан, 3-р баг"),
        ("address_en", "Darkhan, 3rd bag"),
        ("opening_hours_mn", "Даваа–Бямба 10:00–19:00"),
        ("opening_hours_en", "Mon–Sat 10:00–19:00"),
        ("open_days", "6"),
        ("opens_at", "10:00"),
        ("closes_at", "19:00"),
        ("pickup", "on"),
    ];
    let res = staff.post(app.url("/admin/branches")).form(&full).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = app.page(&staff, "/admin/branches?lang=en").await;
    let row = between(&page, r#"data-branch="darkhan""#, "</tr>").to_string();
    let edit = between(&row, r#"<a href=""#, r#"""#).to_string();
    let (status, form) = app.page(&staff, &edit).await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"value="Darkhan, 3rd bag""#));
    assert!(form.contains(r#"<option value="6" selected>Monday to Saturday"#), "{form}");
    assert!(form.contains(r#"name="opens_at" type="time" value="10:00""#), "{form}");
    let mut wrong = full.to_vec();
    wrong.retain(|(k, _)| *k != "closes_at");
    wrong.push(("closes_at", "09:00"));
    let res = staff.post(app.url(&format!("{edit}?lang=en"))).form(&wrong).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="closes_at-error">must be later than the start"#), "{page}");
    let mut changed = full.to_vec();
    changed.push(("delivery_warehouse", "on"));
    changed.retain(|(k, _)| *k != "opening_hours_en");
    changed.push(("opening_hours_en", "Mon–Sun 09:00–20:00"));
    let res = staff.post(app.url(&edit)).form(&changed).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, branches) = app.get_json("/api/v1/branches?lang=en").await;
    let warehouses: Vec<_> =
        branches.as_array().unwrap().iter().filter(|b| b["delivery_warehouse"] == true).map(|b| &b["name"]).collect();
    assert_eq!(warehouses, ["Darkhan"], "the flag moved: {branches}");
    let token = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?action=branch_updated", &token).await;
    assert_eq!(audit["total"], 1, "{audit}");
    assert_eq!(audit["items"][0]["after"]["delivery_warehouse"], true);
    assert_eq!(audit["items"][0]["after"]["opening_hours_en"], "Mon–Sun 09:00–20:00");
    assert_eq!(audit["items"][0]["after"]["opening_hours_mn"], "Даваа–Бямба 10:00–19:00");
    let (_, branches) = app.get_json("/api/v1/branches").await;
    let darkhan = branches.as_array().unwrap().iter().find(|b| b["name"] == "Дархан салбар").unwrap();
    assert_eq!(darkhan["opening_hours"], "Даваа–Бямба 10:00–19:00", "in the shop's language");
}

#[tokio::test]
async fn stock_is_set_in_place_with_why_and_a_wrong_number_is_told_in_its_cell() {
    let app = spawn_app().await;
    let staff = staff_client(&app).await;
    let router = app.product_id("zte-mf286-4g-router");
    let zaisan = app.branch_id("zaisan");
    app.set_stock(router, zaisan, 0);
    let (status, page) = app.page(&staff, "/admin/stock?lang=en&q=zte").await;
    assert_eq!(status, 200);
    let cell_id = format!("stock-{router}-{zaisan}");
    assert!(page.contains(&format!(r#"id="{cell_id}""#)), "{page}");
    assert!(!page.contains("top-up"), "devices only");
    let csrf = csrf_in(&page);
    let (router_s, zaisan_s) = (router.to_string(), zaisan.to_string());
    let cell = |quantity: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("product_id", router_s.clone()),
            ("branch_id", zaisan_s.clone()),
            ("quantity", quantity.to_string()),
            ("reason", "Delivery received".to_string()),
            ("label", "ZTE at Zaisan".to_string()),
        ]
    };
    // htmx gets the cell back.
    let res = staff
        .post(app.url("/admin/stock?lang=en"))
        .header("HX-Request", "true")
        .form(&cell("12"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let fragment = res.text().await.unwrap();
    assert!(fragment.trim_start().starts_with("<td") && fragment.contains(&format!(r#"id="{cell_id}""#)));
    assert!(fragment.contains(r#"value="12""#) && fragment.contains("Saved"), "{fragment}");
    let res = staff
        .post(app.url("/admin/stock?lang=en"))
        .header("HX-Request", "true")
        .form(&cell("-3"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains(r#"aria-invalid="true""#) && fragment.contains(r#"value="-3""#), "{fragment}");
    // Without JavaScript the form posts and comes back to the grid.
    let res = staff.post(app.url("/admin/stock")).form(&cell("7")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, stock) = app.get_json(&format!("/api/v1/products/{router}/availability")).await;
    let at_zaisan = stock.as_array().unwrap().iter().find(|b| b["branch_id"] == zaisan_s.as_str()).unwrap();
    assert_eq!(at_zaisan["quantity"], 7, "{stock}");
    let (_, page) = app.page(&staff, "/admin/stock?lang=en").await;
    let moves = between(&page, r#"id="stock-movements""#, "</table>");
    assert_eq!(moves.matches("saraa@shop.mn").count(), 2, "two changes, the refused one none: {moves}");
    assert!(moves.contains("Delivery received") && moves.contains("+12") && moves.contains("-5"));
}
