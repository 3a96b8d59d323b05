package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/redistest"
)

// slowPace refills one turn in 1000 s: no test sees a refill.
var slowPace = ratelimit.Limit{Rate: 0.001, Burst: 1}

// admission is a call of caller:x, whose token is token:t, over quota.
func admission(quota ratelimit.Limit, pace ratelimit.Limit) ratelimit.Admission {
	return ratelimit.Admission{Key: "caller:x", Limit: quota, PaceKey: "token:t", Pace: pace, Prepay: true}
}

type admitResult struct {
	OK         bool
	RetryAfter time.Duration
	Turn       bool
}

func admit(t *testing.T, l *ratelimit.Limiter, a ratelimit.Admission) (admitResult, *ratelimit.Turn) {
	t.Helper()
	ok, retryAfter, turn := l.Admit(t.Context(), a)
	return admitResult{OK: ok, RetryAfter: retryAfter, Turn: turn != nil}, turn
}

func TestRedisAdmitRefusesOverQuotaAcrossReplicas(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	quota := ratelimit.Limit{Rate: 0.5, Burst: 3} // refills one token in 2s
	pace := ratelimit.Limit{Rate: 0.001, Burst: 2}

	var got []admitResult
	for i := range 5 {
		r, _ := admit(t, []*ratelimit.Limiter{a, b}[i%2], admission(quota, pace))
		got = append(got, r)
	}

	// Two turns are free: the first two calls prepay theirs, the third
	// is allowed without one, the fourth and fifth are over the quota and
	// take no turn.
	if diff := cmp.Diff([]admitResult{{OK: true, Turn: true}, {OK: true, Turn: true}, {OK: true}}, got[:3]); diff != "" {
		t.Errorf("Admit() x3 within the quota mismatch (-want +got):\n%s", diff)
	}
	for i, r := range got[3:] {
		if r.OK || r.Turn || r.RetryAfter <= 0 || r.RetryAfter > 2*time.Second {
			t.Errorf("Admit() #%d over the quota = %+v, want refused, no turn, retry after (0, 2s]", i+3, r)
		}
	}
	stats := []ratelimit.Stats{a.Stats(), b.Stats()}
	want := []ratelimit.Stats{{Refusals: 1, TurnsTaken: 1}, {Refusals: 1, TurnsTaken: 1}}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Errorf("Stats() mismatch (-want +got):\n%s", diff)
	}
}

func TestRedisAdmitTakesNoTurnOfATokenPausedElsewhere(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	quota := ratelimit.Limit{Rate: 0.001, Burst: 1}
	b.Pause(t.Context(), "token:t", c.Now().Add(time.Minute))

	got, _ := admit(t, a, admission(quota, slowPace))

	if want := (admitResult{OK: true}); got != want {
		t.Errorf("Admit() of a paused token = %+v, want %+v: the quota allows, no turn", got, want)
	}
	// a learnt the pause: its Wait refuses at once, without Redis.
	s.Stop()
	ok, retryAfter, err := a.Keyed(slowPace).Wait(t.Context(), "token:t", time.Second)
	if ok || (retryAfter-time.Minute).Abs() > time.Millisecond || err != nil {
		t.Errorf("Wait() after Admit saw the pause = %v, %v, %v; want false, 1m, nil", ok, retryAfter, err)
	}
	if got := a.Stats().RedisFallbacks; got != 0 {
		t.Errorf("Stats().RedisFallbacks = %d, want 0: the pause was known here", got)
	}
}

func TestRedisTurnIsUsedOnce(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	quota := ratelimit.Limit{Rate: ratelimit.Inf}
	pace := ratelimit.Limit{Rate: 0.001, Burst: 2}

	_, turn := admit(t, a, admission(quota, pace))
	if turn == nil {
		t.Fatal("Admit() took no turn of a rested token")
	}

	// The turn is one of the two: another replica finds one left.
	if got, want := allowN(t, b, "token:t", pace, 2), []result{{OK: true}, {RetryAfter: 1000 * time.Second}}; !cmp.Equal(got, want, approxDuration) {
		t.Errorf("b.Allow() x2 after Admit = %+v, want %+v", got, want)
	}
	if turn.Use("token:other") {
		t.Error("Use(another key) = true, want false")
	}
	var used atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if turn.Use("token:t") {
				used.Add(1)
			}
		})
	}
	wg.Wait()
	if n := used.Load(); n != 1 || !turn.Used() {
		t.Errorf("Use() x8 at once: %d got the turn (Used() = %v), want 1 (true)", n, turn.Used())
	}
	turn.Release(t.Context()) // used: nothing to give back
	if got, want := allow(t, b, "token:t", pace), (result{RetryAfter: 1000 * time.Second}); !cmp.Equal(got, want, approxDuration) {
		t.Errorf("b.Allow() after Release of a used turn = %+v, want %+v", got, want)
	}
	if got := a.Stats(); got.TurnsTaken != 1 || got.TurnsReturned != 0 {
		t.Errorf("Stats() = %+v, want 1 turn taken, none returned", got)
	}
}

