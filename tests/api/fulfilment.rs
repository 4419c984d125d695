//! Fulfilment through the operator: paid digital lines are done by the operator (the sandbox
//! here, or a real HTTP operator on loopback), exactly once, with refunds for refusals.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{spawn_with, TestApp};

const RUNNER: (&str, &str) = ("JOB_RUNNER", "on");

async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..150 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn text(app: &TestApp, query: &str) -> String {
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let mut conn = app.test_db.connect();
    diesel::sql_query(query).get_result::<T>(&mut conn).map(|r| r.t).unwrap_or_default()
}

/// A paid order of `items` for a new customer; returns the order's id.
async fn paid_order(app: &TestApp, email: &str, items: &[Value]) -> String {
    let token = app.customer_token(email).await;
    let cart = app.cart_with(Some(&token), items).await;
    let (status, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    let (status, paid) = app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    assert_eq!(status, 200, "{paid}");
    placed["order"]["id"].as_str().unwrap().to_string()
}

fn top_up(app: &TestApp, msisdn: &str, amount: &str) -> Value {
    json!({"product_id": app.product_id("top-up-any-amount"), "msisdn": msisdn, "amount": amount})
}

#[tokio::test]
async fn a_paid_top_up_pack_and_plan_are_done_by_the_operator_and_the_order_completes_by_itself() {
    let app = spawn_with(true, &[RUNNER]).await;
    let items = [
        top_up(&app, "8811 2233", "12500"),
        json!({"product_id": app.product_id("data-5gb-30d"), "msisdn": "88112233"}),
        json!({"product_id": app.product_id("plan-smart-25"), "msisdn": "86001122"}),
    ];
    let order = paid_order(&app, "topup@example.mn", &items).await;
    wait_until("the order to complete", || app.order_status(&order).0 == "completed").await;
    assert_eq!(text(&app, "SELECT balance::text AS t FROM sandbox_subscribers WHERE msisdn = '88112233'"), "12500.00");
    assert_eq!(text(&app, "SELECT data_mb::text AS t FROM sandbox_subscribers WHERE msisdn = '88112233'"), "5120");
    assert_eq!(text(&app, "SELECT plan AS t FROM sandbox_subscribers WHERE msisdn = '86001122'"), "plan-smart-25");
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_operator_ledger"), 3, "one request each");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM order_items WHERE order_id = '{order}' AND fulfillment_status = 'done'"
        )),
        3
    );
    // The timeline went paid → fulfilling → completed, and the shopper is told.
    let moves = text(
        &app,
        &format!("SELECT string_agg(to_status, ',' ORDER BY id) AS t FROM order_events WHERE order_id = '{order}'"),
    );
    assert_eq!(moves, "pending_payment,paid,fulfilling,completed");
    assert_eq!(app.mail_jobs("order_fulfilled"), 1);
}

