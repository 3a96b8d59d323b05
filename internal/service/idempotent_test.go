package service_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/idempotency"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/redistest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/service"
)

const createGoalEndpoint = "POST /goals/"

// replicas is a deployment under test: one sandbox, and one or more
// facades in front of it, sharing a store of request_ids.
type replicas struct {
	stacks []*facadetest.Stack
	logs   *logtest.Buffer
}

// startReplicas starts n facades in front of one sandbox; with shared,
// they keep request_ids in one real Redis, else each in process.
func startReplicas(t *testing.T, n int, shared bool) *replicas {
	t.Helper()
	logs := new(logtest.Buffer)
	opts := facadetest.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	var rdb *redistest.Server
	if shared {
		rdb = redistest.Start(t)
	}
	// Each replica has a store of its own, as each process would, on one
	// server.
	store := func() {
		if rdb != nil {
			opts.RequestIDs = server.RequestIDs{Store: idempotency.NewRedis(idempotency.RedisConfig{Client: rdb.Client()})}
		}
	}
	store()
	first := facadetest.Start(t, opts)
	r := &replicas{stacks: []*facadetest.Stack{first}, logs: logs}
	for range n - 1 {
		store()
		r.stacks = append(r.stacks, first.Replica(t, opts))
	}
	return r
}

// goals returns the GoalService client of replica i (modulo the count).
func (r *replicas) goals(i int) betterworksv1connect.GoalServiceClient {
	return r.stacks[i%len(r.stacks)].Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
}

func (r *replicas) sandbox() *sandbox.Sandbox { return r.stacks[0].Sandbox }

// goalsNamed counts the sandbox's goals named name.
func goalsNamed(t *testing.T, client betterworksv1connect.GoalServiceClient, name string) int {
	t.Helper()
	resp, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{GoalName: name, PageSize: 100})
	if err != nil {
		t.Fatalf("ListGoals() error = %v", err)
	}
	n := 0
	for _, g := range resp.GetGoals() {
		if g.GetName() == name {
			n++
		}
	}
	return n
}

// retry sends req again through replica i, wants it answered, and wants
// goals of its name to number want afterwards.
func retry(t *testing.T, r *replicas, i int, req *betterworksv1.CreateGoalRequest, want int) *betterworksv1.CreateGoalResponse {
	t.Helper()
	resp, err := r.goals(i).CreateGoal(t.Context(), req)
	if err != nil {
		t.Fatalf("retried CreateGoal() error = %v", err)
	}
	if n := goalsNamed(t, r.goals(0), req.GetName()); n != want {
		t.Errorf("%d goals named %q, want %d", n, req.GetName(), want)
	}
	return resp
}

func idempotentCreate(t *testing.T, r *replicas, name string) *betterworksv1.CreateGoalRequest {
	req := validCreate(r.sandbox().UserFor(sandbox.RoleUser).UUID, "2026-01-01", "2026-06-30")
	req.Name = name
	req.RequestId = uuid.NewString()
	return req
}

func TestRequestIDRetriesApplyOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		replicas int
		shared   bool
	}{{"one_replica_in_process", 1, false}, {"two_replicas_sharing_redis", 2, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := startReplicas(t, tc.replicas, tc.shared)
			req := idempotentCreate(t, r, "Retried ten times")
			var first int64
			for i := range 10 {
				resp, err := r.goals(i).CreateGoal(t.Context(), req)
				if err != nil {
					t.Fatalf("CreateGoal() attempt %d error = %v", i+1, err)
				}
				if i == 0 {
					first = resp.GetGoal().GetId()
				} else if got := resp.GetGoal().GetId(); got != first {
					t.Fatalf("CreateGoal() attempt %d = goal %d, want the first attempt's %d", i+1, got, first)
				}
			}
			if n := r.sandbox().Count(createGoalEndpoint); n != 1 {
				t.Errorf("sandbox saw %d %s, want 1", n, createGoalEndpoint)
			}
			if n := goalsNamed(t, r.goals(0), req.GetName()); n != 1 {
				t.Errorf("%d goals named %q, want 1", n, req.GetName())
			}
			if n := r.logs.Count(`"request_id":"` + req.GetRequestId() + `","replayed":true`); n != 9 {
				t.Errorf("audit lines with the request_id replayed: %d, want 9\n%s", n, r.logs)
			}
			if n := r.logs.Count(`"request_id":"` + req.GetRequestId() + `","replayed":false`); n != 1 {
				t.Errorf("audit lines with the request_id applied: %d, want 1", n)
			}
		})
	}
}

func TestRequestIDConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		replicas int
		shared   bool
	}{{"one_replica_in_process", 1, false}, {"two_replicas_sharing_redis", 2, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := startReplicas(t, tc.replicas, tc.shared)
			// The sandbox answers slowly, so the duplicates arrive while
			// the first attempt runs.
			r.sandbox().SetFaults(sandbox.Fault{Endpoint: createGoalEndpoint, Latency: 200 * time.Millisecond})
			req := idempotentCreate(t, r, "Twenty at once")
			ids := make([]int64, 20)
			errs := make([]error, 20)
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					resp, err := r.goals(i).CreateGoal(t.Context(), req)
					ids[i], errs[i] = resp.GetGoal().GetId(), err
				})
			}
			wg.Wait()
			for i := range 20 {
				if errs[i] != nil || ids[i] != ids[0] {
					t.Errorf("duplicate %d = goal %d, error %v; want goal %d", i, ids[i], errs[i], ids[0])
				}
			}
			if n := r.sandbox().Count(createGoalEndpoint); n != 1 {
				t.Errorf("sandbox saw %d %s, want 1", n, createGoalEndpoint)
			}
		})
	}
}

func TestRequestIDReusedWithAnotherRequest(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	req := idempotentCreate(t, r, "First body")
	if _, err := r.goals(0).CreateGoal(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	other := idempotentCreate(t, r, "Second body")
	other.RequestId = strings.ToUpper(req.GetRequestId()) // the same UUID, spelled otherwise
	_, err := r.goals(0).CreateGoal(t.Context(), other)
	if connect.CodeOf(err) != connect.CodeInvalidArgument || rpcerr.Reason(err) != service.ReasonRequestIDReused {
		t.Fatalf("CreateGoal() with a reused request_id: error %v, want INVALID_ARGUMENT %s", err, service.ReasonRequestIDReused)
	}
	if v := fieldViolations(err); len(v) != 1 || v[0].GetField() != "request_id" {
		t.Errorf("field violations = %v, want one on request_id", v)
	}
	// Another RPC with the same request_id is another request too.
	_, err = r.stacks[0].People(facadetest.Connect, sandbox.RoleSuperAdmin).CreateDepartment(t.Context(),
		&betterworksv1.CreateDepartmentRequest{Name: "Reused id", RequestId: req.GetRequestId()})
	if rpcerr.Reason(err) != service.ReasonRequestIDReused {
		t.Errorf("CreateDepartment() with CreateGoal's request_id: error %v, want %s", err, service.ReasonRequestIDReused)
	}
	if n := r.sandbox().Count(createGoalEndpoint); n != 1 {
		t.Errorf("sandbox saw %d %s, want 1", n, createGoalEndpoint)
	}
}

func TestRequestIDInvalid(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	req := idempotentCreate(t, r, "Bad id")
	req.RequestId = "not-a-uuid"
	_, err := r.goals(0).CreateGoal(t.Context(), req)
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("CreateGoal() with request_id %q: error %v, want INVALID_ARGUMENT", req.GetRequestId(), err)
	}
	if !containsText(err, "request_id") {
		t.Errorf("error %v does not name request_id", err)
	}
	if n := r.sandbox().Count(createGoalEndpoint); n != 0 {
		t.Errorf("sandbox saw %d %s, want 0", n, createGoalEndpoint)
	}
}

