package manifest

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Metrics: every function serves Prometheus's /metrics on MetricsPort
// (METRICS_ADDRESS in the ConfigMap); the Services' pods carry the
// prometheus.io scrape annotations, which a Prometheus with the usual
// kubernetes-pods job follows. The alerts are generated twice from one
// list: as a PrometheusRule for the Prometheus Operator and as a plain
// rule file that `promtool check rules` and `promtool test rules`
// (scripts/promtool.sh, internal/manifest/testdata/rules.test.yaml) read.
const (
	MetricsPort = 9464
	MetricsPath = "/metrics"
	// RulesFile is the plain rule file; PrometheusRuleFile the resource.
	RulesFile          = "knative/monitoring/rules.yaml"
	PrometheusRuleFile = "knative/monitoring/prometheusrule.yaml"
)

// The targets the alerts hold the HTTP functions to.
const (
	// ErrorRatioTarget: at most 1 % of a function's answers are 5xx over
	// 5 minutes.
	ErrorRatioTarget = 0.01
	// LatencyP99Target: a function's p99 stays under 500 ms over 5
	// minutes (the request histogram's buckets hold 0.5 exactly).
	LatencyP99Target = 0.5
)

// scrapeAnnotations are the pod annotations that let Prometheus scrape a
// function.
func scrapeAnnotations() map[string]string {
	return map[string]string{
		"prometheus.io/scrape": "true",
		"prometheus.io/port":   fmt.Sprint(MetricsPort),
		"prometheus.io/path":   MetricsPath,
	}
}

// RuleFile is a Prometheus rule file (the PrometheusRule's spec).
type RuleFile struct {
	Groups []RuleGroup `json:"groups"`
}

// RuleGroup is one group of alerting rules.
type RuleGroup struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule is one alerting rule.
type Rule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Alerts are dailyfeed's alerting rules (docs/operations.md explains each).
func Alerts() RuleFile {
	page := map[string]string{"severity": "page"}
	ticket := map[string]string{"severity": "ticket"}
	return RuleFile{Groups: []RuleGroup{
		{Name: "dailyfeed-delivery", Rules: []Rule{
			{
				Alert: "DailyfeedPartitionStuck",
				// Records wait and the committed offset has not moved for a
				// minute, or the lag kept growing for a minute.
				Expr: "max by (consumer_group, topic, partition) (dailyfeed_delivery_stalled_seconds) >= 60\n" +
					"or max by (consumer_group, topic, partition) (\n" +
					"  (dailyfeed_delivery_lag_records > 0) and (delta(dailyfeed_delivery_lag_records[1m]) > 0)\n" +
					")",
				For:    "1m",
				Labels: page,
				Annotations: map[string]string{
					"summary":     "Delivery of {{ $labels.topic }}/{{ $labels.partition }} to {{ $labels.consumer_group }} is stuck",
					"description": "The partition's lag grows or its committed offset has not moved for a minute while records wait: a sink answers 5xx, a record cannot be delivered, or the dead-letter sink is down. The sink's log has the record's coordinates (\"kafka source: sink failing\"); dead letters: `make replay-dead-letters ARGS=-list`.",
				},
			},
			{
				Alert: "DailyfeedDeadLetters",
				Expr: "sum by (sink) (increase(dailyfeed_dead_letters_kept_total[5m])) > 0\n" +
					"or sum by (source) (increase(dailyfeed_delivery_dead_letters_total[5m])) > 0",
				Labels: ticket,
				Annotations: map[string]string{
					"summary":     "Dead letters are arriving ({{ $labels.sink }}{{ $labels.source }})",
					"description": "Events a sink refused or kept failing were dead-lettered in the last 5 minutes. List and replay them with `make replay-dead-letters` once the cause is fixed.",
				},
			},
		}},
		{Name: "dailyfeed-outbox", Rules: []Rule{
			{
				Alert:  "DailyfeedOutboxBacklog",
				Expr:   "max(dailyfeed_outbox_oldest_pending_age_seconds) > 60",
				For:    "1m",
				Labels: page,
				Annotations: map[string]string{
					"summary":     "The outbox holds an event older than a minute",
					"description": "Committed events are not reaching Kafka: the broker is down or refuses, or relay-outbox does not run. {{ $value | humanizeDuration }} old.",
				},
			},
		}},
		{Name: "dailyfeed-http", Rules: []Rule{
			{
				Alert: "DailyfeedErrorRatio",
				Expr: "sum by (function) (rate(dailyfeed_http_requests_total{status=~\"5..\"}[5m]))\n" +
					"/ sum by (function) (rate(dailyfeed_http_requests_total[5m]))\n" +
					fmt.Sprintf("> %g", ErrorRatioTarget),
				For:    "5m",
				Labels: page,
				Annotations: map[string]string{
					"summary":     "{{ $labels.function }} answers 5xx to {{ $value | humanizePercentage }} of its requests",
					"description": fmt.Sprintf("Over the target of %g %%. The code label of dailyfeed_http_requests_total says which error (SERVICE_UNAVAILABLE: a server it needs is down).", ErrorRatioTarget*100),
				},
			},
			{
				Alert: "DailyfeedLatencyP99",
				Expr: "histogram_quantile(0.99, sum by (function, le) (rate(dailyfeed_http_request_duration_seconds_bucket[5m])))\n" +
					fmt.Sprintf("> %g", LatencyP99Target),
				For:    "10m",
				Labels: ticket,
				Annotations: map[string]string{
					"summary":     "{{ $labels.function }}'s p99 is {{ $value | humanizeDuration }}",
					"description": fmt.Sprintf("Over the target of %g s for 10 minutes.", LatencyP99Target),
				},
			},
		}},
	}}
}

var rulesComment = "# The alerting rules as a plain Prometheus rule file, for `promtool check\n" +
	"# rules` and `promtool test rules` (scripts/promtool.sh, part of `make test`)\n" +
	"# and a Prometheus without the Operator (rule_files). The same rules are the\n" +
	"# PrometheusRule of prometheusrule.yaml.\n"

var prometheusRuleComment = "# dailyfeed's alerts for the Prometheus Operator. Not in kustomization.yaml\n" +
	"# (its CRD is the Operator's); apply it where the Operator runs:\n" +
	"#   kubectl apply -f knative/monitoring/prometheusrule.yaml\n" +
	"# The functions are scraped through their pods' prometheus.io annotations\n" +
	fmt.Sprintf("# (port %d, %s).\n", MetricsPort, MetricsPath)

// prometheusRule is the Prometheus Operator's PrometheusRule
// (monitoring.coreos.com/v1) holding the alerts.
type prometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              RuleFile `json:"spec"`
}

func monitoringFiles(put func(path, comment string, objs ...any)) {
	put(RulesFile, rulesComment, Alerts())
	put(PrometheusRuleFile, prometheusRuleComment, &prometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"},
		ObjectMeta: meta("dailyfeed-alerts", nil),
		Spec:       Alerts(),
	})
}
