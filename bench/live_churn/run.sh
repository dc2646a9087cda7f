#!/usr/bin/env bash
# bench/live_churn: slot churn on the live surface.
#
# Issue target: "1,000 consumers across 100 broadcasts cycling attach → heartbeat → release:
# ≥ 100,000 operations/s on one core with the embedded engine, p99 ≤ 2 ms."
#
# Two servers in turn, each pinned to CHURN_SERVER_CPU, driven by the same load client:
#   ceiling   live_churn_ceiling: canned replies of onair's shape, no state, no JSON parser — what
#             the kernel, the loopback path and the client cost at this load (onair's floor);
#   onair     `serve --threads 1` (embedded engine, one shard).
# The load client (build/bench/live_churn/live_churn_client) pinned to CHURN_CLIENT_CPU opens one
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
# Environment (defaults): CHURN_SERVERS ("ceiling onair") CHURN_CONNS (1000) CHURN_BROADCASTS (100) CHURN_WINDOW (4)
#   CHURN_SECONDS (10, measured, each phase) CHURN_MAX_SECONDS (CHURN_SECONDS; 0 skips the max
#   phase) CHURN_WARMUP (2) CHURN_RATE (100000)
#   CHURN_SRC_ADDRS (1: all from 127.0.0.1) CHURN_SERVER_CPU (0) CHURN_CLIENT_CPU (1)
#   CHURN_PERF (0; 1 = perf record -g onair during the run, report on stderr; CHURN_PERF_OUT=file
#   keeps perf.data)
#   CHURN_PERF_CLIENT (unset; a file = perf record -g the client into it)
#   CHURN_CEILING_WORK_NS (0: ns the ceiling spins per request, standing in for a server's own work)
#   CHURN_TIMELINE (unset; 1 = per-100 ms ops and worst latency on stderr)
#   CHURN_PICK (random: the fixed-rate phase gives the next op to a random idle lane, lanes are
#   independent users' slots; fifo = the longest idle lane: lanes whose replies came back together
#   are issued back to back again, so each connection's requests arrive in bursts)
#   CHURN_ONAIR (build/onair: the onair binary to run, e.g. a saved build to compare with)
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

source bench/common/lib.sh
bench_build "$BUILD" live-churn || exit 1
TMP=$(mktemp -d /tmp/onair-live-churn.XXXXXX)
CLIENT=$ROOT/$BUILD/bench/live_churn/live_churn_client
CEILING=$ROOT/$BUILD/bench/live_churn/live_churn_ceiling
ONAIR=${CHURN_ONAIR:-$ROOT/$BUILD/onair}
SERVERS=${CHURN_SERVERS:-ceiling onair}

ONAIR_PID=""
PERF_PID=""
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

# Both cores are meant for this benchmark: wait (at most CHURN_QUIET_WAIT seconds) for the rest
# of the machine to go quiet (< 10 % of one core over 2 s), else warn and run anyway.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
wait_quiet() {
  local hz a b
  hz=$(getconf CLK_TCK)
  for _ in $(seq 1 $(( (${CHURN_QUIET_WAIT:-60} + 1) / 2 ))); do
    a=$(busy_ticks); sleep 2; b=$(busy_ticks)
    if [ $(( (b - a) * 100 )) -lt $(( 2 * hz * 10 )) ]; then return 0; fi
  done
  say "warning: the machine is busy with other work; the figures will be skewed (see other CPU below)"
}

