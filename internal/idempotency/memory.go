package idempotency

import (
	"context"
	"fmt"
	"time"

	"github.com/maypok86/otter/v2"
)

// DefaultMemoryBytes bounds a Memory store when MemoryConfig sets no
// bound.
const DefaultMemoryBytes = 64 << 20

// recordOverhead approximates a record's size beyond its byte fields.
const recordOverhead = 160

// MemoryConfig configures a Memory store.
type MemoryConfig struct {
	// MaxBytes bounds the records kept, approximately. Past it the least
	// useful records are evicted, and a retry of an evicted request is
	// applied again: size the bound for a day of writes, or use Redis.
	// Zero means DefaultMemoryBytes.
	MaxBytes uint64
}

// Memory keeps records in process, bounded in bytes (otter). It serves
// one replica: retries that land on another replica are not recognised.
type Memory struct {
	cache *otter.Cache[string, *stored]
}

// stored is a record with the time to live it was written with.
type stored struct {
	rec Record
	ttl time.Duration
}

// NewMemory returns an in-process store.
func NewMemory(cfg MemoryConfig) (*Memory, error) {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMemoryBytes
	}
	cache, err := otter.New(&otter.Options[string, *stored]{
		MaximumWeight: cfg.MaxBytes,
		Weigher: func(key string, s *stored) uint32 {
			return uint32(min(len(key)+len(s.rec.Fingerprint)+len(s.rec.Owner)+len(s.rec.Response)+len(s.rec.Status)+recordOverhead, 1<<31))
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, *stored]) time.Duration { return e.Value.ttl }),
	})
	if err != nil {
		return nil, fmt.Errorf("idempotency: %w", err)
	}
	return &Memory{cache: cache}, nil
}

// Claim implements Store.
func (m *Memory) Claim(_ context.Context, key string, rec Record, ttl time.Duration) (*Record, error) {
	var existing *Record
	m.cache.Compute(key, func(old *stored, found bool) (*stored, otter.ComputeOp) {
		if found {
			existing = new(old.rec)
			return old, otter.CancelOp
		}
		return &stored{rec: rec, ttl: ttl}, otter.WriteOp
	})
	return existing, nil
}

// Swap implements Store.
func (m *Memory) Swap(_ context.Context, key, owner string, rec Record, ttl time.Duration) (bool, error) {
	swapped := false
	m.cache.Compute(key, func(old *stored, found bool) (*stored, otter.ComputeOp) {
		if !found || old.rec.Owner != owner {
			return old, otter.CancelOp
		}
		swapped = true
		return &stored{rec: rec, ttl: ttl}, otter.WriteOp
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
