package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/sandbox"
)

// The export scenario streams every user of a scaled sandbox through the
// facade (ExportUsers over Connect with protobuf), once per sandbox
// latency, with the Betterworks token paced: an export cannot finish
// before pages / pace, and pipelining should hide the latency so that it
// finishes close to that bound. The facade runs in a hop process of its
// own, whose heap is sampled during each export against its idle heap.

// ExportResult is what one export measured.
type ExportResult struct {
	// LatencyMS is the sandbox's latency on every request (a fault).
	LatencyMS float64 `json:"latency_ms"`
	// Users and Pages are what the export delivered: users, and upstream
	// pages (its last ExportProgress).
	Users int64 `json:"users"`
	Pages int64 `json:"pages"`
	// Seconds is the export's wall time, from the call to the stream's
	// end; BoundSeconds is pages / pace, the least the token's pace
	// allows; Ratio is Seconds / BoundSeconds.
	Seconds      float64 `json:"seconds"`
	BoundSeconds float64 `json:"bound_seconds"`
	Ratio        float64 `json:"ratio"`
	// IdleHeapMiB is the hop process's HeapInuse after collecting garbage
	// before the export; PeakHeapMiB the largest sampled during it;
	// GrowthMiB their difference. HeapInuse grows with the collector's
	// pacing: at the hop's GOGC of 400, to about five times the live heap
	// before a collection.
	IdleHeapMiB float64 `json:"idle_heap_inuse_mib"`
	PeakHeapMiB float64 `json:"peak_heap_inuse_mib"`
	GrowthMiB   float64 `json:"growth_mib"`
	// IdleLiveMiB and PeakLiveMiB are the live heap (what collections
	// found reachable) before and at most during the export: what the
	// export retains, whatever the pacing.
	IdleLiveMiB float64 `json:"idle_heap_live_mib"`
	PeakLiveMiB float64 `json:"peak_heap_live_mib"`
	// HopCPUSeconds is the hop process's CPU time during the export.
	HopCPUSeconds float64 `json:"hop_cpu_s"`
}

// ExportReport records the export scenario's settings and results.
type ExportReport struct {
	SandboxUsers int     `json:"sandbox_users"`
	PacePerS     float64 `json:"pace_per_s"`
	PageSize     int     `json:"page_size"`
	// Ahead is server.Config.ExportAhead; 0 is the server's default.
	Ahead   int            `json:"export_ahead"`
	Facade  string         `json:"facade"`
	Seeding float64        `json:"sandbox_seeding_s"`
	Results []ExportResult `json:"results"`
}

// runExport runs the export scenario: a sandbox scaled to o.export.users,
// a hop process whose facade paces the token at o.export.pace, and one
// export per latency. It records the pinning obtained in env unless the
// sweep did. Progress goes to progress.
func runExport(ctx context.Context, o options, plan cpuPlan, pin bool, method string, env *Environment, progress io.Writer) (*ExportReport, error) {
	e := o.export
	start := time.Now()
	sb, sandboxURL, stopSandbox, err := serveSandbox(sandbox.Scale{Users: e.users})
	if err != nil {
		return nil, err
	}
	defer stopSandbox()
	rep := &ExportReport{SandboxUsers: e.users, PacePerS: e.pace, PageSize: e.pageSize, Ahead: e.ahead, Facade: exportWiring,
		Seeding: time.Since(start).Seconds()}
	key := auth.GenerateKey()
	hop, err := startHop(ctx, hopConfig{
		sandboxURL: sandboxURL, token: sb.Token(sandbox.RoleSuperAdmin), key: key, cpu: plan.hop, pin: pin,
		tuning: facadeTuning{pace: e.pace, ahead: e.ahead}, telemetry: o.telemetry,
	})
	if err != nil {
		return nil, err
	}
	defer func() { _ = hop.stop() }()
	if env.Pinning.Method == "" {
		env.Pinning = obtainedPinning(method, hop)
	}
	client := betterworksv1connect.NewPeopleServiceClient(newHTTPClient(false), hop.FacadeURL, connect.WithInterceptors(streamBearer(key)))
	for _, latency := range e.latencies {
		fmt.Fprintf(progress, "export of %d users at latency %v\n", e.users, latency)
		sb.SetFaults(sandbox.Fault{Latency: latency})
		res, err := measureExport(ctx, client, hop, e)
		if err != nil {
			return nil, fmt.Errorf("export at latency %v: %w", latency, err)
		}
		res.LatencyMS = millis(latency)
		rep.Results = append(rep.Results, res)
	}
	sb.SetFaults()
	return rep, nil
}

// measureExport runs one export to its end and measures it.
func measureExport(ctx context.Context, client betterworksv1connect.PeopleServiceClient, hop *hopProcess, e exportOptions) (ExportResult, error) {
	// Two collections: the second reading's window holds only the idle
	// heap.
	if _, err := hop.usage(ctx, true); err != nil {
		return ExportResult{}, err
	}
	idle, err := hop.usage(ctx, true)
	if err != nil {
		return ExportResult{}, err
	}
	began := time.Now()
	stream, err := client.ExportUsers(ctx, &betterworksv1.ExportUsersRequest{
		Filter: &betterworksv1.ListUsersRequest{PageSize: int32(e.pageSize)},
	})
	if err != nil {
		return ExportResult{}, err
	}
	var res ExportResult
	for stream.Receive() {
		res.Pages = stream.Msg().GetProgress().GetPages()
		res.Users += int64(len(stream.Msg().GetUsers()))
	}
	elapsed := time.Since(began)
	if err := errors.Join(stream.Err(), stream.Close()); err != nil {
		return ExportResult{}, err
	}
	peak, err := hop.usage(ctx, false)
	if err != nil {
		return ExportResult{}, err
	}
	if want := int64(e.users); res.Users != want {
		return ExportResult{}, fmt.Errorf("exported %d users, want %d", res.Users, want)
	}
	res.Seconds = elapsed.Seconds()
	res.BoundSeconds = float64(res.Pages) / e.pace
	res.Ratio = res.Seconds / res.BoundSeconds
	res.IdleHeapMiB = mib(idle.PeakHeapInuse)
	res.PeakHeapMiB = mib(peak.PeakHeapInuse)
	res.GrowthMiB = res.PeakHeapMiB - res.IdleHeapMiB
	res.IdleLiveMiB = mib(idle.PeakHeapLive)
	res.PeakLiveMiB = mib(peak.PeakHeapLive)
	res.HopCPUSeconds = (peak.CPU - idle.CPU).Seconds()
	return res, nil
}

// mib converts bytes to MiB, rounded to 0.1.
func mib(b uint64) float64 { return math.Round(float64(b)/(1<<20)*10) / 10 }

// streamBearer sends key as the caller key of every streaming call.
type streamBearer string

// WrapUnary implements connect.Interceptor.
func (k streamBearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(k))
		return next(ctx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor.
func (k streamBearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(k))
		return conn
	}
}

// WrapStreamingHandler implements connect.Interceptor.
func (streamBearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
