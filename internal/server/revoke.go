package server

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
)

// revocable wraps h, behind authentication, so that a stream of one of
// streams (Streams: a following sync may run for days) ends when a reload of
// callers takes its caller's right to it away: its key or caller revoked
// or removed, or the procedure no longer allowed. The stream then fails
// with the refusal a new call would get (see withRevocations).
func revocable(callers *auth.Store, streams map[string]string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		procedure := r.URL.Path
		if _, stream := streams[procedure]; !stream {
			h.ServeHTTP(w, r) // unary: it ends within its deadline
			return
		}
		caller, ok := auth.CallerFrom(r.Context())
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		// The credentials of the call, copied: the handler owns r.
		header := http.Header{"Authorization": append([]string(nil), r.Header.Values("Authorization")...)}
		go watchCaller(ctx, cancel, callers, caller, header, r.TLS, procedure)
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// watchCaller authenticates the call again at each reload of callers,
// until ctx ends, and cancels it with the refusal once caller may no
// longer make it. The first check comes at once: a reload may have come
// between the call's authentication and the watch.
func watchCaller(ctx context.Context, cancel context.CancelCauseFunc, callers *auth.Store, caller *auth.Caller, header http.Header, state *tls.ConnectionState, procedure string) {
	for {
		swapped := callers.Swapped()
		now, err := callers.Reauthenticate(header, state, procedure)
		if err == nil && now.Name != caller.Name {
			err = rpcerr.New(connect.CodeUnauthenticated, errors.New("the caller key now names another caller"), "CALLER_KEY_UNKNOWN", nil)
		}
		if err != nil {
			var refusal *connect.Error
			if !errors.As(err, &refusal) {
				refusal = connect.NewError(connect.CodeUnauthenticated, err)
			}
			cancel(revoked{refusal})
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-swapped:
		}
	}
}

// revoked is the cause with which watchCaller ends a call: the refusal.
type revoked struct{ refusal *connect.Error }

func (r revoked) Error() string { return r.refusal.Error() }

// withRevocations returns the interceptor that makes a stream revocable
// ended fail with the refusal that ended it, not with a cancellation.
func withRevocations() connect.Interceptor { return revocations{} }

type revocations struct{}

func (revocations) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc { return next }

func (revocations) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (revocations) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		var r revoked
		if err != nil && ctx.Err() != nil && errors.As(context.Cause(ctx), &r) {
			return r.refusal
		}
		return err
	}
}
