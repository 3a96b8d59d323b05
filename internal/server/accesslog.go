package server

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/upstream"
)

// newAccessLog returns an interceptor that logs one line per RPC: the
// procedure, the caller's name, the code, the duration and the number of
// upstream requests made, with the trace and span ids when the handler
// logs them (telemetry.LogHandler). It also names the caller on the RPC's
// span. It never logs messages, keys or tokens.
func newAccessLog(logger *slog.Logger) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			start := time.Now()
			caller := callerName(ctx)
			if caller != "" {
				trace.SpanFromContext(ctx).SetAttributes(attribute.String("bwfacade.caller", caller))
			}
			attempts := new(upstream.Attempts)
			resp, err := next(upstream.WithAttempts(ctx, attempts), req)
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
				slog.Duration("duration", time.Since(start)),
				slog.Int64("upstream_calls", attempts.Load()))
			return resp, err
		}
	}
}

// callerName is the authenticated caller's name, or "".
func callerName(ctx context.Context) string {
	if c, ok := auth.CallerFrom(ctx); ok {
		return c.Name
	}
	return ""
}
