#!/usr/bin/env bash
# Lighthouse, mobile preset (a throttled mid-range phone), in Debian's Chromium, headless, on the
# shopper pages of the release server with the demo catalog: the median of RUNS runs per page
# in each category. /cart and /checkout are measured with a router in the cart (the session's
# cookie is passed as a header). Lighthouse comes from the npm registry into
# bench/lighthouse/node_modules on first use (pinned in bench/lighthouse/package.json).
# Knobs: RUNS=3 PG=postgres://postgres@127.0.0.1:5432
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-3}
PG=${PG:-"postgres://postgres@127.0.0.1:5432"}
PORT=18097
OUT="$ROOT/bench/results/lighthouse"; rm -rf "$OUT"; mkdir -p "$OUT"
export CHROME_PATH=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser)}

[[ -x bench/lighthouse/node_modules/.bin/lighthouse ]] || (cd bench/lighthouse && npm install --no-audit --no-fund --silent)
cargo build --release --quiet
BIN="$ROOT/target/release/storefront"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS storefront_lighthouse WITH (FORCE)"
DATABASE_URL="$PG/storefront_lighthouse" BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT"

# A session with a router in its cart, as a phone that added one would have.
JAR="$OUT/cookies.txt"
FORM=$(curl -fs -c "$JAR" "$BASE/products/zte-mf286-4g-router")
CSRF=$(grep -o 'name="_csrf" value="[^"]*"' <<<"$FORM" | head -1 | sed 's/.*value="//;s/"$//')
PRODUCT=$(grep -o 'name="product_id" value="[^"]*"' <<<"$FORM" | head -1 | sed 's/.*value="//;s/"$//')
curl -fs -b "$JAR" -c "$JAR" -o /dev/null -d "_csrf=$CSRF&product_id=$PRODUCT&quantity=1" "$BASE/cart/items"
COOKIE=$(awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 {printf "%s%s=%s", (n++ ? "; " : ""), $6, $7}' "$JAR")
curl -fs -H "Cookie: $COOKIE" "$BASE/cart" | grep -q 'class="cart-line' || { echo "the cart is empty: no session" >&2; exit 1; }

PAGES=(/ /products /products/zte-mf286-4g-router /cart /checkout /numbers /top-up)
for i in "${!PAGES[@]}"; do
  page=${PAGES[$i]}
  headers='{}'
  [[ "$page" == /cart || "$page" == /checkout ]] && headers="{\"Cookie\": \"$COOKIE\"}"
  for run in $(seq 1 "$RUNS"); do
    echo "== $page, run $run" >&2
    # Headless Chromium now and then loses a trace (NO_NAVSTART): that run is made again.
    for attempt in 1 2 3; do
      bench/lighthouse/node_modules/.bin/lighthouse "$BASE$page" --quiet --output=json --output-path="$OUT/$i.$run.json" \
        --only-categories=performance,accessibility,best-practices,seo --extra-headers="$headers" \
        --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" && break
      [[ $attempt -lt 3 ]] || exit 1
    done
  done
done
node bench/lighthouse/summary.js "$OUT" "${PAGES[@]}"
