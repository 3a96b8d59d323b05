package main

import (
	"log/slog"
	"maps"
	"slices"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// facadeWiring says how newFacade builds the facade, for the report.
const facadeWiring = "as cmd/server outside demo mode: in-process limiters in the path " +
	"(caller quota and upstream pacing at 1e9/s, so they never throttle), breakers, retries and deadlines at their defaults, " +
	"one caller with a key, JSON access log at info level to /dev/null"

// unlimited is a limit no run reaches.
var unlimited = ratelimit.Limit{Rate: 1e9, Burst: 1 << 30}

// newFacade returns the facade's HTTP handler for one caller, keyed by
// callerKey and mapped to the Betterworks token, calling the API at
// upstreamURL. It wires the pieces as cmd/server does outside demo mode
// (see facadeWiring).
func newFacade(upstreamURL string, token upstream.Token, callerKey string, logger *slog.Logger) (*server.Facade, error) {
	registry, err := auth.NewRegistry(slices.Sorted(maps.Keys(server.Methods())), &auth.Caller{
		Name:      "loadtest",
		Token:     token,
		KeyHashes: []auth.KeyHash{auth.HashKey(callerKey)},
	})
	if err != nil {
		return nil, err
	}
	return server.New(server.Config{
		UpstreamURL:  upstreamURL,
		UpstreamPace: unlimited,
		Callers:      auth.NewStore(registry),
		Logger:       logger,
		DefaultQuota: auth.Quota(unlimited),
		PageTokens:   seal.Settings{Keys: []seal.Key{seal.GenerateKey()}},
	})
}
