// Package ratelimit paces calls per key: callers' quotas, keyed by caller
// name, and calls to Betterworks, keyed by a hash of the upstream token.
//
// A [Limiter] keeps one token bucket per key and [Limit] in process
// ([golang.org/x/time/rate]). Given a Redis client it shares the buckets
// across replicas instead, with GCRA in a Lua script of its own (modelled
// on [github.com/go-redis/redis_rate/v10]'s), and fails open: when Redis
// errs it limits locally at Rate/Replicas and tries Redis again after
// [Config.RetryRedisAfter].
//
// Keys are stored in Redis as given, so a key must never be a secret: pass
// a hash of a token (the first 128 bits of its SHA-256, say), never the
// token. In Redis a key has one bucket whatever its Limit (GCRA adapts to a
// changed Limit); locally a changed Limit starts a fresh bucket. The set of
// keys should be bounded (configured callers and their tokens): local
// limiters are never evicted.
//
// # One round trip per call
//
// Every Redis command of the Limiter is one script run (EVALSHA), so
// [Limiter.Allow], each try of [Limiter.Wait] and [Limiter.Pause] cost one
// round trip each. A call to the facade needs the caller's quota and then,
// for its upstream request, a turn of its token's pace: [Limiter.Admit]
// does both in the same script, taking the token's next turn ahead when
// one is free now (a [Turn]), so a plain call costs one round trip in all.
// The turn travels with the call (internal/server puts it in the request's
// context for internal/upstream); the call's first upstream attempt uses
// it instead of waiting, later ones wait as usual, and a turn no attempt
// used (a read answered from the cache or by a request another caller
// made, a request refused before reaching the upstream) is given back
// when the call ends. In process a turn would save nothing, so Admit
// takes none there, nor while Redis is unreachable.
//
// # Keys in Redis
//
// With the default Prefix "bwfacade:rl:", a key K is stored as
//
//	bwfacade:rl:{K}:tat        K's bucket: its GCRA theoretical arrival time, in
//	                           microseconds of the Redis server's clock since
//	                           2024-01-01 UTC
//	bwfacade:rl:{K}:pause      K's pause: its end, in Unix milliseconds of the
//	                           clock of the replica that set it
//	bwfacade:rl:{P}:tat:K      K's bucket when K is admitted with pace key P
//	                           ([Admission]): a caller's quota beside its token
//
// The braces are a Redis Cluster hash tag: the keys of one group share a
// slot, so one script may touch them all on a Cluster too. (A key must not
// be empty nor start with "}", which would leave the tag empty.) Every key
// expires once its bucket is full again or its pause is over.
//
// # Where the facade limits, and why there
//
// This package holds the limits that are rates and may be shared across
// replicas: each caller's quota (internal/server refuses a call over it
// before reading its body) and each Betterworks token's pace, with the
// upstream's 429 pauses (internal/upstream waits for the token's turn
// before every attempt). Two limits live with the upstream client instead,
// because they are about one replica's own traffic and must cost nothing
// per call: the bound on requests in flight (a semaphore, refusing at once)
// and the retry budget (gRPC's retry throttling, a token bucket that
// successes refill rather than time). Neither is a rate, and sharing them
// through Redis would only add a round trip to every attempt.
package ratelimit

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Inf is the rate of a Limit that allows every call.
var Inf = math.Inf(1)

// Limit is a sustained rate with a burst: a bucket of Burst tokens that
// refills at Rate tokens per second, one token per call.
//
// A Rate of [Inf] allows every call. A Rate at or below zero allows none
// (retryAfter is then [rate.InfDuration]). A Burst below 1 counts as 1.
type Limit struct {
	// Rate is in tokens per second.
	Rate float64
	// Burst is the size of the bucket, and how many calls a rested key may
	// make at once.
	Burst int
}

