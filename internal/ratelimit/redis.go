package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// errRedisResting means Redis erred less than RetryRedisAfter ago, so the
// call was not sent.
var errRedisResting = errors.New("redis erred recently")

// takeScript is the whole of a call's work in Redis, so that it costs one
// round trip: it reads a pace key's pause, takes a token of a quota bucket
// if one is given, and then, unless the quota refused or the key is
// paused, takes a token of the pace key's bucket if one is free now.
//
// The buckets are GCRA (as in redis_rate, whose script this follows): a
// bucket stores its theoretical arrival time (TAT), which a call pushes
// one emission interval on; a call is refused when that would put the TAT
// more than the burst offset (interval times burst) ahead of now. A
// missing key is a full bucket, and a key expires when its bucket is full
// again. Times are microseconds of the Redis server's clock since
// 2024-01-01 UTC: Lua's numbers are doubles, and this epoch keeps them
// sixteen times as precise as Unix time would (to 1/64 µs until 2028).
// An interval below that precision (a rate of a hundred million per
// second) leaves the TAT where it is: such a rate never refuses. Pauses
// are compared with the caller's clock, which set them.
//
// KEYS[1] is the pace key's pause, KEYS[2] its bucket, and KEYS[3], if
// given, the quota bucket. ARGV[1] is the caller's clock in Unix
// milliseconds; ARGV[2] and ARGV[3] are the pace's emission interval and
// burst offset in microseconds, an interval of 0 meaning "take no pace
// token"; ARGV[4] and ARGV[5] are the quota's, with KEYS[3].
//
// It returns {quota, pace, pause, tat}: quota is 0 when the quota token
// was taken (or none asked), else the microseconds until one is free;
// pace is 0 when the pace token was taken, -1 when none was tried, else
// the microseconds until one is free; pause is the pause's end in Unix
// milliseconds, 0 if none is stored; tat is the pace bucket's TAT once
// its token was taken (whole microseconds since 2024), else 0.
var takeScript = redis.NewScript(`
redis.replicate_commands()
local t = redis.call("TIME")
local now = (t[1] - 1704067200) * 1000000 + t[2]

local function take(key, interval, offset)
  local tat = tonumber(redis.call("GET", key)) or now
  if tat < now then
    tat = now
  end
  local next_tat = tat + interval
  local wait = next_tat - offset - now
  if wait > 0 then
    return math.ceil(wait), 0
  end
  redis.call("SET", key, string.format("%.17g", next_tat), "PX", math.max(math.ceil((next_tat - now) / 1000), 1))
  return 0, math.floor(next_tat)
end

local pause = tonumber(redis.call("GET", KEYS[1])) or 0
if KEYS[3] then
  local wait = take(KEYS[3], tonumber(ARGV[4]), tonumber(ARGV[5]))
  if wait > 0 then
    return {wait, -1, pause, 0}
  end
end
local interval = tonumber(ARGV[2])
if interval == 0 or pause > tonumber(ARGV[1]) then
  return {0, -1, pause, 0}
end
local wait, tat = take(KEYS[2], interval, tonumber(ARGV[3]))
return {0, wait, pause, tat}
`)

// refundScript gives back to the bucket KEYS[1], whose emission interval
// is ARGV[1] microseconds, a turn taken ahead that no call used, which
// left the bucket's TAT at ARGV[2]: what of the turn's interval time has
// not yet paid back, so that a turn held while its bucket refilled gives
// nothing back, instead of a token beyond the burst. A bucket that
// becomes full is deleted, as if it had expired.
var refundScript = redis.NewScript(`
redis.replicate_commands()
local tat = tonumber(redis.call("GET", KEYS[1]))
if not tat then
  return 0
end
local t = redis.call("TIME")
local now = (t[1] - 1704067200) * 1000000 + t[2]
local owed = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - now)
if owed <= 0 then
  return 0
end
tat = tat - owed
if tat <= now then
  redis.call("DEL", KEYS[1])
else
  redis.call("SET", KEYS[1], string.format("%.17g", tat), "PX", math.max(math.ceil((tat - now) / 1000), 1))
end
return 1
`)

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
	prefix  string
	timeout time.Duration
	health  health
}

