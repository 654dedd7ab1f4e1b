package metrics_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// prometheus runs a Prometheus server (Debian's package, which
// scripts/promtool.sh installs and `make test` runs first) on loopback
// until the test ends: it scrapes target (host:port, /metrics) every second
// and evaluates the generated alerting rules (knative/monitoring/rules.yaml)
// every second. It returns the server's base URL.
func prometheus(t *testing.T, target string) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatal("no prometheus binary: scripts/promtool.sh installs Debian's prometheus package (make test runs it before the tests)")
	}
	rules, err := filepath.Abs("../../knative/monitoring/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	err = os.WriteFile(config, fmt.Appendf(nil, `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: dailyfeed
    static_configs:
      - targets: [%q]
`, rules, target), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("prometheus log:\n%s", out)
		}
	})
	base := "http://" + addr
	testenv.Eventually(t, "prometheus to scrape the target", func() bool {
		var v struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		return getJSON(base+`/api/v1/query?query=up{job="dailyfeed"}`, &v) && len(v.Data.Result) == 1 && v.Data.Result[0].Value[1] == "1"
	})
	return base
}

// alert is an alert Prometheus holds: pending (its expression is true,
// not yet for its `for`) or firing.
type alert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

// alerts returns the alerts named name that base holds.
func alerts(t *testing.T, base, name string) []alert {
	t.Helper()
	var v struct {
		Data struct {
			Alerts []alert `json:"alerts"`
		} `json:"data"`
	}
	if !getJSON(base+"/api/v1/alerts", &v) {
		t.Fatalf("prometheus at %s does not answer its alerts", base)
	}
	var out []alert
	for _, a := range v.Data.Alerts {
		if a.Labels["alertname"] == name {
			out = append(out, a)
		}
	}
	return out
}

func getJSON(url string, v any) bool {
	c := http.Client{Timeout: 2 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	return res.StatusCode == http.StatusOK && json.NewDecoder(res.Body).Decode(v) == nil
}
