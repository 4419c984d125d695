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

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn upload(csrf: Option<&str>, bytes: Vec<u8>, file_name: &str, alt_en: &str) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    if let Some(t) = csrf {
        form = form.text("_csrf", t.to_string());
    }
    form.part("image", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()))
        .text("alt_mn", "Утасны зураг")
        .text("alt_en", alt_en.to_string())
}

#[tokio::test]
async fn a_picture_is_checked_written_at_its_widths_served_for_good_and_removed() {
    let app = spawn_app().await;
    let staff = staff_client(&app).await;
    let router = app.product_id("zte-mf286-4g-router");
    let at = format!("/admin/products/{router}");
    let (_, page) = app.page(&staff, &format!("{at}?lang=en")).await;
    let csrf = csrf_in(&page);

    let res = staff
        .post(app.url(&format!("{at}/images")))
        .multipart(upload(None, png(800, 600), "a.png", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no token, no upload");
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let res = staff
        .post(app.url(&format!("{at}/images?lang=en")))
        .multipart(upload(Some(&csrf), svg, "a.svg", "Kept text"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="image-error""#) && page.contains("is not a PNG, JPEG or WebP picture"), "{page}");
    assert!(page.contains(r#"value="Kept text""#));

    let res = staff
        .post(app.url(&format!("{at}/images")))
        .multipart(upload(Some(&csrf), png(1200, 900), "router.png", "The router from the front"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = app.page(&staff, &format!("{at}?lang=en")).await;
    let list = between(&page, r#"class="image-list""#, "</ul>").to_string();
    assert!(list.contains("1200 × 900"), "{list}");

    let (status, shop) = app.page(&cookie_client(), "/products/zte-mf286-4g-router?lang=en").await;
    assert_eq!(status, 200);
    let srcset = between(&shop, r#"srcset=""#, r#"""#).to_string();
    assert_eq!(srcset.matches("/media/").count(), 3, "480, 960 and 1200: {srcset}");
    assert!(shop.contains(r#"alt="The router from the front""#));
    let src = between(&shop, r#"class="product-picture"><img src=""#, r#"""#).to_string();
    let res = reqwest::get(app.url(&src)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let bytes = res.bytes().await.unwrap();
    let served = image::load_from_memory(&bytes).unwrap();
    assert_eq!((served.width(), served.height()), (960, 720), "the 960 file for a 960 place");
    let again = reqwest::Client::new().get(app.url(&src)).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(reqwest::get(app.url("/media/not-a-hash.jpg")).await.unwrap().status(), 404);
    // Its card in the list shows it too, at a card's width, with the other widths to choose from.
    let (_, list_page) = app.page(&cookie_client(), "/products?q=MF286&lang=en").await;
    let card = between(&list_page, r#"href="/products/zte-mf286-4g-router""#, "</li>").to_string();
    assert!(card.contains(r#"srcset=""#) && card.matches("/media/").count() == 4, "{card}");
    assert!(card.contains(r#"width="240" height="180""#), "the 4:3 picture keeps its shape: {card}");
    let (_, product) = app.get_json("/api/v1/products/zte-mf286-4g-router?lang=en").await;
    assert_eq!(product["image"]["alt"], "The router from the front", "{product}");
    let widths: Vec<_> = product["image"]["files"].as_array().unwrap().iter().map(|f| f["width"].clone()).collect();
    assert_eq!(widths, [480, 960, 1200], "{product}");

    let image_id = between(&list, r#"data-image=""#, r#"""#).to_string();
    let res = staff
        .post(app.url(&format!("{at}/images/{image_id}/delete")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(reqwest::get(app.url(&src)).await.unwrap().status(), 404, "its files went with it");
    let (_, list_page) = app.page(&cookie_client(), "/products?q=MF286&lang=en").await;
    let card = between(&list_page, r#"href="/products/zte-mf286-4g-router""#, "</li>").to_string();
    assert!(!card.contains("/media/") && card.contains("/static/img/demo/zte-mf286-4g-router.svg"), "{card}");
    let (_, product) = app.get_json("/api/v1/products/zte-mf286-4g-router").await;
    assert!(product.get("image").is_none(), "{product}");
    let token = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?subject_type=product", &token).await;
    let actions: Vec<_> = audit["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["image_removed", "image_added"], "{audit}");
}