func newRedisStore(cfg Config, now func() time.Time, log *slog.Logger) *redisStore {
	s := &redisStore{
		client:  cfg.Redis,
		prefix:  cfg.Prefix,
		timeout: cfg.RedisTimeout,
		health:  health{now: now, log: log, retryAfter: cfg.RetryRedisAfter, base: now()},
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

// Keys of a key's group: its bucket, its pause, and the buckets admitted
// beside it (Admission.PaceKey). The braces are a Redis Cluster hash tag:
// a group's keys share a slot, so one script may touch them all.
func (s *redisStore) bucketKey(key string) string { return s.prefix + "{" + key + "}:tat" }
func (s *redisStore) pauseKey(key string) string  { return s.prefix + "{" + key + "}:pause" }
func (s *redisStore) besideKey(group, key string) string {
	return s.prefix + "{" + group + "}:tat:" + key
}

// taken is what takeScript did.
type taken struct {
	// quotaWait is zero when the quota token was taken, else how long
	// until one is free.
	quotaWait time.Duration
	// paceTaken says whether the pace token was taken; if it was tried and
	// not, paceWait is how long until one is free.
	paceTaken bool
	paceWait  time.Duration
	// paceTAT is the pace bucket's TAT once the token was taken, in the
	// script's microseconds: a refund of the turn gives back only what of
	// it time has not paid back by then.
	paceTAT int64
	// pausedUntil is the pace key's pause, zero if none is stored.
	pausedUntil time.Time
}

// take takes a token of key's bucket under lim, unless key is paused at
// now: one round trip, within the timeout.
func (s *redisStore) take(ctx context.Context, key string, lim Limit, now time.Time) (taken, error) {
	interval, offset := gcra(lim)
	return s.run(ctx, []string{s.pauseKey(key), s.bucketKey(key)}, now.UnixMilli(), interval, offset)
}

// admit takes a token of a's quota bucket and, with prepay, a's pace
// turn if one is free now and PaceKey is not paused at now: one round
// trip, within the timeout. a.PaceKey is set.
func (s *redisStore) admit(ctx context.Context, a Admission, prepay bool, now time.Time) (taken, error) {
	paceInterval, paceOffset := 0.0, 0.0
	if prepay {
		paceInterval, paceOffset = gcra(a.Pace)
	}
	keys := []string{s.pauseKey(a.PaceKey), s.bucketKey(a.PaceKey)}
	args := []any{now.UnixMilli(), paceInterval, paceOffset}
	if a.Limit.Rate != Inf {
		quotaInterval, quotaOffset := gcra(a.Limit)
		keys = append(keys, s.besideKey(a.PaceKey, a.Key))
		args = append(args, quotaInterval, quotaOffset)
	}
	return s.run(ctx, keys, args...)
}

// run runs takeScript.
func (s *redisStore) run(ctx context.Context, keys []string, args ...any) (taken, error) {
	var res []int64
	err := s.do(ctx, func(ctx context.Context) error {
		var err error
		res, err = takeScript.Run(ctx, s.client, keys, args...).Int64Slice()
		if err == nil && len(res) != 4 {
			err = fmt.Errorf("rate limiter script answered %d values, want 4", len(res))
		}
		return err
	})
	if err != nil {
		return taken{}, err
	}
	t := taken{
		quotaWait: time.Duration(res[0]) * time.Microsecond,
		paceTaken: res[1] == 0,
		paceWait:  time.Duration(max(res[1], 0)) * time.Microsecond,
		paceTAT:   res[3],
	}
	if res[2] > 0 {
		t.pausedUntil = time.UnixMilli(res[2])
	}
	return t, nil
}

// refund gives back a turn of key's bucket under lim that left it at
// tat (taken.paceTAT): what of it time has not paid back yet.
func (s *redisStore) refund(ctx context.Context, key string, lim Limit, tat int64) error {
	interval, _ := gcra(lim)
	return s.do(ctx, func(ctx context.Context) error {
		return refundScript.Run(ctx, s.client, []string{s.bucketKey(key)}, interval, tat).Err()
	})
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
	// retryAt is when to probe, as time since base: by the monotonic
	// clock, so that a step of the wall clock neither delays the probe
	// nor hurries it.
	base    time.Time
	retryAt atomic.Int64
}

// since returns the time since base, by the monotonic clock when now
// reads it.
func (h *health) since() int64 { return int64(h.now().Sub(h.base)) }

// begin reports whether to call Redis, and whether the call is a probe.
func (h *health) begin() (probe, ok bool) {
	if !h.down.Load() {
		return false, true
	}
	now := h.since()
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
		h.retryAt.Store(h.since() + int64(h.retryAfter))
		if h.down.CompareAndSwap(false, true) {
			h.log.Warn("rate limiter: Redis unreachable, limiting locally",
				slog.Any("error", err), slog.Duration("retry_after", h.retryAfter))
		}
	}
}

// gcra returns lim's emission interval and burst offset in microseconds,
// as takeScript reads them. lim's Rate is above zero and finite.
func gcra(lim Limit) (interval, offset float64) {
	interval = 1e6 / lim.Rate
	return interval, interval * float64(max(lim.Burst, 1))
}
