use diesel::prelude::*;
use serde_json::json;
use storefront::domain::accounts::Role;

use crate::common::{spawn_app_empty, GOOD_PASSWORD};

#[tokio::test]
async fn registering_creates_a_customer_with_an_argon2id_hash() {
    let app = spawn_app_empty().await;
    let (status, body) = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": " Bat@Example.MN ", "password": GOOD_PASSWORD, "name": "Бат"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["email"], "bat@example.mn");
    assert_eq!(body["name"], "Бат");
    assert!(body["id"].is_string());
    let mut conn = app.test_db.connect();
    let hash: String =
        diesel::sql_query("SELECT password_hash AS h FROM accounts").get_result::<H>(&mut conn).unwrap().h;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(GOOD_PASSWORD));
}

#[derive(QueryableByName)]
struct H {
    #[diesel(sql_type = diesel::sql_types::Text)]
    h: String,
}

#[tokio::test]
async fn a_taken_email_is_409_whatever_its_case() {
    let app = spawn_app_empty().await;
    app.customer_token("bat@example.mn").await;
    let (status, body) = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "BAT@example.mn", "password": "Another-Good-One-9", "name": "B"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "email_taken");
}

#[tokio::test]
async fn registration_input_is_checked_field_by_field() {
    let app = spawn_app_empty().await;
    let (status, body) = app.post_json("/api/v1/auth/register", &json!({})).await;
    assert_eq!(status, 422);
    let fields: Vec<_> = body["errors"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(fields, ["email", "name", "password"]);
    for (password, code) in
        [("short", "too_short"), ("password123", "password_common"), ("1234567890", "password_common")]
    {
        let (status, body) = app
            .post_json("/api/v1/auth/register", &json!({"email": "a@b.mn", "password": password, "name": "A"}))
            .await;
        assert_eq!(status, 422, "{password}");
        assert_eq!(body["error_codes"]["password"][0]["code"], code, "{password}: {body}");
    }
    // The messages come in the request's language (Mongolian unless asked otherwise).
    let short = json!({"email": "a@b.mn", "password": "short", "name": "A"});
    for (lang, says) in [(None, "дор хаяж 10"), (Some("en"), "at least 10")] {
        let mut req = app.client.post(app.url("/api/v1/auth/register")).json(&short);
        if let Some(lang) = lang {
            req = req.header("Accept-Language", lang);
        }
        let body: serde_json::Value = req.send().await.unwrap().json().await.unwrap();
        assert!(body["errors"]["password"][0].as_str().unwrap().contains(says), "{lang:?}: {body}");
        assert_eq!(body["error_codes"]["password"][0]["params"]["min"], "10");
    }
    let (status, body) = app
        .post_json("/api/v1/auth/register", &json!({"email": "not-an-email", "password": GOOD_PASSWORD, "name": "A"}))
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["email"].is_array());
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_400_and_413() {
    let app = spawn_app_empty().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app.client.post(app.url("/api/v1/auth/register")).body("email=a").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let huge = json!({"email": "a@b.mn", "password": GOOD_PASSWORD, "name": "x".repeat(200_000)});
    let res = app.client.post(app.url("/api/v1/auth/register")).json(&huge).send().await.unwrap();
    assert_eq!(res.status(), 413);
    let res = app.client.get(app.url("/api/v1/auth/register")).send().await.unwrap();
    assert_eq!(res.status(), 405);
}

#[tokio::test]
async fn a_token_opens_me_until_it_is_revoked() {
    let app = spawn_app_empty().await;
    let token = app.customer_token("bat@example.mn").await;
    let (status, me) = app.get_json_as("/api/v1/me", &token).await;
    assert_eq!(status, 200);
    assert_eq!((me["email"].as_str(), me["role"].as_str()), (Some("bat@example.mn"), Some("customer")));

    let res = app.client.delete(app.url("/api/v1/auth/token")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let (status, body) = app.get_json_as("/api/v1/me", &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");
}

#[tokio::test]
async fn token_answers_follow_the_contract() {
    let app = spawn_app_empty().await;
    app.customer_token("bat@example.mn").await;
    let (status, body) =
        app.post_json("/api/v1/auth/token", &json!({"email": "BAT@example.mn", "password": GOOD_PASSWORD})).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    let expires = body["expires_in"].as_i64().unwrap();
    assert!((29 * 86400..=30 * 86400).contains(&expires), "{expires}");
    assert!(body["access_token"].as_str().unwrap().len() >= 43);

    let res = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": "bat@example.mn", "password": "Wrong-Password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let wrong: serde_json::Value = res.json().await.unwrap();
    let (status, unknown) = app
        .post_json("/api/v1/auth/token", &json!({"email": "nobody@example.mn", "password": "Wrong-Password-1"}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(wrong, unknown, "the answer does not tell whether the email exists");
    let (status, _) = app.post_json("/api/v1/auth/token", &json!({"email": "bat@example.mn"})).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn tokens_are_stored_only_as_a_hash_and_expire() {
    let app = spawn_app_empty().await;
    let token = app.customer_token("bat@example.mn").await;
    let mut conn = app.test_db.connect();
    let plain: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM api_tokens WHERE position(convert_to('{token}', 'UTF8') in token_hash) > 0)"
    )))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(plain, 0);
    let hashed: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to('{token}', 'UTF8')))"
    )))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(hashed, 1);
    diesel::sql_query(
        "UPDATE api_tokens SET created_at = now() - interval '31 days', expires_at = now() - interval '1 second'",
    )
    .execute(&mut conn)
    .unwrap();
    let (status, _) = app.get_json_as("/api/v1/me", &token).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn bad_or_missing_tokens_are_401() {
    let app = spawn_app_empty().await;
    for header in [None, Some("Bearer"), Some("Bearer nonsense"), Some("Basic Zm9vOmJhcg=="), Some("Bearer ")] {
        let mut req = app.client.get(app.url("/api/v1/me"));
        if let Some(h) = header {
            req = req.header("Authorization", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{header:?}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn admin_api_is_401_for_guests_403_for_customers_and_open_to_staff() {
    let app = spawn_app_empty().await;
    let customer = app.customer_token("bat@example.mn").await;
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    let res = app.get("/api/v1/admin/anything").await;
    assert_eq!(res.status(), 401);
    assert_eq!(app.get_json_as("/api/v1/admin/anything", &customer).await.0, 403);
    assert_eq!(app.get_json_as("/api/v1/admin/anything", &staff).await.0, 404, "past the guard");
    let (_, me) = app.get_json_as("/api/v1/me", &staff).await;
    assert_eq!(me["role"], "staff");
}

/// Equal work, counted rather than timed (a timing ratio measured beside other tests' argon2
/// work is noise): a wrong password, an unknown email and an empty password each cost exactly
/// one argon2 verification, through the API and the sign-in page alike.
#[tokio::test]
async fn an_unknown_email_costs_as_much_as_a_wrong_password() {
    let app = spawn_app_empty().await;
    app.customer_token("bat@example.mn").await;
    let work = |app: &crate::common::TestApp| app.hashing.done();
    for email in ["bat@example.mn", "nobody@example.mn"] {
        let before = work(&app);
        let (status, _) =
            app.post_json("/api/v1/auth/token", &json!({"email": email, "password": "Wrong-Password-1"})).await;
        assert_eq!((status, work(&app) - before), (401, 1), "{email}");
    }
    let page = crate::common::cookie_client();
    let form = page.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::common::csrf_in(&form);
    for (email, password) in [("bat@example.mn", ""), ("nobody@example.mn", ""), ("nobody@example.mn", "x")] {
        let before = work(&app);
        let res = page
            .post(app.url("/login"))
            .form(&[("_csrf", csrf.as_str()), ("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!((res.status().as_u16(), work(&app) - before), (422, 1), "{email} {password:?}");
    }
}
