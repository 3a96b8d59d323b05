package readcache_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bwfacade/facade/internal/readcache"
	"github.com/bwfacade/facade/internal/redistest"
	"github.com/bwfacade/facade/internal/upstream"
)

// clock is a settable otter.Clock.
type clock struct {
	mu  sync.Mutex
	now int64
}

func (c *clock) NowNano() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Tick(time.Duration) <-chan time.Time { return nil }

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now += int64(d)
}

// TestCachesKeepDropAndCopy holds both caches to upstream.Cache's
// contract: an answer is read back with when it was stored, stored bytes
// are a copy, dropping a scope forgets its answers and only its, and a
// zero TTL stores nothing.
func TestCachesKeepDropAndCopy(t *testing.T) {
	t.Parallel()
	caches := map[string]func(t *testing.T) upstream.Cache{
		"memory": func(t *testing.T) upstream.Cache {
			m, err := readcache.NewMemory(readcache.MemoryConfig{})
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
		"redis": func(t *testing.T) upstream.Cache {
			return readcache.NewRedis(readcache.RedisConfig{Client: redistest.Start(t).Client(), Timeout: time.Second})
		},
	}
	for name, newCache := range caches {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCache(t)
			ctx := t.Context()
			stored := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
			body := []byte(`{"id": 1}`)
			c.Set(ctx, "tok:goals", "/goals/1/", body, stored, time.Minute)
			c.Set(ctx, "tok:users", "/users/1/", []byte(`{"id": 2}`), stored, time.Minute)
			c.Set(ctx, "tok:goals", "/goals/2/", []byte(`{}`), stored, 0)
			body[2] = 'X' // the caller reuses its buffer

			got, when, ok := c.Get(ctx, "tok:goals", "/goals/1/")
			if !ok || string(got) != `{"id": 1}` || !when.Equal(stored) {
				t.Errorf("Get() = %q, %v, %v; want the stored copy and %v", got, when, ok, stored)
			}
			if _, _, ok := c.Get(ctx, "tok:goals", "/goals/2/"); ok {
				t.Error("Get() of an answer stored with a zero TTL found it")
			}
			c.Drop(ctx, "tok:goals")
			if _, _, ok := c.Get(ctx, "tok:goals", "/goals/1/"); ok {
				t.Error("Get() after Drop found the answer")
			}
			if _, _, ok := c.Get(ctx, "tok:users", "/users/1/"); !ok {
				t.Error("Drop of one scope dropped another's answer")
			}
		})
	}
}

