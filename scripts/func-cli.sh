#!/usr/bin/env bash
# Builds the func CLI at the given version from its module source: `go
# install` of knative.dev/func fails through the module proxy, but building
# the downloaded module directory works.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: func-cli.sh <version>}
dir=$(go mod download -json "knative.dev/func@$version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
[ -d "$dir" ] || { echo "could not download knative.dev/func@$version" >&2; exit 1; }
src=$(mktemp -d)
trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
cp -r "$dir/." "$src"
chmod -R u+w "$src"
mkdir -p .local/bin
(cd "$src" && GOFLAGS=-mod=mod GOWORK=off go build -o "$OLDPWD/.local/bin/func" ./cmd/func)
echo "func $version built into .local/bin/func"
