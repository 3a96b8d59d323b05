package ratelimit_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/ratelimit"
)

// clock is a fake time source that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func logger(l *logtest.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newLocal(t *testing.T) (*ratelimit.Limiter, *clock) {
	t.Helper()
	c := newClock()
	return ratelimit.New(ratelimit.Config{Now: c.Now, Logger: discardLogger()}), c
}

type result struct {
	OK         bool
	RetryAfter time.Duration
}

func allow(t *testing.T, l *ratelimit.Limiter, key string, lim ratelimit.Limit) result {
	t.Helper()
	ok, retryAfter := l.Allow(t.Context(), key, lim)
	return result{OK: ok, RetryAfter: retryAfter}
}

func allowN(t *testing.T, l *ratelimit.Limiter, key string, lim ratelimit.Limit, n int) []result {
	t.Helper()
	var got []result
	for range n {
		got = append(got, allow(t, l, key, lim))
	}
	return got
}

func TestAllowLocalBurstThenRefusal(t *testing.T) {
	t.Parallel()
	l, _ := newLocal(t)
	lim := ratelimit.Limit{Rate: 2, Burst: 3}

	got := allowN(t, l, "caller:a", lim, 5)

	want := []result{{OK: true}, {OK: true}, {OK: true}, {RetryAfter: 500 * time.Millisecond}, {RetryAfter: 500 * time.Millisecond}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Allow() x5 mismatch (-want +got):\n%s", diff)
	}
	if got, want := l.Stats(), (ratelimit.Stats{Refusals: 2}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestAllowLocalRefillsWithClock(t *testing.T) {
	t.Parallel()
	l, c := newLocal(t)
	lim := ratelimit.Limit{Rate: 4, Burst: 2}
	allowN(t, l, "k", lim, 2)

	c.Advance(100 * time.Millisecond)
	if got, want := allow(t, l, "k", lim), (result{RetryAfter: 150 * time.Millisecond}); got != want {
		t.Errorf("Allow() after 100ms = %+v, want %+v", got, want)
	}
	c.Advance(150 * time.Millisecond)
	if got, want := allow(t, l, "k", lim), (result{OK: true}); got != want {
		t.Errorf("Allow() after 250ms = %+v, want %+v", got, want)
	}
	c.Advance(time.Hour) // refills the burst, not more
	got := allowN(t, l, "k", lim, 3)
	want := []result{{OK: true}, {OK: true}, {RetryAfter: 250 * time.Millisecond}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Allow() x3 after an hour mismatch (-want +got):\n%s", diff)
	}
}

func TestAllowLocalKeysAreIndependent(t *testing.T) {
	t.Parallel()
	l, _ := newLocal(t)
	lim := ratelimit.Limit{Rate: 1, Burst: 1}
	allow(t, l, "a", lim)

	if got, want := allow(t, l, "a", lim), (result{RetryAfter: time.Second}); got != want {
		t.Errorf("Allow(a) = %+v, want %+v", got, want)
	}
	if got, want := allow(t, l, "b", lim), (result{OK: true}); got != want {
		t.Errorf("Allow(b) = %+v, want %+v", got, want)
	}
}

func TestAllowEdgeLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		lim  ratelimit.Limit
		want []result
	}{
		{name: "inf", lim: ratelimit.Limit{Rate: ratelimit.Inf}, want: []result{{OK: true}, {OK: true}, {OK: true}}},
		{name: "zero_rate", lim: ratelimit.Limit{Burst: 5}, want: []result{{RetryAfter: 1<<63 - 1}, {RetryAfter: 1<<63 - 1}, {RetryAfter: 1<<63 - 1}}},
		{name: "zero_burst_is_one", lim: ratelimit.Limit{Rate: 10}, want: []result{{OK: true}, {RetryAfter: 100 * time.Millisecond}, {RetryAfter: 100 * time.Millisecond}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, _ := newLocal(t)

			got := allowN(t, l, "k", tt.lim, 3)

			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Allow() x3 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWaitLocalWaitsWithinMaxWait(t *testing.T) {
	t.Parallel()
	l, _ := newLocal(t)
	lim := ratelimit.Limit{Rate: 100, Burst: 1} // the next token is 10ms away
	allow(t, l, "k", lim)

	ok, retryAfter, err := l.Wait(t.Context(), "k", lim, time.Second)

	if !ok || retryAfter != 0 || err != nil {
		t.Fatalf("Wait() = %v, %v, %v; want true, 0, nil", ok, retryAfter, err)
	}
	// The clock has not moved: Wait took the token due in 10ms, so the
	// next is due in 20ms.
	if got, want := allow(t, l, "k", lim), (result{RetryAfter: 20 * time.Millisecond}); got != want {
		t.Errorf("Allow() after Wait = %+v, want %+v", got, want)
	}
}

func TestWaitLocalRefusesAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		maxWait time.Duration
		timeout time.Duration // of ctx; zero for none
	}{
		{name: "max_wait", maxWait: 100 * time.Millisecond},
		{name: "negative_max_wait", maxWait: -time.Second},
		{name: "ctx_deadline", maxWait: time.Hour, timeout: 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, c := newLocal(t)
			lim := ratelimit.Limit{Rate: 1, Burst: 1}
			allow(t, l, "k", lim)
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}

			start := time.Now()
			ok, retryAfter, err := l.Wait(ctx, "k", lim, tt.maxWait)

			if ok || retryAfter != time.Second || err != nil {
				t.Errorf("Wait() = %v, %v, %v; want false, 1s, nil", ok, retryAfter, err)
			}
			if elapsed := time.Since(start); elapsed > 50*time.Millisecond {
				t.Errorf("Wait() took %v, want it to refuse at once", elapsed)
			}
			// Wait took nothing: one second on, the next token is free.
			c.Advance(time.Second)
			if got, want := allow(t, l, "k", lim), (result{OK: true}); got != want {
				t.Errorf("Allow() a second after Wait = %+v, want %+v", got, want)
			}
		})
	}
}

