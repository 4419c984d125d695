//! `/top-up`: one page from a number to payment; the number is checked as it is typed.
use std::time::Duration;

use crate::common::{cookie_client, csrf_in, spawn_with};

fn id_of(app: &crate::common::TestApp, slug: &str) -> String {
    app.product_id(slug).to_string()
}

#[tokio::test]
async fn a_guest_tops_up_a_number_with_an_amount_of_their_own_after_a_foreign_number_was_refused() {
    let app = spawn_with(true, &[("JOB_RUNNER", "on")]).await;
    let client = cookie_client();
    let home = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(r#"<a href="/top-up">"#), "the header leads here");
    let page = client.get(app.url("/top-up")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Дугаар цэнэглэх") && page.contains("Дата багц") && page.contains("Тариф"), "{page}");
    let csrf = csrf_in(&page);

    // Checked as typed: a foreign number is told at the field, one of ours is confirmed.
    let check = |number: &'static str| {
        let (client, app, csrf) = (&client, &app, csrf.clone());
        async move {
            let res = client
                .post(app.url("/top-up/check"))
                .header("HX-Request", "true")
                .header("X-CSRF-Token", &csrf)
                .form(&[("_csrf", csrf.as_str()), ("msisdn", number)])
                .send()
                .await
                .unwrap();
            res.text().await.unwrap()
        }
    };
    let foreign = check("9911 2233").await;
    assert!(foreign.contains(r#"id="msisdn-error""#) && foreign.contains("80, 86, 88, 89"), "{foreign}");
    assert!(check("+976 8811-2233").await.contains("8811 2233 манай сүлжээний дугаар"));

    let key = {
        let marker = "name=\"key\" value=\"";
        let start = page.find(marker).unwrap() + marker.len();
        page[start..start + page[start..].find('"').unwrap()].to_string()
    };
    let free = id_of(&app, "top-up-any-amount");
    let send = |number: &'static str, amount: &'static str, key: String| {
        let (client, app, csrf, free) = (&client, &app, csrf.clone(), free.clone());
        async move {
            client
                .post(app.url("/top-up"))
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("key", key.as_str()),
                    ("msisdn", number),
                    ("product_id", free.as_str()),
                    ("amount", amount),
                    ("email", "guest@example.mn"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = send("99112233", "7500", key.clone()).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await.unwrap();
    assert!(
        refused.contains(r#"id="msisdn-error""#) && refused.contains("манай сүлжээний дугаар байх ёстой"),
        "{refused}"
    );
    assert!(refused.contains(r#"value="7500""#), "nothing typed is lost");
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM carts"), 0, "the refused form's cart is gone");
    let res = send("88112233", "1000000", key.clone()).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(r#"id="amount-error""#));

    let res = send("8811 2233", "7500", key.clone()).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/payments/"), "{to}");
    // Sent twice (a double tap): the same order, not a second one.
    assert_eq!(send("8811 2233", "7500", key).await.headers()["location"].to_str().unwrap(), to);
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);
    let payment = to.trim_start_matches("/payments/").split('/').next().unwrap().to_string();
    app.simulate(&payment, "succeeded").await;
    for _ in 0..100 {
        if app.count("SELECT count(*) AS n FROM orders WHERE status = 'completed'") == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM orders WHERE status = 'completed'"), 1);
    assert_eq!(app.count("SELECT balance::bigint AS n FROM sandbox_subscribers WHERE msisdn = '88112233'"), 7500);
}

#[tokio::test]
async fn a_link_can_preselect_a_pack_and_the_number() {
    let app = spawn_with(true, &[]).await;
    let (status, page) = app.get_text("/top-up?product=data-5gb-30d&msisdn=88112233&lang=en").await;
    assert_eq!(status, 200);
    let pack = id_of(&app, "data-5gb-30d");
    assert!(page.contains(&format!(r#"value="{pack}" checked"#)), "{page}");
    assert!(page.contains(r#"value="88112233""#));
}
