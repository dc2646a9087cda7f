#!/usr/bin/env bash
# bench/fanout: one channel, N WebSocket subscribers (default 1000), 100-byte messages.
#
# Runs three servers in turn, each pinned to CPU 0, against the same load client
# (build/bench/fanout/fanout_client) pinned to CPU 1:
#   ceiling      fanout_ceiling: one pre-encoded shared frame per message, one writev per socket
#                per loop pass — the machine's limit for this shape of work;
#   nats-server  Debian's nats-server 2.9 through its websocket listener (the peer);
#   onair        `onair serve --threads 1`, channel.subscribe / channel.broadcast.
#   onair-redis  (not in the default list) two `onair serve --threads 1 --engine redis` nodes
#                sharing one redis-server (Debian's, loopback, its own temp dir, a prefix per
#                run); the subscribers alternate between the nodes, the publisher is on the first;
#                all three processes pinned to FANOUT_SERVER_CPU (FANOUT_REDIS_CPU for Redis).
# Each gets a max-rate phase (at most FANOUT_WINDOW messages in flight; delivered messages/s)
# and a fixed-rate phase (FANOUT_RATE messages/s; p50/p99 latency), on the same connections.
# The client reads each server process's CPU (utime + stime, /proc/<pid>/stat) around each phase:
# CPU per delivery per node, and Redis's CPU per published message.
# FANOUT_SUBS may list several counts ("500 2000"): every server runs once per count.
# Prints a table, the ratios and whether the targets are met.
#
#   make bench-fanout            or   bash bench/fanout/run.sh
#   make bench-fanout-redis      (FANOUT_SERVERS="onair onair-redis" FANOUT_SUBS="500 2000")
#
# Environment (defaults): FANOUT_SUBS (1000) FANOUT_SIZE (100) FANOUT_WINDOW (512)
#   FANOUT_MAX_SECONDS (10) FANOUT_RATE (20) FANOUT_RATE_SECONDS (10) FANOUT_WARMUP (1)
#   FANOUT_SERVERS ("ceiling nats onair"; onair-redis too) FANOUT_STORED (0; 1 = channel.publish
#   instead of channel.broadcast) FANOUT_SERVER_CPU (0) FANOUT_REDIS_CPU (FANOUT_SERVER_CPU)
#   FANOUT_CLIENT_CPU (1) BUILD_DIR (build)
#   FANOUT_PERF_DIR (unset; a directory = perf record -g each server into <dir>/<server>-<subs>.perf)
#   FANOUT_QUIET_WAIT (30: seconds to wait for an idle machine before each server's run)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
SUBS=${FANOUT_SUBS:-1000}
SIZE=${FANOUT_SIZE:-100}
WINDOW=${FANOUT_WINDOW:-512}
MAX_S=${FANOUT_MAX_SECONDS:-10}
RATE=${FANOUT_RATE:-20}
RATE_S=${FANOUT_RATE_SECONDS:-10}
WARMUP=${FANOUT_WARMUP:-1}
SERVERS=${FANOUT_SERVERS:-ceiling nats onair}
STORED=${FANOUT_STORED:-0}
SERVER_CPU=${FANOUT_SERVER_CPU:-0}
REDIS_CPU=${FANOUT_REDIS_CPU:-$SERVER_CPU}
CLIENT_CPU=${FANOUT_CLIENT_CPU:-1}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}

log() { echo "bench-fanout: $*" >&2; }

# nats-server (the peer) from Debian, only when it is missing.
if [[ " $SERVERS " == *" nats "* ]] && ! command -v nats-server >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing nats-server (Debian package)"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nats-server >/dev/null
fi

if [[ " $SERVERS " == *" onair-redis "* ]] && [ ! -x "$REDIS_SERVER" ]; then
  log "onair-redis needs $REDIS_SERVER (Debian package redis-server)"
  exit 1
fi

source bench/common/lib.sh
bench_build "$BUILD" fanout || exit 1
CLIENT=$ROOT/$BUILD/bench/fanout/fanout_client
CEILING=$ROOT/$BUILD/bench/fanout/fanout_ceiling
ONAIR=$ROOT/$BUILD/onair

TMP=$(mktemp -d /tmp/onair-fanout.XXXXXX)
SERVER_PID=""   # the process the client talks to first (onair-redis: the first node)
SERVER_PIDS=()  # every process of the server under test, Redis last
stop_server() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done
  SERVER_PIDS=()
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM


# Per-run API credentials through the environment (every onair node gets the same); the token
# is minted by the CLI.
export ONAIR_API_KEY="APIfanout$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ONAIR_API_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"

