#!/usr/bin/env bash
# bench/relay: portal relay — one producer at a fixed bitrate (default 4 Mbit/s) to N viewers
# (default 200): delivered throughput and the server's CPU per viewer, against the fan-out
# ceiling measured in the same run.
#
# Two servers, each pinned to CPU 0, against the same load client (build/bench/fanout/fanout_client)
# pinned to CPU 1:
#   ceiling  fanout_ceiling: the producer's binary frames forwarded as one shared frame per chunk,
#            one writev per viewer per loop pass (no auth, no JSON, no slots) — the machine's
#            limit for this shape of work;
#   onair    `onair serve --threads 1`: the producer `live.publish`es content:bench with a
#            portal-relay transport and sends binary chunks; every viewer (its own user, token
#            minted by the client from ONAIR_API_KEY/ONAIR_API_SECRET) `live.attach`es.
# Chunks: RELAY_CHUNK bytes at RELAY_BITRATE (20,000 B at 4 Mbit/s = 25 chunks/s), every
# RELAY_KEY_EVERY-th a key chunk; each carries its send time and sequence number.
# Phases, on the same connections:
#   max    (optional, RELAY_MAX_SECONDS, 0 skips) chunks as fast as RELAY_WINDOW chunks in flight
#          allow; the client is usually the bottleneck here, so the figure that carries over is
#          the server's CPU per delivered Gbit/s;
#   rate   RELAY_SECONDS at the fixed bitrate: delivered Mbit/s and chunks/s at the viewers,
#          p50/p99 latency, server CPU (utime+stime from /proc/<pid>/stat, read by the client at
#          the phase's edges) as % of one core, per viewer and per delivered Mbit/s.
# RELAY_ROUNDS rounds alternate the servers (ceiling, onair, ceiling, onair, …); the summary and
# the ratios take each figure's median over the rounds (a round another process disturbed does
# not carry). "other" is the machine's busy CPU during the phase that was neither the server nor
# the client (includes some loopback softirq work; tens of % means something else was running).
# Prints a table and the ratios onair / ceiling.
#
#   make bench-relay            or   bash bench/relay/run.sh
#
# Environment (defaults): RELAY_VIEWERS (200) RELAY_BITRATE (4000000) RELAY_CHUNK (20000)
#   RELAY_KEY_EVERY (25) RELAY_SECONDS (10) RELAY_MAX_SECONDS (3) RELAY_WINDOW (16)
#   RELAY_WARMUP (1) RELAY_ROUNDS (3) RELAY_SERVERS ("ceiling onair") RELAY_SERVER_CPU (0)
#   RELAY_CLIENT_CPU (1) BUILD_DIR (build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
VIEWERS=${RELAY_VIEWERS:-200}
BITRATE=${RELAY_BITRATE:-4000000}
CHUNK=${RELAY_CHUNK:-20000}
KEY_EVERY=${RELAY_KEY_EVERY:-25}
RATE_S=${RELAY_SECONDS:-10}
MAX_S=${RELAY_MAX_SECONDS:-3}
WINDOW=${RELAY_WINDOW:-16}
WARMUP=${RELAY_WARMUP:-1}
ROUNDS=${RELAY_ROUNDS:-3}
SERVERS=${RELAY_SERVERS:-ceiling onair}
SERVER_CPU=${RELAY_SERVER_CPU:-0}
CLIENT_CPU=${RELAY_CLIENT_CPU:-1}
LIVE_ID=content:bench

log() { echo "bench-relay: $*" >&2; }

source bench/common/lib.sh
bench_build "$BUILD" relay || exit 1
CLIENT=$ROOT/$BUILD/bench/fanout/fanout_client
CEILING=$ROOT/$BUILD/bench/fanout/fanout_ceiling
ONAIR=$ROOT/$BUILD/onair

TMP=$(mktemp -d /tmp/onair-relay.XXXXXX)
SERVER_PID=""
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM


# Per-run API credentials (onair reads them from the environment; the client mints tokens).
export ONAIR_API_KEY="APIrelay$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ONAIR_API_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"

# Starts one server pinned to SERVER_CPU; sets SERVER_PID, PORT, CLIENT_ARGS.
start_server() {
  local kind=$1 tag=$2
  case $kind in
    ceiling)
      taskset -c "$SERVER_CPU" "$CEILING" --port 0 >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
      SERVER_PID=$!
      PORT=$(wait_for "$TMP/$tag.out" 'listening on 127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      CLIENT_ARGS=(--dialect relay-ceiling --port "$PORT")
      ;;
    onair)
      mkdir -p "$TMP/$tag-data"
      taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-port 0 --data-dir "$TMP/$tag-data" \
        >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
      SERVER_PID=$!
      PORT=$(wait_for "$TMP/$tag.out" 'listening on http://127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      CLIENT_ARGS=(--dialect relay --port "$PORT" --path /v1/connect --live-id "$LIVE_ID")
      ;;
    *) log "unknown server $kind"; return 1 ;;
  esac
}