// TestRequestIDAnswerDropped: the sandbox applies the create and drops
// the connection; the retry finds the goal by its natural key instead of
// making a second one.
func TestRequestIDAnswerDropped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		replicas int
		shared   bool
	}{{"one_replica_in_process", 1, false}, {"two_replicas_sharing_redis", 2, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := startReplicas(t, tc.replicas, tc.shared)
			r.sandbox().SetFaults(sandbox.Fault{Endpoint: createGoalEndpoint, Drop: true, Times: 1})
			req := idempotentCreate(t, r, "Answer lost on the way")
			if _, err := r.goals(0).CreateGoal(t.Context(), req); err == nil {
				t.Fatal("CreateGoal() with the answer dropped succeeded, want an error")
			}
			resp := retry(t, r, 1, req, 1)
			if resp.GetGoal().GetName() != req.GetName() || resp.GetGoal().GetId() == 0 {
				t.Errorf("retried CreateGoal() = %v, want the goal the first attempt made", resp.GetGoal())
			}
			if n := r.sandbox().Count(createGoalEndpoint); n != 1 {
				t.Errorf("sandbox saw %d %s, want 1", n, createGoalEndpoint)
			}
			// Later retries replay the answer found.
			again, err := r.goals(0).CreateGoal(t.Context(), req)
			if err != nil || again.GetGoal().GetId() != resp.GetGoal().GetId() {
				t.Errorf("third CreateGoal() = %v, %v; want goal %d", again.GetGoal(), err, resp.GetGoal().GetId())
			}
		})
	}
}

// TestRequestIDNotAppliedRunsAgain: an answer the upstream refused
// without applying (a 503 from a proxy, no Drop) leaves the outcome
// unknown to the facade; the retry looks, finds nothing and applies.
func TestRequestIDUnknownThenNotFound(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: createGoalEndpoint, Status: 503, Times: 1})
	req := idempotentCreate(t, r, "Refused by a proxy")
	if _, err := r.goals(0).CreateGoal(t.Context(), req); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("CreateGoal() behind a 503: error %v, want UNAVAILABLE", err)
	}
	retry(t, r, 0, req, 1)
	if n := r.sandbox().Count(createGoalEndpoint); n != 2 {
		t.Errorf("sandbox saw %d %s, want 2 (the refused one and the retry)", n, createGoalEndpoint)
	}
}

// TestRequestIDAnswerDroppedAligned: the lookup finds a goal aligned to a
// parent, named by its id, as its own.
func TestRequestIDAnswerDroppedAligned(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: createGoalEndpoint, Drop: true, Times: 1})
	req := idempotentCreate(t, r, "Aligned, answer lost")
	req.ParentId = fmt.Sprint(r.sandbox().Fixtures().UserGoalID)
	if _, err := r.goals(0).CreateGoal(t.Context(), req); err == nil {
		t.Fatal("CreateGoal() with the answer dropped succeeded, want an error")
	}
	resp := retry(t, r, 0, req, 1)
	if got := resp.GetGoal().GetParent().GetId(); fmt.Sprint(got) != req.GetParentId() {
		t.Errorf("retried CreateGoal() = goal under %d, want under %s", got, req.GetParentId())
	}
	if n := r.sandbox().Count(createGoalEndpoint); n != 1 {
		t.Errorf("sandbox saw %d %s, want 1: the retry found the goal", n, createGoalEndpoint)
	}
}

// TestRequestIDLookupSkipsATwin: after an attempt that applied nothing,
// another caller creates a goal with the same owner and name but another
// period; the retry's lookup must not take that goal for its own, and
// applies the request.
func TestRequestIDLookupSkipsATwin(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: createGoalEndpoint, Status: 503, Times: 1})
	req := idempotentCreate(t, r, "Goal with a twin")
	if _, err := r.goals(0).CreateGoal(t.Context(), req); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("CreateGoal() behind a 503: error %v, want UNAVAILABLE", err)
	}
	twin := validCreate(req.GetOwnerUserId(), req.GetStart(), "2026-12-31")
	twin.Name = req.GetName()
	made, err := r.goals(0).CreateGoal(t.Context(), twin)
	if err != nil {
		t.Fatalf("CreateGoal() of the twin error = %v", err)
	}
	resp := retry(t, r, 0, req, 2) // the twin and the request's
	if resp.GetGoal().GetId() == made.GetGoal().GetId() || resp.GetGoal().GetEnd() != req.GetEnd() {
		t.Errorf("retried CreateGoal() = goal %d ending %s, want a goal of its own ending %s, not the twin %d",
			resp.GetGoal().GetId(), resp.GetGoal().GetEnd(), req.GetEnd(), made.GetGoal().GetId())
	}
}

