package idempotency

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
)

// DefaultMemoryBytes bounds a Memory store when MemoryConfig sets no
// bound.
const DefaultMemoryBytes = 64 << 20

// recordOverhead approximates a record's size beyond its byte fields.
const recordOverhead = 160

// ErrFull means a Memory store holds as many bytes of records as its
// bound allows, so it took no new claim. Nothing was stored: the request
// must not be applied.
var ErrFull = errors.New("idempotency: the store of request_ids is full")

// MemoryConfig configures a Memory store.
type MemoryConfig struct {
	// MaxBytes bounds the records kept, approximately. A record stays
	// until its time to live has passed, never less: at the bound the
	// store refuses new claims (ErrFull) rather than forget a record, so
	// that no retry is applied twice. Size it for a TTL of writes, or use
	// Redis. Zero means DefaultMemoryBytes.
	MaxBytes uint64
	// MaxScopeBytes bounds, likewise, the records of one scope: a key's
	// part before its first '/', the caller's name in the facade's keys.
	// One caller writing many request_ids, or large answers, then fills
	// its share and no more, and the others' writes are still taken.
	// Zero means a quarter of MaxBytes.
	MaxScopeBytes uint64
	// Now, if set, is the store's clock, for tests; nil is the time of
	// day.
	Now func() time.Time
}

// Memory keeps records in process, bounded in bytes. It serves one
// replica: retries that land on another replica are not recognised.
//
// Records expire through otter, which bounds nothing here: its size
// bound evicts, and an evicted record lets its retry apply the request a
// second time. The store counts its bytes itself instead (used, and by
// scope), adding a record's weight when it is written and taking it off
// when otter deletes or replaces the record.
type Memory struct {
	cache    *otter.Cache[string, *stored]
	max      int64
	maxScope int64

	mu     sync.Mutex
	used   int64
	scopes map[string]int64 // bytes by scope; no entry for none
}

// stored is a record with the time to live it was written with.
type stored struct {
	rec Record
	ttl time.Duration
}

// weight approximates what s costs in memory at key.
func (s *stored) weight(key string) int64 {
	return int64(len(key) + len(s.rec.Fingerprint) + len(s.rec.Owner) + len(s.rec.Response) + len(s.rec.Status) + recordOverhead)
}

// NewMemory returns an in-process store.
func NewMemory(cfg MemoryConfig) (*Memory, error) {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMemoryBytes
	}
	if cfg.MaxScopeBytes == 0 {
		cfg.MaxScopeBytes = max(cfg.MaxBytes/4, 1)
	}
	m := &Memory{
		max:      int64(min(cfg.MaxBytes, 1<<62)),
		maxScope: int64(min(cfg.MaxScopeBytes, 1<<62)),
		scopes:   make(map[string]int64),
	}
	opts := &otter.Options[string, *stored]{
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, *stored]) time.Duration { return e.Value.ttl }),
		// Replacements included: a Swap's new record was counted when
		// written, and the record it replaced leaves here.
		OnAtomicDeletion: func(e otter.DeletionEvent[string, *stored]) { m.count(e.Key, -e.Value.weight(e.Key)) },
	}
	if cfg.Now != nil {
		opts.Clock = clockFunc(cfg.Now)
	}
	cache, err := otter.New(opts)
	if err != nil {
		return nil, fmt.Errorf("idempotency: %w", err)
	}
	m.cache = cache
	return m, nil
}

// Claim implements Store. At a bound it first has otter delete the
// records whose time has passed, and returns ErrFull or ErrScopeFull if
// there is still no room.
func (m *Memory) Claim(_ context.Context, key string, rec Record, ttl time.Duration) (*Record, error) {
	existing, err := m.claim(key, rec, ttl)
	if err != nil {
		m.cache.CleanUp()
		existing, err = m.claim(key, rec, ttl)
	}
	return existing, err
}

// claim stores rec at key unless key holds a record, which it returns,
// or rec would take the store or key's scope past its bound.
func (m *Memory) claim(key string, rec Record, ttl time.Duration) (existing *Record, err error) {
	m.cache.Compute(key, func(old *stored, found bool) (*stored, otter.ComputeOp) {
		if found {
			existing = new(old.rec)
			return old, otter.CancelOp
		}
		s := &stored{rec: rec, ttl: ttl}
		if err = m.reserve(key, s.weight(key)); err != nil {
			return old, otter.CancelOp
		}
		return s, otter.WriteOp
	})
	return existing, err
}

// reserve counts w more bytes of key's scope unless that would pass the
// store's bound or the scope's.
func (m *Memory) reserve(key string, w int64) error {
	scope := scopeOf(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.scopes[scope]+w > m.maxScope:
		return ErrScopeFull
	case m.used+w > m.max:
		return ErrFull
	}
	m.used += w
	m.scopes[scope] += w
	return nil
}

// count adds w (negative: takes it off) to the bytes of key's scope and
// the store's.
func (m *Memory) count(key string, w int64) {
	scope := scopeOf(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.used += w
	if n := m.scopes[scope] + w; n > 0 {
		m.scopes[scope] = n
	} else {
		delete(m.scopes, scope)
	}
}

// scopeOf returns key's scope: its part before the first '/'.
func scopeOf(key string) string {
	scope, _, _ := strings.Cut(key, "/")
	return scope
}

// Swap implements Store. It is never refused for room: the key's record
// is already counted, and what replaces it (an answer, at most a
// response's bound) must be kept, or the retry that reads it would apply
// the request again.
func (m *Memory) Swap(_ context.Context, key, owner string, rec Record, ttl time.Duration) (bool, error) {
	swapped := false
	m.cache.Compute(key, func(old *stored, found bool) (*stored, otter.ComputeOp) {
		if !found || old.rec.Owner != owner {
			return old, otter.CancelOp
		}
		swapped = true
		s := &stored{rec: rec, ttl: ttl}
		m.count(key, s.weight(key))
		return s, otter.WriteOp
	})
	return swapped, nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) (*Record, error) {
	s, ok := m.cache.GetIfPresent(key)
	if !ok {
		return nil, nil
	}
	return new(s.rec), nil
}

// Bytes returns the bytes the store counts against its bound.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

// clockFunc is an otter.Clock reading a function; it has no ticks, so a
// cache on it expires records only when it is used.
type clockFunc func() time.Time

func (c clockFunc) NowNano() int64                      { return c().UnixNano() }
func (c clockFunc) Tick(time.Duration) <-chan time.Time { return nil }
