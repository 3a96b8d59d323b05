package telemetry_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/propagation"

	"github.com/bwfacade/facade/internal/telemetry"
)

func TestSetupWithoutExportersKeepsIDsButRecordsNothing(t *testing.T) {
	t.Parallel()
	p, err := telemetry.Setup(t.Context(), telemetry.Config{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())

	ctx, span := p.Tracer.Tracer("test").Start(t.Context(), "call")
	defer span.End()

	if !span.SpanContext().IsValid() || span.IsRecording() {
		t.Errorf("span: valid ids %v, recording %v; want ids for logs and traceparent, and nothing recorded", span.SpanContext().IsValid(), span.IsRecording())
	}
	var out bytes.Buffer
	slog.New(telemetry.LogHandler(slog.NewJSONHandler(&out, nil))).InfoContext(ctx, "rpc")
	if want := `"trace_id":"` + span.SpanContext().TraceID().String() + `","span_id":"` + span.SpanContext().SpanID().String() + `"`; !strings.Contains(out.String(), want) {
		t.Errorf("log line = %s, want it to carry %s", out.String(), want)
	}
	if p.Metrics != nil {
		t.Error("Metrics handler set without Config.Prometheus")
	}
}

// TestResourceNamesTheService scrapes the metrics' target_info: the
// service is bwfacade by default, and OTEL_SERVICE_NAME names it
// otherwise. Not parallel: it sets the environment.
func TestResourceNamesTheService(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want string
	}{{"", "bwfacade"}, {"billing-facade", "billing-facade"}} {
		t.Run(tt.want, func(t *testing.T) {
			t.Setenv("OTEL_SERVICE_NAME", tt.env)
			p, err := telemetry.Setup(t.Context(), telemetry.Config{Prometheus: true, Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Shutdown(context.Background())
			counter, err := p.Meter.Meter("test").Int64Counter("calls")
			if err != nil {
				t.Fatal(err)
			}
			counter.Add(t.Context(), 1)
			rec := httptest.NewRecorder()
			p.Metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))

			if want := `service_name="` + tt.want + `"`; !strings.Contains(rec.Body.String(), want) {
				t.Errorf("metrics hold no %s:\n%s", want, rec.Body.String())
			}
		})
	}
}

// TestPropagatorCarriesTheTraceOnly takes a caller's traceparent and
// baggage and passes on the trace alone: baggage may hold what services
// put there (user or tenant ids), and the upstream is a third party.
func TestPropagatorCarriesTheTraceOnly(t *testing.T) {
	t.Parallel()
	p, err := telemetry.Setup(t.Context(), telemetry.Config{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())
	in := propagation.HeaderCarrier(http.Header{
		"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		"Baggage":     {"tenant=acme,user=ana@example.com"},
	})
	out := propagation.HeaderCarrier(http.Header{})

	p.Propagator.Inject(p.Propagator.Extract(t.Context(), in), out)

	if got := out.Get("traceparent"); got != in.Get("traceparent") {
		t.Errorf("traceparent passed on = %q, want %q", got, in.Get("traceparent"))
	}
	if got := out.Get("baggage"); got != "" {
		t.Errorf("baggage passed on = %q, want none", got)
	}
}
