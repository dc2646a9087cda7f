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
#   onair-redis      (not in the default list) the same node with `--engine redis` on a
#             redis-server of its own (Debian's, loopback, temp dir, no persistence) pinned to
#             CHURN_REDIS_CPU (default: the server's CPU, so onair and Redis share one core);
#             the server CPU shown is onair's and Redis's together, split on the line below.
#   redis-benchmark  (not in the default list) Redis's own rate for the same work: a fresh
#             redis-server on CHURN_SERVER_CPU, SCRIPT LOAD of onair's acquire script (its Lua is
#             read from src/engine/redis/RedisLeases.cpp by redis_acquire.mjs on every run), then
#             `redis-benchmark -c CHURN_REDIS_CLIENTS -P CHURN_REDIS_PIPELINE EVALSHA <sha> …` on
#             CHURN_CLIENT_CPU: the same connections × requests in flight as the churn client. The
#             arguments are those onair sent (captured with MONITOR during a short probe of the
#             onair-redis run, which must come first), the user drawn at random (-r CHURN_CONNS).
#             redis-benchmark repeats one command and cannot release, so each call re-acquires
#             the one slot of its user's set: the same Redis commands as a granted attach (prune,
#             look up, count, add, expire) on a set as small as onair's (≤ CHURN_WINDOW slots).
#             Target of issue 14: onair-redis max rate ≥ 50 % of this rate.
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
#   make bench-live-churn-redis  (CHURN_SERVERS="onair-redis redis-benchmark")
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
#   CHURN_REDIS_CPU (CHURN_SERVER_CPU) CHURN_REDIS_CLIENTS (CHURN_CONNS) CHURN_REDIS_PIPELINE
#   (CHURN_WINDOW) REDIS_SERVER (/usr/bin/redis-server)
#   CHURN_LEASES_CPP (src/engine/redis/RedisLeases.cpp: where the acquire script's Lua is read)
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
REDIS_CPU=${CHURN_REDIS_CPU:-$SERVER_CPU}
REDIS_CLIENTS=${CHURN_REDIS_CLIENTS:-$CONNS}
REDIS_PIPELINE=${CHURN_REDIS_PIPELINE:-$WINDOW}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
LEASES_CPP=${CHURN_LEASES_CPP:-src/engine/redis/RedisLeases.cpp}

say() { echo "bench-live-churn: $*" >&2; }

# redis-benchmark and redis-cli (Debian package redis-tools), only when missing.
if [[ " ${CHURN_SERVERS:-} " == *" redis-benchmark "* || " ${CHURN_SERVERS:-} " == *" onair-redis "* ]]; then
  if ! command -v redis-benchmark >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    say "installing redis-tools (Debian package)"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-tools >/dev/null
  fi
  [ -x "$REDIS_SERVER" ] || { say "$REDIS_SERVER is missing (Debian package redis-server)"; exit 1; }
fi

source bench/common/lib.sh
bench_build "$BUILD" live-churn || exit 1
TMP=$(mktemp -d /tmp/onair-live-churn.XXXXXX)
CLIENT=$ROOT/$BUILD/bench/live_churn/live_churn_client
CEILING=$ROOT/$BUILD/bench/live_churn/live_churn_ceiling
ONAIR=${CHURN_ONAIR:-$ROOT/$BUILD/onair}
SERVERS=${CHURN_SERVERS:-ceiling onair}

