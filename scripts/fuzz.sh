#!/usr/bin/env bash
# Runs every go test fuzz target of the module, one after another, each for
# FUZZTIME (default 30s). Targets are found with `go test -list 'Fuzz.*'`, so
# a new one is picked up without editing this script. A crash stops the run;
# the failing input is written under the package's testdata/fuzz/FuzzXxx/,
# where `go test` (and so `make test`) replays it from then on.
#
#   FUZZTIME=10m ./scripts/fuzz.sh                # every target
#   ./scripts/fuzz.sh ./internal/search            # the targets of some packages
#   NICE=19 FUZZTIME=60s ./scripts/fuzz.sh         # at the lowest CPU priority
#   FUZZWORKERS=1 ./scripts/fuzz.sh                # one fuzzing worker per target
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
NICE=${NICE:-0}
workers=()
if [ -n "${FUZZWORKERS:-}" ]; then workers=(-parallel "$FUZZWORKERS"); fi
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
	mapfile -t pkgs < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u)
fi
for pkg in "${pkgs[@]}"; do
	for target in $($GO test -list 'Fuzz.*' "$pkg" | grep '^Fuzz' || true); do
		echo "== $pkg $target ($FUZZTIME)"
		nice -n "$NICE" $GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "${workers[@]}" "$pkg"
	done
done
