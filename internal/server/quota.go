package server

import (
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/rpcerr"
)

// DefaultQuota is a caller's inbound quota when its configuration sets
// none (DESIGN.md, "Resilience defaults").
var DefaultQuota = auth.Quota{Rate: 20, Burst: 40}

// quota refuses a caller's call over its quota with RESOURCE_EXHAUSTED,
// RetryInfo and QuotaFailure, before the request is read. It runs after
// authentication, which names the caller.
type quota struct {
	limiter *ratelimit.Limiter
	// fallback is the quota of callers configured without one.
	fallback auth.Quota
	errors   *connect.ErrorWriter
}

func (q quota) wrap(next http.Handler) http.Handler {
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
		cerr := rpcerr.New(connect.CodeResourceExhausted,
			fmt.Errorf("caller %q is over its quota of %g calls per second (burst %d)", caller.Name, limit.Rate, limit.Burst),
			"CALLER_QUOTA_EXCEEDED", map[string]string{"caller": caller.Name})
		rpcerr.RetryAfter(cerr, retryAfter)
		rpcerr.Add(cerr, &errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{
			Subject:     "caller:" + caller.Name,
			Description: fmt.Sprintf("%g calls per second, bursts of %d", limit.Rate, limit.Burst),
		}}})
		_ = q.errors.Write(w, r, cerr)
	})
}
