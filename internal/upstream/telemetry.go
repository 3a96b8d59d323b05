package upstream

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
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

// instruments are the client's own metrics, beside the request duration
// (httpTelemetry).
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

// attemptInfo describes one attempt to its span.
type attemptInfo struct {
	op          *Operation
	number      int
	breaker     string
	limiterWait time.Duration
	requestID   string
}

// httpTelemetry makes every upstream request a client span and measures
// it, as otelhttp's transport would, with the span named and labelled by
// its endpoint template. It works on the requests the client builds, so
// it injects the trace context into their headers where otelhttp must
// clone each request to do so, and it labels the duration with an
// attribute set made once per endpoint, host and status where otelhttp
// makes one per request: the two cost a GetGoal through the facade 17 of
// its 204 allocations.
type httpTelemetry struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	// duration is http.client.request.duration: from the request's start
	// until its answer's headers are in.
	duration metric.Float64Histogram
	// sets holds the measurement options of duration by durationKey.
	sets sync.Map
}

// durationKey is one set of duration's attributes. Each field has few
// values: operations and error types are fixed lists, schemes and hosts
// the API's and the allowed file hosts', statuses HTTP's.
type durationKey struct {
	op        *Operation
	scheme    string
	host      string
	status    int
	errorType string
}

// durationBuckets are the boundaries OpenTelemetry's HTTP conventions
// advise for request durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

func newHTTPTelemetry(t Telemetry) (*httpTelemetry, error) {
	tp := t.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	prop := t.Propagator
	if prop == nil {
		prop = otel.GetTextMapPropagator()
	}
	h := &httpTelemetry{tracer: tp.Tracer(instrumentationName), propagator: prop}
	var err error
	h.duration, err = t.meterProvider().Meter(instrumentationName).Float64Histogram("http.client.request.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of the upstream's HTTP requests, by endpoint template, method, host and status."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	return h, err
}

// start begins the span of req, an attempt described by info, and sends
// its trace context in req's headers. req's context is the span's parent.
func (h *httpTelemetry) start(req *http.Request, info *attemptInfo) trace.Span {
	ctx, span := h.tracer.Start(req.Context(), info.op.name, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		// Never the URL, which holds ids, e-mails and query values.
		span.SetAttributes(
			attribute.String("http.request.method", req.Method),
			attribute.String("url.full", info.op.name),
			attribute.String("url.scheme", req.URL.Scheme),
			attribute.String("server.address", req.URL.Hostname()),
			attrEndpoint.String(info.op.name),
			attrAttempt.Int(info.number),
			attrBreaker.String(info.breaker),
			attrLimiterWait.Float64(float64(info.limiterWait)/float64(time.Millisecond)),
		)
		if info.requestID != "" {
			span.SetAttributes(attrRequestID.String(info.requestID))
		}
	}
	h.propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	return span
}

// answered records the duration of req, sent at began, whose answer is
// resp or whose failure is err, and sets its span's status. The caller
// ends the span.
func (h *httpTelemetry) answered(span trace.Span, req *http.Request, op *Operation, began time.Time, resp *http.Response, err error) {
	key := durationKey{op: op, scheme: req.URL.Scheme, host: req.URL.Host}
	switch {
	case err != nil:
		key.errorType = Classify(classify(err)).String()
		span.SetStatus(codes.Error, key.errorType)
	case resp.StatusCode >= 400:
		key.status = resp.StatusCode
		key.errorType = strconv.Itoa(resp.StatusCode)
		span.SetStatus(codes.Error, "")
	default:
		key.status = resp.StatusCode
	}
	if resp != nil && span.IsRecording() {
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	}
	h.duration.Record(req.Context(), time.Since(began).Seconds(), h.attributes(key, req.URL))
}

// attributes returns the measurement option of key's attribute set.
func (h *httpTelemetry) attributes(key durationKey, u *url.URL) metric.MeasurementOption {
	if o, ok := h.sets.Load(key); ok {
		return o.(metric.MeasurementOption)
	}
	kvs := []attribute.KeyValue{
		attrEndpoint.String(key.op.name),
		attribute.String("http.request.method", key.op.method),
		attribute.String("server.address", u.Hostname()),
		attribute.String("url.scheme", u.Scheme),
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err == nil {
			kvs = append(kvs, attribute.Int("server.port", n))
		}
	}
	if key.status != 0 {
		kvs = append(kvs, attribute.Int("http.response.status_code", key.status))
	}
	if key.errorType != "" {
		kvs = append(kvs, attribute.String("error.type", key.errorType))
	}
	o, _ := h.sets.LoadOrStore(key, metric.WithAttributeSet(attribute.NewSet(kvs...)))
	return o.(metric.MeasurementOption)
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
