package chaos

import (
	"fmt"
	"sort"
	"strings"
)

// Text is the report as `make chaos` prints it.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nlost %d   duplicated %d   wrong %d   stuck %d\n\n", r.Lost, r.Duplicated, r.Wrong, r.Stuck)
	for _, f := range r.Findings {
		fmt.Fprintln(&b, "  -", f)
	}
	fmt.Fprintf(&b, "events acknowledged   %d (%d requests, %d members)\n", r.Events, r.Operations, r.Members)
	fmt.Fprintf(&b, "load                  %.0f s, %.0f events/s\n", r.Seconds, r.EventsPerSec)
	var kinds []string
	total := 0
	for k, n := range r.Faults {
		kinds = append(kinds, fmt.Sprintf("%s ×%d", k, n))
		total += n
	}
	sort.Strings(kinds)
	fmt.Fprintf(&b, "faults injected       %d: %s\n", total, strings.Join(kinds, ", "))
	fmt.Fprintf(&b, "malformed records     %d\n", r.Poison)
	fmt.Fprintf(&b, "max delivery lag      %d records, oldest %.1f s\n", r.MaxLag, r.MaxLagAge)
	fmt.Fprintf(&b, "delivery retries      %d\n", r.Retries)
	fmt.Fprintf(&b, "requests cut          %d (sent whole, no answer; counted as unanswered)\n", r.Cut)
	fmt.Fprintf(&b, "drained in            %.1f s after the load\n", r.Drained)
	var ops []string
	for op := range r.Statuses {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintln(&b, "answers by operation (status: count, 0 = no answer):")
	for _, op := range ops {
		fmt.Fprintf(&b, "  %-40s %v\n", op, r.Statuses[op])
	}
	return b.String()
}
