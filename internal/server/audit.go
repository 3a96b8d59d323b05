package server

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/bwfacade/facade/internal/idempotency"
)

// newAudit returns an interceptor that records every call of a method with
// side effects (every write) in an "audit" log line: the caller, the
// procedure, the peer and the outcome; for a write sent with a request_id,
// that id and whether the answer was replayed from an earlier attempt
// rather than applied. It never logs messages, keys or tokens.
func newAudit(logger *slog.Logger) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if req.Spec().IdempotencyLevel == connect.IdempotencyNoSideEffects {
				return next(ctx, req)
			}
			ctx, note := idempotency.WithNote(ctx)
			resp, err := next(ctx, req)
			outcome := "ok"
			if err != nil {
				outcome = connect.CodeOf(err).String()
			}
			attrs := []slog.Attr{
				slog.String("caller", callerName(ctx)),
				slog.String("procedure", req.Spec().Procedure),
				slog.String("peer", req.Peer().Addr),
				slog.String("outcome", outcome),
			}
			if note.RequestID != "" {
				attrs = append(attrs, slog.String("request_id", note.RequestID), slog.Bool("replayed", note.Replayed))
			}
			logger.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
			return resp, err
		}
	}
}
