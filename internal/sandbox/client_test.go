package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testAPI is a sandbox behind a real HTTP server, and a client for it.
type testAPI struct {
	t   *testing.T
	sb  *Sandbox
	srv *httptest.Server
}

// newTestAPI starts a sandbox with cfg; the server closes with the test.
func newTestAPI(t *testing.T, cfg Config) *testAPI {
	t.Helper()
	sb := New(cfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return &testAPI{t: t, sb: sb, srv: srv}
}

// answer is a complete HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends method path (after /api/v1) with token ("" sends no
// Authorization header) and body (a string, or "" for none).
func (a *testAPI) do(token, method, path, body string) answer {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.srv.URL+apiPrefix+path, rd)
	if err != nil {
		a.t.Fatalf("new request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "APIToken "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// get sends GET path as role's user.
func (a *testAPI) get(role Role, path string) answer {
	a.t.Helper()
	return a.do(a.sb.Token(role), http.MethodGet, path, "")
}

// send sends method path with body as role's user.
func (a *testAPI) send(role Role, method, path, body string) answer {
	a.t.Helper()
	return a.do(a.sb.Token(role), method, path, body)
}

// object decodes the body as a JSON object, failing the test otherwise.
func (ans answer) object(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(ans.body, &out); err != nil {
		t.Fatalf("body is not a JSON object (%v): %s", err, ans.body)
	}
	return out
}

// decode decodes the body into v, failing the test otherwise.
func (ans answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(ans.body, v); err != nil {
		t.Fatalf("decode %T (%v): %s", v, err, ans.body)
	}
}

// wantStatus fails the test unless the answer has status want.
func (ans answer) wantStatus(t *testing.T, what string, want int) {
	t.Helper()
	if ans.status != want {
		t.Fatalf("%s status = %d, want %d; body: %s", what, ans.status, want, ans.body)
	}
}

// page is the common list envelope, decoded.
type page struct {
	Results  []map[string]any `json:"results"`
	More     any              `json:"more"`
	NextURL  *string          `json:"nextUrl"`
	NumPages int              `json:"num_pages"`
	Page     int              `json:"page"`
}

// ids returns the ids of the page's results.
func (p page) ids() []int64 {
	out := make([]int64, len(p.Results))
	for i, r := range p.Results {
		out[i] = int64(r["id"].(float64))
	}
	return out
}

// listAll fetches every page of path (which has no page parameter yet) and
// returns the ids in order.
func (a *testAPI) listAll(role Role, path string) []int64 {
	a.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var ids []int64
	for n := 1; ; n++ {
		ans := a.get(role, path+sep+"size=100&page="+itoa(int64(n)))
		ans.wantStatus(a.t, path, http.StatusOK)
		var p page
		ans.decode(a.t, &p)
		ids = append(ids, p.ids()...)
		if p.More != true && p.More != "true" {
			return ids
		}
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

// Now returns the clock's time.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
