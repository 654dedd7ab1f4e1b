// Command replay lists and replays dead letters (`make replay-dead-letters
// ARGS=...`): the events a KafkaSource (or the local emulator) could not
// deliver, kept by store-dead-letter. Replaying POSTs each chosen letter
// back to its sink in binary mode and marks those the sink accepts; the
// sinks are idempotent, so replaying an event that did get through
// changes nothing.
//
//	go run ./cmd/replay -list                      # waiting dead letters
//	go run ./cmd/replay -sink record-activity      # replay one sink's
//	go run ./cmd/replay -ids 3,4                   # replay chosen ones (even replayed ones)
//	go run ./cmd/replay -all                       # replay every waiting one
//	go run ./cmd/replay -all -target http://127.0.0.1:8081
//
// Without -target a letter goes back to the URL it failed at
// (knativeerrordest); with it, to <target>/<sink> (the local runner's sink
// listener, SINKS_LISTEN_ADDRESS). The database is the configured one
// (DATABASE_URL, DATABASE_SCHEMA).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/deadletter"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

func run() error {
	ids := flag.String("ids", "", "comma-separated dead letter ids to replay")
	sink := flag.String("sink", "", "replay the waiting dead letters of this sink (e.g. record-activity)")
	all := flag.Bool("all", false, "replay every waiting dead letter")
	list := flag.Bool("list", false, "list the chosen dead letters (default: every waiting one) instead of replaying")
	target := flag.String("target", "", "base URL of the sinks (<target>/<sink>); default: the URL each letter failed at")
	limit := flag.Int("limit", 1000, "at most this many letters")
	flag.Parse()

	sel := deadletter.Selector{Sink: *sink, All: *all, Limit: *limit}
	for _, s := range strings.Split(*ids, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("-ids: %q is not an id", s)
		}
		sel.IDs = append(sel.IDs, id)
	}
	if *list && len(sel.IDs) == 0 && sel.Sink == "" {
		sel.All = true
	}
	if len(sel.IDs) == 0 && sel.Sink == "" && !sel.All {
		flag.Usage()
		return errors.New("choose dead letters with -ids, -sink or -all (or -list)")
	}

	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	s, err := stack.Open(ctx, cfg, stack.Postgres)
	if err != nil {
		return err
	}
	defer s.Close()
	store := deadletter.Store{DB: s.DB, Now: s.Now}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if *list {
		letters, err := store.List(ctx, sel)
		if err != nil {
			return err
		}
		if letters == nil {
			letters = []deadletter.Letter{}
		}
		return enc.Encode(letters)
	}
	rep, err := deadletter.Replayer{Store: store, Base: *target}.Replay(ctx, sel)
	if err != nil {
		return err
	}
	if err := enc.Encode(rep); err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%d of %d dead letters still waiting", rep.Failed, rep.Failed+rep.Replayed)
	}
	return nil
}
