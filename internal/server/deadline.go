package server

import (
	"context"
	"time"

	"connectrpc.com/connect"
)

// Deadlines bounds how long a call may take. A zero field selects the
// default documented on it.
type Deadlines struct {
	// Read applies to a read (a method without side effects) whose caller
	// set no deadline; zero means 10 s.
	Read time.Duration
	// Write applies to a write whose caller set no deadline; zero means
	// 15 s.
	Write time.Duration
	// Max caps every deadline, the caller's too; zero means 30 s.
	Max time.Duration
}

func (d Deadlines) withDefaults() Deadlines {
	if d.Read <= 0 {
		d.Read = 10 * time.Second
	}
	if d.Write <= 0 {
		d.Write = 15 * time.Second
	}
	if d.Max <= 0 {
		d.Max = 30 * time.Second
	}
	return d
}

// newDeadlines returns an interceptor that gives every call a deadline:
// the caller's (grpc-timeout, connect-timeout-ms) capped at Max, or the
// default for reads or writes. Everything the call does, upstream waits
// and retries included, ends by then.
func newDeadlines(d Deadlines) connect.UnaryInterceptorFunc {
	d = d.withDefaults()
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			limit := d.Write
			if req.Spec().IdempotencyLevel == connect.IdempotencyNoSideEffects {
				limit = d.Read
			}
			if deadline, ok := ctx.Deadline(); ok {
				left := time.Until(deadline)
				if left > 0 && left <= d.Max {
					// The caller's deadline is in force already and
					// within Max: a context of its own would end at the
					// same instant.
					return next(ctx, req)
				}
				limit = min(left, d.Max)
			}
			ctx, cancel := context.WithTimeout(ctx, limit)
			defer cancel()
			return next(ctx, req)
		}
	}
}