// TestMemoryExpires reads an answer back before its TTL and not after.
func TestMemoryExpires(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	m, err := readcache.NewMemory(readcache.MemoryConfig{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	m.Set(t.Context(), "s", "k", []byte("v"), time.Unix(0, clk.NowNano()), 10*time.Second)
	clk.advance(9 * time.Second)
	if _, _, ok := m.Get(t.Context(), "s", "k"); !ok {
		t.Error("Get() before the TTL missed")
	}
	clk.advance(2 * time.Second)
	if _, _, ok := m.Get(t.Context(), "s", "k"); ok {
		t.Error("Get() after the TTL found the answer")
	}
}

// TestRedisBoundsAScope: a scope read without pause never expires as a
// whole, so its entries are bounded in number instead.
func TestRedisBoundsAScope(t *testing.T) {
	t.Parallel()
	server := redistest.Start(t)
	client := server.Client()
	c := readcache.NewRedis(readcache.RedisConfig{Client: client, Prefix: "c:", Timeout: time.Second, MaxFields: 4})
	ctx := t.Context()
	for i := range 10 {
		c.Set(ctx, "scope", fmt.Sprint("key", i), []byte("answer"), time.Now(), time.Minute)
		// One field of the hash counts its bytes.
		if n := client.HLen(ctx, "c:{scope}").Val() - 1; n > 4 || n < 1 {
			t.Fatalf("after %d entries the scope's hash holds %d, want 1 to 4", i+1, n)
		}
	}
	if _, _, ok := c.Get(ctx, "scope", "key9"); !ok {
		t.Error("Get() of the entry stored last: a miss")
	}
}

// TestRedisBoundsAScopeInBytes stores answers of 400 bytes in scopes of
// at most 1,000: the scope is dropped before it would pass its bound, and
// an answer larger than a scope may hold is not stored.
func TestRedisBoundsAScopeInBytes(t *testing.T) {
	t.Parallel()
	server := redistest.Start(t)
	client := server.Client()
	c := readcache.NewRedis(readcache.RedisConfig{Client: client, Prefix: "c:", Timeout: time.Second, MaxScopeBytes: 1000})
	ctx := t.Context()
	answer := bytes.Repeat([]byte("a"), 400-16) // 16 bytes of times go with it
	for i := range 10 {
		c.Set(ctx, "scope", fmt.Sprint("key", i), answer, time.Now(), time.Minute)
		held := 0
		for field, value := range client.HGetAll(ctx, "c:{scope}").Val() {
			if field != "\x00size" {
				held += len(value)
			}
		}
		if held > 1000 || held < 400 {
			t.Fatalf("after %d entries the scope's hash holds %d bytes of answers, want 400 to 1,000", i+1, held)
		}
		c.Set(ctx, "scope", fmt.Sprint("key", i), answer, time.Now(), time.Minute) // again: the same size
	}
	if _, _, ok := c.Get(ctx, "scope", "key9"); !ok {
		t.Error("Get() of the entry stored last: a miss")
	}
	if _, _, ok := c.Get(ctx, "scope", "key7"); ok {
		t.Error("Get() of the third entry from last: a hit, want the scope dropped since")
	}
	c.Set(ctx, "large", "key", bytes.Repeat([]byte("a"), 1000), time.Now(), time.Minute)
	if _, _, ok := c.Get(ctx, "large", "key"); ok {
		t.Error("Get() of an answer larger than a scope's bound: a hit, want it never stored")
	}
}

// TestRedisRefusesAnswersReadBeforeADrop: another replica's write drops
// the scope while this one's read is under way; that read's answer is
// not stored, and one read after the drop is.
func TestRedisRefusesAnswersReadBeforeADrop(t *testing.T) {
	t.Parallel()
	server := redistest.Start(t)
	reader := readcache.NewRedis(readcache.RedisConfig{Client: server.Client(), Timeout: time.Second, ClockSkew: 50 * time.Millisecond})
	writer := readcache.NewRedis(readcache.RedisConfig{Client: server.Client(), Timeout: time.Second})
	ctx := t.Context()
	began := time.Now()
	writer.Drop(ctx, "scope")
	reader.Set(ctx, "scope", "key", []byte("read before the drop"), began, time.Minute)
	if body, _, ok := reader.Get(ctx, "scope", "key"); ok {
		t.Fatalf("Get() = %q, want a miss: the answer was read before the drop", body)
	}
	reader.Set(ctx, "scope", "key", []byte("read after the drop"), time.Now().Add(time.Second), time.Minute)
	if body, _, ok := reader.Get(ctx, "scope", "key"); !ok || string(body) != "read after the drop" {
		t.Errorf("Get() = %q, %v; want the answer read after the drop", body, ok)
	}
}

// TestRedisDropThatFailsIsTriedAgain drops a scope while Redis holds
// writes back longer than the cache's timeout: the drop fails, and the
// answer read before the write must still go, once Redis takes writes
// again.
func TestRedisDropThatFailsIsTriedAgain(t *testing.T) {
	t.Parallel()
	server := redistest.Start(t)
	// A timeout long enough for the Set and the Gets on a loaded machine
	// (the race detector, every package at once), and well within the
	// pause, which holds the drop back past it.
	c := readcache.NewRedis(readcache.RedisConfig{Client: server.Client(), Prefix: "c:", Timeout: 300 * time.Millisecond})
	ctx := t.Context()
	c.Set(ctx, "scope", "key", []byte("read before the write"), time.Now(), time.Minute)
	if _, _, ok := c.Get(ctx, "scope", "key"); !ok {
		t.Fatal("Get() after Set(): a miss, want the answer")
	}
	if err := server.Client().Do(ctx, "CLIENT", "PAUSE", "2000", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}

	c.Drop(ctx, "scope")

	if _, _, ok := c.Get(ctx, "scope", "key"); !ok {
		t.Fatal("Get() right after the held-back drop: a miss, want the drop not applied yet")
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, _, ok := c.Get(ctx, "scope", "key"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Get() still finds the answer read before the write 5 s after its drop failed")
		}
	}
}
