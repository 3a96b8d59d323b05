package service_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/service"
	"github.com/bwfacade/facade/internal/upstream"
)

// listAllGoalIDs pages through ListGoals with filter and returns every id.
func listAllGoalIDs(t *testing.T, client interface {
	ListGoals(context.Context, *betterworksv1.ListGoalsRequest) (*betterworksv1.ListGoalsResponse, error)
}, filter *betterworksv1.ListGoalsRequest) []int64 {
	t.Helper()
	var ids []int64
	req := filter
	for {
		resp, err := client.ListGoals(t.Context(), req)
		if err != nil {
			t.Fatalf("ListGoals() error = %v", err)
		}
		for _, g := range resp.GetGoals() {
			ids = append(ids, g.GetId())
		}
		if resp.GetNextPageToken() == "" {
			return ids
		}
		req = &betterworksv1.ListGoalsRequest{PageSize: filter.GetPageSize(), Risk: filter.GetRisk(), PageToken: resp.GetNextPageToken()}
	}
}

// exported is what an export stream sent.
type exported struct {
	ids       []int64
	resumes   []string // each message's resume token
	progress  []*betterworksv1.ExportProgress
	watermark string
}

func exportGoals(t *testing.T, client interface {
	ExportGoals(context.Context, *betterworksv1.ExportGoalsRequest) (*connect.ServerStreamForClient[betterworksv1.ExportGoalsResponse], error)
}, req *betterworksv1.ExportGoalsRequest) (exported, error) {
	t.Helper()
	stream, err := client.ExportGoals(t.Context(), req)
	if err != nil {
		return exported{}, err
	}
	defer stream.Close()
	var out exported
	for stream.Receive() {
		msg := stream.Msg()
		for _, g := range msg.GetGoals() {
			out.ids = append(out.ids, g.GetId())
		}
		out.resumes = append(out.resumes, msg.GetResumeToken())
		out.progress = append(out.progress, msg.GetProgress())
		out.watermark = msg.GetSyncWatermark()
	}
	return out, stream.Err()
}

// TestExportEqualsTheListPages exports every goal, and the at-risk ones,
// over each protocol: the export holds exactly the items of the list
// pages, in their order, one message a page, the last one with a
// watermark and no resume token.
func TestExportEqualsTheListPages(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	filters := map[string]*betterworksv1.ListGoalsRequest{
		"every_goal": {PageSize: 7},
		"at_risk":    {PageSize: 5, Risk: betterworksv1.GoalRisk_GOAL_RISK_AT_RISK},
	}
	for _, p := range facadetest.Protocols {
		for name, filter := range filters {
			t.Run(string(p)+"/"+name, func(t *testing.T) {
				t.Parallel()
				client := st.Goals(p, sandbox.RoleSuperAdmin)
				want := listAllGoalIDs(t, client, filter)

				got, err := exportGoals(t, client, &betterworksv1.ExportGoalsRequest{Filter: filter})

				if err != nil {
					t.Fatalf("ExportGoals() error = %v", err)
				}
				if diff := cmp.Diff(want, got.ids); diff != "" {
					t.Errorf("ExportGoals() ids differ from the ListGoals pages (-list +export):\n%s", diff)
				}
				pages := (len(want) + int(filter.GetPageSize()) - 1) / int(filter.GetPageSize())
				if len(got.resumes) != pages {
					t.Errorf("ExportGoals() sent %d messages, want one per page: %d", len(got.resumes), pages)
				}
				last := got.progress[len(got.progress)-1]
				if last.GetPages() != int64(pages) || last.GetItems() != int64(len(want)) {
					t.Errorf("last progress = %v, want %d pages and %d items", last, pages, len(want))
				}
				if got.resumes[len(got.resumes)-1] != "" || got.watermark == "" {
					t.Errorf("last message: resume token %q, watermark %q; want none, and a watermark", got.resumes[len(got.resumes)-1], got.watermark)
				}
			})
		}
	}
}

