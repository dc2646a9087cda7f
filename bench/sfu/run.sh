#!/usr/bin/env bash
# bench/sfu: the SFU benchmark (issue 13). One publisher (~1.5 Mbit/s VP8-shaped video at 30 fps
# with a keyframe burst every 2 s, plus 50 pps of ~100-byte Opus-sized audio) and N subscribers,
# all WebRTC (ICE, DTLS, SRTP) through rtc::client::ClientTransport, N ramping through
# SFU_STEPS until loss exceeds 0.1%.
#
# Runs two servers in turn, each pinned to CPU 0, against the same load tool
# (build/bench/sfu/sfu_load) pinned to CPU 1:
#   ceiling  sfu_ceiling: decrypt once, encrypt per subscriber, sendmmsg, on onair's own socket,
#            ICE/DTLS and SRTP code, with no SFU logic — the machine's limit for this work;
#   onair    `onair serve --threads 1`, streams.createStreamRoom / joinStreamRoom / publish /
#            subscribe, media through the SFU router.
# Prints per step forwarded packets/s, loss, server CPU, CPU per packet and RSS per subscriber,
# then the held subscriber counts, onair's CPU per packet over the ceiling's, and the targets.
#
#   make bench-sfu            or   bash bench/sfu/run.sh
#
# Environment (defaults): SFU_STEPS ("100,200,300,400,450,500,550,600,650,700,800,1000") SFU_SECONDS (5)
#   SFU_SETTLE (1) SFU_MAX_LOSS (0.001) SFU_SERVERS ("ceiling onair") SFU_SERVER_CPU (0)
#   SFU_CLIENT_CPU (1) BUILD_DIR (build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
STEPS=${SFU_STEPS:-100,200,300,400,450,500,550,600,650,700,800,1000}
SECONDS_PER_STEP=${SFU_SECONDS:-5}
SETTLE=${SFU_SETTLE:-1}
MAX_LOSS=${SFU_MAX_LOSS:-0.001}
SERVERS=${SFU_SERVERS:-ceiling onair}
SERVER_CPU=${SFU_SERVER_CPU:-0}
CLIENT_CPU=${SFU_CLIENT_CPU:-1}

log() { echo "bench-sfu: $*" >&2; }

source bench/common/lib.sh
bench_build "$BUILD" sfu || exit 1
LOAD=$ROOT/$BUILD/bench/sfu/sfu_load
CEILING=$ROOT/$BUILD/bench/sfu/sfu_ceiling
ONAIR=$ROOT/$BUILD/onair

TMP=$(mktemp -d /tmp/onair-sfu.XXXXXX)
SERVER_PID=""
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts one server pinned to SERVER_CPU; sets SERVER_PID, PORT, LOAD_ARGS.
start_server() {
  local kind=$1
  case $kind in
    ceiling)
      taskset -c "$SERVER_CPU" "$CEILING" --port 0 >"$TMP/ceiling.out" 2>"$TMP/ceiling.err" &
      SERVER_PID=$!
      PORT=$(wait_for "$TMP/ceiling.out" 'listening on 127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      LOAD_ARGS=(--target ceiling --port "$PORT")
      ;;
    onair)
      # Per-run API credentials through the environment; the token is minted by the CLI.
      export ONAIR_API_KEY="APIsfu$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
      export ONAIR_API_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
      mkdir -p "$TMP/onair-data"
      taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-port 0 --rtc-first-port 0 \
        --data-dir "$TMP/onair-data" >"$TMP/onair.out" 2>"$TMP/onair.err" &
      SERVER_PID=$!
      PORT=$(wait_for "$TMP/onair.out" 'listening on http://127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      local token
      token=$("$ONAIR" token create --user bench --grant 'stream:*:join,manage,publish,subscribe' --ttl 1h \
        --data-dir "$TMP/onair-data" 2>/dev/null)
      LOAD_ARGS=(--target onair --port "$PORT" --path /v1/connect --token "$token")
      ;;
  esac
}

log "steps $STEPS subscribers, ${SECONDS_PER_STEP}s each; server on CPU $SERVER_CPU, tool on CPU $CLIENT_CPU"
for kind in $SERVERS; do
  rm -f "$TMP/$kind.json"
  if ! start_server "$kind"; then
    log "$kind: server did not start"
    tail -5 "$TMP/$kind".* 2>/dev/null >&2 || true
    stop_server
    continue
  fi
  log "$kind: listening on port $PORT (pid $SERVER_PID); running the load tool"
  if ! timeout 900 taskset -c "$CLIENT_CPU" "$LOAD" "${LOAD_ARGS[@]}" --server-pid "$SERVER_PID" --steps "$STEPS" \
      --seconds "$SECONDS_PER_STEP" --settle "$SETTLE" --max-loss "$MAX_LOSS" >"$TMP/$kind.json" 2>"$TMP/$kind.load.err"; then
    log "$kind: load tool failed: $(tail -2 "$TMP/$kind.load.err" | tr '\n' ' ')"
    rm -f "$TMP/$kind.json"
  fi
  sed 's/^/  /' "$TMP/$kind.load.err" >&2 || true
  stop_server
  if [ "$kind" = ceiling ]; then sed 's/^/  /' "$TMP/ceiling.err" >&2; fi
