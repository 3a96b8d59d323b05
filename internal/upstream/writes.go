package upstream

import (
	"context"
	"sync"
)

// Effect is what the write requests of a call may have done upstream.
type Effect uint8

const (
	// EffectNone: no write request of the call can have changed
	// anything. None was sent, or the upstream refused each with an
	// answer (a 4xx, a 429), or the connection was refused.
	EffectNone Effect = iota
	// EffectApplied: every write request sent was answered 2xx, or
	// answered and refused; at least one was applied.
	EffectApplied
	// EffectUnknown: a write request was sent and its fate is unknown:
	// no answer came (timeout, dropped connection, the caller left),
	// the answer was a 5xx, or a 2xx whose body could not be read.
	EffectUnknown
)

// WriteLog records the effect of a call's write requests, for a caller
// that must tell "nothing happened" from "something may have happened"
// after an error: the facade's idempotency keys. Get one with
// WithWriteLog; it is safe for concurrent use.
type WriteLog struct {
	mu      sync.Mutex
	applied bool
	unknown bool
}

type writeLogKey struct{}

// WithWriteLog returns ctx carrying a new WriteLog, which every write
// request made with the returned context records itself in.
func WithWriteLog(ctx context.Context) (context.Context, *WriteLog) {
	l := new(WriteLog)
	return context.WithValue(ctx, writeLogKey{}, l), l
}

// Effect returns the effect of the write requests recorded so far.
func (l *WriteLog) Effect() Effect {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.unknown:
		return EffectUnknown
	case l.applied:
		return EffectApplied
	}
	return EffectNone
}

// record notes an attempt of a write request that was handed to the
// transport and ended with outcome.
func (l *WriteLog) record(outcome Outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch outcome {
	case OutcomeOK:
		l.applied = true
	case OutcomeRejected, OutcomeRateLimited, OutcomeNeverSent, OutcomeInvalid:
		// The upstream answered no, or never saw the request.
	default:
		l.unknown = true
	}
}

// writeLogFrom returns ctx's WriteLog, or nil.
func writeLogFrom(ctx context.Context) *WriteLog {
	l, _ := ctx.Value(writeLogKey{}).(*WriteLog)
	return l
}
