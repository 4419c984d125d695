#!/usr/bin/env bash
# The crash test at full length: two server processes on one database under a burst of
# checkouts, payments and cancels, killed with SIGKILL and restarted CRASH_KILLS times (200 by
# default; CI runs 20), then the invariants of tests/crash/main.rs are checked. The figures go
# to docs/crash.md. Needs PostgreSQL on 127.0.0.1:5432 (scripts/setup starts it).
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-200}"
scripts/setup
out=$(CRASH_KILLS="$kills" cargo test -q --test crash two_servers_killed -- --nocapture 2>&1 | tee /dev/stderr)
line=$(printf '%s\n' "$out" | grep '^crash:' || true)
[ -n "$line" ] || { echo "crash.sh: the test printed no figures" >&2; exit 1; }
printf '%s\n' "$out" | grep -q 'test result: ok' || { echo "crash.sh: the test failed" >&2; exit 1; }
{
  echo "# Crash test figures"
  echo
  echo "\`bench/crash.sh $kills\` on $(date -u +%Y-%m-%d) ($(nproc) cores): two server processes on one"
  echo "database, shoppers checking out, paying and cancelling on both, one of them killed with"
  echo "SIGKILL and restarted every 150–500 ms. Every run checks: stock plus reservations unchanged,"
  echo "every acknowledged order present, no order paid twice, every paid order's confirmation sent"
  echo "(at most one duplicate per kill), no job left running."
  echo
  echo "    $line"
} > docs/crash.md
echo "== docs/crash.md written"
