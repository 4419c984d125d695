# Shared by bench/run.sh (reads) and bench/writes.sh (writes): wait for a quiet machine, start
# and stop a server, measure one endpoint with wrk. Expects ROOT, OUT, LOCK, SRV, WRK, THREADS,
# CONNS, WARMUP, DURATION and REPS to be set by the caller.
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
# measure key url: best of REPS. A Lua script and its arguments, if any, come in WARM_SCRIPT /
# WARM_ARGS and RUN_SCRIPT / RUN_ARGS (writes give warm-up and measurement their own carts).
measure() { # key url
  local key=$1 url=$2 file="$OUT/wrk_${1//\//_}.txt" best=0 r
  local warm_s="" run_s=""
  [[ -z "${WARM_SCRIPT:-}" ]] || warm_s="-s $WARM_SCRIPT"
  [[ -z "${RUN_SCRIPT:-}" ]] || run_s="-s $RUN_SCRIPT"
  for rep in $(seq 1 "$REPS"); do
    flock "$LOCK" bash -c "quiet; $WRK wrk -t$THREADS -c$CONNS -d$WARMUP $warm_s '$url' ${WARM_ARGS:-} >/dev/null; $WRK wrk -t$THREADS -c$CONNS -d$DURATION --latency $run_s '$url' ${RUN_ARGS:-}" > "$file.$rep"
    r=$(awk '/^Requests\/sec/{print $2}' "$file.$rep")
    if awk -v r="$r" -v b="$best" 'BEGIN{exit !(r>b)}'; then best=$r; cp "$file.$rep" "$file"; fi
  done
  RPS[$key]=$best
  P99[$key]=$(to_ms "$(awk '$1=="99%"{print $2}' "$file")")
  local non2xx; non2xx=$(awk '/Non-2xx/{print $NF}' "$file"); [[ -z "$non2xx" ]] || { echo "$key: $non2xx non-2xx answers" >&2; exit 1; }
  HWM[$key]=$(awk '/^VmHWM/{print int($2/1024)}' /proc/$PID/status)
  echo "   $key: ${RPS[$key]} req/s, p99 ${P99[$key]} ms, VmHWM ${HWM[$key]} MiB"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f×", a/b; else print "-" }'; }
