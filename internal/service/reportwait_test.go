package service_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/service"
)

// createRun starts a user activity report as a super admin and returns
// its id.
func createRun(t *testing.T, st *facadetest.Stack) string {
	t.Helper()
	created, err := st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin).CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
		Report: betterworksv1.ReportKind_REPORT_KIND_USER_ACTIVITY, Start: "2025-05-01", End: "2025-05-31",
	})
	if err != nil {
		t.Fatalf("CreateReportRun() error = %v", err)
	}
	return fmt.Sprint(created.GetReportRun().GetId())
}

// waitRun waits for run id over p and returns the statuses it was sent
// and the stream's error.
func waitRun(t *testing.T, client interface {
	WaitReportRun(ctx context.Context, req *betterworksv1.WaitReportRunRequest) (*connect.ServerStreamForClient[betterworksv1.WaitReportRunResponse], error)
}, id string) ([]betterworksv1.ReportRunStatus, error) {
	t.Helper()
	stream, err := client.WaitReportRun(t.Context(), &betterworksv1.WaitReportRunRequest{ReportRunId: id})
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	var got []betterworksv1.ReportRunStatus
	for stream.Receive() {
		got = append(got, stream.Msg().GetReportRun().GetStatus())
	}
	return got, stream.Err()
}

// TestWaitReportRunSharesOnePoller waits for one run from 20 callers at
// once with one token: the sandbox sees the polls of one poller, not 20.
func TestWaitReportRunSharesOnePoller(t *testing.T) {
	t.Parallel()
	polls := service.ReportPolls{First: 200 * time.Millisecond, Max: 400 * time.Millisecond}
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:     sandbox.Config{ReportRuns: sandbox.ReportRunConfig{StartDelay: 300 * time.Millisecond, Duration: time.Second}},
		ReportPolls: polls,
	})
	id := createRun(t, st)
	const waiters = 20
	start := time.Now()
	var wg sync.WaitGroup
	results := make([][]betterworksv1.ReportRunStatus, waiters)
	errs := make([]error, waiters)
	for i := range waiters {
		wg.Go(func() {
			results[i], errs[i] = waitRun(t, st.Reports(facadetest.GRPC, sandbox.RoleSuperAdmin), id)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	for i := range waiters {
		n := len(results[i])
		if errs[i] != nil || n == 0 || results[i][n-1] != betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_SUCCEEDED {
			t.Errorf("waiter %d: statuses %v, error %v; want to end with SUCCEEDED", i, results[i], errs[i])
		}
	}
	// One poller polls at once, then at most once per First: 20 pollers
	// would poll at least 20 times.
	polled := st.Sandbox.Count("GET /report_runs/{id}/")
	if limit := int(elapsed/polls.First) + 1; polled > limit || polled >= waiters {
		t.Errorf("%d waiters made %d polls in %v; want those of one poller, at most %d", waiters, polled, elapsed, limit)
	}
	t.Logf("%d waiters, %d polls in %v", waiters, polled, elapsed)
}

// TestWaitReportRunEndsWithTheRunsError fails a run on purpose: the
// stream shows it failed, then ends with its error.
func TestWaitReportRunEndsWithTheRunsError(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:     sandbox.Config{ReportRuns: sandbox.ReportRunConfig{StartDelay: 10 * time.Millisecond, Duration: 50 * time.Millisecond}},
		ReportPolls: service.ReportPolls{First: 20 * time.Millisecond, Max: 40 * time.Millisecond},
	})
	st.Sandbox.FailReportRuns(1, "Report generation timed out.")
	id := createRun(t, st)

	statuses, err := waitRun(t, st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin), id)

	if n := len(statuses); n == 0 || statuses[n-1] != betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED {
		t.Errorf("statuses = %v, want the last FAILED", statuses)
	}
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || rpcerr.Reason(err) != service.ReasonReportRunFailed {
		t.Fatalf("WaitReportRun() error = %v (reason %q), want FailedPrecondition, %s", err, rpcerr.Reason(err), service.ReasonReportRunFailed)
	}
	if got := errorInfo(err).GetMetadata()["upstream_error"]; got != "Report generation timed out." {
		t.Errorf("upstream_error = %q, want the upstream's text", got)
	}
}

// TestWaitReportRunStopsPollingWhenTheCallerGoes leaves a run that never
// finishes: its poller stops with its last waiter.
func TestWaitReportRunStopsPollingWhenTheCallerGoes(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:     sandbox.Config{ReportRuns: sandbox.ReportRunConfig{StartDelay: time.Hour, Duration: time.Hour}},
		ReportPolls: service.ReportPolls{First: 20 * time.Millisecond, Max: 20 * time.Millisecond},
	})
	id := createRun(t, st)
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin).WaitReportRun(ctx, &betterworksv1.WaitReportRunRequest{ReportRunId: id})
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() {
		t.Fatalf("no first message: %v", stream.Err())
	}
	cancel()
	stream.Close()

	// Once the poller has noticed, the count stays put.
	var last atomic.Int64
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(100 * time.Millisecond)
		n := int64(st.Sandbox.Count("GET /report_runs/{id}/"))
		if n == last.Swap(n) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("polls still growing (%d) 10 s after the caller went", n)
		}
	}
}
