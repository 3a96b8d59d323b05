package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// errRedisResting means Redis erred less than RetryRedisAfter ago, so the
// call was not sent.
var errRedisResting = errors.New("redis erred recently")

// pauseScript sets a pause (until, in Unix milliseconds, expiring after
// ARGV[2] milliseconds) unless a longer one is set already.
var pauseScript = redis.NewScript(`
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if tonumber(ARGV[1]) > current then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
end
return 0
`)

// redisStore keeps buckets and pauses in Redis.
type redisStore struct {
	client  redis.UniversalClient
	gcra    *redis_rate.Limiter
	prefix  string
	timeout time.Duration
	health  health
}

func newRedisStore(cfg Config, now func() time.Time, log *slog.Logger) *redisStore {
	s := &redisStore{
		client:  cfg.Redis,
		gcra:    redis_rate.NewLimiter(cfg.Redis),
		prefix:  cfg.Prefix,
		timeout: cfg.RedisTimeout,
		health:  health{now: now, log: log, retryAfter: cfg.RetryRedisAfter},
	}
	if s.prefix == "" {
		s.prefix = "bwfacade:rl:"
	}
	if s.timeout <= 0 {
		s.timeout = 50 * time.Millisecond
	}
	if s.health.retryAfter <= 0 {
		s.health.retryAfter = time.Second
	}
	return s
}

// allow takes a token from key's bucket unless key is paused; then it
// takes nothing and returns until when. Allow sends two commands, both
// within the timeout.
func (s *redisStore) allow(ctx context.Context, key string, lim Limit, now time.Time) (ok bool, retryAfter time.Duration, pausedUntil time.Time, err error) {
	err = s.do(ctx, func(ctx context.Context) error {
		pausedUntil, err = s.getPause(ctx, key)
		if err != nil || pausedUntil.After(now) {
			return err
		}
		res, err := s.gcra.Allow(ctx, s.prefix+key, redisLimit(lim))
		if err != nil {
			return err
		}
		ok, retryAfter = res.Allowed > 0, max(res.RetryAfter, 0)
		return nil
	})
	return ok, retryAfter, pausedUntil, err
}

// pause stores a pause of key until until for every replica.
func (s *redisStore) pause(ctx context.Context, key string, until, now time.Time) {
	ms := int64(time.Millisecond)
	untilMs := (until.UnixNano() + ms - 1) / ms         // rounded up: never shorter
	expiryMs := max((int64(until.Sub(now))+ms-1)/ms, 1) // likewise
	_ = s.do(ctx, func(ctx context.Context) error {
		return pauseScript.Run(ctx, s.client, []string{s.pauseKey(key)}, untilMs, expiryMs).Err()
	})
}

func (s *redisStore) getPause(ctx context.Context, key string) (time.Time, error) {
	v, err := s.client.Get(ctx, s.pauseKey(key)).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms), nil
}

func (s *redisStore) pauseKey(key string) string { return s.prefix + "pause:" + key }

// do runs f against Redis within the timeout, unless Redis is resting
// after an error, and keeps the health up to date.
func (s *redisStore) do(ctx context.Context, f func(context.Context) error) error {
	probe, ok := s.health.begin()
	if !ok {
		return errRedisResting
	}
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err := f(opCtx)
	s.health.end(ctx, probe, err)
	return err
}

// health says whether to use Redis. After an error it rests Redis for
// retryAfter, then lets one call probe it. Only a probe can end the rest,
// so switches are logged at most once per retryAfter.
type health struct {
	now        func() time.Time
	log        *slog.Logger
	retryAfter time.Duration
	down       atomic.Bool
	retryAt    atomic.Int64 // Unix nanoseconds
}

// begin reports whether to call Redis, and whether the call is a probe.
func (h *health) begin() (probe, ok bool) {
	if !h.down.Load() {
		return false, true
	}
	now := h.now().UnixNano()
	at := h.retryAt.Load()
	if now < at || !h.retryAt.CompareAndSwap(at, now+int64(h.retryAfter)) {
		return false, false
	}
	return true, true
}

// end records how a call begun by begin went. Errors that are the
// caller's (ctx ended) say nothing of Redis.
func (h *health) end(ctx context.Context, probe bool, err error) {
	switch {
	case err == nil:
		if probe && h.down.CompareAndSwap(true, false) {
			h.log.Info("rate limiter: Redis is back, limiting through Redis")
		}
	case ctx.Err() == nil:
		h.retryAt.Store(h.now().Add(h.retryAfter).UnixNano())
		if h.down.CompareAndSwap(false, true) {
			h.log.Warn("rate limiter: Redis unreachable, limiting locally",
				slog.Any("error", err), slog.Duration("retry_after", h.retryAfter))
		}
	}
}

// redisLimit converts lim for redis_rate, whose rate is a whole number of
// calls per period: a whole rate per second if it is one (5/s), else the
// smallest whole number of seconds that holds a whole number of calls
// (0.5/s is 1 per 2 s, 2.5/s is 5 per 2 s), else one call per emission
// interval, to the nanosecond.
func redisLimit(lim Limit) redis_rate.Limit {
	burst := max(lim.Burst, 1)
	for seconds := 1; seconds <= 3600; seconds++ {
		calls := lim.Rate * float64(seconds)
		if whole := math.Round(calls); whole >= 1 && math.Abs(calls-whole) <= 1e-9*calls {
			return redis_rate.Limit{Rate: int(whole), Burst: burst, Period: time.Duration(seconds) * time.Second}
		}
	}
	return redis_rate.Limit{Rate: 1, Burst: burst, Period: time.Duration(math.Round(float64(time.Second) / lim.Rate))}
}