// Config configures a Limiter. A zero field selects the default
// documented on it.
type Config struct {
	// Redis shares buckets and pauses across replicas: one server, a
	// Sentinel-managed one or a Cluster (the keys of each command share a
	// hash tag, so any slot layout works). Nil means in-process only.
	// Build the client with ContextTimeoutEnabled, or RedisTimeout does
	// not bound reads from a Redis that hangs (go-redis then waits
	// ReadTimeout).
	Redis redis.UniversalClient
	// Prefix starts every Redis key of the Limiter (see "Keys in Redis"
	// in the package doc). It should hold no braces: a hash tag in it
	// would put every key in one Cluster slot. Empty means "bwfacade:rl:".
	Prefix string
	// Replicas is how many replicas share the Redis buckets. While Redis is
	// unreachable each replica allows Rate/Replicas with a burst of
	// Burst/Replicas (at least 1) locally, so together they stay near the
	// limit. Zero or less means 1.
	Replicas int
	// RedisTimeout bounds each Redis command (one script run, one round
	// trip): each try of a Wait, each Allow, Admit, Pause and
	// Turn.Release. Zero means 50 ms.
	RedisTimeout time.Duration
	// RetryRedisAfter is how long, after a Redis error, calls are served by
	// local limiters before one call tries Redis again. Zero means 1 s.
	RetryRedisAfter time.Duration
	// Logger logs the switches to and from local limiting, once per
	// switch. Nil means slog.Default().
	Logger *slog.Logger
	// Now tells the time for local limiters, pauses and RetryRedisAfter.
	// Nil means time.Now. Buckets in Redis use the Redis server's clock;
	// waits are real timers.
	Now func() time.Time
}

// Stats counts what a Limiter did since New.
type Stats struct {
	// RedisFallbacks counts calls to Allow, Admit and Wait served by
	// local limiters because Redis erred, then or less than
	// RetryRedisAfter before.
	RedisFallbacks uint64
	// Refusals counts calls to Allow, Admit and Wait that returned
	// ok=false.
	Refusals uint64
	// TurnsTaken counts the turns Admit took ahead, and TurnsReturned
	// those that Turn.Release gave back unused (Redis answered).
	TurnsTaken, TurnsReturned uint64
	// RedisDown reports whether calls are being served locally because
	// Redis erred.
	RedisDown bool
}

// Limiter limits calls per key. It is safe for concurrent use.
type Limiter struct {
	now       func() time.Time
	log       *slog.Logger
	replicas  int
	local     localLimiters
	pauses    pauses
	redis     *redisStore // nil without Redis
	fallbacks atomic.Uint64
	refusals  atomic.Uint64
	taken     atomic.Uint64 // turns Admit took
	returned  atomic.Uint64 // turns Release gave back
}

// New returns a Limiter configured by cfg.
func New(cfg Config) *Limiter {
	l := &Limiter{
		now:      cfg.Now,
		log:      cfg.Logger,
		replicas: max(cfg.Replicas, 1),
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	l.local.limiters = make(map[localKey]*rate.Limiter)
	l.pauses.until = make(map[string]time.Time)
	if cfg.Redis != nil {
		l.redis = newRedisStore(cfg, l.now, l.log)
	}
	return l
}

// Allow takes one token for key now, or refuses and says how long until
// one is free. It refuses while key is paused, with the rest of the pause.
// It never fails: when Redis errs it decides locally.
func (l *Limiter) Allow(ctx context.Context, key string, lim Limit) (ok bool, retryAfter time.Duration) {
	ok, retryAfter = l.allow(ctx, key, lim)
	if !ok {
		l.refusals.Add(1)
	}
	return ok, retryAfter
}

func (l *Limiter) allow(ctx context.Context, key string, lim Limit) (bool, time.Duration) {
	if lim.Rate == Inf {
		return true, 0
	}
	if !(lim.Rate > 0) {
		return false, rate.InfDuration
	}
	lim.Burst = max(lim.Burst, 1)
	now := l.now()
	if until := l.pauses.get(key, now); !until.IsZero() {
		return false, until.Sub(now)
	}
	if l.redis != nil {
		if ok, retryAfter, err := l.redisAllow(ctx, key, lim, now); err == nil {
			return ok, retryAfter
		}
		if ctx.Err() == nil {
			l.fallbacks.Add(1)
		}
	}
	return l.allowLocal(key, lim, now)
}

// allowLocal takes one token of key's local limiter now, or refuses and
// says how long until one is free.
func (l *Limiter) allowLocal(key string, lim Limit, now time.Time) (bool, time.Duration) {
	b := l.bucket(key, lim)
	if b.AllowN(now, 1) {
		return true, 0 // without making a reservation
	}
	r := b.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now)
		return false, delay
	}
	return true, 0
}

