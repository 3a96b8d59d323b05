package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

const pageOrigin = "https://app.example.com"

// startWithOrigins starts the facade on the sandbox with CORS for
// allowOrigin and returns its URL and a super admin's caller key.
func startWithOrigins(t *testing.T, allowOrigin func(string) bool) (string, string) {
	t.Helper()
	sb := sandbox.New(sandbox.Config{})
	upstreamServer := httptest.NewServer(sb)
	t.Cleanup(upstreamServer.Close)
	key := auth.GenerateKey()
	registry, err := auth.NewRegistry(nil, &auth.Caller{
		Name:      "page",
		Token:     upstream.NewToken(sb.Token(sandbox.RoleSuperAdmin)),
		KeyHashes: []auth.KeyHash{auth.HashKey(key)},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := server.New(server.Config{
		UpstreamURL: upstreamServer.URL + "/api/v1/",
		Callers:     auth.NewStore(registry),
		Logger:      discard(),
		AllowOrigin: allowOrigin,
		PageTokens:  seal.Settings{Keys: []seal.Key{seal.GenerateKey()}},
	})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	facade := httptest.NewServer(f.Handler)
	t.Cleanup(facade.Close)
	return facade.URL, key
}

// do sends req and returns the answer with its body closed.
func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	resp.Body.Close()
	return resp
}

// preflight is the request a browser sends before a Connect call with a key.
func preflight(t *testing.T, facadeURL, origin string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, facadeURL+"/betterworks.v1.GoalService/ListGoals", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "authorization,connect-protocol-version,content-type")
	return req
}

func TestCORSPreflightAllowsConfiguredOrigin(t *testing.T) {
	t.Parallel()
	facadeURL, _ := startWithOrigins(t, server.AllowOrigins(pageOrigin))

	resp := do(t, preflight(t, facadeURL, pageOrigin))

	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("preflight status = %d, want %d", resp.StatusCode, http.StatusNoContent)
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":  pageOrigin,
		"Access-Control-Allow-Methods": "POST",
		"Access-Control-Allow-Headers": "authorization,connect-protocol-version,content-type",
		"Access-Control-Max-Age":       "7200",
	}
	for name, value := range want {
		if got := resp.Header.Get(name); got != value {
			t.Errorf("preflight %s = %q, want %q", name, got, value)
		}
	}
}

// TestCORSPreflightWithABodyIsClosedUnread sends a preflight whose body
// trickles in: answered without a key, it is a refusal, so the
// connection closes at once instead of net/http reading the body first.
func TestCORSPreflightWithABodyIsClosedUnread(t *testing.T) {
	t.Parallel()
	facadeURL, _ := startWithOrigins(t, server.AllowOrigins(pageOrigin))
	conn := slowRequest(t, facadeURL, http.MethodOptions, "/betterworks.v1.GoalService/ListGoals",
		"Origin: "+pageOrigin+"\r\nAccess-Control-Request-Method: POST\r\n")

	resp, _, err := answer(conn, 10*time.Second)

	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent || !resp.Close || resp.Header.Get("Access-Control-Allow-Origin") != pageOrigin {
		t.Errorf("preflight = %s, Connection: close %v, allowed origin %q; want 204, Connection: close, %s",
			resp.Status, resp.Close, resp.Header.Get("Access-Control-Allow-Origin"), pageOrigin)
	}
}

func TestCORSAllowsConnectGETAndExposesGRPCWebHeaders(t *testing.T) {
	t.Parallel()
	facadeURL, key := startWithOrigins(t, server.AllowOrigins(pageOrigin))
	// A Connect GET, as Connect-Web sends a NO_SIDE_EFFECTS call with
	// useHttpGet.
	query := url.Values{"connect": {"v1"}, "encoding": {"json"}, "message": {`{"goal_id":"1001"}`}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, facadeURL+"/betterworks.v1.GoalService/GetGoal?"+query.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", pageOrigin)
	req.Header.Set("Authorization", "Bearer "+key)

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET GetGoal: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Goal struct{ ID string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.Goal.ID != "1001" {
		t.Errorf("GET GetGoal = status %d, goal %q, decode error %v; want 200 with goal 1001", resp.StatusCode, body.Goal.ID, err)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != pageOrigin {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, pageOrigin)
	}
	exposed := strings.ToLower(resp.Header.Get("Access-Control-Expose-Headers"))
	for _, name := range []string{"grpc-status", "grpc-message", "grpc-status-details-bin", "age", "idempotency-replayed"} {
		if !strings.Contains(exposed, name) {
			t.Errorf("Access-Control-Expose-Headers = %q, want it to include %s", exposed, name)
		}
	}
}

func TestCORSGivesOtherOriginsNoHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		allowOrigin func(string) bool
		origin      string
	}{
		{name: "not_listed", allowOrigin: server.AllowOrigins(pageOrigin), origin: "https://evil.example.com"},
		{name: "other_scheme", allowOrigin: server.AllowOrigins(pageOrigin), origin: "http://app.example.com"},
		{name: "none_configured", allowOrigin: nil, origin: pageOrigin},
		{name: "remote_in_demo", allowOrigin: server.IsLoopbackOrigin, origin: "http://192.0.2.1:8000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			facadeURL, _ := startWithOrigins(t, tt.allowOrigin)

			resp := do(t, preflight(t, facadeURL, tt.origin))

			for name := range resp.Header {
				if strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("preflight from %s: header %s = %q, want no CORS headers", tt.origin, name, resp.Header.Get(name))
				}
			}
		})
	}
}

func TestIsLoopbackOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		origin string
		want   bool
	}{
		{"http://localhost:5173", true},
		{"http://127.0.0.1:8000", true},
		{"http://localhost", true},
		{"https://localhost:5173", false},
		{"http://localhost.example.com", false},
		{"http://127.0.0.1.example.com:80", false},
		{"http://localhost:5173/page", false},
		{"http://user@localhost:5173", false},
		{"http://192.168.1.10:5173", false},
		{"null", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := server.IsLoopbackOrigin(tt.origin); got != tt.want {
			t.Errorf("IsLoopbackOrigin(%q) = %v, want %v", tt.origin, got, tt.want)
		}
	}
}