// TestRequestIDRejectedRunsAgain: a 4xx applied nothing, so the retry is
// applied, and may succeed where the first failed; the request_id stays
// bound to its request all the same.
func TestRequestIDRejectedRunsAgain(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: createGoalEndpoint, Status: 423, Body: `{"detail":"Goal is locked."}`, Times: 1})
	req := idempotentCreate(t, r, "Refused once")
	if _, err := r.goals(0).CreateGoal(t.Context(), req); err == nil {
		t.Fatal("CreateGoal() behind a 423 succeeded, want an error")
	}
	other := idempotentCreate(t, r, "Another body after a refusal")
	other.RequestId = req.GetRequestId()
	if _, err := r.goals(0).CreateGoal(t.Context(), other); rpcerr.Reason(err) != service.ReasonRequestIDReused {
		t.Errorf("CreateGoal() with another body after a refusal: error %v, want %s", err, service.ReasonRequestIDReused)
	}
	retry(t, r, 0, req, 1)
}

// TestRequestIDNeverSentRunsAgain: a refusal before anything was sent
// leaves no record.
func TestRequestIDNeverSentRunsAgain(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: createGoalEndpoint, Status: 429, RetryAfter: "0", Times: 1})
	req := idempotentCreate(t, r, "Rate limited once")
	if _, err := r.goals(0).CreateGoal(t.Context(), req); err == nil {
		t.Fatal("CreateGoal() behind a 429 succeeded, want an error")
	}
	retry(t, r, 0, req, 1)
}

// TestRequestIDNoNaturalKey: a check-in whose answer was dropped cannot
// be looked up; its retry is refused, not applied again.
func TestRequestIDNoNaturalKey(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	fx := r.sandbox().Fixtures()
	const endpoint = "POST /goals/{id}/checkin/"
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: endpoint, Drop: true, Times: 1})
	req := &betterworksv1.CheckInGoalRequest{GoalId: fmt.Sprint(fx.UserNumericKeyResultID), Progress: &betterworksv1.CheckInGoalRequest_Value{Value: 7}, RequestId: uuid.NewString()}
	if _, err := r.goals(0).CheckInGoal(t.Context(), req); err == nil {
		t.Fatal("CheckInGoal() with the answer dropped succeeded, want an error")
	}
	for range 2 {
		_, err := r.goals(0).CheckInGoal(t.Context(), req)
		if connect.CodeOf(err) != connect.CodeAborted || rpcerr.Reason(err) != service.ReasonOutcomeUnknown {
			t.Fatalf("retried CheckInGoal() error = %v, want ABORTED %s", err, service.ReasonOutcomeUnknown)
		}
	}
	if n := r.sandbox().Count(endpoint); n != 1 {
		t.Errorf("sandbox saw %d %s, want 1", n, endpoint)
	}
}

