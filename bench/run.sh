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

to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); printf "%.2f", v/1000}
  else if (v ~ /ms$/) {sub(/ms$/,"",v); printf "%.2f", v} else if (v ~ /s$/) {sub(/s$/,"",v); printf "%.2f", v*1000} }'; }
quiet() { for _ in $(seq 1 30); do
    local a b; a=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat); sleep 1
    b=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," ");split(b,y," "); exit !((y[1]-x[1])/(y[2]-x[2]) < 0.15)}' && return
  done; }
export -f quiet

PID=""
stop() { if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap stop EXIT
start() { # name port VAR=value... -- binary args...
  local name=$1 port=$2; shift 2
  local envs=(); while [[ $# -gt 0 && "$1" != "--" ]]; do envs+=("$1"); shift; done; shift
  env "${envs[@]}" $SRV "$@" > "$OUT/$name.log" 2>&1 & PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return; curl -fs "http://127.0.0.1:$port/plain" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "$name did not start" >&2; cat "$OUT/$name.log" >&2; exit 1
}
declare -A RPS P99 HWM
measure() { # key url
  local key=$1 url=$2 file="$OUT/wrk_${1//\//_}.txt" best=0 r
  for rep in $(seq 1 "$REPS"); do
    flock "$LOCK" bash -c "quiet; $WRK wrk -t$THREADS -c$CONNS -d$WARMUP '$url' >/dev/null; $WRK wrk -t$THREADS -c$CONNS -d$DURATION --latency '$url'" > "$file.$rep"
    r=$(awk '/^Requests\/sec/{print $2}' "$file.$rep")
    if awk -v r="$r" -v b="$best" 'BEGIN{exit !(r>b)}'; then best=$r; cp "$file.$rep" "$file"; fi
  done
  RPS[$key]=$best
  P99[$key]=$(to_ms "$(awk '$1=="99%"{print $2}' "$file")")
  local non2xx; non2xx=$(awk '/Non-2xx/{print $NF}' "$file"); [[ -z "$non2xx" ]] || { echo "$key: $non2xx non-2xx answers" >&2; exit 1; }
  HWM[$key]=$(awk '/^VmHWM/{print int($2/1024)}' /proc/$PID/status)
  echo "   $key: ${RPS[$key]} req/s, p99 ${P99[$key]} ms, VmHWM ${HWM[$key]} MiB"
}

echo "== ceiling"
for ep in plain products api/products; do
  start ceiling $CEIL_PORT DATABASE_URL="$PG/ceiling" BIND="127.0.0.1:$CEIL_PORT" -- "$CEIL_BIN"
  measure "ceiling /$ep" "http://127.0.0.1:$CEIL_PORT/$ep"; stop
done

echo "== storefront"
OUR_ENV=(DATABASE_URL="$PG/storefront_bench" BIND="127.0.0.1:$OUR_PORT" RUST_LOG="${RUST_LOG:-info}")
start storefront $OUR_PORT "${OUR_ENV[@]}" -- "$OUR_BIN"
CSS=$(curl -fs "http://127.0.0.1:$OUR_PORT/" | grep -o '/static/css/app.css?v=[0-9a-f]*' | head -1); stop
for ep in "/products" "/products/zte-mf286-4g-router" "/api/v1/products" "$CSS"; do
  start storefront $OUR_PORT "${OUR_ENV[@]}" -- "$OUR_BIN" serve --no-seed
  measure "storefront $ep" "http://127.0.0.1:$OUR_PORT$ep"; stop
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f×", a/b; else print "-" }'; }
echo
echo "| endpoint | req/s | p99 ms | VmHWM MiB | vs ceiling | req/s ratio | p99 ratio |"
echo "|---|---:|---:|---:|---|---:|---:|"
row() { echo "| \`$1\` | ${RPS[$1]} | ${P99[$1]} | ${HWM[$1]} | \`${2#ceiling }\` | $(ratio "${RPS[$1]}" "${RPS[$2]}") | $(ratio "${P99[$1]}" "${P99[$2]}") |"; }
for k in "ceiling /plain" "ceiling /products" "ceiling /api/products"; do echo "| \`$k\` | ${RPS[$k]} | ${P99[$k]} | ${HWM[$k]} | | | |"; done
row "storefront /products" "ceiling /products"
row "storefront /products/zte-mf286-4g-router" "ceiling /products"
row "storefront /api/v1/products" "ceiling /api/products"
row "storefront $CSS" "ceiling /plain"
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); mode=$MODE conns=$CONNS threads=$THREADS duration=$DURATION"
