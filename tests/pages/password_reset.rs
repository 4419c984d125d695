use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::common::smtp::SmtpServer;
use crate::common::{cookie_client, csrf_in, spawn_with, TestApp, GOOD_PASSWORD};

const NEW_PASSWORD: &str = "Terelj-Park-2026";

async fn app_with_mail() -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let app = spawn_with(false, &[("SMTP_URL", &smtp.url())]).await;
    (app, smtp)
}

async fn ask_for_link(app: &TestApp, client: &reqwest::Client, email: &str) -> (u16, String, Duration) {
    let csrf = app.csrf_from(client, "/password-reset?lang=en").await;
    let start = Instant::now();
    let res = client
        .post(app.url("/password-reset?lang=en"))
        .form(&[("_csrf", csrf.as_str()), ("email", email)])
        .send()
        .await
        .unwrap();
    let took = start.elapsed();
    (res.status().as_u16(), res.text().await.unwrap(), took)
}

#[tokio::test]
async fn the_mailed_link_sets_a_new_password_once() {
    let (app, smtp) = app_with_mail().await;
    let old_token = app.customer_token("bat@example.mn").await;
    let client = cookie_client();
    let (status, html, _) = ask_for_link(&app, &client, "Bat@Example.mn").await;
    assert_eq!(status, 200);
    assert!(html.contains("If bat@example.mn has an account, a link to choose a new password is on its way."));

    let mail = smtp.wait_for("bat@example.mn", 10).await;
    assert_eq!(mail.subject(), "Reset your Tenger Mobile password");
    assert!(mail.text().contains("works once, for 60 minutes"));
    let link = mail.link_path("/password-reset/").expect("a reset link");

    let page = client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csrf = csrf_in(&page.text().await.unwrap());
    let weak =
        client.post(app.url(&link)).form(&[("_csrf", csrf.as_str()), ("password", "short")]).send().await.unwrap();
    assert_eq!(weak.status(), 422, "a weak password is refused and the link still works");
    let res =
        client.post(app.url(&link)).form(&[("_csrf", csrf.as_str()), ("password", NEW_PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(client.get(app.url("/account")).send().await.unwrap().status(), 200, "signed in");

    assert_eq!(client.get(app.url(&link)).send().await.unwrap().status(), 410, "the link works once");
    let again = client
        .post(app.url(&link))
        .form(&[("_csrf", csrf.as_str()), ("password", "Another-Good-One-9")])
        .send()
        .await
        .unwrap();
    let csrf_now = app.csrf_from(&client, "/account").await;
    let again2 = client
        .post(app.url(&link))
        .form(&[("_csrf", csrf_now.as_str()), ("password", "Another-Good-One-9")])
        .send()
        .await
        .unwrap();
    assert!(again.status() == 403 || again.status() == 410);
    assert_eq!(again2.status(), 410);

    let (status, _) = app
        .post_json("/api/v1/auth/token", &serde_json::json!({"email": "bat@example.mn", "password": GOOD_PASSWORD}))
        .await;
    assert_eq!(status, 401, "the old password is gone");
    app.token("bat@example.mn", NEW_PASSWORD).await;
    assert_eq!(app.get_json_as("/api/v1/me", &old_token).await.0, 401, "changing the password revoked old tokens");
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answer_in_the_same_time_and_no_mail() {
    let (app, smtp) = app_with_mail().await;
    app.customer_token("bat@example.mn").await;
    let client = cookie_client();
    let (s1, known, t1) = ask_for_link(&app, &client, "bat@example.mn").await;
    let (s2, unknown, t2) = ask_for_link(&app, &client, "nobody@example.mn").await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(known.replace("bat@example.mn", "X"), unknown.replace("nobody@example.mn", "X"));
    assert!(t1 >= Duration::from_millis(250) && t2 >= Duration::from_millis(250), "{t1:?} {t2:?}");
    smtp.wait_for("bat@example.mn", 10).await;
    // Mail leaves only through the queue, and nothing was queued for the unknown address.
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs WHERE payload->>'to' = 'nobody@example.mn'"), 0);
    assert!(smtp.received().iter().all(|m| !m.to.iter().any(|t| t.contains("nobody"))));
}

#[tokio::test]
async fn an_expired_link_no_longer_works() {
    let (app, smtp) = app_with_mail().await;
    app.customer_token("bat@example.mn").await;
    let client = cookie_client();
    ask_for_link(&app, &client, "bat@example.mn").await;
    let link = smtp.wait_for("bat@example.mn", 10).await.link_path("/password-reset/").unwrap();
    let mut conn = app.test_db.connect();
    diesel::sql_query(
        "UPDATE password_resets SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'",
    )
    .execute(&mut conn)
    .unwrap();
    let res = client.get(app.url(&format!("{link}?lang=en"))).send().await.unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("This link no longer works"));
    let csrf = app.csrf_from(&client, "/login").await;
    let res =
        client.post(app.url(&link)).form(&[("_csrf", csrf.as_str()), ("password", NEW_PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status(), 410);
}

#[tokio::test]
async fn the_reset_token_is_kept_only_as_its_hash() {
    let (app, smtp) = app_with_mail().await;
    app.customer_token("bat@example.mn").await;
    ask_for_link(&app, &cookie_client(), "bat@example.mn").await;
    let mail = smtp.wait_for("bat@example.mn", 10).await;
    let token = mail.link_path("/password-reset/").unwrap().trim_start_matches("/password-reset/").to_string();
    let mut conn = app.test_db.connect();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let done: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM jobs WHERE status = 'done')",
        ))
        .get_result(&mut conn)
        .unwrap();
        if done == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the job was not recorded as done");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let leaked: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM jobs j WHERE j::text LIKE '%{token}%')"
    )))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(leaked, 0);
    let stored: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM password_resets WHERE token_hash = sha256(convert_to('{token}', 'UTF8')))"
    )))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(stored, 1, "the token is kept only as its hash");
}

#[tokio::test]
async fn reset_mail_comes_in_the_visitors_language() {
    let (app, smtp) = app_with_mail().await;
    app.customer_token("bat@example.mn").await;
    let client = cookie_client();
    let csrf = app.csrf_from(&client, "/password-reset?lang=mn").await;
    client
        .post(app.url("/password-reset"))
        .form(&[("_csrf", csrf.as_str()), ("email", "bat@example.mn")])
        .send()
        .await
        .unwrap();
    let mail = smtp.wait_for("bat@example.mn", 10).await;
    assert_eq!(mail.subject(), "Тэнгэр Мобайл нууц үгээ сэргээх");
    assert!(mail.text().contains("Шинэ нууц үг сонгох"));
}