func TestRedisUnusedTurnIsGivenBackOnce(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	quota := ratelimit.Limit{Rate: ratelimit.Inf}

	_, turn := admit(t, a, admission(quota, slowPace))
	if turn == nil {
		t.Fatal("Admit() took no turn of a rested token")
	}
	if got, want := allow(t, b, "token:t", slowPace), (result{RetryAfter: 1000 * time.Second}); !cmp.Equal(got, want, approxDuration) {
		t.Errorf("b.Allow() while the turn is held = %+v, want %+v", got, want)
	}

	turn.Release(t.Context())
	turn.Release(t.Context()) // once only

	if turn.Use("token:t") {
		t.Error("Use() after Release = true, want false")
	}
	if got, want := allowN(t, b, "token:t", slowPace, 2), []result{{OK: true}, {RetryAfter: 1000 * time.Second}}; !cmp.Equal(got, want, approxDuration) {
		t.Errorf("b.Allow() x2 after Release = %+v, want %+v: one turn given back", got, want)
	}
	if got := a.Stats(); got.TurnsTaken != 1 || got.TurnsReturned != 1 {
		t.Errorf("Stats() = %+v, want 1 turn taken and returned", got)
	}
}

// TestRedisTurnHeldWhileItsBucketRefilledGivesNothingBack holds a turn
// past its interval, lets another replica take the turn that refilled
// meanwhile, then releases the first: it was paid back by time already,
// so giving it back would make a turn beyond the burst. Redis's own
// clock runs here, so the pace is slow enough for a loaded machine.
func TestRedisTurnHeldWhileItsBucketRefilledGivesNothingBack(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	pace := ratelimit.Limit{Rate: 1, Burst: 1} // a turn a second

	_, turn := admit(t, a, admission(ratelimit.Limit{Rate: ratelimit.Inf}, pace))
	if turn == nil {
		t.Fatal("Admit() took no turn of a rested token")
	}
	time.Sleep(1200 * time.Millisecond) // the turn's interval has passed
	if got := allow(t, b, "token:t", pace); !got.OK {
		t.Fatalf("b.Allow() once the bucket refilled = %+v, want the refilled turn", got)
	}

	turn.Release(t.Context())

	if got := allow(t, b, "token:t", pace); got.OK {
		t.Errorf("b.Allow() after the late Release = %+v, want refused: a burst of 1 was used", got)
	}
}

func TestRedisTurnOfATokenPausedSinceIsDeclined(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	_, turn := admit(t, a, admission(ratelimit.Limit{Rate: ratelimit.Inf}, slowPace))
	if turn == nil {
		t.Fatal("Admit() took no turn of a rested token")
	}

	a.Pause(t.Context(), "token:t", c.Now().Add(time.Minute)) // an upstream 429 meanwhile

	if turn.Use("token:t") {
		t.Error("Use() of a turn whose token was paused since = true, want false")
	}
	turn.Release(t.Context())
	c.Advance(time.Minute + time.Millisecond) // Redis keeps pauses to the millisecond, rounded up
	if got := allow(t, b, "token:t", slowPace); !got.OK {
		t.Errorf("b.Allow() after the pause = %+v, want allowed: the declined turn was given back", got)
	}
}