log "$VIEWERS viewers, $CHUNK-byte chunks at $BITRATE bit/s (key every $KEY_EVERY); server on CPU $SERVER_CPU," \
  "client on CPU $CLIENT_CPU; max rate ${MAX_S}s (window $WINDOW chunks), fixed rate ${RATE_S}s; $ROUNDS round(s)"
for round in $(seq 1 "$ROUNDS"); do
  for kind in $SERVERS; do
    tag="$kind.$round"
    rm -f "$TMP/$tag.json"
    if ! start_server "$kind" "$tag"; then
      log "$kind: server did not start"
      tail -5 "$TMP/$tag".* 2>/dev/null >&2 || true
      stop_server
      continue
    fi
    log "round $round, $kind: listening on port $PORT (pid $SERVER_PID); running the client"
    if ! timeout $((${MAX_S%.*} + ${RATE_S%.*} + 60)) taskset -c "$CLIENT_CPU" "$CLIENT" "${CLIENT_ARGS[@]}" \
        --subs "$VIEWERS" --chunk "$CHUNK" --bitrate "$BITRATE" --key-every "$KEY_EVERY" --window "$WINDOW" \
        --warmup "$WARMUP" --max-seconds "$MAX_S" --rate-seconds "$RATE_S" --server-pid "$SERVER_PID" \
        >"$TMP/$tag.json" 2>"$TMP/$tag.client.err"; then
      log "$kind: client failed: $(tail -2 "$TMP/$tag.client.err" | tr '\n' ' ')"
      rm -f "$TMP/$tag.json"
    fi
    grep -v 'subscribers ready\|delivered/s$' "$TMP/$tag.client.err" >&2 || true
    stop_server
  done
done

