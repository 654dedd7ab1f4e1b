#!/usr/bin/env bash
# `make bench`: runs the Go benchmarks, then starts the all-in-one function on
# a bench port against the local stack and measures the API over HTTP with
# cmd/bench. Paste the printed tables into BENCHMARKS.md with this command.
#
# BENCH_SCENARIOS picks cmd/bench's scenarios (default: all of them):
#   auth, write (with the commit-to-broker lag), feed, search,
#   coldstart (exec to first 2xx; BENCH_COLDSTART_RUNS, default 20),
#   fanout (own schema bench_fanout; BENCH_FANOUT_SIZES, BENCH_FANOUT_POSTS).
# BENCH_FEED_MEMBERS (opt-in, e.g. "100000"): after the run, the feed scenario
# again over a dataset of that many members (BENCH_FOLLOWS followings each,
# 20 posts per member) in schema bench_m<n>, served by a second all-in-one
# function on BENCH_PORT+1. 100 000 members is 20 000 000 follows: seeding it
# takes a long while the first time (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."

addr="127.0.0.1:${BENCH_PORT:-18080}"
scenarios="${BENCH_SCENARIOS:-auth,write,feed,search,coldstart,fanout}"
duration="${BENCH_DURATION:-10s}"
clients="${BENCH_CLIENTS:-16}"

echo "== Go benchmarks"
go test -run '^$' -bench . -benchtime "${BENCH_TIME:-2s}" ./... | grep -E '^(Benchmark|ok|PASS|FAIL|goos|cpu)' || true

# The HTTP scenarios run in a schema and Redis namespace of their own, over
# the dataset of cmd/seed (kept between runs; BENCH_MEMBERS, BENCH_FOLLOWS,
# BENCH_POSTS size it: 10 000 members, 200 followings each, 200 000 posts).
export DATABASE_SCHEMA="${BENCH_SCHEMA:-bench}"
export REDIS_PREFIX="${BENCH_REDIS_PREFIX:-bench:}"

echo
echo "== Seed dataset (schema $DATABASE_SCHEMA)"
go run ./cmd/seed

echo
echo "== HTTP load against the all-in-one function on $addr"
mkdir -p .local/bin .local/log
go build -o .local/bin/migrate ./cmd/migrate
go build -o .local/bin/dailyfeed ./cmd/dailyfeed
.local/bin/migrate # the setup job: the function itself never migrates
LISTEN_ADDRESS="$addr" .local/bin/dailyfeed >.local/log/bench-dailyfeed.log 2>&1 &
pid=$!
scale_pid=
trap 'kill $pid $scale_pid 2>/dev/null; wait $pid $scale_pid 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  curl -sf "http://$addr/health/readiness" >/dev/null && break
  kill -0 $pid 2>/dev/null || { echo "dailyfeed exited; see .local/log/bench-dailyfeed.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://$addr/health/readiness" >/dev/null || { echo "dailyfeed not ready; see .local/log/bench-dailyfeed.log" >&2; exit 1; }

go run ./cmd/bench -url "http://$addr" -scenarios "$scenarios" -d "$duration" -c "$clients"

# Feed at other sizes: one dataset and one function per size.
feed_members=${BENCH_FEED_MEMBERS:-}
for n in ${feed_members//,/ }; do
  echo
  echo "== follow-feed over $n members (schema bench_m$n)"
  scale_addr="127.0.0.1:$(( ${BENCH_PORT:-18080} + 1 ))"
  export DATABASE_SCHEMA="bench_m$n" REDIS_PREFIX="bench_m$n:"
  go run ./cmd/seed -members "$n" -follows "${BENCH_FOLLOWS:-200}" -posts "$(( n * 20 ))"
  .local/bin/migrate
  # No sinks (they would share the consumer groups of the first function)
  # and no metrics port (the first function has it).
  LISTEN_ADDRESS="$scale_addr" LOCAL_SINKS=off METRICS_ADDRESS=off \
    .local/bin/dailyfeed >".local/log/bench-dailyfeed-m$n.log" 2>&1 &
  scale_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://$scale_addr/health/readiness" >/dev/null && break
    sleep 0.5
  done
  BENCH_MEMBERS="$n" go run ./cmd/bench -url "http://$scale_addr" -scenarios feed -d "$duration" -c "$clients" || status=$?
  kill $scale_pid 2>/dev/null; wait $scale_pid 2>/dev/null || true
  [ "${status:-0}" = 0 ] || exit "$status"
done
