//! Domain tests: checkout, settlement, refunds and expiry called directly on a database of the
//! test's own, without a server, for their rules and races.
#[path = "../common/db.rs"]
mod db;

use std::sync::{Arc, Barrier};

use chrono::{Duration, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use uuid::Uuid;

use db::TestDb;
use storefront::db::schema::{branches, products, stock};
use storefront::domain::cart::{self, CartError, CartStatus, ItemInput};
use storefront::domain::catalog::ProductMemory;
use storefront::domain::checkout::{self, CheckoutError, FulfillmentInput, PlaceOrder, Placed};
use storefront::domain::idempotency::{IdempotencyError, IdempotencyKey, Refusals};
use storefront::domain::orders::{self, OrderStatus, PaymentStatus};
use storefront::domain::payments::{self, Outcome, PaymentError, PaymentState, Refund, WebhookEvent};
use storefront::domain::shared::{AccountId, CartId, Lang, Money, OrderId, ShopRules};

const PROVIDER: &str = "sandbox";

/// Products remembered across this binary's tests: every test database is a copy of one
/// template (the same ids), and a memory that went stale only costs an add its second try.
fn known() -> &'static ProductMemory {
    static KNOWN: std::sync::OnceLock<ProductMemory> = std::sync::OnceLock::new();
    KNOWN.get_or_init(ProductMemory::default)
}

fn rules() -> ShopRules {
    ShopRules::default()
}

fn router(conn: &mut PgConnection) -> Uuid {
    products::table.filter(products::slug.eq("zte-mf286-4g-router")).select(products::id).first(conn).unwrap()
}

fn topup(conn: &mut PgConnection) -> Uuid {
    products::table.filter(products::slug.eq("top-up-5000")).select(products::id).first(conn).unwrap()
}

/// A line of `product` (a top-up) for `msisdn`.
fn topup_line(product: Uuid, msisdn: &str) -> ItemInput {
    ItemInput { product_id: Some(product.to_string()), msisdn: Some(msisdn.into()), ..ItemInput::default() }
}

/// A pickup branch and how many routers it holds.
fn pickup_branch(conn: &mut PgConnection, product: Uuid) -> (Uuid, i32) {
    stock::table
        .inner_join(branches::table)
        .filter(stock::product_id.eq(product).and(branches::pickup.eq(true)).and(stock::quantity.gt(0)))
        .select((branches::id, stock::quantity))
        .first(conn)
        .unwrap()
}

fn stock_at(conn: &mut PgConnection, product: Uuid, branch: Uuid) -> i32 {
    stock::table.find((product, branch)).select(stock::quantity).first(conn).unwrap()
}

fn count(conn: &mut PgConnection, query: &str) -> i64 {
    diesel::select(sql::<BigInt>(&format!("({query})"))).get_result(conn).unwrap()
}

/// A guest's cart holding `quantity` routers.
fn cart_with_router(conn: &mut PgConnection, quantity: u32) -> CartId {
    let cart = cart::commands::create_cart(conn, None, &rules()).unwrap();
    let input = ItemInput {
        product_id: Some(router(conn).to_string()),
        quantity: Some(quantity.to_string()),
        msisdn: None,
        amount: None,
        ..ItemInput::default()
    };
    cart::commands::add_item(conn, cart.id, None, &input, known(), &rules(), chrono::Utc::now()).unwrap();
    cart.id
}

fn pickup_order(cart_id: CartId, branch: Uuid) -> PlaceOrder {
    PlaceOrder {
        cart_id,
        caller: None,
        email: Some("guest@example.mn".into()),
        fulfillment: FulfillmentInput {
            method: Some("pickup".into()),
            branch_id: Some(branch.to_string()),
            ..Default::default()
        },
        lang: Lang::Mn,
    }
}

fn place(conn: &mut PgConnection, input: &PlaceOrder) -> Result<Placed, CheckoutError> {
    checkout::place_order(conn, input, PROVIDER, &rules(), Utc::now())
}

fn event(payment: &payments::Payment, outcome: Outcome, id: &str) -> WebhookEvent {
    WebhookEvent { id: id.into(), payment_id: payment.id, outcome, amount: payment.amount }
}

fn paid_order(conn: &mut PgConnection) -> (Placed, Uuid) {
    let product = router(conn);
    let (branch, _) = pickup_branch(conn, product);
    let cart = cart_with_router(conn, 1);
    let placed = place(conn, &pickup_order(cart, branch)).unwrap();
    payments::commands::record_event(
        conn,
        PROVIDER,
        &event(&placed.payment, Outcome::Succeeded, "evt_paid"),
        Utc::now(),
    )
    .unwrap();
    (placed, branch)
}

