package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dailyfeed/dailyfeed/kafka"
)

// Delivery counts what the KafkaSource emulator does; it implements
// kafka.Observer.
type Delivery struct {
	attempts    *prometheus.CounterVec
	retries     *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	outcomes    *prometheus.CounterVec
	deadLetters *prometheus.CounterVec
}

// NewDelivery registers the delivery counters on reg.
func NewDelivery(reg prometheus.Registerer) *Delivery {
	d := &Delivery{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_delivery_attempts_total",
			Help: "POSTs of events to sinks and to the dead-letter sink, by source, target and answered status (0: no answer).",
		}, []string{"source", "target", "status"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_delivery_retries_total",
			Help: "POSTs that retried an event a sink or the dead-letter sink had failed (attempts past the first), by source, target and answered status (0: no answer).",
		}, []string{"source", "target", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dailyfeed_delivery_attempt_duration_seconds",
			Help:    "Time of one POST of an event to a sink.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}, []string{"source"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_delivery_records_total",
			Help: "Records dealt with, by source and outcome (delivered, dead_lettered, parked, dropped).",
		}, []string{"source", "outcome"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_delivery_dead_letters_total",
			Help: "Records a sink did not take that went to the dead-letter sink or were parked, by source, outcome (dead_lettered, parked, dropped) and the sink's last status (0: no answer).",
		}, []string{"source", "outcome", "status"}),
	}
	reg.MustRegister(d.attempts, d.retries, d.duration, d.outcomes, d.deadLetters)
	return d
}

// Attempted implements kafka.Observer.
func (d *Delivery) Attempted(source, url string, attempt, status int, took time.Duration) {
	d.attempts.WithLabelValues(source, url, strconv.Itoa(status)).Inc()
	if attempt > 1 {
		d.retries.WithLabelValues(source, url, strconv.Itoa(status)).Inc()
	}
	d.duration.WithLabelValues(source).Observe(took.Seconds())
}

// Done implements kafka.Observer.
func (d *Delivery) Done(source, _ string, _ int32, _ int64, o kafka.Outcome, status int) {
	d.outcomes.WithLabelValues(source, string(o)).Inc()
	if o != kafka.Delivered {
		d.deadLetters.WithLabelValues(source, string(o), strconv.Itoa(status)).Inc()
	}
}

// Lag exposes a kafka.LagMonitor's last measurement.
type Lag struct {
	m                       *kafka.LagMonitor
	lag, age, stalled, fail *prometheus.Desc
}

// NewLag registers the lag gauges of m on reg.
func NewLag(reg prometheus.Registerer, m *kafka.LagMonitor) *Lag {
	labels := []string{"consumer_group", "topic", "partition"}
	l := &Lag{
		m: m,
		lag: prometheus.NewDesc("dailyfeed_delivery_lag_records",
			"Records of a partition its consumer group has not committed yet.", labels, nil),
		age: prometheus.NewDesc("dailyfeed_delivery_oldest_undelivered_age_seconds",
			"Age of the oldest record of a partition its consumer group has not committed (0 when none).", labels, nil),
		stalled: prometheus.NewDesc("dailyfeed_delivery_stalled_seconds",
			"How long a partition's committed offset has not moved while records wait (0 when none wait).", labels, nil),
		fail: prometheus.NewDesc("dailyfeed_delivery_lag_measure_failed",
			"1 when the last lag measurement failed (broker unreachable), else 0.", nil, nil),
	}
	reg.MustRegister(l)
	return l
}

// Describe implements prometheus.Collector.
func (l *Lag) Describe(ch chan<- *prometheus.Desc) {
	ch <- l.lag
	ch <- l.age
	ch <- l.stalled
	ch <- l.fail
}

// Collect implements prometheus.Collector.
func (l *Lag) Collect(ch chan<- prometheus.Metric) {
	lags, _, err := l.m.Last()
	failed := 0.0
	if err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(l.fail, prometheus.GaugeValue, failed)
	for _, p := range lags {
		v := []string{p.Group, p.Topic, strconv.Itoa(int(p.Partition))}
		ch <- prometheus.MustNewConstMetric(l.lag, prometheus.GaugeValue, float64(p.Lag), v...)
		ch <- prometheus.MustNewConstMetric(l.age, prometheus.GaugeValue, p.OldestAge.Seconds(), v...)
		ch <- prometheus.MustNewConstMetric(l.stalled, prometheus.GaugeValue, p.Stalled.Seconds(), v...)
	}
}
