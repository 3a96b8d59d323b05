package readcache

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a cache shared by the replicas: one Redis hash per scope, whose
// fields are the answers' keys, so that dropping a scope is one DEL. Each
// value carries when it was stored and when it expires; the hash expires
// with its longest-lived entry. Every call is one round trip, bounded by
// Timeout; an error is a miss.
type Redis struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
}

// RedisConfig configures a Redis cache. A zero field selects the default
// documented on it.
type RedisConfig struct {
	// Client is the Redis client. Required.
	Client redis.UniversalClient
	// Prefix starts every key. Empty means "bwfacade:cache:".
	Prefix string
	// Timeout bounds each call. Zero means 50 ms.
	Timeout time.Duration
}

// NewRedis returns a cache in the Redis of cfg.
func NewRedis(cfg RedisConfig) *Redis {
	r := &Redis{client: cfg.Client, prefix: cfg.Prefix, timeout: cfg.Timeout}
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
	if ttl <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint64(v[:8], uint64(stored.UnixNano()))
	binary.BigEndian.PutUint64(v[8:16], uint64(time.Now().Add(ttl).UnixNano()))
	v = append(v, body...)
	h := r.hash(scope)
	_, _ = r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, h, key, v)
		// The hash expires with the entry stored last: an older entry that
		// would have lived longer is then a miss, never a stale answer.
		p.PExpire(ctx, h, ttl)
		return nil
	})
}

// Drop implements upstream.Cache.
func (r *Redis) Drop(ctx context.Context, scope string) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	_ = r.client.Del(ctx, r.hash(scope)).Err()
}
