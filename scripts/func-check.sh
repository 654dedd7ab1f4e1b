#!/usr/bin/env bash
# Part of `make test`: proves the func packaging works on this machine, with
# no container engine. Stages and builds, with func's host builder, one HTTP
# function, one CloudEvent function and the root all-in-one function, then
# checks each build produced an OCI image layout with an image manifest.
# (func's host builder makes every default platform; it refuses --platform.)
set -euo pipefail
cd "$(dirname "$0")/.."

functions=${FUNC_CHECK_FUNCTIONS:-"jwks relay-outbox dailyfeed"}
for fn in $functions; do
  echo "func-check: building $fn with func's host builder"
  start=$SECONDS
  if ! ./scripts/func.sh build "$fn" --registry localhost/dailyfeed \
      >".local/log/func-build-$fn.log" 2>&1; then
    tail -30 ".local/log/func-build-$fn.log" >&2
    echo "func-check: build of $fn failed (log .local/log/func-build-$fn.log)" >&2
    exit 1
  fi
  index=.stage/$fn/.func/builds/last/oci/index.json
  if ! grep -q '"application/vnd.oci.image.manifest.v1+json"' "$index" 2>/dev/null; then
    echo "func-check: $fn produced no OCI image ($index)" >&2
    exit 1
  fi
  echo "func-check: $fn OK: OCI image in .stage/$fn/.func/builds/last/oci ($((SECONDS - start)) s)"
done
