package server_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/redistest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

const getGoalEndpoint = "GET /goals/{id}/"

// details returns err's details of type T.
func details[T any](err error) []T {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return nil
	}
	var out []T
	for _, d := range cerr.Details() {
		if v, err := d.Value(); err == nil {
			if t, ok := v.(T); ok {
				out = append(out, t)
			}
		}
	}
	return out
}

// refusal describes an error: its code, ErrorInfo reason and RetryInfo.
func refusal(err error) (code connect.Code, reason string, retry time.Duration) {
	if infos := details[*errdetails.ErrorInfo](err); len(infos) > 0 {
		reason = infos[0].GetReason()
	}
	if retries := details[*errdetails.RetryInfo](err); len(retries) > 0 {
		retry = retries[0].GetRetryDelay().AsDuration()
	}
	return connect.CodeOf(err), reason, retry
}

func getGoal(ctx context.Context, st *facadetest.Stack, role sandbox.Role) error {
	_, err := st.Goals(facadetest.GRPC, role).GetGoal(ctx, &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)})
	return err
}

func TestUpstreamDownIsUnavailableAfterRetries(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{Resilience: upstream.Resilience{Rand: func() float64 { return 0 }}})
	st.CloseUpstream()

	err := getGoal(t.Context(), st, sandbox.RoleUser)

	if code, reason, _ := refusal(err); code != connect.CodeUnavailable || reason != "UPSTREAM_UNAVAILABLE" {
		t.Errorf("GetGoal() = %v %s, want unavailable UPSTREAM_UNAVAILABLE (err: %v)", code, reason, err)
	}
}

func TestSlowUpstreamEndsAtTheCallersDeadline(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Faults: []sandbox.Fault{
		{Endpoint: getGoalEndpoint, Latency: time.Minute},
	}}})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()

	start := time.Now()
	err := getGoal(ctx, st, sandbox.RoleUser)
	took := time.Since(start)

	if code := connect.CodeOf(err); code != connect.CodeDeadlineExceeded {
		t.Errorf("GetGoal() code = %v, want deadline_exceeded (err: %v)", code, err)
	}
	if took > 5*time.Second {
		t.Errorf("GetGoal() took %v against a one-minute upstream; the deadline did not end it", took)
	}
	waitUntil(t, "the sandbox to see the request canceled", func() bool {
		reqs := st.Sandbox.Requests()
		return len(reqs) == 1 && reqs[0].Canceled
	})
}

func TestSlowAttemptIsRetriedWithinTheDeadline(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:    sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Latency: time.Minute, Times: 1}}},
		Resilience: upstream.Resilience{AttemptTimeout: 200 * time.Millisecond, Rand: func() float64 { return 0 }},
	})

	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Fatalf("GetGoal() error = %v, want the second attempt's goal", err)
	}
	if n := st.Sandbox.Count(getGoalEndpoint); n != 2 {
		t.Errorf("sandbox saw %d GetGoal requests, want 2: one timed out, one answered", n)
	}
}

func TestBreakerOpensOnFailuresFailsFastAndRecovers(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox: sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Status: 503}}},
		Resilience: upstream.Resilience{
			MaxAttempts: 1,
			Breaker:     upstream.BreakerSettings{ConsecutiveFailures: 5, OpenFor: 300 * time.Millisecond, Probes: 1},
		},
	})
	for i := range 5 {
		if code, reason, _ := refusal(getGoal(t.Context(), st, sandbox.RoleUser)); reason != "UPSTREAM_UNAVAILABLE" {
			t.Fatalf("call %d = %v %s, want the upstream's 503", i, code, reason)
		}
	}
	if got := st.Upstream.BreakerState(getGoalEndpoint); got != "open" {
		t.Fatalf("breaker after 5 failures = %s, want open", got)
	}

	// Open: refused at once, nothing sent, with the time to come back.
	err := getGoal(t.Context(), st, sandbox.RoleUser)
	code, reason, retry := refusal(err)
	if code != connect.CodeUnavailable || reason != "UPSTREAM_CIRCUIT_OPEN" || retry <= 0 || retry > 300*time.Millisecond {
		t.Errorf("GetGoal() with the breaker open = %v %s retry %v, want unavailable UPSTREAM_CIRCUIT_OPEN within 300ms", code, reason, retry)
	}
	if n := st.Sandbox.Count(getGoalEndpoint); n != 5 {
		t.Errorf("sandbox saw %d requests, want 5: the open breaker sends none", n)
	}
	// Another endpoint family keeps its own breaker.
	if _, err := st.People(facadetest.GRPC, sandbox.RoleSuperAdmin).GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: "100"}); err != nil {
		t.Errorf("GetUser() with the goals breaker open: %v, want the users family unaffected", err)
	}

	// Half-open after the wait the error named: one probe, which succeeds.
	st.Sandbox.SetFaults()
	time.Sleep(retry)
	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Fatalf("GetGoal() after the open period = %v, want the probe to succeed", err)
	}
	if got := st.Upstream.BreakerState(getGoalEndpoint); got != "closed" {
		t.Errorf("breaker after a successful probe = %s, want closed", got)
	}
}

