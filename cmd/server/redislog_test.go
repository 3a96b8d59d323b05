package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/redistest"
)

// serverProcessEnv, set to 1, makes the test binary run the server
// instead of the tests, so that a test can read the server's stderr.
const serverProcessEnv = "BWFACADE_TEST_SERVER_PROCESS"

func TestMain(m *testing.M) {
	if os.Getenv(serverProcessEnv) == "1" {
		if err := run(context.Background(), nil, os.Getenv, os.Stdout, nil); err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRedisOutageIsLoggedOnceAndOnlyAsJSON runs the server as a process
// on a real redis-server, stops Redis and keeps calling for a few of the
// limiter's probes: the server's stderr stays empty (go-redis prints its
// failed dials there unless routed through slog), the JSON log reports
// the outage once, and go-redis's own messages are in it at DEBUG.
func TestRedisOutageIsLoggedOnceAndOnlyAsJSON(t *testing.T) {
	t.Parallel()
	redisServer := redistest.Start(t)
	cmd := exec.CommandContext(t.Context(), os.Args[0])
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BWFACADE_") && !strings.HasPrefix(kv, "OTEL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		serverProcessEnv+"=1",
		"BWFACADE_ADDR=127.0.0.1:0",
		"BWFACADE_REDIS_URL=redis://"+redisServer.Addr(),
		"BWFACADE_LOG_FORMAT=json",
		"BWFACADE_LOG_LEVEL=debug",
	)
	var stderr logtest.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	// Read the log as it comes, to find the address and the demo key.
	var logs logtest.Buffer
	started, scanned := make(chan [2]string, 1), make(chan struct{})
	go func() {
		defer close(scanned)
		scanner := bufio.NewScanner(stdout)
		var addr, key string
		for scanner.Scan() {
			line := scanner.Text()
			fmt.Fprintln(&logs, line)
			if m := regexp.MustCompile(`"msg":"serving","addr":"([^"]+)"`).FindStringSubmatch(line); m != nil {
				addr = m[1]
			}
			if m := regexp.MustCompile(`"demo_caller_key":"(bwf_[A-Z0-9]+)"`).FindStringSubmatch(line); m != nil {
				key = m[1]
				started <- [2]string{addr, key}
			}
		}
		close(started)
	}()
	var addr, key string
	select {
	case s, ok := <-started:
		if !ok {
			t.Fatalf("the server stopped before serving:\n%s\nstderr:\n%s", logs.String(), stderr.String())
		}
		addr, key = s[0], s[1]
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not start in 30 s:\n%s", logs.String())
	}
	client := betterworksv1connect.NewGoalServiceClient(h2cClient(), "http://"+addr, connect.WithGRPC(),
		connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+key)
				return next(ctx, req)
			}
		})))
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
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-scanned // Wait closes stdout: read it all first.
	if err := cmd.Wait(); err != nil {
		t.Errorf("server exit = %v, want 0\nstderr:\n%s", err, stderr.String())
	}

	if stderr.String() != "" {
		t.Errorf("the server wrote to stderr, outside the JSON log:\n%s", stderr.String())
	}
	var outages, redisMessages int
	for line := range strings.Lines(logs.String()) {
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
		t.Errorf("the log reports the outage %d times, want once:\n%s", outages, logs.String())
	}
	if redisMessages == 0 {
		t.Errorf("the log has no DEBUG line of go-redis, so the test proved nothing:\n%s", logs.String())
	}
}
