package idempotency_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/bwfacade/facade/internal/idempotency"
	"github.com/bwfacade/facade/internal/redistest"
)

// stores returns one store of each kind, empty.
func stores(t *testing.T) map[string]idempotency.Store {
	t.Helper()
	mem, err := idempotency.NewMemory(idempotency.MemoryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rdb := redistest.Start(t)
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: redistest.StartCluster(t, 3), ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = cluster.Close() })
	return map[string]idempotency.Store{
		"memory":        mem,
		"redis":         idempotency.NewRedis(idempotency.RedisConfig{Client: rdb.Client()}),
		"redis_cluster": idempotency.NewRedis(idempotency.RedisConfig{Client: cluster}),
	}
}

func record(state idempotency.State, owner string) idempotency.Record {
	return idempotency.Record{
		Fingerprint: []byte{0, 1, 2, 0xff},
		State:       state,
		Owner:       owner,
		Since:       time.UnixMilli(1_700_000_000_123),
	}
}

func TestStoreLifecycle(t *testing.T) {
	t.Parallel()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			first := record(idempotency.StatePending, "a")
			first.Lease = time.UnixMilli(1_700_000_060_000)
			if got, err := s.Claim(ctx, "k", first, time.Hour); got != nil || err != nil {
				t.Fatalf("Claim() of a new key = %v, %v; want nil, nil", got, err)
			}
			got, err := s.Claim(ctx, "k", record(idempotency.StatePending, "b"), time.Hour)
			if err != nil || got == nil {
				t.Fatalf("second Claim() = %v, %v; want the first record", got, err)
			}
			if diff := cmp.Diff(first, *got); diff != "" {
				t.Errorf("second Claim() returned (-want +got):\n%s", diff)
			}
			// Only the owner changes a record.
			done := record(idempotency.StateDone, "a")
			done.Response = []byte("answer\x00bytes")
			if ok, err := s.Swap(ctx, "k", "b", done, time.Hour); ok || err != nil {
				t.Errorf("Swap() by another owner = %v, %v; want false, nil", ok, err)
			}
			if ok, err := s.Swap(ctx, "k", "a", done, time.Hour); !ok || err != nil {
				t.Errorf("Swap() by the owner = %v, %v; want true, nil", ok, err)
			}
			got, err = s.Get(ctx, "k")
			if err != nil || got == nil {
				t.Fatalf("Get() = %v, %v", got, err)
			}
			if diff := cmp.Diff(done, *got); diff != "" {
				t.Errorf("Get() after Swap() (-want +got):\n%s", diff)
			}
			failed := record(idempotency.StateDone, "a")
			failed.Status = []byte{8, 5}
			if ok, _ := s.Swap(ctx, "k", "a", failed, time.Hour); !ok {
				t.Fatal("Swap() to an error refused")
			}
			if got, _ := s.Get(ctx, "k"); got == nil || got.Response != nil || string(got.Status) != "\x08\x05" {
				t.Errorf("Get() after a Swap() to an error = %+v; want the status and no response", got)
			}
			open := record(idempotency.StateOpen, "a")
			if ok, _ := s.Swap(ctx, "k", "a", open, time.Hour); !ok {
				t.Fatal("Swap() to open refused")
			}
			if got, _ := s.Get(ctx, "k"); got == nil || got.State != idempotency.StateOpen || got.Status != nil {
				t.Errorf("Get() after a Swap() to open = %+v; want an open record, no status", got)
			}
		})
	}
}

// TestStoreClaimIsExclusive: of many concurrent claims of one key,
// exactly one wins.
func TestStoreClaimIsExclusive(t *testing.T) {
	t.Parallel()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var won atomic.Int32
			var wg sync.WaitGroup
			for i := range 32 {
				wg.Go(func() {
					got, err := s.Claim(t.Context(), "race", record(idempotency.StatePending, string(rune('a'+i))), time.Hour)
					if err != nil {
						t.Error(err)
					}
					if got == nil {
						won.Add(1)
					}
				})
			}
			wg.Wait()
			if n := won.Load(); n != 1 {
				t.Errorf("%d claims won, want 1", n)
			}
		})
	}
}

