package upstream

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// The flights are tested here, below the client, because the orders of
// events that matter (who leaves when, a fetch that panics) cannot be
// arranged through HTTP. The facade's tests cover the same rules end to
// end (internal/server/caching_test.go).

// fetchGate is a fetch that waits for its test to let it answer, or for
// its context to end.
type fetchGate struct {
	started chan struct{} // closed when the fetch begins
	answer  chan struct{} // closed by the test to let it answer
	ended   chan error    // the fetch context's error when it returned
	calls   int           // fetches made
	mu      sync.Mutex    // guards calls
	ctxs    chan context.Context
}

func newFetchGate() *fetchGate {
	return &fetchGate{
		started: make(chan struct{}),
		answer:  make(chan struct{}),
		ended:   make(chan error, 1),
		ctxs:    make(chan context.Context, 1),
	}
}

func (g *fetchGate) fetch(ctx context.Context) (*answer, error) {
	g.mu.Lock()
	g.calls++
	g.mu.Unlock()
	g.ctxs <- ctx
	close(g.started)
	select {
	case <-g.answer:
		g.ended <- nil
		return newAnswer(200), nil
	case <-ctx.Done():
		g.ended <- ctx.Err()
		return nil, ctx.Err()
	}
}

type doResult struct {
	ans    *answer
	shared bool
	err    error
}

func startDo(f *flights, ctx context.Context, key flightKey, fetch func(context.Context) (*answer, error)) chan doResult {
	out := make(chan doResult, 1)
	go func() {
		ans, shared, err := f.do(ctx, tokenFamily{token: "t", family: "goals"}, key, fetch)
		out <- doResult{ans, shared, err}
	}()
	return out
}

// waitWaiters waits until key's flight counts n waiters.
func waitWaiters(t *testing.T, f *flights, key flightKey, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		f.mu.Lock()
		fl := f.m[key]
		got := fl != nil && fl.waiters == n
		f.mu.Unlock()
		if got {
			return
		}
	}
	t.Fatalf("the flight of %v never had %d waiters", key, n)
}

// pair is a flight with two waiters: a leader whose fetch is gate's and
// a follower, each with a context of its own to leave by.
type pair struct {
	f                            flights
	key                          flightKey
	gate                         *fetchGate
	leader, follower             chan doResult
	leaderLeaves, followerLeaves context.CancelFunc
}

func startPair(t *testing.T) *pair {
	t.Helper()
	p := &pair{key: flightKey{token: "t", url: "goals/1/"}, gate: newFetchGate()}
	leaderCtx, leaderLeaves := context.WithCancel(t.Context())
	followerCtx, followerLeaves := context.WithCancel(t.Context())
	p.leaderLeaves, p.followerLeaves = leaderLeaves, followerLeaves
	p.leader = startDo(&p.f, leaderCtx, p.key, p.gate.fetch)
	<-p.gate.started
	p.follower = startDo(&p.f, followerCtx, p.key, p.gate.fetch)
	waitWaiters(t, &p.f, p.key, 2)
	return p
}

func TestFlightLeaderWhoLeavesFetchesOnForTheOthers(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	f, key, gate, leader, follower := &p.f, p.key, p.gate, p.leader, p.follower

	p.leaderLeaves()
	waitWaiters(t, f, key, 1)
	select {
	case r := <-leader:
		t.Fatalf("the leader returned %+v while its fetch still served a follower", r)
	case <-time.After(50 * time.Millisecond):
	}
	fctx := <-gate.ctxs
	if fctx.Err() != nil {
		t.Fatalf("the fetch context ended (%v) although a follower waits", fctx.Err())
	}

	close(gate.answer)
	if r := <-leader; !errors.Is(r.err, context.Canceled) || r.ans != nil || r.shared {
		t.Errorf("leader got %+v, want no answer and context.Canceled", r)
	}
	r := <-follower
	if r.err != nil || r.ans == nil || !r.shared {
		t.Fatalf("follower got %+v, want the shared answer", r)
	}
	if got := r.ans.refs.Load(); got != 1 {
		t.Errorf("answer references = %d, want 1: the follower's alone", got)
	}
	if gate.calls != 1 {
		t.Errorf("fetches = %d, want 1", gate.calls)
	}
	if len(f.m) != 0 {
		t.Errorf("flights left in the map: %v", f.m)
	}
}