# run_server NAME: starts it on SERVER_CPU, runs the client against it into $TMP/NAME.json.
run_server() {
  local name=$1 port=""
  case "$name" in
    ceiling)
      taskset -c "$SERVER_CPU" "$CEILING" --port 0 --work-ns "${CHURN_CEILING_WORK_NS:-0}" >"$TMP/ceiling.out" 2>"$TMP/ceiling.err" &
      ONAIR_PID=$!
      port=$(wait_for "$TMP/ceiling.out" 'listening on 127\.0\.0\.1:[0-9]+' "$ONAIR_PID" | sed 's/.*://' || true)
      ;;
    onair)
      taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-port 0 --data-dir "$TMP/data" \
        --live-attach-rate-per-minute 1000000 >"$TMP/onair.out" 2>"$TMP/onair.err" &
      ONAIR_PID=$!
      port=$(wait_for "$TMP/onair.out" 'listening on http://127\.0\.0\.1:[0-9]+' "$ONAIR_PID" | sed 's/.*://' || true)
      # The CLI mints the same kind of token; check once that it is accepted the way the
      # client's are (a smoke test of the credentials, not used for the load).
      "$ONAIR" token create --user u-cli-check --grant 'live:content:*:publish,attach' --ttl 1h \
        --data-dir "$TMP/data" >/dev/null 2>&1 || say "warning: onair token create failed (the client mints its own tokens)"
      ;;
    *) say "unknown server '$name' in CHURN_SERVERS (ceiling, onair)"; return 1 ;;
  esac
  if [ -z "$port" ]; then
    say "$name did not start"
    tail -n 5 "$TMP/$name.out" "$TMP/$name.err" >&2 || true
    return 1
  fi
  say "$name pid $ONAIR_PID on CPU $SERVER_CPU, port $port; client on CPU $CLIENT_CPU:" \
    "$CONNS consumers × $WINDOW lanes over $BROADCASTS broadcasts; ${WARMUP}s warmup + ${SECONDS_MEASURED}s per phase; fixed rate $RATE ops/s"
  wait_quiet
  if [ "$PERF" = 1 ] && [ "$name" = "${CHURN_PERF_SERVER:-onair}" ]; then
    perf record ${CHURN_PERF_ARGS:--g} -o "$TMP/perf.data" -p "$ONAIR_PID" >/dev/null 2>"$TMP/perf.err" &
    PERF_PID=$!
  fi
  local budget=$(( 2 * (${WARMUP%.*} + ${SECONDS_MEASURED%.*}) + 60 )) status=0
  local wrap=()
  [ -n "${CHURN_PERF_CLIENT:-}" ] && [ "$name" = onair ] && wrap=(perf record -g -o "$CHURN_PERF_CLIENT" --)
  timeout "$budget" taskset -c "$CLIENT_CPU" "${wrap[@]}" "$CLIENT" --port "$port" --conns "$CONNS" --broadcasts "$BROADCASTS" \
    --window "$WINDOW" --warmup "$WARMUP" --max-seconds "$MAX_SECONDS" --rate "$RATE" \
    --rate-seconds "$SECONDS_MEASURED" --src-addrs "$SRC_ADDRS" --server-pid "$ONAIR_PID" ${CHURN_TIMELINE:+--timeline} \
    ${CHURN_POLL_US:+--poll-us "$CHURN_POLL_US"} --pick "${CHURN_PICK:-random}" >"$TMP/$name.json" 2>"$TMP/client.err" || status=$?
  sed "s/^/  [$name] /" "$TMP/client.err" >&2
  if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
  fi
  awk '/VmHWM/ {print $2}' "/proc/$ONAIR_PID/status" >"$TMP/$name.rss" 2>/dev/null || true
  stop_pid "$ONAIR_PID"
  ONAIR_PID=""
  if [ "$name" = onair ] && grep -qv " info " "$TMP/onair.err" "$TMP/onair.out" 2>/dev/null; then
    say "onair stderr (last lines):"
    grep -hv " info " "$TMP/onair.out" "$TMP/onair.err" | tail -n 5 >&2
  fi
  [ "$name" = ceiling ] && cat "$TMP/ceiling.err" >&2
  if [ "$status" -ne 0 ] || [ ! -s "$TMP/$name.json" ]; then
    say "client against $name failed (status $status)"
    cat "$TMP/$name.json" >&2 2>/dev/null || true
    return 1
  fi
  echo "raw $name: $(cat "$TMP/$name.json")"
}

for server in $SERVERS; do run_server "$server" || exit 1; done

