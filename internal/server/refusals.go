package server

import (
	"cmp"
	"context"
	"log/slog"
	"maps"
	"net"
	"slices"
	"sync"
	"time"

	"connectrpc.com/authn"
	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/bwfacade/facade/internal/rpcerr"
)

// RefusalLog bounds the "refused" log lines of calls refused before a
// handler runs: no key, an unknown or revoked key, a method not allowed,
// a caller over its quota. Every refusal is counted in the metric
// bwfacade.refusals by reason; in each Interval, only the first PerKey
// refusals of each key (the reason and the peer's host, without its
// port) are logged, and one "refused calls not logged" line gives the
// count left out, by reason. That line is written with the first
// refusal after the interval, so it is late when refusals stop; the
// metric is current at all times.
//
// An interval logs at most MaxKeys*PerKey + 1 lines, however many calls
// are refused and from however many addresses. A zero field selects the
// default documented on it.
type RefusalLog struct {
	// Interval is how long a key's lines are counted before they may be
	// logged again. Zero means one minute.
	Interval time.Duration
	// PerKey is the number of refusals logged per key and interval. Zero
	// means 3.
	PerKey int
	// MaxKeys bounds the keys counted in an interval; refusals of further
	// keys are counted but not logged until the next interval. Zero means
	// 64.
	MaxKeys int
	// Now reads the clock. Nil means time.Now.
	Now func() time.Time
}

// refusals logs and counts refused calls as its RefusalLog says. It is
// safe for concurrent use.
type refusals struct {
	log      *slog.Logger
	counter  metric.Int64Counter
	interval time.Duration
	perKey   int
	maxKeys  int
	now      func() time.Time

	mu sync.Mutex
	// start is when the current interval began; zero before the first
	// refusal.
	start time.Time
	// logged counts the lines of each key in the interval; at most
	// maxKeys keys.
	logged map[refusalKey]int
	// suppressed counts the refusals not logged in the interval, by
	// reason. Reasons are the server's own constants, so few.
	suppressed map[string]int64
	// untracked counts the refusals not logged because the key table
	// was full.
	untracked int64
}

// refusalKey is what refusals are sampled by: never a credential.
type refusalKey struct{ reason, host string }

// suppressedRefusals is an interval's count of refusals not logged.
type suppressedRefusals struct {
	since     time.Time
	byReason  map[string]int64
	untracked int64
}

func newRefusals(logger *slog.Logger, cfg RefusalLog, mp metric.MeterProvider) (*refusals, error) {
	counter, err := mp.Meter("github.com/bwfacade/facade/internal/server").Int64Counter("bwfacade.refusals",
		metric.WithDescription("Calls refused before a handler ran (credentials, permissions, quota), by reason: the ErrorInfo reason of the refusal."))
	if err != nil {
		return nil, err
	}
	r := &refusals{
		log:        logger,
		counter:    counter,
		interval:   cmp.Or(cfg.Interval, time.Minute),
		perKey:     cmp.Or(cfg.PerKey, 3),
		maxKeys:    cmp.Or(cfg.MaxKeys, 64),
		now:        cfg.Now,
		logged:     make(map[refusalKey]int),
		suppressed: make(map[string]int64),
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// authFunc wraps an authentication function so that every call it
// refuses is recorded.
func (r *refusals) authFunc(authenticate authn.AuthFunc) authn.AuthFunc {
	return func(ctx context.Context, req authn.Request) (any, error) {
		info, err := authenticate(ctx, req)
		if err != nil {
			r.record(ctx, req.Procedure(), req.ClientAddr(), err)
		}
		return info, err
	}
}

// record counts one refused call and logs it, with the procedure, the
// peer, the code, the reason and attrs, if its key has lines left in
// this interval. A refusal without an ErrorInfo reason counts as
// UNSPECIFIED. It never logs the credential presented.
func (r *refusals) record(ctx context.Context, procedure, peer string, err error, attrs ...slog.Attr) {
	reason := rpcerr.Reason(err)
	if reason == "" {
		reason = "UNSPECIFIED"
	}
	r.counter.Add(ctx, 1, metric.WithAttributes(attribute.String("bwfacade.reason", reason)))
	host, _, splitErr := net.SplitHostPort(peer)
	if splitErr != nil {
		host = peer
	}
	log, closed := r.sample(refusalKey{reason: reason, host: host})
	if closed != nil {
		r.logSuppressed(ctx, closed)
	}
	if !log {
		return
	}
	r.log.LogAttrs(ctx, slog.LevelWarn, "refused", append([]slog.Attr{
		slog.String("procedure", procedure),
		slog.String("peer", peer),
		slog.String("code", connect.CodeOf(err).String()),
		slog.String("reason", reason),
	}, attrs...)...)
}

// sample reports whether to log a refusal of key, and returns the
// previous interval's count of refusals not logged when this refusal
// closed an interval that left some out.
func (r *refusals) sample(key refusalKey) (log bool, closed *suppressedRefusals) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	// A clock that went back also starts a new interval.
	if r.start.IsZero() || now.Sub(r.start) >= r.interval || now.Before(r.start) {
		if len(r.suppressed) > 0 {
			closed = &suppressedRefusals{since: r.start, byReason: maps.Clone(r.suppressed), untracked: r.untracked}
		}
		r.start = now
		clear(r.logged)
		clear(r.suppressed)
		r.untracked = 0
	}
	n, tracked := r.logged[key]
	switch {
	case !tracked && len(r.logged) >= r.maxKeys:
		r.untracked++
	case n >= r.perKey:
	default:
		r.logged[key] = n + 1
		return true, closed
	}
	r.suppressed[key.reason]++
	return false, closed
}

// logSuppressed writes the line that counts an interval's refusals not
// logged.
func (r *refusals) logSuppressed(ctx context.Context, s *suppressedRefusals) {
	var total int64
	reasons := make([]any, 0, len(s.byReason))
	for _, reason := range slices.Sorted(maps.Keys(s.byReason)) {
		total += s.byReason[reason]
		reasons = append(reasons, slog.Int64(reason, s.byReason[reason]))
	}
	r.log.LogAttrs(ctx, slog.LevelWarn, "refused calls not logged",
		slog.Int64("suppressed", total),
		slog.Group("by_reason", reasons...),
		slog.Int64("from_untracked_peers", s.untracked),
		slog.Time("since", s.since),
		slog.Duration("interval", r.interval))
}