func TestWaitLocalEndsWithCtx(t *testing.T) {
	t.Parallel()
	l, c := newLocal(t)
	lim := ratelimit.Limit{Rate: 1, Burst: 1}
	allow(t, l, "k", lim)

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := l.Wait(canceled, "k", lim, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(canceled ctx) err = %v, want context.Canceled", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(10*time.Millisecond, cancel) // while Wait sleeps its second
	ok, _, err := l.Wait(ctx, "k", lim, time.Hour)
	if ok || !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(ctx canceled while waiting) = %v, %v; want false, context.Canceled", ok, err)
	}
	// The canceled Wait gave its token back.
	c.Advance(time.Second)
	if got, want := allow(t, l, "k", lim), (result{OK: true}); got != want {
		t.Errorf("Allow() after canceled Wait = %+v, want %+v", got, want)
	}
	if got, want := l.Stats(), (ratelimit.Stats{}); got != want {
		t.Errorf("Stats() = %+v, want %+v (ctx errors are no refusals)", got, want)
	}
}

func TestPauseLocal(t *testing.T) {
	t.Parallel()
	l, c := newLocal(t)
	lim := ratelimit.Limit{Rate: 10, Burst: 10}
	ctx := t.Context()
	until := c.Now().Add(30 * time.Second)

	l.Pause(ctx, "k", until)
	l.Pause(ctx, "k", c.Now().Add(time.Second))  // shorter: no effect
	l.Pause(ctx, "k", c.Now().Add(-time.Second)) // past: no effect

	if got, want := allow(t, l, "k", lim), (result{RetryAfter: 30 * time.Second}); got != want {
		t.Errorf("Allow() while paused = %+v, want %+v: the longest pause", got, want)
	}
	if got, want := allow(t, l, "other", lim), (result{OK: true}); got != want {
		t.Errorf("Allow(other) = %+v, want %+v: a pause is its key's", got, want)
	}
	start := time.Now()
	ok, retryAfter, err := l.Wait(ctx, "k", lim, 10*time.Second)
	if ok || retryAfter != 30*time.Second || err != nil {
		t.Errorf("Wait() while paused = %v, %v, %v; want false, 30s, nil", ok, retryAfter, err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Wait() while paused took %v, want it to refuse at once", elapsed)
	}

	c.Advance(30 * time.Second)
	// The pause took no tokens: the whole burst is there.
	got := allowN(t, l, "k", lim, 11)
	if n := countOK(got); n != 10 {
		t.Errorf("Allow() x11 after the pause allowed %d, want 10", n)
	}
}

func TestWaitLocalWaitsOutShortPause(t *testing.T) {
	t.Parallel()
	l, c := newLocal(t)
	lim := ratelimit.Limit{Rate: 1, Burst: 1}
	l.Pause(t.Context(), "k", c.Now().Add(10*time.Millisecond))

	ok, retryAfter, err := l.Wait(t.Context(), "k", lim, time.Second)

	if !ok || retryAfter != 0 || err != nil {
		t.Fatalf("Wait() = %v, %v, %v; want true, 0, nil", ok, retryAfter, err)
	}
	// Wait took the token due when the pause ends.
	c.Advance(10 * time.Millisecond)
	if got, want := allow(t, l, "k", lim), (result{RetryAfter: time.Second}); got != want {
		t.Errorf("Allow() at the end of the pause = %+v, want %+v", got, want)
	}
}

// upstreamLimiter is the shape of upstream.Limiter, which this package
// must not import.
type upstreamLimiter interface {
	Wait(ctx context.Context, key string, maxWait time.Duration) (ok bool, retryAfter time.Duration, err error)
	Pause(ctx context.Context, key string, until time.Time)
}

func TestKeyedUsesItsLimit(t *testing.T) {
	t.Parallel()
	l, c := newLocal(t)
	var k upstreamLimiter = l.Keyed(ratelimit.Limit{Rate: 1, Burst: 1})

	first, _, _ := k.Wait(t.Context(), "k", 0)
	ok, retryAfter, err := k.Wait(t.Context(), "k", 0)
	if !first || ok || retryAfter != time.Second || err != nil {
		t.Errorf("Keyed.Wait() x2 = %v, then %v, %v, %v; want true, then false, 1s, nil", first, ok, retryAfter, err)
	}
	k.Pause(t.Context(), "j", c.Now().Add(time.Minute))
	if got, want := allow(t, l, "j", ratelimit.Limit{Rate: 1}), (result{RetryAfter: time.Minute}); got != want {
		t.Errorf("Allow() after Keyed.Pause = %+v, want %+v", got, want)
	}
}

func countOK(rs []result) int {
	n := 0
	for _, r := range rs {
		if r.OK {
			n++
		}
	}
	return n
}

func BenchmarkAllowLocal(b *testing.B) {
	l := ratelimit.New(ratelimit.Config{Logger: discardLogger()})
	lim := ratelimit.Limit{Rate: 1e9, Burst: 1e9}
	ctx := b.Context()
	for b.Loop() {
		l.Allow(ctx, "k", lim)
	}
}
