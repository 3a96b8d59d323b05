package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/upstream"
)

// Waiting for report runs. Callers waiting for one run with one
// Betterworks token share one poller per replica, kept in the registry of
// the syncs' shared pollers (pollers, sync.go) under a key of its own.
// Unlike a sync's followers, who need every batch, a waiter needs only the
// run as it stands last: the poller keeps that one value and wakes its
// waiters when it changes, so no waiter can fall behind.

// Reasons of report run errors.
const (
	ReasonReportRunFailed      = "REPORT_RUN_FAILED"
	ReasonReportNotFinished    = "REPORT_NOT_FINISHED"
	ReasonReportResultExpired  = "REPORT_RESULT_EXPIRED"
	ReasonReportNotSpreadsheet = "REPORT_NOT_SPREADSHEET"
	// ReasonReportTooLargeToRead: ReadReportRows refuses a spreadsheet
	// over its bounds on what a file may unpack to.
	ReasonReportTooLargeToRead = "REPORT_TOO_LARGE_TO_READ"
	// ReasonReportReadsBusy: as many ReadReportRows calls as a replica
	// runs at once were under way for as long as the call would wait.
	ReasonReportReadsBusy = "REPORT_READS_BUSY"
)

// ReportPolls paces the polls of WaitReportRun. A zero field selects the
// default documented on it.
type ReportPolls struct {
	// First is the wait after the first poll; zero means 2 s. Each wait
	// after is half as long again as the one before.
	First time.Duration
	// Max caps the wait between polls; zero means 15 s.
	Max time.Duration
	// Timeout bounds one poll, its retries included; zero means 10 s.
	Timeout time.Duration
}

func (p ReportPolls) withDefaults() ReportPolls {
	if p.First <= 0 {
		p.First = 2 * time.Second
	}
	if p.Max <= 0 {
		p.Max = 15 * time.Second
	}
	if p.Timeout <= 0 {
		p.Timeout = 10 * time.Second
	}
	p.Max = max(p.Max, p.First)
	return p
}

// maxUpstreamErrorText bounds the upstream's error text in an ErrorInfo.
const maxUpstreamErrorText = 1024

// runWatch is the shared poller of one report run for one token.
type runWatch struct {
	key pollerKey
	reg *pollers

	mu      sync.Mutex
	waiters int
	run     *betterworksv1.ReportRun // the latest; nil before the first poll
	version int                      // counts changes of run
	err     error                    // why polling stopped, if not for a final run
	changed chan struct{}            // closed, and replaced, at every change
	cancel  context.CancelFunc
}

// watchRun joins the poller of run id for token, starting one if there
// is none. Call leave when done.
func (s *ReportService) watchRun(token upstream.Token, id string) *runWatch {
	reg := s.pollers
	key := pollerKey{token: token.ID(), collection: "report_runs/" + id}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	w, ok := reg.m[key].(*runWatch)
	if !ok {
		ctx, cancel := context.WithCancel(context.Background())
		w = &runWatch{key: key, reg: reg, changed: make(chan struct{}), cancel: cancel}
		reg.m[key] = w
		go w.poll(ctx, s.polls, func(ctx context.Context) (*upstream.ReportRun, error) {
			return s.upstream.GetReportRun(ctx, token, id)
		})
	}
	w.mu.Lock()
	w.waiters++
	w.mu.Unlock()
	return w
}

// leave removes a waiter; the last one out stops the poller.
func (w *runWatch) leave() {
	w.reg.mu.Lock()
	defer w.reg.mu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waiters--; w.waiters > 0 {
		return
	}
	w.cancel()
	if w.reg.m[w.key] == any(w) {
		delete(w.reg.m, w.key)
	}
}

// forget takes a poller that ended out of the registry, so that a later
// waiter starts afresh.
func (w *runWatch) forget() {
	w.reg.mu.Lock()
	defer w.reg.mu.Unlock()
	if w.reg.m[w.key] == any(w) {
		delete(w.reg.m, w.key)
	}
}

// watchState is a poller's state as a waiter reads it.
type watchState struct {
	run     *betterworksv1.ReportRun
	version int
	// err stopped the polling, if set.
	err error
	// changed is closed at the next change.
	changed <-chan struct{}
}

