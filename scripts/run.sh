#!/usr/bin/env bash
# Runs the all-in-one dailyfeed function in the foreground on the local stack
# (started by `make stack`). Ctrl-C stops it and then the servers that
# `make stack` started; servers that were already running are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

stop_stack() { ./scripts/stack.sh down || true; }
trap stop_stack EXIT

mkdir -p .local/bin
go build -o .local/bin/migrate ./cmd/migrate
go build -o .local/bin/dailyfeed ./cmd/dailyfeed
# The one-shot setup job (migrations, bucket) before the function starts,
# as the Kubernetes Job does on a cluster.
.local/bin/migrate
# Not exec: the trap must run after the function exits.
.local/bin/dailyfeed
