package server

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"

	"github.com/bwfacade/facade/internal/auth"
)

// newAccessLog returns an interceptor that logs one line per RPC: the
// procedure, the caller's name, the code and the duration. It never logs
// messages, keys or tokens.
func newAccessLog(logger *slog.Logger) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			start := time.Now()
			resp, err := next(ctx, req)
			caller := ""
			if c, ok := auth.CallerFrom(ctx); ok {
				caller = c.Name
			}
			code := "ok"
			level := slog.LevelInfo
			if err != nil {
				code = connect.CodeOf(err).String()
				if connect.CodeOf(err) == connect.CodeInternal || connect.CodeOf(err) == connect.CodeUnknown {
					level = slog.LevelError
				}
			}
			logger.LogAttrs(ctx, level, "rpc",
				slog.String("procedure", req.Spec().Procedure),
				slog.String("protocol", req.Peer().Protocol),
				slog.String("caller", caller),
				slog.String("code", code),
				slog.Duration("duration", time.Since(start)))
			return resp, err
		}
	}
}
