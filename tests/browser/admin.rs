//! Staff in a real browser: a personal campaign made from the admin pages, its codes assigned
//! to customers and mailed (caught by the test's SMTP server).
use fantoccini::Locator;
use storefront::domain::accounts::Role;

use crate::common::browser::{click, fill, path, text_of, Browser};
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
    c.goto(&app.url("/login?lang=en&next=/admin/campaigns")).await.unwrap();
    fill(c, "email", "staff@shop.mn").await;
    fill(c, "password", crate::common::GOOD_PASSWORD).await;
    click(c, "form[action='/login'] button[type=submit]").await;
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