// TestExportOfAModifiedRangeIssuesNoWatermark exports the goals modified
// in a range: such an export read only part of what a sync starts from,
// so its last message carries no watermark.
func TestExportOfAModifiedRangeIssuesNoWatermark(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	ref := st.Sandbox.ReferenceTime()
	for name, filter := range map[string]*betterworksv1.ListGoalsRequest{
		"modified_after":  {PageSize: 50, ModifiedAfter: timestamppb.New(ref.AddDate(-1, 0, 0))},
		"modified_before": {PageSize: 50, ModifiedBefore: timestamppb.New(ref.AddDate(1, 0, 0))},
	} {
		got, err := exportGoals(t, client, &betterworksv1.ExportGoalsRequest{Filter: filter})

		if err != nil {
			t.Fatalf("ExportGoals(%s) error = %v", name, err)
		}
		if len(got.ids) == 0 || got.watermark != "" {
			t.Errorf("ExportGoals(%s): %d goals, watermark %q; want goals and no watermark", name, len(got.ids), got.watermark)
		}
	}
}

// TestExportResumesFromEveryMessage resumes an export from each message's
// token: the rest equals what the whole export sent after that message.
func TestExportResumesFromEveryMessage(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	filter := &betterworksv1.ListGoalsRequest{PageSize: 20}
	whole, err := exportGoals(t, client, &betterworksv1.ExportGoalsRequest{Filter: filter})
	if err != nil {
		t.Fatalf("ExportGoals() error = %v", err)
	}
	sent := 0
	for i, token := range whole.resumes[:len(whole.resumes)-1] {
		sent += int(whole.progress[i].GetItems()) - sent
		rest, err := exportGoals(t, client, &betterworksv1.ExportGoalsRequest{Filter: filter, ResumeToken: token})
		if err != nil {
			t.Fatalf("ExportGoals(resume after message %d) error = %v", i, err)
		}
		if diff := cmp.Diff(whole.ids[sent:], rest.ids); diff != "" {
			t.Errorf("resumed after message %d (-want +got):\n%s", i, diff)
		}
		if got := rest.progress[0].GetPages(); got != int64(i+2) {
			t.Errorf("resumed after message %d: first progress counts %d pages, want %d", i, got, i+2)
		}
	}
}

// TestExportRefusesForeignResumeTokens refuses, before any upstream call,
// a resume token altered, for another filter, or from another caller.
func TestExportRefusesForeignResumeTokens(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	admin := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	first, err := admin.ExportGoals(t.Context(), &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 5}})
	if err != nil || !first.Receive() {
		t.Fatalf("ExportGoals() = %v, %v", err, first.Err())
	}
	token := first.Msg().GetResumeToken()
	first.Close()
	settle(st.Sandbox)
	st.Sandbox.ResetRequests()
	tests := []struct {
		name   string
		caller sandbox.Role
		req    *betterworksv1.ExportGoalsRequest
	}{
		{"altered", sandbox.RoleSuperAdmin, &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 5}, ResumeToken: token[:len(token)-2] + "AA"}},
		{"other_filter", sandbox.RoleSuperAdmin, &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 5, Risk: betterworksv1.GoalRisk_GOAL_RISK_AT_RISK}, ResumeToken: token}},
		{"other_caller", sandbox.RoleUser, &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 5}, ResumeToken: token}},
	}
	for _, tt := range tests {
		_, err := exportGoals(t, st.Goals(facadetest.Connect, tt.caller), tt.req)
		if connect.CodeOf(err) != connect.CodeInvalidArgument || rpcerr.Reason(err) != rpcerr.ReasonResumeTokenInvalid {
			t.Errorf("%s: ExportGoals() = %v (reason %q), want InvalidArgument %s", tt.name, err, rpcerr.Reason(err), rpcerr.ReasonResumeTokenInvalid)
		}
	}
	if n := len(st.Sandbox.Requests()); n != 0 {
		t.Errorf("the sandbox saw %d requests, want none", n)
	}
}

