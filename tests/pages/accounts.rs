use storefront::domain::accounts::Role;

use crate::common::{cookie_client, csrf_in, spawn_app_empty, GOOD_PASSWORD};

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sf_session="))
        .map(str::to_string)
}

#[tokio::test]
async fn registering_signs_you_in_with_a_private_http_only_cookie() {
    let app = spawn_app_empty().await;
    let client = cookie_client();
    let csrf = app.csrf_from(&client, "/register?lang=en").await;
    let res = client
        .post(app.url("/register"))
        .form(&[("_csrf", csrf.as_str()), ("email", "Bat@Example.mn"), ("name", "Бат"), ("password", GOOD_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account");
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP in development");
    assert!(!cookie.contains("bat@example.mn") && !cookie.contains("uid"), "the cookie is encrypted: {cookie}");
    let html = client.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("bat@example.mn") && html.contains("Бат"));
    assert!(html.contains("Sign out"), "the header offers to sign out");
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_403() {
    let app = spawn_app_empty().await;
    let client = cookie_client();
    let csrf = app.csrf_from(&client, "/login").await;
    for token in [None, Some("wrong"), Some("")] {
        let mut form = vec![("email", "a@b.mn"), ("password", GOOD_PASSWORD)];
        if let Some(t) = token {
            form.push(("_csrf", t));
        }
        let res = client.post(app.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 403, "{token:?}");
        assert!(res.text().await.unwrap().contains("<html"), "a friendly page");
    }
    // A token from another session does not work either.
    let other = cookie_client();
    let res =
        other.post(app.url("/login")).form(&[("_csrf", csrf.as_str()), ("email", "a@b.mn")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    // htmx sends it in a header instead.
    let res = client
        .post(app.url("/login"))
        .header("X-CSRF-Token", &csrf)
        .form(&[("email", "a@b.mn"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "past the CSRF check");
    let res = app.client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn registration_errors_keep_the_input_and_say_what_is_wrong() {
    let app = spawn_app_empty().await;
    let client = cookie_client();
    let csrf = app.csrf_from(&client, "/register").await;
    let res = client
        .post(app.url("/register"))
        .form(&[("_csrf", csrf.as_str()), ("email", "bat@example"), ("name", "Бат"), ("password", "1234567890")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"value="Бат""#) && html.contains(r#"value="bat@example""#));
    assert!(!html.contains("1234567890"), "the password is never echoed");
    assert!(html.contains("имэйл хаяг байх ёстой"), "messages in the page's language");
    assert!(html.contains("хэт түгээмэл"));
    assert!(html.contains(r#"aria-invalid="true""#));

    app.register_in_browser(&cookie_client(), "taken@example.mn").await;
    let res = client
        .post(app.url("/register?lang=en"))
        .form(&[("_csrf", csrf.as_str()), ("email", "TAKEN@example.mn"), ("name", "B"), ("password", GOOD_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("An account with this email exists"));
}

#[tokio::test]
async fn signing_in_renews_the_session_and_goes_where_you_were_going() {
    let app = spawn_app_empty().await;
    app.register_in_browser(&cookie_client(), "bat@example.mn").await;
    let client = cookie_client();
    let res = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=%2Faccount");
    let page = client.get(app.url("/login?next=/account&lang=en")).send().await.unwrap();
    let before = session_cookie(&page).expect("the login form starts a session for its token");
    let csrf = csrf_in(&page.text().await.unwrap());

    let res = client
        .post(app.url("/login?lang=en"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "bat@example.mn"),
            ("password", "Wrong-Password-1"),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let wrong = res.text().await.unwrap();
    assert!(wrong.contains("Wrong email or password."));
    let res = client
        .post(app.url("/login?lang=en"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "nobody@example.mn"),
            ("password", "Wrong-Password-1"),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Wrong email or password."), "the same answer for an unknown email");

    let res = client
        .post(app.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "bat@example.mn"),
            ("password", GOOD_PASSWORD),
            ("next", "//evil.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account", "never off-site");
    let after = session_cookie(&res).expect("a new session cookie");
    assert_ne!(before, after, "the session is renewed on sign-in");
    let old_token_form = client.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(old_token_form.status(), 403, "the CSRF token is rotated on sign-in");
}

/// Browsers drop tabs and newlines in URLs and read `\` as `/`: none of these may lead off the
/// site, and a control character is a redirect home, not a 500.
#[tokio::test]
async fn after_sign_in_no_next_leads_off_the_site_however_it_is_spelled() {
    let app = spawn_app_empty().await;
    app.register_in_browser(&cookie_client(), "bat@example.mn").await;
    for next in ["/\t/evil.example/x", "/\n/evil.example", "/\\evil.example", "\\\\evil.example", "/a\u{1}b"] {
        let client = cookie_client();
        let page = client.get(app.url("/login")).send().await.unwrap();
        let csrf = csrf_in(&page.text().await.unwrap());
        let res = client
            .post(app.url("/login"))
            .form(&[("_csrf", csrf.as_str()), ("email", "bat@example.mn"), ("password", GOOD_PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], "/account", "{next:?}");
    }
}

#[tokio::test]
async fn signing_out_clears_the_session() {
    let app = spawn_app_empty().await;
    let client = cookie_client();
    app.register_in_browser(&client, "bat@example.mn").await;
    let csrf = app.csrf_from(&client, "/account").await;
    let res = client.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(
        session_cookie(&res).is_some_and(|c| c.contains("Max-Age=0") || c.contains("expires=Thu, 01 Jan 1970")),
        "removed"
    );
    assert_eq!(client.get(app.url("/account")).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn signing_out_everywhere_ends_other_sessions_and_api_tokens() {
    let app = spawn_app_empty().await;
    let laptop = cookie_client();
    app.register_in_browser(&laptop, "bat@example.mn").await;
    let phone = cookie_client();
    assert_eq!(app.sign_in_browser(&phone, "bat@example.mn").await.status(), 303);
    let token = app.token("bat@example.mn", GOOD_PASSWORD).await;
    assert_eq!(phone.get(app.url("/account")).send().await.unwrap().status(), 200);

    let csrf = app.csrf_from(&laptop, "/account").await;
    let res =
        laptop.post(app.url("/account/sign-out-everywhere")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        phone.get(app.url("/account")).send().await.unwrap().status(),
        303,
        "the phone's cookie stopped working"
    );
    assert_eq!(app.get_json_as("/api/v1/me", &token).await.0, 401);
    assert_eq!(app.sign_in_browser(&phone, "bat@example.mn").await.status(), 303, "signing in again works");
}

#[tokio::test]
async fn admin_pages_redirect_guests_refuse_customers_and_open_for_staff() {
    let app = spawn_app_empty().await;
    let guest = cookie_client();
    let res = guest.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=%2Fadmin");

    let customer = cookie_client();
    app.register_in_browser(&customer, "bat@example.mn").await;
    let res = customer.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(res.status(), 403);

    app.create_staff("saraa@shop.mn", Role::Admin);
    let staff = cookie_client();
    assert_eq!(app.sign_in_browser(&staff, "saraa@shop.mn").await.status(), 303);
    let res = staff.get(app.url("/admin?lang=en")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Staff dashboard"));

    // A staff account made without a name (`create-staff` without `--name`) is its email.
    {
        use storefront::domain::accounts::{commands, password, Email};
        let mut conn = app.test_db.connect();
        let hash = password::hash(crate::common::GOOD_PASSWORD).unwrap();
        let email = Email::parse("bold@shop.mn", "email").unwrap();
        commands::upsert_staff(&mut conn, &email, &hash, Role::Staff, None).unwrap();
    }
    let unnamed = cookie_client();
    assert_eq!(app.sign_in_browser(&unnamed, "bold@shop.mn").await.status(), 303);
    let page = unnamed.get(app.url("/admin?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(r#"<span class="admin-who">bold@shop.mn · <span class="role role-staff">staff</span>"#),
        "{page}"
    );
}

#[tokio::test]
async fn a_session_cookie_never_authenticates_the_api() {
    let app = spawn_app_empty().await;
    let client = cookie_client();
    app.register_in_browser(&client, "bat@example.mn").await;
    assert_eq!(client.get(app.url("/account")).send().await.unwrap().status(), 200);
    let res = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

/// The cookie's value as a browser would send it back (`name=value`).
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

/// A copy of the cookie taken before signing out opens nothing afterwards: signing out ends the
/// session on the server, not only in this browser.
#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working() {
    let app = spawn_app_empty().await;
    app.register_in_browser(&cookie_client(), "bat@example.mn").await;
    let client = cookie_client();
    let res = app.sign_in_browser(&client, "bat@example.mn").await;
    assert_eq!(res.status(), 303);
    let copied = cookie_pair(&session_cookie(&res).expect("a session cookie"));
    let replay = |cookie: String| {
        let plain = app.client.clone();
        let url = app.url("/account");
        async move { plain.get(url).header("Cookie", cookie).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(replay(copied.clone()).await, 200, "the copy works while the session lives");
    let csrf = app.csrf_from(&client, "/account").await;
    let res = client.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(replay(copied).await, 303, "after signing out, the copied cookie leads to the sign-in page");
}

/// A session ends on the server after its lifetime (14 days), whatever the cookie says.
#[tokio::test]
async fn a_session_ends_after_its_lifetime_on_the_servers_clock() {
    use std::sync::Arc;
    use storefront::domain::shared::FixedClock;
    use storefront::services::Services;
    let clock = Arc::new(FixedClock::at(chrono::Utc::now()));
    let fixed = Arc::clone(&clock);
    let app = crate::common::spawn_with_services(false, &[], move |config| {
        Ok(Services { clock: fixed, ..Services::from_config(config)? })
    })
    .await;
    let client = cookie_client();
    app.register_in_browser(&client, "bat@example.mn").await;
    assert_eq!(client.get(app.url("/account")).send().await.unwrap().status(), 200);
    clock.advance(chrono::Duration::days(13));
    assert_eq!(client.get(app.url("/account")).send().await.unwrap().status(), 200);
    clock.advance(chrono::Duration::days(2));
    assert_eq!(client.get(app.url("/account")).send().await.unwrap().status(), 303);
}
