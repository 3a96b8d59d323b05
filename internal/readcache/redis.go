package readcache

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a cache shared by the replicas: one Redis hash per scope, whose
// fields are the answers' keys, so that dropping a scope is one DEL. Each
// value carries when it was read and when it expires; the hash expires
// with the entry stored last.
//
// A Drop leaves beside the hash the instant it happened, for DropMemory,
// and Set refuses an answer whose read began before it (less ClockSkew):
// a read on one replica that overlapped a write on another is never
// stored, as the client sees to within one replica.
//
// Fields do not expire one by one (Redis 7.0 has no field expiry), so a
// scope read without pause keeps its expired entries: a hash that would
// pass MaxFields entries or MaxScopeBytes is dropped whole before the
// next entry goes in, which bounds it in both; the hash counts its bytes
// in a field of its own. An answer larger than MaxScopeBytes is not
// stored. Every call is one round trip, bounded by Timeout; an error is a
// miss.
type Redis struct {
	client    redis.UniversalClient
	prefix    string
	timeout   time.Duration
	maxFields int
	maxBytes  int
	skew      time.Duration
	// retrying holds a token per failed drop being tried again.
	retrying chan struct{}
}

// DropMemory is how long a dropped scope refuses answers read before the
// drop: longer than any read takes.
const DropMemory = 5 * time.Minute

// RedisConfig configures a Redis cache. A zero field selects the default
// documented on it.
type RedisConfig struct {
	// Client is the Redis client. Required.
	Client redis.UniversalClient
	// Prefix starts every key. Empty means "bwfacade:cache:".
	Prefix string
	// Timeout bounds each call. Zero means 50 ms.
	Timeout time.Duration
	// MaxFields bounds the entries of one scope (one token's reads of one
	// endpoint family). Zero means 4096.
	MaxFields int
	// MaxScopeBytes bounds the bytes of one scope's entries. Zero means
	// 8 MiB.
	MaxScopeBytes int
	// ClockSkew bounds the difference between the replicas' clocks: an
	// answer read up to ClockSkew after a drop is refused too. Zero means
	// 250 ms.
	ClockSkew time.Duration
}

// NewRedis returns a cache in the Redis of cfg.
func NewRedis(cfg RedisConfig) *Redis {
	r := &Redis{client: cfg.Client, prefix: cfg.Prefix, timeout: cfg.Timeout, maxFields: cfg.MaxFields, maxBytes: cfg.MaxScopeBytes, skew: cfg.ClockSkew,
		retrying: make(chan struct{}, maxDropRetries)}
	if r.skew <= 0 {
		r.skew = 250 * time.Millisecond
	}
	if r.maxFields <= 0 {
		r.maxFields = 4096
	}
	if r.maxBytes <= 0 {
		r.maxBytes = 8 << 20
	}
	if r.prefix == "" {
		r.prefix = "bwfacade:cache:"
	}
	if r.timeout <= 0 {
		r.timeout = 50 * time.Millisecond
	}
	return r
}

// hash is the scope's key; the braces make it its own hash slot in a
// cluster.
func (r *Redis) hash(scope string) string { return r.prefix + "{" + scope + "}" }

// Get implements upstream.Cache.
func (r *Redis) Get(ctx context.Context, scope, key string) ([]byte, time.Time, bool) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v, err := r.client.HGet(ctx, r.hash(scope), key).Bytes()
	if err != nil || len(v) < 16 {
		return nil, time.Time{}, false
	}
	stored := time.Unix(0, int64(binary.BigEndian.Uint64(v[:8])))
	expires := time.Unix(0, int64(binary.BigEndian.Uint64(v[8:16])))
	if !time.Now().Before(expires) {
		return nil, time.Time{}, false
	}
	return v[16:], stored, true
}

// Set implements upstream.Cache.
func (r *Redis) Set(ctx context.Context, scope, key string, body []byte, stored time.Time, ttl time.Duration) {
	if ttl <= 0 || 16+len(body) > r.maxBytes {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint64(v[:8], uint64(stored.UnixNano()))
	binary.BigEndian.PutUint64(v[8:16], uint64(time.Now().Add(ttl).UnixNano()))
	v = append(v, body...)
	keys := []string{r.hash(scope), r.dropped(scope)}
	_ = setScript.Run(ctx, r.client, keys, key, v, max(ttl.Milliseconds(), 1), r.maxFields, stored.Add(-r.skew).UnixMilli(), r.maxBytes).Err()
}

// dropped is the key of the scope's last drop, in the hash's slot.
func (r *Redis) dropped(scope string) string { return r.hash(scope) + ":dropped" }

// setScript stores ARGV[2] under field ARGV[1] of the hash KEYS[1], which
// then expires after ARGV[3] ms: with the entry stored last, so that an
// older entry that would have lived longer is a miss, never a stale
// answer. It stores nothing when KEYS[2] says the scope was dropped at
// or after ARGV[5] (Unix ms). A hash holding ARGV[4] entries, or whose
// entries would weigh more than ARGV[6] bytes with this one, is dropped
// first. The field "\0size" (no answer's key starts with NUL) holds the
// bytes of the entries.
var setScript = redis.NewScript(`
local dropped = redis.call("GET", KEYS[2])
if dropped and tonumber(dropped) >= tonumber(ARGV[5]) then
  return 0
end
local size = (tonumber(redis.call("HGET", KEYS[1], "\0size")) or 0)
  - redis.call("HSTRLEN", KEYS[1], ARGV[1]) + string.len(ARGV[2])
if redis.call("HLEN", KEYS[1]) > tonumber(ARGV[4]) or size > tonumber(ARGV[6]) then
  redis.call("DEL", KEYS[1])
  size = string.len(ARGV[2])
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2], "\0size", size)
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 0
`)

// dropRetries are the waits before each new try of a drop that failed:
// until one lands, every replica serves the scope's answers from before
// the write that dropped it.
var dropRetries = []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 1600 * time.Millisecond}

// maxDropRetries bounds the failed drops tried again at once. Beyond it
// (Redis is down, not hiccuping), a failed drop is given up, and its
// scope's answers go with their TTL.
const maxDropRetries = 64

// Drop implements upstream.Cache. A drop that fails, but not because ctx
// ended, is tried again in the background, a few times.
func (r *Redis) Drop(ctx context.Context, scope string) {
	if r.drop(ctx, scope) == nil || ctx.Err() != nil {
		return
	}
	select {
	case r.retrying <- struct{}{}:
		go func() {
			defer func() { <-r.retrying }()
			for _, wait := range dropRetries {
				time.Sleep(wait)
				if r.drop(context.Background(), scope) == nil {
					return
				}
			}
		}()
	default:
	}
}

// drop deletes scope's hash and records when, in one round trip.
func (r *Redis) drop(ctx context.Context, scope string) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	keys := []string{r.hash(scope), r.dropped(scope)}
	return dropScript.Run(ctx, r.client, keys, time.Now().UnixMilli(), DropMemory.Milliseconds()).Err()
}

// dropScript deletes the hash KEYS[1] and records at KEYS[2] that it was
// dropped at ARGV[1] (Unix ms) for ARGV[2] ms, unless a later drop is
// recorded.
var dropScript = redis.NewScript(`
redis.call("DEL", KEYS[1])
local dropped = redis.call("GET", KEYS[2])
if not dropped or tonumber(dropped) < tonumber(ARGV[1]) then
  redis.call("SET", KEYS[2], ARGV[1], "PX", ARGV[2])
end
return 0
`)
