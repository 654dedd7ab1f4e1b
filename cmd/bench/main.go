// Command bench measures a running dailyfeed over HTTP (`make bench` starts
// one and calls this). Each scenario prints BENCHMARKS.md table rows.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/loadtest"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of a running dailyfeed")
	scenarios := flag.String("scenarios", "auth", "comma-separated scenarios: "+strings.Join(names(), ", "))
	workers := flag.Int("c", 16, "concurrent clients")
	duration := flag.Duration("d", 10*time.Second, "duration of each measured run")
	flag.Parse()

	ctx := context.Background()
	c := &client{base: strings.TrimSuffix(*base, "/")}
	fmt.Printf("%d clients, %s per run, against %s\n\n%s\n", *workers, *duration, c.base, loadtest.Header)
	for _, name := range strings.Split(*scenarios, ",") {
		run, ok := scenarioByName[strings.TrimSpace(name)]
		if !ok {
			slog.Error("unknown scenario", "name", name, "known", names())
			os.Exit(2)
		}
		results, err := run(ctx, c, *workers, *duration)
		if err != nil {
			slog.Error("scenario failed", "name", name, "err", err)
			os.Exit(1)
		}
		for _, r := range results {
			fmt.Println(r.Row())
		}
	}
}

type scenario func(ctx context.Context, c *client, workers int, d time.Duration) ([]loadtest.Result, error)

var scenarioByName = map[string]scenario{
	"auth": authScenario,
}

func names() []string {
	var n []string
	for k := range scenarioByName {
		n = append(n, k)
	}
	return n
}