#[test]
fn an_unknown_stored_state_is_an_error_not_a_guess() {
    let db = TestDb::create(false);
    let mut conn = db.connect();
    let read = |conn: &mut PgConnection, raw: &str| {
        diesel::select(diesel::dsl::sql::<Text>(&format!("'{raw}'::text"))).get_result::<OrderStatus>(conn)
    };
    assert_eq!(read(&mut conn, "ready_for_pickup").unwrap(), OrderStatus::ReadyForPickup);
    let err = format!("{:?}", read(&mut conn, "lost_in_the_post").unwrap_err());
    assert!(err.contains("unknown order status"), "{err}");
    let cart_state = diesel::select(diesel::dsl::sql::<Text>("'abandoned'::text")).get_result::<CartStatus>(&mut conn);
    assert!(cart_state.is_err());
}

#[test]
fn checkout_reserves_stock_closes_the_cart_opens_a_payment_and_queues_the_confirmation() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, before) = pickup_branch(&mut conn, product);
    let cart_id = cart_with_router(&mut conn, 1);
    let placed = place(&mut conn, &pickup_order(cart_id, branch)).unwrap();
    assert_eq!(placed.order.status, OrderStatus::PendingPayment);
    assert_eq!(placed.order.payment_status, PaymentStatus::Unpaid);
    assert_eq!(placed.payment.status, PaymentState::Pending);
    assert_eq!(placed.payment.amount, placed.order.totals.total);
    assert_eq!(stock_at(&mut conn, product, branch), before - 1);
    let closed = cart::queries::get_cart(&mut conn, cart_id, None, &rules(), Utc::now()).unwrap();
    assert!(!closed.open);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM jobs WHERE kind = 'order_confirmation'"), 1);
    // The cart is an order now: it cannot be checked out again.
    assert!(matches!(place(&mut conn, &pickup_order(cart_id, branch)), Err(CheckoutError::Cart(CartError::Closed))));
}

#[test]
fn a_refused_checkout_leaves_nothing_behind() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, before) = pickup_branch(&mut conn, product);
    let cart_id = cart_with_router(&mut conn, 1);
    diesel::update(stock::table.find((product, branch))).set(stock::quantity.eq(0)).execute(&mut conn).unwrap();
    assert!(matches!(place(&mut conn, &pickup_order(cart_id, branch)), Err(CheckoutError::OutOfStock(_))));
    assert_eq!(count(&mut conn, "SELECT count(*) FROM orders"), 0);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM jobs"), 0);
    assert!(cart::queries::get_cart(&mut conn, cart_id, None, &rules(), Utc::now()).unwrap().open);
    diesel::update(stock::table.find((product, branch))).set(stock::quantity.eq(before)).execute(&mut conn).unwrap();
    assert!(place(&mut conn, &pickup_order(cart_id, branch)).is_ok(), "the same cart can go on once stock is back");
}

#[test]
fn one_key_places_one_order_and_another_input_under_it_is_refused() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, _) = pickup_branch(&mut conn, product);
    let cart_id = cart_with_router(&mut conn, 1);
    let key = IdempotencyKey::parse("order-1").unwrap();
    let input = pickup_order(cart_id, branch);
    let once = |conn: &mut PgConnection, input: &PlaceOrder, refusals| {
        checkout::place_order_once(conn, &key, refusals, input, PROVIDER, &rules(), Utc::now())
    };
    let first = once(&mut conn, &input, Refusals::Keep).unwrap();
    let again = once(&mut conn, &input, Refusals::Keep).unwrap();
    assert_eq!((again.order.id, again.payment.id), (first.order.id, first.payment.id));
    assert_eq!(again.order, first.order, "the first answer, as it was");
    let other = PlaceOrder { email: Some("other@example.mn".into()), ..input.clone() };
    assert!(matches!(once(&mut conn, &other, Refusals::Keep), Err(CheckoutError::Once(IdempotencyError::KeyReused))));
    assert_eq!(count(&mut conn, "SELECT count(*) FROM orders"), 1);
}