#[tokio::test]
async fn a_number_activated_now_goes_live_on_its_sim_and_the_pools_record_it() {
    let app = spawn_with(true, &[RUNNER]).await;
    let numbers: Vec<String> = ["ordinary"; 2]
        .iter()
        .enumerate()
        .map(|(i, _)| {
            text(
                &app,
                &format!("SELECT msisdn AS t FROM numbers WHERE tier = 'ordinary' ORDER BY msisdn OFFSET {i} LIMIT 1"),
            )
        })
        .collect();
    let items = [
        json!({"product_id": app.product_id("number-ordinary"), "number": numbers[0], "activation": "physical",
               "activation_code": "20260007"}),
        json!({"product_id": app.product_id("esim"), "number": numbers[1]}),
    ];
    let order = paid_order(&app, "live@example.mn", &items).await;
    wait_until("the order to complete", || app.order_status(&order).0 == "completed").await;
    let state = |n: &str| {
        text(&app, &format!("SELECT status || ':' || coalesce(sim, '-') AS t FROM numbers WHERE msisdn = '{n}'"))
    };
    assert_eq!(state(&numbers[0]), "active:physical");
    assert_eq!(state(&numbers[1]), "active:esim");
    assert_eq!(app.count("SELECT count(*) AS n FROM sim_cards WHERE status = 'used'"), 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM esim_profiles WHERE status = 'assigned'"), 1);
    let iccid = text(&app, &format!("SELECT iccid AS t FROM sandbox_subscribers WHERE msisdn = '{}'", numbers[0]));
    assert_eq!(
        iccid,
        text(&app, "SELECT iccid AS t FROM sim_cards WHERE status = 'used'"),
        "the card's ICCID went to the network"
    );
}

#[tokio::test]
async fn a_line_the_operator_refuses_is_refunded_and_the_shopper_told() {
    let app = spawn_with(true, &[RUNNER, ("OPERATOR_SANDBOX_REFUSE", "89001122")]).await;
    let items = [top_up(&app, "89001122", "5000"), top_up(&app, "88001122", "7000")];
    let order = paid_order(&app, "refused@example.mn", &items).await;
    wait_until("the order to complete", || app.order_status(&order).0 == "completed").await;
    assert_eq!(app.order_status(&order).1, "partially_refunded");
    assert_eq!(
        text(&app, &format!("SELECT failure AS t FROM order_items WHERE order_id = '{order}' AND msisdn = '89001122'")),
        "number 89001122 is barred"
    );
    wait_until("the provider to pay it back", || {
        app.count("SELECT coalesce(sum(amount), 0)::bigint AS n FROM sandbox_refunds") == 5000
    })
    .await;
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_subscribers WHERE msisdn = '89001122'"), 0);
    assert_eq!(app.mail_jobs("order_not_delivered"), 1);

    // Everything refused: the whole order is refunded.
    let order = paid_order(&app, "all@example.mn", &[top_up(&app, "89001122", "3000")]).await;
    wait_until("the refund", || app.order_status(&order) == ("refunded".into(), "refunded".into())).await;
}

#[tokio::test]
async fn an_operator_outage_is_retried_and_staff_see_the_job() {
    let app = spawn_with(true, &[RUNNER, ("OPERATOR_SANDBOX_FAILURE_PERCENT", "100")]).await;
    let order = paid_order(&app, "outage@example.mn", &[top_up(&app, "88001122", "5000")]).await;
    wait_until("the job to fail", || {
        app.count("SELECT count(*) AS n FROM jobs WHERE kind = 'fulfil_item' AND status = 'failed'") == 1
    })
    .await;
    assert_eq!(app.order_status(&order).0, "fulfilling");
    app.create_staff("ops@shop.mn", storefront::domain::accounts::Role::Staff);
    let staff = app.token("ops@shop.mn", crate::common::GOOD_PASSWORD).await;
    let (status, jobs) = app.get_json_as("/api/v1/admin/jobs?status=failed", &staff).await;
    assert_eq!(status, 200, "{jobs}");
    let job = &jobs["items"][0];
    assert_eq!(job["kind"], "fulfil_item");
    assert!(job["last_error"].as_str().unwrap().contains("outage"), "{job}");
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_operator_ledger"), 0, "nothing was done");
}

#[tokio::test]
async fn an_order_with_goods_is_credited_but_waits_for_staff() {
    let app = spawn_with(true, &[RUNNER]).await;
    let token = app.customer_token("mixed@example.mn").await;
    let items = [json!({"product_id": app.product_id("zte-mf286-4g-router")}), top_up(&app, "88001122", "2000")];
    let cart = app.cart_with(Some(&token), &items).await;
    let (status, placed) =
        app.checkout(&cart, Some(&token), json!({"fulfillment": crate::common::shop::delivery()})).await;
    assert_eq!(status, 201, "{placed}");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    wait_until("the credit", || app.count("SELECT count(*) AS n FROM sandbox_operator_ledger") == 1).await;
    let order = placed["order"]["id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.order_status(order).0, "paid", "goods still travel with staff");
}

/// A real operator on loopback: what it was sent, and what it answers.
struct FakeOperator {
    url: String,
    seen: Arc<Mutex<Vec<(String, String, Value)>>>,
}

fn fake_operator(answer: &'static str) -> FakeOperator {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let (mut length, mut key, mut auth) = (0usize, String::new(), String::new());
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or((line, ""));
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "idempotency-key" => key = value.trim().to_string(),
                    "authorization" => auth = value.trim().to_string(),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
            log.lock().unwrap().push((
                format!("{path} {auth}"),
                key,
                serde_json::from_slice(&body).unwrap_or_default(),
            ));
            let mut stream = stream;
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    FakeOperator { url, seen }
}

#[tokio::test]
async fn a_real_operator_gets_each_line_once_under_its_key_and_its_refusals_are_refunded() {
    let ok = fake_operator("HTTP/1.1 200 OK\r\ncontent-length: 15\r\nconnection: close\r\n\r\n{\"status\":\"ok\"}");
    let app = spawn_with(true, &[RUNNER, ("OPERATOR_URL", &ok.url), ("OPERATOR_TOKEN", "op-secret")]).await;
    let order = paid_order(&app, "real@example.mn", &[top_up(&app, "88112233", "9000")]).await;
    wait_until("the order to complete", || app.order_status(&order).0 == "completed").await;
    let seen = ok.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (target, key, body) = &seen[0];
    assert_eq!(target, "/v1/requests Bearer op-secret");
    assert!(key.starts_with("order-item:"), "{key}");
    assert_eq!(body, &json!({"operation": "top_up", "msisdn": "88112233", "amount": "9000.00"}));
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_operator_ledger"), 0, "the sandbox is not used");

    let no = fake_operator(
        "HTTP/1.1 422 Unprocessable Entity\r\ncontent-type: application/json\r\ncontent-length: 26\r\nconnection: close\r\n\r\n{\"message\":\"unknown SIM\"}\n",
    );
    let app = spawn_with(true, &[RUNNER, ("OPERATOR_URL", &no.url)]).await;
    let order = paid_order(&app, "refused@example.mn", &[top_up(&app, "88112233", "9000")]).await;
    wait_until("the refund", || app.order_status(&order).0 == "refunded").await;
    let failure = text(&app, &format!("SELECT failure AS t FROM order_items WHERE order_id = '{order}'"));
    assert!(failure.contains("422") && failure.contains("unknown SIM"), "{failure}");

    let down = fake_operator("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy");
    let app = spawn_with(true, &[RUNNER, ("OPERATOR_URL", &down.url)]).await;
    let order = paid_order(&app, "later@example.mn", &[top_up(&app, "88112233", "9000")]).await;
    wait_until("the retry to be planned", || {
        app.count("SELECT count(*) AS n FROM jobs WHERE kind = 'fulfil_item' AND status = 'failed' AND last_error LIKE '%503%'") == 1
    })
    .await;
    assert_eq!(app.order_status(&order), ("fulfilling".into(), "paid".into()));
}

fn first_free(app: &TestApp, tier: &str, skip: i64) -> String {
    text(app, &format!("SELECT msisdn AS t FROM numbers WHERE tier = '{tier}' AND status = 'available' ORDER BY msisdn OFFSET {skip} LIMIT 1"))
}

#[tokio::test]
async fn my_numbers_shows_numbers_bought_for_later_and_activates_them_on_a_sim_or_an_esim() {
    let app = spawn_with(true, &[RUNNER]).await;
    let (a, b) = (first_free(&app, "ordinary", 0), first_free(&app, "ordinary", 1));
    let token = app.customer_token("mine@example.mn").await;
    let items = [
        json!({"product_id": app.product_id("number-ordinary"), "number": a, "activation": "later"}),
        json!({"product_id": app.product_id("number-ordinary"), "number": b, "activation": "later"}),
    ];
    let cart = app.cart_with(Some(&token), &items).await;
    let (_, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    let order = placed["order"]["id"].as_str().unwrap();
    wait_until("the order to complete", || app.order_status(order).0 == "completed").await;

    let (status, mine) = app.get_json_as("/api/v1/me/numbers", &token).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    assert_eq!((mine[0]["status"].as_str(), mine[0]["sim"].as_str()), (Some("inactive"), None));
    assert!(mine[0]["activate_by"].is_string() && mine[0]["esim"].is_null(), "{mine}");

    // Physical SIM: a wrong code is 422 at the field, the right one starts the activation.
    let activate = |n: &str, body: Value| {
        let (app, token, n) = (&app, token.clone(), n.to_string());
        async move {
            let res = app
                .client
                .post(app.url(&format!("/api/v1/me/numbers/{n}/activate")))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, problem) = activate(&a, json!({"sim": "physical", "activation_code": "12345678"})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["error_codes"]["activation_code"][0]["code"], "sim_code_wrong");
    let (status, problem) = activate(&a, json!({"sim": "chip"})).await;
    assert_eq!((status, problem["error_codes"]["sim"][0]["code"].as_str()), (422, Some("activation")));
    let (status, number) = activate(&a, json!({"sim": "physical", "activation_code": "2026-0011"})).await;
    assert_eq!(status, 200, "{number}");
    assert_eq!((number["status"].as_str(), number["activating"].as_str()), (Some("inactive"), Some("physical")));
    let (status, number) = activate(&b, json!({"sim": "esim"})).await;
    assert_eq!((status, number["activating"].as_str()), (200, Some("esim")), "{number}");
    wait_until("both to be active", || app.count("SELECT count(*) AS n FROM numbers WHERE status = 'active'") == 2)
        .await;

    let (_, mine) = app.get_json_as("/api/v1/me/numbers", &token).await;
    let by = |n: &str| mine.as_array().unwrap().iter().find(|m| m["msisdn"] == n).unwrap().clone();
    assert_eq!((by(&a)["status"].as_str(), by(&a)["sim"].as_str()), (Some("active"), Some("physical")));
    let esim = by(&b)["esim"].clone();
    assert!(esim["activation_code"].as_str().unwrap().starts_with("LPA:1$smdp.demo.storefront.mn$"), "{esim}");
    assert_eq!(esim["qr_svg_url"], format!("/api/v1/me/numbers/{b}/esim.svg"));
    let res = app.client.get(app.url(esim["qr_svg_url"].as_str().unwrap())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().contains("<svg"));

    // Active now: no second activation; the card's code is spent; another customer sees nothing.
    assert_eq!(activate(&a, json!({"sim": "esim"})).await.0, 409);
    let other = app.customer_token("other@example.mn").await;
    let (status, theirs) = app.get_json_as("/api/v1/me/numbers", &other).await;
    assert_eq!((status, theirs.as_array().map(Vec::len)), (200, Some(0)));
    let res = app.client.get(app.url(esim["qr_svg_url"].as_str().unwrap())).bearer_auth(&other).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/me/numbers/{b}/activate")))
        .bearer_auth(&other)
        .json(&json!({"sim": "esim"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_number_not_activated_in_time_is_reminded_then_returns_to_the_pool_and_staff_see_it() {
    use storefront::domain::telco::lifecycle::{activation_window, WindowPass};
    let smtp = crate::common::smtp::SmtpServer::start().await;
    let app = spawn_with(true, &[("SMTP_URL", &smtp.url())]).await;
    let number = first_free(&app, "ordinary", 0);
    let token = app.customer_token("slow@example.mn").await;
    let item = json!({"product_id": app.product_id("number-ordinary"), "number": number, "activation": "later"});
    let cart = app.cart_with(Some(&token), &[item]).await;
    let (_, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    let deadline = text(&app, &format!("SELECT activate_by::date::text AS t FROM numbers WHERE msisdn = '{number}'"));
    assert_eq!(
        deadline,
        (chrono::Utc::now() + chrono::Duration::days(30)).date_naive().to_string(),
        "ACTIVATION_WINDOW_DAYS"
    );
    let now = chrono::Utc::now();
    let mut conn = app.test_db.connect();
    assert_eq!(activation_window(&mut conn, now).unwrap(), WindowPass::default(), "nothing is due yet");

    // Two days before the deadline: one reminder, never two.
    app.sql(&format!("UPDATE numbers SET activate_by = now() + interval '2 days' WHERE msisdn = '{number}'"));
    assert_eq!(activation_window(&mut conn, now).unwrap(), WindowPass { reminded: 1, lapsed: 0 });
    assert_eq!(activation_window(&mut conn, now).unwrap(), WindowPass::default());
    let shown = format!("{} {}", &number[..4], &number[4..]);
    let mail = smtp.wait_for_subject("slow@example.mn", &shown, 15).await;
    assert!(mail.text().contains("/account/numbers"), "{}", mail.text());

    // Past it: back in the pool, recorded; the customer no longer has it.
    app.sql(&format!("UPDATE numbers SET activate_by = now() - interval '1 minute' WHERE msisdn = '{number}'"));
    assert_eq!(activation_window(&mut conn, now).unwrap(), WindowPass { reminded: 0, lapsed: 1 });
    let (_, mine) = app.get_json_as("/api/v1/me/numbers", &token).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(0));
    let (_, found) = app.get_json(&format!("/api/v1/numbers?q={number}")).await;
    assert_eq!(found["total"], 1, "offered again");
    app.create_staff("ops@shop.mn", storefront::domain::accounts::Role::Staff);
    let staff = app.token("ops@shop.mn", crate::common::GOOD_PASSWORD).await;
    let (status, record) = app.get_json_as(&format!("/api/v1/admin/numbers/{number}"), &staff).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["status"], "available");
    let events: Vec<(&str, &str)> = record["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["account_email"].as_str().unwrap()))
        .collect();
    assert_eq!(events, [("reminded", "slow@example.mn"), ("lapsed", "slow@example.mn")]);
    assert_eq!(app.get_json_as(&format!("/api/v1/admin/numbers/{number}"), &token).await.0, 403);
}

#[tokio::test]
async fn an_esim_reissue_revokes_the_old_profile_and_gives_its_owner_a_new_code() {
    let app = spawn_with(true, &[RUNNER]).await;
    let number = first_free(&app, "ordinary", 0);
    let token = app.customer_token("reissue@example.mn").await;
    let esim = json!({"product_id": app.product_id("esim"), "number": number});
    let cart = app.cart_with(Some(&token), &[esim]).await;
    let (_, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    wait_until("the eSIM to be active", || {
        app.count(&format!("SELECT count(*) AS n FROM numbers WHERE msisdn = '{number}' AND status = 'active'")) == 1
    })
    .await;
    let (_, mine) = app.get_json_as("/api/v1/me/numbers", &token).await;
    let first_code = mine[0]["esim"]["activation_code"].as_str().unwrap().to_string();

    let reissue = json!({"product_id": app.product_id("esim-reissue"), "msisdn": number});
    let other = app.customer_token("thief@example.mn").await;
    let theirs = app.cart_with(Some(&other), &[]).await;
    let (status, problem) =
        app.send("POST", &format!("/api/v1/carts/{theirs}/items"), Some(&other), Some(reissue.clone())).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["error_codes"]["msisdn"][0]["code"], "not_your_esim");
    let guest = app.cart_with(None, std::slice::from_ref(&reissue)).await;
    let (status, problem) = app.checkout(&guest, None, json!({"email": "g@example.mn"})).await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("account_required")));

    let cart = app.cart_with(Some(&token), &[reissue]).await;
    let (status, placed) = app.checkout(&cart, Some(&token), json!({})).await;
    assert_eq!(status, 201, "{placed}");
    app.simulate(placed["payment"]["id"].as_str().unwrap(), "succeeded").await;
    let order = placed["order"]["id"].as_str().unwrap();
    wait_until("the re-issue to complete", || app.order_status(order).0 == "completed").await;
    assert_eq!(
        app.count(&format!("SELECT count(*) AS n FROM esim_profiles WHERE msisdn = '{number}' AND status = 'revoked'")),
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM esim_profiles WHERE msisdn = '{number}' AND status = 'assigned'"
        )),
        1
    );
    let (_, mine) = app.get_json_as("/api/v1/me/numbers", &token).await;
    let new_code = mine[0]["esim"]["activation_code"].as_str().unwrap().to_string();
    assert_ne!(new_code, first_code, "a new QR code");
    let on_network = text(&app, &format!("SELECT iccid AS t FROM sandbox_subscribers WHERE msisdn = '{number}'"));
    let assigned =
        text(&app, &format!("SELECT iccid AS t FROM esim_profiles WHERE msisdn = '{number}' AND status = 'assigned'"));
    assert_eq!(on_network, assigned, "the network moved the number to the new profile");
    assert_eq!(app.count("SELECT count(*) AS n FROM sandbox_operator_ledger WHERE operation = 'reissue_esim'"), 1);
}
