package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/telemetry"
	"github.com/bwfacade/facade/internal/upstream"
)

// tracedStack starts a stack whose spans land in the returned exporter
// and whose metrics are scraped from the returned handler.
func tracedStack(t *testing.T, opts facadetest.Options) (*facadetest.Stack, *tracetest.InMemoryExporter, http.Handler) {
	t.Helper()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	providers, err := telemetry.Setup(t.Context(), telemetry.Config{Prometheus: true, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = providers.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	opts.Telemetry = server.Telemetry{Telemetry: upstream.Telemetry{TracerProvider: tp, MeterProvider: providers.Meter, Propagator: providers.Propagator}}
	return facadetest.Start(t, opts), spans, providers.Metrics
}

func attr(s sdktrace.ReadOnlySpan, key attribute.Key) attribute.Value {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func TestTraceOfARetriedCall(t *testing.T) {
	t.Parallel()
	st, spans, _ := tracedStack(t, facadetest.Options{
		Sandbox:    sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Status: 503, Times: 1}}},
		Resilience: upstream.Resilience{Rand: func() float64 { return 0 }},
	})
	// The caller's own span, sent as traceparent.
	callerTrace, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	callerSpan, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	callerCtx := trace.ContextWithRemoteSpanContext(t.Context(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: callerTrace, SpanID: callerSpan, TraceFlags: trace.FlagsSampled, Remote: true,
	}))
	traceparent := connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header()))
			return next(ctx, req)
		}
	}))
	client := goalsClientWith(st, st.Key(sandbox.RoleUser), traceparent)

	if _, err := client.GetGoal(callerCtx, &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}); err != nil {
		t.Fatalf("GetGoal() error = %v", err)
	}

	var serverSpan sdktrace.ReadOnlySpan
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range spans.GetSpans().Snapshots() {
		switch s.SpanKind() {
		case trace.SpanKindServer:
			serverSpan = s
		case trace.SpanKindClient:
			attempts = append(attempts, s)
		}
	}
	if serverSpan == nil || serverSpan.Name() != "betterworks.v1.GoalService/GetGoal" {
		t.Fatalf("server span = %v, want betterworks.v1.GoalService/GetGoal", serverSpan)
	}
	if serverSpan.SpanContext().TraceID() != callerTrace || serverSpan.Parent().SpanID() != callerSpan {
		t.Errorf("server span in trace %s under %s, want the caller's trace %s under its span %s",
			serverSpan.SpanContext().TraceID(), serverSpan.Parent().SpanID(), callerTrace, callerSpan)
	}
	if got := attr(serverSpan, "bwfacade.caller").AsString(); got != "none" {
		t.Errorf("server span's caller = %q, want none (the plain user's caller)", got)
	}
	if len(attempts) != 2 {
		t.Fatalf("%d upstream spans, want 2: the 503 and its retry", len(attempts))
	}
	requests := st.Sandbox.Requests()
	for i, s := range attempts {
		wantStatus := []int64{503, 200}[i]
		if s.Name() != getGoalEndpoint || s.Parent().SpanID() != serverSpan.SpanContext().SpanID() || s.SpanContext().TraceID() != callerTrace {
			t.Errorf("upstream span %d = %q under %s, want %q under the server span", i, s.Name(), s.Parent().SpanID(), getGoalEndpoint)
		}
		if got := attr(s, "bwfacade.upstream.attempt").AsInt64(); got != int64(i+1) {
			t.Errorf("upstream span %d attempt = %d, want %d", i, got, i+1)
		}
		if got := attr(s, "http.response.status_code").AsInt64(); got != wantStatus {
			t.Errorf("upstream span %d status = %d, want %d", i, got, wantStatus)
		}
		if got := attr(s, "url.full").AsString(); got != getGoalEndpoint {
			t.Errorf("upstream span %d url.full = %q, want the template, never the URL", i, got)
		}
		if got := attr(s, "bwfacade.upstream.request_id").AsString(); got != requests[i].RequestID {
			t.Errorf("upstream span %d request id = %q, want the X-Request-Id sent, %q", i, got, requests[i].RequestID)
		}
		if got := attr(s, "bwfacade.upstream.breaker_state").AsString(); got != "closed" {
			t.Errorf("upstream span %d breaker state = %q, want closed", i, got)
		}
		want := fmt.Sprintf("00-%s-%s-01", callerTrace, s.SpanContext().SpanID())
		if requests[i].Traceparent != want {
			t.Errorf("request %d reached the sandbox with traceparent %q, want its span's %q", i, requests[i].Traceparent, want)
		}
	}
	if attempts[0].Status().Code != codes.Error {
		t.Errorf("the 503 attempt's span status = %v, want Error", attempts[0].Status())
	}
}

