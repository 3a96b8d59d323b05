package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/redistest"
)

// TestRedisOutageIsLoggedOnceAndOnlyAsJSON runs the server as a process
// on a real redis-server, stops Redis and keeps calling for a few of the
// limiter's probes: the server's stderr stays empty (go-redis prints its
// failed dials there unless routed through slog), the JSON log reports
// the outage once, and go-redis's own messages are in it at DEBUG.
func TestRedisOutageIsLoggedOnceAndOnlyAsJSON(t *testing.T) {
	t.Parallel()
	redisServer := redistest.Start(t)
	server := startServerProcess(t, "demo",
		"BWFACADE_REDIS_URL=redis://"+redisServer.Addr(),
		"BWFACADE_LOG_LEVEL=debug",
	)
	client := server.demoGoals(t)
	listGoals := func() {
		t.Helper()
		if _, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 1}); err != nil {
			t.Fatalf("ListGoals() error = %v", err)
		}
	}
	listGoals()

	// Redis down: the limiter falls back, and probes Redis once a second.
	redisServer.Stop()
	for deadline := time.Now().Add(2500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		listGoals()
	}
	server.Terminate(t)
	if err := server.Wait(t, shutdownGrace+5*time.Second); err != nil {
		t.Errorf("server exit = %v, want 0\nstderr:\n%s", err, server.stderr.String())
	}

	if server.stderr.String() != "" {
		t.Errorf("the server wrote to stderr, outside the JSON log:\n%s", server.stderr.String())
	}
	var outages, redisMessages int
	for line := range strings.Lines(server.logs.String()) {
		var l struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Errorf("log line %q is not JSON: %v", line, err)
		}
		switch {
		case l.Msg == "rate limiter: Redis unreachable, limiting locally":
			outages++
		case l.Msg == "redis client" && l.Level == "DEBUG":
			redisMessages++
		}
	}
	if outages != 1 {
		t.Errorf("the log reports the outage %d times, want once:\n%s", outages, server.logs.String())
	}
	if redisMessages == 0 {
		t.Errorf("the log has no DEBUG line of go-redis, so the test proved nothing:\n%s", server.logs.String())
	}
}
