#!/usr/bin/env bash
# bench/live_churn: slot churn on the live surface.
#
# Issue target: "1,000 consumers across 100 broadcasts cycling attach → heartbeat → release:
# ≥ 100,000 operations/s on one core with the embedded engine, p99 ≤ 2 ms."
#
# onair runs as `serve --threads 1` pinned to CHURN_SERVER_CPU (embedded engine, one shard); the
# load client (build/bench/live_churn/live_churn_client) pinned to CHURN_CLIENT_CPU opens one
# producer connection that publishes CHURN_BROADCASTS broadcasts, then CHURN_CONNS consumer
# connections (one user each, so the per-user cap of 8 slots holds) with CHURN_WINDOW lanes each.
# Two phases on the same connections:
#   max rate     closed loop, every lane sends its next op on the previous reply → ops/s;
#   fixed rate   CHURN_RATE ops/s scheduled over idle lanes (open loop) → p50/p99/p99.9, counted
#                from the scheduled send time.
# The per-user attach rate limit (60/min by default) is raised with
# --live-attach-rate-per-minute 1000000 so that it does not turn the run into rate_limited replies.
#
#   make bench-live-churn        or   bash bench/live_churn/run.sh
#
# Environment (defaults): CHURN_CONNS (1000) CHURN_BROADCASTS (100) CHURN_WINDOW (4)
#   CHURN_SECONDS (10, measured, each phase) CHURN_MAX_SECONDS (CHURN_SECONDS; 0 skips the max
#   phase) CHURN_WARMUP (2) CHURN_RATE (100000)
#   CHURN_SRC_ADDRS (1: all from 127.0.0.1) CHURN_SERVER_CPU (0) CHURN_CLIENT_CPU (1)
#   CHURN_PERF (0; 1 = perf record -g onair during the run, report on stderr; CHURN_PERF_OUT=file
#   keeps perf.data)
#   CHURN_PERF_CLIENT (unset; a file = perf record -g the client into it)
#   CHURN_TIMELINE (unset; 1 = per-100 ms ops and worst latency on stderr)
#   CHURN_PICK (random: the fixed-rate phase gives the next op to a random idle lane; fifo = the
#   longest idle lane, which keeps a connection's lanes issued back to back)
#   CHURN_QUIET_WAIT (60: seconds to wait for an idle machine first) BUILD_DIR (build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
CONNS=${CHURN_CONNS:-1000}
BROADCASTS=${CHURN_BROADCASTS:-100}
WINDOW=${CHURN_WINDOW:-4}
SECONDS_MEASURED=${CHURN_SECONDS:-10}
MAX_SECONDS=${CHURN_MAX_SECONDS:-$SECONDS_MEASURED}
WARMUP=${CHURN_WARMUP:-2}
RATE=${CHURN_RATE:-100000}
SRC_ADDRS=${CHURN_SRC_ADDRS:-1}
SERVER_CPU=${CHURN_SERVER_CPU:-0}
CLIENT_CPU=${CHURN_CLIENT_CPU:-1}
PERF=${CHURN_PERF:-0}

say() { echo "bench-live-churn: $*" >&2; }