# start_onair NAME ARGS...: one `onair serve --threads 1` pinned to SERVER_CPU with its own data
# dir; sets STARTED_PID, and STARTED_PORT once it listens (empty when it did not start).
start_onair() {
  local name=$1
  shift
  mkdir -p "$TMP/$name-data"
  taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-port 0 --rtc-first-port 0 --data-dir "$TMP/$name-data" "$@" \
    >"$TMP/$name.out" 2>"$TMP/$name.err" &
  STARTED_PID=$!
  STARTED_PORT=$(wait_for "$TMP/$name.out" 'listening on http://127\.0\.0\.1:[0-9]+' "$STARTED_PID" | sed 's/.*://') || true
}

# The client's arguments for onair: a token for user bench, stored or not.
onair_client_args() {
  local token
  token=$("$ONAIR" token create --user bench --grant 'channel:*:subscribe,publish' --ttl 1h \
    --data-dir "$TMP/$1-data" 2>/dev/null) || return 1
  CLIENT_ARGS+=(--dialect onair --path /v1/connect --token "$token")
  if [ "$STORED" = 1 ]; then CLIENT_ARGS+=(--stored); fi
}

# Starts one server pinned to SERVER_CPU; sets SERVER_PID, SERVER_PIDS, PORT, CLIENT_ARGS.
start_server() {
  local kind=$1
  CLIENT_ARGS=()
  case $kind in
    ceiling)
      taskset -c "$SERVER_CPU" "$CEILING" --port 0 >"$TMP/ceiling.out" 2>"$TMP/ceiling.err" &
      SERVER_PID=$!
      SERVER_PIDS=("$SERVER_PID")
      PORT=$(wait_for "$TMP/ceiling.out" 'listening on 127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      CLIENT_ARGS=(--dialect ceiling --port "$PORT")
      ;;
    nats)
      local ws_port client_port
      ws_port=$(free_port) && client_port=$(free_port) || return 1
      cat >"$TMP/nats.conf" <<EOF
listen: "127.0.0.1:$client_port"
websocket {
  listen: "127.0.0.1:$ws_port"
  no_tls: true
}
EOF
      taskset -c "$SERVER_CPU" nats-server -c "$TMP/nats.conf" >"$TMP/nats.log" 2>&1 &
      SERVER_PID=$!
      SERVER_PIDS=("$SERVER_PID")
      wait_for "$TMP/nats.log" 'Server is ready' "$SERVER_PID" >/dev/null || return 1
      PORT=$ws_port
      CLIENT_ARGS=(--dialect nats --port "$PORT")
      ;;
    onair)
      rm -rf "$TMP/onair-data"
      start_onair onair
      SERVER_PID=$STARTED_PID PORT=$STARTED_PORT
      SERVER_PIDS=("$SERVER_PID")
      [ -n "$PORT" ] || return 1
      CLIENT_ARGS=(--port "$PORT")
      onair_client_args onair
      ;;
    onair-redis)
      # One redis-server (no persistence, its own dir), then two nodes on it with a prefix of
      # their own; Redis is stopped last (by PID, in stop_server).
      local rport port2 prefix rpid pid1 pid2
      rport=$(free_port) || return 1
      rm -rf "$TMP/redis" "$TMP/node1-data" "$TMP/node2-data"
      mkdir -p "$TMP/redis"
      taskset -c "$REDIS_CPU" "$REDIS_SERVER" --bind 127.0.0.1 --port "$rport" --dir "$TMP/redis" --save "" \
        --appendonly no --daemonize no --logfile "" >"$TMP/redis.log" 2>&1 &
      rpid=$!
      SERVER_PIDS=("$rpid")
      wait_for "$TMP/redis.log" 'Ready to accept connections' "$rpid" >/dev/null || return 1
      prefix="bench-fanout-$$-$RANDOM"
      local engine=(--engine redis --redis-url "redis://127.0.0.1:$rport" --redis-prefix "$prefix")
      start_onair node1 "${engine[@]}" --node-id bench-node1
      pid1=$STARTED_PID PORT=$STARTED_PORT
      SERVER_PIDS=("$pid1" "$rpid")
      [ -n "$PORT" ] || return 1
      start_onair node2 "${engine[@]}" --node-id bench-node2
      pid2=$STARTED_PID port2=$STARTED_PORT
      SERVER_PIDS=("$pid1" "$pid2" "$rpid")
      [ -n "$port2" ] || return 1
      SERVER_PID=$pid1
      CLIENT_ARGS=(--ports "$PORT,$port2")
      onair_client_args node1
      ;;
    *) log "unknown server '$kind' in FANOUT_SERVERS (ceiling, nats, onair, onair-redis)"; return 1 ;;
  esac
}

