package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// redisLogger routes go-redis's own messages, which it otherwise prints
// to stderr as plain text, to the server's logger at DEBUG. While Redis
// is down go-redis reports every failed dial (one a second: the
// limiter's probes); the limiter itself logs the outage once, at WARN,
// and its end, at INFO.
type redisLogger struct{ log *slog.Logger }

// Printf implements go-redis's internal.Logging.
func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	if ctx == nil {
		ctx = context.Background()
	}
	if !l.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	l.log.LogAttrs(ctx, slog.LevelDebug, "redis client",
		slog.String("detail", strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: ")))
}
