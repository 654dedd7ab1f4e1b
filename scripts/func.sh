#!/usr/bin/env bash
# Builds or deploys one function (or the all-in-one "dailyfeed") with func's
# host builder. func v0.44.0 needs the function to be the root package of a
# module literally named "function" (knative/func#3431: no monorepo support),
# so this stages a copy of the module under .stage/<fn>:
#   - the module is renamed to "function" and its own imports rewritten;
#   - for a single function, the root package is replaced by a file whose
#     New() returns functions/<fn>.New(), and the function's func.yaml is
#     copied to the stage root;
# then runs `func build` / `func deploy` on the stage.
#
#   scripts/func.sh build  <fn|dailyfeed> [func flags...]
#   scripts/func.sh deploy <fn|dailyfeed> [func flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

verb=${1:?usage: func.sh build|deploy <fn|dailyfeed>}
fn=${2:?usage: func.sh build|deploy <fn|dailyfeed>}
shift 2

FUNC=${FUNC:-$root/.local/bin/func}
[ -x "$FUNC" ] || { echo "func CLI not found at $FUNC: run 'make func-cli'" >&2; exit 1; }

module=$(go list -m)
stage=$root/.stage/$fn
rm -rf "$stage"
mkdir -p "$stage"

# Copy the tracked module files (never .local, .stage or .git).
git ls-files -z --cached --others --exclude-standard | grep -zv '^\.stage/' |
  while IFS= read -r -d '' f; do
    if [ -e "$f" ]; then cp --parents "$f" "$stage"/; fi
  done

if [ "$fn" != dailyfeed ]; then
  [ -f "functions/$fn/func.yaml" ] || { echo "no function $fn (functions/$fn/func.yaml)" >&2; exit 1; }
  # The root package becomes the single function; local tools importing
  # the all-in-one package are not part of it.
  rm -f "$stage"/*.go
  rm -rf "$stage/cmd/dailyfeed"
  cp "functions/$fn/func.yaml" "$stage/func.yaml"
  pkg=$(sed -n 's/^package \([a-z0-9_]*\)$/\1/p' "functions/$fn/function.go" | head -1)
  cat >"$stage/function.go" <<GO
// Package function is the staged root package of the $fn function.
package function

import fn "$module/functions/$fn"

// New returns the $fn function instance.
func New() *fn.Function { return fn.New() }
GO
  unset pkg
fi

# Rename the module to "function" and rewrite its own imports.
(cd "$stage" && go mod edit -module function)
find "$stage" -name '*.go' -print0 | xargs -0 sed -i "s#\"$module/#\"function/#g; s#\"$module\"#\"function\"#g"

cd "$stage"
export FUNC_ENABLE_HOST_BUILDER=true
export GOFLAGS="-mod=mod -buildvcs=false"
export GOWORK=off
case "$verb" in
  build)  "$FUNC" build --builder=host --path="$stage" "$@" ;;
  deploy) "$FUNC" deploy --builder=host --path="$stage" "$@" ;;
  *) echo "unknown verb $verb" >&2; exit 2 ;;
esac
