//! Shopping through the API in tests: carts, checkout, payments, and reading stock back.
#![allow(dead_code)]

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Uuid as SqlUuid};
use serde_json::{json, Value};
use uuid::Uuid;

use super::TestApp;

pub fn delivery() -> Value {
    json!({"method": "delivery", "address": {"name": "Bat", "phone": "8811 2233", "city": "Ulaanbaatar",
        "district": "Bayangol", "line1": "3rd microdistrict, 45-12"}})
}

pub fn pickup(branch: Uuid) -> Value {
    json!({"method": "pickup", "branch_id": branch})
}

/// A method, path, optional bearer token, optional body and optional idempotency key.
pub struct Call<'a> {
    pub method: reqwest::Method,
    pub path: String,
    pub token: Option<&'a str>,
    pub body: Option<Value>,
    pub key: Option<String>,
}

impl TestApp {
    pub async fn call(&self, c: Call<'_>) -> (u16, Value) {
        self.call_at(&self.address, c).await
    }

    /// The same against another server process (`base` = `http://127.0.0.1:port`).
    pub async fn call_at(&self, base: &str, c: Call<'_>) -> (u16, Value) {
        let mut req = self.client.request(c.method, format!("{base}{}", c.path));
        if let Some(t) = c.token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = c.key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = c.body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.call(Call { method, path: path.into(), token, body, key: None }).await
    }

    pub fn product_id(&self, slug: &str) -> Uuid {
        use storefront::db::schema::products;
        let mut conn = self.test_db.connect();
        products::table.filter(products::slug.eq(slug)).select(products::id).first(&mut conn).expect(slug)
    }

    pub fn branch_id(&self, slug: &str) -> Uuid {
        use storefront::db::schema::branches;
        let mut conn = self.test_db.connect();
        branches::table.filter(branches::slug.eq(slug)).select(branches::id).first(&mut conn).expect(slug)
    }

    pub fn stock(&self, product: Uuid, branch: Uuid) -> i32 {
        use storefront::db::schema::stock;
        let mut conn = self.test_db.connect();
        stock::table.find((product, branch)).select(stock::quantity).first(&mut conn).optional().unwrap().unwrap_or(0)
    }

    pub fn set_stock(&self, product: Uuid, branch: Uuid, quantity: i32) {
        let mut conn = self.test_db.connect();
        diesel::sql_query(
            "INSERT INTO stock (product_id, branch_id, quantity) VALUES ($1, $2, $3) \
             ON CONFLICT (product_id, branch_id) DO UPDATE SET quantity = excluded.quantity",
        )
        .bind::<SqlUuid, _>(product)
        .bind::<SqlUuid, _>(branch)
        .bind::<Integer, _>(quantity)
        .execute(&mut conn)
        .unwrap();
    }

    pub fn sql(&self, statement: &str) {
        let mut conn = self.test_db.connect();
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    }

    pub fn count(&self, query: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.test_db.connect();
        diesel::sql_query(query).get_result::<N>(&mut conn).unwrap().n
    }

    /// A new cart (a customer's with `token`), with `items` added; returns its id.
    pub async fn cart_with(&self, token: Option<&str>, items: &[Value]) -> String {
        let (status, cart) = self.send("POST", "/api/v1/carts", token, None).await;
        assert_eq!(status, 201, "{cart}");
        let id = cart["id"].as_str().unwrap().to_string();
        for item in items {
            let (status, body) =
                self.send("POST", &format!("/api/v1/carts/{id}/items"), token, Some(item.clone())).await;
            assert_eq!(status, 201, "{body}");
        }
        id
    }

    pub async fn checkout(&self, cart: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(Call {
            method: reqwest::Method::POST,
            path: format!("/api/v1/carts/{cart}/checkout"),
            token,
            body: Some(body),
            key: Some(Uuid::new_v4().to_string()),
        })
        .await
    }

    pub async fn simulate(&self, payment: &str, outcome: &str) -> (u16, Value) {
        self.send("POST", &format!("/api/v1/payments/{payment}/simulate"), None, Some(json!({"outcome": outcome})))
            .await
    }

    /// An order as staff see it.
    pub fn order_status(&self, order: &str) -> (String, String) {
        use storefront::db::schema::orders;
        let mut conn = self.test_db.connect();
        orders::table
            .find(Uuid::parse_str(order).unwrap())
            .select((orders::status, orders::payment_status))
            .first(&mut conn)
            .unwrap()
    }

    pub fn mail_jobs(&self, kind: &str) -> i64 {
        let mut conn = self.test_db.connect();
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query("SELECT count(*) AS n FROM jobs WHERE queue = 'mail' AND kind = $1")
            .bind::<Text, _>(kind)
            .get_result::<N>(&mut conn)
            .unwrap()
            .n
    }
}