# Warnings and errors of the onair processes just stopped (their last lines), then forgets them.
show_onair_errors() {
  local f
  for f in "$TMP"/onair.err "$TMP"/node?.err; do
    [ -f "$f" ] || continue
    grep -hv ' info ' "$f" | tail -n 5 | sed "s|^|  [$(basename "$f" .err)] |" >&2 || true
    rm -f "$f"
  done
}

log "$SUBS subscribers, $SIZE-byte messages; server on CPU $SERVER_CPU, client on CPU $CLIENT_CPU;" \
  "max rate ${MAX_S}s (window $WINDOW), fixed rate ${RATE_S}s at $RATE msg/s"
for subs in $SUBS; do
  for kind in $SERVERS; do
    out="$TMP/$kind-$subs.json"
    rm -f "$out"
    if ! start_server "$kind"; then
      log "$kind: server did not start"
      tail -5 "$TMP/$kind".* "$TMP/redis.log" >&2 2>/dev/null || true
      stop_server
      show_onair_errors
      continue
    fi
    log "$kind, $subs subscribers: port $PORT (pids ${SERVER_PIDS[*]}); running the client"
    wait_quiet "${FANOUT_QUIET_WAIT:-30}" fanout
    PERF_PID=""
    if [ -n "${FANOUT_PERF_DIR:-}" ]; then  # profile each server over its whole run
      perf record -g -o "$FANOUT_PERF_DIR/$kind-$subs.perf" -p "$(IFS=,; echo "${SERVER_PIDS[*]}")" >/dev/null 2>&1 &
      PERF_PID=$!
    fi
    if ! timeout $((${MAX_S%.*} + ${RATE_S%.*} + 60)) taskset -c "$CLIENT_CPU" "$CLIENT" "${CLIENT_ARGS[@]}" \
        --server-pid "$(IFS=,; echo "${SERVER_PIDS[*]}")" \
        --subs "$subs" --size "$SIZE" --window "$WINDOW" --warmup "$WARMUP" --max-seconds "$MAX_S" \
        --rate "$RATE" --rate-seconds "$RATE_S" >"$out" 2>"$TMP/$kind.client.err"; then
      log "$kind: client failed: $(tail -2 "$TMP/$kind.client.err" | tr '\n' ' ')"
      rm -f "$out"
    fi
    grep -v 'subscribers ready\|delivered/s$' "$TMP/$kind.client.err" >&2 || true
    if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; fi
    stop_server
    if [ "$kind" = ceiling ]; then cat "$TMP/ceiling.err" >&2; fi
    show_onair_errors
  done
done

# The tables, the ratios and the targets (node: JSON in, text out).
node - "$TMP" "$SUBS" "$SIZE" "$WINDOW" "$RATE" "$SERVER_CPU" "$CLIENT_CPU" "$STORED" "$SERVERS" "$REDIS_CPU" <<'EOF'
const fs = require('node:fs');
const [dir, subsList, size, window, rate, serverCpu, clientCpu, stored, serverList, redisCpu] = process.argv.slice(2);
const kinds = serverList.split(/\s+/).filter(Boolean);
const counts = subsList.split(/\s+/).filter(Boolean);
const read = (k, n) => { try { return JSON.parse(fs.readFileSync(`${dir}/${k}-${n}.json`, 'utf8')); } catch { return null; } };
const op = stored === '1' ? 'channel.publish (stored)' : 'channel.broadcast (not stored)';
const names = { ceiling: 'ceiling', nats: 'nats-server 2.9', onair: 'onair', 'onair-redis': 'onair ×2 + Redis' };
const int = (v) => (v == null || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const pct = (v) => (v == null || Number.isNaN(v) ? '—' : `${Math.round(v)}%`);
const us = (v) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(3));
const pad = (s, n) => String(s).padStart(n);
const ratio = (a, b) => (a != null && b ? a / b : null);
const fmt = (v) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(2));
const printChecks = (title, checks) => {
  console.log(`\n${title.padEnd(50)} value   target  met`);
  for (const [label, v, target, ok] of checks) {
    const met = ok == null ? '' : v == null || !Number.isFinite(v) ? 'n/a' : ok(v) ? 'yes' : 'NO';
    console.log(`  ${label.padEnd(48)}${pad(fmt(v), 7)}${pad(target, 9)}  ${met}`);
  }
};
// CPU µs per delivery of each server process in a phase (x.max or x.rate) and its share of a
// core: a cluster's nodes count their own subscribers' deliveries; Redis counts per published
// message (each node gets one copy from it, whatever its subscriber count).
const cpuRows = (kind, ph) => {
  if (!ph || ph.server_cpu_s == null) return null;
  if (kind !== 'onair-redis') return [['onair (embedded) / delivery', 1e6 * ph.server_cpu_s / ph.delivered, 100 * ph.server_cpu_s / ph.seconds]];
  const [c1, c2, cr] = ph.pid_cpu_s ?? [], [d1, d2] = ph.delivered_by_port ?? [];
  return [['node 1 (publisher, ½ subscribers) / delivery', 1e6 * c1 / d1, 100 * c1 / ph.seconds],
    ['node 2 (½ subscribers) / delivery', 1e6 * c2 / d2, 100 * c2 / ph.seconds],
    ['redis-server / published message', 1e6 * cr / ph.published, 100 * cr / ph.seconds]];
};

