// Package readcache keeps the facade's GET answers for a short while, per
// Betterworks token and endpoint family: in process (Memory, bounded in
// bytes) or in Redis (Redis, shared by the replicas). Both implement
// upstream.Cache. Neither is a source of truth: an error, an eviction or a
// dropped scope is a miss, and the answer is fetched again.
package readcache

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"
	"go.opentelemetry.io/otel/metric"
)

// entry is one stored answer.
type entry struct {
	body   []byte
	stored time.Time
	ttl    time.Duration
}

// entryOverhead is what an entry weighs beside its key and body.
const entryOverhead = 64

// Memory is an in-process cache bounded in bytes, built on otter: entries
// expire after their TTL, and the least likely to be read again go first
// when the bound is reached. It is safe for concurrent use.
type Memory struct {
	cache *otter.Cache[string, entry]
	// gens holds each scope's generation, which every key of the scope
	// carries: dropping a scope moves it on, and the scope's entries are
	// never read again, then expire or are evicted.
	mu   sync.Mutex
	gens map[string]uint64
}

// MemoryConfig configures a Memory. A zero field selects the default
// documented on it.
type MemoryConfig struct {
	// MaxBytes bounds the bodies and keys kept. Zero means 64 MiB.
	MaxBytes uint64
	// MeterProvider receives the cache's size and evictions. Nil means
	// none.
	MeterProvider metric.MeterProvider
	// Clock tells when entries expire. Nil means the real clock.
	Clock otter.Clock
}

// NewMemory returns an empty in-process cache.
func NewMemory(cfg MemoryConfig) (*Memory, error) {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 64 << 20
	}
	counter := stats.NewCounter()
	c, err := otter.New(&otter.Options[string, entry]{
		MaximumWeight: cfg.MaxBytes,
		Weigher: func(key string, e entry) uint32 {
			return uint32(min(len(key)+len(e.body)+entryOverhead, 1<<31))
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, entry]) time.Duration { return e.Value.ttl }),
		StatsRecorder:    counter,
		Clock:            cfg.Clock,
	})
	if err != nil {
		return nil, err
	}
	m := &Memory{cache: c, gens: make(map[string]uint64)}
	if cfg.MeterProvider != nil {
		meter := cfg.MeterProvider.Meter("github.com/bwfacade/facade/internal/readcache")
		size, err := meter.Int64ObservableGauge("bwfacade.cache.size",
			metric.WithUnit("By"), metric.WithDescription("Bytes of answers the in-process read cache holds."))
		if err != nil {
			return nil, err
		}
		evictions, err := meter.Int64ObservableCounter("bwfacade.cache.evictions",
			metric.WithDescription("Answers the in-process read cache evicted to stay within its bound."))
		if err != nil {
			return nil, err
		}
		if _, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
			o.ObserveInt64(size, int64(c.WeightedSize()))
			o.ObserveInt64(evictions, int64(c.Stats().Evictions))
			return nil
		}, size, evictions); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Memory) key(scope, key string) string {
	m.mu.Lock()
	gen := m.gens[scope]
	m.mu.Unlock()
	return scope + "\x00" + strconv.FormatUint(gen, 36) + "\x00" + key
}

// Get implements upstream.Cache.
func (m *Memory) Get(_ context.Context, scope, key string) ([]byte, time.Time, bool) {
	e, ok := m.cache.GetIfPresent(m.key(scope, key))
	return e.body, e.stored, ok
}

// Set implements upstream.Cache.
func (m *Memory) Set(_ context.Context, scope, key string, body []byte, stored time.Time, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	m.cache.Set(m.key(scope, key), entry{body: append([]byte(nil), body...), stored: stored, ttl: ttl})
}

// Drop implements upstream.Cache.
func (m *Memory) Drop(_ context.Context, scope string) {
	m.mu.Lock()
	m.gens[scope]++
	m.mu.Unlock()
}