// Admission is a call for Admit to admit: a token of the caller's quota,
// and maybe a turn, taken ahead, of the pace its work will keep.
type Admission struct {
	// Key and Limit are the caller's quota, as Allow's key and lim.
	Key   string
	Limit Limit
	// PaceKey names the pace the call's work will keep, such as its
	// upstream token's; Pace is its Limit. In Redis, Key's bucket is
	// stored beside PaceKey's, in its Cluster slot, so admit a key with
	// the same PaceKey every time, or it has one bucket per PaceKey.
	// Empty means none: Admit is then Allow for Key.
	PaceKey string
	Pace    Limit
	// Prepay asks for PaceKey's next turn, if one is free now and
	// PaceKey is not paused, in the same round trip as the quota.
	Prepay bool
}

// Admit takes one token of a.Key's bucket now, or refuses like Allow. When
// it allows, a.Prepay is set and Redis is configured, it also takes
// a.PaceKey's next turn if one is free now and the key is not paused, and
// returns it; otherwise turn is nil. A pace with no free turn never makes
// Admit refuse: the call's work then waits for its turn (Wait). All of it
// is one Redis round trip.
//
// With a PaceKey, Admit does not read a.Key's pauses (pauses are an
// upstream's 429s, which pause the pace key). In process, and while Redis
// is unreachable, Admit takes no turn: a local Wait costs as little.
func (l *Limiter) Admit(ctx context.Context, a Admission) (ok bool, retryAfter time.Duration, turn *Turn) {
	ok, retryAfter, turn = l.admit(ctx, a)
	if !ok {
		l.refusals.Add(1)
	}
	return ok, retryAfter, turn
}

func (l *Limiter) admit(ctx context.Context, a Admission) (bool, time.Duration, *Turn) {
	if a.PaceKey == "" {
		ok, retryAfter := l.allow(ctx, a.Key, a.Limit)
		return ok, retryAfter, nil
	}
	if !(a.Limit.Rate > 0) {
		return false, rate.InfDuration, nil
	}
	a.Limit.Burst = max(a.Limit.Burst, 1)
	a.Pace.Burst = max(a.Pace.Burst, 1)
	prepay := a.Prepay && l.redis != nil && a.Pace.Rate > 0 && a.Pace.Rate != Inf
	if a.Limit.Rate == Inf && !prepay {
		return true, 0, nil
	}
	now := l.now()
	if l.redis != nil {
		t, err := l.redis.admit(ctx, a, prepay, now)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				l.fallbacks.Add(1)
			}
		case t.quotaWait > 0:
			return false, t.quotaWait, nil
		case t.pausedUntil.After(now):
			l.pauses.extend(a.PaceKey, t.pausedUntil)
			return true, 0, nil
		case !t.paceTaken:
			return true, 0, nil
		default:
			l.taken.Add(1)
			return true, 0, &Turn{l: l, key: a.PaceKey, pace: a.Pace, tat: t.paceTAT}
		}
	}
	if a.Limit.Rate == Inf {
		return true, 0, nil
	}
	ok, retryAfter := l.allowLocal(a.Key, a.Limit, now)
	return ok, retryAfter, nil
}

// Wait takes one token for key, waiting for it at most maxWait and never
// past ctx's deadline. When the token is further away it takes nothing
// and returns ok=false with retryAfter at once, without sleeping; when key
// is paused for longer, retryAfter is the rest of the pause. Its error is
// ctx's, when ctx ends first.
//
// Locally, Wait reserves the token before sleeping, so a wait that starts
// always ends with the token (or ctx's error); a pause set meanwhile does
// not stop it. With Redis, Wait asks again after each sleep, so it can
// refuse after sleeping when other replicas took the token first.
func (l *Limiter) Wait(ctx context.Context, key string, lim Limit, maxWait time.Duration) (ok bool, retryAfter time.Duration, err error) {
	ok, retryAfter, err = l.wait(ctx, key, lim, maxWait)
	if !ok && err == nil {
		l.refusals.Add(1)
	}
	return ok, retryAfter, err
}

