package ratelimit

import (
	"context"
	"sync/atomic"
)

// Turn is a turn of a pace key that Admit took ahead for one call. The
// call's first piece of work made under that key (its first upstream
// attempt) uses it instead of waiting for a turn; when the call ends, it
// gives the turn back if nothing used it. A nil *Turn holds nothing. A
// Turn is safe for concurrent use: it is used or given back once at most.
type Turn struct {
	l     *Limiter
	key   string
	pace  Limit
	tat   int64 // the bucket's TAT once the turn was taken (redisStore)
	state atomic.Uint32
}

// States of a Turn.
const (
	turnHeld uint32 = iota
	turnUsed
	turnReleased
)

// Use reports whether t is a turn of key that is neither used nor
// released, and if so marks it used: of any number of calls, one at most
// gets true. It declines a turn of a key that is paused here (a 429 came
// after Admit took it); the turn is then left for Release.
func (t *Turn) Use(key string) bool {
	if t == nil || key != t.key {
		return false
	}
	if until := t.l.pauses.get(key, t.l.now()); !until.IsZero() {
		return false
	}
	return t.state.CompareAndSwap(turnHeld, turnUsed)
}

// Used reports whether Use took t.
func (t *Turn) Used() bool { return t != nil && t.state.Load() == turnUsed }

// Release gives t back to its key's bucket, unless Use took it or it was
// released already, so that a call that made no upstream request costs
// its token no turn: what of its interval time has not paid back yet, so
// that a turn held while the bucket refilled adds no turn beyond the
// burst. Giving back is one Redis round trip, bounded by
// Config.RedisTimeout; it returns at once when there is nothing to give.
// A turn not given back (Redis erred) only delays the key's next turn by
// one interval. Release may run after the call's answer: pass a ctx that
// outlives the call, such as context.WithoutCancel of its context.
func (t *Turn) Release(ctx context.Context) {
	if t == nil || !t.state.CompareAndSwap(turnHeld, turnReleased) {
		return
	}
	if t.l.redis.refund(ctx, t.key, t.pace, t.tat) == nil {
		t.l.returned.Add(1)
	}
}