ONAIR_PID=""
PERF_PID=""
REDIS_PID=""
MONITOR_PID=""
cleanup() {
  if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=""; fi
  stop_pid "$MONITOR_PID"
  stop_pid "$ONAIR_PID"
  stop_pid "$REDIS_PID"
  ONAIR_PID="" REDIS_PID="" MONITOR_PID=""
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Per-run API credentials; the client mints its tokens with the same key and secret.
export ONAIR_API_KEY="APIchurn$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ONAIR_API_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$TMP/data"

# start_redis CPU: a redis-server of this run (loopback, free port, own dir, no persistence)
# pinned to CPU; sets REDIS_PID and REDIS_PORT.
start_redis() {
  REDIS_PORT=$(free_port) || return 1
  rm -rf "$TMP/redis"
  mkdir -p "$TMP/redis"
  taskset -c "$1" "$REDIS_SERVER" --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$TMP/redis" --save "" \
    --appendonly no --daemonize no --logfile "" >"$TMP/redis.log" 2>&1 &
  REDIS_PID=$!
  wait_for "$TMP/redis.log" 'Ready to accept connections' "$REDIS_PID" >/dev/null
}
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

# The acquire script's Lua from the source (every run: it cannot drift) and its SHA1.
ACQUIRE_SHA=""
if [[ " $SERVERS " == *" redis-benchmark "* || " $SERVERS " == *" onair-redis "* ]]; then
  ACQUIRE_SHA=$(node bench/live_churn/redis_acquire.mjs lua "$LEASES_CPP" "$TMP/acquire.lua") ||
    say "warning: could not read the acquire script from $LEASES_CPP (redis-benchmark cannot run)"
fi

# Probe of onair-redis before its measured run: a few consumers attach while MONITOR records
# what onair sends to Redis, so redis-benchmark sends the same acquire (key, ARGV) as onair.
capture_acquire_args() {
  local port=$1
  [ -n "$ACQUIRE_SHA" ] || return 0
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" monitor >"$TMP/monitor.log" 2>/dev/null &
  MONITOR_PID=$!
  sleep 0.2
  timeout 30 "$CLIENT" --port "$port" --conns 2 --broadcasts 1 --window 1 --warmup 0.2 --max-seconds 0.3 \
    --rate-seconds 0 --user-prefix probe >/dev/null 2>"$TMP/probe.err" || say "warning: the probe client failed: $(tail -1 "$TMP/probe.err")"
  stop_pid "$MONITOR_PID"
  MONITOR_PID=""
  if node bench/live_churn/redis_acquire.mjs args "$TMP/monitor.log" "$ACQUIRE_SHA" probe >"$TMP/acquire.args"; then
    say "onair's acquire: EVALSHA $(tr -d '[]"' <"$TMP/acquire.args" | tr ',' ' ')"
  else
    rm -f "$TMP/acquire.args"
    say "warning: onair sent no EVALSHA of the acquire script read from $LEASES_CPP (out of sync?)"
  fi
}

# redis-benchmark NAME: Redis's own rate for onair's acquire script; writes $TMP/NAME.json in
# the churn client's shape (a max-rate phase only).
run_redis_benchmark() {
  local name=$1
  if [ -z "$ACQUIRE_SHA" ]; then say "redis-benchmark: no acquire script"; return 1; fi
  start_redis "$SERVER_CPU" || { say "redis-server did not start"; tail -n 5 "$TMP/redis.log" >&2; return 1; }
  local sha
  sha=$(rcli -x SCRIPT LOAD <"$TMP/acquire.lua")
  if [ "$sha" != "$ACQUIRE_SHA" ]; then say "SCRIPT LOAD answered '$sha', expected $ACQUIRE_SHA"; stop_pid "$REDIS_PID"; REDIS_PID=""; return 1; fi
  # The command: onair's arguments from the probe (else the documented shape).
  local args=()
  if [ -f "$TMP/acquire.args" ]; then
    mapfile -t args < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))) console.log(a)' "$TMP/acquire.args")
  else
    say "warning: no onair-redis probe in this run: using KEYS[1]=bench:l:{content|user:u<n>}, ARGV slot cap ttlMs"
    args=(1 "bench:l:{content|user:u__rand_int__}" "AAAAAAAAAAAAAAAAAAAAAA" 8 60000)
  fi
  say "redis-benchmark pid $REDIS_PID on CPU $SERVER_CPU, port $REDIS_PORT; benchmark on CPU $CLIENT_CPU:" \
    "-c $REDIS_CLIENTS -P $REDIS_PIPELINE -r $CONNS EVALSHA $sha ${args[*]}"
  wait_quiet "${CHURN_QUIET_WAIT:-60}" live-churn
  local bench=(taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c "$REDIS_CLIENTS" -P "$REDIS_PIPELINE"
    -r "$CONNS" --csv) command=(EVALSHA "$sha" "${args[@]}")
  # A short run sizes the measured one to about CHURN_SECONDS.
  local rps n hz cpu0 cpu1 t0 t1
  rps=$("${bench[@]}" -n 200000 "${command[@]}" 2>/dev/null | awk -F'"' 'NR == 2 { print $4 }')
  n=$(awk -v r="${rps:-100000}" -v s="$SECONDS_MEASURED" 'BEGIN { printf "%d", r * s }')
  rcli CONFIG RESETSTAT >/dev/null
  hz=$(getconf CLK_TCK)
  cpu0=$(awk '{ print $14 + $15 }' "/proc/$REDIS_PID/stat")
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$TMP/$name.time" "${bench[@]}" -n "$n" "${command[@]}" >"$TMP/$name.csv" 2>"$TMP/$name.err" ||
    say "redis-benchmark failed: $(tail -2 "$TMP/$name.err")"
  t1=$(date +%s.%N)
  cpu1=$(awk '{ print $14 + $15 }' "/proc/$REDIS_PID/stat")
  rcli INFO commandstats | tr -d '\r' | grep -i 'cmdstat_eval' >"$TMP/$name.cmdstats" || true
  stop_pid "$REDIS_PID"
  REDIS_PID=""
  node - "$TMP/$name.csv" "$n" "$t0" "$t1" "$cpu0" "$cpu1" "$hz" "$REDIS_CLIENTS" "$REDIS_PIPELINE" "$TMP/$name.cmdstats" "$TMP/$name.time" >"$TMP/$name.json" <<'EOF' || return 1
