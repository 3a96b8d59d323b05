package upstream

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Telemetry configures the client's traces and metrics. A nil field means
// the global provider or propagator of go.opentelemetry.io/otel.
//
// Every attempt is a client span named by its endpoint template
// ("GET /goals/{id}/"), never by its URL, which holds ids, e-mails and
// query values; the span's url.full is the template too. The span carries
// the attempt number, the breaker's state, the limiter wait before it and
// the request id sent as X-Request-Id; the upstream receives a W3C
// traceparent of it. No attribute holds a token.
type Telemetry struct {
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Propagator     propagation.TextMapPropagator
}

// Attribute keys of the client's spans and metrics.
const (
	attrEndpoint    = attribute.Key("bwfacade.upstream.endpoint")
	attrAttempt     = attribute.Key("bwfacade.upstream.attempt")
	attrBreaker     = attribute.Key("bwfacade.upstream.breaker_state")
	attrLimiterWait = attribute.Key("bwfacade.upstream.limiter_wait_ms")
	attrRequestID   = attribute.Key("bwfacade.upstream.request_id")
	attrFamily      = attribute.Key("bwfacade.upstream.family")
	attrReason      = attribute.Key("bwfacade.upstream.reason")
)

const instrumentationName = "github.com/bwfacade/facade/internal/upstream"

// instruments are the client's own metrics, beside otelhttp's request
// duration (labelled with the endpoint template and status).
type instruments struct {
	retries         metric.Int64Counter
	budgetExhausted metric.Int64Counter
	refusals        metric.Int64Counter
	saved           metric.Int64Counter
	limiterWait     metric.Float64Histogram
}

func newInstruments(mp metric.MeterProvider, res *resilience) (instruments, error) {
	m := mp.Meter(instrumentationName)
	var ins instruments
	var err error
	if ins.retries, err = m.Int64Counter("bwfacade.upstream.retries",
		metric.WithDescription("Attempts repeated after a retryable failure, by endpoint template.")); err != nil {
		return ins, err
	}
	if ins.budgetExhausted, err = m.Int64Counter("bwfacade.upstream.retry_budget_exhausted",
		metric.WithDescription("Retryable failures not retried because the retry budget was spent, by endpoint template.")); err != nil {
		return ins, err
	}
	if ins.refusals, err = m.Int64Counter("bwfacade.upstream.refusals",
		metric.WithDescription("Calls refused without reaching the upstream, by endpoint template and reason: circuit_open, token_rate_limited, overloaded.")); err != nil {
		return ins, err
	}
	if ins.saved, err = m.Int64Counter("bwfacade.upstream.requests_saved",
		metric.WithDescription("GETs answered without an upstream request of their own, by endpoint template and reason: coalesced (shared an identical request in flight), cached.")); err != nil {
		return ins, err
	}
	if ins.limiterWait, err = m.Float64Histogram("bwfacade.upstream.limiter_wait",
		metric.WithUnit("s"),
		metric.WithDescription("Time an attempt waited for its upstream token's turn."),
		metric.WithExplicitBucketBoundaries(0, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10)); err != nil {
		return ins, err
	}
	_, err = m.Int64ObservableGauge("bwfacade.upstream.breaker_state",
		metric.WithDescription("State of each endpoint family's circuit breaker: 0 closed, 1 half-open, 2 open."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			for family, state := range res.breakerStates() {
				o.Observe(state, metric.WithAttributes(attrFamily.String(family)))
			}
			return nil
		}))
	return ins, err
}

// opTelemetry is what every call of one operation gives its metrics, made
// once per operation so that a call builds no attribute set of its own.
type opTelemetry struct {
	// endpoint labels a measurement with the endpoint template.
	endpoint metric.MeasurementOption
}

func newOpTelemetry(endpoint string) opTelemetry {
	return opTelemetry{endpoint: metric.WithAttributeSet(attribute.NewSet(attrEndpoint.String(endpoint)))}
}

