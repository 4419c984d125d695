//! The catalog from the admin: products of every kind added, changed and hidden through forms
//! that keep what was typed on an error; categories; all of it audited and closed to shoppers.

use crate::admin::staff_client;
use crate::common::{between, cookie_client, csrf_in, spawn_app, GOOD_PASSWORD};

fn form<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("_csrf", csrf)];
    f.extend_from_slice(extra);
    f
}

/// The first category the form offers (after "choose…").
fn first_category(page: &str) -> String {
    let select = between(page, r#"id="category""#, "</select>");
    between(select, r#"</option><option value=""#, r#"""#).to_string()
}

#[tokio::test]
async fn staff_add_a_device_with_its_specs_change_it_and_hide_it_from_the_shop() {
    let app = spawn_app().await;
    let guest = cookie_client();
    assert_eq!(guest.get(app.url("/admin/products")).send().await.unwrap().status(), 303);
    let customer = cookie_client();
    app.register_in_browser(&customer, "bat@example.mn").await;
    assert_eq!(customer.get(app.url("/admin/products")).send().await.unwrap().status(), 403);
    assert_eq!(customer.get(app.url("/admin/categories")).send().await.unwrap().status(), 403);

    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/products?lang=en&kind=device").await;
    assert_eq!(status, 200);
    assert!(page.contains("zte-mf286-4g-router") && !page.contains("top-up-5000"), "the kind filter holds");
    assert!(page.contains(r#"aria-current="page">Catalog<"#));
    let (status, new) = app.page(&staff, "/admin/products/new?kind=device&lang=en").await;
    assert_eq!(status, 200);
    assert!(new.contains(r#"name="specs""#) && !new.contains(r#"name="minutes""#), "a device's own fields");
    let csrf = csrf_in(&new);
    let phones = first_category(&new);

    // Wrong: no English name, a price in words, a spec line without a name. All said, all kept.
    let res = staff
        .post(app.url("/admin/products?lang=en"))
        .form(&form(
            &csrf,
            &[
                ("kind", "device"),
                ("name_mn", "Шинэ утас"),
                ("name_en", ""),
                ("price", "lots"),
                ("category", &phones),
                ("specs", "network: 5G\njust words"),
                ("active", "on"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    for id in ["name.en-error", "price-error", "attributes.specs-error"] {
        assert!(page.contains(&format!(r#"id="{id}""#)), "{id}: {page}");
    }
    assert!(page.contains(r#"value="Шинэ утас""#) && page.contains("just words") && page.contains(r#"value="lots""#));
    assert!(page.contains("write each line as name: value"));

    let res = staff
        .post(app.url("/admin/products"))
        .form(&form(
            &csrf,
            &[
                ("kind", "device"),
                ("name_mn", "Шинэ утас"),
                ("name_en", "New Phone X"),
                ("price", "1490000"),
                ("category", &phones),
                ("specs", "network: 5G\nstorage: 256 GB"),
                ("description_mn", "Гэрэл зураг сайтай."),
                ("description_en", "Takes good photos."),
                ("active", "on"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let (_, product) = app.get_json("/api/v1/products/new-phone-x?lang=en").await;
    assert_eq!(product["name"], "New Phone X");
    assert_eq!(product["price"]["amount"], "1490000.00", "{product}");
    assert_eq!(product["attributes"]["specs"]["storage"], "256 GB");

    // The edit form opens filled; a new price saves, the specs stay.
    let (_, edit) = app.page(&staff, &format!("{at}?lang=en")).await;
    assert!(edit.contains(r#"value="1490000""#) && edit.contains("storage: 256 GB"), "{edit}");
    let csrf = csrf_in(&edit);
    let res = staff
        .post(app.url(&at))
        .form(&form(
            &csrf,
            &[
                ("name_mn", "Шинэ утас"),
                ("name_en", "New Phone X"),
                ("slug", "new-phone-x"),
                ("price", "1390000"),
                ("category", &phones),
                ("specs", "network: 5G\nstorage: 256 GB"),
                ("active", "on"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, product) = app.get_json("/api/v1/products/new-phone-x").await;
    assert_eq!(product["price"]["amount"], "1390000.00");

    let res =
        staff.post(app.url(&format!("{at}/visibility"))).form(&form(&csrf, &[("to", "hide")])).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.get_json("/api/v1/products/new-phone-x").await.0, 404, "hidden from the shop");
    let (_, hidden) = app.page(&staff, "/admin/products?shown=hidden&lang=en").await;
    assert!(hidden.contains("New Phone X"), "staff still find it");

    let token = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?action=product_updated", &token).await;
    assert_eq!(audit["total"], 2, "{audit}");
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?action=product_created", &token).await;
    assert_eq!(audit["total"], 1, "{audit}");
}

#[tokio::test]
async fn every_kind_has_its_own_fields_and_a_plan_is_checked_field_by_field() {
    let app = spawn_app().await;
    let staff = staff_client(&app).await;
    for (kind, field) in [
        ("plan", "minutes"),
        ("data_pack", "data_mb"),
        ("top_up", "max_amount"),
        ("number", "tier"),
        ("esim", "kind"),
        ("service", "kind"),
    ] {
        let (status, page) = app.page(&staff, &format!("/admin/products/new?kind={kind}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!(r#"name="{field}""#)), "{kind}");
    }
    let (_, new) = app.page(&staff, "/admin/products/new?kind=plan&lang=en").await;
    let csrf = csrf_in(&new);
    let category = first_category(&new);
    let plan = [
        ("kind", "plan"),
        ("name_mn", "Шинэ багц"),
        ("name_en", "New plan"),
        ("price", "25000"),
        ("category", category.as_str()),
        ("minutes", "300"),
        ("sms", "many"),
        ("data_mb", "10240"),
        ("units", "0"),
        ("validity_days", "30"),
        ("active", "on"),
    ];
    let res = staff.post(app.url("/admin/products?lang=en")).form(&form(&csrf, &plan)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="attributes.sms-error""#), "{page}");
    assert!(page.contains(r#"value="many""#) && page.contains(r#"value="10240""#));
    let fixed: Vec<_> = plan.iter().map(|&(k, v)| if k == "sms" { (k, "100") } else { (k, v) }).collect();
    let res = staff.post(app.url("/admin/products")).form(&form(&csrf, &fixed)).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let (_, product) = app.get_json("/api/v1/products/new-plan").await;
    assert_eq!(product["attributes"]["sms"], 100, "{product}");
    assert_eq!(product["attributes"]["data_mb"], 10240);
}

#[tokio::test]
async fn staff_add_and_rename_categories_and_a_category_cannot_sit_under_itself() {
    let app = spawn_app().await;
    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/categories?lang=en").await;
    assert_eq!(status, 200);
    let csrf = csrf_in(&page);
    let res = staff
        .post(app.url("/admin/categories?lang=en"))
        .form(&form(&csrf, &[("name_mn", "Чихэвч"), ("name_en", ""), ("slug", "Bad Slug")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="name_en-error""#) && page.contains(r#"id="slug-error""#), "{page}");
    assert!(page.contains(r#"value="Чихэвч""#));
    let res = staff
        .post(app.url("/admin/categories"))
        .form(&form(&csrf, &[("name_mn", "Чихэвч"), ("name_en", "Headphones"), ("position", "9")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = app.page(&staff, "/admin/categories?lang=en").await;
    let row = between(&page, r#"data-category="headphones""#, "</tr>");
    assert!(row.contains("Чихэвч"), "{row}");
    let id = between(row, r#"action="/admin/categories/"#, r#"""#).to_string();

    let res = staff
        .post(app.url(&format!("/admin/categories/{id}?lang=en")))
        .form(&form(&csrf, &[("name_mn", "Чихэвч"), ("name_en", "Headsets"), ("parent", &id)]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "not under itself");
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="headphones-name_en""#) && page.contains(r#"value="Headsets""#));
    let res = staff
        .post(app.url(&format!("/admin/categories/{id}")))
        .form(&form(&csrf, &[("name_mn", "Чихэвч"), ("name_en", "Headsets"), ("slug", "headphones")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = app.page(&staff, "/admin/categories?lang=en").await;
    assert!(between(&page, r#"data-category="headphones""#, "</tr>").contains("Headsets"));
    let token = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?action=category_updated", &token).await;
    assert_eq!(audit["total"], 1, "{audit}");
}