func TestRedisExpiry(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t)
	client := rdb.Client()
	s := idempotency.NewRedis(idempotency.RedisConfig{Client: client, Prefix: "p:"})
	ctx := context.Background()
	if _, err := s.Claim(ctx, "k", record(idempotency.StatePending, "a"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, "p:k").Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("PTTL after Claim() = %v, want about 1h", ttl)
	}
	if ok, _ := s.Swap(ctx, "k", "a", record(idempotency.StateDone, "a"), 24*time.Hour); !ok {
		t.Fatal("Swap() refused")
	}
	if ttl := client.PTTL(ctx, "p:k").Val(); ttl <= 23*time.Hour || ttl > 24*time.Hour {
		t.Errorf("PTTL after Swap() = %v, want about 24h", ttl)
	}
	// A record the store cannot read is an error, not a silent miss.
	client.HSet(ctx, "p:bad", "s", "9")
	if _, err := s.Get(ctx, "bad"); err == nil {
		t.Error("Get() of a corrupt record: no error")
	}
}

// TestRedisUnreachable: a store that cannot answer says so.
func TestRedisUnreachable(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t)
	client := rdb.Client()
	rdb.Stop()
	s := idempotency.NewRedis(idempotency.RedisConfig{Client: client, Timeout: 200 * time.Millisecond})
	if _, err := s.Claim(t.Context(), "k", record(idempotency.StatePending, "a"), time.Hour); err == nil {
		t.Error("Claim() with Redis down: no error")
	}
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestMemoryRefusesRatherThanForgets: at its bound the in-process store
// refuses new claims and keeps every record it holds, pending or done,
// until its time to live has passed; then it has room again.
func TestMemoryRefusesRatherThanForgets(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	one := record(idempotency.StatePending, "a")
	// Room for three records of this size (key "k0".."k9", 4-byte
	// fingerprint, owner "a", 160 bytes of overhead), not four.
	size := int64(2 + 4 + 1 + 160)
	mem, err := idempotency.NewMemory(idempotency.MemoryConfig{MaxBytes: uint64(3*size + size/2), MaxScopeBytes: 1 << 20, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	keys := []string{"k0", "k1", "k2"}
	for _, k := range keys {
		if got, err := mem.Claim(ctx, k, one, time.Hour); got != nil || err != nil {
			t.Fatalf("Claim(%s) = %v, %v; want nil, nil", k, got, err)
		}
	}
	if got, err := mem.Claim(ctx, "k3", one, time.Hour); !errors.Is(err, idempotency.ErrFull) || got != nil {
		t.Fatalf("Claim() past the bound = %v, %v; want nil, ErrFull", got, err)
	}
	// A held key still answers with its record when full.
	if got, err := mem.Claim(ctx, "k0", one, time.Hour); err != nil || got == nil {
		t.Errorf("Claim() of a held key when full = %v, %v; want its record", got, err)
	}
	// An answer is recorded even past the bound: losing it would let the
	// retry apply the request again.
	done := record(idempotency.StateDone, "a")
	done.Response = make([]byte, 4*size)
	if ok, err := mem.Swap(ctx, "k1", "a", done, time.Hour); !ok || err != nil {
		t.Fatalf("Swap() to an answer past the bound = %v, %v; want true, nil", ok, err)
	}
	for _, k := range keys {
		if got, err := mem.Get(ctx, k); got == nil || err != nil {
			t.Errorf("Get(%s) when full = %v, %v; want the record, none evicted", k, got, err)
		}
	}
	if got, err := mem.Claim(ctx, "k3", one, time.Hour); !errors.Is(err, idempotency.ErrFull) {
		t.Fatalf("Claim() past the bound = %v, %v; want ErrFull", got, err)
	}
	// Once the records' time has passed, there is room again, and the
	// store counts nothing but the new record.
	clk.advance(time.Hour + time.Second)
	if got, err := mem.Claim(ctx, "k3", one, time.Hour); got != nil || err != nil {
		t.Fatalf("Claim() after the records expired = %v, %v; want nil, nil", got, err)
	}
	if got := mem.Bytes(); got != size {
		t.Errorf("Bytes() = %d, want %d: the expired and replaced records no longer counted", got, size)
	}
}

// TestMemoryBoundsEachScope: one scope (caller) fills its share of the
// store and no more; another still has room, and a scope's room comes
// back as its records expire.
func TestMemoryBoundsEachScope(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	one := record(idempotency.StatePending, "a")
	size := int64(len("greedy/k0") + 4 + 1 + 160)
	mem, err := idempotency.NewMemory(idempotency.MemoryConfig{MaxBytes: 1 << 20, MaxScopeBytes: uint64(2*size + size/2), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, k := range []string{"greedy/k0", "greedy/k1"} {
		if _, err := mem.Claim(ctx, k, one, time.Hour); err != nil {
			t.Fatalf("Claim(%s) error = %v", k, err)
		}
	}
	if _, err := mem.Claim(ctx, "greedy/k2", one, time.Hour); !errors.Is(err, idempotency.ErrScopeFull) {
		t.Errorf("Claim() past the scope's share: error = %v, want ErrScopeFull", err)
	}
	if _, err := mem.Claim(ctx, "other/k0", one, time.Hour); err != nil {
		t.Errorf("Claim() of another scope: error = %v, want it taken", err)
	}
	clk.advance(time.Hour + time.Second)
	if _, err := mem.Claim(ctx, "greedy/k2", one, time.Hour); err != nil {
		t.Errorf("Claim() once the scope's records expired: error = %v, want it taken", err)
	}
}

// TestRedisBoundsEachScope: a scope that has written its budget of
// records within a time to live is refused new claims, while another
// scope is not; an answer is kept over the budget, and charged to it.
func TestRedisBoundsEachScope(t *testing.T) {
	t.Parallel()
	client := redistest.Start(t).Client()
	one := record(idempotency.StatePending, "a")
	size := int64(len("greedy/k0") + 4 + 1 + 160)
	s := idempotency.NewRedis(idempotency.RedisConfig{Client: client, ScopeBytes: 3*size + size/2, ScopeTTL: time.Hour})
	ctx := t.Context()
	for _, k := range []string{"greedy/k0", "greedy/k1"} {
		if _, err := s.Claim(ctx, k, one, time.Hour); err != nil {
			t.Fatalf("Claim(%s) error = %v", k, err)
		}
	}
	// An answer past the budget is kept...
	done := record(idempotency.StateDone, "a")
	done.Response = make([]byte, 2*size)
	if ok, err := s.Swap(ctx, "greedy/k0", "a", done, time.Hour); !ok || err != nil {
		t.Fatalf("Swap() to an answer = %v, %v; want true, nil", ok, err)
	}
	if got, err := s.Get(ctx, "greedy/k0"); err != nil || got == nil || len(got.Response) != len(done.Response) {
		t.Fatalf("Get() after Swap() = %v, %v; want the answer", got, err)
	}
	// ...and charged: the scope has no room for another claim.
	if _, err := s.Claim(ctx, "greedy/k2", one, time.Hour); !errors.Is(err, idempotency.ErrScopeFull) {
		t.Errorf("Claim() past the scope's budget: error = %v, want ErrScopeFull", err)
	}
	if got, _ := s.Get(ctx, "greedy/k2"); got != nil {
		t.Errorf("Get() of the refused claim = %+v, want nothing stored", got)
	}
	if _, err := s.Claim(ctx, "other/k0", one, time.Hour); err != nil {
		t.Errorf("Claim() of another scope: error = %v, want it taken", err)
	}
}
