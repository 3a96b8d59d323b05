package server_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
)

// callersFixture is a callers file on disk with the sandbox's tokens in
// token files beside it.
type callersFixture struct {
	t    *testing.T
	dir  string
	path string
	sb   *sandbox.Sandbox
}

func newCallersFixture(t *testing.T) *callersFixture {
	dir := t.TempDir()
	return &callersFixture{t: t, dir: dir, path: filepath.Join(dir, "callers.yaml")}
}

// tokenFile writes the sandbox token of role to a file and returns its path.
func (f *callersFixture) tokenFile(role sandbox.Role) string {
	path := filepath.Join(f.dir, "token-"+role.String())
	if err := os.WriteFile(path, []byte(f.sb.Token(role)+"\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// write replaces the callers file; TOKEN(<role>) in body becomes the path
// of that role's token file.
func (f *callersFixture) write(body string) {
	f.t.Helper()
	for _, role := range []sandbox.Role{sandbox.RoleSuperAdmin, sandbox.RoleAdmin, sandbox.RoleHRAdmin, sandbox.RoleUser} {
		marker := "TOKEN(" + role.String() + ")"
		if strings.Contains(body, marker) {
			body = strings.ReplaceAll(body, marker, f.tokenFile(role))
		}
	}
	// Write then rename, as configuration management does, so a reload
	// never reads a half-written file.
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		f.t.Fatal(err)
	}
}

// start starts a stack whose callers come from the file body writes.
func (f *callersFixture) start(body string, logger *slog.Logger) (*facadetest.Stack, *auth.Store) {
	f.t.Helper()
	var store *auth.Store
	st := facadetest.Start(f.t, facadetest.Options{Logger: logger, Callers: func(sb *sandbox.Sandbox) *auth.Store {
		f.sb = sb
		f.write(body)
		var err error
		store, err = auth.OpenFile(f.path, auth.LoadOptions{Methods: server.Methods()}, discard())
		if err != nil {
			f.t.Fatalf("auth.OpenFile() error = %v", err)
		}
		return store
	}})
	return st, store
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// header sets an Authorization header verbatim.
func header(value string) connect.ClientOption {
	return connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", value)
			return next(ctx, req)
		}
	}))
}

func goalsClient(st *facadetest.Stack, p facadetest.Protocol, key string) betterworksv1connect.GoalServiceClient {
	return betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, facadetest.ClientOptions(p, key)...)
}

func TestAuthenticationRefusesBeforeAnyWork(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	revokedKey := auth.GenerateKey()
	st, _ := f.start(`
callers:
  - name: retired
    key_sha256: [`+auth.HashKeyHex(revokedKey)+`]
    allow: ["*"]
    revoked: true
  - name: reader
    key_sha256: [`+auth.HashKeyHex(auth.GenerateKey())+`]
    token_file: TOKEN(none)
    allow: ["*"]
`, nil)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	for _, p := range facadetest.Protocols {
		tests := []struct {
			name    string
			opts    []connect.ClientOption
			wantMsg string
		}{
			{"no_key", facadetest.ClientOptions(p, ""), "missing credentials"},
			{"malformed", append(facadetest.ClientOptions(p, ""), header("Token abc")), "malformed Authorization header"},
			{"unknown_key", facadetest.ClientOptions(p, auth.GenerateKey()), "unknown caller key"},
			{"revoked", facadetest.ClientOptions(p, revokedKey), `caller "retired" is revoked`},
		}
		for _, tt := range tests {
			t.Run(string(p)+"/"+tt.name, func(t *testing.T) {
				client := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, tt.opts...)
				// An invalid request too: authentication comes first.
				for _, req := range []*betterworksv1.GetGoalRequest{{GoalId: goalID}, {GoalId: "not an id"}} {
					_, err := client.GetGoal(t.Context(), req)
					if connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), tt.wantMsg) {
						t.Errorf("GetGoal(%q) error = %v, want unauthenticated: %s", req.GetGoalId(), err, tt.wantMsg)
					}
				}
			})
		}
	}
	if n := len(st.Sandbox.Requests()); n != 0 {
		t.Errorf("the sandbox saw %d requests, want none", n)
	}
}

