package dailyfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dailyfeed/dailyfeed/internal/deadletter"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// EventInstance is what every CloudEvent function of functions/ served by
// the local runner is: func-go's Share, plus a Receive of one of the two
// signatures dailyfeed uses, Receive(context.Context, event.Event) error
// (sinks) or Receive(context.Context, event.Event) (*event.Event, error)
// (functions that answer an event). Their Handle serves Receive over HTTP
// for func-go's http service on a cluster (fn.Receiver); the local runner
// serves Receive itself, on the sink listener.
type EventInstance interface {
	Share(*stack.Stack)
}

// DefaultSinksAddress is where the local runner serves the CloudEvent
// functions (SINKS_LISTEN_ADDRESS): loopback only, apart from the public
// all-in-one handler, since anyone who can POST to a sink can forge events.
const DefaultSinksAddress = "127.0.0.1:8081"

// eventHandler returns the Receive of f as a sink.Handle.
func eventHandler(name string, f EventInstance) (sink.Handle, error) {
	switch h := f.(type) {
	case interface {
		Receive(context.Context, event.Event) error
	}:
		return sink.Sink(h.Receive), nil
	case interface {
		Receive(context.Context, event.Event) (*event.Event, error)
	}:
		return h.Receive, nil
	}
	return nil, fmt.Errorf("dailyfeed: CloudEvent function %s has no Receive(context.Context, event.Event) error", name)
}

// SinksHandler serves every CloudEvent function of eventFunctions at
// /<name> over st, in binary or structured HTTP mode (sink.Receiver), each
// delivery counted by red (nil: not counted) under its function. A
// CloudEvent function of the table that has no constructor is an error.
func SinksHandler(st *stack.Stack, red *metrics.HTTP) (http.Handler, error) {
	mux := http.NewServeMux()
	var errs []error
	for _, f := range route.Functions {
		if f.Kind != route.CloudEvent || f.Group == route.Job {
			continue // jobs run in-process (localJobs)
		}
		newFn, ok := eventFunctions[f.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("dailyfeed: CloudEvent function %q of the route table has no constructor in functions.go (eventFunctions)", f.Name))
			continue
		}
		inst := newFn()
		inst.Share(st)
		h, err := eventHandler(f.Name, inst)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// The request's span continues the delivery's traceparent header.
		mux.Handle("POST /"+f.Name, fn.Receiver(f.Name, h))
	}
	return red.Wrap(sinkOf, mux), errors.Join(errs...)
}

// Sinks returns the sinks of the route table the emulator delivers to
// (CloudEvent functions of group Sink but the dead-letter sink), and the
// dead-letter sink ("" when none).
func Sinks() (sinks []route.Function, deadLetter string) {
	for _, f := range route.Functions {
		switch {
		case f.Kind != route.CloudEvent || f.Group != route.Sink:
		case f.DeadLetter:
			deadLetter = f.Name
		default:
			sinks = append(sinks, f)
		}
	}
	return sinks, deadLetter
}

// Emulator returns one emulated KafkaSource per sink of the route table
// and topic base (the sink's Topics, else st.Config.TopicBase), delivering
// to the sink listener at baseURL ("http://127.0.0.1:8081") with delivery
// d (kafka.DefaultDelivery is the generated KafkaSources'), dead letters
// to the table's dead-letter sink, parking what that sink does not take in
// the dead_letters table itself, on the stack's clock, reporting to obs
// (nil: nothing). The consumer group is the generated KafkaSource's,
// "dailyfeed-<sink>", for the default base; another base (a test's, a
// second local setup's) is another KafkaSource and gets
// "dailyfeed-<sink>-<base>", so they never share a group.
func Emulator(st *stack.Stack, baseURL string, d kafka.Delivery, obs kafka.Observer) []*kafka.Source {
	sinks, dl := Sinks()
	var out []*kafka.Source
	for _, f := range sinks {
		if f.Topic != "" {
			out = append(out, fixedSource(st, baseURL, d, obs, f, dl))
			continue
		}
		bases := f.Topics
		if len(bases) == 0 {
			bases = []string{st.Config.TopicBase}
		}
		for _, base := range bases {
			group := "dailyfeed-" + f.Name
			if base != kafka.DefaultTopicBase {
				group += "-" + base
			}
			o := sourceOptions(st, baseURL, d, obs, f.Name, group, dl)
			o.Topics = kafka.NewTopics(base, st.Config.TopicTimeZone, func() time.Time { return st.Now() })
			out = append(out, kafka.NewSource(o))
		}
	}
	return out
}

// fixedSource is the emulated KafkaSource of a sink that reads one undated
// topic (route.Function.Topic); the image uploads' topic is the
// configured one (IMAGE_UPLOADS_TOPIC: a test's own, or a second local
// setup's), whose consumer group is then "dailyfeed-<sink>-<topic>".
func fixedSource(st *stack.Stack, baseURL string, d kafka.Delivery, obs kafka.Observer, f route.Function, dl string) *kafka.Source {
	topic := f.Topic
	if topic == route.ImageUploadsTopic && st.Config.ImageUploadsTopic != "" {
		topic = st.Config.ImageUploadsTopic
	}
	group := "dailyfeed-" + f.Name
	if topic != f.Topic {
		group += "-" + topic
	}
	o := sourceOptions(st, baseURL, d, obs, f.Name, group, dl)
	o.Fixed = []string{topic}
	return kafka.NewSource(o)
}

