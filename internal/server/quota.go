package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/upstream"
)

// DefaultQuota is a caller's inbound quota when its configuration sets
// none (DESIGN.md, "Resilience defaults").
var DefaultQuota = auth.Quota{Rate: 20, Burst: 40}

// quota refuses a caller's call over its quota with RESOURCE_EXHAUSTED,
// RetryInfo and QuotaFailure, before the request is read, and records the
// refusal like those of authentication (refusals). It runs after
// authentication, which names the caller.
//
// With a limiter shared through Redis, the quota's round trip also takes
// the next turn of the caller's token's pace when one is free now
// (ratelimit.Limiter.Admit): the call's first upstream attempt uses it
// (upstream.WithPrepaidTurn) instead of a round trip of its own, so a
// plain call costs one. A turn no attempt used is given back after the
// answer, off its path. Reads with a cache TTL take no turn ahead: the
// cache is there because they often need no upstream request, and a hit
// would then cost a second round trip to give the turn back (and hold a
// turn a real request may need meanwhile); a miss waits for its turn as
// without Redis. A turn is held from admission to the end of the call,
// the request body's arrival included (BodyReadTimeout bounds it).
type quota struct {
	limiter *ratelimit.Limiter
	// pace is each token's pace (Config.UpstreamPace).
	pace ratelimit.Limit
	// cached holds the procedures with a cache TTL, which take no turn
	// ahead.
	cached map[string]time.Duration
	// fallback is the quota of callers configured without one.
	fallback auth.Quota
	errors   *connect.ErrorWriter
	refusals metric.Int64Counter
	refused  *refusals
}

// newQuota returns the quota middleware's state, with its metrics: the
// refusals by caller, and the limiter's use of Redis. pace is each token's
// pace, and cached the read procedures with a cache TTL.
func newQuota(limiter *ratelimit.Limiter, pace ratelimit.Limit, cached map[string]time.Duration, fallback auth.Quota, errors *connect.ErrorWriter, mp metric.MeterProvider, refused *refusals) (*quota, error) {
	m := mp.Meter("github.com/bwfacade/facade/internal/server")
	refusals, err := m.Int64Counter("bwfacade.caller.quota_refusals",
		metric.WithDescription("Calls refused because their caller was over its quota, by caller."))
	if err != nil {
		return nil, err
	}
	_, err = m.Int64ObservableCounter("bwfacade.ratelimit.redis_fallbacks",
		metric.WithDescription("Limiter decisions made in-process because Redis was unreachable."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(limiter.Stats().RedisFallbacks))
			return nil
		}))
	if err != nil {
		return nil, err
	}
	return &quota{limiter: limiter, pace: pace, cached: cached, fallback: fallback, errors: errors, refusals: refusals, refused: refused}, nil
}

func (q *quota) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, ok := auth.CallerFrom(r.Context())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		limit := caller.Quota
		if limit.Rate <= 0 {
			limit = q.fallback
		}
		allowed, retryAfter, turn := q.limiter.Admit(r.Context(), ratelimit.Admission{
			Key:     "caller:" + caller.Name,
			Limit:   ratelimit.Limit{Rate: limit.Rate, Burst: limit.Burst},
			PaceKey: upstream.PaceKey(caller.Token),
			Pace:    q.pace,
			Prepay:  q.cached[r.URL.Path] <= 0,
		})
		if allowed {
			if turn == nil {
				next.ServeHTTP(w, r)
				return
			}
			defer func() {
				// After the answer, which is sent once the handler
				// returns (or aborts); Release is bounded by the
				// limiter's RedisTimeout.
				if !turn.Used() {
					go turn.Release(context.WithoutCancel(r.Context()))
				}
			}()
			next.ServeHTTP(w, r.WithContext(upstream.WithPrepaidTurn(r.Context(), turn)))
			return
		}
		q.refusals.Add(r.Context(), 1, metric.WithAttributes(attribute.String("bwfacade.caller", caller.Name)))
		cerr := rpcerr.New(connect.CodeResourceExhausted,
			fmt.Errorf("caller %q is over its quota of %g calls per second (burst %d)", caller.Name, limit.Rate, limit.Burst),
			"CALLER_QUOTA_EXCEEDED", map[string]string{"caller": caller.Name})
		rpcerr.RetryAfter(cerr, retryAfter)
		rpcerr.Add(cerr, &errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{
			Subject:     "caller:" + caller.Name,
			Description: fmt.Sprintf("%g calls per second, bursts of %d", limit.Rate, limit.Burst),
		}}})
		q.refused.record(r.Context(), r.URL.Path, r.RemoteAddr, cerr, slog.String("caller", caller.Name))
		_ = q.errors.Write(w, r, cerr)
	})
}
