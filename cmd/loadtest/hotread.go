package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/sandbox"
)

// The hot-read scenario is a dashboard opened by many people at once:
// many callers of one Betterworks token reading a few goals over and
// over. It counts the upstream requests per 1,000 calls when the callers
// call Betterworks directly, through the facade (which coalesces
// identical concurrent reads), and through the facade with its read cache
// on, each phase as long as it takes to give its p99 at least 2,000 calls.

// HotReadResult is one phase of the hot-read scenario.
type HotReadResult struct {
	// Variant is direct, facade (coalescing) or facade+cache.
	Variant string `json:"variant"`
	// Calls are the phase's successful calls; Upstream the requests the
	// sandbox answered meanwhile; PerThousand is Upstream per 1,000 calls.
	Calls       int     `json:"calls"`
	Errors      int     `json:"errors"`
	Upstream    int     `json:"upstream_requests"`
	PerThousand float64 `json:"upstream_per_1000_calls"`
	P50         float64 `json:"p50_ms"`
	P99         float64 `json:"p99_ms"`
}

// HotReadReport records the hot-read scenario's settings and results.
type HotReadReport struct {
	Callers   int             `json:"callers"`
	Goals     int             `json:"goals"`
	Seconds   float64         `json:"phase_s"`
	LatencyMS float64         `json:"sandbox_latency_ms"`
	CacheTTL  float64         `json:"cache_ttl_s"`
	Results   []HotReadResult `json:"results"`
}

// runHotRead runs the hot-read scenario: one sandbox, then one phase per
// variant, each facade variant in a hop process of its own. It records
// the pinning obtained in env unless an earlier scenario did.
func runHotRead(ctx context.Context, o options, plan cpuPlan, pin bool, method string, env *Environment, progress io.Writer) (*HotReadReport, error) {
	h := o.hotRead
	sb, sandboxURL, stopSandbox, err := serveSandbox(sandbox.Scale{})
	if err != nil {
		return nil, err
	}
	defer stopSandbox()
	sb.SetFaults(sandbox.Fault{Endpoint: "GET /goals/{id}/", Latency: h.latency})
	defer sb.SetFaults()
	token := sb.Token(sandbox.RoleSuperAdmin)
	// The demo organisation's first goals; the super admin sees them all.
	goals := make([]int64, h.goals)
	for i := range goals {
		goals[i] = 1001 + int64(i)
	}
	rep := &HotReadReport{Callers: h.callers, Goals: len(goals), Seconds: h.phase.Seconds(), LatencyMS: millis(h.latency), CacheTTL: h.cacheTTL.Seconds()}

	direct := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: h.callers}}
	call := func(ctx context.Context, id int64) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/goals/%d/", sandboxURL, id), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "APIToken "+token)
		resp, err := direct.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /goals/%d/: %s", id, resp.Status)
		}
		return nil
	}
	fmt.Fprintf(progress, "hot reads: direct\n")
	rep.Results = append(rep.Results, hotReadPhase(ctx, sb, "direct", h, goals, call))

	for _, ttl := range []time.Duration{0, h.cacheTTL} {
		key := auth.GenerateKey()
		hop, err := startHop(ctx, hopConfig{sandboxURL: sandboxURL, token: token, key: key, cpu: plan.hop, pin: pin, tuning: facadeTuning{cacheTTL: ttl}, telemetry: o.telemetry})
		if err != nil {
			return nil, err
		}
		if env.Pinning.Method == "" {
			env.Pinning = obtainedPinning(method, hop)
		}
		client := betterworksv1connect.NewGoalServiceClient(newHTTPClient(false), hop.FacadeURL, connect.WithInterceptors(streamBearer(key)))
		name := "facade"
		if ttl > 0 {
			name = "facade+cache"
		}
		fmt.Fprintf(progress, "hot reads: %s\n", name)
		rep.Results = append(rep.Results, hotReadPhase(ctx, sb, name, h, goals, func(ctx context.Context, id int64) error {
			_, err := client.GetGoal(ctx, &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(id)})
			return err
		}))
		if err := hop.stop(); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// hotReadPhase runs h.callers loops of call over goals for h.phase and
// measures them against the sandbox's count of goal reads.
func hotReadPhase(ctx context.Context, sb *sandbox.Sandbox, variant string, h hotReadOptions, goals []int64, call func(context.Context, int64) error) HotReadResult {
	before := sb.Count("GET /goals/{id}/")
	var rec recorder
	var wg sync.WaitGroup
	end := time.Now().Add(h.phase)
	for c := range h.callers {
		wg.Go(func() {
			for i := c; time.Now().Before(end) && ctx.Err() == nil; i++ {
				start := time.Now()
				err := call(ctx, goals[i%len(goals)])
				rec.record(time.Since(start), err)
			}
		})
	}
	wg.Wait()
	upstream := sb.Count("GET /goals/{id}/") - before
	s := rec.summary()
	res := HotReadResult{Variant: variant, Calls: s.Count, Errors: rec.errors, Upstream: upstream, P50: s.P50, P99: s.P99}
	if s.Count > 0 {
		res.PerThousand = float64(upstream) * 1000 / float64(s.Count)
	}
	return res
}
