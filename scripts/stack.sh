#!/usr/bin/env bash
# stack.sh: dailyfeed's local stack (PostgreSQL, Redis, Kafka, MinIO), all
# on 127.0.0.1.
#
#   scripts/stack.sh up     [part...]   start what is missing, wait until it answers
#   scripts/stack.sh down   [part...]   stop what `up` started (never anything else)
#   scripts/stack.sh status [part...]   one line per part
#
# Parts: postgres redis kafka minio (default: all). A server already
# listening on a part's port is used as it is. Otherwise `up` starts a private
# one under $STACK_DIR (default .local, git-ignored): PostgreSQL and Redis from
# the Debian packages (installed with apt-get when missing), the kfake broker
# from ./cmd/kafka-broker, MinIO built from its pinned Go module.
#
# Environment:
#   STACK_DIR            state folder (default .local): data, log/, run/, bin/
#   STACK_BIN            where built servers go (default $STACK_DIR/bin)
#   STACK_PG_PORT        default: port of DATABASE_URL, else PGPORT, else 5432
#   STACK_REDIS_PORT     default 6379
#   STACK_KAFKA_PORT     default 9092
#   STACK_MINIO_PORT     default 9000 (console on STACK_MINIO_CONSOLE_PORT, default port+1)
#   STACK_WAIT           seconds to wait for a server to answer (default 60)
#   DATABASE_URL         postgres://user[:pass]@host[:port]/db: user, password,
#                        host and database name for the `dailyfeed` database
#                        (else PGUSER/PGHOST, default postgres@127.0.0.1/dailyfeed)
#   S3_ACCESS_KEY, S3_SECRET_KEY   MinIO root credentials (default minioadmin)
set -euo pipefail
cd "$(dirname "$0")/.."

MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
PARTS=(postgres redis kafka minio)

STACK_DIR=${STACK_DIR:-.local}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd) # absolute: servers run from other dirs
RUN=$STACK_DIR/run
LOG=$STACK_DIR/log
BIN=${STACK_BIN:-$STACK_DIR/bin} # binaries (kafka-broker, minio) may be shared between state folders
mkdir -p "$BIN"
BIN=$(cd "$BIN" && pwd)
WAIT=${STACK_WAIT:-60}
HOST=127.0.0.1
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

