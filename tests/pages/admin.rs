//! Staff pages beyond orders: the dashboard's figures, and campaigns made, filled with codes and
//! read back (page and CSV) from the browser's forms.
use serde_json::json;
use storefront::domain::accounts::Role;

use crate::common::{between, cookie_client, csrf_in, spawn_app, TestApp};

pub async fn staff_client(app: &TestApp) -> reqwest::Client {
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = cookie_client();
    assert_eq!(app.sign_in_browser(&staff, "saraa@shop.mn").await.status(), 303);
    staff
}

#[tokio::test]
async fn the_dashboard_shows_todays_revenue_orders_by_status_and_low_stock() {
    let app = spawn_app().await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    let cart = app.cart_with(None, &[top_up]).await;
    let (_, placed) = app.checkout(&cart, None, json!({"email": "a@b.mn"})).await;
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    let router = app.product_id("zte-mf286-4g-router");
    app.set_stock(router, app.branch_id("zaisan"), 1);

    let guest = cookie_client();
    assert_eq!(guest.get(app.url("/admin")).send().await.unwrap().status(), 303);
    assert_eq!(guest.get(app.url("/admin/feed")).send().await.unwrap().status(), 303, "the feed is staff's too");
    let customer = cookie_client();
    app.register_in_browser(&customer, "bat@example.mn").await;
    assert_eq!(customer.get(app.url("/admin/feed")).send().await.unwrap().status(), 403);
    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin?lang=en").await;
    assert_eq!(status, 200);
    assert_eq!(between(&page, r#"<strong id="revenue-today">"#, "<"), "₮5,000");
    let (_, product) = app.get_json("/api/v1/products/top-up-5000?lang=en").await;
    let top = between(&page, r#"id="top-products""#, "</section>");
    assert!(top.contains(product["name"].as_str().unwrap()), "{top}");
    let by_status = between(&page, r#"id="by-status""#, "</section>");
    assert!(by_status.contains(r#"href="/admin/orders?status=paid">Paid</a></th><td class="num">1<"#), "{by_status}");
    let low = between(&page, r#"id="low-stock""#, "</section>");
    assert!(low.contains("Zaisan") && low.contains("ZTE"), "{low}");
    assert!(page.contains(r#"aria-current="page">Dashboard<"#), "the frame names the section");
    assert!(page.contains(r#"sse-connect="/admin/feed""#));
    let res = staff.get(app.url("/admin/feed")).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
}

#[tokio::test]
async fn staff_make_a_campaign_with_its_codes_from_the_pages_and_download_them() {
    let app = spawn_app().await;
    let customer = cookie_client();
    app.register_in_browser(&customer, "bat@example.mn").await;
    assert_eq!(customer.get(app.url("/admin/campaigns")).send().await.unwrap().status(), 403);

    let staff = staff_client(&app).await;
    let (status, form) = app.page(&staff, "/admin/campaigns/new?lang=en").await;
    assert_eq!(status, 200);
    let csrf = csrf_in(&form);
    // A wrong form comes back with its errors beside the fields and what was typed kept.
    let res = staff
        .post(app.url("/admin/campaigns?lang=en"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Winter"),
            ("discount_type", "percent"),
            ("discount_value", "150"),
            ("code_policy", "limited"),
            ("ends_at", "soon"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="discount.value-error""#) && page.contains(r#"id="ends_at-error""#), "{page}");
    assert!(page.contains(r#"value="Winter""#) && page.contains(r#"value="150""#));
    let res = staff
        .post(app.url("/admin/campaigns"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Winter"),
            ("discount_type", "fixed"),
            ("discount_value", "2000"),
            ("code_policy", "limited"),
            ("max_redemptions", "50"),
            ("kind_device", "on"),
            ("ends_at", "2030-01-31T23:59"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    assert!(at.starts_with("/admin/campaigns/"), "{at}");
    let (_, page) = app.page(&staff, &format!("{at}?lang=en")).await;
    assert!(page.contains("₮2,000") && page.contains("2030-01-31 23:59") && page.contains("<svg"), "{page}");

    let csrf = csrf_in(&page);
    let res = staff
        .post(app.url(&format!("{at}/codes?lang=en")))
        .form(&[("_csrf", csrf.as_str()), ("mode", "generate"), ("count", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(r#"id="count-error""#));
    for form in [
        vec![("_csrf", csrf.clone()), ("mode", "generate".into()), ("count", "5".into()), ("prefix", "win-".into())],
        vec![("_csrf", csrf.clone()), ("mode", "one".into()), ("code", "winter".into())],
    ] {
        let res = staff.post(app.url(&format!("{at}/codes"))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
    }
    let (_, page) = app.page(&staff, &format!("{at}?lang=en")).await;
    assert!(page.contains("WINTER") && page.matches("WIN-").count() == 5, "{page}");
    let res = staff.get(app.url(&format!("{at}/codes.csv"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap().lines().count(), 7);
    let (_, list) = app.page(&staff, "/admin/campaigns").await;
    assert!(list.contains("Winter") && list.contains(&at));
    let (_, audit) = app
        .get_json_as(
            "/api/v1/admin/audit?action=codes_made",
            &app.token("saraa@shop.mn", crate::common::GOOD_PASSWORD).await,
        )
        .await;
    assert_eq!(audit["total"], 2, "{audit}");
}

#[tokio::test]
async fn staff_see_stopped_jobs_with_their_error_retry_one_and_find_it_in_the_audit_log() {
    let app = spawn_app().await;
    app.sql(
        "INSERT INTO jobs (id, queue, kind, payload, status, attempts, max_attempts, run_at, last_error) \
         VALUES ('5f1c0a3e-0000-4000-8000-000000000001', 'mail', 'order_confirmation', '{}', 'dead', 8, 8, now(), \
                 'smtp: connection refused')",
    );
    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/jobs?status=dead&lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains("order_confirmation") && page.contains("smtp: connection refused"), "{page}");
    assert!(page.contains("data-confirm="), "retrying asks first");
    let res = staff
        .post(app.url("/admin/jobs/5f1c0a3e-0000-4000-8000-000000000001/retry"))
        .form(&[("_csrf", csrf_in(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs WHERE status = 'pending' AND attempts = 0"), 1);
    let (_, page) = app.page(&staff, "/admin/jobs?lang=en").await;
    assert!(page.contains("The job will run again"), "{page}");

    let (_, audit) = app.page(&staff, "/admin/audit?lang=en").await;
    let table = between(&audit, r#"<table class="admin-table" id="audit">"#, "</table>");
    assert!(
        table.contains("Job retried") && table.contains("saraa@shop.mn") && table.contains("&#34;dead&#34;"),
        "{table}"
    );
    let (_, filtered) = app.page(&staff, "/admin/audit?action=stock_set&lang=en").await;
    assert!(filtered.contains("0 changes"), "{filtered}");
    let (_, by_subject) = app.page(&staff, "/admin/audit?subject=5f1c0a3e-0000-4000-8000-000000000001&lang=en").await;
    assert!(by_subject.contains("1 changes") || by_subject.contains("1 change"), "{by_subject}");
}

#[tokio::test]
async fn the_orders_page_searches_and_filters_and_keeps_its_filters_in_the_form() {
    let app = spawn_app().await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    for email in ["first@example.mn", "second@example.mn"] {
        let cart = app.cart_with(None, std::slice::from_ref(&top_up)).await;
        app.checkout(&cart, None, json!({"email": email})).await;
    }
    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/orders?q=second&method=none&lang=en").await;
    assert_eq!(status, 200);
    let table = between(&page, r#"id="admin-orders""#, "</table>");
    assert!(table.contains("second@example.mn") && !table.contains("first@example.mn"), "{table}");
    assert!(
        page.contains(r#"value="second""#) && page.contains(r#"<option value="none" selected>"#),
        "the form keeps them"
    );
    let (status, _) = app.page(&staff, "/admin/orders?from=not-a-day").await;
    assert_eq!(status, 200, "a wrong filter is left out, not an error page");
}

#[tokio::test]
async fn only_admins_run_the_staff_and_a_disabled_account_is_signed_out_everywhere() {
    let app = spawn_app().await;
    let staff = staff_client(&app).await;
    assert_eq!(staff.get(app.url("/admin/staff")).send().await.unwrap().status(), 403, "staff are no admins");
    let (_, dash) = app.page(&staff, "/admin?lang=en").await;
    assert!(!dash.contains(r#"href="/admin/staff""#), "no link they cannot use");

    app.create_staff("boss@shop.mn", Role::Admin);
    let boss = cookie_client();
    assert_eq!(app.sign_in_browser(&boss, "boss@shop.mn").await.status(), 303);
    let (status, page) = app.page(&boss, "/admin/staff?lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains("saraa@shop.mn") && page.contains(r#"href="/admin/staff""#));
    let csrf = csrf_in(&page);
    let res = boss
        .post(app.url("/admin/staff?lang=en"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "saraa@shop.mn"),
            ("name", "Again"),
            ("password", "short"),
            ("role", "staff"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="password-error""#) && page.contains(r#"value="Again""#), "{page}");
    let res = boss
        .post(app.url("/admin/staff"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "new@shop.mn"),
            ("name", "Nomin"),
            ("password", crate::common::GOOD_PASSWORD),
            ("role", "staff"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let newcomer = cookie_client();
    assert_eq!(app.sign_in_browser(&newcomer, "new@shop.mn").await.status(), 303);
    assert_eq!(newcomer.get(app.url("/admin")).send().await.unwrap().status(), 200);
    let token = app.token("new@shop.mn", crate::common::GOOD_PASSWORD).await;

    let (_, page) = app.page(&boss, "/admin/staff").await;
    let row_of = |email: &str| {
        let at = page.find(email).unwrap();
        let start = page[..at].rfind(r#"data-account=""#).unwrap() + r#"data-account=""#.len();
        page[start..start + 36].to_string()
    };
    let target = row_of("new@shop.mn");
    let change = |what: &'static str| {
        let (boss, csrf, target) = (boss.clone(), csrf_in(&page), target.clone());
        let url = app.url(&format!("/admin/staff/{target}"));
        async move { boss.post(url).form(&[("_csrf", csrf.as_str()), ("change", what)]).send().await.unwrap().status() }
    };
    assert_eq!(change("admin").await, 303);
    assert_eq!(app.count("SELECT count(*) AS n FROM accounts WHERE email = 'new@shop.mn' AND role = 'admin'"), 1);
    assert_eq!(change("disable").await, 303);
    assert_eq!(newcomer.get(app.url("/admin")).send().await.unwrap().status(), 303, "signed out at once");
    let (status, _) = app.get_json_as("/api/v1/me", &token).await;
    assert_eq!(status, 401, "the token stopped too");
    assert_eq!(app.sign_in_browser(&cookie_client(), "new@shop.mn").await.status(), 422, "cannot sign in");
    assert_eq!(change("enable").await, 303);
    assert_eq!(app.sign_in_browser(&cookie_client(), "new@shop.mn").await.status(), 303);

    // Nobody changes their own account here.
    let me = row_of("boss@shop.mn");
    let res = boss
        .post(app.url(&format!("/admin/staff/{me}")))
        .form(&[("_csrf", csrf_in(&page).as_str()), ("change", "disable")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("SELECT count(*) AS n FROM accounts WHERE email = 'boss@shop.mn' AND disabled_at IS NULL"), 1);
    let (_, audit) = app.page(&boss, "/admin/audit?lang=en").await;
    for action in ["Staff account opened", "Role changed", "Account disabled", "Account enabled"] {
        assert!(audit.contains(action), "{action}");
    }
}

#[tokio::test]
async fn staff_find_a_customer_and_see_their_orders_codes_and_addresses() {
    let app = spawn_app().await;
    let bat = app.customer_token("bat.erdene@example.mn").await;
    app.customer_token("saraa@example.mn").await;
    let (status, _) = app
        .send(
            "POST",
            "/api/v1/me/addresses",
            Some(&bat),
            Some(json!({"name": "Bat", "phone": "8811 2233",
            "city": "Ulaanbaatar", "district": "Bayangol", "line1": "3rd microdistrict, 45-12"})),
        )
        .await;
    assert_eq!(status, 201);
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    let cart = app.cart_with(Some(&bat), &[top_up]).await;
    let (_, placed) = app.checkout(&cart, Some(&bat), json!({})).await;
    let number = placed["order"]["number"].as_str().unwrap().to_string();

    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/customers?q=BAT.&lang=en").await;
    assert_eq!(status, 200);
    let table = between(&page, r#"id="customers""#, "</table>");
    assert!(table.contains("bat.erdene@example.mn") && !table.contains("saraa"), "{table}");
    assert!(!table.contains("saraa@shop.mn"), "staff are no customers");
    let (_, all) = app.page(&staff, "/admin/customers?q=%25&lang=en").await;
    assert!(all.contains("0 customers"), "LIKE's signs are plain text");
    let link = between(&page, r#"<a href="/admin/customers/"#, "\"").to_string();
    let (status, customer) = app.page(&staff, &format!("/admin/customers/{link}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(customer.contains(&number) && customer.contains("3rd microdistrict"), "{customer}");
    let (status, _) = app.page(&staff, "/admin/customers/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn reports_show_sales_by_day_product_and_kind_as_a_table_a_chart_and_csv() {
    let app = spawn_app().await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    for _ in 0..2 {
        let cart = app.cart_with(None, std::slice::from_ref(&top_up)).await;
        let (_, placed) = app.checkout(&cart, None, json!({"email": "a@b.mn"})).await;
        app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    }
    let cart = app.cart_with(None, std::slice::from_ref(&top_up)).await;
    app.checkout(&cart, None, json!({"email": "unpaid@b.mn"})).await;
    let staff = staff_client(&app).await;
    let (status, page) = app.page(&staff, "/admin/reports?lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains("Revenue in the period: ₮10,000") && page.contains("<svg"), "paid orders only: {page}");
    let (_, by_kind) = app.page(&staff, "/admin/reports?by=kind&lang=en").await;
    let table = between(&by_kind, r#"id="report""#, "</table>");
    assert!(table.contains(r#"<td class="num">2</td><td class="num">2</td><td class="num">₮10,000</td>"#), "{table}");
    let res = staff.get(app.url("/admin/reports?by=product&format=csv")).send().await.unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).unwrap().ends_with(",2,2,10000.00"), "{csv}");
    let (status, _) = app.page(&staff, "/admin/reports?from=garbage&by=nothing").await;
    assert_eq!(status, 200, "wrong values fall back to the defaults");
    assert!(page.contains(r#"id="report-pdf""#));
    let res = staff.get(app.url("/admin/reports?by=product&format=pdf")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains(".pdf"));
    let pdf = res.bytes().await.unwrap();
    let doc = printpdf::lopdf::Document::load_mem(&pdf).expect("a PDF");
    assert_eq!(doc.get_pages().len(), 1);
    let customer = crate::common::cookie_client();
    app.register_in_browser(&customer, "bat@example.mn").await;
    let res = customer.get(app.url("/admin/reports?format=pdf")).send().await.unwrap();
    assert_eq!(res.status(), 403, "staff only");
}

#[tokio::test]
async fn staff_send_an_order_mail_again_with_a_working_link() {
    let smtp = crate::common::smtp::SmtpServer::start().await;
    let app = crate::common::spawn_with(true, &[("SMTP_URL", &smtp.url()), ("JOB_RUNNER", "on")]).await;
    let top_up = json!({"product_id": app.product_id("top-up-5000"), "msisdn": "88112233"});
    let cart = app.cart_with(None, &[top_up]).await;
    let (_, placed) = app.checkout(&cart, None, json!({"email": "again@example.mn"})).await;
    let order = placed["order"]["id"].as_str().unwrap().to_string();
    let first = smtp.wait_for("again@example.mn", 10).await;
    let staff = staff_client(&app).await;
    let (_, page) = app.page(&staff, &format!("/admin/orders/{order}?lang=en")).await;
    let res = staff
        .post(app.url(&format!("/admin/orders/{order}/resend")))
        .form(&[("_csrf", csrf_in(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, page) = app.page(&staff, &format!("/admin/orders/{order}?lang=en")).await;
    assert!(page.contains("The mail is on its way again"), "{page}");
    let second = smtp.wait_for_nth("again@example.mn", 2, 10).await;
    assert_eq!(second.subject(), first.subject());
    let link = second.link_path("/orders/").expect("a tracking link");
    assert_ne!(Some(link.clone()), first.link_path("/orders/"), "a link of its own");
    assert_eq!(cookie_client().get(app.url(&link)).send().await.unwrap().status(), 200, "and it works");
}

#[tokio::test]
async fn staff_change_a_campaign_s_terms_but_not_its_policy_once_it_has_codes() {
    let app = spawn_app().await;
    let staff = staff_client(&app).await;
    let (_, form) = app.page(&staff, "/admin/campaigns/new?lang=en").await;
    let csrf = csrf_in(&form);
    let terms = |name: &'static str, value: &'static str, policy: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("name", name.to_string()),
            ("discount_type", "percent".to_string()),
            ("discount_value", value.to_string()),
            ("code_policy", policy.to_string()),
            ("kind_plan", "on".to_string()),
            ("ends_at", "2031-01-31T23:59".to_string()),
        ]
    };
    let res = staff.post(app.url("/admin/campaigns")).form(&terms("Spring", "10", "limited")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let (status, edit) = app.page(&staff, &format!("{at}/edit?lang=en")).await;
    assert_eq!(status, 200);
    assert!(edit.contains(r#"value="Spring""#) && edit.contains(r#"value="2031-01-31T23:59""#), "{edit}");
    assert!(edit.contains(r#"name="kind_plan" value="on" checked"#), "{edit}");

    let res =
        staff.post(app.url(&format!("{at}?lang=en"))).form(&terms("Spring", "150", "limited")).send().await.unwrap();
    assert_eq!(res.status(), 422, "checked as a new one is");
    assert!(res.text().await.unwrap().contains(r#"value="150""#));
    let res = staff.post(app.url(&at)).form(&terms("Spring sale", "15", "limited")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let token = app.token("saraa@shop.mn", crate::common::GOOD_PASSWORD).await;
    let id = at.trim_start_matches("/admin/campaigns/");
    let (_, campaign) = app.get_json_as(&format!("/api/v1/admin/campaigns/{id}"), &token).await;
    assert_eq!(campaign["name"], "Spring sale", "{campaign}");

    let res = staff
        .post(app.url(&format!("{at}/codes")))
        .form(&[("_csrf", csrf.as_str()), ("mode", "one"), ("code", "spring15")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = staff
        .post(app.url(&format!("{at}?lang=en")))
        .form(&terms("Spring sale", "15", "personal"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("the campaign has codes made under its policy"));
    let (_, audit) = app.get_json_as("/api/v1/admin/audit?action=campaign_updated", &token).await;
    assert_eq!(audit["total"], 1, "{audit}");
}