// TestRequestIDClaimWhoseAnswerWasLost: the store applies a check-in's
// claim of its request_id but its answer is lost, so the call fails
// UNAVAILABLE, saying nothing was applied; the retry it asks for must
// apply the check-in, once, not find an orphaned claim and end in an
// unknown outcome.
func TestRequestIDClaimWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	memory, err := idempotency.NewMemory(idempotency.MemoryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	store := &losesFirstClaim{Store: memory}
	st := facadetest.Start(t, facadetest.Options{RequestIDs: server.RequestIDs{Store: store}})
	const endpoint = "POST /goals/{id}/checkin/"
	req := &betterworksv1.CheckInGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserNumericKeyResultID), Progress: &betterworksv1.CheckInGoalRequest_Value{Value: 7}, RequestId: uuid.NewString()}
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	if _, err := client.CheckInGoal(t.Context(), req); connect.CodeOf(err) != connect.CodeUnavailable || rpcerr.Reason(err) != service.ReasonRequestIDsUnavailable {
		t.Fatalf("CheckInGoal() with the claim's answer lost: error = %v, want UNAVAILABLE %s", err, service.ReasonRequestIDsUnavailable)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	_, err = client.CheckInGoal(ctx, req)

	if err != nil {
		t.Errorf("retried CheckInGoal() error = %v, want it applied", err)
	}
	if n := st.Sandbox.Count(endpoint); n != 1 {
		t.Errorf("sandbox saw %d %s, want 1", n, endpoint)
	}
}

// TestRequestIDStoreFullRefusesTheWrite: a caller that holds its whole
// share of the in-process store of request_ids is refused a new
// request_id before anything is applied; the records it holds are kept,
// so that their retries are still answered from them and applied once;
// and another caller's writes are still taken.
func TestRequestIDStoreFullRefusesTheWrite(t *testing.T) {
	t.Parallel()
	// A share with room for one pending claim, and not for another once
	// its answer is recorded.
	memory, err := idempotency.NewMemory(idempotency.MemoryConfig{MaxBytes: 1 << 20, MaxScopeBytes: 600})
	if err != nil {
		t.Fatal(err)
	}
	st := facadetest.Start(t, facadetest.Options{RequestIDs: server.RequestIDs{Store: memory}})
	const endpoint = "POST /goals/{id}/checkin/"
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserNumericKeyResultID)
	checkIn := func(value float64) *betterworksv1.CheckInGoalRequest {
		return &betterworksv1.CheckInGoalRequest{GoalId: goalID, Progress: &betterworksv1.CheckInGoalRequest_Value{Value: value}, RequestId: uuid.NewString()}
	}
	first := checkIn(7)
	greedy := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	if _, err := greedy.CheckInGoal(t.Context(), first); err != nil {
		t.Fatalf("first CheckInGoal() error = %v", err)
	}
	if used := memory.Bytes(); used <= 600 {
		t.Fatalf("store holds %d bytes after the first answer, want over the share of 600 for this test", used)
	}

	_, err = greedy.CheckInGoal(t.Context(), checkIn(8))

	if connect.CodeOf(err) != connect.CodeResourceExhausted || rpcerr.Reason(err) != service.ReasonRequestIDsFull {
		t.Errorf("CheckInGoal() with the caller's share full: error = %v, want RESOURCE_EXHAUSTED %s", err, service.ReasonRequestIDsFull)
	}
	if n := st.Sandbox.Count(endpoint); n != 1 {
		t.Errorf("sandbox saw %d %s, want 1: the refused check-in was not applied", n, endpoint)
	}
	if _, err := greedy.CheckInGoal(t.Context(), first); err != nil {
		t.Fatalf("retried first CheckInGoal() error = %v", err)
	}
	if n := st.Sandbox.Count(endpoint); n != 1 {
		t.Errorf("sandbox saw %d %s after the first one's retry, want 1: its record was kept, and answered it", n, endpoint)
	}
	if _, err := st.Goals(facadetest.Connect, sandbox.RoleUser).CheckInGoal(t.Context(), checkIn(9)); err != nil {
		t.Errorf("another caller's CheckInGoal() error = %v, want it applied", err)
	}
	if n := st.Sandbox.Count(endpoint); n != 2 {
		t.Errorf("sandbox saw %d %s, want 2", n, endpoint)
	}
}

