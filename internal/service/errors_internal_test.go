package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/upstream"
)

// TestConnectErrorCoversEveryOutcome holds every outcome the upstream
// client classifies against the code and reason a caller gets.
func TestConnectErrorCoversEveryOutcome(t *testing.T) {
	t.Parallel()
	const op = "GET /goals/{id}/"
	status := func(code int) error { return &upstream.StatusError{Endpoint: op, StatusCode: code} }
	refused := func(cause error) error { return &upstream.RefusedError{Endpoint: op, Cause: cause} }
	expired, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		err        error
		outcome    upstream.Outcome
		wantCode   connect.Code
		wantReason string
	}{
		{"rejected", t.Context(), status(404), upstream.OutcomeRejected, connect.CodeNotFound, "UPSTREAM_NOT_FOUND"},
		{"rate_limited", t.Context(), status(429), upstream.OutcomeRateLimited, connect.CodeResourceExhausted, "UPSTREAM_RATE_LIMITED"},
		{"unavailable", t.Context(), status(503), upstream.OutcomeUnavailable, connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE"},
		{"server_error", t.Context(), status(500), upstream.OutcomeServerError, connect.CodeInternal, "UPSTREAM_INTERNAL"},
		{"malformed", t.Context(), fmt.Errorf("%s: %w", op, upstream.ErrMalformedResponse), upstream.OutcomeMalformed, connect.CodeInternal, "UPSTREAM_MALFORMED_RESPONSE"},
		{"upstream_timeout", t.Context(), fmt.Errorf("%s: %w", op, context.DeadlineExceeded), upstream.OutcomeLost, connect.CodeUnavailable, "UPSTREAM_TIMEOUT"},
		{"caller_deadline", expired, fmt.Errorf("%s: %w", op, context.DeadlineExceeded), upstream.OutcomeLost, connect.CodeDeadlineExceeded, "DEADLINE_EXCEEDED"},
		{"reset", t.Context(), fmt.Errorf("%s: %w", op, io.ErrUnexpectedEOF), upstream.OutcomeLost, connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE"},
		{"never_sent", t.Context(), fmt.Errorf("%s: %w", op, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), upstream.OutcomeNeverSent, connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE"},
		{"invalid", t.Context(), fmt.Errorf("%s: %w", op, upstream.ErrInvalidRequest), upstream.OutcomeInvalid, connect.CodeInvalidArgument, "INVALID_UPSTREAM_REQUEST"},
		{"no_token", t.Context(), fmt.Errorf("%s: %w", op, upstream.ErrNoToken), upstream.OutcomeInvalid, connect.CodeUnauthenticated, "NO_UPSTREAM_TOKEN"},
		{"canceled", t.Context(), fmt.Errorf("%s: %w", op, context.Canceled), upstream.OutcomeCanceled, connect.CodeCanceled, "CANCELED"},
		{"circuit_open", t.Context(), refused(upstream.ErrCircuitOpen), upstream.OutcomeCircuitOpen, connect.CodeUnavailable, "UPSTREAM_CIRCUIT_OPEN"},
		{"token_rate_limited", t.Context(), refused(upstream.ErrTokenRateLimited), upstream.OutcomeTokenRateLimited, connect.CodeResourceExhausted, "UPSTREAM_TOKEN_RATE_LIMITED"},
		{"overloaded", t.Context(), refused(upstream.ErrOverloaded), upstream.OutcomeOverloaded, connect.CodeUnavailable, "UPSTREAM_OVERLOADED"},
	}
	covered := map[upstream.Outcome]bool{upstream.OutcomeOK: true}
	for _, tt := range tests {
		covered[tt.outcome] = true
	}
	for o := range upstream.OutcomeOverloaded + 1 {
		if !covered[o] {
			t.Errorf("no case of outcome %v", o)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := upstream.Classify(tt.err); got != tt.outcome {
				t.Fatalf("Classify() = %v, want %v", got, tt.outcome)
			}
			cerr := connectError(tt.ctx, slog.New(slog.DiscardHandler), tt.err)
			var reason string
			for _, d := range cerr.Details() {
				if v, err := d.Value(); err == nil {
					if info, ok := v.(*errdetails.ErrorInfo); ok {
						reason = info.GetReason()
					}
				}
			}
			if cerr.Code() != tt.wantCode || reason != tt.wantReason {
				t.Errorf("connectError() = %v with reason %q, want %v with %q", cerr.Code(), reason, tt.wantCode, tt.wantReason)
			}
		})
	}
}