#[test]
fn a_kept_refusal_is_given_again_and_a_forgotten_one_lets_the_corrected_request_through() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, _) = pickup_branch(&mut conn, product);
    let no_email = |cart_id| PlaceOrder { email: None, ..pickup_order(cart_id, branch) };
    let once = |conn: &mut PgConnection, key: &str, input: &PlaceOrder, refusals| {
        let key = IdempotencyKey::parse(key).unwrap();
        checkout::place_order_once(conn, &key, refusals, input, PROVIDER, &rules(), Utc::now())
    };
    // Kept: the same refusal comes back, even after the cause is gone.
    let kept = cart_with_router(&mut conn, 1);
    let Err(CheckoutError::Invalid(first)) = once(&mut conn, "api-key", &no_email(kept), Refusals::Keep) else {
        panic!("a missing email is refused")
    };
    let Err(CheckoutError::Invalid(again)) = once(&mut conn, "api-key", &no_email(kept), Refusals::Keep) else {
        panic!("the refusal is replayed")
    };
    assert_eq!(first, again);
    // Forgotten: the form's key goes through once the shopper fills the email in.
    let forgotten = cart_with_router(&mut conn, 1);
    assert!(once(&mut conn, "form-key", &no_email(forgotten), Refusals::Forget).is_err());
    assert!(once(&mut conn, "form-key", &pickup_order(forgotten, branch), Refusals::Forget).is_ok());
}

#[test]
fn concurrent_checkouts_under_one_key_make_one_order() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, before) = pickup_branch(&mut conn, product);
    let cart_id = cart_with_router(&mut conn, 1);
    let input = pickup_order(cart_id, branch);
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (url, input, start) = (db.url.clone(), input.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                let key = IdempotencyKey::parse("same").unwrap();
                start.wait();
                checkout::place_order_once(&mut conn, &key, Refusals::Keep, &input, PROVIDER, &rules(), Utc::now())
                    .map(|p| p.order.id)
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    let ids: Vec<OrderId> = threads.into_iter().map(|t| t.join().unwrap().unwrap()).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(count(&mut conn, "SELECT count(*) FROM orders"), 1);
    assert_eq!(stock_at(&mut conn, product, branch), before - 1);
}

#[test]
fn a_success_pays_once_and_a_replayed_or_wrong_amount_event_changes_nothing() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let (placed, _) = paid_order(&mut conn);
    let order = orders::queries::get_order(&mut conn, placed.order.id, &orders::OrderAccess::staff()).unwrap();
    assert_eq!((order.status, order.payment_status), (OrderStatus::Paid, PaymentStatus::Paid));
    // The same event again: acknowledged, nothing moves.
    let replay = event(&placed.payment, Outcome::Succeeded, "evt_paid");
    payments::commands::record_event(&mut conn, PROVIDER, &replay, Utc::now()).unwrap();
    assert_eq!(count(&mut conn, "SELECT count(*) FROM order_events WHERE to_status = 'paid'"), 1);
    // A late decline after the success changes nothing either.
    let late = event(&placed.payment, Outcome::Failed, "evt_late");
    let payment = payments::commands::record_event(&mut conn, PROVIDER, &late, Utc::now()).unwrap();
    assert_eq!(payment.status, PaymentState::Succeeded);
    let wrong = WebhookEvent { amount: Money::mnt(1.into()), ..event(&placed.payment, Outcome::Succeeded, "evt_x") };
    assert!(matches!(
        payments::commands::record_event(&mut conn, PROVIDER, &wrong, Utc::now()),
        Err(PaymentError::AmountMismatch)
    ));
}

#[test]
fn a_success_after_expiry_is_refunded_at_once_and_the_stock_is_back() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, before) = pickup_branch(&mut conn, product);
    let cart = cart_with_router(&mut conn, 1);
    let placed = place(&mut conn, &pickup_order(cart, branch)).unwrap();
    let later = Utc::now() + rules().order_expiry + Duration::minutes(1);
    let payment = payments::commands::record_event(
        &mut conn,
        PROVIDER,
        &event(&placed.payment, Outcome::Succeeded, "evt_late"),
        later,
    )
    .unwrap();
    assert_eq!(payment.status, PaymentState::Refunded);
    assert_eq!(payment.refunded_amount, payment.amount);
    let order = orders::queries::get_order(&mut conn, placed.order.id, &orders::OrderAccess::staff()).unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(stock_at(&mut conn, product, branch), before);
}

#[test]
fn expiry_cancels_only_orders_past_their_time_and_gives_their_stock_back() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, before) = pickup_branch(&mut conn, product);
    let early_cart = cart_with_router(&mut conn, 1);
    let early = place(&mut conn, &pickup_order(early_cart, branch)).unwrap();
    let now = Utc::now();
    assert_eq!(orders::commands::expire_due(&mut conn, now, 100).unwrap(), 0, "not yet");
    let later = now + rules().order_expiry + Duration::seconds(1);
    let fresh_cart = cart_with_router(&mut conn, 1);
    let fresh = checkout::place_order(&mut conn, &pickup_order(fresh_cart, branch), PROVIDER, &rules(), later).unwrap();
    assert_eq!(orders::commands::expire_due(&mut conn, later, 100).unwrap(), 1);
    let staff = orders::OrderAccess::staff();
    assert_eq!(orders::queries::get_order(&mut conn, early.order.id, &staff).unwrap().status, OrderStatus::Cancelled);
    assert_eq!(
        orders::queries::get_order(&mut conn, fresh.order.id, &staff).unwrap().status,
        OrderStatus::PendingPayment
    );
    assert_eq!(stock_at(&mut conn, product, branch), before - 1, "only the expired order's router is back");
    let waiting = payments::commands::get_payment(&mut conn, early.payment.id).unwrap();
    assert_eq!(waiting.status, PaymentState::Failed, "its payment can no longer be made");
}

