package idempotency

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix starts the keys of a Redis store whose config sets
// no prefix.
const DefaultRedisPrefix = "bwfacade:idem:"

// RedisConfig configures a Redis store.
type RedisConfig struct {
	// Client is a single server, a Sentinel-managed one or a Cluster:
	// each record is one key. Build it with ContextTimeoutEnabled.
	Client redis.UniversalClient
	// Prefix starts every key. Empty means DefaultRedisPrefix.
	Prefix string
	// Timeout bounds each command. Zero means 500 ms.
	Timeout time.Duration
	// ScopeBytes bounds the bytes of records one scope (a key's part
	// before its first '/', the caller) may write per time to live, as
	// its records then hold: one caller writing many request_ids, or
	// large answers, is refused new ones (ErrScopeFull) before it fills
	// Redis for every caller. Zero means a quarter of DefaultMemoryBytes.
	ScopeBytes int64
	// ScopeTTL is the time to live of the records the budget is for: a
	// scope's writes may reach ScopeBytes within it. Zero means 24 hours.
	ScopeTTL time.Duration
}

// Redis keeps records in Redis, one hash per key, so that every replica
// sharing the server sees them. Changes are Lua scripts, atomic on the
// server.
type Redis struct {
	client     redis.UniversalClient
	prefix     string
	timeout    time.Duration
	scopeBytes int64
	scopeTTL   time.Duration
}

// NewRedis returns a store in cfg's Redis.
func NewRedis(cfg RedisConfig) *Redis {
	r := &Redis{client: cfg.Client, prefix: cfg.Prefix, timeout: cfg.Timeout, scopeBytes: cfg.ScopeBytes, scopeTTL: cfg.ScopeTTL}
	if r.prefix == "" {
		r.prefix = DefaultRedisPrefix
	}
	if r.timeout <= 0 {
		r.timeout = 500 * time.Millisecond
	}
	if r.scopeBytes <= 0 {
		r.scopeBytes = DefaultMemoryBytes / 4
	}
	if r.scopeTTL <= 0 {
		r.scopeTTL = 24 * time.Hour
	}
	return r
}

// budgetScript charges ARGV[1] bytes to the budget at KEYS[1], a GCRA
// bucket in milliseconds: ARGV[2] bytes refill over ARGV[3] ms, so that
// what a scope writes within a time to live, as much as its records then
// hold, stays within ARGV[2]. With ARGV[4] = "1" it refuses (returns 0,
// charging nothing) a charge that would overdraw the budget; with "0" it
// charges in any case, for what must be kept. The stored value is the
// bucket's theoretical arrival time in Redis's own clock (ms).
var budgetScript = redis.NewScript(`
redis.replicate_commands()
local t = redis.call("TIME")
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local window = tonumber(ARGV[3])
local tat = tonumber(redis.call("GET", KEYS[1])) or now
if tat < now then
  tat = now
end
local next_tat = tat + tonumber(ARGV[1]) * window / tonumber(ARGV[2])
if ARGV[4] == "1" and next_tat - now > window then
  return 0
end
redis.call("SET", KEYS[1], string.format("%.17g", next_tat), "PX", math.max(math.ceil(next_tat - now), 1))
return 1
`)

// charge charges the bytes of rec at key to its scope's budget; with
// refuse, it refuses one that would overdraw it (ok false).
func (r *Redis) charge(ctx context.Context, key string, rec Record, refuse bool) (ok bool, err error) {
	check := "0"
	if refuse {
		check = "1"
	}
	n, err := budgetScript.Run(ctx, r.client, []string{r.prefix + "budget:{" + scopeOf(key) + "}"},
		recordBytes(key, rec), r.scopeBytes, r.scopeTTL.Milliseconds(), check).Int()
	if err != nil {
		return false, fmt.Errorf("idempotency: budget: %w", err)
	}
	return n == 1, nil
}

// recordBytes approximates what rec costs at key.
func recordBytes(key string, rec Record) int64 {
	return (&stored{rec: rec}).weight(key)
}

// The hash's fields.
const (
	fieldFingerprint = "f"
	fieldState       = "s"
	fieldOwner       = "o"
	fieldLease       = "l"
	fieldSince       = "t"
	fieldResponse    = "r"
	fieldStatus      = "e"
)