# The table and the ratios (node: JSON in, text out).
node - "$TMP" "$ROUNDS" "$VIEWERS" "$CHUNK" "$BITRATE" "$WINDOW" "$SERVER_CPU" "$CLIENT_CPU" "$SERVERS" <<'EOF'
const fs = require('node:fs');
const [dir, rounds, viewers, chunk, bitrate, window, serverCpu, clientCpu, servers] = process.argv.slice(2);
const kinds = servers.split(/\s+/).filter(Boolean);
const read = (f) => { try { return JSON.parse(fs.readFileSync(`${dir}/${f}.json`, 'utf8')); } catch { return null; } };
const n = Number(viewers);
const ok = (v) => v != null && isFinite(v);
const f0 = (v) => (!ok(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const f1 = (v) => (!ok(v) ? '—' : v.toFixed(1));
const f2 = (v) => (!ok(v) ? '—' : v.toFixed(2));
const f4 = (v) => (!ok(v) ? '—' : v.toFixed(4));
const us = (v) => (!ok(v) ? '—' : v >= 1e6 ? '>1 s' : f0(v));
const pct = (v) => (!ok(v) ? '—' : `${f1(v)}%`);
const pad = (s, w) => ` ${String(s).padStart(w - 1)}`;
const median = (a) => {
  const b = a.filter(ok).sort((x, y) => x - y);
  if (!b.length) return null;
  return b.length % 2 ? b[(b.length - 1) / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
};
const cps = Number(bitrate) / (8 * Number(chunk));
const target = Number(bitrate) * n / 1e6;
console.log(`\nportal relay: 1 producer → ${n} viewers, ${Number(chunk).toLocaleString('en-US')}-byte chunks at ` +
  `${(Number(bitrate) / 1e6).toFixed(1)} Mbit/s (${f1(cps)} chunks/s); target delivery ${f1(target)} Mbit/s; ` +
  `server pinned to CPU ${serverCpu}, client to CPU ${clientCpu}`);

const per = {};  // per server: one row of figures per round
console.log(`\nfixed rate, per round`);
console.log(`${'server'.padEnd(9)}${pad('round', 6)}${pad('Mbit/s', 9)}${pad('chunks/s', 10)}${pad('lost', 6)}${pad('p50 µs', 9)}` +
  `${pad('p99 µs', 9)}${pad('srv CPU', 9)}${pad('%/viewer', 10)}${pad('%/Mbit', 9)}${pad('client', 8)}${pad('other', 8)}`);
for (const k of kinds) {
  per[k] = [];
  for (let r = 1; r <= Number(rounds); r++) {
    const x = read(`${k}.${r}`);
    if (!x || !x.rate) { console.log(`${k.padEnd(9)}${pad(r, 6)}  (no result)`); continue; }
    const f = x.rate, m = x.max ?? {};
    const row = { mbit: f.delivered_mbit_per_s, cps: f.delivered_per_s, lost: f.expected - f.delivered, p50: f.p50_us,
      p99: f.p99_us, cpu: f.server_cpu_pct, perViewer: f.server_cpu_pct / n, perMbit: f.server_cpu_pct / f.delivered_mbit_per_s,
      other: f.other_cpu_pct, mgbit: m.delivered_mbit_per_s != null ? m.delivered_mbit_per_s / 1000 : null, mcpu: m.server_cpu_pct,
      mcli: m.client_cpu_pct, mother: m.other_cpu_pct, mgaps: m.gaps };
    row.mperGbit = ok(row.mcpu) && row.mgbit ? row.mcpu / row.mgbit : null;
    per[k].push(row);
    console.log(`${k.padEnd(9)}${pad(r, 6)}${pad(f1(row.mbit), 9)}${pad(f0(row.cps), 10)}${pad(f0(row.lost), 6)}${pad(us(row.p50), 9)}` +
      `${pad(us(row.p99), 9)}${pad(pct(row.cpu), 9)}${pad(f4(row.perViewer), 10)}${pad(f4(row.perMbit), 9)}` +
      `${pad(pct(f.client_cpu_pct), 8)}${pad(pct(row.other), 8)}` + (f.gaps ? `  (${f.gaps} chunks skipped)` : '') +
      (x.closed_subs ? `  (${x.closed_subs} viewers closed)` : '') + (x.errors ? `  (${x.errors} errors: ${x.first_error ?? ''})` : ''));
  }
}
const agg = {};
for (const k of kinds) {
  if (!per[k].length) continue;
  agg[k] = {};
  for (const f of Object.keys(per[k][0])) agg[k][f] = median(per[k].map((row) => row[f]));
}
console.log(`\nfixed rate, median over the rounds`);
console.log(`${'server'.padEnd(9)}${pad('Mbit/s', 9)}${pad('chunks/s', 10)}${pad('p50 µs', 9)}${pad('p99 µs', 9)}${pad('srv CPU', 9)}` +
  `${pad('%core/viewer', 14)}${pad('%core/Mbit', 12)}`);
for (const k of kinds) {
  const a = agg[k];
  if (!a) { console.log(`${k.padEnd(9)}  (no result)`); continue; }
  console.log(`${k.padEnd(9)}${pad(f1(a.mbit), 9)}${pad(f0(a.cps), 10)}${pad(us(a.p50), 9)}${pad(us(a.p99), 9)}${pad(pct(a.cpu), 9)}` +
    `${pad(f4(a.perViewer), 14)}${pad(f4(a.perMbit), 12)}`);
}
if (kinds.some((k) => per[k].some((row) => ok(row.mgbit)))) {
  console.log(`\nmax rate (at most ${window} chunks in flight), per round; the client's core is often the limit, so the` +
    ` figure to compare is server CPU per Gbit/s`);
  console.log(`${'server'.padEnd(9)}${pad('round', 6)}${pad('Gbit/s', 9)}${pad('srv CPU', 9)}${pad('%core/Gbit/s', 14)}${pad('client', 8)}${pad('other', 8)}`);
  for (const k of kinds)
    per[k].forEach((row, i) => console.log(`${k.padEnd(9)}${pad(i + 1, 6)}${pad(f2(row.mgbit), 9)}${pad(pct(row.mcpu), 9)}` +
      `${pad(f2(row.mperGbit), 14)}${pad(pct(row.mcli), 8)}${pad(pct(row.mother), 8)}` + (row.mgaps ? `  (${row.mgaps} chunks skipped)` : '')));
}
const o = agg.onair, c = agg.ceiling;
const ratio = (a, b) => (ok(a) && ok(b) && b ? a / b : null);
console.log('\nratios onair / ceiling (same run, medians over the rounds)');
const rows = [
  ['delivered throughput (fixed rate)', ratio(o?.mbit, c?.mbit)],
  ['server CPU per viewer (fixed rate)', ratio(o?.perViewer, c?.perViewer)],
  ['server CPU per delivered Mbit (fixed rate)', ratio(o?.perMbit, c?.perMbit)],
  ['p50 latency (fixed rate)', ratio(o?.p50, c?.p50)],
  ['p99 latency (fixed rate)', ratio(o?.p99, c?.p99)],
  ['throughput (max rate)', ratio(o?.mgbit, c?.mgbit)],
  ['server CPU per Gbit/s (max rate)', ratio(o?.mperGbit, c?.mperGbit)],
];
for (const [label, v] of rows) console.log(`  ${label.padEnd(44)}${pad(f2(v), 7)}`);
for (const k of kinds) {
  const a = agg[k];
  if (a && Math.abs(a.mbit - target) / target > 0.02)
    console.log(`  note: ${k} delivered ${f1(a.mbit)} Mbit/s (median), off the ${f1(target)} Mbit/s target by more than 2%`);
}
EOF