#[test]
fn refunds_add_up_to_the_total_and_a_full_one_puts_the_router_back() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let (placed, branch) = paid_order(&mut conn);
    let product = router(&mut conn);
    let after_sale = stock_at(&mut conn, product, branch);
    let staff = AccountId::random();
    let refund = |amount: Option<i64>, reason: &str| Refund {
        order_id: placed.order.id,
        amount: amount.map(|a| Money::mnt(a.into())),
        reason: reason.into(),
        staff,
    };
    let total = placed.order.totals.total;
    let part = payments::commands::refund_order(&mut conn, &refund(Some(1000), "scratched box"), Utc::now()).unwrap();
    assert_eq!((part.status, part.payment_status), (OrderStatus::Paid, PaymentStatus::PartiallyRefunded));
    assert_eq!(stock_at(&mut conn, product, branch), after_sale, "a partial refund keeps the sale");
    let too_much = refund(Some(i64::try_from(total.amount().mantissa()).unwrap()), "all of it again");
    assert!(matches!(
        payments::commands::refund_order(&mut conn, &too_much, Utc::now()),
        Err(PaymentError::Invalid(_))
    ));
    let rest = payments::commands::refund_order(&mut conn, &refund(None, "returned"), Utc::now()).unwrap();
    assert_eq!((rest.status, rest.payment_status), (OrderStatus::Refunded, PaymentStatus::Refunded));
    assert_eq!(rest.refunded_total, total);
    assert_eq!(stock_at(&mut conn, product, branch), after_sale + 1, "never handed over: back on the shelf");
    assert!(matches!(
        payments::commands::refund_order(&mut conn, &refund(None, "again"), Utc::now()),
        Err(PaymentError::NotRefundable(OrderStatus::Refunded))
    ));
}

#[test]
fn concurrent_refunds_never_give_back_more_than_was_paid() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let (placed, _) = paid_order(&mut conn);
    let start = Arc::new(Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let (url, start, order_id) = (db.url.clone(), Arc::clone(&start), placed.order.id);
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                let refund =
                    Refund { order_id, amount: None, reason: format!("refund {i}"), staff: AccountId::random() };
                let key = IdempotencyKey::parse(&format!("refund-{i}")).unwrap();
                start.wait();
                payments::commands::refund_once(&mut conn, &key, Refusals::Keep, &refund, Utc::now()).is_ok()
            })
        })
        .collect();
    let succeeded = threads.into_iter().map(|t| t.join().unwrap()).filter(|ok| *ok).count();
    assert_eq!(succeeded, 1, "one full refund; the others find nothing left");
    let refunded: i64 = count(&mut conn, "SELECT sum(refunded_amount)::bigint FROM payments");
    assert_eq!(Money::mnt(refunded.into()), placed.order.totals.total);
}

#[test]
fn a_line_added_while_the_cart_is_checked_out_is_in_the_order_or_refused() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let topup = topup(&mut conn);
    for round in 0..20 {
        let cart = cart::commands::create_cart(&mut conn, None, &rules()).unwrap().id;
        let line = move |n: &str| topup_line(topup, n);
        cart::commands::add_item(&mut conn, cart, None, &line("88112233"), known(), &rules(), chrono::Utc::now())
            .unwrap();
        let start = Arc::new(Barrier::new(2));
        let (url, go) = (db.url.clone(), Arc::clone(&start));
        let adder = std::thread::spawn(move || {
            let mut conn = PgConnection::establish(&url).unwrap();
            go.wait();
            cart::commands::add_item(&mut conn, cart, None, &line("88112244"), known(), &rules(), chrono::Utc::now())
        });
        let input = PlaceOrder { fulfillment: FulfillmentInput::default(), ..pickup_order(cart, Uuid::nil()) };
        start.wait();
        let placed = place(&mut conn, &input).unwrap();
        match adder.join().unwrap() {
            Ok(_) => assert_eq!(placed.order.items.len(), 2, "round {round}: an added line made it into the order"),
            Err(CartError::Closed) => assert_eq!(placed.order.items.len(), 1, "round {round}"),
            Err(e) => panic!("round {round}: {e}"),
        }
    }
}