const fs = require('node:fs');
const [csv, n, t0, t1, cpu0, cpu1, hz, clients, pipeline, stats, time] = process.argv.slice(2);
const row = fs.readFileSync(csv, 'utf8').trim().split('\n')[1]?.split(',').map((v) => JSON.parse(v));
if (!row) { process.stderr.write('redis-benchmark printed no result\n'); process.exit(1); }
// "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
const [, rps, , , p50, , p99, max] = row.map(Number);
const seconds = Number(t1) - Number(t0);
const cpu = (Number(cpu1) - Number(cpu0)) / Number(hz);
const ms = (v) => Math.round(v * 1000);
let cmdstats = null, benchCpu = null;
try { cmdstats = fs.readFileSync(stats, 'utf8').trim() || null; } catch {}
try { benchCpu = fs.readFileSync(time, 'utf8').trim().split('\n').pop().split(' ').map(Number).reduce((a, b) => a + b); } catch {}
console.log(JSON.stringify({ conns: Number(clients), window: Number(pipeline), broadcasts: null, requests: Number(n), cmdstats,
  max: { seconds, ops: Number(n), ops_per_s: rps, errors: 0, p50_us: ms(p50), p90_us: null, p99_us: ms(p99), p999_us: null,
    max_us: ms(max), server_cpu_pct: 100 * cpu / seconds, client_cpu_pct: benchCpu == null ? null : 100 * benchCpu / seconds,
    other_cpu_pct: null } }));
EOF
  echo "raw $name: $(cat "$TMP/$name.json")"
}

