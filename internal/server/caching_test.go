package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/readcache"
	"github.com/bwfacade/facade/internal/redistest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// slowGoals makes every goal read take long enough for concurrent callers
// to overlap, even when a loaded machine (the race detector, every
// package at once) spreads their arrivals over hundreds of milliseconds.
var slowGoals = sandbox.Config{Faults: []sandbox.Fault{
	{Endpoint: "GET /goals/{id}/", Latency: time.Second},
	{Endpoint: "GET /goals/filter/", Latency: time.Second},
}}

// TestIdenticalReadsShareOneRequest makes 50 identical GetGoal calls at
// once, over the three protocols: they share the upstream's answer.
func TestIdenticalReadsShareOneRequest(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{Sandbox: slowGoals})
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	var wg sync.WaitGroup
	names := make(chan string, 50)
	for i := range 50 {
		client := st.Goals(facadetest.Protocols[i%len(facadetest.Protocols)], sandbox.RoleSuperAdmin)
		wg.Go(func() {
			resp, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})
			if err != nil {
				t.Errorf("GetGoal() error = %v", err)
				return
			}
			names <- resp.GetGoal().GetName()
		})
	}
	wg.Wait()
	close(names)
	for name := range names {
		if name == "" {
			t.Error("GetGoal() answered a goal without a name")
		}
	}
	if n := st.Sandbox.Count("GET /goals/{id}/"); n > 2 {
		t.Errorf("50 identical GetGoal calls made %d upstream requests, want at most 2", n)
	}
}

// TestReadsAreNeverSharedAcrossTokens reads another user's private goal
// as the super admin and as a plain user at once: the sandbox shows it to
// the first only, and each caller gets its own token's answer.
func TestReadsAreNeverSharedAcrossTokens(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{Sandbox: slowGoals})
	req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().OtherPrivateGoalID)}
	want := map[sandbox.Role]connect.Code{sandbox.RoleSuperAdmin: 0, sandbox.RoleUser: connect.CodeNotFound}
	var wg sync.WaitGroup
	for i := range 40 {
		role := []sandbox.Role{sandbox.RoleSuperAdmin, sandbox.RoleUser}[i%2]
		client := st.Goals(facadetest.GRPC, role)
		wg.Go(func() {
			_, err := client.GetGoal(t.Context(), req)
			if got := connect.CodeOf(err); err != nil && got != want[role] || err == nil && want[role] != 0 {
				t.Errorf("GetGoal() as %v = %v, want code %v: an answer crossed tokens", role, err, want[role])
			}
		})
	}
	wg.Wait()
	if n := st.Sandbox.Count("GET /goals/{id}/"); n < 2 {
		t.Errorf("two tokens made %d upstream requests, want at least one each", n)
	}
}

// TestACallerWhoLeavesDoesNotCancelTheOthers starts two identical calls,
// then the first leaves (canceled, or at its deadline): the second gets
// its answer from the one request.
func TestACallerWhoLeavesDoesNotCancelTheOthers(t *testing.T) {
	t.Parallel()
	// The goal read takes 2 s, so that on a loaded machine (the race
	// detector, every package at once) the second call has joined the
	// shared request well before the first leaves, and the request is
	// still under way when it does.
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Faults: []sandbox.Fault{
		{Endpoint: "GET /goals/{id}/", Latency: 2 * time.Second},
	}}})
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	tests := []struct {
		name string
		// leave starts the first call's context and makes it leave
		// 800 ms later.
		leave    func(context.Context) (context.Context, func())
		wantCode connect.Code
	}{
		{"cancels", func(ctx context.Context) (context.Context, func()) {
			ctx, cancel := context.WithCancel(ctx)
			return ctx, func() { time.Sleep(800 * time.Millisecond); cancel() }
		}, connect.CodeCanceled},
		// The first call's deadline passes: the shared request runs on
		// with the second's, which is later.
		{"deadline_passes", func(ctx context.Context) (context.Context, func()) {
			ctx, cancel := context.WithTimeout(ctx, 800*time.Millisecond)
			return ctx, func() { <-ctx.Done(); cancel() }
		}, connect.CodeDeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := st.Sandbox.Count("GET /goals/{id}/")
			ctx, leave := tt.leave(t.Context())
			first := make(chan error, 1)
			go func() {
				_, err := client.GetGoal(ctx, &betterworksv1.GetGoalRequest{GoalId: goalID})
				first <- err
			}()
			time.Sleep(200 * time.Millisecond) // the first call's request is under way
			second := make(chan error, 1)
			go func() {
				_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})
				second <- err
			}()
			leave() // the second call has joined it by then
			if err := <-first; connect.CodeOf(err) != tt.wantCode {
				t.Errorf("first GetGoal() = %v, want %v", err, tt.wantCode)
			}
			if err := <-second; err != nil {
				t.Errorf("second GetGoal() = %v, want the shared answer", err)
			}
			if n := st.Sandbox.Count("GET /goals/{id}/") - before; n != 1 {
				t.Errorf("upstream requests = %d, want 1", n)
			}
			for _, r := range st.Sandbox.Requests() {
				if r.Canceled {
					t.Errorf("the shared request was canceled: %+v", r)
				}
			}
		})
	}
}

