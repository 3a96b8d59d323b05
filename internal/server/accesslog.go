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
func newAccessLog(logger *slog.Logger) connect.Interceptor {
	// log writes the line of one RPC; messages counts a stream's
	// messages sent, -1 for a unary call.
	log := func(ctx context.Context, spec connect.Spec, peer connect.Peer, start time.Time, attempts *upstream.Attempts, messages int64, err error) {
		code := "ok"
		level := slog.LevelInfo
		if err != nil {
			code = connect.CodeOf(err).String()
			if connect.CodeOf(err) == connect.CodeInternal || connect.CodeOf(err) == connect.CodeUnknown {
				level = slog.LevelError
			}
		}
		attrs := [...]slog.Attr{
			slog.String("procedure", spec.Procedure),
			slog.String("protocol", peer.Protocol),
			slog.String("caller", callerName(ctx)),
			slog.String("code", code),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("upstream_calls", attempts.Load()),
			slog.Int64("messages_sent", messages),
		}
		n := len(attrs)
		if messages < 0 {
			n-- // a unary call: no messages_sent
		}
		logger.LogAttrs(ctx, level, "rpc", attrs[:n]...)
	}
	begin := func(ctx context.Context) (context.Context, *upstream.Attempts) {
		// A span that records nothing would drop the attribute.
		if span := trace.SpanFromContext(ctx); span.IsRecording() {
			if caller := callerName(ctx); caller != "" {
				span.SetAttributes(attribute.String("bwfacade.caller", caller))
			}
		}
		attempts := new(upstream.Attempts)
		return upstream.WithAttempts(ctx, attempts), attempts
	}
	return interceptor{
		unary: func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				start := time.Now()
				ctx, attempts := begin(ctx)
				resp, err := next(ctx, req)
				log(ctx, req.Spec(), req.Peer(), start, attempts, -1, err)
				return resp, err
			}
		},
		stream: func(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
			return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
				start := time.Now()
				ctx, attempts := begin(ctx)
				counted := &countingConn{StreamingHandlerConn: conn}
				err := next(ctx, counted)
				log(ctx, conn.Spec(), conn.Peer(), start, attempts, counted.sent, err)
				return err
			}
		},
	}
}

// countingConn counts the messages a stream sends.
type countingConn struct {
	connect.StreamingHandlerConn
	sent int64
}

func (c *countingConn) Send(msg any) error {
	err := c.StreamingHandlerConn.Send(msg)
	if err == nil {
		c.sent++
	}
	return err
}

// callerName is the authenticated caller's name, or "".
func callerName(ctx context.Context) string {
	if c, ok := auth.CallerFrom(ctx); ok {
		return c.Name
	}
	return ""
}