// TestExportStopsFetchingWhenTheCallerGoes reads one message of a slow
// export, then goes: the upstream requests stop within one attempt.
func TestExportStopsFetchingWhenTheCallerGoes(t *testing.T) {
	t.Parallel()
	var logs logtest.Buffer
	st := facadetest.Start(t, facadetest.Options{
		Sandbox: sandbox.Config{Faults: []sandbox.Fault{{Endpoint: "GET /goals/filter/", Latency: 100 * time.Millisecond}}},
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	client := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin)
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := client.ExportGoals(ctx, &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 1}})
	if err != nil || !stream.Receive() {
		t.Fatalf("ExportGoals() = %v, %v", err, stream.Err())
	}
	cancel()
	stream.Close()
	// Whatever was in flight when the caller went ends with it.
	time.Sleep(300 * time.Millisecond)
	atCancel := st.Sandbox.Count("GET /goals/filter/")
	time.Sleep(500 * time.Millisecond)
	if later := st.Sandbox.Count("GET /goals/filter/"); later != atCancel {
		t.Errorf("the sandbox saw %d more page requests after the caller went", later-atCancel)
	}
	if atCancel > 1+6 {
		t.Errorf("the sandbox saw %d page requests for one page read, want at most the first and those fetched ahead", atCancel)
	}
	// A caller that goes is no server error.
	if !strings.Contains(logs.String(), `"procedure":"/betterworks.v1.GoalService/ExportGoals"`) || !strings.Contains(logs.String(), `"code":"canceled"`) {
		t.Errorf("the export's access log line does not say canceled:\n%s", logs.String())
	}
}

// TestExportFetchesTheConfiguredPagesAhead slows the upstream's pages to
// latency and counts the requests that arrive together once the first page
// is in: the next page and as many beyond it as ExportAhead says, within
// its bounds, and no more until the export takes the next page. "Together"
// is within half the latency of when the first page's answer came, so the
// latency is long enough for a loaded machine (a race-detector run of
// every package) to send 49 requests within half of it.
func TestExportFetchesTheConfiguredPagesAhead(t *testing.T) {
	t.Parallel()
	const latency = time.Second
	tests := []struct {
		name      string
		ahead     int
		wantAhead int
	}{
		{"default", 0, service.DefaultExportAhead},
		{"configured", 12, 12},
		{"capped", 1000, service.MaxExportAhead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := facadetest.Start(t, facadetest.Options{
				Sandbox:     sandbox.Config{Faults: []sandbox.Fault{{Endpoint: "GET /goals/filter/", Latency: latency}}},
				ExportAhead: tt.ahead,
			})
			client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			stream, err := client.ExportGoals(ctx, &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 1}})
			if err != nil {
				t.Fatalf("ExportGoals() error = %v", err)
			}
			// The first page, then the pages fetched with the second: all
			// of them are logged once their messages arrive.
			for i := range 2 + tt.wantAhead {
				if !stream.Receive() {
					t.Fatalf("ExportGoals() ended after %d messages: %v", i, stream.Err())
				}
			}
			cancel()
			stream.Close()

			var arrivals []time.Time
			for _, r := range st.Sandbox.Requests() {
				if r.Endpoint == "GET /goals/filter/" {
					arrivals = append(arrivals, r.At)
				}
			}
			slices.SortFunc(arrivals, time.Time.Compare)
			first, together := arrivals[0], 0
			for _, at := range arrivals[1:] {
				if d := at.Sub(first); d > latency/2 && d < 3*latency/2 {
					together++
				}
			}
			if together != 1+tt.wantAhead {
				t.Errorf("ExportAhead %d: %d page requests arrived together after the first page, want 1+%d", tt.ahead, together, tt.wantAhead)
			}
		})
	}
}

// TestSyncDeliversEveryWrite updates goals while syncs run back to back
// from an export's watermark, over each protocol: every update arrives,
// and none twice.
func TestSyncDeliversEveryWrite(t *testing.T) {
	t.Parallel()
	for _, p := range facadetest.Protocols {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			syncDeliversEveryWrite(t, p)
		})
	}
}

