#!/usr/bin/env bash
# trace.sh TRACE_ID: print a trace Jaeger keeps (`make observe`) as an
# indented span tree: service, operation, duration. Waits up to 10 s for
# the sinks' spans (the trace grows while the events are delivered).
#   JAEGER_QUERY (default http://127.0.0.1:16686)
set -euo pipefail
id=${1:?usage: $0 TRACE_ID}
q=${JAEGER_QUERY:-http://127.0.0.1:16686}
command -v jq >/dev/null || { echo "trace.sh needs jq (apt-get install jq)" >&2; exit 1; }
doc=
for _ in $(seq 20); do
	doc=$(curl -sf "$q/api/traces/$id" || true)
	if [[ -n $doc ]] && jq -e '[.data[0].spans[].operationName] | any(endswith(" process"))' <<<"$doc" >/dev/null 2>&1; then
		sleep 1 # the last sinks' spans
		doc=$(curl -sf "$q/api/traces/$id")
		break
	fi
	sleep 0.5
done
[[ -n $doc ]] || { echo "trace $id: not in Jaeger at $q" >&2; exit 1; }
jq -r '
  .data[0] as $t
  | ($t.spans | map({key: .spanID, value: .}) | from_entries) as $by
  | ($t.spans | group_by((.references // []) | map(select(.refType == "CHILD_OF"))[0].spanID // "")
       | map({key: (.[0].references // [] | map(select(.refType == "CHILD_OF"))[0].spanID // ""), value: (sort_by(.startTime))})
       | from_entries) as $kids
  | def walk($id; $d): ($kids[$id] // [])[] | ("  " * $d) + $t.processes[.processID].serviceName + "  " + .operationName
        + "  " + ((.duration / 1000 * 100 | round / 100) | tostring) + " ms", walk(.spanID; $d + 1);
    ($t.spans | map(select(((.references // []) | map(select(.refType == "CHILD_OF")) | length) == 0 or ($by[(.references[0].spanID)] == null))))
    | sort_by(.startTime)[] | . as $root
    | ($t.processes[$root.processID].serviceName + "  " + $root.operationName + "  " + (($root.duration / 1000 * 100 | round / 100) | tostring) + " ms"),
      walk($root.spanID; 1)' <<<"$doc"
