package dailyfeed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// EventInstance is what every CloudEvent function of functions/ served by
// the local runner is: func-go's Share, plus a Handle of one of the two
// signatures dailyfeed uses, Handle(context.Context, event.Event) error
// (sinks) or Handle(context.Context, event.Event) (*event.Event, error)
// (functions that answer an event).
type EventInstance interface {
	Share(*stack.Stack)
}

// DefaultSinksAddress is where the local runner serves the CloudEvent
// functions (SINKS_LISTEN_ADDRESS): loopback only, apart from the public
// all-in-one handler, since anyone who can POST to a sink can forge events.
const DefaultSinksAddress = "127.0.0.1:8081"

// eventHandler returns the Handle of f in a form the CloudEvents sdk
// receiver accepts.
func eventHandler(name string, f EventInstance) (any, error) {
	switch h := f.(type) {
	case interface {
		Handle(context.Context, event.Event) error
	}:
		return h.Handle, nil
	case interface {
		Handle(context.Context, event.Event) (*event.Event, error)
	}:
		return h.Handle, nil
	}
	return nil, fmt.Errorf("dailyfeed: CloudEvent function %s has no Handle(context.Context, event.Event) error", name)
}

// SinksHandler serves every CloudEvent function of eventFunctions at
// /<name> over st, in binary or structured HTTP mode. A CloudEvent
// function of the table that has no constructor is an error.
func SinksHandler(st *stack.Stack) (http.Handler, error) {
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
		p, err := cloudevents.NewHTTP()
		if err != nil {
			return nil, err
		}
		recv, err := cloudevents.NewHTTPReceiveHandler(context.Background(), p, h)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		mux.Handle("POST /"+f.Name, recv)
	}
	return mux, errors.Join(errs...)
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
// to the table's dead-letter sink, on the stack's clock. The consumer
// group is the generated KafkaSource's, "dailyfeed-<sink>", for the
// default base; another base (a test's, a second local setup's) is another
// KafkaSource and gets "dailyfeed-<sink>-<base>", so they never share a
// group.
func Emulator(st *stack.Stack, baseURL string, d kafka.Delivery) []*kafka.Source {
	sinks, dl := Sinks()
	var out []*kafka.Source
	for _, f := range sinks {
		bases := f.Topics
		if len(bases) == 0 {
			bases = []string{st.Config.TopicBase}
		}
		for _, base := range bases {
			group := "dailyfeed-" + f.Name
			if base != kafka.DefaultTopicBase {
				group += "-" + base
			}
			o := kafka.SourceOptions{
				Name:     f.Name,
				Group:    group,
				Brokers:  st.Config.KafkaBrokers,
				Topics:   kafka.NewTopics(base, st.Config.TopicTimeZone, func() time.Time { return st.Now() }),
				Topic:    kafka.TopicSpec{Partitions: st.Config.TopicPartitions, Retention: st.Config.TopicRetention},
				Sink:     baseURL + "/" + f.Name,
				Delivery: d,
			}
			if dl != "" {
				o.DeadLetterSink = baseURL + "/" + dl
			}
			out = append(out, kafka.NewSource(o))
		}
	}
	return out
}

// runSinks serves the CloudEvent functions on addr and runs the emulator
// against them until ctx ends.
func runSinks(ctx context.Context, st *stack.Stack, addr string) error {
	h, err := SinksHandler(st)
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
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	base := "http://" + ln.Addr().String()
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
	for _, src := range Emulator(st, base, kafka.DefaultDelivery) {
		o := src.Options()
		slog.InfoContext(ctx, "kafka source emulator: delivering", "sink", o.Sink, "group", src.ConsumerGroup(),
			"topics", o.Topics.Window(), "deadLetterSink", o.DeadLetterSink)
		go func() { _ = src.Run(ctx) }()
	}
	return nil
}
