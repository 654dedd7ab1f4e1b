#!/usr/bin/env bash
# `make bench`: runs the Go benchmarks, then starts the all-in-one function on
# a bench port against the local stack and measures the API over HTTP with
# cmd/bench. Paste the printed tables into BENCHMARKS.md with this command.
set -euo pipefail
cd "$(dirname "$0")/.."

addr="127.0.0.1:${BENCH_PORT:-18080}"
scenarios="${BENCH_SCENARIOS:-auth,write,feed,search,coldstart}"
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
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  curl -sf "http://$addr/health/readiness" >/dev/null && break
  kill -0 $pid 2>/dev/null || { echo "dailyfeed exited; see .local/log/bench-dailyfeed.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://$addr/health/readiness" >/dev/null || { echo "dailyfeed not ready; see .local/log/bench-dailyfeed.log" >&2; exit 1; }

go run ./cmd/bench -url "http://$addr" -scenarios "$scenarios" -d "$duration" -c "$clients"
