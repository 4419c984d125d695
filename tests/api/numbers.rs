//! The number pool: the picker's search and the staff import.
use serde_json::{json, Value};
use storefront::domain::accounts::Role;

use crate::common::{spawn_app, TestApp, GOOD_PASSWORD};

async fn search(app: &TestApp, query: &str) -> (u16, Value) {
    app.get_json(&format!("/api/v1/numbers{query}")).await
}

fn msisdns(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|n| n["msisdn"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_picker_finds_available_numbers_by_pattern_and_tier_at_their_tiers_price() {
    let app = spawn_app().await;
    let (status, all) = search(&app, "?per_page=100").await;
    assert_eq!(status, 200, "{all}");
    let total = all["total"].as_i64().unwrap();
    assert_eq!((total, all["total_capped"].as_bool()), (200, Some(true)), "the demo's 600 numbers are counted to 200");
    let first = msisdns(&all);
    assert!(first.windows(2).all(|w| w[0] < w[1]), "in order");

    for (q, check) in [
        ("88*11", Box::new(|n: &str| n.starts_with("88") && n.ends_with("11")) as Box<dyn Fn(&str) -> bool>),
        ("*2211", Box::new(|n: &str| n.ends_with("2211"))),
        ("8888*", Box::new(|n: &str| n.starts_with("8888"))),
        ("1234", Box::new(|n: &str| n.contains("1234"))),
    ] {
        let (status, page) = search(&app, &format!("?q={}&per_page=100", q.replace('*', "%2A"))).await;
        assert_eq!(status, 200, "{q}: {page}");
        let found = msisdns(&page);
        assert!(!found.is_empty(), "{q} finds the demo's golden numbers");
        assert!(found.iter().all(|n| check(n)), "{q}: {found:?}");
        assert_eq!(page["total"].as_i64().unwrap(), found.len() as i64, "{q}");
    }
    // Golden numbers stand out and cost their tier's price.
    let (_, platinum) = search(&app, "?tier=platinum").await;
    assert_eq!(msisdns(&platinum), ["88888888"]);
    let eight = &platinum["items"][0];
    assert_eq!((eight["golden"].as_bool(), eight["tier"].as_str()), (Some(true), Some("platinum")));
    let product: Value = app.get_json("/api/v1/products/number-platinum").await.1;
    assert_eq!(eight["price"], product["price"]);
    let (_, gold) = search(&app, "?q=89118911").await;
    assert_eq!(gold["items"][0]["tier"], "gold");

    // Every wrong parameter is named.
    let (status, problem) = search(&app, "?q=88a1&tier=diamond&page=0").await;
    assert_eq!(status, 422);
    for field in ["q", "tier", "page"] {
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    assert_eq!(search(&app, "?q=123456789").await.0, 422, "more than 8 digits");
    let (status, past) = search(&app, "?page=1000").await;
    assert_eq!((status, past["items"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(past["total"].as_i64(), Some(total), "a page past the end still tells the total");
}

#[tokio::test]
async fn held_sold_and_retired_numbers_are_not_offered_until_a_hold_runs_out() {
    let app = spawn_app().await;
    let cart = app.cart_with(None, &[]).await;
    app.sql(&format!(
        "UPDATE numbers SET status = 'held', held_by = '{cart}', held_until = now() + interval '10 minutes' WHERE msisdn = '89118911'"
    ));
    app.sql("UPDATE numbers SET status = 'sold' WHERE msisdn = '88888888'");
    app.sql("UPDATE numbers SET status = 'retired' WHERE msisdn = '80001234'");
    for q in ["89118911", "88888888", "80001234"] {
        assert_eq!(search(&app, &format!("?q={q}")).await.1["total"], 0, "{q}");
    }
    // An expired hold frees the number at once, without a sweeper.
    app.sql("UPDATE numbers SET held_until = now() - interval '1 second' WHERE msisdn = '89118911'");
    assert_eq!(msisdns(&search(&app, "?q=89118911").await.1), ["89118911"]);
}

async fn import(app: &TestApp, token: &str, content_type: &str, body: &str) -> (u16, Value) {
    import_to(app, "numbers", token, content_type, body).await
}

async fn import_to(app: &TestApp, pool: &str, token: &str, content_type: &str, body: &str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/admin/{pool}/import")))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .header("Accept-Language", "en")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn staff_import_numbers_from_csv_or_json_with_a_report_per_line() {
    let app = spawn_app().await;
    let customer = app.customer_token("bat@example.mn").await;
    assert_eq!(import(&app, &customer, "text/csv", "88000001,ordinary").await.0, 403);
    let res = app.client.post(app.url("/api/v1/admin/numbers/import")).body("88000001,ordinary").send().await.unwrap();
    assert_eq!(res.status(), 401);
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = app.token("saraa@shop.mn", GOOD_PASSWORD).await;

    let csv = "msisdn,tier\n88000001,ordinary\n8800 0002,Silver\n99000003,gold\n880000,gold\n88000004,diamond\n88000001,gold\n88888888,platinum\n\n+976 8600-0005,platinum\n";
    let (status, report) = import(&app, &staff, "text/csv", csv).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["imported"].as_u64(), report["skipped"].as_u64()), (Some(3), Some(1)), "{report}");
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(4, "not_our_number"), (5, "phone"), (6, "tier"), (7, "duplicate_line")]);
    assert!(report["errors"][0]["message"].as_str().unwrap().contains("80, 86, 88, 89"), "{report}");
    assert_eq!(msisdns(&search(&app, "?q=8800000*").await.1), ["88000001", "88000002"]);
    assert_eq!(search(&app, "?q=86000005").await.1["items"][0]["tier"], "platinum");

    // JSON: lines are the array's positions; the same numbers again are skipped.
    let body =
        json!([{"msisdn": "88000001", "tier": "ordinary"}, {"msisdn": 89000006, "tier": "gold"}, {"tier": "gold"}]);
    let (status, report) = import(&app, &staff, "application/json", &body.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!((report["imported"].as_u64(), report["skipped"].as_u64()), (Some(1), Some(1)));
    assert_eq!(report["errors"][0]["line"], 3);
    assert_eq!(import(&app, &staff, "application/json", "{\"not\": \"a list\"}").await.0, 400);
}

fn codes_of(report: &Value) -> Vec<(u64, String, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap().into(), e["code"].as_str().unwrap().into()))
        .collect()
}

#[tokio::test]
async fn staff_import_sim_cards_and_esim_profiles_with_checked_iccids_and_codes_kept_secret() {
    use storefront::domain::telco::inventory::luhn_complete;
    let app = spawn_app().await;
    let customer = app.customer_token("bat@example.mn").await;
    assert_eq!(import_to(&app, "sim-cards", &customer, "application/json", "[]").await.0, 403);
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = app.token("saraa@shop.mn", GOOD_PASSWORD).await;

    let good = luhn_complete("898810099000000001");
    let wrong_check = format!("{}{}", &good[..18], (good.as_bytes()[18] - b'0' + 1) % 10);
    let body = json!([
        {"iccid": good, "activation_code": "5555 1234"},
        {"iccid": wrong_check, "activation_code": "55551235"},
        {"iccid": "12345", "activation_code": "55551236"},
        {"iccid": luhn_complete("898810099000000002"), "activation_code": "5555"},
        {"iccid": good, "activation_code": "55551237"},
        {"iccid": luhn_complete("898810099000000003"), "activation_code": "55551234"},
        {"iccid": luhn_complete("898810099000000004"), "activation_code": "20260001"},
        {"iccid": luhn_complete("8997601000000000001"), "activation_code": "20260001"},
    ]);
    let (status, report) = import_to(&app, "sim-cards", &staff, "application/json", &body.to_string()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["imported"].as_u64(), report["skipped"].as_u64()), (Some(1), Some(0)), "{report}");
    let expected: Vec<(u64, String, String)> = [
        (2, "iccid", "iccid_check"),
        (3, "iccid", "iccid"),
        (4, "activation_code", "sim_code"),
        (5, "iccid", "duplicate_line"),
        (6, "activation_code", "duplicate_line"),
        (7, "activation_code", "code_in_pool"),
        (8, "activation_code", "duplicate_line"),
    ]
    .iter()
    .map(|(l, f, c)| (*l, f.to_string(), c.to_string()))
    .collect();
    assert_eq!(codes_of(&report), expected, "{report}");
    // The same card again is skipped; its code is known by its keyed hash only.
    let again = json!([{"iccid": good, "activation_code": "55551234"}]);
    let (_, report) = import_to(&app, "sim-cards", &staff, "application/json", &again.to_string()).await;
    assert_eq!((report["imported"].as_u64(), report["skipped"].as_u64()), (Some(0), Some(1)), "{report}");
    assert_eq!(app.count("SELECT count(*) AS n FROM sim_cards WHERE encode(code_hash, 'hex') LIKE '%55551234%'"), 0);

    let code = "LPA:1$smdp.operator.mn$K2-1F2E3D-4C5B6A";
    let profiles = format!(
        "iccid,activation_code\n{},{code}\n{},LPA:1$no-dot$X\n{},{code}\n",
        luhn_complete("898810088000000001"),
        luhn_complete("898810088000000002"),
        luhn_complete("898810088000000003")
    );
    let (status, report) = import_to(&app, "esim-profiles", &staff, "text/csv", &profiles).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 1, "{report}");
    let expected: Vec<(u64, String, String)> =
        [(3, "activation_code", "esim_code"), (4, "activation_code", "duplicate_line")]
            .iter()
            .map(|(l, f, c)| (*l, f.to_string(), c.to_string()))
            .collect();
    assert_eq!(codes_of(&report), expected, "{report}");
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM esim_profiles WHERE position('K2-1F2E3D' in encode(code_sealed, 'escape')) > 0"
        ),
        0,
        "the activation code is sealed"
    );
}

