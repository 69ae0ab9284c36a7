#!/usr/bin/env bash
# The collector's load benchmark: the report endpoint (validated, stored durably, answered
# 202 after the commit) on SQLite and on PostgreSQL, next to a no-op axum route on the same
# stack, in the same run, with wrk. Prints requests/s, p50 and p99 for each and the ratios
# to the no-op; the raw wrk output is kept under target/bench/.
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
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

serve() { # port database
  "$bin" site add bench --origin http://bench.test --database "$2" >/dev/null 2>&1
  LIFELINE_LOG=warn "$bin" serve --listen "127.0.0.1:$1" --database "$2" --reports-per-minute 0 \
    --agent /nonexistent --www /nonexistent 2>"$dir/collector-$1.log" &
  pids+=($!)
}
serve 18080 "sqlite://$dir/lifeline.db"
ports=(18080 18081)
if [ -n "${BENCH_POSTGRES:-}" ]; then
  serve 18082 "$BENCH_POSTGRES"
  ports+=(18082)
fi
"$noop" 127.0.0.1:18081 2>"$dir/noop.log" &
pids+=($!)
for port in "${ports[@]}"; do
  for _ in $(seq 100); do curl -s -o /dev/null -X POST "http://127.0.0.1:$port/v1/sites/bench/reports" && break; sleep 0.1; done
done

run() { # name port round
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s collector/bench/reports.lua \
    "http://127.0.0.1:$2/v1/sites/bench/reports" > "$out/wrk-$1-$3.txt"
}
field() { # file what
  case $2 in
    rps) awk '/^Requests\/sec/ {print $2}' "$1" ;;
    p50) awk '$1 == "50%" {print $2}' "$1" ;;
    p99) awk '$1 == "99%" {print $2}' "$1" ;;
    non2xx) awk '/Non-2xx/ {print $NF}' "$1" ;;
  esac
}
median() { # name: the file of the run with the median requests/s
  for f in "$out/wrk-$1-"[123].txt; do echo "$(field "$f" rps) $f"; done | sort -n | sed -n 2p | cut -d' ' -f2
}
# A warm-up of each, then three rounds interleaved; each route's median run is reported.
run noop 18081 0; run sqlite 18080 0
[ -n "${BENCH_POSTGRES:-}" ] && run postgres 18082 0
for round in 1 2 3; do
  run noop 18081 "$round"; run sqlite 18080 "$round"
  [ -n "${BENCH_POSTGRES:-}" ] && run postgres 18082 "$round"
done
noop=$(median noop); rps_n=$(field "$noop" rps)
row() { # name label port
  local f; f=$(median "$1")
  local stored; stored=$(curl -s "http://127.0.0.1:$3/metrics" | awk '/^lifeline_reports_stored_total/ {print $2}')
  echo "| $2 | $(field "$f" rps) | $(field "$f" p50) | $(field "$f" p99) | $(awk -v a="$(field "$f" rps)" -v b="$rps_n" 'BEGIN {printf "%.2f", a / b}') | $stored | $(field "$f" non2xx | grep . || echo 0) |"
}
{
  echo "| route | requests/s | p50 | p99 | / no-op | reports stored (all runs) | non-2xx |"
  echo "|---|---|---|---|---|---|---|"
  echo "| no-op axum route (ceiling) | $rps_n | $(field "$noop" p50) | $(field "$noop" p99) | 1.00 | | |"
  row sqlite "POST reports on SQLite (validated, stored, committed)" 18080
  [ -n "${BENCH_POSTGRES:-}" ] && row postgres "POST reports on PostgreSQL (one collector)" 18082
  echo
  echo "(median of 3 interleaved runs per route; wrk -t2 -c$connections, ${seconds}s per run;" \
    "$(nproc) cores shared by wrk, the collectors and PostgreSQL; one report per request)"
} | tee "$out/collector-load.md"
