package main

import (
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// facadeWiring says how newFacade builds the facade with the telemetry
// of mode, for the report.
func facadeWiring(mode string) string {
	tel := "metrics recorded for a Prometheus scrape, spans with ids but unsampled (no exporter), log lines with trace ids"
	if mode == telemetryNone {
		tel = "OpenTelemetry's no-op providers, log lines without trace ids"
	}
	return "as cmd/server outside demo mode: in-process limiters in the path " +
		"(caller quota and upstream pacing at 1e9/s, so they never throttle), breakers, retries and deadlines at their defaults, " +
		"one caller with a key, JSON access log at info level to /dev/null; telemetry: " + tel
}

// Telemetry of the hop's facade (-telemetry).
const (
	// telemetryMetrics is cmd/server's with BWFACADE_METRICS_ADDR set and
	// no OTEL_* exporter.
	telemetryMetrics = "metrics"
	// telemetryNone leaves OpenTelemetry's no-op providers in place.
	telemetryNone = "none"
)

// unlimited is a limit no run reaches.
var unlimited = ratelimit.Limit{Rate: 1e9, Burst: 1 << 30}

// exportWiring says how the facade of the export scenario differs from
// facadeWiring, for the report.
const exportWiring = "as the sweep's, but each Betterworks token paced at the scenario's rate with bursts of 1, and exports fetching the scenario's pages ahead"

// facadeTuning is what the scenarios change in the facade: the token's
// pace (zero: unlimited) and the pages an export fetches ahead (zero: the
// server's default). The hop process takes pace, ahead and cacheTTL (see
// startHop); requestIDs and noBreakers serve the facades the retry-storm
// scenario builds in its own process.
type facadeTuning struct {
	pace  float64
	ahead int
	// cacheTTL keeps GetGoal answers this long (server.Config.CacheTTL);
	// zero caches nothing.
	cacheTTL time.Duration
	// requestIDs keeps the request_ids of idempotent writes
	// (server.Config.RequestIDs); the zero value keeps them in process.
	requestIDs server.RequestIDs
	// noBreakers turns the upstream client's circuit breakers off.
	noBreakers bool
	// telemetry is the facade's (server.Config.Telemetry); the zero value
	// is OpenTelemetry's global providers.
	telemetry server.Telemetry
}

// newFacade returns the facade's HTTP handler for one caller, keyed by
// callerKey and mapped to the Betterworks token, calling the API at
// upstreamURL. It wires the pieces as cmd/server does outside demo mode
// (see facadeWiring), with tuning.
func newFacade(upstreamURL string, token upstream.Token, callerKey string, tuning facadeTuning, logger *slog.Logger) (*server.Facade, error) {
	registry, err := auth.NewRegistry(slices.Sorted(maps.Keys(server.Methods())), &auth.Caller{
		Name:      "loadtest",
		Token:     token,
		KeyHashes: []auth.KeyHash{auth.HashKey(callerKey)},
	})
	if err != nil {
		return nil, err
	}
	pace := unlimited
	if tuning.pace > 0 {
		pace = ratelimit.Limit{Rate: tuning.pace, Burst: 1}
	}
	var cacheTTL map[string]time.Duration
	if tuning.cacheTTL > 0 {
		cacheTTL = map[string]time.Duration{betterworksv1connect.GoalServiceGetGoalProcedure: tuning.cacheTTL}
	}
	return server.New(server.Config{
		UpstreamURL:  upstreamURL,
		Telemetry:    tuning.telemetry,
		Resilience:   upstream.Resilience{Breaker: upstream.BreakerSettings{Disabled: tuning.noBreakers}},
		RequestIDs:   tuning.requestIDs,
		CacheTTL:     cacheTTL,
		UpstreamPace: pace,
		ExportAhead:  tuning.ahead,
		Callers:      auth.NewStore(registry),
		Logger:       logger,
		DefaultQuota: auth.Quota(unlimited),
		PageTokens:   seal.Settings{Keys: []seal.Key{seal.GenerateKey()}},
	})
}
