package service_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/sandbox"
)

// TestGoalServiceMapsUpstreamErrors drives the error table of DESIGN.md
// through the sandbox's fault injection: every upstream outcome becomes its
// Connect code with an ErrorInfo reason.
func TestGoalServiceMapsUpstreamErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      sandbox.Fault
		wantCode   connect.Code
		wantReason string
		wantRetry  time.Duration
	}{
		{"bad_request", sandbox.Fault{Status: 400}, connect.CodeInvalidArgument, "UPSTREAM_INVALID_ARGUMENT", 0},
		{"unprocessable", sandbox.Fault{Status: 422}, connect.CodeInvalidArgument, "UPSTREAM_INVALID_ARGUMENT", 0},
		{"token_rejected", sandbox.Fault{Status: 401}, connect.CodeFailedPrecondition, "UPSTREAM_TOKEN_REJECTED", 0},
		{"forbidden", sandbox.Fault{Status: 403}, connect.CodePermissionDenied, "UPSTREAM_PERMISSION_DENIED", 0},
		{"not_found", sandbox.Fault{Status: 404}, connect.CodeNotFound, "UPSTREAM_NOT_FOUND", 0},
		{"conflict", sandbox.Fault{Status: 409}, connect.CodeAborted, "UPSTREAM_CONFLICT", 0},
		// A Retry-After longer than the call's deadline: no retry.
		{"rate_limited", sandbox.Fault{Status: 429, RetryAfter: "70"}, connect.CodeResourceExhausted, "UPSTREAM_RATE_LIMITED", 70 * time.Second},
		{"internal", sandbox.Fault{Status: 500}, connect.CodeInternal, "UPSTREAM_INTERNAL", 0},
		{"not_implemented", sandbox.Fault{Status: 501}, connect.CodeUnimplemented, "UPSTREAM_UNIMPLEMENTED", 0},
		{"bad_gateway_html", sandbox.Fault{Status: 502, Body: "<html><body>Bad gateway</body></html>"}, connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE", 0},
		{"unavailable", sandbox.Fault{Status: 503, RetryAfter: "2"}, connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE", 2 * time.Second},
		{"gateway_timeout", sandbox.Fault{Status: 504}, connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE", 0},
		{"malformed_body", sandbox.Fault{Status: 200, Body: "{not json"}, connect.CodeInternal, "UPSTREAM_MALFORMED_RESPONSE", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Each case has its own stack: faults belong to the whole
			// sandbox, and 5xx answers count in the client's breaker.
			tt.fault.Endpoint = "GET /goals/{id}/"
			st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Faults: []sandbox.Fault{tt.fault}}})

			_, err := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1001"})

			if got := connect.CodeOf(err); got != tt.wantCode {
				t.Errorf("GetGoal() code = %v, want %v (err: %v)", got, tt.wantCode, err)
			}
			info := errorInfo(err)
			if info.GetReason() != tt.wantReason || info.GetDomain() != "betterworks.com" {
				t.Errorf("ErrorInfo = %v, want reason %s in domain betterworks.com", info, tt.wantReason)
			}
			if got := retryDelay(err); got != tt.wantRetry {
				t.Errorf("RetryInfo delay = %v, want %v", got, tt.wantRetry)
			}
		})
	}
}

// TestUpstreamWordsReachingCallers drives upstream 4xx bodies through the
// sandbox's fault injection: callers read the upstream's message meant for
// them, cut to 200 characters, and never a proxy's markup or a crash's
// text.
func TestUpstreamWordsReachingCallers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantMsg string
	}{
		{"json_detail", `{"detail": "Goal is locked."}`, "betterworks: Goal is locked."},
		{"json_detail_capped", `{"detail": "` + strings.Repeat("é", 300) + `"}`, "betterworks: " + strings.Repeat("é", 200) + "…"},
		{"json_field_errors", `{"name": ["This field is required."]}`, "betterworks: name: This field is required."},
		{"html_page", "<html><body><h1>400 Bad Request</h1><hr><center>nginx</center></body></html>", "betterworks: Bad Request (non-JSON body)"},
		{"markup_in_json", `{"detail": "<script>alert(1)</script>"}`, "betterworks: Bad Request"},
		{"crash_text", "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 12", "betterworks: Bad Request (non-JSON body)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fault := sandbox.Fault{Endpoint: "GET /goals/{id}/", Status: 400, Body: tt.body}
			st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Faults: []sandbox.Fault{fault}}})

			_, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1001"})

			var cerr *connect.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("GetGoal() error = %v, want a Connect error", err)
			}
			if got := cerr.Message(); got != tt.wantMsg {
				t.Errorf("GetGoal() message = %q, want %q", got, tt.wantMsg)
			}
			if got := errorInfo(err).GetReason(); got != "UPSTREAM_INVALID_ARGUMENT" {
				t.Errorf("GetGoal() ErrorInfo reason = %q, want UPSTREAM_INVALID_ARGUMENT", got)
			}
		})
	}
}

func TestGoalServiceUpstreamDown(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	st.CloseUpstream()

	_, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1001"})

	wantUpstreamError(t, "GetGoal()", err, connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE")
}

func TestGoalServiceAlertsOnRejectedTokenWithoutSecrets(t *testing.T) {
	t.Parallel()
	var logs logtest.Buffer
	st := facadetest.Start(t, facadetest.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	st.Sandbox.SetFaults(sandbox.Fault{Endpoint: "GET /goals/{id}/", Status: 401})

	_, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1001"})

	if got := connect.CodeOf(err); got != connect.CodeFailedPrecondition {
		t.Fatalf("GetGoal() code = %v, want %v", got, connect.CodeFailedPrecondition)
	}
	out := logs.String()
	if !strings.Contains(out, `"alert":"UPSTREAM_TOKEN_REJECTED"`) || !strings.Contains(out, `"caller":"superadmin"`) {
		t.Errorf("log has no alert naming the caller:\n%s", out)
	}
	for _, secret := range []string{st.Sandbox.Token(sandbox.RoleSuperAdmin), st.Key(sandbox.RoleSuperAdmin)} {
		if strings.Contains(out, secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("a token or key leaked into the log or the error:\n%s\n%v", out, err)
		}
	}
}