# run_server NAME: starts it on SERVER_CPU, runs the client against it into $TMP/NAME.json.
run_server() {
  local name=$1 port=""
  [ "$name" = redis-benchmark ] && { run_redis_benchmark "$name"; return; }
  local pids=""
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
    onair-redis)
      start_redis "$REDIS_CPU" || { say "redis-server did not start"; tail -n 5 "$TMP/redis.log" >&2; return 1; }
      rm -rf "$TMP/data-redis"
      mkdir -p "$TMP/data-redis"
      taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-port 0 --rtc-first-port 0 --data-dir "$TMP/data-redis" \
        --live-attach-rate-per-minute 1000000 --engine redis --redis-url "redis://127.0.0.1:$REDIS_PORT" \
        --redis-prefix "bench-churn-$$-$RANDOM" --node-id bench-churn >"$TMP/onair-redis.out" 2>"$TMP/onair-redis.err" &
      ONAIR_PID=$!
      port=$(wait_for "$TMP/onair-redis.out" 'listening on http://127\.0\.0\.1:[0-9]+' "$ONAIR_PID" | sed 's/.*://' || true)
      pids=",$REDIS_PID"
      [ -n "$port" ] && capture_acquire_args "$port"
      [ -n "$port" ] && rcli CONFIG RESETSTAT >/dev/null
      ;;
    *) say "unknown server '$name' in CHURN_SERVERS (ceiling, onair, onair-redis, redis-benchmark)"; return 1 ;;
  esac
  if [ -z "$port" ]; then
    say "$name did not start"
    tail -n 5 "$TMP/$name.out" "$TMP/$name.err" >&2 || true
    stop_pid "$ONAIR_PID"
    stop_pid "$REDIS_PID"
    ONAIR_PID="" REDIS_PID=""
    return 1
  fi
  say "$name pid $ONAIR_PID on CPU $SERVER_CPU, port $port; client on CPU $CLIENT_CPU:" \
    "$CONNS consumers × $WINDOW lanes over $BROADCASTS broadcasts; ${WARMUP}s warmup + ${SECONDS_MEASURED}s per phase; fixed rate $RATE ops/s"
  wait_quiet "${CHURN_QUIET_WAIT:-60}" live-churn
  if [ "$PERF" = 1 ] && [ "$name" = "${CHURN_PERF_SERVER:-onair}" ]; then
    perf record ${CHURN_PERF_ARGS:--g} -o "$TMP/perf.data" -p "$ONAIR_PID" >/dev/null 2>"$TMP/perf.err" &
    PERF_PID=$!
  fi
  local budget=$(( 2 * (${WARMUP%.*} + ${SECONDS_MEASURED%.*}) + 60 )) status=0
  local wrap=()
  [ -n "${CHURN_PERF_CLIENT:-}" ] && [ "$name" = onair ] && wrap=(perf record -g -o "$CHURN_PERF_CLIENT" --)
  timeout "$budget" taskset -c "$CLIENT_CPU" "${wrap[@]}" "$CLIENT" --port "$port" --conns "$CONNS" --broadcasts "$BROADCASTS" \
    --window "$WINDOW" --warmup "$WARMUP" --max-seconds "$MAX_SECONDS" --rate "$RATE" \
    --rate-seconds "$SECONDS_MEASURED" --src-addrs "$SRC_ADDRS" --server-pid "$ONAIR_PID$pids" ${CHURN_TIMELINE:+--timeline} \
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
  if [ -n "$REDIS_PID" ]; then
    # Redis's own account of the run: calls and µs per call of each script command.
    rcli INFO commandstats | tr -d '\r' | grep -i 'cmdstat_eval' >"$TMP/$name.cmdstats" || true
    if [ -n "$ACQUIRE_SHA" ] && [ "$(rcli SCRIPT EXISTS "$ACQUIRE_SHA" | head -1)" != 1 ]; then
      say "warning: onair never ran the acquire script read from $LEASES_CPP ($ACQUIRE_SHA): out of sync"
    fi
    stop_pid "$REDIS_PID"
    REDIS_PID=""
  fi
  if [[ "$name" == onair* ]] && grep -qv " info " "$TMP/$name.err" "$TMP/$name.out" 2>/dev/null; then
    say "$name stderr (last lines):"
    grep -hv " info " "$TMP/$name.out" "$TMP/$name.err" | tail -n 5 >&2
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