// Reasons of bwfacade.upstream.requests_saved.
var (
	savedCoalesced = metric.WithAttributeSet(attribute.NewSet(attrReason.String("coalesced")))
	savedCached    = metric.WithAttributeSet(attribute.NewSet(attrReason.String("cached")))
)

// attemptInfo describes one attempt to the span and metrics of its HTTP
// request; it travels in the request's context.
type attemptInfo struct {
	op          *Operation
	number      int
	breaker     string
	limiterWait time.Duration
	requestID   string
	// labeler gives otelhttp's request metrics the endpoint template; it
	// is the attempt's own, as whatever runs below otelhttp may add to it.
	labeler otelhttp.Labeler
}

type attemptKey struct{}

// withAttempt returns a copy of ctx carrying a, and a's metric labeler,
// which gives otelhttp's request metrics the endpoint template. It is
// called once for each attempt, with the attempt's own a.
func withAttempt(ctx context.Context, a *attemptInfo) context.Context {
	a.labeler.Add(attrEndpoint.String(a.op.name))
	return otelhttp.ContextWithClientLabeler(context.WithValue(ctx, attemptKey{}, a), &a.labeler)
}

func attemptFrom(ctx context.Context) *attemptInfo {
	a, _ := ctx.Value(attemptKey{}).(*attemptInfo)
	return a
}

// instrument wraps base so that every request is a client span and is
// measured, named and labelled by its endpoint template.
func instrument(base http.RoundTripper, t Telemetry) http.RoundTripper {
	opts := []otelhttp.Option{
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if a := attemptFrom(r.Context()); a != nil {
				return a.op.name
			}
			return r.Method
		}),
	}
	if t.TracerProvider != nil {
		opts = append(opts, otelhttp.WithTracerProvider(t.TracerProvider))
	}
	if t.MeterProvider != nil {
		opts = append(opts, otelhttp.WithMeterProvider(t.MeterProvider))
	}
	if t.Propagator != nil {
		opts = append(opts, otelhttp.WithPropagators(t.Propagator))
	}
	return otelhttp.NewTransport(annotator{base}, opts...)
}

// annotator runs inside otelhttp's span: it adds the attempt's attributes
// and replaces the URL otelhttp recorded with the endpoint template.
type annotator struct{ base http.RoundTripper }

func (a annotator) RoundTrip(r *http.Request) (*http.Response, error) {
	// A span that records nothing (none is sampled, or no tracer is set)
	// is given no attributes: it would drop them.
	if info := attemptFrom(r.Context()); info != nil {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			span.SetAttributes(
				attribute.String("url.full", info.op.name),
				attrEndpoint.String(info.op.name),
				attrAttempt.Int(info.number),
				attrBreaker.String(info.breaker),
				attrLimiterWait.Float64(float64(info.limiterWait)/float64(time.Millisecond)),
				attrRequestID.String(info.requestID),
			)
		}
	}
	return a.base.RoundTrip(r)
}

// Attempts counts the upstream requests made for one RPC, for its access
// log line.
type Attempts struct{ n atomic.Int64 }

// Load returns the count.
func (a *Attempts) Load() int64 { return a.n.Load() }

type attemptsKey struct{}

// WithAttempts returns a copy of ctx in which every upstream request made
// with it is counted in a.
func WithAttempts(ctx context.Context, a *Attempts) context.Context {
	return context.WithValue(ctx, attemptsKey{}, a)
}

func countAttempt(ctx context.Context) {
	if a, ok := ctx.Value(attemptsKey{}).(*Attempts); ok {
		a.n.Add(1)
	}
}

// breakerStates reports each family's breaker: 0 closed, 1 half-open,
// 2 open.
func (r *resilience) breakerStates() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	states := make(map[string]int64, len(r.breakers))
	for family, b := range r.breakers {
		states[family] = int64(b.cb.State())
	}
	return states
}

func (t Telemetry) meterProvider() metric.MeterProvider {
	if t.MeterProvider != nil {
		return t.MeterProvider
	}
	return otel.GetMeterProvider()
}
