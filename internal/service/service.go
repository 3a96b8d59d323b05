// Package service implements the facade's Connect handlers: one type per
// protobuf service, each translating RPCs to Betterworks REST calls through
// package upstream and the answers back to protobuf.
//
// Handlers take the caller's upstream token from the context (package auth
// puts it there) and never fall back to another token. Upstream outcomes are
// turned into Connect errors in one place, errors.go.
package service

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/upstream"
)

// Config configures the handlers. A zero field selects the default
// documented on it.
type Config struct {
	// Upstream is the Betterworks client. Required.
	Upstream *upstream.Client
	// Logger receives operator alerts, such as an upstream token the
	// upstream rejects. Nil means slog.Default().
	Logger *slog.Logger
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

var errNoCaller = errors.New("no authenticated caller")

// callerToken returns the upstream token of the authenticated caller.
func callerToken(ctx context.Context) (upstream.Token, error) {
	caller, ok := auth.CallerFrom(ctx)
	if !ok || caller.Token.IsZero() {
		return upstream.Token{}, connect.NewError(connect.CodeUnauthenticated, errNoCaller)
	}
	return caller.Token, nil
}