// claimScript stores the fields ARGV[2..] at KEYS[1], expiring after
// ARGV[1] ms, unless the key exists; it then returns the stored fields.
var claimScript = redis.NewScript(`
if redis.call("EXISTS", KEYS[1]) == 1 then
  return redis.call("HGETALL", KEYS[1])
end
redis.call("HSET", KEYS[1], unpack(ARGV, 2))
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return {}
`)

// swapScript replaces KEYS[1]'s fields with ARGV[3..], expiring after
// ARGV[2] ms, if its owner is ARGV[1].
var swapScript = redis.NewScript(`
if redis.call("HGET", KEYS[1], "o") ~= ARGV[1] then
  return 0
end
redis.call("DEL", KEYS[1])
redis.call("HSET", KEYS[1], unpack(ARGV, 3))
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1
`)

// Claim implements Store.
func (r *Redis) Claim(ctx context.Context, key string, rec Record, ttl time.Duration) (*Record, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if ok, err := r.charge(ctx, key, rec, true); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrScopeFull
	}
	args := append([]any{ttlMillis(ttl)}, fields(rec)...)
	v, err := claimScript.Run(ctx, r.client, []string{r.prefix + key}, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("idempotency: claim: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(v)/2)
	for i := 0; i+1 < len(v); i += 2 {
		m[v[i]] = v[i+1]
	}
	return parse(m)
}

// Swap implements Store.
func (r *Redis) Swap(ctx context.Context, key, owner string, rec Record, ttl time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	args := append([]any{owner, ttlMillis(ttl)}, fields(rec)...)
	n, err := swapScript.Run(ctx, r.client, []string{r.prefix + key}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("idempotency: swap: %w", err)
	}
	if n == 1 && len(rec.Response)+len(rec.Status) > 0 {
		// An answer is kept whatever the budget, and charged to it, so
		// that a scope recording large answers is refused new claims.
		// Best effort: the record is written already.
		_, _ = r.charge(ctx, key, Record{Response: rec.Response, Status: rec.Status}, false)
	}
	return n == 1, nil
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) (*Record, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	m, err := r.client.HGetAll(ctx, r.prefix+key).Result()
	if err != nil {
		return nil, fmt.Errorf("idempotency: get: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return parse(m)
}

// fields flattens rec into HSET's field-value pairs.
func fields(rec Record) []any {
	f := []any{
		fieldFingerprint, rec.Fingerprint,
		fieldState, int(rec.State),
		fieldOwner, rec.Owner,
		fieldSince, rec.Since.UnixMilli(),
	}
	if !rec.Lease.IsZero() {
		f = append(f, fieldLease, rec.Lease.UnixMilli())
	}
	if rec.Response != nil {
		f = append(f, fieldResponse, rec.Response)
	}
	if rec.Status != nil {
		f = append(f, fieldStatus, rec.Status)
	}
	return f
}

// parse reads a record from its hash.
func parse(m map[string]string) (*Record, error) {
	state, err := strconv.Atoi(m[fieldState])
	if err != nil || state < int(StatePending) || state > int(StateOpen) {
		return nil, ErrCorrupt
	}
	rec := &Record{
		Fingerprint: []byte(m[fieldFingerprint]),
		State:       State(state),
		Owner:       m[fieldOwner],
	}
	millis := func(field string) (time.Time, error) {
		v, ok := m[field]
		if !ok {
			return time.Time{}, nil
		}
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, ErrCorrupt
		}
		return time.UnixMilli(ms), nil
	}
	if rec.Since, err = millis(fieldSince); err != nil {
		return nil, err
	}
	if rec.Lease, err = millis(fieldLease); err != nil {
		return nil, err
	}
	if v, ok := m[fieldResponse]; ok {
		rec.Response = []byte(v)
	}
	if v, ok := m[fieldStatus]; ok {
		rec.Status = []byte(v)
	}
	return rec, nil
}

// ttlMillis is ttl in whole milliseconds, at least 1.
func ttlMillis(ttl time.Duration) int64 { return max(ttl.Milliseconds(), 1) }
