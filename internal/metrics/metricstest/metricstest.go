// Package metricstest scrapes a /metrics endpoint over HTTP and reads its
// series, for the tests of the metrics.
package metricstest

import (
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is one scrape of an endpoint: metric families by name.
type Scrape map[string]*dto.MetricFamily

// Get scrapes url (http://host:port/metrics) and fails the test when it
// does not answer the exposition format.
func Get(t testing.TB, url string) Scrape {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: %s", url, res.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	return fams
}

// Has reports whether the scrape holds the metric name.
func (s Scrape) Has(name string) bool { return s[name] != nil }

// Value returns the value of the series of name whose labels include
// labels (a counter's or a gauge's value, a histogram's count), summed
// over the series that match, and whether any did.
func (s Scrape) Value(name string, labels map[string]string) (float64, bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
	var sum float64
	found := false
	for _, m := range f.Metric {
		if !matches(m, labels) {
			continue
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum, found
}

func matches(m *dto.Metric, labels map[string]string) bool {
	for k, v := range labels {
		ok := v == "" // an empty label is no label
		for _, l := range m.Label {
			if l.GetName() == k {
				ok = l.GetValue() == v
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