#[test]
fn the_write_path_statements_are_prepared_once_per_connection() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let topup = topup(&mut conn);
    for _ in 0..3 {
        let cart = cart::commands::create_cart(&mut conn, None, &rules()).unwrap().id;
        let line = topup_line(topup, "88112233");
        cart::commands::add_item(&mut conn, cart, None, &line, known(), &rules(), chrono::Utc::now()).unwrap();
        place(&mut conn, &PlaceOrder { fulfillment: FulfillmentInput::default(), ..pickup_order(cart, Uuid::nil()) })
            .unwrap();
    }
    let prepared = |conn: &mut PgConnection, start: &str| {
        count(conn, &format!("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '{start}%'"))
    };
    assert_eq!(prepared(&mut conn, "WITH c AS (UPDATE carts SET updated_at"), 1, "adding a line");
    assert_eq!(prepared(&mut conn, "WITH c AS (UPDATE carts SET status"), 1, "closing the cart for checkout");
    assert_eq!(prepared(&mut conn, "WITH o AS (INSERT INTO orders"), 1, "recording an order");
}

/// Settling a payment and cancelling its order at once used to lock payment-then-order and
/// order-then-payment, and PostgreSQL answered with deadlocks. Now every path locks the order
/// first: the race ends either paid (the cancels refused) or cancelled (the money refunded).
#[test]
fn payments_and_cancels_racing_on_one_order_never_deadlock() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, _) = pickup_branch(&mut conn, product);
    for round in 0..15 {
        let cart = cart_with_router(&mut conn, 1);
        let placed = place(&mut conn, &pickup_order(cart, branch)).unwrap();
        let start = Arc::new(Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let (url, start, payment) = (db.url.clone(), Arc::clone(&start), placed.payment.clone());
                std::thread::spawn(move || {
                    let mut conn = PgConnection::establish(&url).unwrap();
                    start.wait();
                    if i % 2 == 0 {
                        let evt = event(&payment, Outcome::Succeeded, &format!("evt_{round}_{i}"));
                        payments::commands::record_event(&mut conn, PROVIDER, &evt, Utc::now())
                            .map(|_| ())
                            .map_err(|e| format!("{e:?}"))
                    } else {
                        let staff = orders::OrderAccess::staff();
                        orders::commands::cancel(&mut conn, payment.order_id, &staff, orders::Actor::System, Utc::now())
                            .map(|_| ())
                            .map_err(|e| format!("{e:?}"))
                    }
                })
            })
            .collect();
        for t in threads {
            if let Err(e) = t.join().unwrap() {
                assert!(e.contains("IllegalTransition"), "round {round}: {e}");
            }
        }
        let order = orders::queries::get_order(&mut conn, placed.order.id, &orders::OrderAccess::staff()).unwrap();
        let payment = payments::commands::get_payment(&mut conn, placed.payment.id).unwrap();
        match order.status {
            OrderStatus::Paid => assert_eq!(payment.status, PaymentState::Succeeded, "round {round}"),
            OrderStatus::Cancelled => {
                assert!(matches!(payment.status, PaymentState::Refunded | PaymentState::Failed), "round {round}");
            }
            other => panic!("round {round}: {other:?}"),
        }
    }
}

#[test]
fn a_cart_holds_at_most_a_hundred_lines() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let topup = topup(&mut conn);
    let cart = cart::commands::create_cart(&mut conn, None, &rules()).unwrap().id;
    for _ in 0..100 {
        cart::commands::add_item(
            &mut conn,
            cart,
            None,
            &topup_line(topup, "88112233"),
            known(),
            &rules(),
            chrono::Utc::now(),
        )
        .unwrap();
    }
    for product in [topup, router(&mut conn)] {
        let refused = cart::commands::add_item(
            &mut conn,
            cart,
            None,
            &topup_line(product, "88112233"),
            known(),
            &rules(),
            chrono::Utc::now(),
        );
        let Err(CartError::Invalid(errors)) = refused else { panic!("the 101st line is refused: {refused:?}") };
        assert_eq!(errors.fields()["cart"][0].code, storefront::domain::shared::Code::CartFull);
    }
    assert_eq!(count(&mut conn, "SELECT count(*) FROM cart_items"), 100);
    let placed =
        place(&mut conn, &PlaceOrder { fulfillment: FulfillmentInput::default(), ..pickup_order(cart, Uuid::nil()) });
    assert_eq!(placed.unwrap().order.items.len(), 100, "a full cart still checks out");
}

