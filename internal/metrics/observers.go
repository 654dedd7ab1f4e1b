package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Observers counts what the domain packages report through the stack's
// observer (stack.Observer): the fallbacks of the Redis caches to
// PostgreSQL, the login guard's refusals and the thumbnailer's work.
type Observers struct {
	fallbacks *prometheus.CounterVec
	refusals  *prometheus.CounterVec
	images    *prometheus.HistogramVec
	kept      *prometheus.CounterVec
}

// NewObservers registers the domain counters on reg.
func NewObservers(reg prometheus.Registerer) *Observers {
	o := &Observers{
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_cache_fallbacks_total",
			Help: "Checks answered from PostgreSQL (or stale keys) because a cache could not: by cache (blacklist, signing_keys, login_attempts) and reason (redis_error, not_loaded, fetch_failed).",
		}, []string{"cache", "reason"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_login_guard_refusals_total",
			Help: "Login attempts the brute-force guard refused (429), by the store that counted them (redis, postgres).",
		}, []string{"store"}),
		images: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dailyfeed_image_processing_seconds",
			Help:    "Time to decode an original and make its thumbnail, by outcome (made, invalidated, failed).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"outcome"}),
		kept: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_dead_letters_kept_total",
			Help: "Dead-lettered events the dead-letter sink (store-dead-letter) kept, by the sink that failed and its last status (\"\" when it never answered).",
		}, []string{"sink", "status"}),
	}
	reg.MustRegister(o.fallbacks, o.refusals, o.images, o.kept)
	return o
}

// Fallback implements stack.Observer.
func (o *Observers) Fallback(cache, reason string) { o.fallbacks.WithLabelValues(cache, reason).Inc() }

// LoginRefused implements stack.Observer.
func (o *Observers) LoginRefused(store string) { o.refusals.WithLabelValues(store).Inc() }

// ImageProcessed implements stack.Observer.
func (o *Observers) ImageProcessed(outcome string, took time.Duration) {
	o.images.WithLabelValues(outcome).Observe(took.Seconds())
}

// DeadLetterKept implements stack.Observer.
func (o *Observers) DeadLetterKept(sink, status string) { o.kept.WithLabelValues(sink, status).Inc() }

// Instrument registers on reg what a process over st reports: the domain
// observers (set as st.Observer) and, when st publishes through the
// outbox, the outbox gauges. Call it once per registry, right after the
// stack opens and before it is used.
func Instrument(reg prometheus.Registerer, st *stack.Stack) {
	st.Observer = NewObservers(reg)
	if st.Outbox != nil && st.DB != nil {
		NewOutbox(reg, st.DB)
	}
}