func TestCallersUseTheirOwnTokens(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	adminKey, userKey := auth.GenerateKey(), auth.GenerateKey()
	st, _ := f.start(`
callers:
  - name: admin-tool
    key_sha256: [`+auth.HashKeyHex(adminKey)+`]
    token_file: TOKEN(superadmin)
    allow: [betterworks.v1.GoalService]
  - name: user-app
    key_sha256: [`+auth.HashKeyHex(userKey)+`]
    token_file: TOKEN(none)
    allow: [betterworks.v1.GoalService]
`, nil)
	private := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().OtherPrivateGoalID)}
	for _, p := range facadetest.Protocols {
		if _, err := goalsClient(st, p, adminKey).GetGoal(t.Context(), private); err != nil {
			t.Errorf("%s: admin-tool GetGoal(private goal) error = %v, want the goal", p, err)
		}
		if _, err := goalsClient(st, p, userKey).GetGoal(t.Context(), private); connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("%s: user-app GetGoal(private goal of another) error = %v, want not_found as the sandbox's plain user", p, err)
		}
	}
}

func TestDisallowedMethodNeverReachesTheUpstream(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	key := auth.GenerateKey()
	st, _ := f.start(`
callers:
  - name: dashboard
    key_sha256: [`+auth.HashKeyHex(key)+`]
    token_file: TOKEN(superadmin)
    allow: [betterworks.v1.GoalService, betterworks.v1.PeopleService/GetUser]
    read_only: true
`, nil)
	for _, p := range facadetest.Protocols {
		opts := facadetest.ClientOptions(p, key)
		goals := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, opts...)
		_, err := goals.DeleteGoal(t.Context(), &betterworksv1.DeleteGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)})
		if connect.CodeOf(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "may not call /betterworks.v1.GoalService/DeleteGoal") {
			t.Errorf("%s: DeleteGoal() error = %v, want permission_denied naming the method", p, err)
		}
		reports := betterworksv1connect.NewReportServiceClient(st.HTTPClient, st.URL, opts...)
		if _, err := reports.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{}); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("%s: ListReportRuns() error = %v, want permission_denied", p, err)
		}
	}
	if n := len(st.Sandbox.Requests()); n != 0 {
		t.Errorf("the sandbox saw %d requests, want none", n)
	}
	if _, err := goalsClient(st, facadetest.Connect, key).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}); err != nil {
		t.Errorf("GetGoal() error = %v, want an allowed read to work", err)
	}
}

func TestReloadRotatesAndRevokesKeys(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	oldKey, newKey := auth.GenerateKey(), auth.GenerateKey()
	file := func(hashes string, revoked bool) string {
		return fmt.Sprintf(`
callers:
  - name: billing
    key_sha256: [%s]
    token_file: TOKEN(none)
    allow: [betterworks.v1.GoalService]
    revoked: %v
`, hashes, revoked)
	}
	st, store := f.start(file(auth.HashKeyHex(oldKey), false), nil)
	req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}
	works := func(key string) bool {
		_, err := goalsClient(st, facadetest.GRPC, key).GetGoal(t.Context(), req)
		if err != nil && connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Fatalf("GetGoal() error = %v", err)
		}
		return err == nil
	}
	steps := []struct {
		name          string
		body          string
		wantOld, want bool
	}{
		{"before", "", true, false},
		{"both_keys_live", file(auth.HashKeyHex(oldKey)+", "+auth.HashKeyHex(newKey), false), true, true},
		{"old_key_removed", file(auth.HashKeyHex(newKey), false), false, true},
		{"revoked", file(auth.HashKeyHex(newKey), true), false, false},
		{"reactivated", file(auth.HashKeyHex(newKey), false), false, true},
	}
	for _, step := range steps {
		if step.body != "" {
			f.write(step.body)
			if err := store.Reload(); err != nil {
				t.Fatalf("%s: Reload() error = %v", step.name, err)
			}
		}
		if got, gotNew := works(oldKey), works(newKey); got != step.wantOld || gotNew != step.want {
			t.Errorf("%s: old key works %v, new key works %v; want %v, %v", step.name, got, gotNew, step.wantOld, step.want)
		}
	}
}

