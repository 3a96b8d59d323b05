package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// localKey names one local limiter: a key keeps a bucket per Limit, so a
// changed Limit starts a fresh bucket.
type localKey struct {
	key   string
	limit Limit
}

// localLimiters holds the in-process token buckets, made on first use.
type localLimiters struct {
	mu       sync.Mutex
	limiters map[localKey]*rate.Limiter
}

// get returns the bucket of key and lim, making it full if it is new.
func (m *localLimiters) get(key string, lim Limit) *rate.Limiter {
	k := localKey{key: key, limit: lim}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.limiters[k]
	if !ok {
		r = rate.NewLimiter(rate.Limit(lim.Rate), lim.Burst)
		m.limiters[k] = r
	}
	return r
}

// perReplica is lim's share for one of n replicas that limit on their own.
func (lim Limit) perReplica(n int) Limit {
	if n <= 1 {
		return lim
	}
	return Limit{Rate: lim.Rate / float64(n), Burst: max(lim.Burst/n, 1)}
}

// pauses holds the pauses this replica knows of.
type pauses struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// get returns until when key is paused, or the zero time if it is not
// paused at now. It forgets pauses that are over.
func (p *pauses) get(key string, now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	until, ok := p.until[key]
	if !ok {
		return time.Time{}
	}
	if !until.After(now) {
		delete(p.until, key)
		return time.Time{}
	}
	return until
}

// extend pauses key until until, unless it is paused longer already.
func (p *pauses) extend(key string, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.until[key]) {
		p.until[key] = until
	}
}
