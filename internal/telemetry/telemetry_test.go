package telemetry_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

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