func (l *Limiter) wait(ctx context.Context, key string, lim Limit, maxWait time.Duration) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if lim.Rate == Inf {
		return true, 0, nil
	}
	if !(lim.Rate > 0) {
		return false, rate.InfDuration, nil
	}
	lim.Burst = max(lim.Burst, 1)
	start := l.now()
	budget := max(maxWait, 0)
	if deadline, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(deadline))
	}
	now := start
	for {
		// Each pass reads the pause once: a pause set by another caller
		// or replica meanwhile counts from the next pass.
		budgetLeft := budget - now.Sub(start)
		if until := l.pauses.get(key, now); !until.IsZero() {
			rest := until.Sub(now)
			switch {
			case rest > budgetLeft:
				return false, rest, nil
			case l.redis == nil:
				// The token is reserved for the end of the pause.
				return l.waitLocal(ctx, key, lim, budgetLeft, now, until)
			}
			if err := sleep(ctx, rest); err != nil {
				return false, 0, err
			}
			now = l.now()
			continue
		}
		if l.redis == nil {
			return l.waitLocal(ctx, key, lim, budgetLeft, now, now)
		}
		ok, retryAfter, err := l.redisAllow(ctx, key, lim, now)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return false, 0, ctxErr
			}
			l.fallbacks.Add(1)
			return l.waitLocal(ctx, key, lim, budgetLeft, now, now)
		}
		if ok {
			return true, 0, nil
		}
		if retryAfter > budgetLeft {
			return false, retryAfter, nil
		}
		if err := sleep(ctx, max(retryAfter, time.Millisecond)); err != nil {
			return false, 0, err
		}
		now = l.now()
	}
}

// redisAllow takes a token from key's bucket in Redis, unless key is
// paused in Redis; such a pause is then kept here too.
func (l *Limiter) redisAllow(ctx context.Context, key string, lim Limit, now time.Time) (ok bool, retryAfter time.Duration, err error) {
	t, err := l.redis.take(ctx, key, lim, now)
	if err != nil {
		return false, 0, err
	}
	if t.pausedUntil.After(now) {
		l.pauses.extend(key, t.pausedUntil)
		return false, t.pausedUntil.Sub(now), nil
	}
	return t.paceTaken, t.paceWait, nil
}

// waitLocal waits for a token of the local limiter, reserving it first
// for from (the end of a pause, or now).
func (l *Limiter) waitLocal(ctx context.Context, key string, lim Limit, budget time.Duration, now, from time.Time) (bool, time.Duration, error) {
	if from.Equal(now) && l.bucket(key, lim).AllowN(now, 1) {
		// A token is free now: taken without making a reservation.
		return true, 0, nil
	}
	r := l.reserve(key, lim, from)
	delay := r.DelayFrom(now)
	if delay > budget {
		r.CancelAt(from)
		return false, delay, nil
	}
	if err := sleep(ctx, delay); err != nil {
		r.CancelAt(later(l.now(), from))
		return false, 0, err
	}
	return true, 0, nil
}

// reserve reserves a token of key's local limiter for at. Cancel a
// reservation at at to undo it exactly.
func (l *Limiter) reserve(key string, lim Limit, at time.Time) *rate.Reservation {
	return l.bucket(key, lim).ReserveN(at, 1)
}

// bucket is key's local limiter under lim: this replica's share of it
// when Redis is configured.
func (l *Limiter) bucket(key string, lim Limit) *rate.Limiter {
	if l.redis != nil {
		lim = lim.perReplica(l.replicas)
	}
	return l.local.get(key, lim)
}

// Pause stops Allow and Wait for key until until, such as an upstream
// 429's Retry-After: locally always, and for every replica when Redis is
// configured and answers. A pause never shortens an earlier, longer one.
func (l *Limiter) Pause(ctx context.Context, key string, until time.Time) {
	now := l.now()
	if !until.After(now) {
		return
	}
	l.pauses.extend(key, until)
	if l.redis != nil {
		l.redis.pause(ctx, key, until, now)
	}
}

// Stats returns what l did since New.
func (l *Limiter) Stats() Stats {
	s := Stats{
		RedisFallbacks: l.fallbacks.Load(),
		Refusals:       l.refusals.Load(),
		TurnsTaken:     l.taken.Load(),
		TurnsReturned:  l.returned.Load(),
	}
	if l.redis != nil {
		s.RedisDown = l.redis.health.down.Load()
	}
	return s
}

// Keyed is a Limiter with one Limit for every key. Its Wait and Pause have
// the shapes the upstream client's Limiter interface asks for.
type Keyed struct {
	limiter *Limiter
	limit   Limit
}

// Keyed returns l with lim for every key.
func (l *Limiter) Keyed(lim Limit) Keyed { return Keyed{limiter: l, limit: lim} }

// Wait is [Limiter.Wait] with k's Limit.
func (k Keyed) Wait(ctx context.Context, key string, maxWait time.Duration) (ok bool, retryAfter time.Duration, err error) {
	return k.limiter.Wait(ctx, key, k.limit, maxWait)
}

// Pause is [Limiter.Pause].
func (k Keyed) Pause(ctx context.Context, key string, until time.Time) {
	k.limiter.Pause(ctx, key, until)
}

// sleep waits d, or until ctx ends and returns its error.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