const getGoalProcedure = betterworksv1connect.GoalServiceGetGoalProcedure

// TestCachedReadsAndTheWritesThatDropThem reads a goal twice (the second
// from the cache, with its age), renames it, and reads it again: the write
// dropped the cached read. In process and in Redis.
func TestCachedReadsAndTheWritesThatDropThem(t *testing.T) {
	t.Parallel()
	caches := map[string]func(t *testing.T) upstream.Cache{
		"memory": func(*testing.T) upstream.Cache { return nil }, // the server's default
		"redis": func(t *testing.T) upstream.Cache {
			return readcache.NewRedis(readcache.RedisConfig{Client: redistest.Start(t).Client()})
		},
	}
	for name, cache := range caches {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := facadetest.Start(t, facadetest.Options{
				CacheTTL: map[string]time.Duration{getGoalProcedure: time.Minute},
				Cache:    cache(t),
			})
			client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
			goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
			get := func() (*connect.Response[betterworksv1.GetGoalResponse], error) {
				return connect.NewClient[betterworksv1.GetGoalRequest, betterworksv1.GetGoalResponse](
					st.HTTPClient, st.URL+getGoalProcedure, facadetest.ClientOptions(facadetest.Connect, st.Key(sandbox.RoleSuperAdmin))...,
				).CallUnary(t.Context(), connect.NewRequest(&betterworksv1.GetGoalRequest{GoalId: goalID}))
			}
			first, err := get()
			if err != nil {
				t.Fatal(err)
			}
			second, err := get()
			if err != nil {
				t.Fatal(err)
			}
			if n := st.Sandbox.Count("GET /goals/{id}/"); n != 1 {
				t.Errorf("two reads made %d upstream requests, want 1", n)
			}
			if first.Header().Get("Age") != "" || second.Header().Get("Age") == "" {
				t.Errorf("Age headers %q then %q, want none on the fetched answer and one on the cached", first.Header().Get("Age"), second.Header().Get("Age"))
			}
			name := "renamed through the facade"
			if _, err := client.UpdateGoal(t.Context(), &betterworksv1.UpdateGoalRequest{GoalId: goalID, Name: &name}); err != nil {
				t.Fatal(err)
			}
			third, err := get()
			if err != nil {
				t.Fatal(err)
			}
			if got := third.Msg.GetGoal().GetName(); got != name {
				t.Errorf("GetGoal() after the rename = %q, want %q: the write must drop the cached read", got, name)
			}
			if n := st.Sandbox.Count("GET /goals/{id}/"); n != 2 {
				t.Errorf("upstream reads = %d, want 2", n)
			}
		})
	}
}

// TestConnectGETRevalidates sends a Connect GET read twice, the second
// with the first answer's ETag: 304 Not Modified, without a body. Both
// answers vary by Authorization.
func TestConnectGETRevalidates(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{CacheTTL: map[string]time.Duration{getGoalProcedure: 30 * time.Second}})
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	message, err := protojson.Marshal(&betterworksv1.GetGoalRequest{GoalId: goalID})
	if err != nil {
		t.Fatal(err)
	}
	target := st.URL + getGoalProcedure + "?connect=v1&encoding=json&message=" + url.QueryEscape(string(message))
	get := func(etag string) *http.Response {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+st.Key(sandbox.RoleSuperAdmin))
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := st.HTTPClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	first := get("")
	etag := first.Header.Get("ETag")
	if first.StatusCode != http.StatusOK || etag == "" || first.Header.Get("Cache-Control") != "private, max-age=30" {
		t.Fatalf("first GET: %d, ETag %q, Cache-Control %q; want 200, an ETag and private, max-age=30", first.StatusCode, etag, first.Header.Get("Cache-Control"))
	}
	second := get(etag)
	if second.StatusCode != http.StatusNotModified || second.ContentLength > 0 {
		t.Errorf("GET with If-None-Match: %d with %d bytes, want 304 without a body", second.StatusCode, second.ContentLength)
	}
	for _, resp := range []*http.Response{first, second} {
		if vary := resp.Header.Values("Vary"); !slices.Contains(vary, "Authorization") {
			t.Errorf("GET answered %d with Vary %q, want Authorization among them: a browser must not reuse one key's answer for another", resp.StatusCode, vary)
		}
	}
	if other := get(`"not-the-etag"`); other.StatusCode != http.StatusOK {
		t.Errorf("GET with another ETag: %d, want 200", other.StatusCode)
	}
}