done

# The table, the ratio and the targets (node: JSON in, text out).
node - "$TMP" "$SERVER_CPU" "$CLIENT_CPU" "$MAX_LOSS" <<'EOF_NODE'
const fs = require('node:fs');
const [dir, serverCpu, clientCpu, maxLoss] = process.argv.slice(2);
const read = (k) => { try { return JSON.parse(fs.readFileSync(`${dir}/${k}.json`, 'utf8')); } catch { return null; } };
const r = { ceiling: read('ceiling'), onair: read('onair') };
const int = (v) => (v == null ? '—' : Math.round(v).toLocaleString('en-US'));
const pad = (s, n) => String(s).padStart(n);
console.log(`\nsfu: 1 publisher (VP8-shaped ~1.5 Mbit/s + Opus-sized audio), N subscribers; server pinned to CPU ${serverCpu}, tool to CPU ${clientCpu}; loss limit ${maxLoss * 100}%\n`);
console.log(`${'server'.padEnd(9)}${pad('subs', 6)}${pad('forwarded/s', 13)}${pad('loss %', 9)}${pad('server CPU', 12)}${pad('ns/packet', 11)}${pad('RSS KiB/sub', 13)}${pad('tool CPU', 10)}`);
// The step a server is judged on: the last one within the loss limit.
const held = {};
for (const k of ['ceiling', 'onair']) {
  const x = r[k];
  if (!x) { console.log(`${k.padEnd(9)}  (no result)`); continue; }
  for (const s of x.steps) {
    if (s.forwarded_per_s == null) { console.log(`${k.padEnd(9)}${pad(s.subs, 6)}  (${s.ready} receiving, ${s.failed} failed${s.error ? ': ' + s.error : ''})`); continue; }
    console.log(`${k.padEnd(9)}${pad(s.subs, 6)}${pad(int(s.forwarded_per_s), 13)}${pad((s.loss * 100).toFixed(3), 9)}${pad(Math.round(s.server_cpu_pct) + '%', 12)}` +
      `${pad(int(s.server_cpu_ns_per_packet), 11)}${pad(s.rss_kb_per_sub.toFixed(1), 13)}${pad(Math.round(s.tool_cpu_pct) + '%', 10)}`);
    if (s.loss <= Number(maxLoss)) held[k] = s;
  }
  if (x.error) console.log(`${k.padEnd(9)}  error: ${x.error}`);
}
const perCore = (s) => (s ? s.forwarded_per_s / Math.max(s.server_cpu_pct / 100, 1e-9) : null);
const c = held.ceiling, o = held.onair;
// CPU per packet compared at the same load: the largest subscriber count both held.
const sameN = (k, n) => r[k]?.steps.find((s) => s.subs === n && s.loss <= Number(maxLoss));
const shared = o && c ? Math.min(o.subs, c.subs) : null;
const oAt = shared && sameN('onair', shared), cAt = shared && sameN('ceiling', shared);
const ratio = oAt && cAt ? oAt.server_cpu_ns_per_packet / cAt.server_cpu_ns_per_packet : null;
console.log('');
for (const [k, s] of Object.entries({ ceiling: c, onair: o })) {
  if (!s) continue;
  console.log(`${k}: held ${s.subs} subscribers at ≤ ${maxLoss * 100}% loss: ${int(s.forwarded_per_s)} forwarded packets/s at ${Math.round(s.server_cpu_pct)}% of its core ` +
    `(${int(perCore(s))} packets/s per core-second), ${int(s.server_cpu_ns_per_packet)} ns CPU per packet, ${s.rss_kb_per_sub.toFixed(1)} KiB RSS per subscriber`);
}
const busiest = Math.max(0, ...Object.values(r).filter(Boolean).flatMap((x) => x.steps.map((s) => s.tool_cpu_pct ?? 0)));
console.log(`tool CPU peaks at ${Math.round(busiest)}% of its core` + (busiest > 90 ? ' — near saturation: the tool may be the bottleneck' : ''));
const verdict = (v, ok) => (v == null ? 'n/a (not measured)' : ok(v) ? 'PASS' : 'FAIL');
console.log('\ntargets                                              value    target  result');
console.log(`  onair forwarded SRTP packets/s (one core, ≤ 0.1% loss)${pad(int(o?.forwarded_per_s), 10)}  ≥ 150,000  ${verdict(o?.forwarded_per_s, (v) => v >= 150000)}`);
console.log(`  onair CPU per packet / ceiling's (${shared ?? '—'} subs)${' '.repeat(Math.max(0, 17 - String(shared ?? '—').length))}${pad(ratio == null ? '—' : ratio.toFixed(2), 7)}     ≤ 1.5  ${verdict(ratio, (v) => v <= 1.5)}`);
EOF_NODE