func TestFlightLastOneOutCancelsTheFetch(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	f, gate, leader, follower := &p.f, p.gate, p.leader, p.follower

	p.followerLeaves()
	if r := <-follower; !errors.Is(r.err, context.Canceled) {
		t.Errorf("follower got %+v, want context.Canceled", r)
	}
	p.leaderLeaves()
	if err := <-gate.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the fetch ended with %v, want its context canceled", err)
	}
	if r := <-leader; !errors.Is(r.err, context.Canceled) || r.ans != nil {
		t.Errorf("leader got %+v, want context.Canceled", r)
	}
	if len(f.m) != 0 {
		t.Errorf("flights left in the map: %v", f.m)
	}
}

func TestFlightThatPanicsFreesItsKey(t *testing.T) {
	t.Parallel()
	var f flights
	key := flightKey{token: "t", url: "goals/1/"}
	started, release := make(chan struct{}), make(chan struct{})
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		_, _, _ = f.do(t.Context(), tokenFamily{}, key, func(context.Context) (*answer, error) {
			close(started)
			<-release
			panic("decoder bug")
		})
	}()
	<-started
	follower := startDo(&f, t.Context(), key, func(context.Context) (*answer, error) {
		t.Error("the follower fetched: it should have joined the flight")
		return nil, nil
	})
	waitWaiters(t, &f, key, 2)
	close(release)
	if p := <-panicked; p != "decoder bug" {
		t.Errorf("recovered %v, want the fetch's panic to reach the leader's caller", p)
	}
	if r := <-follower; !errors.Is(r.err, errFlightAborted) {
		t.Errorf("follower got %+v, want errFlightAborted", r)
	}
	// The key is free: the next read fetches afresh.
	gate := newFetchGate()
	close(gate.answer)
	r := <-startDo(&f, t.Context(), key, gate.fetch)
	if r.err != nil || r.shared {
		t.Errorf("next read got %+v, want its own answer", r)
	}
	r.ans.release()
}

// TestFlightTakesTheLatestDeadlineOfItsWaiters lets a leader's deadline
// pass while a follower with more time waits: the fetch runs on, with the
// follower's deadline, and the follower gets its answer.
func TestFlightTakesTheLatestDeadlineOfItsWaiters(t *testing.T) {
	t.Parallel()
	var f flights
	key := flightKey{token: "t", url: "goals/1/"}
	gate := newFetchGate()
	// Time enough for the follower to join on a loaded machine.
	leaderDeadline := time.Now().Add(time.Second)
	leaderCtx, cancelLeader := context.WithDeadline(t.Context(), leaderDeadline)
	defer cancelLeader()
	followerDeadline := time.Now().Add(time.Hour)
	followerCtx, cancelFollower := context.WithDeadline(t.Context(), followerDeadline)
	defer cancelFollower()
	leader := startDo(&f, leaderCtx, key, gate.fetch)
	<-gate.started
	fctx := <-gate.ctxs
	if d, ok := fctx.Deadline(); !ok || !d.Equal(leaderDeadline) {
		t.Errorf("fetch deadline alone = %v, %t; want the leader's %v", d, ok, leaderDeadline)
	}
	follower := startDo(&f, followerCtx, key, gate.fetch)
	waitWaiters(t, &f, key, 2)

	if d, ok := fctx.Deadline(); !ok || !d.Equal(followerDeadline) {
		t.Errorf("fetch deadline with the follower = %v, %t; want the follower's %v", d, ok, followerDeadline)
	}
	<-leaderCtx.Done()
	waitWaiters(t, &f, key, 1)
	if err := fctx.Err(); err != nil {
		t.Fatalf("the fetch context ended (%v) with the leader's deadline, although the follower waits", err)
	}
	close(gate.answer)
	if r := <-leader; !errors.Is(r.err, context.DeadlineExceeded) || r.ans != nil {
		t.Errorf("leader got %+v, want its own context.DeadlineExceeded", r)
	}
	if r := <-follower; r.err != nil || r.ans == nil || !r.shared {
		t.Errorf("follower got %+v, want the shared answer", r)
	}
}
