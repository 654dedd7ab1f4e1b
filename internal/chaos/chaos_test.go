package chaos

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// logWriter sends the run's progress to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestSmallChaosRun is make test's chaos run: about 5 000 events from 60
// members while every fault kind is injected once; nothing may be lost,
// duplicated, wrong or stuck. The accounting is then tested itself: three
// planted defects must be found.
//
// Its ports (and state folder) depend on the process, so two test runs on
// one machine do not share servers.
func TestSmallChaosRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos run starts servers of its own; not part of -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Options{Events: 5000, Members: 60, Workers: 8, Schedule: SmallSchedule,
		PortBase: 25500 + 10*(os.Getpid()%40), Drain: 3 * time.Minute, Log: logWriter{t}, CheckTheCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Text())
	if !rep.Zero() {
		t.Errorf("lost %d, duplicated %d, wrong %d, stuck %d; want all 0", rep.Lost, rep.Duplicated, rep.Wrong, rep.Stuck)
	}
	kinds := map[Fault]bool{}
	for _, f := range SmallSchedule {
		kinds[f] = true
	}
	for f := range kinds {
		if rep.Faults[string(f)] == 0 {
			t.Errorf("fault %q was not injected", f)
		}
	}
	if rep.Events < 5000 {
		t.Errorf("%d events acknowledged, want 5000", rep.Events)
	}
	if rep.Poison == 0 {
		t.Error("no malformed record was produced")
	}
	if p := rep.Planted; p == nil || p.Lost < 2 || p.Wrong < 1 {
		t.Errorf("the accounting missed planted defects (a lost activity row, a lost fan-out, a wrong count): %+v", p)
	}
}
