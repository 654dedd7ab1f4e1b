package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// Querier is what the outbox collector reads PostgreSQL with (a pool).
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Outbox measures the transactional outbox at each scrape: how many rows
// wait to be published and how old the oldest is. The query reads the
// pending partial index only, counts at most OutboxCountCap rows and is
// bounded by OutboxTimeout; when it fails the gauges are left out and
// dailyfeed_outbox_measure_failed is 1.
type Outbox struct {
	db                  Querier
	pending, age, fails *prometheus.Desc
}

// OutboxCountCap bounds the pending count (a backlog larger than that
// reads as the cap), and OutboxTimeout the query.
const (
	OutboxCountCap = 100000
	OutboxTimeout  = time.Second
)

// NewOutbox registers the outbox gauges over db on reg.
func NewOutbox(reg prometheus.Registerer, db Querier) *Outbox {
	o := &Outbox{
		db: db,
		pending: prometheus.NewDesc("dailyfeed_outbox_pending_rows",
			"Outbox rows not published yet (at most 100000 counted).", nil, nil),
		age: prometheus.NewDesc("dailyfeed_outbox_oldest_pending_age_seconds",
			"Age of the oldest outbox row not published yet (0 when none).", nil, nil),
		fails: prometheus.NewDesc("dailyfeed_outbox_measure_failed",
			"1 when the last measurement of the outbox failed (PostgreSQL unreachable or slow), else 0.", nil, nil),
	}
	reg.MustRegister(o)
	return o
}

// Describe implements prometheus.Collector.
func (o *Outbox) Describe(ch chan<- *prometheus.Desc) {
	ch <- o.pending
	ch <- o.age
	ch <- o.fails
}

// Collect implements prometheus.Collector.
func (o *Outbox) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), OutboxTimeout)
	defer cancel()
	const q = `
		SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT $1) p),
		       coalesce((SELECT extract(epoch FROM clock_timestamp() - created_at)::float8
		                 FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1), 0)`
	var pending int64
	var age float64
	if err := o.db.QueryRow(ctx, q, OutboxCountCap).Scan(&pending, &age); err != nil {
		slog.Debug("metrics: outbox not measured", "err", err)
		ch <- prometheus.MustNewConstMetric(o.fails, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(o.fails, prometheus.GaugeValue, 0)
	ch <- prometheus.MustNewConstMetric(o.pending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(o.age, prometheus.GaugeValue, max(age, 0))
}
