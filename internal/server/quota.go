package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/rpcerr"
)

// DefaultQuota is a caller's inbound quota when its configuration sets
// none (DESIGN.md, "Resilience defaults").
var DefaultQuota = auth.Quota{Rate: 20, Burst: 40}

// quota refuses a caller's call over its quota with RESOURCE_EXHAUSTED,
// RetryInfo and QuotaFailure, before the request is read, and records the
// refusal like those of authentication (refusals). It runs after
// authentication, which names the caller.
type quota struct {
	limiter *ratelimit.Limiter
	// fallback is the quota of callers configured without one.
	fallback auth.Quota
	errors   *connect.ErrorWriter
	refusals metric.Int64Counter
	refused  *refusals
}

// newQuota returns the quota middleware's state, with its metrics: the
// refusals by caller, and the limiter's use of Redis.
func newQuota(limiter *ratelimit.Limiter, fallback auth.Quota, errors *connect.ErrorWriter, mp metric.MeterProvider, refused *refusals) (*quota, error) {
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
	return &quota{limiter: limiter, fallback: fallback, errors: errors, refusals: refusals, refused: refused}, nil
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
		allowed, retryAfter := q.limiter.Allow(r.Context(), "caller:"+caller.Name, ratelimit.Limit{Rate: limit.Rate, Burst: limit.Burst})
		if allowed {
			next.ServeHTTP(w, r)
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
