#!/usr/bin/env bash
# The chat load benchmark: one release collector holding VISITORS chat WebSockets and
# STREAMS staff live streams at once (2,000 together by default), each visitor writing a
# message every INTERVAL seconds for SECONDS. Prints the collector's memory (RSS, read
# halfway, and its peak) and the message latency (send to echo: stored, committed, fanned
# out). Raw output under target/bench/.
#   collector/bench/chat.sh [VISITORS] [STREAMS] [SECONDS] [INTERVAL]
set -euo pipefail
cd "$(dirname "$0")/../.."
visitors=${1:-1500}
streams=${2:-500}
seconds=${3:-30}
interval=${4:-10}
out=target/bench
mkdir -p "$out"
ulimit -n 20000 2>/dev/null || true

cargo build --profile server -p lifeline-collector --bin lifeline-collector --example chat_load --locked
bin=target/server/lifeline-collector
load=target/server/examples/chat_load

dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

db="sqlite://$dir/lifeline.db"
"$bin" site add bench --origin http://bench.test --database "$db" >/dev/null 2>&1
token=$("$bin" staff add bench ana --role owner --database "$db" 2>/dev/null)
LIFELINE_LOG=warn "$bin" serve --listen 127.0.0.1:18090 --database "$db" --reports-per-minute 0 \
  --agent /nonexistent --www /nonexistent 2>"$dir/collector.log" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18090/healthz && break; sleep 0.1; done
idle=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)

rm -f "$out/chat-load.txt"
"$load" 127.0.0.1:18090 bench http://bench.test "$token" "$visitors" "$streams" "$seconds" "$interval" \
  > "$out/chat-load.txt" 2> "$out/chat-load.err" &
client=$!
# Halfway through, with every connection held: the collector's resident memory.
until grep -q HALFWAY "$out/chat-load.txt" 2>/dev/null; do
  kill -0 $client 2>/dev/null || { cat "$out/chat-load.err"; exit 1; }
  sleep 0.5
done
held=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
fds=$(ls /proc/$pid/fd | wc -l)
wait $client
peak=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)
{
  echo "| figure | value |"
  echo "|---|---|"
  grep '^|' "$out/chat-load.txt"
  echo "| collector's open files, halfway | $fds |"
  echo "| collector's RSS: idle / holding them all / peak | $((idle / 1024)) MiB / $((held / 1024)) MiB / $((peak / 1024)) MiB |"
} | tee "$out/chat-load.md"
