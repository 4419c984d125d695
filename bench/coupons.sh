#!/usr/bin/env bash
# Coupon codes made in bulk: `POST /api/v1/admin/campaigns/{id}/codes {"count": 10000}` against
# a release build, timed by curl on an idle machine (the target: 10,000 codes in under 2 s), and
# the same campaign's codes downloaded as CSV. Knobs: RUNS=5, COUNT=10000, NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}; COUNT=${COUNT:-10000}
PG=${PG:-"postgres://postgres@127.0.0.1:5432"}
PORT=18083
OUT="$ROOT/bench/results"; mkdir -p "$OUT"
SRV=""
source "$ROOT/bench/lib.sh"

[[ -n "${NO_BUILD:-}" ]] || cargo build --release --quiet
BIN="$ROOT/target/release/storefront"
DB="$PG/storefront_coupons"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS storefront_coupons WITH (FORCE)"
DATABASE_URL="$DB" "$BIN" migrate >/dev/null
DATABASE_URL="$DB" "$BIN" create-staff --email bench@shop.mn --password 'Bench-Password-77' --role staff >/dev/null
start storefront "$PORT" DATABASE_URL="$DB" BIND="127.0.0.1:$PORT" RUST_LOG=warn JOB_RUNNER=off -- "$BIN" serve --no-seed
URL="http://127.0.0.1:$PORT"
TOKEN=$(curl -fs "$URL/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"email":"bench@shop.mn","password":"Bench-Password-77"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
CAMPAIGN=$(curl -fs "$URL/api/v1/admin/campaigns" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","discount":{"type":"percent","value":10},"code_policy":"limited"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
quiet
echo "== $COUNT codes per request, $RUNS requests (seconds, as curl saw them)"
for i in $(seq 1 "$RUNS"); do
  curl -fs -o /dev/null -w '%{time_total}\n' "$URL/api/v1/admin/campaigns/$CAMPAIGN/codes" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"count\": $COUNT, \"prefix\": \"B$i-\"}"
done | tee "$OUT/coupon_codes.txt"
echo "== CSV of all $((COUNT * RUNS)) codes"
curl -fs -o "$OUT/codes.csv" -w '%{time_total}s, %{size_download} bytes\n' \
  "$URL/api/v1/admin/campaigns/$CAMPAIGN/codes?format=csv" -H "Authorization: Bearer $TOKEN"
echo "   $(($(wc -l < "$OUT/codes.csv") - 1)) codes"
stop