func TestReloadRejectsABadFileAndKeepsServing(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	key := auth.GenerateKey()
	var logs bytes.Buffer
	st := facadetest.Start(t, facadetest.Options{})
	f.sb = st.Sandbox
	f.write(`
callers:
  - name: billing
    key_sha256: [` + auth.HashKeyHex(key) + `]
    token_file: TOKEN(none)
    allow: ["*"]
`)
	store, err := auth.OpenFile(f.path, auth.LoadOptions{Methods: server.Methods()}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	before := store.Registry()

	f.write("callers:\n  - name: billing\n    key_sha256: [nothex]\n    allow: [\"*\"]\n")
	err = store.Reload()

	if err == nil || !strings.Contains(err.Error(), `caller "billing" (callers[0]): key_sha256[0]`) {
		t.Errorf("Reload() error = %v, want the caller and field at fault", err)
	}
	if store.Registry() != before {
		t.Error("Reload() of a bad file replaced the registry")
	}
	if !strings.Contains(logs.String(), "callers file rejected; the previous callers stay in force") {
		t.Errorf("log = %s, want the rejection", &logs)
	}
}

func TestWatchReloadsWhenTheFileChanges(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	oldKey, newKey := auth.GenerateKey(), auth.GenerateKey()
	st, store := f.start(`
callers:
  - name: billing
    key_sha256: [`+auth.HashKeyHex(oldKey)+`]
    token_file: TOKEN(none)
    allow: ["*"]
`, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go store.Watch(ctx, 10*time.Millisecond)

	f.write(`
callers:
  - name: billing
    key_sha256: [` + auth.HashKeyHex(newKey) + `]
    token_file: TOKEN(none)
    allow: ["*"]
`)
	req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := goalsClient(st, facadetest.Connect, newKey).GetGoal(t.Context(), req)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new key still fails after the file changed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := goalsClient(st, facadetest.Connect, oldKey).GetGoal(t.Context(), req); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("old key after the change: error = %v, want unauthenticated", err)
	}
}

// TestReloadUnderLoadLosesNoCall reloads the callers file over and over
// while calls flow. The steady key is in every version of the file and the
// revoked key in none as active, so any call refused with the first or
// served with the second would show a torn registry. Run with -race.
func TestReloadUnderLoadLosesNoCall(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	steady, revoked := auth.GenerateKey(), auth.GenerateKey()
	version := func(i int) string {
		return fmt.Sprintf(`
callers:
  - name: steady-%d
    key_sha256: [%s, %s]
    token_file: TOKEN(none)
    allow: ["*"]
  - name: retired
    key_sha256: [%s]
    allow: ["*"]
    revoked: true
`, i%2, auth.HashKeyHex(steady), auth.HashKeyHex(auth.GenerateKey()), auth.HashKeyHex(revoked))
	}
	st, store := f.start(version(0), nil)
	req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)}

	ctx, cancel := context.WithCancel(t.Context())
	var calls, failures atomic.Int64
	var wg sync.WaitGroup
	for i, p := range []facadetest.Protocol{facadetest.Connect, facadetest.GRPC, facadetest.GRPCWeb, facadetest.GRPC} {
		good, bad := goalsClient(st, p, steady), goalsClient(st, p, revoked)
		wg.Go(func() {
			for ctx.Err() == nil {
				calls.Add(1)
				if _, err := good.GetGoal(context.WithoutCancel(ctx), req); err != nil {
					failures.Add(1)
					t.Errorf("worker %d: steady key: %v", i, err)
				}
				if _, err := bad.GetGoal(context.WithoutCancel(ctx), req); connect.CodeOf(err) != connect.CodeUnauthenticated {
					failures.Add(1)
					t.Errorf("worker %d: revoked key: error = %v, want unauthenticated", i, err)
				}
			}
		})
	}
	// Reload until both the reloads and the calls made during them are
	// many, however fast this machine runs either.
	const minReloads, minCalls = 60, 200
	reloads := 0
	for ; reloads < minReloads || calls.Load() < minCalls; reloads++ {
		if reloads > 100*minReloads {
			t.Fatalf("only %d calls during %d reloads", calls.Load(), reloads)
		}
		f.write(version(reloads + 1))
		if err := store.Reload(); err != nil {
			t.Fatalf("Reload() error = %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	wg.Wait()
	t.Logf("%d calls, %d failures, %d reloads", calls.Load(), failures.Load(), reloads)
}

func TestAuditLogsWritesOnly(t *testing.T) {
	t.Parallel()
	var logs logtest.Buffer
	st := facadetest.Start(t, facadetest.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	client := st.Goals(facadetest.Connect, sandbox.RoleUser)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().OtherPrivateGoalID)
	if _, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("GetGoal() error = %v, want not_found", err)
	}
	if _, err := client.DeleteGoal(t.Context(), &betterworksv1.DeleteGoalRequest{GoalId: goalID}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("DeleteGoal() error = %v, want not_found", err)
	}
	var audits []string
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, `"msg":"audit"`) {
			audits = append(audits, line)
		}
	}
	if len(audits) != 1 {
		t.Fatalf("audit lines = %q, want one, for DeleteGoal", audits)
	}
	for _, want := range []string{`"caller":"none"`, `"procedure":"/betterworks.v1.GoalService/DeleteGoal"`, `"outcome":"not_found"`} {
		if !strings.Contains(audits[0], want) {
			t.Errorf("audit line %s lacks %s", audits[0], want)
		}
	}
}