// TestRequestIDStoreFullIsLoggedOnce: a full store refuses every new
// request_id, and says so in the log once a minute, not once a write.
func TestRequestIDStoreFullIsLoggedOnce(t *testing.T) {
	t.Parallel()
	memory, err := idempotency.NewMemory(idempotency.MemoryConfig{MaxBytes: 1, MaxScopeBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	logs := new(logtest.Buffer)
	st := facadetest.Start(t, facadetest.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), RequestIDs: server.RequestIDs{Store: memory}})
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserNumericKeyResultID)
	for i := range 3 {
		_, err := client.CheckInGoal(t.Context(), &betterworksv1.CheckInGoalRequest{GoalId: goalID, Progress: &betterworksv1.CheckInGoalRequest_Value{Value: float64(i)}, RequestId: uuid.NewString()})
		if rpcerr.Reason(err) != service.ReasonRequestIDsFull {
			t.Fatalf("CheckInGoal() with the store full: error = %v, want %s", err, service.ReasonRequestIDsFull)
		}
	}
	if n := strings.Count(logs.String(), "store of request_ids is full"); n != 1 {
		t.Errorf("the log says %d times that the store is full, want once:\n%s", n, logs.String())
	}
}

// losesFirstClaim is a store whose first Claim lands but fails, as one
// whose answer a timeout or a broken connection lost.
type losesFirstClaim struct {
	idempotency.Store
	lost atomic.Bool
}

func (s *losesFirstClaim) Claim(ctx context.Context, key string, rec idempotency.Record, ttl time.Duration) (*idempotency.Record, error) {
	existing, err := s.Store.Claim(ctx, key, rec, ttl)
	if err == nil && s.lost.CompareAndSwap(false, true) {
		return nil, errors.New("i/o timeout")
	}
	return existing, err
}

// TestRequestIDAbsent: without a request_id every call is applied.
func TestRequestIDAbsent(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	req := idempotentCreate(t, r, "No request_id")
	req.RequestId = ""
	for range 2 {
		if _, err := r.goals(0).CreateGoal(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	}
	if n := goalsNamed(t, r.goals(0), req.GetName()); n != 2 {
		t.Errorf("%d goals named %q, want 2", n, req.GetName())
	}
	if n := r.logs.Count(`"request_id"`); n != 0 {
		t.Errorf("audit lines name a request_id %d times, want 0", n)
	}
}

// TestRequestIDDepartments: a department create whose answer was dropped
// is found by name; an upsert whose answer was dropped is applied again
// and makes nothing twice.
func TestRequestIDDepartments(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 2, true)
	people := func(i int) betterworksv1connect.PeopleServiceClient {
		return r.stacks[i%2].People(facadetest.Connect, sandbox.RoleSuperAdmin)
	}
	r.sandbox().SetFaults(
		sandbox.Fault{Endpoint: "POST /departments/", Drop: true, Times: 1},
		sandbox.Fault{Endpoint: "POST /departments/bulk/", Drop: true, Times: 1})
	create := &betterworksv1.CreateDepartmentRequest{Name: "Idempotent department", RequestId: uuid.NewString()}
	if _, err := people(0).CreateDepartment(t.Context(), create); err == nil {
		t.Fatal("CreateDepartment() with the answer dropped succeeded")
	}
	got, err := people(1).CreateDepartment(t.Context(), create)
	if err != nil || got.GetDepartment().GetName() != create.GetName() {
		t.Fatalf("retried CreateDepartment() = %v, %v; want the department", got, err)
	}
	upsert := &betterworksv1.UpsertDepartmentsRequest{
		Departments: []*betterworksv1.DepartmentUpsert{{Name: "Idempotent upsert"}},
		RequestId:   uuid.NewString(),
	}
	if _, err := people(0).UpsertDepartments(t.Context(), upsert); err == nil {
		t.Fatal("UpsertDepartments() with the answer dropped succeeded")
	}
	if _, err := people(1).UpsertDepartments(t.Context(), upsert); err != nil {
		t.Fatalf("retried UpsertDepartments() error = %v", err)
	}
	list, err := people(0).ListDepartments(t.Context(), &betterworksv1.ListDepartmentsRequest{PageSize: 100, IncludeDeactivated: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, d := range list.GetDepartments() {
		counts[d.GetName()]++
	}
	if counts[create.GetName()] != 1 || counts["Idempotent upsert"] != 1 {
		t.Errorf("departments: %d named %q, %d named %q; want 1 and 1", counts[create.GetName()], create.GetName(), counts["Idempotent upsert"], "Idempotent upsert")
	}
	if n := r.sandbox().Count("POST /departments/"); n != 1 {
		t.Errorf("sandbox saw %d POST /departments/, want 1", n)
	}
}

// TestRequestIDDepartmentFromBeforeIsNotTheCreatedOne: a create of a
// department under a name the upstream already has, whose refusal was
// lost, is retried: the department of that name from before is not what
// the first attempt made, so the retry applies afresh and is refused.
func TestRequestIDDepartmentFromBeforeIsNotTheCreatedOne(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	people := r.stacks[0].People(facadetest.Connect, sandbox.RoleSuperAdmin)
	existing, err := people.ListDepartments(t.Context(), &betterworksv1.ListDepartmentsRequest{PageSize: 1})
	if err != nil || len(existing.GetDepartments()) == 0 {
		t.Fatalf("ListDepartments() = %v, %v; want a seeded department", existing, err)
	}
	name := existing.GetDepartments()[0].GetName()
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: "POST /departments/", Drop: true, Times: 1})
	create := &betterworksv1.CreateDepartmentRequest{Name: name, RequestId: uuid.NewString()}
	if _, err := people.CreateDepartment(t.Context(), create); err == nil {
		t.Fatal("CreateDepartment() with the answer dropped succeeded")
	}

	got, err := people.CreateDepartment(t.Context(), create)

	if err == nil {
		t.Errorf("retried CreateDepartment(%q) = %v, want the upstream's refusal of a duplicate name, not the department from before", name, got)
	}
	if n := r.sandbox().Count("POST /departments/"); n != 2 {
		t.Errorf("sandbox saw %d POST /departments/, want 2: the first attempt and the retry", n)
	}
}

