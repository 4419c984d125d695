#!/usr/bin/env bash
# Staff pages at volume: 100,000 orders (with items and timelines), 20,000 customers and
# 1,000,000 numbers (every state and tier) seeded
# into a fresh database, then each admin list timed one request after another by curl
# (`time_total` on loopback: the server's time plus a few hundred microseconds), best and
# median of RUNS. The target: under 50 ms a page. Knobs: ORDERS=100000 CUSTOMERS=20000
# NUMBERS=1000000 RUNS=20 NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ORDERS=${ORDERS:-100000}; CUSTOMERS=${CUSTOMERS:-20000}; NUMBERS=${NUMBERS:-1000000}; RUNS=${RUNS:-20}
PG=${PG:-"postgres://postgres@127.0.0.1:5432"}
PORT=18084
OUT="$ROOT/bench/results"; mkdir -p "$OUT"
SRV=""
source "$ROOT/bench/lib.sh"

[[ -n "${NO_BUILD:-}" ]] || cargo build --release --quiet
BIN="$ROOT/target/release/storefront"
DB="$PG/storefront_admin"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS storefront_admin WITH (FORCE)"
DATABASE_URL="$DB" "$BIN" migrate >/dev/null
DATABASE_URL="$DB" "$BIN" seed --demo >/dev/null
DATABASE_URL="$DB" "$BIN" create-staff --email bench@shop.mn --password 'Bench-Password-77' --role admin >/dev/null
echo "== seeding $CUSTOMERS customers and $ORDERS orders"
psql "$DB" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO accounts (email, name, password_hash, role)
  SELECT 'customer' || n || '@example.mn', 'Customer ' || n, 'x', 'customer' FROM generate_series(1, $CUSTOMERS) n;
CREATE TEMP TABLE people AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, email FROM accounts WHERE role = 'customer';
CREATE INDEX ON people (k);
CREATE TEMP TABLE picks AS
  SELECT n, gen_random_uuid() AS id, now() - (random() * interval '90 days') AS at,
         (ARRAY['pending_payment','paid','fulfilling','shipped','ready_for_pickup','completed','cancelled','refunded'])[1 + (n % 8)] AS status,
         n % 3 AS method
  FROM generate_series(1, $ORDERS) n;
INSERT INTO orders (id, account_id, email, status, payment_status, fulfillment_method, branch_id, delivery_address,
                    subtotal, total, expires_at, created_at, updated_at)
  SELECT p.id, c.id, c.email, p.status,
         CASE WHEN p.status IN ('pending_payment', 'cancelled') THEN 'unpaid' WHEN p.status = 'refunded' THEN 'refunded' ELSE 'paid' END,
         CASE p.method WHEN 0 THEN 'delivery' WHEN 1 THEN 'pickup' END,
         CASE p.method WHEN 0 THEN w.id WHEN 1 THEN z.id END,
         CASE p.method WHEN 0 THEN jsonb_build_object('name', 'Bat', 'phone', '88' || lpad((p.n % 1000000)::text, 6, '0'),
              'city', 'Ulaanbaatar', 'district', 'Bayangol', 'line1', 'Street ' || p.n) END,
         189000, CASE WHEN p.status = 'refunded' THEN 189000 ELSE 189000 END, p.at + interval '1 hour', p.at, p.at
  FROM picks p JOIN people c ON c.k = p.n % $CUSTOMERS,
       (SELECT id FROM branches WHERE delivery_warehouse) w, (SELECT id FROM branches WHERE slug = 'zaisan') z;
UPDATE orders SET refunded_total = total WHERE status = 'refunded';
INSERT INTO order_items (order_id, product_id, kind, name_mn, name_en, quantity, unit_price, total, position)
  SELECT o.id, pr.id, pr.kind, pr.name_mn, pr.name_en, 1, 189000, 189000, 0
  FROM orders o, (SELECT id, kind, name_mn, name_en FROM products WHERE slug = 'zte-mf286-4g-router') pr;
INSERT INTO order_events (order_id, from_status, to_status, actor, at)
  SELECT id, NULL, 'pending_payment', 'customer', created_at FROM orders;