// TestCacheTTLNamesReadsOnly refuses a cache TTL for a method the
// contract lacks, or for a write.
func TestCacheTTLNamesReadsOnly(t *testing.T) {
	t.Parallel()
	for _, procedure := range []string{"/betterworks.v1.GoalService/GetGoals", betterworksv1connect.GoalServiceUpdateGoalProcedure} {
		_, err := server.New(server.Config{
			UpstreamURL: "http://127.0.0.1:1/api/v1/",
			Callers:     emptyCallers(t),
			PageTokens:  seal.Settings{Keys: []seal.Key{seal.GenerateKey()}},
			CacheTTL:    map[string]time.Duration{procedure: time.Second},
		})
		if err == nil {
			t.Errorf("New() with a cache TTL for %s succeeded, want an error", procedure)
		}
	}
}

func emptyCallers(t *testing.T) *auth.Store {
	t.Helper()
	registry, err := auth.NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewStore(registry)
}

// TestAReadUnderWayDuringAWriteIsNotCached starts a slow cached read,
// renames the goal meanwhile, then reads again: the read that began
// before the write must not leave its older answer in the cache, and the
// read after it must not join it.
func TestAReadUnderWayDuringAWriteIsNotCached(t *testing.T) {
	t.Parallel()
	// The answer to a goal read is held back on its way to the facade,
	// after the upstream made it: the write lands in between.
	slowAnswers := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/goals/") {
			time.Sleep(300 * time.Millisecond)
		}
		return resp, err
	})}
	st := facadetest.Start(t, facadetest.Options{
		UpstreamHTTPClient: slowAnswers,
		CacheTTL:           map[string]time.Duration{getGoalProcedure: time.Minute},
	})
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	before := make(chan error, 1)
	go func() {
		_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})
		before <- err
	}()
	time.Sleep(100 * time.Millisecond) // the read is under way upstream
	name := "renamed while a read was under way"
	if _, err := client.UpdateGoal(t.Context(), &betterworksv1.UpdateGoalRequest{GoalId: goalID, Name: &name}); err != nil {
		t.Fatal(err)
	}
	after, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-before; err != nil {
		t.Fatal(err)
	}
	again, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})
	if err != nil {
		t.Fatal(err)
	}
	for what, resp := range map[string]*betterworksv1.GetGoalResponse{"the read after the write": after, "a later read": again} {
		if got := resp.GetGoal().GetName(); got != name {
			t.Errorf("%s saw %q, want %q", what, got, name)
		}
	}
}

// TestAWriteBetweenAReadsCheckAndItsStoreLeavesNothingStale lands a
// write at the worst moment for a cached read: after the read found no
// write of its scope under way, before it stores its answer. The write's
// drop then comes before the store; the next read must still see the
// write.
func TestAWriteBetweenAReadsCheckAndItsStoreLeavesNothingStale(t *testing.T) {
	t.Parallel()
	memory, err := readcache.NewMemory(readcache.MemoryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cache := &writeBeforeStore{Cache: memory}
	st := facadetest.Start(t, facadetest.Options{
		CacheTTL: map[string]time.Duration{getGoalProcedure: time.Minute},
		Cache:    cache,
	})
	client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	name := "renamed before the read stored its answer"
	cache.write = func() {
		if _, err := client.UpdateGoal(t.Context(), &betterworksv1.UpdateGoalRequest{GoalId: goalID, Name: &name}); err != nil {
			t.Error(err)
		}
	}
	if _, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID}); err != nil {
		t.Fatal(err)
	}

	after, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})

	if err != nil {
		t.Fatal(err)
	}
	if got := after.GetGoal().GetName(); got != name {
		t.Errorf("the read after the write saw %q, want %q", got, name)
	}
}

// writeBeforeStore is a cache whose first store runs write first.
type writeBeforeStore struct {
	upstream.Cache
	write func()
	once  sync.Once
}

func (c *writeBeforeStore) Set(ctx context.Context, scope, key string, body []byte, stored time.Time, ttl time.Duration) {
	c.once.Do(c.write)
	c.Cache.Set(ctx, scope, key, body, stored, ttl)
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