func syncDeliversEveryWrite(t *testing.T, p facadetest.Protocol) {
	st := facadetest.Start(t, facadetest.Options{})
	goals := st.Goals(p, sandbox.RoleSuperAdmin)
	export, err := exportGoals(t, goals, &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 100}})
	if err != nil {
		t.Fatalf("ExportGoals() error = %v", err)
	}
	targets := export.ids[:20]

	var mu sync.Mutex
	written := make(map[string]int64) // name -> goal id
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, id := range targets {
			name := fmt.Sprintf("renamed during sync %d", i)
			if _, err := goals.UpdateGoal(t.Context(), &betterworksv1.UpdateGoalRequest{GoalId: fmt.Sprint(id), Name: &name}); err != nil {
				t.Errorf("UpdateGoal(%d) error = %v", id, err)
				return
			}
			mu.Lock()
			written[name] = id
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}()

	// Versions delivered, by name and modified_on: a goal that changes
	// again (a parent's progress moves with its children) is a new
	// version, not a repeat.
	type version struct {
		name     string
		modified time.Time
	}
	seen := make(map[string]int)
	versions := make(map[version]int)
	watermark := export.watermark
	sync := func() {
		stream, err := goals.SyncGoals(t.Context(), &betterworksv1.SyncGoalsRequest{Watermark: watermark})
		if err != nil {
			t.Fatalf("SyncGoals() error = %v", err)
		}
		defer stream.Close()
		for stream.Receive() {
			for _, g := range stream.Msg().GetGoals() {
				seen[g.GetName()]++
				versions[version{g.GetName(), g.GetModifiedOn().AsTime()}]++
			}
			watermark = stream.Msg().GetWatermark()
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("SyncGoals() error = %v", err)
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		sync()
	}
	sync() // after the last write

	lost, duplicates := 0, 0
	for name := range written {
		if seen[name] == 0 {
			lost++
			t.Errorf("the update %q never arrived", name)
		}
	}
	for _, n := range versions {
		duplicates += n - 1
	}
	t.Logf("%d updates, %d lost; %d versions delivered, %d of them again", len(written), lost, len(versions), duplicates)
}

// TestFollowersSharePolls follows goals with 1 and with 50 callers of the
// same token: the upstream sees the same polls.
func TestFollowersSharePolls(t *testing.T) {
	t.Parallel()
	polls := make(map[int]int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, followers := range []int{1, 50} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := facadetest.Start(t, facadetest.Options{})
			goals := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin)
			// A watermark to start from: the followers' first passes are
			// their own, and short.
			first, err := goals.SyncGoals(t.Context(), &betterworksv1.SyncGoalsRequest{})
			if err != nil {
				t.Error(err)
				return
			}
			var watermark string
			for first.Receive() {
				watermark = first.Msg().GetWatermark()
			}
			first.Close()

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			markers := make(chan int, followers*4)
			for range followers {
				go func() {
					stream, err := goals.SyncGoals(ctx, &betterworksv1.SyncGoalsRequest{Watermark: watermark, Follow: true, PollInterval: durationpb.New(5 * time.Second)})
					if err != nil {
						return
					}
					defer stream.Close()
					n := 0
					for stream.Receive() {
						if stream.Msg().GetCaughtUp() {
							n++
							markers <- n
						}
					}
				}()
			}
			// Every follower's own pass, then one shared poll each.
			waitFor := func(marker int) {
				got := 0
				for got < followers {
					select {
					case n := <-markers:
						if n == marker {
							got++
						}
					case <-time.After(20 * time.Second):
						t.Errorf("%d followers: %d of them saw marker %d", followers, got, marker)
						return
					}
				}
			}
			waitFor(1)
			before := st.Sandbox.Count("GET /goals/filter/")
			waitFor(2)
			waitFor(3)
			mu.Lock()
			polls[followers] = st.Sandbox.Count("GET /goals/filter/") - before
			mu.Unlock()
		}()
	}
	wg.Wait()
	if polls[1] == 0 || polls[50] != polls[1] {
		t.Errorf("upstream page requests over two polls: %d with 1 follower, %d with 50; want the same, and some", polls[1], polls[50])
	}
	// The two polls' requests: no follower's own pass counts after marker 1.
	if !slices.Contains([]int{2, 3, 4}, polls[1]) {
		t.Logf("two polls took %d page requests", polls[1])
	}
}