/// One thread's part in a race: its connection and its number; whether it succeeded.
type Work = dyn Fn(&mut PgConnection, usize) -> bool + Send + Sync;

/// A double-submitted first address, or two "make default" edits at once, used to fail on the
/// one-default index (a 500). Changes to one address book now take turns.
#[test]
fn concurrent_address_changes_of_one_customer_keep_one_default_and_all_succeed() {
    use storefront::domain::accounts::addresses::{self, NewAddress};
    use storefront::domain::accounts::commands::{self as accounts, Register};
    use storefront::domain::accounts::Email;
    let db = TestDb::create(false);
    let mut conn = db.connect();
    let email = Email::parse("bat@example.mn", "email").unwrap();
    let owner =
        accounts::register(&mut conn, &Register { email, name: "Bat".into(), password_hash: "x".into() }).unwrap().id;
    let address = |default: bool| NewAddress {
        name: "Bat".into(),
        phone: "88112233".into(),
        city: "Ulaanbaatar".into(),
        district: "Bayangol".into(),
        line1: "3rd microdistrict".into(),
        line2: None,
        is_default: default,
    };
    let race = |work: Arc<Work>, n: usize| {
        let start = Arc::new(Barrier::new(n));
        let threads: Vec<_> = (0..n)
            .map(|i| {
                let (url, start, work) = (db.url.clone(), Arc::clone(&start), Arc::clone(&work));
                std::thread::spawn(move || {
                    let mut conn = PgConnection::establish(&url).unwrap();
                    start.wait();
                    work(&mut conn, i)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).filter(|ok| *ok).count()
    };
    let first = Arc::new(move |conn: &mut PgConnection, _| addresses::add(conn, owner, &address(false)).is_ok());
    assert_eq!(race(first, 8), 8, "every first address is saved");
    let defaults = "SELECT count(*) FROM addresses WHERE is_default";
    assert_eq!(count(&mut conn, defaults), 1);
    let ids: Vec<Uuid> = addresses::list(&mut conn, owner).unwrap().into_iter().map(|a| a.id).collect();
    let make_default = Arc::new(move |conn: &mut PgConnection, i: usize| {
        addresses::update(conn, owner, ids[i % ids.len()], &address(true)).is_ok()
    });
    assert_eq!(race(make_default, 6), 6, "every default edit is saved");
    assert_eq!(count(&mut conn, defaults), 1);
}

/// A campaign of one use, with its code, made by a staff member of the test's own.
fn one_use_campaign(conn: &mut PgConnection, code: &str) -> storefront::domain::promotions::Campaign {
    use storefront::domain::accounts::{commands as accounts, Email, Role};
    use storefront::domain::promotions::{commands, CampaignInput, CodeRequest};
    let email = Email::parse("staff@shop.mn", "email").unwrap();
    accounts::upsert_staff(conn, &email, "not-a-hash", Role::Staff, Some("Staff")).unwrap();
    let staff: Uuid = storefront::db::schema::accounts::table
        .filter(storefront::db::schema::accounts::email.eq("staff@shop.mn"))
        .select(storefront::db::schema::accounts::id)
        .first(conn)
        .unwrap();
    let input = CampaignInput {
        name: Some("One".into()),
        discount_type: Some("fixed".into()),
        discount_value: Some("1000".into()),
        code_policy: Some("limited".into()),
        max_redemptions: Some("1".into()),
        ..CampaignInput::default()
    };
    let staff = AccountId::from_uuid(staff);
    let campaign = commands::create_campaign(conn, &input, staff, Utc::now()).unwrap();
    commands::add_codes(conn, campaign.terms.campaign_id, &CodeRequest::One(code.into()), staff, Utc::now()).unwrap();
    campaign
}

#[test]
fn an_expired_order_gives_its_code_back_for_the_next_shopper() {
    use storefront::domain::promotions::CouponRefusal;
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let product = router(&mut conn);
    let (branch, _) = pickup_branch(&mut conn, product);
    one_use_campaign(&mut conn, "ONLYONE");
    let now = Utc::now();
    let first = cart_with_router(&mut conn, 1);
    cart::commands::apply_coupon(&mut conn, first, None, "onlyone", &rules(), now).unwrap();
    let second = cart_with_router(&mut conn, 1);
    cart::commands::apply_coupon(&mut conn, second, None, "ONLYONE", &rules(), now).unwrap();
    let placed = place(&mut conn, &pickup_order(first, branch)).unwrap();
    assert_eq!(placed.order.totals.discount.amount(), 1000.into());
    // The one use is taken: the other cart is refused at checkout and at applying.
    let refused = place(&mut conn, &pickup_order(second, branch));
    assert!(matches!(refused, Err(CheckoutError::Coupon(CouponRefusal::UsedUp))), "{refused:?}");
    let third = cart_with_router(&mut conn, 1);
    let applied = cart::commands::apply_coupon(&mut conn, third, None, "ONLYONE", &rules(), now);
    assert!(matches!(applied, Err(CartError::Coupon(CouponRefusal::UsedUp))), "{applied:?}");
    // Unpaid past its time: the order is cancelled and the use given back.
    let later = now + rules().order_expiry + Duration::seconds(1);
    assert_eq!(orders::commands::expire_due(&mut conn, later, 100).unwrap(), 1);
    assert_eq!(count(&mut conn, "SELECT uses::bigint FROM campaigns"), 0);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM coupon_redemptions WHERE status = 'released'"), 1);
    let again = place(&mut conn, &pickup_order(second, branch)).unwrap();
    assert_eq!(again.order.totals.discount.amount(), 1000.into());
}

#[test]
fn a_code_before_its_start_is_refused_until_then() {
    use storefront::domain::promotions::{commands, CampaignInput, CodeRequest, CouponRefusal};
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let campaign = one_use_campaign(&mut conn, "WARMUP");
    let now = Utc::now();
    let input = CampaignInput {
        name: Some("Later".into()),
        discount_type: Some("percent".into()),
        discount_value: Some("5".into()),
        code_policy: Some("limited".into()),
        starts_at: Some((now + Duration::days(1)).to_rfc3339()),
        ..CampaignInput::default()
    };
    let staff = AccountId::from_uuid(
        diesel::select(sql::<diesel::sql_types::Uuid>("(SELECT id FROM accounts LIMIT 1)"))
            .get_result(&mut conn)
            .unwrap(),
    );
    let later = commands::create_campaign(&mut conn, &input, staff, now).unwrap();
    assert_ne!(later.terms.campaign_id, campaign.terms.campaign_id);
    commands::add_codes(&mut conn, later.terms.campaign_id, &CodeRequest::One("SOON".into()), staff, now).unwrap();
    let cart = cart_with_router(&mut conn, 1);
    let refused = cart::commands::apply_coupon(&mut conn, cart, None, "SOON", &rules(), now);
    assert!(matches!(refused, Err(CartError::Coupon(CouponRefusal::NotStarted))), "{refused:?}");
    let view = cart::commands::apply_coupon(&mut conn, cart, None, "SOON", &rules(), now + Duration::days(2)).unwrap();
    assert!(view.totals.discount.amount() > 0.into());
}

#[test]
fn racing_adds_to_a_cart_one_line_short_of_full_add_one_line() {
    use storefront::domain::cart::rules::MAX_LINES;
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let topup = topup(&mut conn);
    let cart = cart::commands::create_cart(&mut conn, None, &rules()).unwrap();
    diesel::sql_query(
        "INSERT INTO cart_items (cart_id, product_id, quantity, msisdn) SELECT $1, $2, 1, '88112233' \
         FROM generate_series(1, $3)",
    )
    .bind::<diesel::sql_types::Uuid, _>(cart.id)
    .bind::<diesel::sql_types::Uuid, _>(topup)
    .bind::<BigInt, _>(MAX_LINES - 1)
    .execute(&mut conn)
    .unwrap();
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (url, start, cart_id) = (db.url.clone(), Arc::clone(&start), cart.id);
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                let input = topup_line(topup, "88112233");
                start.wait();
                cart::commands::add_item(&mut conn, cart_id, None, &input, known(), &rules(), Utc::now())
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let added = results.iter().filter(|r| r.is_ok()).count();
    let full =
        results.iter().filter(|r| matches!(r, Err(CartError::Invalid(e)) if e.fields().contains_key("cart"))).count();
    let outcomes: Vec<String> =
        results.iter().map(|r| r.as_ref().map_or_else(|e| e.to_string(), |_| "added".into())).collect();
    assert_eq!((added, full), (1, 7), "{outcomes:?}");
    let lines = count(&mut conn, &format!("SELECT count(*) FROM cart_items WHERE cart_id = '{}'", cart.id));
    assert_eq!(lines, MAX_LINES);
}

/// Adding a top-up checks the line against the product as this process remembers it, and the
/// statement that adds it checks the product is still so: a product changed or taken off sale
/// since is read afresh, and its new terms decide.
#[test]
fn a_product_remembered_before_it_changed_is_judged_by_its_new_terms() {
    use storefront::domain::shared::Code;
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let memory = ProductMemory::default();
    let topup = topup(&mut conn);
    let line = topup_line(topup, "88112233");
    let add = |conn: &mut PgConnection, line: &ItemInput| {
        let cart = cart::commands::create_cart(conn, None, &rules()).unwrap().id;
        cart::commands::add_item(conn, cart, None, line, &memory, &rules(), Utc::now())
    };
    let refusal = |added: Result<cart::CartView, CartError>, field: &str| match added {
        Err(CartError::Invalid(errors)) => errors.fields()[field][0].code,
        other => panic!("refused for {field}: {other:?}"),
    };
    assert_eq!(add(&mut conn, &line).unwrap().lines.len(), 1);
    assert!(memory.recall(storefront::domain::shared::ProductId::from_uuid(topup)).is_some(), "remembered");

    let set = |conn: &mut PgConnection, change: &str| {
        diesel::sql_query(format!("UPDATE products SET {change} WHERE id = '{topup}'")).execute(conn).unwrap();
    };
    set(&mut conn, "active = false");
    assert_eq!(refusal(add(&mut conn, &line), "product_id"), Code::NotOnSale);
    set(&mut conn, "active = true, attributes = '{\"free_amount\": true, \"min_amount\": 1000}'");
    assert_eq!(refusal(add(&mut conn, &line), "amount"), Code::AmountRequired, "the amount is now the shopper's");
    let with_amount = ItemInput { amount: Some("2500".into()), ..line.clone() };
    let added = add(&mut conn, &with_amount).unwrap();
    assert_eq!(added.lines[0].unit_price, Money::mnt(2500.into()));
    set(&mut conn, "attributes = '{\"free_amount\": false}'");
    assert_eq!(refusal(add(&mut conn, &with_amount), "amount"), Code::AmountFixed, "and fixed again");
    assert_eq!(add(&mut conn, &line).unwrap().lines.len(), 1);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM cart_items"), 3, "no line was added on old terms");
}

/// Attempts take the shop's clock, which may give two the same time (a fixed clock does): the
/// waiting attempt is still the latest, whatever their ids.
#[test]
fn a_waiting_payment_attempt_is_the_latest_even_at_the_same_time_as_a_decline() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let cart = cart_with_router(&mut conn, 1);
    let product = router(&mut conn);
    let (branch, _) = pickup_branch(&mut conn, product);
    let placed = place(&mut conn, &pickup_order(cart, branch)).unwrap();
    let order = placed.order.id;
    let at = placed.payment.created_at.to_rfc3339();
    diesel::sql_query(format!(
        "UPDATE payments SET status = 'failed', id = 'ffffffff-ffff-4fff-bfff-ffffffffffff' WHERE order_id = '{order}'"
    ))
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO payments (id, order_id, provider, status, amount, created_at) \
         VALUES ('00000000-0000-4000-8000-000000000000', '{order}', 'sandbox', 'pending', 1, '{at}')"
    ))
    .execute(&mut conn)
    .unwrap();
    assert_eq!(payments::attempts::latest_state(&mut conn, order).unwrap(), Some(PaymentState::Pending));
}

