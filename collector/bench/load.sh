#!/usr/bin/env bash
# The collector's load benchmark: the report endpoint (validated, stored durably in SQLite,
# answered 202 after the commit) next to a no-op axum route on the same stack, in the same
# run, with wrk. Prints requests/s, p50 and p99 for both and their ratio; the raw wrk output
# is kept under target/bench/.
#   collector/bench/load.sh [SECONDS] [CONNECTIONS]
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

db="sqlite://$dir/lifeline.db"
"$bin" site add bench --origin http://bench.test --database "$db" >/dev/null 2>&1
LIFELINE_LOG=warn "$bin" serve --listen 127.0.0.1:18080 --database "$db" --reports-per-minute 0 \
  --agent /nonexistent --www /nonexistent 2>"$dir/collector.log" &
pids+=($!)
"$noop" 127.0.0.1:18081 2>"$dir/noop.log" &
pids+=($!)
for port in 18080 18081; do
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
run noop 18081 0; run reports 18080 0
for round in 1 2 3; do run noop 18081 "$round"; run reports 18080 "$round"; done
noop=$(median noop); reports=$(median reports)
stored=$(curl -s http://127.0.0.1:18080/metrics | awk '/^lifeline_reports_stored_total/ {print $2}')
rps_r=$(field "$reports" rps); rps_n=$(field "$noop" rps)
{
  echo "| route | requests/s | p50 | p99 |"
  echo "|---|---|---|---|"
  echo "| no-op axum route (ceiling) | $rps_n | $(field "$noop" p50) | $(field "$noop" p99) |"
  echo "| POST reports (validated, stored, committed) | $rps_r | $(field "$reports" p50) | $(field "$reports" p99) |"
  echo
  echo "ingest / ceiling: $(awk -v a="$rps_r" -v b="$rps_n" 'BEGIN {printf "%.2f", a / b}')" \
    "(median of 3 interleaved runs per route; wrk -t2 -c$connections, ${seconds}s per run;" \
    "$(nproc) cores; one report per request; reports stored in all runs: $stored;" \
    "non-2xx answers: $(field "$reports" non2xx | grep . || echo 0))"
} | tee "$out/collector-load.md"