#[tokio::test]
async fn a_broad_search_counts_up_to_two_hundred_in_one_statement() {
    let app = spawn_app().await;
    app.sql(
        "INSERT INTO numbers (msisdn, tier) SELECT '86' || lpad(g::text, 6, '0'), 'ordinary' \
         FROM generate_series(1, 1500) g ON CONFLICT DO NOTHING",
    );
    let before = app.queries();
    let (status, all) = search(&app, "").await;
    assert_eq!(status, 200);
    assert_eq!(app.queries() - before, 1, "the page, its total and the prices in one statement");
    assert_eq!((all["total"].as_i64(), all["total_capped"].as_bool()), (Some(200), Some(true)));
    let (_, narrow) = search(&app, "?q=860001*").await;
    assert_eq!((narrow["total"].as_i64(), narrow["total_capped"].as_bool()), (Some(100), Some(false)));
    let (_, page) = app.get_text("/numbers?lang=en").await;
    assert!(page.contains("more than 200"), "{page}");
}

#[tokio::test]
async fn a_contains_search_finds_the_digits_wherever_they_start_once_each_in_order() {
    let app = spawn_app().await;
    app.create_staff("saraa@shop.mn", Role::Staff);
    let staff = app.token("saraa@shop.mn", GOOD_PASSWORD).await;
    // "8989" at each of the five places it can start, at several at once, and nowhere whole.
    let csv = "89890001,ordinary\n88989001,ordinary\n80898901,ordinary\n80089891,ordinary\n80018989,ordinary\n\
               89898989,ordinary\n89808980,ordinary\n86989899,silver\n";
    assert_eq!(import(&app, &staff, "text/csv", csv).await.0, 200);
    let (status, page) = search(&app, "?q=8989&per_page=100").await;
    assert_eq!(status, 200, "{page}");
    let found = msisdns(&page);
    assert!(found.iter().all(|n| n.contains("8989")), "{found:?}");
    for n in ["89890001", "88989001", "80898901", "80089891", "80018989", "89898989", "86989899"] {
        assert_eq!(found.iter().filter(|f| *f == n).count(), 1, "{n} once: {found:?}");
    }
    assert!(!found.contains(&"89808980".to_string()));
    assert!(found.windows(2).all(|w| w[0] < w[1]), "in order: {found:?}");
    assert_eq!(page["total"].as_i64(), Some(found.len() as i64));

    // Pages of two walk the same list; a tier narrows it; more digits narrow it further.
    let mut paged = Vec::new();
    for n in 1..=found.len().div_ceil(2) {
        paged.extend(msisdns(&search(&app, &format!("?q=8989&per_page=2&page={n}")).await.1));
    }
    assert_eq!(paged, found);
    assert_eq!(msisdns(&search(&app, "?q=8989&tier=silver").await.1), ["86989899"]);
    let five = msisdns(&search(&app, "?q=89898").await.1);
    assert!(five.contains(&"89898989".to_string()) && five.iter().all(|n| n.contains("89898")), "{five:?}");
    assert!(!five.contains(&"89890001".to_string()));

    // Three digits anywhere, and digits between stars, are found by a walk in number order.
    let three = msisdns(&search(&app, "?q=898&per_page=100").await.1);
    assert!(three.contains(&"80018989".to_string()) && three.iter().all(|n| n.contains("898")), "{three:?}");
    assert!(three.windows(2).all(|w| w[0] < w[1]));
    let between = msisdns(&search(&app, "?q=*8980*0*&per_page=100").await.1);
    assert!(between.contains(&"89808980".to_string()), "{between:?}");
    assert!(between.iter().all(|n| n.find("8980").is_some_and(|at| n[at + 4..].contains('0'))), "{between:?}");
}