# PostgreSQL connection: DATABASE_URL, else libpq's PG* variables, else defaults.
pg_from_url() {
	local rest=${DATABASE_URL#*://} userinfo="" hostport
	rest=${rest%%\?*}
	if [[ $rest == *@* ]]; then userinfo=${rest%@*} rest=${rest##*@}; fi
	hostport=${rest%%/*}
	[[ $rest == */* ]] && PG_DB=${rest#*/}
	if [[ -n $userinfo ]]; then
		PG_USER=${userinfo%%:*}
		[[ $userinfo == *:* ]] && export PGPASSWORD=${userinfo#*:}
	fi
	[[ -n ${hostport%%:*} ]] && PG_HOST=${hostport%%:*}
	[[ $hostport == *:* ]] && PG_URL_PORT=${hostport##*:}
	return 0
}
PG_USER=${PGUSER:-postgres} PG_HOST=${PGHOST:-$HOST} PG_DB=dailyfeed PG_URL_PORT=${PGPORT:-5432}
[[ -n ${DATABASE_URL:-} ]] && pg_from_url
PG_DB=${PG_DB:-dailyfeed}

declare -A PORT=(
	[postgres]=${STACK_PG_PORT:-$PG_URL_PORT}
	[redis]=${STACK_REDIS_PORT:-6379}
	[kafka]=${STACK_KAFKA_PORT:-9092}
	[minio]=${STACK_MINIO_PORT:-9000}
)
MINIO_CONSOLE_PORT=${STACK_MINIO_CONSOLE_PORT:-$((PORT[minio] + 1))}

say() { printf '%s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }
rel() { printf '%s' "${1#"$PWD"/}"; } # path relative to the repo root, for messages

# listening HOST PORT: true when something accepts TCP connections there.
listening() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# proc_name PART: what the command line of PART's process contains.
proc_name() { case $1 in postgres) echo postgres ;; redis) echo redis-server ;; kafka) echo kafka-broker ;; minio) echo minio ;; esac; }

# ours PART: true when `up` started PART and it still runs. The pid file is
# checked against /proc so a recycled pid is never taken for ours.
ours() {
	local f=$RUN/$1.pid pid
	[[ -f $f ]] || return 1
	pid=$(<"$f")
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$(proc_name "$1")"; then
		return 0
	fi
	rm -f "$f" "$RUN/$1.port" # stale
	return 1
}

# running PART PORT DATA: report a server `up` started earlier; refuse when it
# runs on another port than asked for (two copies would share one data dir).
running() {
	local was
	was=$(cat "$RUN/$1.port" 2>/dev/null || echo "$2")
	[[ $was == "$2" ]] || die "$1: already started by stack.sh on port $was; run 'scripts/stack.sh down $1' first"
	say "$1: running $HOST:$2 (started earlier, data $(rel "$3"))"
}

# wait_ready PART LOGFILE CMD...: run CMD until it succeeds, fail after $WAIT
# seconds or as soon as the process we started has exited.
wait_ready() {
	local part=$1 log=$2 deadline=$((SECONDS + WAIT))
	shift 2
	until "$@" >/dev/null 2>&1; do
		# Only "is it still alive": right after the fork its command line is
		# still this shell's, so the name check of `ours` would misfire.
		if [[ -f $RUN/$part.pid ]] && ! kill -0 "$(cat "$RUN/$part.pid")" 2>/dev/null; then
			tail -n 20 "$log" >&2 || true
			die "$part exited during start; log: $(rel "$log")"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 20 "$log" >&2 || true
			die "$part did not answer on $HOST:${PORT[$part]} within ${WAIT}s; log: $(rel "$log")"
		fi
		sleep 0.5
	done
}

# background PART CMD...: start a server detached from this shell (own
# session, so a Ctrl-C in the caller's terminal does not stop it); record its pid.
background() {
	local part=$1
	shift
	setsid "$@" >>"$LOG/$part.log" 2>&1 </dev/null &
	echo $! >"$RUN/$part.pid"
	echo "${PORT[$part]}" >"$RUN/$part.port"
}

as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

# apt_install PKG...: install Debian packages, refreshing the lists only if needed.
apt_install() {
	command -v apt-get >/dev/null || die "$* not installed and no apt-get here; install it or start a server on the port"
	((EUID == 0)) || command -v sudo >/dev/null || die "installing $* needs root or sudo"
	say "installing $* (apt-get)"
	local apt=(as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@")
	"${apt[@]}" || { as_root apt-get update -q && "${apt[@]}"; }
}

# ---- PostgreSQL -------------------------------------------------------------

# pg_bindir: the bin dir of the newest Debian PostgreSQL server (of the
# existing cluster's version if there is one), else of an initdb on PATH;
# empty when there is none.
pg_bindir() {
	local want="*"
	[[ -f $STACK_DIR/postgres/PG_VERSION ]] && want=$(<"$STACK_DIR/postgres/PG_VERSION")
	{ compgen -G "/usr/lib/postgresql/$want/bin/initdb" || command -v initdb || true; } |
		sort -V | tail -n 1 | sed 's|/initdb$||'
}

pg_os_user() { # initdb refuses to run as root: use an unprivileged user
	if ((EUID != 0)); then id -un; return; fi
	if ! id postgres >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin postgres
	fi
	echo postgres
}

as_user() { # as_user USER CMD...
	local u=$1
	shift
	if [[ $u == "$(id -un)" ]]; then "$@"; else runuser -u "$u" -- "$@"; fi
}

psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "${PORT[postgres]}" -U "$PG_USER" "$@"; }

up_postgres() {
	local port=${PORT[postgres]} data=$STACK_DIR/postgres log=$LOG/postgres.log
	if ours postgres; then
		running postgres "$port" "$data"
	elif listening "$PG_HOST" "$port"; then
		say "postgres: using $PG_HOST:$port (already running)"
	elif [[ $PG_HOST != 127.0.0.1 && $PG_HOST != localhost ]]; then
		die "postgres: nothing answers on $PG_HOST:$port and only loopback servers are started here"
	else
		start_postgres "$port" "$data" "$log"
		say "postgres: started $HOST:$port (data $(rel "$data"))"
	fi
	command -v psql >/dev/null || apt_install postgresql-client
	wait_ready postgres "$log" psql_ -d postgres -c 'select 1'
	ensure_database
}

start_postgres() {
	local port=$1 data=$2 log=$3 bin user
	bin=$(pg_bindir)
	if [[ -z $bin ]]; then
		# Without this, the package creates and starts a system cluster on 5432.
		as_root mkdir -p /etc/postgresql-common/createcluster.d
		echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.d/dailyfeed.conf >/dev/null
		apt_install postgresql
		bin=$(pg_bindir)
		[[ -n $bin ]] || die "postgres: no server under /usr/lib/postgresql/*/bin after installing"
	fi
	user=$(pg_os_user)
	mkdir -p "$data" && touch "$log"
	chown "$user" "$data" "$log" && chmod 700 "$data"
	as_user "$user" test -w "$data" ||
		die "postgres: OS user $user cannot reach $data (a parent folder is not world-searchable); set STACK_DIR to a folder it can reach"
	if [[ ! -f $data/PG_VERSION ]]; then
		as_user "$user" "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >>"$log" 2>&1 ||
			die "postgres: initdb failed; log: $(rel "$log")"
		cat >>"$data/postgresql.conf" <<-EOF
			# dailyfeed stack: loopback only, socket inside the data dir.
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$data'
		EOF
	fi
	# -p here, not in postgresql.conf, so STACK_PG_PORT can change between runs.
	as_user "$user" "$bin/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t "$WAIT" start >/dev/null ||
		{ tail -n 20 "$log" >&2; die "postgres: pg_ctl start failed; log: $(rel "$log")"; }
	head -n 1 "$data/postmaster.pid" >"$RUN/postgres.pid"
	echo "$port" >"$RUN/postgres.port"
}

ensure_database() {
	local ctype
	ctype=$(psql_ -d postgres -tAc "select datctype from pg_database where datname = '$PG_DB'")
	if [[ -z $ctype ]]; then
		# Under plain C, pg_trgm makes no trigrams for Korean (DESIGN.md §4).
		psql_ -d postgres -c "CREATE DATABASE \"$PG_DB\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
		say "postgres: created database $PG_DB"
	elif [[ $ctype != C.UTF-8 ]]; then
		say "postgres: WARNING database $PG_DB has LC_CTYPE $ctype, not C.UTF-8: Korean search will not work" >&2
	fi
	psql_ -d "$PG_DB" -c 'SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_trgm'
}

down_postgres() {
	local data=$STACK_DIR/postgres bin
	bin=$(pg_bindir)
	if [[ -n $bin && -f $data/postmaster.pid ]] &&
		as_user "$(stat -c %U "$data")" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; then
		rm -f "$RUN/postgres.pid" "$RUN/postgres.port"
		say "postgres: stopped"
	else
		stop_pid postgres
	fi
}

# ---- Redis ------------------------------------------------------------------

up_redis() {
	local port=${PORT[redis]} data=$STACK_DIR/redis log=$LOG/redis.log
	if ours redis; then
		running redis "$port" "$data"
	elif listening "$HOST" "$port"; then
		say "redis: using $HOST:$port (already running)"
	else
		command -v redis-server >/dev/null || apt_install redis-server
		# The package may have started its own service on our port.
		if listening "$HOST" "$port"; then
			say "redis: using $HOST:$port (system service started by the package)"
		else
			mkdir -p "$data"
			redis-server --bind 127.0.0.1 --port "$port" --dir "$data" --daemonize yes \
				--pidfile "$RUN/redis.pid" --logfile "$log" ||
				die "redis: redis-server failed; log: $(rel "$log")"
			echo "$port" >"$RUN/redis.port"
			say "redis: started $HOST:$port (data $(rel "$data"))"
		fi
	fi
	wait_ready redis "$log" redis_ping "$port"
}

redis_ping() { # PING without redis-cli
	exec 3<>"/dev/tcp/$HOST/$1" || return 1
	printf 'PING\r\n' >&3
	local reply
	read -r -t 2 reply <&3 || true
	exec 3<&-
	[[ $reply == +PONG* ]]
}

# ---- Kafka (kfake) ----------------------------------------------------------

up_kafka() {
	local port=${PORT[kafka]} data=$STACK_DIR/kafka log=$LOG/kafka.log
	if ours kafka; then
		running kafka "$port" "$data"
	elif listening "$HOST" "$port"; then
		say "kafka: using $HOST:$port (already running)"
	else
		"$GO" build -o "$BIN/kafka-broker" ./cmd/kafka-broker
		background kafka "$BIN/kafka-broker" -addr "$HOST:$port" -data "$data"
		wait_ready kafka "$log" listening "$HOST" "$port"
		say "kafka: started $HOST:$port (data $(rel "$data"))"
	fi
}

# ---- MinIO ------------------------------------------------------------------

up_minio() {
	local port=${PORT[minio]} data=$STACK_DIR/minio log=$LOG/minio.log
	if ours minio; then
		running minio "$port" "$data"
	elif listening "$HOST" "$port"; then
		say "minio: using $HOST:$port (already running)"
	else
		build_minio
		command -v curl >/dev/null || apt_install curl
		mkdir -p "$data"
		# Bucket notifications of new image originals go to Kafka (the
		# target arn:minio:sqs::DAILYFEED:kafka, S3_NOTIFY_ARN), where the
		# thumbnail-image sink's KafkaSource reads them; the queue dir keeps
		# them while the broker is down.
		background minio env MINIO_ROOT_USER="${S3_ACCESS_KEY:-minioadmin}" \
			MINIO_ROOT_PASSWORD="${S3_SECRET_KEY:-minioadmin}" MINIO_UPDATE=off \
			MINIO_NOTIFY_KAFKA_ENABLE_DAILYFEED=on \
			MINIO_NOTIFY_KAFKA_BROKERS_DAILYFEED="$HOST:${PORT[kafka]}" \
			MINIO_NOTIFY_KAFKA_TOPIC_DAILYFEED="${IMAGE_UPLOADS_TOPIC:-image-uploads}" \
			MINIO_NOTIFY_KAFKA_QUEUE_DIR_DAILYFEED="$STACK_DIR/minio-events" \
			"$BIN/minio" server "$data" \
			--address "$HOST:$port" --console-address "$HOST:$MINIO_CONSOLE_PORT"
		wait_ready minio "$log" curl -sf "http://$HOST:$port/minio/health/live"
		say "minio: started $HOST:$port (data $(rel "$data"), console $HOST:$MINIO_CONSOLE_PORT)"
	fi
}

# build_minio: go install the pinned MinIO unless the stamp says it is there.
# (`minio --version` of a go-installed binary says DEVELOPMENT, hence the stamp.)
build_minio() {
	local stamp=$BIN/minio.version
	if [[ -x $BIN/minio && -f $stamp && $(<"$stamp") == "$MINIO_VERSION" ]]; then return; fi
	say "minio: building $MINIO_MODULE@$MINIO_VERSION (a few minutes the first time)"
	rm -f "$stamp"
	GOBIN=$BIN "$GO" install "$MINIO_MODULE@$MINIO_VERSION"
	echo "$MINIO_VERSION" >"$stamp"
}

# ---- stopping and status ----------------------------------------------------

# stop_pid PART: SIGTERM the process `up` started, SIGKILL after 30 s.
stop_pid() {
	local part=$1 pid i
	if ! ours "$part"; then return; fi
	pid=$(<"$RUN/$part.pid")
	kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 60; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$part: did not stop in 30s, killing pid $pid"
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$RUN/$part.pid" "$RUN/$part.port"
	say "$part: stopped (pid $pid)"
}

down_part() {
	local part=$1
	if ! ours "$part"; then
		say "$part: not started by stack.sh, left alone"
		return
	fi
	case $part in
	postgres) down_postgres ;;
	*) stop_pid "$part" ;;
	esac
}

