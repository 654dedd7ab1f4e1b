// Command chaos is `make chaos`: one chaos run of internal/chaos on a
// private loopback stack, printing lost / duplicated / wrong / stuck (all
// must be 0) and the run's figures. It exits 1 when anything is not 0.
//
//	go run ./cmd/chaos -events 100000 -members 200
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/chaos"
)

func main() {
	var o chaos.Options
	var small bool
	var out string
	flag.Int64Var(&o.Events, "events", 100_000, "acknowledged event-emitting operations to drive")
	flag.IntVar(&o.Members, "members", 200, "members")
	flag.IntVar(&o.Workers, "clients", 16, "concurrent clients")
	flag.IntVar(&o.PortBase, "port-base", 25400, "private servers on loopback ports port-base+1 ... +8")
	flag.DurationVar(&o.Drain, "drain", 3*time.Minute, "how long the delivery may take to catch up at the end")
	flag.BoolVar(&small, "small", false, "every fault kind once (the schedule of make test's run)")
	flag.StringVar(&out, "json", "", "also write the report as JSON to this file")
	flag.Parse()
	o.Schedule = chaos.DefaultSchedule
	if small {
		o.Schedule = chaos.SmallSchedule
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := chaos.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	fmt.Print(rep.Text())
	if out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		_ = os.WriteFile(out, b, 0o644)
	}
	if !rep.Zero() {
		os.Exit(1)
	}
}