/// A checkout that has to wait for the cart while a line is being added: the statement that
/// closes the cart and reads its lines sees the cart as it was before the add, so it must not
/// close it then; closed again once the add is in, the order holds the new line too.
#[test]
fn a_checkout_that_waited_for_a_line_being_added_orders_it() {
    let db = TestDb::create(true);
    let mut conn = db.connect();
    let topup = topup(&mut conn);
    let line = move |n: &str| topup_line(topup, n);
    let cart = cart::commands::create_cart(&mut conn, None, &rules()).unwrap().id;
    cart::commands::add_item(&mut conn, cart, None, &line("88112233"), known(), &rules(), Utc::now()).unwrap();
    let (added, commit) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let url = db.url.clone();
    let adder = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        conn.transaction(|conn| {
            cart::commands::add_item(conn, cart, None, &line("88112244"), known(), &rules(), Utc::now())?;
            added.0.send(()).unwrap();
            commit.1.recv().unwrap();
            Ok::<_, CartError>(())
        })
    });
    added.1.recv().unwrap();
    let url = db.url.clone();
    let checkout = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        let input = PlaceOrder { fulfillment: FulfillmentInput::default(), ..pickup_order(cart, Uuid::nil()) };
        place(&mut conn, &input)
    });
    // The checkout is waiting for the cart's lock before the add commits.
    while count(
        &mut conn,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    ) == 0
    {
        assert!(!checkout.is_finished(), "the checkout did not wait for the cart");
        std::thread::yield_now();
    }
    commit.0.send(()).unwrap();
    adder.join().unwrap().unwrap();
    let placed = checkout.join().unwrap().unwrap();
    assert_eq!(placed.order.items.len(), 2, "the line added while the checkout waited is in the order");
}
