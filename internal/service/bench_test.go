package service_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/redistest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/upstream"
)

// The benchmarks run the whole stack: generated client, facade server,
// upstream client and sandbox over loopback HTTP. Allocations include both
// servers and the client, all in this process. The upstream_direct case is
// the baseline of the same run: the upstream client calling the sandbox
// with no facade in between, so facade/direct is what the facade adds.

func BenchmarkGetGoal(b *testing.B) {
	b.Run("upstream_direct", func(b *testing.B) {
		st := facadetest.Start(b, facadetest.Options{})
		client, err := upstream.New(upstream.Config{BaseURL: st.UpstreamURL})
		if err != nil {
			b.Fatal(err)
		}
		token := upstream.NewToken(st.Sandbox.Token(sandbox.RoleSuperAdmin))
		id := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.GetGoal(b.Context(), token, id); err != nil {
				b.Fatalf("GetGoal() error = %v", err)
			}
		}
	})
	for _, p := range facadetest.Protocols {
		b.Run(string(p), func(b *testing.B) {
			st := facadetest.Start(b, facadetest.Options{})
			client := st.Goals(p, sandbox.RoleSuperAdmin)
			req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}
			if _, err := client.GetGoal(b.Context(), req); err != nil {
				b.Fatalf("GetGoal() error = %v", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.GetGoal(b.Context(), req); err != nil {
					b.Fatalf("GetGoal() error = %v", err)
				}
			}
		})
	}
}

func BenchmarkListGoals(b *testing.B) {
	for _, size := range []int32{20, 100} {
		b.Run(fmt.Sprintf("upstream_direct/page_size=%d", size), func(b *testing.B) {
			st := facadetest.Start(b, facadetest.Options{})
			client, err := upstream.New(upstream.Config{BaseURL: st.UpstreamURL})
			if err != nil {
				b.Fatal(err)
			}
			token := upstream.NewToken(st.Sandbox.Token(sandbox.RoleSuperAdmin))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.ListGoals(b.Context(), token, upstream.GoalFilter{}, upstream.PageRequest{Page: 1, Size: int(size)}); err != nil {
					b.Fatalf("ListGoals() error = %v", err)
				}
			}
		})
		// The facade over Connect, in protobuf and in JSON: in JSON the
		// facade writes the answer with its JSON codec, and the client
		// reads it with protojson.
		for _, codec := range []struct {
			name string
			opts []connect.ClientOption
		}{{"facade_connect", nil}, {"facade_connect_json", []connect.ClientOption{connect.WithProtoJSON()}}} {
			b.Run(fmt.Sprintf("%s/page_size=%d", codec.name, size), func(b *testing.B) {
				st := facadetest.Start(b, facadetest.Options{})
				opts := append(facadetest.ClientOptions(facadetest.Connect, st.Key(sandbox.RoleSuperAdmin)), codec.opts...)
				client := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, opts...)
				req := &betterworksv1.ListGoalsRequest{PageSize: size}
				resp, err := client.ListGoals(b.Context(), req)
				if err != nil || len(resp.GetGoals()) != int(size) {
					b.Fatalf("ListGoals() = %d goals, error %v; want %d", len(resp.GetGoals()), err, size)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := client.ListGoals(b.Context(), req); err != nil {
						b.Fatalf("ListGoals() error = %v", err)
					}
				}
			})
		}
	}
}

// BenchmarkGetGoalResilience measures what the resilience chain adds to a
// call through the facade (Connect): "bare" has the breaker off and no
// limiter; "breaker" adds the endpoint family's circuit breaker;
// "breaker_limiters" adds the caller quota and token pacing, in-process,
// with limits far above the benchmark's rate so that no call waits;
// "breaker_limiters_redis" shares both limits through a private
// redis-server (internal/redistest) on loopback. Compare each with "bare"
// of the same run, and the two limiter cases with each other.
//
// Besides the time of a call, each case reports cpu-µs/op: the CPU time
// of this process (client, facade and sandbox) per call, plus, with Redis,
// the redis-server's. A call through Redis waits for a loopback round
// trip, which the time shows; what it costs the machines is the CPU.
func BenchmarkGetGoalResilience(b *testing.B) {
	unlimited := ratelimit.Limit{Rate: 1e9, Burst: 1 << 30}
	local := ratelimit.New(ratelimit.Config{})
	noCPU := func() time.Duration { return 0 }
	cases := []struct {
		name string
		// opts returns the facade's options, and the CPU time used so far
		// by the processes the case adds.
		opts func(b *testing.B) (facadetest.Options, func() time.Duration)
	}{
		{"bare", func(*testing.B) (facadetest.Options, func() time.Duration) {
			return facadetest.Options{Resilience: upstream.Resilience{Breaker: upstream.BreakerSettings{Disabled: true}}}, noCPU
		}},
		{"breaker", func(*testing.B) (facadetest.Options, func() time.Duration) { return facadetest.Options{}, noCPU }},
		{"breaker_limiters", func(*testing.B) (facadetest.Options, func() time.Duration) {
			return facadetest.Options{Limiter: local, DefaultQuota: auth.Quota(unlimited), UpstreamPace: unlimited}, noCPU
		}},
		{"breaker_limiters_redis", func(b *testing.B) (facadetest.Options, func() time.Duration) {
			// A generous timeout: on a busy machine a command may take
			// longer than the default 50 ms, and a fallback to local
			// limiting would measure the wrong thing.
			server := redistest.Start(b)
			client := server.Client()
			shared := ratelimit.New(ratelimit.Config{Redis: client, RedisTimeout: time.Second})
			cpu := func() time.Duration {
				d, err := server.CPUTime(context.Background(), client)
				if err != nil {
					b.Fatal(err)
				}
				return d
			}
			return facadetest.Options{Limiter: shared, DefaultQuota: auth.Quota(unlimited), UpstreamPace: unlimited}, cpu
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			opts, otherCPU := c.opts(b)
			st := facadetest.Start(b, opts)
			client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
			req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}
			b.ReportAllocs()
			startCPU := processCPU(b) + otherCPU()
			for b.Loop() {
				if _, err := client.GetGoal(b.Context(), req); err != nil {
					b.Fatalf("GetGoal() error = %v", err)
				}
			}
			cpu := processCPU(b) + otherCPU() - startCPU
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
			if opts.Limiter != nil {
				if s := opts.Limiter.Stats(); s.RedisFallbacks != 0 {
					b.Errorf("limiter Stats() = %+v, want no fallbacks: the case measured local limiting", s)
				}
			}
		})
	}
}

// processCPU returns the CPU time this process has used, user and system.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