// upstreamGate holds upstream requests that match a rule until the test
// releases them, so that a test decides which of two passes over the same
// endpoint waits.
type upstreamGate struct {
	base  http.RoundTripper
	mu    sync.Mutex
	holds []*heldRequest
}

// heldRequest is the first request that matched a rule of the gate.
type heldRequest struct {
	match func(*http.Request) bool
	// reached is closed once the request is held; release lets it go.
	reached, release chan struct{}
}

// hold holds the next request that match accepts.
func (g *upstreamGate) hold(match func(*http.Request) bool) *heldRequest {
	h := &heldRequest{match: match, reached: make(chan struct{}), release: make(chan struct{})}
	g.mu.Lock()
	g.holds = append(g.holds, h)
	g.mu.Unlock()
	return h
}

func (g *upstreamGate) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	var h *heldRequest
	for i, c := range g.holds {
		if c.match(r) {
			h = c
			g.holds = slices.Delete(g.holds, i, i+1)
			break
		}
	}
	g.mu.Unlock()
	if h != nil {
		close(h.reached)
		select {
		case <-h.release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return g.base.RoundTrip(r)
}

// syncMessage is a message of a following sync, or its end (err).
type syncMessage struct {
	names    []string
	ids      []int64
	caughtUp bool
	err      error
}

// follower reads a following sync for a test that ends with ctx.
type follower struct {
	t    *testing.T
	ctx  context.Context
	name string
	msgs <-chan syncMessage
}

// followGoals runs a SyncGoals stream, whose messages and then end (its
// error, or io.EOF) the follower reads.
func followGoals(t *testing.T, ctx context.Context, name string, client betterworksv1connect.GoalServiceClient, req *betterworksv1.SyncGoalsRequest) *follower {
	out := make(chan syncMessage, 1024)
	go func() {
		stream, err := client.SyncGoals(ctx, req)
		if err != nil {
			out <- syncMessage{err: err}
			return
		}
		defer stream.Close()
		for stream.Receive() {
			m := syncMessage{caughtUp: stream.Msg().GetCaughtUp()}
			for _, g := range stream.Msg().GetGoals() {
				m.names = append(m.names, g.GetName())
				m.ids = append(m.ids, g.GetId())
			}
			out <- m
		}
		if err := stream.Err(); err != nil {
			out <- syncMessage{err: err}
			return
		}
		out <- syncMessage{err: io.EOF}
	}()
	return &follower{t: t, ctx: ctx, name: name, msgs: out}
}

// next returns the next message.
func (f *follower) next() syncMessage {
	f.t.Helper()
	select {
	case m := <-f.msgs:
		return m
	case <-f.ctx.Done():
		f.t.Fatalf("%s: no message: %v", f.name, f.ctx.Err())
		return syncMessage{}
	}
}

// untilCaughtUp reads up to the next caught-up marker and returns the
// names of the goals that came before it.
func (f *follower) untilCaughtUp() []string {
	f.t.Helper()
	var names []string
	for {
		m := f.next()
		if m.err != nil {
			f.t.Fatalf("%s ended with %v; want it to go on following", f.name, m.err)
		}
		names = append(names, m.names...)
		if m.caughtUp {
			return names
		}
	}
}

// goalsWatermark returns the watermark of a sync of every goal.
func goalsWatermark(t *testing.T, ctx context.Context, client betterworksv1connect.GoalServiceClient) string {
	t.Helper()
	stream, err := client.SyncGoals(ctx, &betterworksv1.SyncGoalsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var watermark string
	for stream.Receive() {
		watermark = stream.Msg().GetWatermark()
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	return watermark
}

// TestLateFollowerKeepsUpAndLosesNothing joins a poller that another
// follower of the same token and filter runs, with a first pass (from
// nothing) that the test holds after its first page while the poller
// delivers more batches than a follower's buffer holds, and while it
// starts its next poll, after the sandbox's clock moved on by more than
// the margin a pass reads again: the new follower is not ended as lagging
// once it caught up, and the first poll it forwards brings the changes
// made during its first pass to the goals that pass had read already.
func TestLateFollowerKeepsUpAndLosesNothing(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	gate := &upstreamGate{base: upstream.NewHTTPClient().Transport}
	httpClient := upstream.NewHTTPClient()
	httpClient.Transport = gate
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:            sandbox.Config{Now: clock.sandbox()},
		UpstreamHTTPClient: httpClient,
		// A held request must not time out and be sent again.
		Resilience: upstream.Resilience{AttemptTimeout: 5 * time.Minute},
	})
	goals := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	goalPages := func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/goals/filter/") }

	// A watermark at the sandbox's clock: nothing changed since.
	watermark := goalsWatermark(t, ctx, goals)

	// The first follower runs the poller, whose pages hold one goal each:
	// one batch a change.
	every5s := durationpb.New(5 * time.Second)
	a := followGoals(t, ctx, "the first follower", goals, &betterworksv1.SyncGoalsRequest{Watermark: watermark, Follow: true, PollInterval: every5s, Filter: &betterworksv1.ListGoalsRequest{PageSize: 1}})
	a.untilCaughtUp()

	// The second follower's first pass reads its first page, then waits.
	passHeld := gate.hold(func(r *http.Request) bool {
		return goalPages(r) && !r.URL.Query().Has("delta_start") && r.URL.Query().Get("page") == "2"
	})
	b := followGoals(t, ctx, "the second follower", goals, &betterworksv1.SyncGoalsRequest{Follow: true, PollInterval: every5s, Filter: &betterworksv1.ListGoalsRequest{PageSize: 20}})
	page := b.next()
	if page.err != nil || len(page.ids) != 20 {
		t.Fatalf("the second follower's first message: %d goals, %v; want 20", len(page.ids), page.err)
	}
	<-passHeld.reached

	// Changes to the goals that pass read already; the poller hands each
	// of them to its followers, more batches than a follower's buffer.
	written := make(map[string]bool)
	for i, id := range page.ids {
		name := fmt.Sprintf("changed during the second follower's first pass %d", i)
		if _, err := goals.UpdateGoal(ctx, &betterworksv1.UpdateGoalRequest{GoalId: fmt.Sprint(id), Name: &name}); err != nil {
			t.Fatalf("UpdateGoal(%d) error = %v", id, err)
		}
		written[name] = false
	}
	for seen := 0; seen < len(written); {
		for _, name := range a.untilCaughtUp() {
			if done, ok := written[name]; ok && !done {
				written[name] = true
				seen++
			}
		}
	}

	// The upstream's clock moves on past the margin, and the poller's
	// next poll begins and waits while the second follower catches up.
	clock.Advance(2 * time.Minute)
	pollHeld := gate.hold(func(r *http.Request) bool { return goalPages(r) && r.URL.Query().Has("delta_start") })
	<-pollHeld.reached
	close(passHeld.release)
	got := make(map[string]bool)
	for _, name := range b.untilCaughtUp() {
		got[name] = true
	}
	// The follower joins the poller as its marker leaves: give it the
	// time to, so that the poll under way is one it does not forward.
	time.Sleep(300 * time.Millisecond)
	close(pollHeld.release)

	for _, name := range b.untilCaughtUp() {
		got[name] = true
	}
	var lost []string
	for name := range written {
		if !got[name] {
			lost = append(lost, name)
		}
	}
	if len(lost) > 0 {
		slices.Sort(lost)
		t.Errorf("the second follower's pass and first poll after it lack %d of the %d changes made during its pass: %q", len(lost), len(written), lost)
	}
}

// TestSharedPollerPollsAtTheShortestInterval follows goals with the
// longest poll interval, then beside it with the shortest: their shared
// poller polls at the shorter one, for both followers, long before the
// longer one is over.
func TestSharedPollerPollsAtTheShortestInterval(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	goals := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin)
	// An hourly poll never comes within the test.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	watermark := goalsWatermark(t, ctx, goals)

	hourly := followGoals(t, ctx, "the hourly follower", goals, &betterworksv1.SyncGoalsRequest{Watermark: watermark, Follow: true, PollInterval: durationpb.New(time.Hour)})
	hourly.untilCaughtUp()
	eager := followGoals(t, ctx, "the follower of every 5 s", goals, &betterworksv1.SyncGoalsRequest{Watermark: watermark, Follow: true, PollInterval: durationpb.New(5 * time.Second)})
	eager.untilCaughtUp()

	// A poll's marker, twice, for each.
	for range 2 {
		eager.untilCaughtUp()
		hourly.untilCaughtUp()
	}
}

