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
# Spans go to Jaeger when it answers (`make observe`), unless an exporter
# is already configured.
if [[ -z ${OTEL_EXPORTER_OTLP_ENDPOINT:-}${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-} ]] &&
	timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4318' 2>/dev/null; then
	export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
	echo "run: exporting traces to $OTEL_EXPORTER_OTLP_ENDPOINT (Jaeger: http://127.0.0.1:16686)"
fi
# Not exec: the trap must run after the function exits.
.local/bin/dailyfeed
