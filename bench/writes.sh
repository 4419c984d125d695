#!/usr/bin/env bash
# Write path, measured beside PostgreSQL's own commit ceiling in the same run: `pgbench -N`
# (simple-update transactions, 64 clients), `POST /api/v1/carts`, adding a fixed top-up to an
# empty cart, and a guest's checkout of one top-up under an Idempotency-Key. Carts are made
# beforehand so each request does exactly one add or one checkout; every answer must be 2xx.
# Beside each write, the database's own limit for it: pgbench sending the same statements
# (bench/sql/*.pgb) from as many clients as the server has writers, with no server at all.
# Server on core 0; wrk and pgbench on core 1, each run under `flock /tmp/bench.lock`.
# Knobs: DURATION=15s WARMUP=5s CONNS=64 THREADS=2 MODE=pinned|unpinned CARTS=150000 WRITERS=16
#        ONLY="pgbench carts items checkout" (a subset, while looking into one), NO_BUILD=1,
#        BIN (another build of the server, to compare two builds in one sitting)
#        RUST_LOG (default info: one line per request, to a file), SERVER_ENV (extra VAR=value)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-15s}; WARMUP=${WARMUP:-5s}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}; REPS=1
MODE=${MODE:-pinned}; CARTS=${CARTS:-150000}; ONLY=${ONLY:-pgbench carts items checkout}
wants() { [[ " $ONLY " == *" $1 "* ]]; }
PG=${PG:-"postgres://postgres@127.0.0.1:5432"}
PORT=18080
LOCK=/tmp/bench.lock
OUT="$ROOT/bench/results"; mkdir -p "$OUT"
if [[ "$MODE" == pinned ]]; then SRV="taskset -c 0"; WRK="taskset -c 1"; else SRV=""; WRK=""; fi
source "$ROOT/bench/lib.sh"
# PostgreSQL's notices (a table dropped that was not there) are not the benchmark's output.
psql() { PGOPTIONS='-c client_min_messages=warning' command psql "$@"; }
secs() { echo "${1%s}"; }

echo "== building"
[[ -n "${NO_BUILD:-}" ]] || flock "$LOCK" cargo build --release --quiet
BIN=${BIN:-"$ROOT/target/release/storefront"}
DB="$PG/storefront_writes"

TPS=0
if wants pgbench; then
echo "== pgbench -N (PostgreSQL's commit ceiling)"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS pgbench_writes WITH (FORCE)" -qc "CREATE DATABASE pgbench_writes"
pgbench -i -s 10 -q "$PG/pgbench_writes" 2>/dev/null
flock "$LOCK" bash -c "quiet; $WRK pgbench -N -c $CONNS -j $THREADS -T $(secs "$WARMUP") '$PG/pgbench_writes' >/dev/null 2>&1; \
  $WRK pgbench -N -c $CONNS -j $THREADS -T $(secs "$DURATION") '$PG/pgbench_writes'" > "$OUT/pgbench.txt" 2>/dev/null
TPS=$(awk '/^tps = /{print int($3); exit}' "$OUT/pgbench.txt")
LAT=$(awk '/^latency average/{print $4}' "$OUT/pgbench.txt")
echo "   pgbench -N: $TPS tps, latency average $LAT ms"
fi

fresh_db() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS storefront_writes WITH (FORCE)"
  DATABASE_URL="$DB" "$BIN" migrate >/dev/null
  DATABASE_URL="$DB" "$BIN" seed --demo >/dev/null
}
# carts FILE N [with-top-up]: N guest carts, their ids one per line in FILE, and numbered in
# `bench_carts` for pgbench (which takes the next one from `bench_seq`).
carts() {
  local file=$1 n=$2 line=${3:-}
  {
    echo "CREATE TEMP TABLE made AS SELECT gen_random_uuid() AS id FROM generate_series(1, $n);"
    echo "INSERT INTO carts (id) SELECT id FROM made;"
    [[ -z "$line" ]] || echo "INSERT INTO cart_items (cart_id, product_id, quantity, msisdn)
      SELECT made.id, p.id, 1, '88112233' FROM made, products p WHERE p.slug = 'top-up-5000';"
    echo "DROP TABLE IF EXISTS bench_carts; DROP SEQUENCE IF EXISTS bench_seq; CREATE SEQUENCE bench_seq;"
    echo "CREATE TABLE bench_carts AS SELECT row_number() OVER () AS n, id FROM made;"
    echo "CREATE UNIQUE INDEX ON bench_carts (n);"
    echo "COPY (SELECT id FROM made ORDER BY random()) TO STDOUT;"
  } | psql "$DB" -qAt -v ON_ERROR_STOP=1 > "$file"
}
# The database's own limit for the same work: pgbench sends the statements the server would
# (bench/sql/KEY.pgb, prepared) from as many clients as the server has writers, on wrk's core,
# with no HTTP, JSON or Rust in between; each statement takes the next cart of `bench_carts`.
WRITERS=${WRITERS:-16}
declare -A CEIL
db_limit() { # key
  local key=$1
  psql "$DB" -qc "DROP TABLE IF EXISTS bench_product, bench_sample" \
    -qc "CREATE TABLE bench_product AS SELECT id FROM products WHERE slug = 'top-up-5000'" \
    -qc "CREATE TABLE bench_sample AS SELECT (SELECT payload FROM jobs LIMIT 1) AS payload,
           (SELECT response_body FROM idempotency_keys LIMIT 1) AS body"
  flock "$LOCK" bash -c "quiet; $WRK pgbench -n -M prepared -c $WRITERS -j $THREADS -T $(secs "$WARMUP") -f '$ROOT/bench/sql/$key.pgb' '$DB' >/dev/null 2>&1; \
    $WRK pgbench -n -M prepared -c $WRITERS -j $THREADS -T $(secs "$DURATION") -f '$ROOT/bench/sql/$key.pgb' '$DB'" > "$OUT/db_limit_$key.txt" 2>&1
  grep -q "number of failed transactions: 0 " "$OUT/db_limit_$key.txt" || { echo "$key: pgbench failed" >&2; cat "$OUT/db_limit_$key.txt" >&2; exit 1; }
  local used made; used=$(psql "$DB" -qAtc "SELECT last_value FROM bench_seq"); made=$(psql "$DB" -qAtc "SELECT count(*) FROM bench_carts")
  (( used <= made )) || { echo "$key: pgbench ran out of carts ($used > $made); raise CARTS" >&2; exit 1; }
  CEIL[$key]=$(awk '/^tps = /{print int($3); exit}' "$OUT/db_limit_$key.txt")
  echo "   the same statements from pgbench ($WRITERS clients): ${CEIL[$key]} tps"
}
# The server works no job queue: a `storefront worker` beside it (on wrk's core) renders and
# sends the confirmation mails, as a deployment with its own worker would.
OUR_ENV=(DATABASE_URL="$DB" BIND="127.0.0.1:$PORT" RUST_LOG="${RUST_LOG:-info}" JOB_RUNNER=off OUTBOX_DIR="$OUT/outbox" ${SERVER_ENV:-})
WORKER=""
start_worker() { env DATABASE_URL="$DB" OUTBOX_DIR="$OUT/outbox" RUST_LOG=warn $WRK "$BIN" worker > "$OUT/worker.log" 2>&1 & WORKER=$!; }
stop_worker() { if [[ -n "$WORKER" ]]; then kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true; WORKER=""; fi; }
trap 'stop; stop_worker' EXIT
URL="http://127.0.0.1:$PORT"

