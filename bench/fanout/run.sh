#!/usr/bin/env bash
# bench/fanout: one channel, N WebSocket subscribers (default 1000), 100-byte messages.
#
# Runs three servers in turn, each pinned to CPU 0, against the same load client
# (build/bench/fanout/fanout_client) pinned to CPU 1:
#   ceiling      fanout_ceiling: one pre-encoded shared frame per message, one writev per socket
#                per loop pass — the machine's limit for this shape of work;
#   nats-server  Debian's nats-server 2.9 through its websocket listener (the peer);
#   onair        `onair serve --threads 1`, channel.subscribe / channel.broadcast.
# Each gets a max-rate phase (at most FANOUT_WINDOW messages in flight; delivered messages/s)
# and a fixed-rate phase (FANOUT_RATE messages/s; p50/p99 latency), on the same connections.
# Prints a table, the ratios and whether the targets are met.
#
#   make bench-fanout            or   bash bench/fanout/run.sh
#
# Environment (defaults): FANOUT_SUBS (1000) FANOUT_SIZE (100) FANOUT_WINDOW (512)
#   FANOUT_MAX_SECONDS (10) FANOUT_RATE (20) FANOUT_RATE_SECONDS (10) FANOUT_WARMUP (1)
#   FANOUT_SERVERS ("ceiling nats onair") FANOUT_STORED (0; 1 = channel.publish instead of
#   channel.broadcast) FANOUT_SERVER_CPU (0) FANOUT_CLIENT_CPU (1) BUILD_DIR (build)
#   FANOUT_PERF_DIR (unset; a directory = perf record -g each server into <dir>/<server>.perf)
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
CLIENT_CPU=${FANOUT_CLIENT_CPU:-1}

log() { echo "bench-fanout: $*" >&2; }

# nats-server (the peer) from Debian, only when it is missing.
if [[ " $SERVERS " == *" nats "* ]] && ! command -v nats-server >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing nats-server (Debian package)"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nats-server >/dev/null
fi

source bench/common/lib.sh
bench_build "$BUILD" fanout || exit 1
CLIENT=$ROOT/$BUILD/bench/fanout/fanout_client
CEILING=$ROOT/$BUILD/bench/fanout/fanout_ceiling
ONAIR=$ROOT/$BUILD/onair

TMP=$(mktemp -d /tmp/onair-fanout.XXXXXX)
SERVER_PID=""
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback TCP port (bounded tries).
free_port() {
  local used p
  used=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
  done
  return 1
}


# Starts one server pinned to SERVER_CPU; sets SERVER_PID, PORT, CLIENT_ARGS.
start_server() {
  local kind=$1
  case $kind in
    ceiling)
      taskset -c "$SERVER_CPU" "$CEILING" --port 0 >"$TMP/ceiling.out" 2>"$TMP/ceiling.err" &
      SERVER_PID=$!
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
      wait_for "$TMP/nats.log" 'Server is ready' "$SERVER_PID" >/dev/null || return 1
      PORT=$ws_port
      CLIENT_ARGS=(--dialect nats --port "$PORT")
      ;;
    onair)
      # Per-run API credentials through the environment; the token is minted by the CLI.
      export ONAIR_API_KEY="APIfanout$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
      export ONAIR_API_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
      mkdir -p "$TMP/onair-data"
      taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-port 0 --data-dir "$TMP/onair-data" \
        >"$TMP/onair.out" 2>"$TMP/onair.err" &
      SERVER_PID=$!
      PORT=$(wait_for "$TMP/onair.out" 'listening on http://127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      local token
      token=$("$ONAIR" token create --user bench --grant 'channel:*:subscribe,publish' --ttl 1h \
        --data-dir "$TMP/onair-data" 2>/dev/null)
      CLIENT_ARGS=(--dialect onair --port "$PORT" --path /v1/connect --token "$token")
      if [ "$STORED" = 1 ]; then CLIENT_ARGS+=(--stored); fi
      ;;
  esac
}

log "$SUBS subscribers, $SIZE-byte messages; server on CPU $SERVER_CPU, client on CPU $CLIENT_CPU;" \
  "max rate ${MAX_S}s (window $WINDOW), fixed rate ${RATE_S}s at $RATE msg/s"
for kind in $SERVERS; do
  rm -f "$TMP/$kind.json"
  if ! start_server "$kind"; then
    log "$kind: server did not start"
    tail -5 "$TMP/$kind".* 2>/dev/null >&2 || true
    stop_server
    continue
  fi
  log "$kind: listening on port $PORT (pid $SERVER_PID); running the client"
  PERF_PID=""
  if [ -n "${FANOUT_PERF_DIR:-}" ]; then  # profile each server over its whole run
    perf record -g -o "$FANOUT_PERF_DIR/$kind.perf" -p "$SERVER_PID" >/dev/null 2>&1 &
    PERF_PID=$!
  fi
  if ! timeout $((${MAX_S%.*} + ${RATE_S%.*} + 60)) taskset -c "$CLIENT_CPU" "$CLIENT" "${CLIENT_ARGS[@]}" \
      --subs "$SUBS" --size "$SIZE" --window "$WINDOW" --warmup "$WARMUP" --max-seconds "$MAX_S" \
      --rate "$RATE" --rate-seconds "$RATE_S" >"$TMP/$kind.json" 2>"$TMP/$kind.client.err"; then
    log "$kind: client failed: $(tail -2 "$TMP/$kind.client.err" | tr '\n' ' ')"
    rm -f "$TMP/$kind.json"
  fi
  grep -v 'subscribers ready\|delivered/s$' "$TMP/$kind.client.err" >&2 || true
  if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; fi
  stop_server
  if [ "$kind" = ceiling ]; then cat "$TMP/ceiling.err" >&2; fi
