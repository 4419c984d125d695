use serde_json::json;

use crate::common::{spawn_app_empty, GOOD_PASSWORD};

fn address(phone: &str) -> serde_json::Value {
    json!({"name": "Bat", "phone": phone, "city": "Ulaanbaatar", "district": "Bayangol", "line1": "3rd microdistrict, 45-12"})
}

#[tokio::test]
async fn the_address_book_over_the_api_is_the_callers_own() {
    let app = spawn_app_empty().await;
    let bat = app.customer_token("bat@example.mn").await;
    let saraa = app.customer_token("saraa@example.mn").await;
    let res = app
        .client
        .post(app.url("/api/v1/me/addresses"))
        .bearer_auth(&bat)
        .json(&address("8811 2233"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!((created["phone"].as_str(), created["is_default"].as_bool()), (Some("88112233"), Some(true)));
    let id = created["id"].as_str().unwrap();

    let res = app
        .client
        .post(app.url("/api/v1/me/addresses"))
        .bearer_auth(&bat)
        .json(&json!({"phone": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<_> = body["errors"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(fields, ["city", "district", "line1", "name", "phone"]);

    let (_, mine) = app.get_json_as("/api/v1/me/addresses", &bat).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, theirs) = app.get_json_as("/api/v1/me/addresses", &saraa).await;
    assert_eq!(theirs, json!([]));
    let url = app.url(&format!("/api/v1/me/addresses/{id}"));
    assert_eq!(app.client.put(&url).bearer_auth(&saraa).json(&address("88112233")).send().await.unwrap().status(), 404);
    assert_eq!(app.client.delete(&url).bearer_auth(&saraa).send().await.unwrap().status(), 404);
    let res = app.client.put(&url).bearer_auth(&bat).json(&address("99001122")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.client.delete(&url).bearer_auth(&bat).send().await.unwrap().status(), 204);
    assert_eq!(app.client.delete(&url).bearer_auth(&bat).send().await.unwrap().status(), 404);
    assert_eq!(app.get("/api/v1/me/addresses").await.status(), 401);
}

#[tokio::test]
async fn renaming_and_changing_the_password_over_the_api() {
    let app = spawn_app_empty().await;
    let token = app.customer_token("bat@example.mn").await;
    let res = app
        .client
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"name": "Болд"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["name"], "Болд");

    let url = app.url("/api/v1/me/password");
    let res = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"current_password": "wrong-one-123", "new_password": "Terelj-Park-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"current_password": GOOD_PASSWORD, "new_password": "password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "a common new password is refused");
    let res = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"current_password": GOOD_PASSWORD, "new_password": "Terelj-Park-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get_json_as("/api/v1/me", &token).await.0, 401, "every token ends with the old password");
    app.token("bat@example.mn", "Terelj-Park-2026").await;
}
