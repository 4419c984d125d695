//! `/numbers`: the number picker's page.
use crate::common::spawn_app;

#[tokio::test]
async fn the_number_picker_lists_matching_numbers_with_their_tier_and_price_in_mongolian_first() {
    let app = spawn_app().await;
    let (status, page) = app.get_text("/numbers").await;
    assert_eq!(status, 200);
    assert!(page.contains("Дугаараа сонгох") && page.contains("Олдсон дугаар:"), "Mongolian first");
    assert!(page.contains(r#"<a href="/numbers">"#), "the header leads here");
    let (_, page) = app.get_text("/numbers?q=8888*").await;
    assert!(page.contains(r#"class="number number-golden""#) && page.contains("8888 8888"), "golden numbers stand out");

    let (status, page) = app.get_text("/numbers?q=88*11&lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"value="88*11""#), "what was typed is kept");
    let shown: Vec<&str> = page.match_indices(r#"<span class="msisdn">"#).map(|(i, _)| &page[i + 21..i + 30]).collect();
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|n| n.starts_with("88") && n.ends_with("11")), "{shown:?}");

    let (_, gold) = app.get_text("/numbers?tier=platinum&lang=en").await;
    assert!(gold.contains("8888 8888") && gold.contains("Platinum") && gold.contains("Numbers found: 1"));
    assert!(gold.contains(r#"<option value="platinum" selected>"#));

    // htmx asks for the list alone.
    let res = app.client.get(app.url("/numbers?q=*2211&lang=en")).header("HX-Request", "true").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let fragment = res.text().await.unwrap();
    assert!(fragment.starts_with(r#"<section id="number-list""#) && !fragment.contains("<html"), "{fragment}");
    assert!(fragment.contains("8811 2211"));

    // A wrong search is told beside the field, in the visitor's language.
    let (status, page) = app.get_text("/numbers?q=88a1").await;
    assert_eq!(status, 422);
    assert!(page.contains(r#"id="q-error""#) && page.contains("зөвхөн цифр"), "{page}");
}

/// The `value` of the hidden field `name` in the first form that has it.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_number_chosen_in_the_picker_is_held_in_the_cart_with_its_countdown() {
    let app = spawn_app().await;
    let client = crate::common::cookie_client();
    app.register_in_browser(&client, "picker@example.mn").await;
    let page = client.get(app.url("/numbers?q=*2211")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Энэ дугаарыг сонгох") && page.contains("Одоо, eSIM дээр"), "each number can be chosen");
    let (csrf, product, number) = (hidden(&page, "_csrf"), hidden(&page, "product_id"), hidden(&page, "number"));

    // A wrong SIM code is told beside the form, in Mongolian, and nothing is held.
    let res = client
        .post(app.url("/cart/items"))
        .header("HX-Request", "true")
        .form(&[
            ("_csrf", csrf.as_str()),
            ("product_id", &product),
            ("number", &number),
            ("activation", "physical"),
            ("activation_code", "99999999"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let fragment = res.text().await.unwrap();
    assert!(
        fragment.contains(r#"data-field="activation_code""#) && fragment.contains("ийм кодтой SIM карт алга"),
        "{fragment}"
    );
    // The message stands beside the code's field (sent again out of band, the code kept),
    // once: not also under the button.
    let field =
        &fragment[fragment.find(&format!(r#"id="code-field-{number}" hx-swap-oob="true""#)).expect(&fragment)..];
    let field = &field[..field.find("</div>").unwrap()];
    assert!(field.contains("ийм кодтой SIM карт алга") && field.contains(r#"aria-invalid="true""#), "{field}");
    assert!(field.contains(r#"value="99999999""#), "{field}");
    assert_eq!(fragment.matches("ийм кодтой SIM карт алга").count(), 1, "{fragment}");

    let res = client
        .post(app.url("/cart/items"))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf.as_str()), ("product_id", &product), ("number", &number), ("activation", "later")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let added = res.text().await.unwrap();
    assert!(added.contains(&format!(r#"id="code-field-{number}" hx-swap-oob="true""#)), "{added}");
    assert!(!added.contains("field-error"), "an accepted add clears the code's message: {added}");
    let cart = client.get(app.url("/cart")).send().await.unwrap().text().await.unwrap();
    let shown = format!("{} {}", &number[..4], &number[4..]);
    assert!(cart.contains(&shown) && cart.contains("дараа идэвхжүүлнэ"), "{cart}");
    assert!(cart.contains("хүртэл танд хадгалагдана") && cart.contains(r#"<time class="countdown""#), "{cart}");

    // Held: the picker no longer offers it.
    let (_, again) = app.get_text(&format!("/numbers?q={number}")).await;
    assert!(!again.contains(&format!("data-msisdn=\"{number}\"")));
}

#[tokio::test]
async fn number_esim_and_reissue_pages_lead_on_instead_of_ending() {
    let app = spawn_app().await;
    for (slug, to) in
        [("number-gold", "/numbers?tier=gold"), ("esim", "/numbers"), ("esim-reissue", "/account/numbers")]
    {
        let (status, page) = app.get_text(&format!("/products/{slug}")).await;
        assert_eq!(status, 200, "{slug}");
        assert!(page.contains(&format!(r#"id="next-step" href="{to}""#)), "{slug} leads to {to}");
    }
}