node - "$TMP" "$RATE" "$SERVER_CPU" "$CLIENT_CPU" "$SERVERS" "${CHURN_PICK:-random}" "$REDIS_CPU" <<'EOF'
const fs = require('node:fs');
const [dir, rate, serverCpu, clientCpu, servers, pick, redisCpu] = process.argv.slice(2);
const runs = {};
for (const name of servers.split(/\s+/).filter(Boolean)) {
  runs[name] = JSON.parse(fs.readFileSync(`${dir}/${name}.json`, 'utf8'));
  try { runs[name].rssKb = Number(fs.readFileSync(`${dir}/${name}.rss`, 'utf8').trim()) || null; } catch { runs[name].rssKb = null; }
  try { runs[name].cmdstats ??= fs.readFileSync(`${dir}/${name}.cmdstats`, 'utf8').trim() || null; } catch {}
}
const any = Object.values(runs)[0];
const int = (v) => (v == null || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const pct = (v) => (v == null || v < 0 ? '—' : Math.round(v) + '%');
const ratio = (a, b) => (a == null || b == null || !b ? '—' : (a / b).toFixed(2));
console.log(`\nlive slot churn: ${any.conns} consumers (one user each) × ${any.window} lanes, ${any.broadcasts} broadcasts; ` +
  `server on CPU ${serverCpu} (onair --threads 1` + (runs['onair-redis'] ? `; onair-redis: Redis engine, redis-server on CPU ${redisCpu}` : ', embedded engine') +
  `), client on CPU ${clientCpu}; next lane: ${pick}; attach rate limit raised to 1,000,000/min/user`);
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
  for (const [phase, x] of [['max rate', r.max], ['fixed rate', r.rate]]) {
    // onair-redis: the server CPU is onair's and Redis's; each one's, and CPU µs per operation.
    if (!x?.pid_cpu_pct || x.pid_cpu_pct.length < 2) continue;
    const [own, redis] = x.pid_cpu_pct, per = (v) => ((v / 100) * 1e6 / x.ops_per_s).toFixed(1);
    console.log(`  ${phase}: onair ${pct(own)} of a core (${per(own)} µs/op), redis-server ${pct(redis)} (${per(redis)} µs/op)`);
  }
  if (name === 'redis-benchmark' && r.max) {
    console.log(`  redis-benchmark: ${int(r.requests)} EVALSHA, -c ${r.conns} -P ${r.window}; redis-server ${pct(r.max.server_cpu_pct)} of a core, ` +
      `${((r.max.server_cpu_pct / 100) * 1e6 / r.max.ops_per_s).toFixed(1)} µs/call (latencies per call, pipelined)`);
  }
  if (r.cmdstats) console.log(`  Redis INFO commandstats: ${r.cmdstats.split('\n').join('; ')}`);
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
const x = runs['onair-redis'], rb = runs['redis-benchmark'];
if (x && rb) {
  // Issue 14: onair through Redis ≥ 50 % of Redis's own rate for the acquire script ("onair adds
  // at most what Redis itself costs"). One onair cycle is three operations; its attach runs two
  // scripts (rate window, then acquire), heartbeat and release one each.
  const v = x.max && rb.max ? x.max.ops_per_s / rb.max.ops_per_s : null;
  console.log('\nonair-redis target                        value        target        met');
  console.log(`${'max ops/s onair-redis / redis-benchmark'.padEnd(42)}${(v == null ? '—' : v.toFixed(2)).padEnd(13)}${'≥ 0.50'.padEnd(14)}${v == null ? 'n/a' : v >= 0.5 ? 'yes' : 'NO'}`);
  console.log(`  (${int(x.max?.ops_per_s)} operations/s against ${int(rb.max?.ops_per_s)} EVALSHA/s)`);
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