// settle waits until the pages a closed export had fetched ahead have
// reached the sandbox's log: its count holds still for 100 ms.
func settle(sb *sandbox.Sandbox) {
	for n := -1; n != len(sb.Requests()); {
		n = len(sb.Requests())
		time.Sleep(100 * time.Millisecond)
	}
}

// TestExportFailureCarriesItsResumeToken fails the upstream in the middle
// of an export: the stream ends with the upstream's error, whose ErrorInfo
// carries the resume token of the last message sent, and resuming from it
// delivers the rest.
func TestExportFailureCarriesItsResumeToken(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	filter := &betterworksv1.ListGoalsRequest{PageSize: 10}
	whole, err := exportGoals(t, client, &betterworksv1.ExportGoalsRequest{Filter: filter})
	if err != nil {
		t.Fatalf("ExportGoals() error = %v", err)
	}

	stream, err := client.ExportGoals(t.Context(), &betterworksv1.ExportGoalsRequest{Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for stream.Receive() {
		for _, g := range stream.Msg().GetGoals() {
			got = append(got, g.GetId())
		}
		if len(got) == 10 {
			// 500 is not retried: the next page not fetched yet fails.
			st.Sandbox.SetFaults(sandbox.Fault{Endpoint: "GET /goals/filter/", Status: 500, Times: 1})
		}
	}
	err = stream.Err()
	stream.Close()
	if connect.CodeOf(err) != connect.CodeInternal {
		t.Fatalf("ExportGoals() with the upstream failing: %v, want Internal", err)
	}
	token := errorInfo(err).GetMetadata()["resume_token"]
	if token == "" {
		t.Fatalf("ExportGoals() error %v carries no resume_token", err)
	}
	st.Sandbox.SetFaults()
	rest, err := exportGoals(t, client, &betterworksv1.ExportGoalsRequest{Filter: filter, ResumeToken: token})
	if err != nil {
		t.Fatalf("ExportGoals(resume) error = %v", err)
	}
	if diff := cmp.Diff(whole.ids, append(got, rest.ids...)); diff != "" {
		t.Errorf("delivered before the failure and after resuming (-whole +got):\n%s", diff)
	}
}

// TestExportWaitsForASlowReader sends an export over HTTP/1.1 on a raw
// socket and reads nothing for a while: the fetching stops after the
// pages fetched ahead and what the socket's buffers hold, far short of the
// collection, and goes on to the end once the reader reads. (Go's HTTP/2
// client would read ahead into its own large flow-control window, which
// hides the pause.)
func TestExportWaitsForASlowReader(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Scale: sandbox.Scale{Goals: 20_000}}})
	const pages = 20_000 / 100
	addr, err := url.Parse(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", addr.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	msg, err := proto.Marshal(&betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{PageSize: 100}})
	if err != nil {
		t.Fatal(err)
	}
	envelope := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg)))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nContent-Type: application/connect+proto\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n",
		betterworksv1connect.GoalServiceExportGoalsProcedure, addr.Host, st.Key(sandbox.RoleSuperAdmin), len(envelope)+len(msg))
	if _, err := conn.Write(append(envelope, msg...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the reader reads nothing
	settle(st.Sandbox)
	paused := st.Sandbox.Count("GET /goals/filter/")
	if paused > pages/2 {
		t.Errorf("with the reader paused, the export fetched %d of %d pages", paused, pages)
	}
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatal(err)
	}
	if all := st.Sandbox.Count("GET /goals/filter/"); all < pages {
		t.Errorf("after the reader read on, the export fetched %d of %d pages", all, pages)
	}
	t.Logf("paused reader: %d of %d pages fetched", paused, pages)
}
