#!/usr/bin/env bash
# observe.sh: Jaeger and Prometheus on loopback, for local runs (`make observe`).
#
#   scripts/observe.sh [up]     build Jaeger if needed, start both (reusing running ones)
#   scripts/observe.sh down     stop what `up` started
#   scripts/observe.sh status   what runs
#   scripts/observe.sh build    only build Jaeger into .local/bin
#
# Jaeger v2 (the pinned Go module, built with `go build` like MinIO in
# stack.sh; the first build takes several minutes) keeps traces in memory:
# OTLP/HTTP on 127.0.0.1:4318 (where `make run` exports when it answers),
# OTLP/gRPC on 4317, its query API on http://127.0.0.1:16686. Prometheus
# (Debian's package) scrapes the all-in-one's metrics on 127.0.0.1:9464 and
# serves http://127.0.0.1:9090. State and logs are under .local/observe.
#
# Environment: STACK_DIR (default .local), JAEGER_PORT_QUERY (16686),
# PROMETHEUS_PORT (9090), METRICS_ADDRESS (what Prometheus scrapes,
# default 127.0.0.1:9464).
set -euo pipefail
cd "$(dirname "$0")/.."

JAEGER_MODULE=github.com/jaegertracing/jaeger
JAEGER_VERSION=v1.75.0 # its cmd/jaeger is Jaeger v2 (an OpenTelemetry Collector distribution)
HOST=127.0.0.1
STACK_DIR=${STACK_DIR:-.local}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)
BIN=${STACK_BIN:-$STACK_DIR/bin}
DIR=$STACK_DIR/observe
RUN=$DIR/run
LOG=$DIR/log
mkdir -p "$BIN" "$RUN" "$LOG"
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
QUERY_PORT=${JAEGER_PORT_QUERY:-16686}
PROM_PORT=${PROMETHEUS_PORT:-9090}
SCRAPE=${METRICS_ADDRESS:-127.0.0.1:9464}
WAIT=${STACK_WAIT:-60}

say() { printf '%s\n' "$*"; }
die() { printf 'observe: %s\n' "$*" >&2; exit 1; }
listening() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

# ours NAME: true when `up` started NAME and it still runs.
ours() {
	local f=$RUN/$1.pid pid
	[[ -f $f ]] || return 1
	pid=$(<"$f")
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$1"; then
		return 0
	fi
	rm -f "$f"
	return 1
}

background() {
	local name=$1
	shift
	setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
	echo $! >"$RUN/$name.pid"
}

# wait_port NAME PORT: until PORT answers, or fail when NAME exited.
wait_port() {
	local deadline=$((SECONDS + WAIT))
	until listening "$HOST" "$2"; do
		if ! kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; then
			tail -n 20 "$LOG/$1.log" >&2 || true
			die "$1 exited during start; log: $LOG/$1.log"
		fi
		((SECONDS < deadline)) || die "$1 did not answer on $HOST:$2 within ${WAIT}s; log: $LOG/$1.log"
		sleep 0.3
	done
}

# build_jaeger: build the pinned Jaeger unless the stamp says it is there.
# Its go.mod has a replace directive, which `go install module@version`
# refuses: it is built as the tool of a throwaway module instead.
build_jaeger() {
	local stamp=$BIN/jaeger.version mod=$DIR/jaeger-build
	if [[ -x $BIN/jaeger && -f $stamp && $(<"$stamp") == "$JAEGER_VERSION" ]]; then return; fi
	say "jaeger: building $JAEGER_MODULE/cmd/jaeger@$JAEGER_VERSION (several minutes the first time)"
	rm -rf "$mod" "$stamp"
	mkdir -p "$mod"
	(
		cd "$mod"
		"$GO" mod init dailyfeed.local/jaeger-build >/dev/null 2>&1
		"$GO" get -tool "$JAEGER_MODULE/cmd/jaeger@$JAEGER_VERSION"
		"$GO" build -trimpath -o "$BIN/jaeger" "$JAEGER_MODULE/cmd/jaeger"
	)
	echo "$JAEGER_VERSION" >"$stamp"
}

up_jaeger() {
	if ours jaeger; then
		say "jaeger: running, query API http://$HOST:$QUERY_PORT"
		return
	fi
	if listening "$HOST" 4318; then
		say "jaeger: something already answers on $HOST:4318 (OTLP/HTTP); using it"
		return
	fi
	build_jaeger
	background jaeger env JAEGER_QUERY_PORT="$QUERY_PORT" "$BIN/jaeger" --config "$PWD/scripts/jaeger.yaml"
	wait_port jaeger 4318
	wait_port jaeger "$QUERY_PORT"
	say "jaeger: started, OTLP http://$HOST:4318 (gRPC $HOST:4317), query API http://$HOST:$QUERY_PORT (log $LOG/jaeger.log)"
}

up_prometheus() {
	if ours prometheus; then
		say "prometheus: running, http://$HOST:$PROM_PORT"
		return
	fi
	if ! command -v prometheus >/dev/null; then
		command -v apt-get >/dev/null || die "prometheus not installed and no apt-get here: install Prometheus"
		say "installing prometheus (apt-get)"
		local apt=(as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus)
		"${apt[@]}" || { as_root apt-get update -q && "${apt[@]}"; } || die "apt-get could not install prometheus"
		# Debian's package may start its own service on every interface.
		if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
			as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
		fi
	fi
	cat >"$DIR/prometheus.yml" <<-YAML
		# Written by scripts/observe.sh.
		global:
		  scrape_interval: 5s
		  evaluation_interval: 5s
		scrape_configs:
		  - job_name: dailyfeed
		    static_configs:
		      - targets: ["$SCRAPE"]
		  - job_name: jaeger
		    static_configs:
		      - targets: ["$HOST:8888"]
	YAML
	background prometheus prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/prometheus" \
		--storage.tsdb.retention.time=2d --web.listen-address="$HOST:$PROM_PORT"
	wait_port prometheus "$PROM_PORT"
	say "prometheus: started http://$HOST:$PROM_PORT, scraping $SCRAPE (log $LOG/prometheus.log)"
}

down() {
	local name pid i
	for name in prometheus jaeger; do
		ours "$name" || continue
		pid=$(<"$RUN/$name.pid")
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$RUN/$name.pid"
		say "$name: stopped"
	done
}

status() {
	local name
	for name in jaeger prometheus; do
		if ours "$name"; then say "$name: running (pid $(<"$RUN/$name.pid"))"; else say "$name: not started by observe.sh"; fi
	done
}

case ${1:-up} in
up) up_jaeger && up_prometheus ;;
down) down ;;
status) status ;;
build) build_jaeger ;;
*) die "usage: $0 [up|down|status|build]" ;;
esac
