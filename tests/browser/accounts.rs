use fantoccini::{Client, Locator};

use crate::common::browser::{fill, path, Browser};
use crate::common::smtp::SmtpServer;
use crate::common::spawn_with;

const PASSWORD: &str = "Khuvsgul-Lake-77";
const NEW_PASSWORD: &str = "Terelj-Park-2026";

async fn submit(c: &Client, form_action: &str) {
    c.find(Locator::Css(&format!("form[action='{form_action}'] button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn register_sign_out_sign_in_and_reset_the_password_by_mail() {
    let smtp = SmtpServer::start().await;
    let app = spawn_with(false, &[("SMTP_URL", &smtp.url())]).await;
    let b = Browser::start().await;
    let c = &b.client;

    c.goto(&app.url("/register?lang=en")).await.unwrap();
    fill(c, "name", "Bat").await;
    fill(c, "email", "bat@example.mn").await;
    fill(c, "password", PASSWORD).await;
    submit(c, "/register").await;
    b.wait_for(10, "the account page", || async { path(c).await == "/account" }).await;
    assert!(c.source().await.unwrap().contains("bat@example.mn"));

    submit(c, "/logout").await;
    b.wait_for(10, "the home page", || async { path(c).await == "/" }).await;
    c.goto(&app.url("/account")).await.unwrap();
    assert_eq!(path(c).await, "/login", "signed out: the account page asks to sign in");

    fill(c, "email", "bat@example.mn").await;
    fill(c, "password", PASSWORD).await;
    submit(c, "/login").await;
    b.wait_for(10, "back on the account page", || async { path(c).await == "/account" }).await;
    submit(c, "/logout").await;
    b.wait_for(10, "signed out again", || async { path(c).await == "/" }).await;

    c.goto(&app.url("/password-reset")).await.unwrap();
    fill(c, "email", "bat@example.mn").await;
    submit(c, "/password-reset").await;
    b.wait_for(10, "the confirmation", || async { c.source().await.unwrap_or_default().contains("is on its way") })
        .await;
    let mail = smtp.wait_for("bat@example.mn", 10).await;
    let link = mail.link_path("/password-reset/").expect("a link in the mail");

    c.goto(&app.url(&link)).await.unwrap();
    fill(c, "password", NEW_PASSWORD).await;
    submit(c, &link).await;
    b.wait_for(10, "signed in by the reset", || async { path(c).await == "/account" }).await;
    assert!(c.source().await.unwrap().contains("Your account"));

    // The new password works, and the link does not work twice.
    submit(c, "/logout").await;
    b.wait_for(10, "signed out", || async { path(c).await == "/" }).await;
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "email", "bat@example.mn").await;
    fill(c, "password", NEW_PASSWORD).await;
    submit(c, "/login").await;
    b.wait_for(10, "signed in with the new password", || async { path(c).await == "/account" }).await;
    c.goto(&app.url(&link)).await.unwrap();
    assert!(c.source().await.unwrap().contains("This link no longer works"));
    b.close().await;
}
