#!/usr/bin/env bash
# The collector's load benchmark: the report endpoint (validated, stored durably, answered
# 202 after the commit) on SQLite and on PostgreSQL, next to two routes on the same stack in
# the same run: a no-op (answers 202 without reading the request: the ceiling) and one that
# reads, parses and checks the batch as the report route does but stores nothing (what the
# request costs before a database is involved). With wrk; prints requests/s, p50 and p99 for
# each, the ratio to the no-op, and the CPU time each request took in the server (and, of
# it, in the collector's writer thread) and in wrk, which shares the cores. The raw wrk
# output is kept under target/bench/.
#   BENCH_POSTGRES=postgres://... collector/bench/load.sh [SECONDS] [CONNECTIONS]
# Without BENCH_POSTGRES (`make bench-collector` sets it), PostgreSQL is left out.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
connections=${2:-32}
out=target/bench
mkdir -p "$out"

command -v wrk >/dev/null || {
  echo "installing wrk from Debian"
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}
cargo build --profile server -p lifeline-collector --bin lifeline-collector --example noop --locked
bin=target/server/lifeline-collector
noop=target/server/examples/noop

dir=$(mktemp -d)
pids=()
declare -A port pid
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

started() { # name port
  pids+=($!); pid[$1]=$!; port[$1]=$2
}
serve() { # name port database
  "$bin" site add bench --origin http://bench.test --database "$3" >/dev/null 2>&1
  LIFELINE_LOG=warn "$bin" serve --listen "127.0.0.1:$2" --database "$3" --reports-per-minute 0 \
    --agent /nonexistent --www /nonexistent 2>"$dir/collector-$2.log" &
  started "$1" "$2"
}
"$noop" 127.0.0.1:18081 2>"$dir/noop.log" &
started noop 18081
"$noop" 127.0.0.1:18083 parse 2>"$dir/parse.log" &
started parse 18083
serve sqlite 18080 "sqlite://$dir/lifeline.db"
names=(noop parse sqlite)
if [ -n "${BENCH_POSTGRES:-}" ]; then
  serve postgres 18082 "$BENCH_POSTGRES"
  names+=(postgres)
fi
for name in "${names[@]}"; do
  for _ in $(seq 100); do curl -s -o /dev/null -X POST "http://127.0.0.1:${port[$name]}/v1/sites/bench/reports" && break; sleep 0.1; done
done

tick=$(getconf CLK_TCK)
cpu() { # /proc/PID/stat or /proc/PID/task/TID/stat: user + system ticks
  awk '{print $14 + $15}' "$1"
}
writer() { # pid: the stat file of its writer thread, if it has one
  { grep -lx lifeline-writer /proc/"$1"/task/*/comm 2>/dev/null || true; } | sed 's/comm$/stat/' | head -1
}
run() { # name round: wrk's output, then the CPU ticks of the server, its writer and wrk
  local f="$out/wrk-$1-$2.txt" w; w=$(writer "${pid[$1]}")
  local s0 w0=0; s0=$(cpu /proc/"${pid[$1]}"/stat); [ -n "$w" ] && w0=$(cpu "$w")
  # wrk's CPU: what a fresh shell counts for its one waited-for child, wrk.
  bash -c 'wrk "$@" > "$0"; read -ra s < /proc/$$/stat; echo $((s[15] + s[16])) > "$0.wrk"' "$f" \
    -t2 -c"$connections" -d"${seconds}s" --latency -s collector/bench/reports.lua \
    "http://127.0.0.1:${port[$1]}/v1/sites/bench/reports"
  local s1 w1=0; s1=$(cpu /proc/"${pid[$1]}"/stat); [ -n "$w" ] && w1=$(cpu "$w")
  echo "$((s1 - s0)) $((w1 - w0)) $(cat "$f.wrk")" > "$f.cpu"
}
field() { # file what
  case $2 in
    rps) awk '/^Requests\/sec/ {print $2}' "$1" ;;
    requests) awk '/requests in/ {print $1}' "$1" ;;
    p50) awk '$1 == "50%" {print $2}' "$1" ;;
    p99) awk '$1 == "99%" {print $2}' "$1" ;;
    non2xx) awk '/Non-2xx/ {print $NF}' "$1" ;;
  esac
}
median() { # name: the file of the run with the median requests/s
  for f in "$out/wrk-$1-"[123].txt; do echo "$(field "$f" rps) $f"; done | sort -n | sed -n 2p | cut -d' ' -f2
}
us() { # ticks requests: microseconds per request
  awk -v t="$1" -v n="$2" -v hz="$tick" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}'
}
# A warm-up of each, then three rounds interleaved; each route's median run is reported.
for round in 0 1 2 3; do
  for name in "${names[@]}"; do run "$name" "$round"; done
done
rps_n=$(field "$(median noop)" rps)
row() { # name label
  local f; f=$(median "$1")
  local n; n=$(field "$f" requests)
  local server writer load; read -r server writer load < "$f.cpu"
  local stored=""
  [ "$1" = sqlite ] || [ "$1" = postgres ] && stored=$(curl -s "http://127.0.0.1:${port[$1]}/metrics" | awk '/^lifeline_reports_stored_total/ {print $2}')
  local mine; mine=$(us "$server" "$n")
  [ "$writer" != 0 ] && mine="$mine (writer $(us "$writer" "$n"))"
  echo "| $2 | $(field "$f" rps) | $(field "$f" p50) | $(field "$f" p99) | $(awk -v a="$(field "$f" rps)" -v b="$rps_n" 'BEGIN {printf "%.2f", a / b}') | $mine | $(us "$load" "$n") | $stored | $(field "$f" non2xx | grep . || echo 0) |"
}
{
  echo "| route | requests/s | p50 | p99 | / no-op | server CPU µs per request | wrk CPU µs per request | reports stored (all runs) | non-2xx |"
  echo "|---|---|---|---|---|---|---|---|---|"
  row noop "no-op axum route (ceiling)"
  row parse "parse-and-check route, nothing stored"
  row sqlite "POST reports on SQLite (validated, stored, committed)"
  [ -n "${BENCH_POSTGRES:-}" ] && row postgres "POST reports on PostgreSQL (one collector)"
  echo
  echo "(median of 3 interleaved runs per route; wrk -t2 -c$connections, ${seconds}s per run;" \
    "$(nproc) cores shared by wrk, the servers and PostgreSQL; one report per request)"
} | tee "$out/collector-load.md"