done

# The table, the ratios and the targets (node: JSON in, text out).
node - "$TMP" "$SUBS" "$SIZE" "$WINDOW" "$RATE" "$SERVER_CPU" "$CLIENT_CPU" "$STORED" <<'EOF'
const fs = require('node:fs');
const [dir, subs, size, window, rate, serverCpu, clientCpu, stored] = process.argv.slice(2);
const read = (k) => { try { return JSON.parse(fs.readFileSync(`${dir}/${k}.json`, 'utf8')); } catch { return null; } };
const r = { ceiling: read('ceiling'), nats: read('nats'), onair: read('onair') };
const names = { ceiling: 'ceiling', nats: 'nats-server 2.9', onair: stored === '1' ? 'onair (stored)' : 'onair' };
const int = (v) => (v == null ? '—' : Math.round(v).toLocaleString('en-US'));
const pct = (v) => (v == null ? '—' : `${Math.round(v)}%`);
const pad = (s, n) => String(s).padStart(n);
console.log(`\nfan-out: 1 channel, ${subs} WebSocket subscribers, ${size}-byte messages; server pinned to CPU ${serverCpu}, client to CPU ${clientCpu}`);
console.log(`max rate: in-flight window ${window} messages; fixed rate: ${rate} msg/s → ${int(rate * subs)} deliveries/s; ` +
  `onair publishes with ${stored === '1' ? 'channel.publish (stored)' : 'channel.broadcast (not stored)'}\n`);
console.log(`${'server'.padEnd(16)}${pad('delivered/s', 13)}${pad('client CPU', 12)}${pad('p50 µs', 10)}${pad('p99 µs', 10)}${pad('p99.9 µs', 10)}${pad('lost', 7)}${pad('client CPU', 12)}`);
console.log(`${''.padEnd(16)}${pad('(max rate)', 13)}${pad('(max)', 12)}${pad('(fixed)', 10)}${pad('(fixed)', 10)}${pad('(fixed)', 10)}${pad('', 7)}${pad('(fixed)', 12)}`);
for (const k of ['ceiling', 'nats', 'onair']) {
  const x = r[k];
  if (!x) { console.log(`${names[k].padEnd(16)}  (no result)`); continue; }
  const m = x.max ?? {}, f = x.rate ?? {};
  const lost = f.expected != null ? f.expected - f.delivered : null;
  console.log(`${names[k].padEnd(16)}${pad(int(m.delivered_per_s), 13)}${pad(pct(m.client_cpu_pct), 12)}${pad(int(f.p50_us), 10)}${pad(int(f.p99_us), 10)}${pad(int(f.p999_us), 10)}${pad(int(lost), 7)}${pad(pct(f.client_cpu_pct), 12)}` +
    (x.closed_subs ? `  (${x.closed_subs} subscribers closed)` : '') + (x.errors ? `  (${x.errors} errors: ${x.first_error ?? ''})` : ''));
}
const o = r.onair, n = r.nats, c = r.ceiling;
const ratio = (a, b) => (a != null && b ? a / b : null);
const fmt = (v) => (v == null ? '—' : v.toFixed(2));
const checks = [
  ['delivered/s onair / nats-server', ratio(o?.max?.delivered_per_s, n?.max?.delivered_per_s), '≥ 2', (v) => v >= 2],
  ['delivered/s onair / ceiling', ratio(o?.max?.delivered_per_s, c?.max?.delivered_per_s), '≥ 0.60', (v) => v >= 0.6],
  ['p99 onair / ceiling (fixed rate)', ratio(o?.rate?.p99_us, c?.rate?.p99_us), '≤ 1.30', (v) => v <= 1.3],
  ['p99 onair / nats-server (fixed rate)', ratio(o?.rate?.p99_us, n?.rate?.p99_us), '< 1', (v) => v < 1],
  ['p50 onair / ceiling (fixed rate)', ratio(o?.rate?.p50_us, c?.rate?.p50_us), '', null],
  ['p50 onair / nats-server (fixed rate)', ratio(o?.rate?.p50_us, n?.rate?.p50_us), '', null],
];
console.log('\nratios (same run)                        value   target  met');
for (const [label, v, target, ok] of checks) {
  const met = ok == null ? '' : v == null ? 'n/a' : ok(v) ? 'yes' : 'NO';
  console.log(`  ${label.padEnd(38)}${pad(fmt(v), 7)}${pad(target, 9)}  ${met}`);
}
const busiest = Math.max(...Object.values(r).filter(Boolean).map((x) => x.max?.client_cpu_pct ?? 0));
console.log(`\nclient CPU at max rate peaks at ${Math.round(busiest)}% of its core` +
  (busiest > 90 ? " — near saturation: the client may be the bottleneck" : " (below saturation)"));
EOF