console.log(`\nfan-out: 1 channel, ${size}-byte messages; servers pinned to CPU ${serverCpu}` +
  (kinds.includes('onair-redis') ? ` (redis-server to CPU ${redisCpu})` : '') + `, client to CPU ${clientCpu}`);
console.log(`max rate: in-flight window ${window} messages; fixed rate: ${rate} msg/s; onair publishes with ${op}`);
const redisPerMessage = [];
let busiest = 0;
for (const subs of counts) {
  const r = Object.fromEntries(kinds.map((k) => [k, read(k, subs)]));
  console.log(`\n${subs} WebSocket subscribers (fixed rate: ${int(rate * subs)} deliveries/s)\n`);
  console.log(`${'server'.padEnd(18)}${pad('delivered/s', 13)}${pad('client CPU', 12)}${pad('p50 µs', 10)}${pad('p99 µs', 10)}${pad('p99.9 µs', 10)}${pad('lost', 7)}${pad('client CPU', 12)}`);
  console.log(`${''.padEnd(18)}${pad('(max rate)', 13)}${pad('(max)', 12)}${pad('(fixed)', 10)}${pad('(fixed)', 10)}${pad('(fixed)', 10)}${pad('', 7)}${pad('(fixed)', 12)}`);
  for (const k of kinds) {
    const x = r[k];
    if (!x) { console.log(`${(names[k] ?? k).padEnd(18)}  (no result)`); continue; }
    const m = x.max ?? {}, f = x.rate ?? {};
    busiest = Math.max(busiest, m.client_cpu_pct ?? 0);
    const lost = f.expected != null ? f.expected - f.delivered : null;
    console.log(`${names[k].padEnd(18)}${pad(int(m.delivered_per_s), 13)}${pad(pct(m.client_cpu_pct), 12)}${pad(int(f.p50_us), 10)}${pad(int(f.p99_us), 10)}${pad(int(f.p999_us), 10)}${pad(int(lost), 7)}${pad(pct(f.client_cpu_pct), 12)}` +
      (x.closed_subs ? `  (${x.closed_subs} subscribers closed)` : '') + (x.errors ? `  (${x.errors} errors: ${x.first_error ?? ''})` : ''));
  }
  const withCpu = kinds.filter((k) => r[k] && (k === 'onair' || k === 'onair-redis'));
  if (withCpu.length) {
    console.log(`\n${'server CPU'.padEnd(46)}${pad('µs (max)', 10)}${pad('core (max)', 12)}${pad('µs (fixed)', 12)}${pad('core (fixed)', 14)}`);
    for (const k of withCpu) {
      const a = cpuRows(k, r[k].max) ?? [], b = cpuRows(k, r[k].rate) ?? [];
      a.forEach(([label, v, core], i) => console.log(`${label.padEnd(46)}${pad(us(v), 10)}${pad(pct(core), 12)}${pad(us(b[i]?.[1]), 12)}${pad(pct(b[i]?.[2]), 14)}`));
    }
  }
  const o = r.onair, n = r.nats, c = r.ceiling, d = r['onair-redis'];
  const checks = [];
  if (o && n) checks.push(['delivered/s onair / nats-server', ratio(o.max?.delivered_per_s, n.max?.delivered_per_s), '≥ 2', (v) => v >= 2]);
  if (o && c) {
    checks.push(['delivered/s onair / ceiling', ratio(o.max?.delivered_per_s, c.max?.delivered_per_s), '≥ 0.60', (v) => v >= 0.6]);
    checks.push(['p99 onair / ceiling (fixed rate)', ratio(o.rate?.p99_us, c.rate?.p99_us), '≤ 1.30', (v) => v <= 1.3]);
  }
  if (o && n) checks.push(['p99 onair / nats-server (fixed rate)', ratio(o.rate?.p99_us, n.rate?.p99_us), '< 1', (v) => v < 1]);
  if (o && c) checks.push(['p50 onair / ceiling (fixed rate)', ratio(o.rate?.p50_us, c.rate?.p50_us), '', null]);
  if (o && n) checks.push(['p50 onair / nats-server (fixed rate)', ratio(o.rate?.p50_us, n.rate?.p50_us), '', null]);
  if (d) {
    // CPU per delivery, both phases: at max rate each server runs at its own message rate (a
    // faster one packs more messages per write), at the fixed rate all run at the same one.
    const embedded = cpuRows('onair', o?.max)?.[0]?.[1], embeddedFixed = cpuRows('onair', o?.rate)?.[0]?.[1];
    const [n1, n2, rd] = cpuRows('onair-redis', d.max) ?? [], [f1, f2] = cpuRows('onair-redis', d.rate) ?? [];
    checks.push(['CPU/delivery node 1 via Redis / embedded (max)', ratio(n1?.[1], embedded), '≤ 1.20', (v) => v <= 1.2]);
    checks.push(['CPU/delivery node 2 via Redis / embedded (max)', ratio(n2?.[1], embedded), '≤ 1.20', (v) => v <= 1.2]);
    checks.push(['CPU/delivery node 1 via Redis / embedded (fixed)', ratio(f1?.[1], embeddedFixed), '≤ 1.20', (v) => v <= 1.2]);
    checks.push(['CPU/delivery node 2 via Redis / embedded (fixed)', ratio(f2?.[1], embeddedFixed), '≤ 1.20', (v) => v <= 1.2]);
    checks.push(['delivered/s two nodes + Redis / embedded', ratio(d.max?.delivered_per_s, o?.max?.delivered_per_s), '', null]);
    checks.push(['p99 two nodes + Redis / embedded (fixed rate)', ratio(d.rate?.p99_us, o?.rate?.p99_us), '', null]);
    // Net of what Redis spends without load (its CPU per second in the fixed-rate phase, 20
    // messages/s): what is left is per message, comparable across message rates.
    const idle = d.rate?.pid_cpu_s?.[2] != null ? d.rate.pid_cpu_s[2] / d.rate.seconds : null;
    const net = idle == null ? null : 1e6 * (d.max.pid_cpu_s[2] - idle * d.max.seconds) / d.max.published;
    if (rd && Number.isFinite(rd[1])) redisPerMessage.push([Number(subs), rd[1], d.max.published_per_s, net, idle]);
  }
  if (checks.length) printChecks(`ratios, ${subs} subscribers (same run)`, checks);
}
if (redisPerMessage.length) {
  // Redis's CPU per published message should not grow with the subscribers ("independent":
  // within 20 % over the counts run).
  console.log('\nredis-server CPU per published message (max rate; net = less its CPU without load, from the fixed-rate phase)');
  for (const [subs, v, mps, net, idle] of redisPerMessage) {
    console.log(`  ${pad(subs, 6)} subscribers: ${us(v)} µs/message at ${int(mps)} messages/s; net ${us(net)} µs/message` +
      ` (without load: ${idle == null ? '—' : (100 * idle).toFixed(2)}% of a core)`);
  }
  if (redisPerMessage.length > 1) {
    const vals = redisPerMessage.map((x) => x[3] ?? x[1]);
    const most = redisPerMessage.reduce((a, b) => (b[0] > a[0] ? b : a));
    const least = redisPerMessage.reduce((a, b) => (b[0] < a[0] ? b : a));
    printChecks('Redis CPU per message (net) against subscribers', [
      ['largest / smallest (over the counts run)', Math.max(...vals) / Math.min(...vals), '≤ 1.20', (v) => v <= 1.2],
      [`${most[0]} subscribers / ${least[0]} subscribers`, (most[3] ?? most[1]) / (least[3] ?? least[1]), '', null],
    ]);
  } else {
    console.log('  (run two subscriber counts, e.g. FANOUT_SUBS="500 2000", to see it does not grow)');
  }
}
console.log(`\nclient CPU at max rate peaks at ${Math.round(busiest)}% of its core` +
  (busiest > 90 ? ' — near saturation: the client may be the bottleneck' : ' (below saturation)'));
EOF