// snapshot returns the poller's state.
func (w *runWatch) snapshot() watchState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return watchState{run: w.run, version: w.version, err: w.err, changed: w.changed}
}

// publish records run, or err, and wakes the waiters.
func (w *runWatch) publish(run *betterworksv1.ReportRun, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil && proto.Equal(run, w.run) {
		return
	}
	if err == nil {
		w.run = run
		w.version++
	}
	w.err = err
	close(w.changed)
	w.changed = make(chan struct{})
}

// poll reads the run until it is final, an error is final, or ctx ends,
// waiting between polls as polls says.
func (w *runWatch) poll(ctx context.Context, polls ReportPolls, get func(context.Context) (*upstream.ReportRun, error)) {
	wait := polls.First
	for {
		pollCtx, cancel := context.WithTimeout(ctx, polls.Timeout)
		run, err := get(pollCtx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			p := reportRunToProto(run)
			w.publish(p, nil)
			if final(p) {
				w.forget()
				return
			}
		case !transient(err):
			w.publish(nil, err)
			w.forget()
			return
		}
		// A transient failure is polled again; waiters keep waiting.
		if sleep(ctx, wait) != nil {
			return
		}
		wait = min(wait+wait/2, polls.Max)
	}
}

// transient reports whether a poll that failed with err may succeed later:
// the upstream was unavailable, failed or slow, or the facade held the
// call back. A refusal of the request itself (4xx but 429), a malformed
// answer or a missing token is final.
func transient(err error) bool {
	switch upstream.Classify(err) {
	case upstream.OutcomeRejected, upstream.OutcomeMalformed, upstream.OutcomeInvalid, upstream.OutcomeCanceled:
		return false
	}
	return true
}

func final(r *betterworksv1.ReportRun) bool {
	s := r.GetStatus()
	return s == betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_SUCCEEDED || s == betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WaitReportRun implements betterworksv1connect.ReportServiceHandler.
func (s *ReportService) WaitReportRun(ctx context.Context, req *betterworksv1.WaitReportRunRequest, stream *connect.ServerStream[betterworksv1.WaitReportRunResponse]) error {
	token, err := callerToken(ctx)
	if err != nil {
		return err
	}
	w := s.watchRun(token, req.GetReportRunId())
	defer w.leave()
	sent := 0
	for {
		state := w.snapshot()
		if state.version > sent {
			sent = state.version
			if err := stream.Send(&betterworksv1.WaitReportRunResponse{ReportRun: state.run}); err != nil {
				return err
			}
			switch state.run.GetStatus() {
			case betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_SUCCEEDED:
				return nil
			case betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED:
				return runFailed(req.GetReportRunId(), state.run)
			}
		}
		if state.err != nil {
			return s.upstreamError(ctx, state.err)
		}
		select {
		case <-state.changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// runFailed is the error of a run that failed: FAILED_PRECONDITION,
// REPORT_RUN_FAILED, with the upstream's error text.
func runFailed(id string, run *betterworksv1.ReportRun) *connect.Error {
	text := upstreamErrorText(run)
	msg := "report run " + id + " failed"
	if text != "" {
		msg += ": " + text
	}
	return rpcerr.New(connect.CodeFailedPrecondition, errors.New(msg), ReasonReportRunFailed,
		map[string]string{"report_run_id": id, "upstream_error": text})
}

// upstreamErrorText returns a run's error as text: a string as it is,
// anything else as JSON, at most maxUpstreamErrorText bytes.
func upstreamErrorText(run *betterworksv1.ReportRun) string {
	v := run.GetError()
	if v == nil {
		return ""
	}
	var text string
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		text = k.StringValue
	case *structpb.Value_NullValue, nil:
	default:
		b, _ := json.Marshal(v.AsInterface())
		text = string(b)
	}
	return truncateUTF8(text, maxUpstreamErrorText)
}

// notFinished is the error of a run without a file yet, or with none.
func notFinished(id string, run *betterworksv1.ReportRun) *connect.Error {
	if run.GetStatus() == betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED {
		return runFailed(id, run)
	}
	return rpcerr.New(connect.CodeFailedPrecondition,
		fmt.Errorf("report run %s has not finished (status %s); WaitReportRun waits for it", id, run.GetStatus()),
		ReasonReportNotFinished, map[string]string{"report_run_id": id})
}
