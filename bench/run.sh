#!/usr/bin/env bash
# Load test: the release server on the demo catalog against the ceiling app
# (../shared/bench/ceiling), in one run, with the same wrk settings and pinning
# (server on core 0, wrk on core 1, every wrk run under `flock /tmp/bench.lock`).
# Knobs: DURATION=15s WARMUP=5s CONNS=64 THREADS=2 REPS=1 MODE=pinned|unpinned
#        RUST_LOG (our server's log level; default info, one line per request, to a file)
# Prints a markdown table; raw wrk output goes to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CEILING_SRC=${CEILING_SRC:-"$ROOT/../shared/bench/ceiling"}
DURATION=${DURATION:-15s}; WARMUP=${WARMUP:-5s}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}; REPS=${REPS:-1}
MODE=${MODE:-pinned}
PG=${PG:-"postgres://postgres@127.0.0.1:5432"}
OUR_PORT=18080; CEIL_PORT=18088
LOCK=/tmp/bench.lock
OUT="$ROOT/bench/results"; mkdir -p "$OUT"
if [[ "$MODE" == pinned ]]; then SRV="taskset -c 0"; WRK="taskset -c 1"; else SRV=""; WRK=""; fi

echo "== building (under $LOCK so other measurements are not disturbed)"
flock "$LOCK" cargo build --release --quiet
flock "$LOCK" env CARGO_TARGET_DIR="$ROOT/target/ceiling" cargo build --release --quiet --manifest-path "$CEILING_SRC/Cargo.toml"
OUR_BIN="$ROOT/target/release/storefront"; CEIL_BIN="$ROOT/target/ceiling/release/ceiling"

echo "== databases"
psql "$PG/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname='ceiling'" | grep -q 1 || psql "$PG/postgres" -qc "CREATE DATABASE ceiling"
psql "$PG/ceiling" -q -v ON_ERROR_STOP=1 -f "$CEILING_SRC/setup.sql" 2>&1 | grep -v NOTICE || true
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS storefront_bench WITH (FORCE)"
DATABASE_URL="$PG/storefront_bench" "$OUR_BIN" migrate
DATABASE_URL="$PG/storefront_bench" "$OUR_BIN" seed --demo

source "$ROOT/bench/lib.sh"

echo "== ceiling"
for ep in plain products api/products; do
  start ceiling $CEIL_PORT DATABASE_URL="$PG/ceiling" BIND="127.0.0.1:$CEIL_PORT" -- "$CEIL_BIN"
  measure "ceiling /$ep" "http://127.0.0.1:$CEIL_PORT/$ep"; stop
done

echo "== storefront"
OUR_ENV=(DATABASE_URL="$PG/storefront_bench" BIND="127.0.0.1:$OUR_PORT" RUST_LOG="${RUST_LOG:-info}")
start storefront $OUR_PORT "${OUR_ENV[@]}" -- "$OUR_BIN"
CSS=$(curl -fs "http://127.0.0.1:$OUR_PORT/" | grep -o '/static/css/app.css?v=[0-9a-f]*' | head -1); stop
SEARCH="/products?q=%D1%80%D0%BE%D1%83%D1%82%D0%B5%D1%80" # роутер: a synonym, in one statement
for ep in "/products" "$SEARCH" "/products/zte-mf286-4g-router" "/api/v1/products" "$CSS"; do
  start storefront $OUR_PORT "${OUR_ENV[@]}" -- "$OUR_BIN" serve --no-seed
  measure "storefront $ep" "http://127.0.0.1:$OUR_PORT$ep"; stop
done

echo
echo "| endpoint | req/s | p99 ms | VmHWM MiB | vs ceiling | req/s ratio | p99 ratio |"
echo "|---|---:|---:|---:|---|---:|---:|"
row() { echo "| \`$1\` | ${RPS[$1]} | ${P99[$1]} | ${HWM[$1]} | \`${2#ceiling }\` | $(ratio "${RPS[$1]}" "${RPS[$2]}") | $(ratio "${P99[$1]}" "${P99[$2]}") |"; }
for k in "ceiling /plain" "ceiling /products" "ceiling /api/products"; do echo "| \`$k\` | ${RPS[$k]} | ${P99[$k]} | ${HWM[$k]} | | | |"; done
row "storefront /products" "ceiling /products"
row "storefront $SEARCH" "ceiling /products"
row "storefront /products/zte-mf286-4g-router" "ceiling /products"
row "storefront /api/v1/products" "ceiling /api/products"
row "storefront $CSS" "ceiling /plain"
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); mode=$MODE conns=$CONNS threads=$THREADS duration=$DURATION"
