package server

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"
)

// newAudit returns an interceptor that records every call of a method with
// side effects (every write) in an "audit" log line: the caller, the
// procedure, the peer and the outcome. It never logs messages, keys or
// tokens.
func newAudit(logger *slog.Logger) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if req.Spec().IdempotencyLevel == connect.IdempotencyNoSideEffects {
				return next(ctx, req)
			}
			resp, err := next(ctx, req)
			outcome := "ok"
			if err != nil {
				outcome = connect.CodeOf(err).String()
			}
			logger.LogAttrs(ctx, slog.LevelInfo, "audit",
				slog.String("caller", callerName(ctx)),
				slog.String("procedure", req.Spec().Procedure),
				slog.String("peer", req.Peer().Addr),
				slog.String("outcome", outcome))
			return resp, err
		}
	}
}
