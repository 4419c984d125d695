use crate::common::{cookie_client, spawn_app_empty, GOOD_PASSWORD};

fn address_form<'a>(csrf: &'a str, phone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("name", "Бат Болд"),
        ("phone", phone),
        ("city", "Улаанбаатар"),
        ("district", "Сүхбаатар"),
        ("line1", "8-р хороо, 12-р байр, 34 тоот"),
    ]
}

#[tokio::test]
async fn the_address_book_adds_edits_and_removes_for_its_owner_only() {
    let app = spawn_app_empty().await;
    let bat = cookie_client();
    app.register_in_browser(&bat, "bat@example.mn").await;
    let csrf = app.csrf_from(&bat, "/account").await;
    let res =
        bat.post(app.url("/account/addresses")).form(&address_form(&csrf, "+976 9911-2233")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let html = bat.get(app.url("/account?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Address saved."), "a one-time notice");
    assert!(html.contains("Бат Болд, 99112233"), "the phone is stored as 8 digits");
    assert!(html.contains("Default"), "the first address is the default");
    let again = bat.get(app.url("/account?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("Address saved."), "the notice shows once");

    let marker = "/account/addresses/";
    let start = html.find(marker).unwrap() + marker.len();
    let id = &html[start..start + 36];

    let res = bat.post(app.url("/account/addresses?lang=en")).form(&address_form(&csrf, "12345")).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("must be an 8-digit phone number"));
    assert!(page.contains(r#"value="Бат Болд""#), "input kept");

    let saraa = cookie_client();
    app.register_in_browser(&saraa, "saraa@example.mn").await;
    let other_csrf = app.csrf_from(&saraa, "/account").await;
    assert_eq!(saraa.get(app.url(&format!("/account/addresses/{id}"))).send().await.unwrap().status(), 404);
    let res = saraa
        .post(app.url(&format!("/account/addresses/{id}")))
        .form(&address_form(&other_csrf, "88112233"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = saraa
        .post(app.url(&format!("/account/addresses/{id}/delete")))
        .form(&[("_csrf", other_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let mut edit = address_form(&csrf, "88112233");
    edit[1] = ("name", "Бат");
    let res = bat.post(app.url(&format!("/account/addresses/{id}"))).form(&edit).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let html = bat.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Бат, 88112233"));
    let res = bat
        .post(app.url(&format!("/account/addresses/{id}/delete")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html = bat.get(app.url("/account?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No saved addresses yet."));
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = spawn_app_empty().await;
    let laptop = cookie_client();
    app.register_in_browser(&laptop, "bat@example.mn").await;
    let phone = cookie_client();
    app.sign_in_browser(&phone, "bat@example.mn").await;
    let token = app.token("bat@example.mn", GOOD_PASSWORD).await;
    let csrf = app.csrf_from(&laptop, "/account").await;

    let res = laptop
        .post(app.url("/account/password?lang=en"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current_password", "Not-The-Password-1"),
            ("new_password", "Terelj-Park-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("is not your current password"));

    let res = laptop
        .post(app.url("/account/password"))
        .form(&[("_csrf", csrf.as_str()), ("current_password", GOOD_PASSWORD), ("new_password", "Terelj-Park-2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html = laptop.get(app.url("/account?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Password changed."), "this session stays signed in");
    assert_eq!(phone.get(app.url("/account")).send().await.unwrap().status(), 303, "the other session ended");
    assert_eq!(app.get_json_as("/api/v1/me", &token).await.0, 401, "tokens were revoked");
    app.token("bat@example.mn", "Terelj-Park-2026").await;
}

#[tokio::test]
async fn renaming_shows_the_new_name_in_the_header() {
    let app = spawn_app_empty().await;
    let client = cookie_client();
    app.register_in_browser(&client, "bat@example.mn").await;
    let csrf = app.csrf_from(&client, "/account").await;
    let res = client
        .post(app.url("/account/profile"))
        .form(&[("_csrf", csrf.as_str()), ("name", "  Болд  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html = client.get(app.url("/products")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<span class="label">Болд</span></a>"#), "{html}");
    let res =
        client.post(app.url("/account/profile")).form(&[("_csrf", csrf.as_str()), ("name", "")]).send().await.unwrap();
    assert_eq!(res.status(), 422);
}
