#!/usr/bin/env bash
# bench/yjs: Yjs collaboration over the Hocuspocus 3.x wire protocol — onair's /v1/hocuspocus
# against a plain @hocuspocus/server 3.4 (bench/yjs/hocuspocus-peer.mjs, in memory).
#
# For each server, pinned to YJS_SERVER_CPU (the clients to YJS_CLIENT_CPU):
#   load   a fresh server; bench/yjs/load.mjs: YJS_DOCS documents × YJS_CLIENTS clients typing
#          YJS_RATE updates/s each for YJS_SECONDS (lean raw-ws clients, one socket per client and
#          document): deliveries/s, server CPU µs per delivered update, RSS and HWM after the load,
#          convergence on a sample of documents;
#   churn  a fresh server; bench/yjs/churn.mjs: YJS_CHURN_DOCS documents opened (auth, sync, one
#          update), closed, in batches of YJS_CHURN_BATCH: RSS before, after, after YJS_SETTLE_SECONDS.
# onair runs as `onair serve --threads 1` (one core, as Node's Hocuspocus); its room tokens come
# from collab.token (an access token with collab:*:read-write, minted by the CLI). When onair has
# no /v1/hocuspocus the onair half is reported "not available" and the rest still runs.
# Builds nothing: onair is $BUILD_DIR/onair (or ONAIR_BIN). Prints a table and onair/hocuspocus ratios.
#
#   make bench-yjs       or   bash bench/yjs/run.sh
#
# Environment (defaults): YJS_SERVERS ("hocuspocus onair") YJS_DOCS (100) YJS_CLIENTS (10)
#   YJS_SECONDS (20) YJS_RATE (2) YJS_CHURN_DOCS (10000) YJS_CHURN_BATCH (100)
#   YJS_SETTLE_SECONDS (10) YJS_SERVER_CPU (0) YJS_CLIENT_CPU (1) BUILD_DIR (build) ONAIR_BIN
#   YJS_QUIET_WAIT (30: seconds to wait for an idle machine before each run)
#   YJS_AWARENESS (0; 1: each edit also sends the client's cursor as awareness, as editor bindings do)
#   YJS_ONAIR_ARGS ("--collab-document-idle-ms 5000": documents leave onair's memory 5 s after their
#   last connection, within the churn's settle pause; the default is 30 s)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
ONAIR=${ONAIR_BIN:-$ROOT/$BUILD/onair}
SERVERS=${YJS_SERVERS:-hocuspocus onair}
DOCS=${YJS_DOCS:-100}
CLIENTS=${YJS_CLIENTS:-10}
TYPE_SECONDS=${YJS_SECONDS:-20}
RATE=${YJS_RATE:-2}
CHURN_DOCS=${YJS_CHURN_DOCS:-10000}
CHURN_BATCH=${YJS_CHURN_BATCH:-100}
SETTLE=${YJS_SETTLE_SECONDS:-10}
SERVER_CPU=${YJS_SERVER_CPU:-0}
CLIENT_CPU=${YJS_CLIENT_CPU:-1}

log() { echo "bench-yjs: $*" >&2; }
source bench/common/lib.sh

