#!/usr/bin/env bash
# promtool.sh: checks the Prometheus rules of knative/ (part of `make test`):
# `promtool check rules` on the generated rule file
# (knative/monitoring/rules.yaml, the PrometheusRule's groups) and `promtool
# test rules` on their unit tests (internal/manifest/testdata/rules.test.yaml).
#
# promtool comes from Debian's prometheus package, installed with apt-get
# when missing (root or sudo), as scripts/stack.sh installs PostgreSQL.
# Without apt-get, root or sudo it stops with what to install: PROMTOOL may
# name a promtool binary instead.
#
# The PrometheusRule is a Kubernetes resource; promtool reads a plain rule
# file, which the generator writes from the same groups (internal/manifest,
# `make manifests`; its drift test keeps the two equal).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { printf 'promtool: %s\n' "$*" >&2; exit 1; }
as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

PROMTOOL=${PROMTOOL:-}
if [[ -z $PROMTOOL ]]; then
	if ! command -v promtool >/dev/null; then
		command -v apt-get >/dev/null || die "promtool not installed and no apt-get here: install Prometheus's promtool (Debian/Ubuntu package prometheus) or set PROMTOOL"
		((EUID == 0)) || command -v sudo >/dev/null || die "installing promtool (package prometheus) needs root or sudo; or set PROMTOOL to a promtool binary"
		printf 'promtool: installing the prometheus package (apt-get) for promtool\n'
		apt=(as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus)
		"${apt[@]}" || { as_root apt-get update -q && "${apt[@]}"; } || die "apt-get could not install prometheus"
		# The package starts a Prometheus server on :9090; only promtool is wanted.
		if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
			as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
		fi
	fi
	PROMTOOL=promtool
fi

"$PROMTOOL" check rules knative/monitoring/rules.yaml
"$PROMTOOL" test rules internal/manifest/testdata/rules.test.yaml