if [ ! -f "$BUILD/build.ninja" ] && [ ! -f "$BUILD/Makefile" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
TMP=$(mktemp -d /tmp/onair-live-churn.XXXXXX)
if ! cmake --build "$BUILD" >"$TMP/build.log" 2>&1; then
  tail -30 "$TMP/build.log" >&2
  say "build failed"
  rm -rf "$TMP"
  exit 1
fi
CLIENT=$ROOT/$BUILD/bench/live_churn/live_churn_client
ONAIR=$ROOT/$BUILD/onair

ONAIR_PID=""
PERF_PID=""
stop_pid() {  # stop_pid PID: TERM, wait up to 5 s, then KILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=""; fi
  stop_pid "$ONAIR_PID"
  ONAIR_PID=""
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Per-run API credentials; the client mints its tokens with the same key and secret.
export ONAIR_API_KEY="APIchurn$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ONAIR_API_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$TMP/data"
taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-port 0 --data-dir "$TMP/data" \
  --live-attach-rate-per-minute 1000000 >"$TMP/onair.out" 2>"$TMP/onair.err" &
ONAIR_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(grep -Eo 'listening on http://127\.0\.0\.1:[0-9]+' "$TMP/onair.out" 2>/dev/null | head -1 | sed 's/.*://' || true)
  [ -n "$PORT" ] && break
  kill -0 "$ONAIR_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$PORT" ]; then
  say "onair did not start"
  tail -n 5 "$TMP/onair.out" "$TMP/onair.err" >&2 || true
  exit 1
fi

# The CLI mints the same kind of token; check once that it is accepted the way the client's are
# (a smoke test of the credentials, not used for the load).
"$ONAIR" token create --user u-cli-check --grant 'live:content:*:publish,attach' --ttl 1h \
  --data-dir "$TMP/data" >/dev/null 2>&1 || say "warning: onair token create failed (the client mints its own tokens)"

say "onair pid $ONAIR_PID on CPU $SERVER_CPU, port $PORT; client on CPU $CLIENT_CPU:" \
  "$CONNS consumers × $WINDOW lanes over $BROADCASTS broadcasts; ${WARMUP}s warmup + ${SECONDS_MEASURED}s per phase; fixed rate $RATE ops/s"

# Both cores are meant for this benchmark: wait (at most CHURN_QUIET_WAIT seconds) for the rest
# of the machine to go quiet (< 10 % of one core over 2 s), else warn and run anyway.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
HZ=$(getconf CLK_TCK)
QUIET=0
for _ in $(seq 1 $(( (${CHURN_QUIET_WAIT:-60} + 1) / 2 ))); do
  a=$(busy_ticks); sleep 2; b=$(busy_ticks)
  if [ $(( (b - a) * 100 )) -lt $(( 2 * HZ * 10 )) ]; then QUIET=1; break; fi
done
[ "$QUIET" = 1 ] || say "warning: the machine is busy with other work; the figures will be skewed (see other CPU below)"

if [ "$PERF" = 1 ]; then
  perf record ${CHURN_PERF_ARGS:--g} -o "$TMP/perf.data" -p "$ONAIR_PID" >/dev/null 2>"$TMP/perf.err" &
  PERF_PID=$!
fi

BUDGET=$(( 2 * (${WARMUP%.*} + ${SECONDS_MEASURED%.*}) + 60 ))
STATUS=0
CLIENT_WRAP=()
[ -n "${CHURN_PERF_CLIENT:-}" ] && CLIENT_WRAP=(perf record -g -o "$CHURN_PERF_CLIENT" --)
timeout "$BUDGET" taskset -c "$CLIENT_CPU" "${CLIENT_WRAP[@]}" "$CLIENT" --port "$PORT" --conns "$CONNS" --broadcasts "$BROADCASTS" \
  --window "$WINDOW" --warmup "$WARMUP" --max-seconds "$MAX_SECONDS" --rate "$RATE" \
  --rate-seconds "$SECONDS_MEASURED" --src-addrs "$SRC_ADDRS" --server-pid "$ONAIR_PID" ${CHURN_TIMELINE:+--timeline} ${CHURN_POLL_US:+--poll-us "$CHURN_POLL_US"} --pick "${CHURN_PICK:-random}" >"$TMP/result.json" 2>"$TMP/client.err" || STATUS=$?
cat "$TMP/client.err" >&2

if [ -n "$PERF_PID" ]; then
  kill -INT "$PERF_PID" 2>/dev/null || true
  wait "$PERF_PID" 2>/dev/null || true
  PERF_PID=""
fi
ONAIR_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$ONAIR_PID/status" 2>/dev/null || echo "")
stop_pid "$ONAIR_PID"
ONAIR_PID=""
if grep -qv " info " "$TMP/onair.err" "$TMP/onair.out" 2>/dev/null; then
  say "onair stderr (last lines):"
  grep -hv " info " "$TMP/onair.out" "$TMP/onair.err" | tail -n 5 >&2
fi
if [ "$STATUS" -ne 0 ] || [ ! -s "$TMP/result.json" ]; then
  say "client failed (status $STATUS)"
  cat "$TMP/result.json" >&2 2>/dev/null || true
  exit 1
fi

echo "raw: $(cat "$TMP/result.json")"
node - "$TMP/result.json" "$RATE" "$SERVER_CPU" "$CLIENT_CPU" "${ONAIR_RSS_KB:-}" <<'EOF'
const fs = require('node:fs');
const [file, rate, serverCpu, clientCpu, rssKb] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const int = (v) => (v == null ? '—' : Math.round(v).toLocaleString('en-US'));
const m = r.max ?? {}, f = r.rate ?? {};
console.log(`\nlive slot churn: ${r.conns} consumers (one user each) × ${r.window} lanes, ${r.broadcasts} broadcasts; ` +
  `onair --threads 1 on CPU ${serverCpu} (embedded engine), client on CPU ${clientCpu}; attach rate limit raised to 1,000,000/min/user`);
const pct = (v) => (v == null || v < 0 ? '—' : Math.round(v) + '%');
console.log(`${''.padEnd(30)}${'ops/s'.padStart(11)}${'p50 µs'.padStart(9)}${'p99 µs'.padStart(9)}${'p99.9 µs'.padStart(10)}${'max µs'.padStart(9)}${'errors'.padStart(8)}` +
  `${'onair CPU'.padStart(11)}${'client CPU'.padStart(12)}${'other CPU'.padStart(11)}`);
const row = (label, x) => console.log(`${label.padEnd(30)}${int(x.ops_per_s).padStart(11)}${int(x.p50_us).padStart(9)}${int(x.p99_us).padStart(9)}` +
  `${int(x.p999_us).padStart(10)}${int(x.max_us).padStart(9)}${int(x.errors).padStart(8)}${pct(x.server_cpu_pct).padStart(11)}${pct(x.client_cpu_pct).padStart(12)}${pct(x.other_cpu_pct).padStart(11)}`);
if (r.max) row(`max rate (closed loop)`, m);
if (r.rate) row(`fixed ${int(Number(rate))}/s (open loop)`, f);
for (const [name, x] of [['max rate', m], ['fixed rate', f]]) {
  if (x.by_op) console.log(`  ${name} by op p50/p99 µs: ` + Object.entries(x.by_op).map(([k, v]) => `${k} ${int(v.p50_us)}/${int(v.p99_us)}`).join(', '));
  if (x.error_codes && Object.keys(x.error_codes).length) console.log(`  ${name} errors: ${JSON.stringify(x.error_codes)}`);
}
if (rssKb) console.log(`  onair peak RSS: ${int(Number(rssKb) / 1024)} MiB`);
if (r.closed_conns || r.protocol_errors) console.log(`  closed connections: ${r.closed_conns}, protocol errors: ${r.protocol_errors}`);
const checks = [
  ['operations/s (max rate)', m.ops_per_s, '≥ 100,000', (v) => v >= 100000, int],
  [`p99 at ${int(Number(rate))} ops/s`, f.p99_us, '≤ 2,000 µs', (v) => v <= 2000, (v) => `${int(v)} µs`],
  [`ops/s sustained at the fixed rate`, f.ops_per_s, `≥ ${int(0.99 * Number(rate))}`, (v) => v >= 0.99 * Number(rate), int],
];
console.log('\ntarget                               value        target        met');
for (const [label, v, target, ok, fmt] of checks) {
  console.log(`${label.padEnd(37)}${fmt(v).padEnd(13)}${target.padEnd(14)}${v == null ? 'n/a' : ok(v) ? 'yes' : 'NO'}`);
}
EOF

if [ "$PERF" = 1 ] && [ -s "$TMP/perf.data" ]; then
  say "perf report (onair, top entries):"
  perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 1 -g none 2>/dev/null | grep -v '^$' | grep -v '^#' | cut -c1-160 | head -60 >&2 || true
  if [ -n "${CHURN_PERF_OUT:-}" ]; then cp "$TMP/perf.data" "$CHURN_PERF_OUT" && say "perf data kept in $CHURN_PERF_OUT"; fi
fi
