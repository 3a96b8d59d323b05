package ratelimit_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/redistest"
)

const testPrefix = "test:rl:"

// newShared returns a Limiter on s, as one of two replicas.
func newShared(s *redistest.Server, c *clock, log *logtest.Buffer) *ratelimit.Limiter {
	return ratelimit.New(ratelimit.Config{
		Redis:           s.Client(),
		Prefix:          testPrefix,
		Replicas:        2,
		RedisTimeout:    5 * time.Second, // Redis is local; a slow race-detector run must not fall back
		RetryRedisAfter: time.Second,     // on c
		Logger:          logger(log),
		Now:             c.Now,
	})
}

func TestRedisReplicasShareBurst(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	lim := ratelimit.Limit{Rate: 0.5, Burst: 5} // refills one token in 2s

	allowed := 0
	for i := range 10 {
		l := []*ratelimit.Limiter{a, b}[i%2]
		ok, retryAfter := l.Allow(t.Context(), "caller:x", lim)
		if ok {
			allowed++
			continue
		}
		if retryAfter <= 0 || retryAfter > 2*time.Second {
			t.Errorf("Allow() #%d refused with retryAfter %v, want in (0, 2s]", i, retryAfter)
		}
	}

	if allowed != 5 {
		t.Errorf("Allow() x10 on two replicas allowed %d, want the burst of 5", allowed)
	}
	for name, l := range map[string]*ratelimit.Limiter{"a": a, "b": b} {
		if got := l.Stats(); got.RedisFallbacks != 0 || got.RedisDown {
			t.Errorf("%s.Stats() = %+v, want no fallbacks", name, got)
		}
	}
}