node - "$TMP" "$RATE" "$SERVER_CPU" "$CLIENT_CPU" "$SERVERS" "${CHURN_PICK:-random}" <<'EOF'
const fs = require('node:fs');
const [dir, rate, serverCpu, clientCpu, servers, pick] = process.argv.slice(2);
const runs = {};
for (const name of servers.split(/\s+/).filter(Boolean)) {
  runs[name] = JSON.parse(fs.readFileSync(`${dir}/${name}.json`, 'utf8'));
  try { runs[name].rssKb = Number(fs.readFileSync(`${dir}/${name}.rss`, 'utf8').trim()) || null; } catch { runs[name].rssKb = null; }
}
const any = Object.values(runs)[0];
const int = (v) => (v == null || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const pct = (v) => (v == null || v < 0 ? '—' : Math.round(v) + '%');
const ratio = (a, b) => (a == null || b == null || !b ? '—' : (a / b).toFixed(2));
console.log(`\nlive slot churn: ${any.conns} consumers (one user each) × ${any.window} lanes, ${any.broadcasts} broadcasts; ` +
  `server on CPU ${serverCpu} (onair --threads 1, embedded engine), client on CPU ${clientCpu}; next lane: ${pick}; ` +
  `attach rate limit raised to 1,000,000/min/user`);
console.log(`${''.padEnd(38)}${'ops/s'.padStart(11)}${'p50 µs'.padStart(9)}${'p90 µs'.padStart(9)}${'p99 µs'.padStart(9)}${'p99.9 µs'.padStart(10)}` +
  `${'max µs'.padStart(9)}${'errors'.padStart(8)}${'server CPU'.padStart(12)}${'client CPU'.padStart(12)}${'other CPU'.padStart(11)}`);
const row = (label, x) => console.log(`${label.padEnd(38)}${int(x.ops_per_s).padStart(11)}${int(x.p50_us).padStart(9)}${int(x.p90_us).padStart(9)}` +
  `${int(x.p99_us).padStart(9)}${int(x.p999_us).padStart(10)}${int(x.max_us).padStart(9)}${int(x.errors).padStart(8)}` +
  `${pct(x.server_cpu_pct).padStart(12)}${pct(x.client_cpu_pct).padStart(12)}${pct(x.other_cpu_pct).padStart(11)}`);
for (const [name, r] of Object.entries(runs)) {
  if (r.max) row(`${name}: max rate (closed loop)`, r.max);
  if (r.rate) row(`${name}: fixed ${int(Number(rate))}/s (open loop)`, r.rate);
  for (const [phase, x] of [['max rate', r.max], ['fixed rate', r.rate]]) {
    if (x?.by_op) console.log(`  ${phase} by op p50/p99 µs: ` + Object.entries(x.by_op).map(([k, v]) => `${k} ${int(v.p50_us)}/${int(v.p99_us)}`).join(', '));
    if (x?.error_codes && Object.keys(x.error_codes).length) console.log(`  ${phase} errors: ${JSON.stringify(x.error_codes)}`);
  }
  const perSecond = r.rate?.p99_by_second_us ?? [];
  if (perSecond.length) {
    // Whether the tail comes from a few seconds (machine stalls) or from every second (queueing).
    const sorted = [...perSecond].sort((a, b) => a - b);
    console.log(`  fixed rate p99 of each second (µs): median ${int(sorted[Math.floor(sorted.length / 2)])}, ` +
      `best ${int(sorted[0])}, worst ${int(sorted.at(-1))}; seconds with p99 ≤ 2 ms: ${perSecond.filter((v) => v <= 2000).length} of ${perSecond.length}`);
  }
  if (r.rssKb) console.log(`  ${name} peak RSS: ${int(r.rssKb / 1024)} MiB`);
  if (r.closed_conns || r.protocol_errors) console.log(`  ${name} closed connections: ${r.closed_conns}, protocol errors: ${r.protocol_errors}`);
}
const o = runs.onair, c = runs.ceiling;
if (o && c) {
  // CPU per operation at the fixed rate: what each server spent on the same load.
  const cpuPerOp = (r, key = 'server_cpu_pct') => (r?.rate ? (r.rate[key] / 100) * 1e6 / r.rate.ops_per_s : null);
  const userPerOp = (r) => cpuPerOp(r, 'server_user_cpu_pct');
  const us = (v) => v?.toFixed(1) ?? '—';
  console.log(`\nonair / ceiling: max rate ${ratio(o.max?.ops_per_s, c.max?.ops_per_s)}, ` +
    `server CPU per op at the fixed rate ${ratio(cpuPerOp(o), cpuPerOp(c))} (${us(cpuPerOp(o))} vs ${us(cpuPerOp(c))} µs; ` +
    `user space ${us(userPerOp(o))} vs ${us(userPerOp(c))}, kernel ${us(cpuPerOp(o) - userPerOp(o))} vs ${us(cpuPerOp(c) - userPerOp(c))}), ` +
    `p99 at the fixed rate ${ratio(o.rate?.p99_us, c.rate?.p99_us)}`);
}
if (o) {
  const m = o.max ?? {}, f = o.rate ?? {};
  const checks = [
    ['operations/s (max rate)', m.ops_per_s, '≥ 100,000', (v) => v >= 100000, int],
    [`p99 at ${int(Number(rate))} ops/s`, f.p99_us, '≤ 2,000 µs', (v) => v <= 2000, (v) => `${int(v)} µs`],
    [`ops/s sustained at the fixed rate`, f.ops_per_s, `≥ ${int(0.99 * Number(rate))}`, (v) => v >= 0.99 * Number(rate), int],
  ];
  console.log('\nonair target                         value        target        met');
  for (const [label, v, target, ok, fmt] of checks) {
    console.log(`${label.padEnd(37)}${fmt(v).padEnd(13)}${target.padEnd(14)}${v == null ? 'n/a' : ok(v) ? 'yes' : 'NO'}`);
  }
}
EOF

if [ "$PERF" = 1 ] && [ -s "$TMP/perf.data" ]; then
  say "perf report (onair, top entries):"
  perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 1 -g none 2>/dev/null | grep -v '^$' | grep -v '^#' | cut -c1-160 | head -60 >&2 || true
  if [ -n "${CHURN_PERF_OUT:-}" ]; then cp "$TMP/perf.data" "$CHURN_PERF_OUT" && say "perf data kept in $CHURN_PERF_OUT"; fi
fi
