//! The telco journeys in a real browser: a number found by a wildcard and bought to activate
//! later, then activated from My numbers with a SIM card's code; an eSIM bought and its QR code
//! seen; a top-up with an amount of one's own after a foreign number was refused at the field.
use fantoccini::Locator;

use crate::common::browser::{click, fill, path, text_of, Browser};
use crate::common::{spawn_with, TestApp};

async fn register(b: &Browser, app: &TestApp, email: &str) {
    let c = &b.client;
    c.goto(&app.url("/register?lang=en")).await.unwrap();
    fill(c, "name", "Bat").await;
    fill(c, "email", email).await;
    fill(c, "password", crate::common::GOOD_PASSWORD).await;
    click(c, "form[action='/register'] button[type=submit]").await;
    b.wait_for(10, "signed in", || async { path(c).await != "/register" }).await;
}

/// Finds numbers ending in 11 (`*11`) and opens the first one's choices; returns its number.
async fn pick_a_number(b: &Browser, app: &TestApp) -> String {
    let c = &b.client;
    c.goto(&app.url("/numbers?lang=en")).await.unwrap();
    fill(c, "number-q", "*11").await;
    b.wait_for(10, "the list to follow", || async {
        c.current_url().await.map(|u| u.query().unwrap_or("").contains("q=")).unwrap_or(false)
            && text_of(c, "#number-list .number .msisdn").await.ends_with("11")
    })
    .await;
    // The list follows every keystroke; the last answer must be in before a number is opened.
    b.wait_for(10, "the search to settle", || async {
        c.find(Locator::Css("#number-list.htmx-request, #number-filters.htmx-request")).await.is_err()
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let first = c.find(Locator::Css("#number-list .number")).await.unwrap();
    let number = first.attr("data-msisdn").await.unwrap().unwrap();
    assert!(number.ends_with("11"), "{number}");
    click(c, &format!("li[data-msisdn='{number}'] summary")).await;
    b.wait_for(10, "the choices to open", || async {
        c.find(Locator::Css(&format!("li[data-msisdn='{number}'] details[open]"))).await.is_ok()
    })
    .await;
    number
}

/// From the cart to the sandbox's payment page, approved, back on the order page.
async fn check_out_and_pay(b: &Browser, app: &TestApp) {
    let c = &b.client;
    c.goto(&app.url("/cart?lang=en")).await.unwrap();
    click(c, "#to-checkout").await;
    b.wait_for(10, "the checkout", || async { path(c).await == "/checkout" }).await;
    click(c, "#place-order").await;
    b.wait_for(10, "the payment page", || async { path(c).await.ends_with("/pay") }).await;
    click(c, "#approve-payment").await;
    b.wait_for(10, "the order page", || async { path(c).await.starts_with("/orders/") }).await;
}

#[tokio::test]
async fn a_number_found_by_a_wildcard_is_bought_for_later_and_activated_with_a_sim_code() {
    let app = spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let b = Browser::start().await;
    let c = &b.client;
    register(&b, &app, "later@example.mn").await;
    let number = pick_a_number(&b, &app).await;
    // A physical SIM's code that names no card is refused beside its field, the code kept.
    click(c, &format!("li[data-msisdn='{number}'] input[name=activation][value=physical]")).await;
    fill(c, &format!("code-{number}"), "99999999").await;
    click(c, &format!("li[data-msisdn='{number}'] button[type=submit]")).await;
    let beside = format!("#code-field-{number} .field-error");
    b.wait_for(10, "the refusal beside the code", || async { !text_of(c, &beside).await.is_empty() }).await;
    let code = c.find(Locator::Id(&format!("code-{number}"))).await.unwrap();
    assert_eq!(code.prop("value").await.unwrap().as_deref(), Some("99999999"));
    assert_eq!(code.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));

    click(c, &format!("li[data-msisdn='{number}'] input[name=activation][value=later]")).await;
    click(c, &format!("li[data-msisdn='{number}'] button[type=submit]")).await;
    b.wait_for(10, "the confirmation", || async {
        text_of(c, &format!("li[data-msisdn='{number}'] .add-result")).await.contains("Added to your cart")
    })
    .await;
    assert!(text_of(c, &beside).await.is_empty(), "the accepted add clears the code's message");
    c.goto(&app.url("/cart?lang=en")).await.unwrap();
    let cart = text_of(c, "#cart").await;
    assert!(cart.contains("activate later") && cart.contains("Held for you until"), "{cart}");
    check_out_and_pay(&b, &app).await;
    b.wait_for(15, "the order to complete", || async { text_of(c, "#order-status").await == "Completed" }).await;

    c.goto(&app.url("/account/numbers?lang=en")).await.unwrap();
    assert!(text_of(c, "#my-numbers").await.contains("Not activated yet"));
    click(c, &format!("#number-{number} input[name=sim][value=physical]")).await;
    fill(c, &format!("code-{number}"), "2026 0041").await;
    click(c, &format!("#number-{number} button[type=submit]")).await;
    b.wait_for(20, "the number to be active", || async {
        text_of(c, &format!("#number-{number} .status-active")).await.contains("Active")
    })
    .await;
    assert!(text_of(c, &format!("#number-{number}")).await.contains("on a SIM card"));
    b.close().await;
}

#[tokio::test]
async fn an_esim_bought_with_a_chosen_number_shows_its_qr_code() {
    let app = spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let b = Browser::start().await;
    let c = &b.client;
    register(&b, &app, "esim@example.mn").await;
    let number = pick_a_number(&b, &app).await;
    click(c, &format!("li[data-msisdn='{number}'] input[name=activation][value=esim]")).await;
    click(c, &format!("li[data-msisdn='{number}'] button[type=submit]")).await;
    b.wait_for(10, "the confirmation", || async {
        text_of(c, &format!("li[data-msisdn='{number}'] .add-result")).await.contains("Added to your cart")
    })
    .await;
    check_out_and_pay(&b, &app).await;
    b.wait_for(20, "the eSIM's QR code", || async { c.find(Locator::Css("#order .esim .qr svg")).await.is_ok() }).await;
    let esim = text_of(c, "#order .esim").await;
    assert!(esim.contains("smdp.demo.storefront.mn") && esim.contains("Matching ID"), "{esim}");
    let install = c.find(Locator::Css("#order .esim a.button")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(install.starts_with("LPA:1$smdp.demo.storefront.mn$"), "{install}");
    b.close().await;
}

#[tokio::test]
async fn a_top_up_of_ones_own_amount_after_a_foreign_number_was_refused_at_the_field() {
    let app = spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&app.url("/top-up?lang=en")).await.unwrap();
    fill(c, "msisdn", "9911 2233").await;
    b.wait_for(10, "the field's message", || async { text_of(c, "#msisdn-error").await.contains("80, 86, 88, 89") })
        .await;
    fill(c, "msisdn", "8811 2233").await;
    b.wait_for(10, "the number confirmed", || async { text_of(c, "#msisdn-ok").await.contains("8811 2233") }).await;
    click(c, "#free-choice").await;
    fill(c, "amount", "7500").await;
    fill(c, "email", "guest@example.mn").await;
    click(c, "#pay-button").await;
    b.wait_for(10, "the payment page", || async { path(c).await.ends_with("/pay") }).await;
    assert!(text_of(c, "#sandbox-amount").await.contains("7,500"));
    click(c, "#approve-payment").await;
    b.wait_for(10, "the order page", || async { path(c).await.starts_with("/orders/") }).await;
    b.wait_for(15, "the credit", || async { text_of(c, "#order-status").await == "Completed" }).await;
    assert_eq!(app.count("SELECT balance::bigint AS n FROM sandbox_subscribers WHERE msisdn = '88112233'"), 7500);
    b.close().await;
}