func TestClientErrorsNeverOpenTheBreaker(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:    sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Status: 404}}},
		Resilience: upstream.Resilience{Breaker: upstream.BreakerSettings{ConsecutiveFailures: 3, MinRequests: 5}},
	})
	for range 40 {
		if code := connect.CodeOf(getGoal(t.Context(), st, sandbox.RoleUser)); code != connect.CodeNotFound {
			t.Fatalf("GetGoal() code = %v, want not_found", code)
		}
	}
	if got, n := st.Upstream.BreakerState(getGoalEndpoint), st.Sandbox.Count(getGoalEndpoint); got != "closed" || n != 40 {
		t.Errorf("after 40 answers of 404: breaker %s, sandbox saw %d; want closed and 40, none retried", got, n)
	}
}

func TestTooManyRequestsPausesTheTokenForEveryCaller(t *testing.T) {
	t.Parallel()
	limiter := ratelimit.New(ratelimit.Config{})
	keys := map[string]string{"first": auth.GenerateKey(), "second": auth.GenerateKey(), "other-token": auth.GenerateKey()}
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:      sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Status: 429, RetryAfter: "30", Times: 1}}},
		Limiter:      limiter,
		UpstreamPace: ratelimit.Limit{Rate: 100, Burst: 100},
		Callers: func(sb *sandbox.Sandbox) *auth.Store {
			token := map[string]sandbox.Role{"first": sandbox.RoleSuperAdmin, "second": sandbox.RoleSuperAdmin, "other-token": sandbox.RoleUser}
			var callers []*auth.Caller
			for name, key := range keys {
				callers = append(callers, &auth.Caller{Name: name, Token: upstream.NewToken(sb.Token(token[name])), KeyHashes: []auth.KeyHash{auth.HashKey(key)}})
			}
			registry, err := auth.NewRegistry(nil, callers...)
			if err != nil {
				t.Fatal(err)
			}
			return auth.NewStore(registry)
		},
	})
	call := func(name string) error {
		_, err := goalsClient(st, facadetest.GRPC, keys[name]).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)})
		return err
	}

	code, reason, retry := refusal(call("first"))
	if code != connect.CodeResourceExhausted || reason != "UPSTREAM_RATE_LIMITED" || retry != 30*time.Second {
		t.Errorf("first caller = %v %s retry %v, want resource_exhausted UPSTREAM_RATE_LIMITED retry 30s", code, reason, retry)
	}
	code, reason, retry = refusal(call("second"))
	if code != connect.CodeResourceExhausted || reason != "UPSTREAM_TOKEN_RATE_LIMITED" || retry < 25*time.Second {
		t.Errorf("second caller, same token = %v %s retry %v, want resource_exhausted UPSTREAM_TOKEN_RATE_LIMITED retry ~30s", code, reason, retry)
	}
	if n := st.Sandbox.Count(getGoalEndpoint); n != 1 {
		t.Errorf("sandbox saw %d requests, want 1: the paused token sends nothing", n)
	}
	if err := call("other-token"); err != nil {
		t.Errorf("a caller with another token: %v, want its goal", err)
	}
}

