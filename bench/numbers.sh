#!/usr/bin/env bash
# The number search at an operator's scale: 1,000,000 numbers imported through the staff API's
# CSV import (timed), then `GET /api/v1/numbers` with a prefix, a suffix, a middle pattern and a
# contains search, and the `/numbers` page, each beside the ceiling app's `/products`
# (../shared/bench/ceiling) in the same run, with the same wrk settings and pinning (server on
# core 0, wrk on core 1, every wrk run under `flock /tmp/bench.lock`).
# Knobs: DURATION=15s WARMUP=5s CONNS=64 THREADS=2 REPS=1 MODE=pinned|unpinned NUMBERS=1000000
#        NO_BUILD=1, RUST_LOG (default warn here: the request log is not what is measured)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CEILING_SRC=${CEILING_SRC:-"$ROOT/../shared/bench/ceiling"}
DURATION=${DURATION:-15s}; WARMUP=${WARMUP:-5s}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}; REPS=${REPS:-1}
MODE=${MODE:-pinned}; NUMBERS=${NUMBERS:-1000000}
PG=${PG:-"postgres://postgres@127.0.0.1:5432"}
OUR_PORT=18080; CEIL_PORT=18088
LOCK=/tmp/bench.lock
OUT="$ROOT/bench/results"; mkdir -p "$OUT"
if [[ "$MODE" == pinned ]]; then SRV="taskset -c 0"; WRK="taskset -c 1"; else SRV=""; WRK=""; fi

echo "== building"
if [[ -z "${NO_BUILD:-}" ]]; then
  flock "$LOCK" cargo build --release --quiet
fi
flock "$LOCK" env CARGO_TARGET_DIR="$ROOT/target/ceiling" cargo build --release --quiet --manifest-path "$CEILING_SRC/Cargo.toml"
OUR_BIN="$ROOT/target/release/storefront"; CEIL_BIN="$ROOT/target/ceiling/release/ceiling"

echo "== databases"
psql "$PG/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname='ceiling'" | grep -q 1 || psql "$PG/postgres" -qc "CREATE DATABASE ceiling"
psql "$PG/ceiling" -q -v ON_ERROR_STOP=1 -f "$CEILING_SRC/setup.sql" 2>&1 | grep -v NOTICE || true
DB="$PG/storefront_numbers"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS storefront_numbers WITH (FORCE)"
DATABASE_URL="$DB" "$OUR_BIN" migrate
DATABASE_URL="$DB" "$OUR_BIN" seed --demo
DATABASE_URL="$DB" "$OUR_BIN" create-staff --email bench@shop.mn --password 'Bench-Numbers-2026' --role admin >/dev/null

source "$ROOT/bench/lib.sh"
OUR_ENV=(DATABASE_URL="$DB" BIND="127.0.0.1:$OUR_PORT" RUST_LOG="${RUST_LOG:-warn}")

echo "== importing $NUMBERS numbers through POST /api/v1/admin/numbers/import"
# A quarter per prefix, spread evenly over each prefix's range (every ending as common as any
# other); the demo's golden numbers keep theirs.
CSV="$OUT/numbers.csv"
awk -v n="$NUMBERS" 'BEGIN { print "msisdn,tier"; split("80 86 88 89", p, " ");
  for (i = 0; i < n; i++) { j = int(i / 4); d = (j * 7919) % 1000000;
    printf "%s%06d,%s\n", p[i % 4 + 1], d, (j % 97 == 0 ? "silver" : "ordinary") } }' > "$CSV"
start storefront $OUR_PORT "${OUR_ENV[@]}" -- "$OUR_BIN" serve --no-seed
TOKEN=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@shop.mn","password":"Bench-Numbers-2026"}' \
  "http://127.0.0.1:$OUR_PORT/api/v1/auth/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
T0=$(date +%s.%N)
REPORT=$(curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$CSV" \
  "http://127.0.0.1:$OUR_PORT/api/v1/admin/numbers/import")
T1=$(date +%s.%N)
IMPORT_SECS=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')
echo "   ${REPORT:0:120} in ${IMPORT_SECS}s"
stop
psql "$DB" -qc "VACUUM ANALYZE numbers"
OPEN=$(psql "$DB" -qtAc "SELECT count(*) FROM numbers WHERE status IN ('available','held')")
echo "   open numbers: $OPEN"

echo "== ceiling"
start ceiling $CEIL_PORT DATABASE_URL="$PG/ceiling" BIND="127.0.0.1:$CEIL_PORT" -- "$CEIL_BIN"
measure "ceiling /products" "http://127.0.0.1:$CEIL_PORT/products"; stop

echo "== storefront"
EPS=("/api/v1/numbers?q=8811*" "/api/v1/numbers?q=*2233" "/api/v1/numbers?q=88*11" "/api/v1/numbers?q=2233" "/numbers?q=88*11" "/numbers")
for ep in "${EPS[@]}"; do
  start storefront $OUR_PORT "${OUR_ENV[@]}" -- "$OUR_BIN" serve --no-seed
  measure "storefront $ep" "http://127.0.0.1:$OUR_PORT${ep//\*/%2A}"; stop
done

echo
echo "| endpoint | req/s | p99 ms | VmHWM MiB | req/s vs ceiling /products | p99 vs ceiling |"
echo "|---|---:|---:|---:|---:|---:|"
C="ceiling /products"
echo "| \`$C\` | ${RPS[$C]} | ${P99[$C]} | ${HWM[$C]} | | |"
for ep in "${EPS[@]}"; do
  k="storefront $ep"
  echo "| \`$ep\` | ${RPS[$k]} | ${P99[$k]} | ${HWM[$k]} | $(ratio "${RPS[$k]}" "${RPS[$C]}") | $(ratio "${P99[$k]}" "${P99[$C]}") |"
done
echo
echo "import of $NUMBERS numbers: ${IMPORT_SECS}s; open numbers: $OPEN"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); mode=$MODE conns=$CONNS threads=$THREADS duration=$DURATION"
