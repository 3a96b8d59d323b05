package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	api := newTestAPI(t, Config{Seed: 1, Now: func() time.Time { return at }})
	goalPath := "/api/v1/goals/" + itoa(api.sb.Fixtures().UserGoalID) + "/checkin/"
	req, err := http.NewRequestWithContext(t.Context(), "POST", api.srv.URL+goalPath+"?trace=1", strings.NewReader(`{"value": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "APIToken "+api.sb.Token(RoleUser))
	req.Header.Set("X-Request-Id", "req-1")
	req.Header.Set("User-Agent", "facade-test/1.0")
	resp, err := api.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	api.do("", "GET", "/unknown/", "")
	api.do(api.sb.Token(RoleUser), "DELETE", "/users/", "")

	got := api.sb.Requests()
	want := []Request{
		{Method: "POST", Path: goalPath, Endpoint: "POST /goals/{id}/checkin/", Query: map[string][]string{"trace": {"1"}},
			Body: []byte(`{"value": 5}`), RequestID: "req-1", UserAgent: "facade-test/1.0", Status: 400, At: at},
		{Method: "GET", Path: "/api/v1/unknown/", Endpoint: "", Query: map[string][]string{}, Status: 404, At: at},
		{Method: "DELETE", Path: "/api/v1/users/", Endpoint: "", Query: map[string][]string{}, Status: 405, At: at},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Request{}, "UserAgent"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
	if got[0].UserAgent != "facade-test/1.0" {
		t.Errorf("UserAgent = %q", got[0].UserAgent)
	}
	if n := api.sb.Count("POST /goals/{id}/checkin/"); n != 1 {
		t.Errorf("Count(check-in) = %d, want 1", n)
	}
	if n := api.sb.Count(""); n != 2 {
		t.Errorf(`Count("") = %d, want 2`, n)
	}
	api.sb.ResetRequests()
	if n, c := len(api.sb.Requests()), api.sb.Count("POST /goals/{id}/checkin/"); n != 0 || c != 0 {
		t.Errorf("after ResetRequests: %d requests, count %d", n, c)
	}
}

// TestRequestLogIsBounded fills the log past its limit directly, as ten
// thousand HTTP requests would take too long.
func TestRequestLogIsBounded(t *testing.T) {
	t.Parallel()
	sb := New(Config{Seed: 1})
	for i := range requestLogLimit + 25 {
		sb.log.add(Request{Method: "GET", Path: "/api/v1/users/" + itoa(int64(i)) + "/", Endpoint: "GET /users/{identifier}/"})
	}
	got := sb.Requests()
	if len(got) != requestLogLimit {
		t.Fatalf("log holds %d requests, want %d", len(got), requestLogLimit)
	}
	if first, last := got[0].Path, got[len(got)-1].Path; first != "/api/v1/users/25/" || last != "/api/v1/users/10024/" {
		t.Errorf("log runs from %s to %s, want the latest %d", first, last, requestLogLimit)
	}
	if n := sb.Count("GET /users/{identifier}/"); n != requestLogLimit+25 {
		t.Errorf("Count = %d, want %d (not bounded by the log)", n, requestLogLimit+25)
	}
}