func TestReadsAreRetriedWritesAreNot(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox: sandbox.Config{Faults: []sandbox.Fault{
			{Endpoint: getGoalEndpoint, Status: 503, Times: 2},
			{Endpoint: "POST /goals/", Status: 503},
		}},
		Resilience: upstream.Resilience{Rand: func() float64 { return 0 }},
	})
	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Errorf("GetGoal() through two 503s = %v, want the third attempt's goal", err)
	}
	if n := st.Sandbox.Count(getGoalEndpoint); n != 3 {
		t.Errorf("sandbox saw %d GetGoal requests, want 3", n)
	}

	user := st.Sandbox.UserFor(sandbox.RoleUser)
	_, err := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin).CreateGoal(t.Context(), &betterworksv1.CreateGoalRequest{
		OwnerUserId: fmt.Sprint(user.ID), Name: "Sent once", Start: "2026-01-01", End: "2026-12-31",
		Visibility:     betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
		CreationSource: betterworksv1.GoalCreationSource_GOAL_CREATION_SOURCE_MANUAL,
		Type:           betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS,
	})
	if code := connect.CodeOf(err); code != connect.CodeUnavailable {
		t.Errorf("CreateGoal() code = %v, want unavailable (err: %v)", code, err)
	}
	if n := st.Sandbox.Count("POST /goals/"); n != 1 {
		t.Errorf("sandbox saw %d CreateGoal requests, want 1: a write is never sent twice", n)
	}
}

func TestRetryBudgetCapsLoadDuringAnOutage(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:    sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Status: 503}}},
		Resilience: upstream.Resilience{Breaker: upstream.BreakerSettings{Disabled: true}, Rand: func() float64 { return 0 }},
	})
	const calls = 40
	for range calls {
		_ = getGoal(t.Context(), st, sandbox.RoleUser)
	}
	// Without a budget, 3 attempts each would be 120 requests.
	n := st.Sandbox.Count(getGoalEndpoint)
	t.Logf("%d calls during the outage made %d upstream requests", calls, n)
	if n < calls || n > calls*12/10 {
		t.Errorf("sandbox saw %d requests for %d calls, want at most %d: retries are at most 20%% of requests", n, calls, calls*12/10)
	}
}

func TestCallerQuotaRefusesWithRetryInfo(t *testing.T) {
	t.Parallel()
	now := time.Now()
	quotas := ratelimit.New(ratelimit.Config{Now: func() time.Time { return now }})
	key := auth.GenerateKey()
	st := facadetest.Start(t, facadetest.Options{
		Limiter: quotas,
		Callers: func(sb *sandbox.Sandbox) *auth.Store {
			registry, err := auth.NewRegistry(nil, &auth.Caller{
				Name: "batch-job", Token: upstream.NewToken(sb.Token(sandbox.RoleUser)),
				KeyHashes: []auth.KeyHash{auth.HashKey(key)}, Quota: auth.Quota{Rate: 1, Burst: 2},
			})
			if err != nil {
				t.Fatal(err)
			}
			return auth.NewStore(registry)
		},
	})
	req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}
	for i := range 2 {
		if _, err := goalsClient(st, facadetest.Connect, key).GetGoal(t.Context(), req); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}

	_, err := goalsClient(st, facadetest.Connect, key).GetGoal(t.Context(), req)

	code, reason, retry := refusal(err)
	if code != connect.CodeResourceExhausted || reason != "CALLER_QUOTA_EXCEEDED" || retry <= 0 || retry > time.Second {
		t.Errorf("third call = %v %s retry %v, want resource_exhausted CALLER_QUOTA_EXCEEDED within 1s", code, reason, retry)
	}
	if failures := details[*errdetails.QuotaFailure](err); len(failures) != 1 || failures[0].GetViolations()[0].GetSubject() != "caller:batch-job" {
		t.Errorf("QuotaFailure = %v, want one violation of caller:batch-job", failures)
	}
	if n := st.Sandbox.Count(getGoalEndpoint); n != 2 {
		t.Errorf("sandbox saw %d requests, want 2", n)
	}
}

func TestTokenPaceThatCannotFitTheDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	limiter := ratelimit.New(ratelimit.Config{})
	st := facadetest.Start(t, facadetest.Options{Limiter: limiter, UpstreamPace: ratelimit.Limit{Rate: 0.1, Burst: 1}})
	if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
		t.Fatalf("first call: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()

	start := time.Now()
	err := getGoal(ctx, st, sandbox.RoleUser)

	code, reason, retry := refusal(err)
	if code != connect.CodeResourceExhausted || reason != "UPSTREAM_TOKEN_RATE_LIMITED" || retry < 5*time.Second {
		t.Errorf("second call = %v %s retry %v, want resource_exhausted UPSTREAM_TOKEN_RATE_LIMITED ~10s", code, reason, retry)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("the refusal took %v; it must come at once, not at the deadline", took)
	}
}

// waitUntil polls cond for at most 10 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRedisSharesQuotasAcrossReplicas runs two facades, as two replicas,
// on one private Redis: together they allow a caller its burst once, not
// once each. With Redis killed, both keep serving on local limiters.
func TestRedisSharesQuotasAcrossReplicas(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t)
	limiterPrefix := "test:" + auth.GenerateKey() + ":"
	replicas := make([]*facadetest.Stack, 2)
	for i := range replicas {
		limiter := ratelimit.New(ratelimit.Config{Redis: rdb.Client(), Prefix: limiterPrefix, Replicas: 2, RedisTimeout: 5 * time.Second})
		replicas[i] = facadetest.Start(t, facadetest.Options{Limiter: limiter, DefaultQuota: auth.Quota{Rate: 0.01, Burst: 4}})
	}
	allowed := 0
	for i := range 12 {
		err := getGoal(t.Context(), replicas[i%2], sandbox.RoleUser)
		switch code := connect.CodeOf(err); {
		case err == nil:
			allowed++
		case code != connect.CodeResourceExhausted:
			t.Fatalf("call %d: %v, want success or resource_exhausted", i, err)
		}
	}
	if allowed != 4 {
		t.Errorf("two replicas allowed %d calls of a caller with a burst of 4, want 4 in total", allowed)
	}

	rdb.Stop()
	for i, st := range replicas {
		if err := getGoal(t.Context(), st, sandbox.RoleUser); err != nil {
			t.Errorf("replica %d with Redis down: %v, want it to keep serving on its local limiter", i, err)
		}
	}
}

func TestRequestsInFlightAreBounded(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:    sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Latency: time.Minute}}},
		Resilience: upstream.Resilience{MaxInFlight: 1, AttemptTimeout: time.Minute},
	})
	// A slow GetGoal takes the one slot (tried again should a fast call
	// hold it at that moment) ...
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			_ = getGoal(ctx, st, sandbox.RoleUser)
		}
	}()
	// ... and then any other call is refused at once.
	people := st.People(facadetest.GRPC, sandbox.RoleSuperAdmin)
	var err error
	waitUntil(t, "a call refused while the slow one is in flight", func() bool {
		_, err = people.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: "100"})
		return err != nil
	})
	cancel()
	<-done

	if code, reason, _ := refusal(err); code != connect.CodeUnavailable || reason != "UPSTREAM_OVERLOADED" {
		t.Errorf("call while one is in flight = %v %s, want unavailable UPSTREAM_OVERLOADED (err: %v)", code, reason, err)
	}
}

// TestImpatientCallersDoNotOpenTheBreaker calls a slow upstream with a
// deadline shorter than its answers, again and again: each call ends
// DEADLINE_EXCEEDED, and the breaker, shared by every caller, stays
// closed: a caller's own deadline says nothing of the upstream's health.
func TestImpatientCallersDoNotOpenTheBreaker(t *testing.T) {
	t.Parallel()
	// The call's deadline ends at the facade (a caller's own deadline
	// ends at its side first, which cancels the call instead).
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:   sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Latency: 300 * time.Millisecond}}},
		Deadlines: server.Deadlines{Read: 50 * time.Millisecond},
	})
	for range 8 {
		if err := getGoal(t.Context(), st, sandbox.RoleUser); connect.CodeOf(err) != connect.CodeDeadlineExceeded {
			t.Fatalf("GetGoal() past the 50 ms deadline = %v, want DeadlineExceeded", err)
		}
	}
	if got := st.Upstream.BreakerState(getGoalEndpoint); got != "closed" {
		t.Errorf("breaker after 8 impatient calls = %s, want closed", got)
	}
}
