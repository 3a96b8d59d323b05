package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/redistest"
	"github.com/bwfacade/facade/internal/sandbox"
)

// commandCounter is a go-redis hook that counts the commands a client
// sends, pipelined ones included.
type commandCounter struct {
	mu    sync.Mutex
	names []string
}

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.add(cmd)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.add(cmd)
		}
		return next(ctx, cmds)
	}
}

func (c *commandCounter) add(cmd redis.Cmder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names = append(c.names, cmd.Name())
}

// take returns the commands counted since the last take.
func (c *commandCounter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := c.names
	c.names = nil
	return names
}

// startCounted starts a facade whose limiter goes through a private Redis
// on a client that counts its commands, with quotas and paces of opts.
func startCounted(t *testing.T, opts facadetest.Options) (*facadetest.Stack, *ratelimit.Limiter, *commandCounter) {
	t.Helper()
	client := redistest.Start(t).Client()
	counter := new(commandCounter)
	client.AddHook(counter)
	// A slow race-detector run must not fall back to local limiting.
	opts.Limiter = ratelimit.New(ratelimit.Config{Redis: client, RedisTimeout: 5 * time.Second})
	return facadetest.Start(t, opts), opts.Limiter, counter
}

// TestRedisCallCostsOneRoundTrip makes plain GetGoal calls through a
// limiter shared in Redis: each sends one command, which checks the
// caller's quota and takes its token's turn, and the upstream request
// uses that turn instead of asking Redis again. A retry asks again.
func TestRedisCallCostsOneRoundTrip(t *testing.T) {
	t.Parallel()
	st, limiter, counter := startCounted(t, facadetest.Options{
		DefaultQuota: auth.Quota{Rate: 100, Burst: 100},
		UpstreamPace: ratelimit.Limit{Rate: 100, Burst: 100},
	})
	// The first call loads the script (EVALSHA answers NOSCRIPT, EVAL).
	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Fatalf("first GetGoal() error = %v", err)
	}
	counter.take()

	for i := range 3 {
		if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
			t.Fatalf("GetGoal() error = %v", err)
		}
		if got := counter.take(); len(got) != 1 {
			t.Errorf("GetGoal() #%d sent Redis %v, want one command", i, got)
		}
	}

	// A retry waits for a turn of its own, as do further pages.
	st.Sandbox.SetFaults(sandbox.Fault{Endpoint: getGoalEndpoint, Status: 503, Times: 1})
	before := st.Sandbox.Count(getGoalEndpoint)
	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Fatalf("GetGoal() through a 503 error = %v", err)
	}
	if got, n := counter.take(), st.Sandbox.Count(getGoalEndpoint)-before; len(got) != 2 || n != 2 {
		t.Errorf("GetGoal() retried once sent Redis %v for %d upstream requests, want two commands for two", got, n)
	}
	if got := limiter.Stats(); got.TurnsTaken != 5 || got.TurnsReturned != 0 || got.RedisFallbacks != 0 {
		t.Errorf("Stats() = %+v, want 5 turns taken, all used, no fallbacks", got)
	}
}

// TestRedisCachedReadsTakeNoTurnAhead configures a cache TTL for GetGoal:
// a cache hit costs one command (the quota), and a miss two (the quota,
// then the token's turn), never a turn taken and given back.
func TestRedisCachedReadsTakeNoTurnAhead(t *testing.T) {
	t.Parallel()
	st, limiter, counter := startCounted(t, facadetest.Options{
		DefaultQuota: auth.Quota{Rate: 100, Burst: 100},
		UpstreamPace: ratelimit.Limit{Rate: 100, Burst: 100},
		CacheTTL:     map[string]time.Duration{getGoalProcedure: time.Minute},
	})
	// Loads the script.
	if _, err := st.People(facadetest.GRPC, sandbox.RoleUser).GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: "100"}); err != nil {
		t.Fatalf("GetUser() error = %v", err)
	}
	counter.take()

	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Fatalf("GetGoal() error = %v", err)
	}
	if got := counter.take(); len(got) != 2 {
		t.Errorf("GetGoal() missing the cache sent Redis %v, want two commands", got)
	}
	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Fatalf("GetGoal() error = %v", err)
	}
	if got := counter.take(); len(got) != 1 {
		t.Errorf("GetGoal() from the cache sent Redis %v, want one command", got)
	}
	if got := limiter.Stats(); got.TurnsTaken != 1 {
		t.Errorf("Stats().TurnsTaken = %d, want 1: GetUser's, none for the cached read", got.TurnsTaken)
	}
}

// TestRedisUnusedTurnsAreGivenBack makes calls that reach no upstream
// request of their own, with a token that has five turns and earns no
// more during the test: identical reads at once (they share one request)
// and invalid requests. Every turn they took either paid for an upstream
// request or was given back: the token has exactly its five turns less
// the requests made.
func TestRedisUnusedTurnsAreGivenBack(t *testing.T) {
	t.Parallel()
	st, limiter, _ := startCounted(t, facadetest.Options{
		Sandbox:      slowGoals,
		DefaultQuota: auth.Quota{Rate: 100, Burst: 100},
		UpstreamPace: ratelimit.Limit{Rate: 0.001, Burst: 5},
	})
	client := st.Goals(facadetest.Connect, sandbox.RoleUser)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID}); err != nil {
				t.Errorf("GetGoal() error = %v", err)
			}
		})
	}
	wg.Wait()
	for range 3 {
		if _, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "not an id"}); connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("GetGoal(invalid id) = %v, want invalid_argument", err)
		}
	}
	requests := st.Sandbox.Count(getGoalEndpoint)
	if requests >= 5 {
		t.Fatalf("5 identical GetGoal calls at once made %d upstream requests, want them shared", requests)
	}

	// Turns are given back after the answers.
	waitUntil(t, "the unused turns given back", func() bool {
		s := limiter.Stats()
		return s.TurnsTaken-s.TurnsReturned == uint64(requests)
	})
	// The five reads at once each took one of the five turns.
	if got := limiter.Stats(); got.TurnsTaken < 5 {
		t.Errorf("Stats() = %+v, want at least 5 turns taken", got)
	}
	for i := range 5 - requests {
		if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
			t.Fatalf("GetGoal() #%d with %d turns left: %v", i, 5-requests, err)
		}
	}
	code, reason, _ := refusal(getGoal(t.Context(), st, sandbox.RoleUser))
	if code != connect.CodeResourceExhausted || reason != "UPSTREAM_TOKEN_RATE_LIMITED" {
		t.Errorf("GetGoal() once the turns are spent = %v %s, want resource_exhausted UPSTREAM_TOKEN_RATE_LIMITED", code, reason)
	}
}