if wants carts; then
echo "== POST /api/v1/carts"
fresh_db
start storefront "$PORT" "${OUR_ENV[@]}" -- "$BIN" serve --no-seed
WARM_SCRIPT="$ROOT/bench/lua/post.lua" RUN_SCRIPT="$ROOT/bench/lua/post.lua" measure "carts" "$URL/api/v1/carts"; stop
fi

if wants items; then
echo "== POST /api/v1/carts/{id}/items (a fixed top-up into an empty cart)"
fresh_db
TOPUP=$(psql "$DB" -qAtc "SELECT id FROM products WHERE slug = 'top-up-5000'")
carts "$OUT/warm_items.txt" "$CARTS"; carts "$OUT/run_items.txt" "$CARTS"
ITEM='{"product_id":"'"$TOPUP"'","msisdn":"88112233"}'
start storefront "$PORT" "${OUR_ENV[@]}" -- "$BIN" serve --no-seed
WARM_SCRIPT="$ROOT/bench/lua/each_cart_once.lua" WARM_ARGS="-- $OUT/warm_items.txt items $THREADS '$ITEM'" \
RUN_SCRIPT="$ROOT/bench/lua/each_cart_once.lua" RUN_ARGS="-- $OUT/run_items.txt items $THREADS '$ITEM'" \
  measure "items" "$URL"; stop
carts "$OUT/limit_items.txt" "$((CARTS * 2))"; db_limit add
fi

ORDERS=0; MAILED=0
if wants checkout; then
echo "== POST /api/v1/carts/{id}/checkout (guest, one top-up, Idempotency-Key)"
fresh_db
carts "$OUT/warm_checkout.txt" "$CARTS" with-top-up; carts "$OUT/run_checkout.txt" "$CARTS" with-top-up
BODY='{"email":"bench@example.mn"}'
start storefront "$PORT" "${OUR_ENV[@]}" -- "$BIN" serve --no-seed; start_worker
WARM_SCRIPT="$ROOT/bench/lua/each_cart_once.lua" WARM_ARGS="-- $OUT/warm_checkout.txt checkout $THREADS '$BODY'" \
RUN_SCRIPT="$ROOT/bench/lua/each_cart_once.lua" RUN_ARGS="-- $OUT/run_checkout.txt checkout $THREADS '$BODY'" \
  measure "checkout" "$URL"; stop; stop_worker
MAILED=$(psql "$DB" -qAtc "SELECT count(*) FROM jobs WHERE status = 'done'")
ORDERS=$(psql "$DB" -qAtc "SELECT count(*) FROM orders")
carts "$OUT/limit_checkout.txt" "$CARTS" with-top-up; db_limit checkout
fi

echo
echo "| | req/s | p99 ms | VmHWM MiB | vs \`pgbench -N\` | the same SQL from pgbench | vs it |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| \`pgbench -N\` ($CONNS clients) | $TPS tps | — | — | 1.00× | | |"
for k in carts items checkout; do
  wants $k || continue
  case $k in carts) name="POST /api/v1/carts"; sql="";; items) name="POST /api/v1/carts/{id}/items"; sql=add;;
    checkout) name="POST /api/v1/carts/{id}/checkout"; sql=checkout;; esac
  limit=""; vs=""
  if [[ -n "$sql" ]]; then limit="${CEIL[$sql]} tps ($(ratio "${CEIL[$sql]}" "$TPS"))"; vs=$(ratio "${RPS[$k]}" "${CEIL[$sql]}"); fi
  echo "| \`$name\` | ${RPS[$k]} | ${P99[$k]} | ${HWM[$k]} | $(ratio "${RPS[$k]}" "$TPS") | $limit | $vs |"
done
echo
echo "orders placed in the checkout run (warm-up and measurement): $ORDERS; confirmations mailed by the worker meanwhile: $MAILED"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); mode=$MODE conns=$CONNS threads=$THREADS duration=$DURATION"
