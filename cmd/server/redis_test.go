package main

import (
	"context"
	"crypto/x509"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/redistest"
)

// TestRunLimitsThroughRedisBeyondOneNode runs the server on a Redis
// Cluster of three masters, on a master found through Sentinel, on a
// server that speaks TLS only with a private CA, and on a server that
// needs a password read from a file: calls are served, their limits go through Redis (it
// processes the limiters' commands), and Redis is never found
// unreachable.
func TestRunLimitsThroughRedisBeyondOneNode(t *testing.T) {
	t.Parallel()
	tests := map[string]func(t *testing.T) (env map[string]string, commands func() int){
		"cluster": func(t *testing.T) (map[string]string, func() int) {
			addrs := redistest.StartCluster(t, 3)
			env := map[string]string{
				"BWFACADE_REDIS_URL":  "redis://" + addrs[0] + "?addr=" + addrs[1] + "&addr=" + addrs[2],
				"BWFACADE_REDIS_MODE": "cluster",
			}
			cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
			t.Cleanup(func() { _ = cluster.Close() })
			return env, func() int {
				var mu sync.Mutex
				n := 0
				_ = cluster.ForEachMaster(t.Context(), func(ctx context.Context, node *redis.Client) error {
					c := commandsProcessed(t, node)
					mu.Lock()
					defer mu.Unlock()
					n += c
					return nil
				})
				return n
			}
		},
		"sentinel": func(t *testing.T) (map[string]string, func() int) {
			master := redistest.Start(t)
			sentinel := redistest.StartSentinel(t, master, "bwfacade")
			env := map[string]string{
				"BWFACADE_REDIS_URL":  "redis://" + sentinel + "?master_name=bwfacade",
				"BWFACADE_REDIS_MODE": "sentinel",
			}
			return env, func() int { return commandsProcessed(t, master.Client()) }
		},
		"tls": func(t *testing.T) (map[string]string, func() int) {
			certPEM, keyPEM := selfSignedCert(t)
			dir := t.TempDir()
			certFile, keyFile := filepath.Join(dir, "redis.crt"), filepath.Join(dir, "redis.key")
			writeFile(t, certFile, string(certPEM))
			writeFile(t, keyFile, string(keyPEM))
			roots := x509.NewCertPool()
			roots.AppendCertsFromPEM(certPEM)
			s := redistest.StartTLS(t, certFile, keyFile, roots)
			env := map[string]string{
				"BWFACADE_REDIS_URL":     "rediss://" + s.Addr(),
				"BWFACADE_REDIS_CA_FILE": certFile,
			}
			return env, func() int { return commandsProcessed(t, s.Client()) }
		},
		"password_file": func(t *testing.T) (map[string]string, func() int) {
			const password = "s3cret-from-a-file"
			s := redistest.StartWith(t, "--requirepass", password)
			file := filepath.Join(t.TempDir(), "redis-password")
			writeFile(t, file, password+"\n")
			env := map[string]string{
				"BWFACADE_REDIS_URL":           "redis://" + s.Addr(),
				"BWFACADE_REDIS_PASSWORD_FILE": file,
			}
			client := redis.NewClient(&redis.Options{Addr: s.Addr(), Password: password})
			t.Cleanup(func() { _ = client.Close() })
			return env, func() int { return commandsProcessed(t, client) }
		},
	}
	for name, setup := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env, commands := setup(t)
			url, key, logs, stop := startDemo(t, env)
			before := commands()
			client := betterworksv1connect.NewGoalServiceClient(h2cClient(), url, connect.WithGRPC(),
				connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
					return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
						req.Header().Set("Authorization", "Bearer "+key)
						return next(ctx, req)
					}
				})))
			for range 5 {
				if _, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1001"}); err != nil {
					t.Fatalf("GetGoal() error = %v", err)
				}
			}
			// Each call checks its caller's quota and takes its token's
			// turn in one script, which Redis counts as the EVALSHA and
			// the commands it runs (the test's own INFO aside): at least
			// two per call.
			if n := commands() - before; n < 5*2 {
				t.Errorf("Redis processed %d commands during 5 calls, want the limiters' for each", n)
			}
			if err := stop(); err != nil {
				t.Fatalf("run() error = %v", err)
			}
			if strings.Contains(logs.String(), "Redis unreachable") {
				t.Errorf("the limiter found Redis unreachable:\n%s", logs)
			}
		})
	}
}

// commandsProcessed is the count of commands node has processed.
func commandsProcessed(t *testing.T, node *redis.Client) int {
	t.Helper()
	info, err := node.Info(t.Context(), "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatalf("no total_commands_processed in INFO:\n%s", info)
	return 0
}

// TestWarmRedisWarnsOfEviction: a Redis that may evict keys at its memory
// bound could forget a request_id, so the start-up warns of it; under
// noeviction it says nothing.
func TestWarmRedisWarnsOfEviction(t *testing.T) {
	t.Parallel()
	for policy, wantWarning := range map[string]bool{"noeviction": false, "allkeys-lru": true, "volatile-ttl": true} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			rdb := redistest.StartWith(t, "--maxmemory-policy", policy).Client()
			logs := new(logtest.Buffer)

			warmRedis(t.Context(), rdb, slog.New(slog.NewJSONHandler(logs, nil)))

			warned := strings.Contains(logs.String(), `"maxmemory_policy":"`+policy+`"`)
			if warned != wantWarning {
				t.Errorf("maxmemory-policy %s: warned = %v, want %v; log:\n%s", policy, warned, wantWarning, logs.String())
			}
		})
	}
}