// TestRedisClusterAdmitsInOneSlot admits calls of several tokens on a
// Redis Cluster: a caller's quota lives in its token's slot, so Admit's
// one script never crosses slots, and every command stays on Redis.
func TestRedisClusterAdmitsInOneSlot(t *testing.T) {
	t.Parallel()
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: redistest.StartCluster(t, 3)})
	t.Cleanup(func() { _ = cluster.Close() })
	c := newClock()
	l := ratelimit.New(ratelimit.Config{Redis: cluster, RedisTimeout: 5 * time.Second, Logger: discardLogger(), Now: c.Now})
	quota := ratelimit.Limit{Rate: 0.001, Burst: 1}
	ctx := t.Context()

	tokens := []string{"token:a", "token:b", "token:c", "token:d", "token:e", "token:f"}
	for _, token := range tokens {
		a := ratelimit.Admission{Key: "caller:" + token, Limit: quota, PaceKey: token, Pace: slowPace, Prepay: true}
		ok, _, turn := l.Admit(ctx, a)
		if !ok || turn == nil {
			t.Fatalf("Admit(%s) = %v, turn %v; want allowed with a turn", token, ok, turn)
		}
		if ok, retryAfter, _ := l.Admit(ctx, a); ok || retryAfter <= 0 {
			t.Errorf("second Admit(%s) = %v, %v; want refused over the quota", token, ok, retryAfter)
		}
		turn.Release(ctx)
		if ok, _, err := l.Wait(ctx, token, slowPace, 0); !ok || err != nil {
			t.Errorf("Wait(%s) after Release = %v, %v; want the turn given back", token, ok, err)
		}
		l.Pause(ctx, token, c.Now().Add(time.Minute))
	}
	fresh := ratelimit.New(ratelimit.Config{Redis: cluster, RedisTimeout: 5 * time.Second, Logger: discardLogger(), Now: c.Now})
	for _, token := range tokens {
		if ok, retryAfter := fresh.Allow(ctx, token, slowPace); ok || (retryAfter-time.Minute).Abs() > time.Millisecond {
			t.Errorf("Allow(%s) of another replica = %v, %v; want the 1m pause", token, ok, retryAfter)
		}
	}
	for name, l := range map[string]*ratelimit.Limiter{"l": l, "fresh": fresh} {
		if got := l.Stats(); got.RedisFallbacks != 0 || got.RedisDown {
			t.Errorf("%s.Stats() = %+v, want no fallbacks", name, got)
		}
	}
}

func TestRedisAdmitFailsOpen(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	l := newShared(s, c, &logtest.Buffer{}) // one of two replicas
	quota := ratelimit.Limit{Rate: 1, Burst: 4}
	s.Stop()

	var got []admitResult
	for range 3 {
		r, _ := admit(t, l, admission(quota, slowPace))
		got = append(got, r)
	}

	// Its share of the quota, locally: a burst of 2, no turns.
	want := []admitResult{{OK: true}, {OK: true}, {RetryAfter: 2 * time.Second}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Admit() x3 with Redis down mismatch (-want +got):\n%s", diff)
	}
	if got, want := l.Stats(), (ratelimit.Stats{RedisFallbacks: 3, Refusals: 1, RedisDown: true}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestAdmitLocal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    ratelimit.Admission
		want []admitResult
	}{
		{
			name: "quota_then_refusal_no_turns",
			a:    admission(ratelimit.Limit{Rate: 2, Burst: 2}, slowPace),
			want: []admitResult{{OK: true}, {OK: true}, {RetryAfter: 500 * time.Millisecond}},
		},
		{
			name: "no_pace_key_is_allow",
			a:    ratelimit.Admission{Key: "caller:x", Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Prepay: true},
			want: []admitResult{{OK: true}, {RetryAfter: time.Second}, {RetryAfter: time.Second}},
		},
		{
			name: "unlimited_quota",
			a:    admission(ratelimit.Limit{Rate: ratelimit.Inf}, slowPace),
			want: []admitResult{{OK: true}, {OK: true}, {OK: true}},
		},
		{
			name: "zero_quota",
			a:    admission(ratelimit.Limit{}, slowPace),
			want: []admitResult{{RetryAfter: 1<<63 - 1}, {RetryAfter: 1<<63 - 1}, {RetryAfter: 1<<63 - 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, _ := newLocal(t)

			var got []admitResult
			for range 3 {
				r, _ := admit(t, l, tt.a)
				got = append(got, r)
			}

			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Admit() x3 mismatch (-want +got):\n%s", diff)
			}
			// The token's pace is untouched: its turn is there for Wait.
			if ok, _, err := l.Wait(t.Context(), "token:t", slowPace, 0); !ok || err != nil {
				t.Errorf("Wait(token) after Admit = %v, %v; want its turn", ok, err)
			}
		})
	}
}

func TestNilTurnHoldsNothing(t *testing.T) {
	t.Parallel()
	var turn *ratelimit.Turn
	turn.Release(context.Background())
	if turn.Use("token:t") || turn.Used() {
		t.Error("a nil Turn was used, want nothing to use")
	}
}

// approxDuration compares durations to the second, enough to tell the
// 1000 s of slowPace apart: Redis's clock moves between a test's commands.
var approxDuration = cmp.Comparer(func(a, b time.Duration) bool { return (a - b).Abs() < time.Second })