status_part() {
	local part=$1 host=$HOST port=${PORT[$1]} state who
	[[ $part == postgres ]] && host=$PG_HOST
	ours "$part" && [[ -f $RUN/$part.port ]] && port=$(<"$RUN/$part.port")
	if listening "$host" "$port"; then state=up; else state=down; fi
	if ours "$part"; then
		who="started by stack.sh (pid $(<"$RUN/$part.pid"))"
	elif [[ $state == up ]]; then
		who=external
	else
		who=-
	fi
	printf '%-9s %-16s %-5s %s\n' "$part" "$host:$port" "$state" "$who"
}

# status_delivery: the delivery's lag, when a delivery (make run, cmd/sinks)
# answers on SINKS_LISTEN_ADDRESS: records waiting and stuck partitions
# over every consumer group and partition (GET /delivery has the detail).
status_delivery() {
	local addr=${SINKS_LISTEN_ADDRESS:-127.0.0.1:8081} doc code lag stuck age
	command -v curl >/dev/null || return 0
	doc=$(curl -s -m 5 -w '\n%{http_code}' "http://$addr/delivery" 2>/dev/null) || {
		printf '%-9s %-16s %-5s %s\n' delivery "$addr" down "-"
		return 0
	}
	code=${doc##*$'\n'}
	doc=${doc%$'\n'*}
	lag=$(grep -o '"lag":[0-9]*' <<<"$doc" | awk -F: '{s += $2} END {print s + 0}')
	age=$(grep -o '"oldestAgeNanos":[0-9]*' <<<"$doc" | awk -F: '$2 > m {m = $2} END {printf "%.1f", m / 1e9}')
	stuck=$(grep -o '"stuck":[0-9]*' <<<"$doc" | head -n 1 | cut -d: -f2)
	printf '%-9s %-16s %-5s %s\n' delivery "$addr" "$([[ $code == 200 ]] && echo up || echo STUCK)" \
		"lag ${lag} records, oldest ${age}s, ${stuck:-?} stuck partitions (http://$addr/delivery)"
}

main() {
	local cmd=${1:-} part
	shift || true
	local parts=("$@")
	((${#parts[@]})) || parts=("${PARTS[@]}")
	for part in "${parts[@]}"; do
		[[ -v PORT[$part] ]] || die "unknown part $part (want: ${PARTS[*]})"
	done
	mkdir -p "$RUN" "$LOG" "$BIN"
	case $cmd in
	up) for part in "${parts[@]}"; do "up_$part"; done ;;
	down) for ((i = ${#parts[@]} - 1; i >= 0; i--)); do down_part "${parts[i]}"; done ;;
	status)
		for part in "${parts[@]}"; do status_part "$part"; done
		(($#)) || status_delivery
		;;
	*) die "usage: $0 up|down|status [${PARTS[*]}]" ;;
	esac
}

main "$@"
