package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestOutcomeTable holds every outcome against what the breaker, the
// retries and the metrics make of it, from errors as the client produces
// them.
func TestOutcomeTable(t *testing.T) {
	t.Parallel()
	status := func(code int, retryAfter time.Duration) error {
		return fmt.Errorf("wrapped: %w", &StatusError{Endpoint: opGetGoal.name, StatusCode: code, RetryAfter: retryAfter})
	}
	refused := func(cause error) error { return &RefusedError{Endpoint: opGetGoal.name, Cause: cause} }
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	const (
		success  = "success"
		failure  = "failure"
		excluded = "excluded"
	)
	tests := []struct {
		name    string
		err     error
		want    Outcome
		breaker string
		// Whether a first failed attempt of a GET, a DELETE and a POST is
		// tried again, with budget and time to spare.
		retryGet, retryDelete, retryPost bool
	}{
		{"nil", nil, OutcomeOK, success, false, false, false},
		{"400", status(400, 0), OutcomeRejected, success, false, false, false},
		{"404", status(404, 0), OutcomeRejected, success, false, false, false},
		{"redirect", status(302, 0), OutcomeRejected, success, false, false, false},
		{"429_with_retry_after", status(429, time.Second), OutcomeRateLimited, excluded, true, true, false},
		{"429_without_retry_after", status(429, 0), OutcomeRateLimited, excluded, false, false, false},
		{"429_retry_after_too_long", status(429, 2*time.Minute), OutcomeRateLimited, excluded, false, false, false},
		{"500", status(500, 0), OutcomeServerError, failure, false, false, false},
		{"501", status(501, 0), OutcomeServerError, failure, false, false, false},
		{"502", status(502, 0), OutcomeUnavailable, failure, true, true, false},
		{"503", status(503, 0), OutcomeUnavailable, failure, true, true, false},
		{"504", status(504, 0), OutcomeUnavailable, failure, true, true, false},
		{"malformed", fmt.Errorf("%s: %w: eof", opGetGoal, ErrMalformedResponse), OutcomeMalformed, success, false, false, false},
		{"too_large", fmt.Errorf("%s: %w", opGetGoal, ErrResponseTooLarge), OutcomeMalformed, success, false, false, false},
		{"attempt_timeout", fmt.Errorf("%s: %w", opGetGoal, context.DeadlineExceeded), OutcomeLost, failure, true, true, false},
		{"reset", fmt.Errorf("%s: %w", opGetGoal, syscall.ECONNRESET), OutcomeLost, failure, true, true, false},
		{"eof", fmt.Errorf("%s: %w", opGetGoal, io.ErrUnexpectedEOF), OutcomeLost, failure, true, true, false},
		{"connection_refused", fmt.Errorf("%s: %w", opGetGoal, dial), OutcomeNeverSent, failure, true, true, true},
		{"invalid_request", fmt.Errorf("%s: %w: bad url", opGetGoal, ErrInvalidRequest), OutcomeInvalid, excluded, false, false, false},
		{"no_token", fmt.Errorf("%s: %w", opGetGoal, ErrNoToken), OutcomeInvalid, excluded, false, false, false},
		{"canceled", fmt.Errorf("%s: %w", opGetGoal, context.Canceled), OutcomeCanceled, excluded, false, false, false},
		{"circuit_open", refused(ErrCircuitOpen), OutcomeCircuitOpen, excluded, false, false, false},
		{"token_rate_limited", refused(ErrTokenRateLimited), OutcomeTokenRateLimited, excluded, false, false, false},
		{"overloaded", refused(ErrOverloaded), OutcomeOverloaded, excluded, false, false, false},
	}
	covered := make(map[Outcome]bool)
	for _, tt := range tests {
		covered[tt.want] = true
	}
	for o := range Outcome(len(outcomeTraits)) {
		if !covered[o] {
			t.Errorf("no case of outcome %v", o)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Classify(tt.err)
			if got != tt.want {
				t.Fatalf("Classify() = %v, want %v", got, tt.want)
			}
			if again := Classify(classify(tt.err)); again != got {
				t.Errorf("Classify(classify()) = %v, want the same outcome %v", again, got)
			}
			breaker := success
			switch {
			case got.breakerExcluded():
				breaker = excluded
			case got.breakerFailure():
				breaker = failure
			}
			if breaker != tt.breaker {
				t.Errorf("breaker counts %v as %s, want %s", got, breaker, tt.breaker)
			}
			if got.Refused() != errors.As(tt.err, new(*RefusedError)) {
				t.Errorf("%v.Refused() = %v, want it exactly for a RefusedError", got, got.Refused())
			}
			r := newResilience(Resilience{Rand: func() float64 { return 0 }}, time.Now)
			for _, c := range []struct {
				op   *Operation
				want bool
			}{{opGetGoal, tt.retryGet}, {opDeleteGoal, tt.retryDelete}, {opCreateGoal, tt.retryPost}} {
				_, verdict := r.retryWait(t.Context(), call{op: c.op}, 1, got, tt.err)
				if (verdict == retry) != c.want {
					t.Errorf("%s after %v: verdict %v, want retried %v", c.op, got, verdict, c.want)
				}
			}
			if got.String() == "" {
				t.Errorf("%d has no name", got)
			}
		})
	}
}