-- Numbers 80000000 and up: most available, the rest held, sold (owned), active or retired.
INSERT INTO numbers (msisdn, tier, status, owner_id, held_until)
  SELECT (80000000 + g)::text,
         (ARRAY['ordinary','ordinary','ordinary','silver','gold','platinum'])[1 + g % 6],
         CASE WHEN g % 10 < 7 THEN 'available' WHEN g % 10 = 7 THEN 'sold' WHEN g % 10 = 8 THEN 'active'
              WHEN g % 20 = 9 THEN 'retired' ELSE 'held' END,
         CASE WHEN g % 10 IN (7, 8) THEN c.id END,
         CASE WHEN g % 20 = 19 THEN now() - interval '1 hour' END
  FROM generate_series(1, $NUMBERS) g LEFT JOIN people c ON c.k = g % $CUSTOMERS
  ON CONFLICT DO NOTHING;
SQL
# A database at rest has been vacuumed (autovacuum would have by now): index-only scans count.
psql "$DB" -q -c "VACUUM (ANALYZE)"
start storefront "$PORT" DATABASE_URL="$DB" BIND="127.0.0.1:$PORT" RUST_LOG=warn JOB_RUNNER=off -- "$BIN" serve --no-seed
URL="http://127.0.0.1:$PORT"
JAR="$OUT/admin_cookies.txt"; rm -f "$JAR"
CSRF=$(curl -fs -c "$JAR" -b "$JAR" "$URL/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -o /dev/null -c "$JAR" -b "$JAR" "$URL/login" --data-urlencode "_csrf=$CSRF" \
  --data-urlencode "email=bench@shop.mn" --data-urlencode "password=Bench-Password-77" --data-urlencode "next=/admin"
quiet
time_page() { # label path
  local label=$1 path=$2 times
  curl -fs -o /dev/null -b "$JAR" "$URL$path" || { echo "$label: $path failed" >&2; exit 1; }
  times=$(for _ in $(seq 1 "$RUNS"); do curl -fs -o /dev/null -b "$JAR" -w '%{time_total}\n' "$URL$path"; done | sort -n)
  printf '| %s | `%s` | %.1f | %.1f |\n' "$label" "$path" \
    "$(echo "$times" | head -1 | awk '{print $1 * 1000}')" "$(echo "$times" | awk -v n="$RUNS" 'NR == int((n + 1) / 2) {print $1 * 1000}')"
}
echo "| page | path | best ms | median ms |"
echo "|---|---|---:|---:|"
ZAISAN=$(psql "$DB" -qAtc "SELECT id FROM branches WHERE slug = 'zaisan'")
NUMBER=$(psql "$DB" -qAtc "SELECT number FROM orders ORDER BY created_at LIMIT 1 OFFSET 5000")
{
time_page "dashboard" "/admin"
time_page "orders, newest" "/admin/orders"
time_page "orders, page 200" "/admin/orders?page=200"
time_page "orders by status" "/admin/orders?status=shipped"
time_page "orders by branch and days" "/admin/orders?branch_id=$ZAISAN&from=2026-10-01&to=2026-11-30"
time_page "order by number" "/admin/orders?q=$NUMBER"
time_page "orders by email" "/admin/orders?q=customer1234%40"
time_page "orders by phone" "/admin/orders?q=8800%201234"
time_page "customers" "/admin/customers"
time_page "customers by email" "/admin/customers?q=customer777"
time_page "audit log" "/admin/audit"
time_page "numbers: pools" "/admin/numbers"
time_page "numbers: first page" "/admin/numbers?q=&status=&tier="
time_page "numbers starting 8123" "/admin/numbers?q=8123*"
time_page "numbers ending 777" "/admin/numbers?q=*777"
time_page "numbers with 5555" "/admin/numbers?q=5555"
time_page "numbers sold, gold" "/admin/numbers?status=sold&tier=gold"
time_page "numbers retired, page 50" "/admin/numbers?status=retired&page=50"
time_page "numbers with 12 held" "/admin/numbers?q=12&status=held"
} | tee "$OUT/admin_pages.md"
stop
