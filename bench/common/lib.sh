# bench/common/lib.sh: the shell pieces every bench/*/run.sh uses. Source it from the repository
# root (the scripts `cd` there first). Nothing here starts or stops a process it was not given.

# bench_build BUILD TAG: configures BUILD (Release, Ninja) when it has no build files yet, then
# builds everything; on failure prints the log's last lines and returns 1.
bench_build() {
  local build=$1 tag=$2 log
  if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  log=$(mktemp "/tmp/onair-$tag-build.XXXXXX")
  if ! cmake --build "$build" >"$log" 2>&1; then
    tail -30 "$log" >&2
    rm -f "$log"
    echo "bench-$tag: build failed" >&2
    return 1
  fi
  rm -f "$log"
}

# stop_pid PID: TERM, wait up to 5 s, then KILL. An empty PID is a no-op.
stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_for FILE REGEX PID: prints the first match of REGEX in FILE (a server's "listening on"
# line); returns 1 when PID exits first or 10 s pass.
wait_for() {
  local file=$1 pattern=$2 pid=$3
  for _ in $(seq 1 100); do
    if grep -Eo "$pattern" "$file" 2>/dev/null | head -1 | grep .; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# free_port: prints a loopback TCP port nothing listens on now (random, bounded tries).
free_port() {
  local used p
  used=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
  done
  return 1
}

# wait_quiet MAX_SECONDS TAG: both cores are meant for a benchmark: waits (at most MAX_SECONDS)
# for the rest of the machine to go quiet (< 10 % of one core over 2 s), else warns and returns.
wait_quiet() {
  local max=$1 tag=$2 hz a b
  hz=$(getconf CLK_TCK)
  for _ in $(seq 1 $(( (max + 1) / 2 ))); do
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
    sleep 2
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
    if [ $(( (b - a) * 100 )) -lt $(( 2 * hz * 10 )) ]; then return 0; fi
  done
  echo "bench-$tag: warning: the machine is busy with other work; the figures will be skewed" >&2
}
