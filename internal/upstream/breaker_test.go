package upstream

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestBreakerRatioIsOfCountedAttempts answers ten reads 429, which the
// breaker leaves out, then twenty more alternately 503 and 200: half of
// the counted attempts failed, over the twenty the ratio needs, so the
// breaker opens. The 429s must not water the ratio down.
func TestBreakerRatioIsOfCountedAttempts(t *testing.T) {
	t.Parallel()
	var answered atomic.Int64
	fake := newRecordingUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		switch i := answered.Add(1); {
		case i <= 10:
			w.WriteHeader(http.StatusTooManyRequests)
		case i%2 == 0:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id": 1}`)
		}
	})
	c := fake.client(t, Config{Resilience: Resilience{
		MaxAttempts: 1,
		Breaker:     BreakerSettings{ConsecutiveFailures: 1000, FailureRatio: 0.5, MinRequests: 20, Window: time.Minute},
	}})
	for range 30 {
		_, _ = c.GetGoal(t.Context(), NewToken("t"), "1")
	}
	if n := answered.Load(); n != 30 {
		t.Fatalf("the upstream answered %d reads, want 30", n)
	}

	_, err := c.GetGoal(t.Context(), NewToken("t"), "1")

	if !errors.Is(err, ErrCircuitOpen) {
		t.Errorf("GetGoal() after 10 failures in 20 counted attempts = %v, want %v", err, ErrCircuitOpen)
	}
}