// TestTwoAuthorizationHeadersAreRefused sends a valid key and then another
// one: which of two headers a proxy or a server reads differs, so the
// facade trusts neither.
func TestTwoAuthorizationHeadersAreRefused(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	admin, user := st.Key(sandbox.RoleSuperAdmin), st.Key(sandbox.RoleUser)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	for _, p := range facadetest.Protocols {
		tests := []struct {
			name   string
			second string
		}{
			{"another_key", "Bearer " + user},
			{"the_same_key", "Bearer " + admin},
			{"garbage", "Token abc"},
		}
		for _, tt := range tests {
			t.Run(string(p)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				opts := append(facadetest.ClientOptions(p, admin), addHeader("Authorization", tt.second))
				client := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, opts...)

				_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID})

				if got := connect.CodeOf(err); got != connect.CodeUnauthenticated {
					t.Fatalf("GetGoal(two Authorization headers) code = %v, want %v (err: %v)", got, connect.CodeUnauthenticated, err)
				}
				if got := rpcerr.Reason(err); got != "CALLER_KEY_MALFORMED" {
					t.Errorf("GetGoal(two Authorization headers) reason = %q, want CALLER_KEY_MALFORMED", got)
				}
				if strings.Contains(err.Error(), admin) || strings.Contains(err.Error(), user) {
					t.Errorf("GetGoal(two Authorization headers) error = %v, shows a key", err)
				}
			})
		}
	}
	t.Cleanup(func() {
		if n := len(st.Sandbox.Requests()); n != 0 {
			t.Errorf("the sandbox saw %d requests, want none", n)
		}
	})
}

// addHeader adds a value to a request header, after those already set.
func addHeader(name, value string) connect.ClientOption {
	return connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Add(name, value)
			return next(ctx, req)
		}
	}))
}

// TestRevokingACallerEndsItsStreams follows a sync as a caller, reloads
// the callers file twice: once adding another caller, which leaves the
// stream be, then revoking the follower, which ends it as a new call of
// that caller would be refused.
func TestRevokingACallerEndsItsStreams(t *testing.T) {
	t.Parallel()
	f := newCallersFixture(t)
	key := auth.GenerateKey()
	follower := `
callers:
  - name: follower
    key_sha256: [` + auth.HashKeyHex(key) + `]
    token_file: TOKEN(superadmin)
    allow: ["*"]
`
	st, store := f.start(follower, nil)
	client := goalsClient(st, facadetest.GRPC, key)
	stream, err := client.SyncGoals(t.Context(), &betterworksv1.SyncGoalsRequest{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if !stream.Receive() {
		t.Fatalf("following SyncGoals ended before its first message: %v", stream.Err())
	}
	ended := make(chan error, 1)
	go func() {
		for stream.Receive() {
		}
		ended <- stream.Err()
	}()

	f.write(follower + `
  - name: another
    key_sha256: [` + auth.HashKeyHex(auth.GenerateKey()) + `]
    token_file: TOKEN(none)
    allow: ["*"]
`)
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		t.Fatalf("the stream ended (%v) at a reload that left its caller as it was", err)
	case <-time.After(300 * time.Millisecond):
	}
	f.write(strings.Replace(follower, "allow:", "revoked: true\n    allow:", 1))
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}

	select {
	case err := <-ended:
		if connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), `caller "follower" is revoked`) {
			t.Errorf("the stream ended with %v, want unauthenticated: caller \"follower\" is revoked", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream of a revoked caller still runs 10 s after the reload")
	}
}