// TestRequestIDReplayedHeader: a replayed answer says so; an applied one
// does not.
func TestRequestIDReplayedHeader(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	st := r.stacks[0]
	body := fmt.Sprintf(`{"name": "Header check", "requestId": %q}`, uuid.NewString())
	var got []string
	for range 2 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
			st.URL+betterworksv1connect.PeopleServiceCreateDepartmentProcedure, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+st.Key(sandbox.RoleSuperAdmin))
		resp, err := st.HTTPClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CreateDepartment over Connect JSON = %s", resp.Status)
		}
		got = append(got, resp.Header.Get(service.ReplayedHeader))
	}
	if got[0] != "" || got[1] != "true" {
		t.Errorf("%s headers of the first and second answers = %q, want \"\" and \"true\"", service.ReplayedHeader, got)
	}
}

// TestRequestIDDeleteFoundByAbsence: a delete whose answer was dropped is
// done once the goal is gone.
func TestRequestIDDeleteFoundByAbsence(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 1, false)
	created, err := r.goals(0).CreateGoal(t.Context(), idempotentCreate(t, r, "Deleted once"))
	if err != nil {
		t.Fatal(err)
	}
	const endpoint = "DELETE /goals/{id}/"
	r.sandbox().SetFaults(sandbox.Fault{Endpoint: endpoint, Drop: true, Times: 1})
	req := &betterworksv1.DeleteGoalRequest{GoalId: fmt.Sprint(created.GetGoal().GetId()), RequestId: uuid.NewString()}
	if _, err := r.goals(0).DeleteGoal(t.Context(), req); err == nil {
		t.Fatal("DeleteGoal() with the answer dropped succeeded, want an error")
	}
	if _, err := r.goals(0).DeleteGoal(t.Context(), req); err != nil {
		t.Fatalf("retried DeleteGoal() error = %v, want the delete found done", err)
	}
	if n := goalsNamed(t, r.goals(0), "Deleted once"); n != 0 {
		t.Errorf("%d goals named %q after the delete, want 0", n, "Deleted once")
	}
}
