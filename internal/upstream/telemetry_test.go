package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// durations returns the attribute sets of http.client.request.duration's
// points, each as "key=value" strings, with their counts.
func durations(t *testing.T, reader *sdkmetric.ManualReader) map[string]uint64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "http.client.request.duration" {
				continue
			}
			for _, p := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				var kvs []string
				for _, kv := range p.Attributes.ToSlice() {
					if kv.Key != "server.port" {
						kvs = append(kvs, string(kv.Key)+"="+kv.Value.String())
					}
				}
				slices.Sort(kvs)
				out[strings.Join(kvs, " ")] += p.Count
			}
		}
	}
	return out
}

// TestAttemptTelemetry checks the span and the duration measurement of
// attempts: an answer, a 5xx and a request that never reached a server,
// each named by its template, the span sending its trace context.
func TestAttemptTelemetry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var traceparents []string
	fake := newRecordingUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		traceparents = append(traceparents, r.Header.Get("Traceparent"))
		mu.Unlock()
		if strings.Contains(r.URL.Path, "/teams/") {
			http.Error(w, `{"detail":"down"}`, http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"id": 7, "name": "Goal"}`))
	})
	spans := tracetest.NewInMemoryExporter()
	reader := sdkmetric.NewManualReader()
	tel := Telemetry{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		Propagator:     propagation.TraceContext{},
	}
	c := fake.client(t, Config{Telemetry: tel, Resilience: Resilience{MaxAttempts: 1}})
	token := NewToken("tok-telemetry-0001")
	if _, err := c.GetGoal(t.Context(), token, "7"); err != nil {
		t.Fatalf("GetGoal() error = %v", err)
	}
	if _, err := c.GetTeam(t.Context(), token, "3"); err == nil {
		t.Fatal("GetTeam() error = nil, want the 503")
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	refused, err := New(Config{BaseURL: closed.URL + "/api/v1/", Telemetry: tel, Resilience: Resilience{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refused.GetGoal(t.Context(), token, "7"); err == nil {
		t.Fatal("GetGoal() of a closed port: error = nil")
	}

	got := durations(t, reader)
	for _, want := range []string{
		"bwfacade.upstream.endpoint=GET /goals/{id}/ http.request.method=GET http.response.status_code=200 server.address=127.0.0.1 url.scheme=http",
		"bwfacade.upstream.endpoint=GET /teams/{id}/ error.type=503 http.request.method=GET http.response.status_code=503 server.address=127.0.0.1 url.scheme=http",
		"bwfacade.upstream.endpoint=GET /goals/{id}/ error.type=never_sent http.request.method=GET server.address=127.0.0.1 url.scheme=http",
	} {
		if got[want] != 1 {
			t.Errorf("http.client.request.duration{%s} count = %d, want 1; points: %v", want, got[want], got)
		}
	}

	ended := spans.GetSpans().Snapshots()
	if len(ended) != 3 {
		t.Fatalf("%d spans, want 3", len(ended))
	}
	wantStatus := []codes.Code{codes.Unset, codes.Error, codes.Error}
	for i, s := range ended {
		if s.Status().Code != wantStatus[i] {
			t.Errorf("span %d (%s) status = %v, want %v", i, s.Name(), s.Status().Code, wantStatus[i])
		}
		for _, kv := range s.Attributes() {
			if kv.Key == "url.full" && strings.Contains(kv.Value.String(), "http") {
				t.Errorf("span %d url.full = %q, want the template", i, kv.Value.String())
			}
		}
	}
	if !slices.Contains(ended[0].Attributes(), attribute.Int("http.response.status_code", 200)) {
		t.Errorf("span 0 attributes = %v, want http.response.status_code 200", ended[0].Attributes())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(traceparents) != 2 || !strings.Contains(traceparents[0], ended[0].SpanContext().SpanID().String()) {
		t.Errorf("traceparents sent = %q, want the first to name span %s", traceparents, ended[0].SpanContext().SpanID())
	}
}