TMP=$(mktemp -d /tmp/onair-yjs.XXXXXX)
SERVER_PID=""
cleanup() { stop_pid "$SERVER_PID"; SERVER_PID=""; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Per-run API credentials for onair, through the environment; never printed.
export ONAIR_API_KEY="APIyjs$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ONAIR_API_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"

# start_server KIND: a fresh server pinned to SERVER_CPU; sets SERVER_PID, URL and, for onair,
# CLIENT_ENV (the token source's environment). Returns 1 when it did not start.
start_server() {
  local kind=$1 port token
  CLIENT_ENV=()
  case $kind in
    hocuspocus)
      taskset -c "$SERVER_CPU" node bench/yjs/hocuspocus-peer.mjs --port 0 >"$TMP/hocuspocus.log" 2>&1 &
      SERVER_PID=$!
      port=$(wait_for "$TMP/hocuspocus.log" 'listening on 127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      URL="ws://127.0.0.1:$port/"
      ;;
    onair)
      [ -x "$ONAIR" ] || { log "onair: $ONAIR is not built (make build)"; return 1; }
      rm -rf "$TMP/onair-data"
      mkdir -p "$TMP/onair-data"
      taskset -c "$SERVER_CPU" "$ONAIR" serve --threads 1 --http-host 127.0.0.1 --http-port 0 --rtc-first-port 0 \
        --data-dir "$TMP/onair-data" ${YJS_ONAIR_ARGS---collab-document-idle-ms 5000} >"$TMP/onair.log" 2>&1 &
      SERVER_PID=$!
      port=$(wait_for "$TMP/onair.log" 'listening on http://127\.0\.0\.1:[0-9]+' "$SERVER_PID" | sed 's/.*://') || return 1
      token=$("$ONAIR" token create --user bench --grant 'collab:*:read-write' --ttl 2h --data-dir "$TMP/onair-data" 2>/dev/null) || return 1
      URL="ws://127.0.0.1:$port/v1/hocuspocus"
      CLIENT_ENV=(BENCH_ONAIR_CONNECT_URL="ws://127.0.0.1:$port/v1/connect" BENCH_ONAIR_ACCESS_TOKEN="$token")
      ;;
    *) log "unknown server '$kind' in YJS_SERVERS (hocuspocus, onair)"; return 1 ;;
  esac
}

stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

# run_phase KIND PHASE TIMEOUT ARGS...: one client run against a fresh server; its JSON goes to
# $TMP/KIND-PHASE.json. Returns 3 when the server has no Hocuspocus endpoint, 1 on other failures.
run_phase() {
  local kind=$1 phase=$2 limit=$3 rc=0
  shift 3
  if ! start_server "$kind"; then
    log "$kind: server did not start"
    tail -5 "$TMP/$kind.log" >&2 2>/dev/null || true
    stop_server
    return 1
  fi
  wait_quiet "${YJS_QUIET_WAIT:-30}" yjs
  log "$kind $phase: $URL (pid $SERVER_PID)"
  env "${CLIENT_ENV[@]}" timeout "$limit" taskset -c "$CLIENT_CPU" node "bench/yjs/$phase.mjs" --url "$URL" \
    --server-pid "$SERVER_PID" "$@" >"$TMP/$kind-$phase.json" 2>"$TMP/$kind-$phase.err" || rc=$?
  grep -v '^\s*$' "$TMP/$kind-$phase.err" >&2 || true
  stop_server
  if [ "$kind" = onair ]; then grep -v ' info ' "$TMP/onair.log" | tail -n 5 | sed 's/^/  [onair] /' >&2 || true; fi
  if [ "$rc" -ne 0 ]; then rm -f "$TMP/$kind-$phase.json"; fi
  return "$rc"
}

log "$DOCS docs × $CLIENTS clients at $RATE updates/s for ${TYPE_SECONDS}s; churn $CHURN_DOCS docs" \
  "(batches of $CHURN_BATCH, settle ${SETTLE}s); server on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU"
for kind in $SERVERS; do
  rc=0
  run_phase "$kind" load $((TYPE_SECONDS + 240)) --docs "$DOCS" --clients "$CLIENTS" --seconds "$TYPE_SECONDS" \
    --rate "$RATE" --awareness "${YJS_AWARENESS:-0}" || rc=$?
  if [ "$rc" -eq 3 ]; then
    log "$kind: /v1/hocuspocus not available"
    echo "$kind: /v1/hocuspocus not available" >"$TMP/$kind.missing"
    continue
  fi
  [ "$rc" -eq 0 ] || log "$kind load: failed (exit $rc)"
  run_phase "$kind" churn $((SETTLE + 900)) --docs "$CHURN_DOCS" --batch "$CHURN_BATCH" --settle-seconds "$SETTLE" ||
    log "$kind churn: failed (exit $?)"
done

node bench/yjs/report.mjs "$TMP" "$SERVERS"
