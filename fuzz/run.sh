#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/, incremental) and runs each for SECONDS seconds.
#
#   fuzz/run.sh SECONDS [TARGET...]     e.g. fuzz/run.sh 60, fuzz/run.sh 300 fuzz_token
#
# Each target runs with its dictionary on a scratch corpus, build-fuzz/corpus-<target>, seeded
# from fuzz/corpus/<name>/ (the committed seeds are never written to). Crash inputs land in
# build-fuzz/artifacts-<target>/ and the full output in build-fuzz/<target>.log. Prints one line
# per target; exits non-zero if any target crashed, timed out or failed to build.
set -uo pipefail

if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ || "$1" -lt 1 ]]; then
  echo "usage: $0 SECONDS [TARGET...]   (targets: the fuzz_* names in all_targets below)" >&2
  exit 2
fi
seconds=$1
shift

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-fuzz
fuzz=$root/fuzz

# target:corpus-name:dictionary
all_targets=(
  "fuzz_ws_codec:ws_codec:ws.dict"
  "fuzz_envelope:envelope:json.dict"
  "fuzz_token:token:json.dict"
  "fuzz_room_token:room_token:json.dict"
  "fuzz_cursor:cursor:cursor.dict"
  "fuzz_binary_frame:binary_frame:binary_frame.dict"
  "fuzz_static_path:static_path:path.dict"
  "fuzz_stun:stun:stun.dict"
  "fuzz_packet_classifier:packet_classifier:packet.dict"
  "fuzz_loopback_host:loopback_host:host.dict"
  "fuzz_dtls:dtls:dtls.dict"
  "fuzz_sdp:sdp:sdp.dict"
  "fuzz_answer_reader:answer_reader:answer_reader.dict"
  "fuzz_nack:nack:nack.dict"
  "fuzz_rtp:rtp:rtp.dict"
  "fuzz_rtcp:rtcp:rtcp.dict"
  "fuzz_stream_args:stream_args:stream_args.dict"
  "fuzz_dcep:dcep:dcep.dict"
  "fuzz_yjs_update:yjs_update:yjs_update.dict"
  "fuzz_yjs_sync:yjs_sync:yjs_sync.dict"
  "fuzz_hocuspocus:hocuspocus:hocuspocus.dict"
  "fuzz_stored_updates:stored_updates:stored_updates.dict"
  "fuzz_query_args:query_args:query_args.dict"
  "fuzz_resp:resp:resp.dict"
  "fuzz_redis_url:redis_url:redis_url.dict"
  "fuzz_presence_field:presence_field:presence_field.dict"
  "fuzz_broker_envelope:broker_envelope:broker_envelope.dict"
  "fuzz_cluster_slots:cluster_slots:cluster_slots.dict"
  "fuzz_relay_message:relay_message:relay_message.dict"
  "fuzz_relay_http:relay_http:relay_http.dict"
  "fuzz_relay_packet:relay_packet:relay_packet.dict"
)
selected=("$@")

# Configure once, then build incrementally; show the output only if something fails.
mkdir -p "$build"
if [[ ! -f $build/build.ninja ]]; then
  if ! cmake -S "$root" -B "$build" -G Ninja -DONAIR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1; then
    cat "$build/configure.log" >&2
    echo "fuzz: configure failed" >&2
    exit 1
  fi
fi
if ! cmake --build "$build" >"$build/build.log" 2>&1; then
  tail -n 60 "$build/build.log" >&2
  echo "fuzz: build failed (full log: $build/build.log)" >&2
  exit 1
fi

# Sanitizer reports: stacks for UBSan, abort on the first error.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1}

failed=0
for entry in "${all_targets[@]}"; do
  IFS=: read -r target name dict <<<"$entry"
  if [[ ${#selected[@]} -gt 0 && ! " ${selected[*]} " =~ " $target " ]]; then continue; fi

  corpus=$build/corpus-$target
  artifacts=$build/artifacts-$target
  log=$build/$target.log
  mkdir -p "$corpus" "$artifacts"
  cp -n "$fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null || true

  "$build/$target" -max_total_time="$seconds" -dict="$fuzz/dict/$dict" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
  rc=$?

  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
  if [[ -z $execs ]]; then execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#'); fi
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
  units=$(find "$corpus" -type f | wc -l)
  if [[ $rc -eq 0 ]]; then
    printf '%-18s ok     %10s execs in %ss, cov %s, corpus %s\n' "$target" "${execs:-?}" "$seconds" "${cov:-?}" "$units"
  else
    failed=1
    artifact=$(grep -oE "(Test unit|artifact) written to [^ ]+" "$log" | tail -n 1 | awk '{print $NF}')
    printf '%-18s FAILED (exit %s) after %s execs; input: %s; log: %s\n' "$target" "$rc" "${execs:-?}" \
      "${artifact:-none}" "$log"
  fi
done
exit $failed
