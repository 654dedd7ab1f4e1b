// Package tracing is dailyfeed's OpenTelemetry tracing: the process's
// TracerProvider from the standard environment, the W3C trace context on
// HTTP requests and on CloudEvents (the distributed-tracing extension
// traceparent/tracestate, a Kafka header ce_traceparent on the topic), and
// the trace and span ids on log lines.
//
// Setup (at a function's Start) always installs the W3C propagator, so an
// incoming traceparent header is continued and its trace id reaches the
// events the request causes. Spans are exported over OTLP/HTTP only when
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set
// (and OTEL_SDK_DISABLED is not true, OTEL_TRACES_EXPORTER not none);
// otherwise the provider stays OpenTelemetry's no-op one: a span costs an
// allocation and carries its parent's context, nothing is recorded.
//
// The instrumentation (otelhttp, otelpgx, redisotel, the outbox, the
// KafkaSource emulator, the sinks) takes its tracers from the global
// provider, which delegates to the one Setup or Install sets, whenever
// that happens.
package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	ceclient "github.com/cloudevents/sdk-go/observability/opentelemetry/v2/client"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/extensions"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Scope is the instrumentation scope of dailyfeed's own spans.
const Scope = "github.com/dailyfeed/dailyfeed"

// The environment Setup reads (the OpenTelemetry SDK's standard names).
const (
	EndpointEnv       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	TracesEndpointEnv = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	ServiceNameEnv    = "OTEL_SERVICE_NAME"
	SDKDisabledEnv    = "OTEL_SDK_DISABLED"
	TracesExporterEnv = "OTEL_TRACES_EXPORTER"
)

// Propagator is the W3C trace context and baggage, the propagator of every
// dailyfeed process.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Tracer returns the tracer of dailyfeed's own spans.
func Tracer() trace.Tracer { return otel.Tracer(Scope) }

var (
	mu      sync.Mutex
	users   int                      // Setups not yet shut down
	current *sdktrace.TracerProvider // the exporting provider Setup made
)

// Setup installs the propagator and, when env names an OTLP endpoint, an
// exporting TracerProvider for the service (OTEL_SERVICE_NAME, default
// service: the function's name). Setup and its shutdown may be called by
// several functions of one process (tests, the all-in-one): the first
// Setup makes the provider, the last shutdown flushes and closes it.
func Setup(ctx context.Context, env map[string]string, service string) (shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(Propagator)
	installLogs()
	url := exportURL(env)
	if url == "" {
		return func(context.Context) error { return nil }, nil
	}
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		if name := env[ServiceNameEnv]; name != "" {
			service = name
		}
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
		if err != nil {
			return nil, fmt.Errorf("tracing: otlp exporter for %s: %w", url, err)
		}
		res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", service)))
		if err != nil {
			return nil, fmt.Errorf("tracing: resource: %w", err)
		}
		current = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res), sdktrace.WithSampler(Sampler))
		otel.SetTracerProvider(current)
		slog.InfoContext(ctx, "tracing: exporting spans over OTLP", "endpoint", url, "service", service)
	}
	users++
	var once sync.Once
	return func(ctx context.Context) error {
		var err error
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if users--; users == 0 && current != nil {
				err = current.Shutdown(ctx)
				current = nil
			}
		})
		return err
	}, nil
}

// exportURL returns where spans go: the traces endpoint as given, or the
// OTLP endpoint's /v1/traces; "" when export is off.
func exportURL(env map[string]string) string {
	if strings.EqualFold(env[SDKDisabledEnv], "true") || strings.EqualFold(env[TracesExporterEnv], "none") {
		return ""
	}
	if u := env[TracesEndpointEnv]; u != "" {
		return u
	}
	if u := env[EndpointEnv]; u != "" {
		return strings.TrimRight(u, "/") + "/v1/traces"
	}
	return ""
}

// Install makes tp the process's provider and installs the propagator:
// tests record spans with tracetest's in-memory exporter through it. The
// global provider delegates to the first provider ever set, so a process
// installs one at most.
func Install(tp trace.TracerProvider) {
	otel.SetTextMapPropagator(Propagator)
	otel.SetTracerProvider(tp)
}

// Sampler records every span of a trace that is recorded (parent based),
// and starts a trace for anything but a lone database or Redis statement:
// the clients' statements outside a request or a delivery (background
// jobs, warm-up) are not traced on their own.
var Sampler sdktrace.Sampler = sdktrace.ParentBased(rootSampler{})

type rootSampler struct{}

func (rootSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	for _, a := range p.Attributes {
		if a.Key == "db.system" || a.Key == "db.system.name" {
			return sdktrace.SamplingResult{Decision: sdktrace.Drop}
		}
	}
	return sdktrace.AlwaysSample().ShouldSample(p)
}

func (rootSampler) Description() string { return "dailyfeed: no lone database statements" }

// The distributed-tracing extension's attributes.
const (
	TraceParentExtension = extensions.TraceParentExtension
	TraceStateExtension  = extensions.TraceStateExtension
)

// ToEvent sets e's traceparent and tracestate extensions to the span
// context of ctx (the span that produced the event). An invalid span
// context leaves e as it is.
func ToEvent(ctx context.Context, e *event.Event) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return
	}
	ceclient.InjectDistributedTracingExtension(ctx, *e)
}

// FromEvent returns ctx carrying the remote span context of e's
// traceparent extension, ctx itself when e has none.
func FromEvent(ctx context.Context, e event.Event) context.Context {
	if _, ok := extensions.GetDistributedTracingExtension(e); !ok {
		return ctx
	}
	return ceclient.ExtractDistributedTracingExtension(ctx, e)
}

// Carried is a W3C trace context written out: what the outbox stores.
type Carried struct {
	TraceParent string
	TraceState  string
}

// Carry writes out the span context of ctx (empty when there is none).
func Carry(ctx context.Context) Carried {
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, c)
	return Carried{TraceParent: c["traceparent"], TraceState: c["tracestate"]}
}

// Resume returns ctx carrying the remote span context c wrote out.
func Resume(ctx context.Context, c Carried) context.Context {
	if c.TraceParent == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": c.TraceParent, "tracestate": c.TraceState})
}

// End records err (nil: success) on span and ends it.
func End(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