// sourceOptions are the options of the emulated KafkaSource of the sink
// called name in consumer group group, but its topics (dated Topics or
// Fixed ones): the stack's brokers and topic spec, the delivery d
// observed by obs, dead letters to dl ("": none) and parked in the
// stack's database when there is one.
func sourceOptions(st *stack.Stack, baseURL string, d kafka.Delivery, obs kafka.Observer, name, group, dl string) kafka.SourceOptions {
	o := kafka.SourceOptions{
		Name:     name,
		Group:    group,
		Brokers:  st.Config.KafkaBrokers,
		Topic:    kafka.TopicSpec{Partitions: st.Config.TopicPartitions, Retention: st.Config.TopicRetention},
		Sink:     baseURL + "/" + name,
		Delivery: d,
		Observer: obs,
	}
	if dl != "" {
		o.DeadLetterSink = baseURL + "/" + dl
	}
	if st.DB != nil {
		o.Park = deadletter.Store{DB: st.DB, Now: st.Now}
	}
	return o
}

// LagMonitor returns the monitor of the delivery lag of sources: their
// consumer groups over their current topic windows.
func LagMonitor(st *stack.Stack, sources []*kafka.Source) *kafka.LagMonitor {
	var groups []string
	for _, src := range sources {
		groups = append(groups, src.ConsumerGroup())
	}
	return &kafka.LagMonitor{
		Brokers: st.Config.KafkaBrokers,
		Watch: kafka.Watch{Groups: groups, Topics: func() []string {
			var topics []string
			for _, src := range sources {
				for _, t := range src.Window() {
					if !slices.Contains(topics, t) {
						topics = append(topics, t)
					}
				}
			}
			return topics
		}, Reads: func(group, topic string) bool {
			for _, src := range sources {
				if src.ConsumerGroup() == group && slices.Contains(src.Window(), topic) {
					return true
				}
			}
			return false
		}},
	}
}

// sinkOf names the CloudEvent function that the sinks listener serves at
// r's path (/<name>), for the request metrics: the function, and "/" as
// its route, as when it runs as its own process.
func sinkOf(r *http.Request) (function, pattern string) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	if _, ok := eventFunctions[name]; !ok || r.Method != http.MethodPost {
		return "", ""
	}
	return name, "/"
}

// RunSinks serves the CloudEvent functions on addr, runs the emulator
// against them and measures their delivery lag until ctx ends; delivery
// figures and lag go to reg. GET /delivery on the same listener answers
// the last lag measurement as JSON.
func RunSinks(ctx context.Context, st *stack.Stack, addr string, reg *prometheus.Registry) error {
	h, err := SinksHandler(st, metrics.NewHTTP(reg))
	if err != nil {
		// A function without constructor is left out; the others run.
		slog.ErrorContext(ctx, "sinks: some CloudEvent functions are not served", "err", err)
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			slog.WarnContext(ctx, "sinks: SINKS_LISTEN_ADDRESS is not loopback: anyone who reaches it can post events", "addr", addr)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sinks: listen on %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	sources := Emulator(st, base, kafka.DefaultDelivery, metrics.NewDelivery(reg))
	mon := LagMonitor(st, sources)
	metrics.NewLag(reg, mon)
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.Handle("GET /delivery", deliveryStatus(mon))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	var names []string
	for _, f := range route.Functions {
		if _, ok := eventFunctions[f.Name]; ok && f.Kind == route.CloudEvent && f.Group != route.Job {
			names = append(names, f.Name)
		}
	}
	slog.InfoContext(ctx, "sinks: serving CloudEvent functions (loopback only)", "addr", base, "functions", names)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.ErrorContext(ctx, "sinks: server stopped", "err", err)
		}
	}()
	var wg sync.WaitGroup
	for _, src := range sources {
		o := src.Options()
		slog.InfoContext(ctx, "kafka source emulator: delivering", "sink", o.Sink, "group", src.ConsumerGroup(),
			"topics", src.Window(), "deadLetterSink", o.DeadLetterSink)
		wg.Go(func() { _ = src.Run(ctx) })
	}
	wg.Go(func() { mon.Run(ctx) })
	<-ctx.Done()
	// The sources finish their attempts in flight and commit them; only
	// then may the sinks they post to stop.
	wg.Wait()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return nil
}

// deliveryStatus answers the last lag measurement: every consumer group
// and partition, and how many are stuck (no progress for StuckAfter).
func deliveryStatus(mon *kafka.LagMonitor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lags, at, err := mon.Last()
		doc := struct {
			MeasuredAt time.Time            `json:"measuredAt"`
			Error      string               `json:"error,omitempty"`
			Stuck      int                  `json:"stuck"`
			Partitions []kafka.PartitionLag `json:"partitions"`
		}{MeasuredAt: at, Partitions: lags}
		if err != nil {
			doc.Error = err.Error()
		}
		for _, l := range lags {
			if mon.Stuck(l) {
				doc.Stuck++
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if doc.Stuck > 0 || err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(doc)
	})
}
