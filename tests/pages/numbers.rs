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