func TestRedisWait(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	lim := ratelimit.Limit{Rate: 4, Burst: 1} // one token per 250ms
	a.Allow(t.Context(), "k", lim)

	start := time.Now()
	ok, retryAfter, err := b.Wait(t.Context(), "k", lim, time.Millisecond)
	if ok || retryAfter <= time.Millisecond || retryAfter > 250*time.Millisecond || err != nil {
		t.Errorf("Wait(maxWait 1ms) = %v, %v, %v; want false, in (1ms, 250ms], nil", ok, retryAfter, err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Wait(maxWait 1ms) took %v, want it to refuse at once", elapsed)
	}
	if ok, retryAfter, err := b.Wait(t.Context(), "k", lim, 5*time.Second); !ok || err != nil {
		t.Errorf("Wait(maxWait 5s) = %v, %v, %v; want true, 0, nil", ok, retryAfter, err)
	}
}

func TestRedisPauseReachesEveryReplica(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	a, b := newShared(s, c, &logtest.Buffer{}), newShared(s, c, &logtest.Buffer{})
	lim := ratelimit.Limit{Rate: 10, Burst: 10}
	ctx := t.Context()
	until := c.Now().Add(time.Minute)

	a.Pause(ctx, "token:abc", until)

	ok, retryAfter, err := b.Wait(ctx, "token:abc", lim, time.Second)
	if ok || (retryAfter-time.Minute).Abs() > time.Millisecond || err != nil {
		t.Errorf("b.Wait() = %v, %v, %v; want false, 1m, nil", ok, retryAfter, err)
	}
	// A shorter pause does not shorten it, in Redis either.
	a.Pause(ctx, "token:abc", c.Now().Add(time.Second))
	fresh := newShared(s, c, &logtest.Buffer{})
	if ok, retryAfter := fresh.Allow(ctx, "token:abc", lim); ok || (retryAfter-time.Minute).Abs() > time.Millisecond {
		t.Errorf("Allow() after a shorter pause = %v, %v; want false, 1m", ok, retryAfter)
	}
	ttl, err := s.Client().PTTL(ctx, testPrefix+"{token:abc}:pause").Result()
	if err != nil || ttl <= 58*time.Second || ttl > time.Minute {
		t.Errorf("PTTL(pause key) = %v, %v; want about 1m", ttl, err)
	}
}

func TestRedisFailsOpenAndComesBack(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	c := newClock()
	aLogs, bLogs := &logtest.Buffer{}, &logtest.Buffer{}
	a, b := newShared(s, c, aLogs), newShared(s, c, bLogs)
	lim := ratelimit.Limit{Rate: 10, Burst: 4} // locally, per replica: 5/s, burst 2
	ctx := t.Context()
	if ok, _ := a.Allow(ctx, "k", lim); !ok {
		t.Fatal("Allow() through Redis refused, want allowed")
	}

	s.Stop()

	replicas := []struct {
		name string
		l    *ratelimit.Limiter
		logs *logtest.Buffer
	}{{name: "a", l: a, logs: aLogs}, {name: "b", l: b, logs: bLogs}}
	// Each replica falls back to its share of the limit.
	for _, r := range replicas {
		got := allowN(t, r.l, "k", lim, 3)
		want := []result{{OK: true}, {OK: true}, {RetryAfter: 200 * time.Millisecond}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s.Allow() x3 with Redis down mismatch (-want +got):\n%s", r.name, diff)
		}
		if got, want := r.l.Stats(), (ratelimit.Stats{RedisFallbacks: 3, Refusals: 1, RedisDown: true}); got != want {
			t.Errorf("%s.Stats() with Redis down = %+v, want %+v", r.name, got, want)
		}
	}
	// Pauses still work locally (a refusal, not a fallback: the pause is
	// known here).
	a.Pause(ctx, "p", c.Now().Add(time.Minute))
	if ok, retryAfter := a.Allow(ctx, "p", lim); ok || retryAfter != time.Minute {
		t.Errorf("Allow() of a paused key with Redis down = %v, %v; want false, 1m: the local pause", ok, retryAfter)
	}

	s.Start()

	// Before RetryRedisAfter passes, calls stay local (Redis, empty after
	// the restart, would allow).
	if got, want := allow(t, a, "k", lim), (result{RetryAfter: 200 * time.Millisecond}); got != want {
		t.Errorf("Allow() before RetryRedisAfter = %+v, want %+v", got, want)
	}
	if got, want := a.Stats(), (ratelimit.Stats{RedisFallbacks: 4, Refusals: 3, RedisDown: true}); got != want {
		t.Errorf("a.Stats() before RetryRedisAfter = %+v, want %+v", got, want)
	}

	c.Advance(time.Second)
	for _, r := range replicas {
		before := r.l.Stats().RedisFallbacks
		if ok, _ := r.l.Allow(ctx, "k", lim); !ok {
			t.Errorf("%s.Allow() with Redis back refused, want allowed", r.name)
		}
		if got := r.l.Stats(); got.RedisDown || got.RedisFallbacks != before {
			t.Errorf("%s.Stats() with Redis back = %+v, want RedisDown false and still %d fallbacks", r.name, got, before)
		}
		down, back := r.logs.Count("rate limiter: Redis unreachable, limiting locally"), r.logs.Count("rate limiter: Redis is back")
		if down != 1 || back != 1 {
			t.Errorf("%s logged %d unreachable and %d back, want 1 and 1", r.name, down, back)
		}
	}
	if n, err := s.Client().Exists(ctx, testPrefix+"{k}:tat").Result(); n != 1 || err != nil {
		t.Errorf("EXISTS bucket key after Redis came back = %v, %v; want 1, nil", n, err)
	}
}

// TestRedisHugeRates takes tokens of limits whose emission interval is
// below the precision of the script's numbers: they allow every call, and
// Redis takes every command.
func TestRedisHugeRates(t *testing.T) {
	t.Parallel()
	s := redistest.Start(t)
	l := newShared(s, newClock(), &logtest.Buffer{})
	for _, lim := range []ratelimit.Limit{{Rate: 1e9, Burst: 1 << 30}, {Rate: 1e12, Burst: 1}} {
		a := ratelimit.Admission{Key: "caller:x", Limit: lim, PaceKey: "token:t", Pace: lim, Prepay: true}
		for i := range 3 {
			if ok, _ := l.Allow(t.Context(), "k", lim); !ok {
				t.Errorf("Allow(%+v) #%d refused, want allowed", lim, i)
			}
			if ok, _, turn := l.Admit(t.Context(), a); !ok || turn == nil {
				t.Errorf("Admit(%+v) #%d = %v, turn %v; want allowed with a turn", lim, i, ok, turn)
			}
		}
	}
	if got := l.Stats(); got.RedisFallbacks != 0 || got.Refusals != 0 {
		t.Errorf("Stats() = %+v, want no fallbacks, no refusals", got)
	}
}

func BenchmarkAllowRedis(b *testing.B) {
	s := redistest.Start(b)
	l := ratelimit.New(ratelimit.Config{Redis: s.Client(), Logger: discardLogger()})
	lim := ratelimit.Limit{Rate: 1e6, Burst: 1e6}
	ctx := b.Context()
	if ok, _ := l.Allow(ctx, "k", lim); !ok {
		b.Fatal("Allow() refused, want allowed")
	}
	for b.Loop() {
		l.Allow(ctx, "k", lim)
	}
	if got := l.Stats(); got.RedisFallbacks != 0 {
		b.Errorf("Stats() = %+v, want no fallbacks", got)
	}
}