func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	limiter := ratelimit.New(ratelimit.Config{})
	st, _, metrics := tracedStack(t, facadetest.Options{
		Sandbox: sandbox.Config{Faults: []sandbox.Fault{
			{Endpoint: "GET /teams/{id}/", Status: 503},
			// A user in a locale the contract does not know yet.
			{Endpoint: "GET /users/{identifier}/", Status: 200, Body: `{"id": 100, "email": "a@example.com", "locale": "tlh_KX"}`},
		}},
		Resilience: upstream.Resilience{
			Rand:    func() float64 { return 0 },
			Breaker: upstream.BreakerSettings{ConsecutiveFailures: 3},
		},
		Limiter:      limiter,
		UpstreamPace: ratelimit.Limit{Rate: 1000, Burst: 1000},
		DefaultQuota: auth.Quota{Rate: 0.001, Burst: 3},
	})
	for range 4 { // the fourth is over the quota
		_ = getGoal(t.Context(), st, sandbox.RoleUser)
	}
	people := st.People(facadetest.GRPC, sandbox.RoleSuperAdmin)
	for range 3 { // three 503s of retried reads open the teams breaker
		_, _ = people.GetTeam(t.Context(), &betterworksv1.GetTeamRequest{TeamId: "1"})
	}

	admin := st.People(facadetest.GRPC, sandbox.RoleAdmin) // a caller with quota left
	if _, err := admin.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: "100"}); err != nil {
		t.Fatalf("GetUser() error = %v", err)
	}

	text := scrape(t, metrics)

	for _, want := range []string{
		`http_client_request_duration_seconds_count{.*bwfacade_upstream_endpoint="GET /goals/{id}/".*http_response_status_code="200".*} 3`,
		`http_client_request_duration_seconds_count{.*bwfacade_upstream_endpoint="GET /teams/{id}/".*http_response_status_code="503".*} [3-9]`,
		`bwfacade_upstream_limiter_wait_seconds_count{.*bwfacade_upstream_endpoint="GET /goals/{id}/".*} 3`,
		`bwfacade_upstream_breaker_state{.*bwfacade_upstream_family="teams".*} 2`,
		`bwfacade_upstream_breaker_state{.*bwfacade_upstream_family="goals".*} 0`,
		`bwfacade_upstream_retries_total{.*bwfacade_upstream_endpoint="GET /teams/{id}/".*} [1-9]`,
		`bwfacade_upstream_refusals_total{.*bwfacade_upstream_reason="circuit_open".*} [1-9]`,
		`bwfacade_caller_quota_refusals_total{.*bwfacade_caller="none".*} 1`,
		`bwfacade_unknown_enum_values_total{.*bwfacade_enum="UserLocale".*} [1-9]\d*`,
		`rpc_server_call_duration_seconds_count{.*rpc_method="betterworks.v1.GoalService/GetGoal",rpc_response_status_code="OK".*} 3`,
	} {
		if !regexp.MustCompile(`(?m)^` + want + `$`).MatchString(text) {
			t.Errorf("scrape lacks a line matching %s", want)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", text)
	}
}

func scrape(t *testing.T, metrics http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// TestTelemetryHoldsNoSecret sends traffic of every kind, refusals
// included, and searches every span attribute and event, every metric
// and every log line for the callers' keys and upstream tokens.
func TestTelemetryHoldsNoSecret(t *testing.T) {
	t.Parallel()
	var logs logtest.Buffer
	limiter := ratelimit.New(ratelimit.Config{})
	st, spans, metrics := tracedStack(t, facadetest.Options{
		Logger:       slog.New(telemetry.LogHandler(slog.NewJSONHandler(&logs, nil))),
		Sandbox:      sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Status: 401, Times: 1}}},
		Limiter:      limiter,
		UpstreamPace: ratelimit.Limit{Rate: 1000, Burst: 1000},
		DefaultQuota: auth.Quota{Rate: 1000, Burst: 1000},
	})
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	for _, role := range []sandbox.Role{sandbox.RoleUser, sandbox.RoleSuperAdmin, sandbox.RoleAdmin} {
		client := st.Goals(facadetest.Connect, role)
		_, _ = client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})
		_, _ = client.DeleteGoal(t.Context(), &betterworksv1.DeleteGoalRequest{GoalId: "999999"})
		_, _ = client.SearchGoals(t.Context(), &betterworksv1.SearchGoalsRequest{Query: "x"})
	}
	unknownKey := auth.GenerateKey()
	_, _ = goalsClientWith(st, unknownKey).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})

	if !regexp.MustCompile(`"msg":"refused","procedure":"/betterworks.v1.GoalService/GetGoal","peer":"127.0.0.1:\d+","code":"unauthenticated","reason":"CALLER_KEY_UNKNOWN"`).MatchString(logs.String()) {
		t.Errorf("no log line of the refused unknown key:\n%s", logs.String())
	}
	var everything strings.Builder
	for _, s := range spans.GetSpans().Snapshots() {
		fmt.Fprintln(&everything, s.Name(), s.Attributes(), s.Status(), s.Events(), s.Links())
	}
	everything.WriteString(scrape(t, metrics))
	everything.WriteString(logs.String())
	if !regexp.MustCompile(`"msg":"rpc".*"procedure":"/betterworks.v1.GoalService/GetGoal".*"upstream_calls":1,"trace_id":"[0-9a-f]{32}","span_id":"[0-9a-f]{16}"`).MatchString(logs.String()) {
		t.Errorf("no access log line of GetGoal with its upstream calls, trace_id and span_id:\n%s", logs.String())
	}
	for _, role := range []sandbox.Role{sandbox.RoleSuperAdmin, sandbox.RoleAdmin, sandbox.RoleHRAdmin, sandbox.RoleUser} {
		for name, secret := range map[string]string{"key": st.Key(role), "token": st.Sandbox.Token(role)} {
			if strings.Contains(everything.String(), secret) {
				t.Errorf("the %s of %s appears in spans, metrics or logs", name, role)
			}
		}
	}
	if strings.Contains(everything.String(), unknownKey) {
		t.Error("the refused unknown key appears in spans, metrics or logs")
	}
	if everything.Len() < 5000 {
		t.Errorf("searched only %d bytes of telemetry; the traffic did not produce enough to prove anything", everything.Len())
	}
}

// goalsClientWith is a Connect GoalService client with key and opts.
func goalsClientWith(st *facadetest.Stack, key string, opts ...connect.ClientOption) betterworksv1connect.GoalServiceClient {
	return betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, append(facadetest.ClientOptions(facadetest.Connect, key), opts...)...)
}
