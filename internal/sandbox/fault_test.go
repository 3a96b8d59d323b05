package sandbox

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFaultAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      Fault
		path       string
		wantStatus int
		wantType   string
		wantBody   string
		wantRetry  string
	}{
		{name: "status_on_endpoint", fault: Fault{Endpoint: "GET /goals/{id}/", Status: 503}, path: "/goals/1001/",
			wantStatus: 503, wantType: "application/json", wantBody: `{"detail":"Service Unavailable"}`},
		{name: "other_endpoint_unaffected", fault: Fault{Endpoint: "GET /goals/{id}/", Status: 503}, path: "/goals/1001/comments",
			wantStatus: 200, wantType: "application/json", wantBody: `{"results":`},
		{name: "retry_after", fault: Fault{Endpoint: "GET /users/", Status: 429, RetryAfter: "7"}, path: "/users/",
			wantStatus: 429, wantType: "application/json", wantBody: `{"detail":"Too Many Requests"}`, wantRetry: "7"},
		{name: "html_body", fault: Fault{Status: 502, Body: "<html><body>Bad gateway</body></html>"}, path: "/users/",
			wantStatus: 502, wantType: "text/html; charset=utf-8", wantBody: "<html><body>Bad gateway</body></html>"},
		{name: "json_body", fault: Fault{Status: 400, Body: `{"detail":"Goal is locked."}`}, path: "/teams/",
			wantStatus: 400, wantType: "application/json", wantBody: `{"detail":"Goal is locked."}`},
		{name: "json_looking_text", fault: Fault{Status: 400, Body: `{not json`}, path: "/teams/",
			wantStatus: 400, wantType: "text/plain; charset=utf-8", wantBody: `{not json`},
		{name: "plain_body", fault: Fault{Status: 500, Body: "upstream exploded"}, path: "/teams/",
			wantStatus: 500, wantType: "text/plain; charset=utf-8", wantBody: "upstream exploded"},
		{name: "catch_all_before_routing", fault: Fault{Status: 503}, path: "/no/such/path/",
			wantStatus: 503, wantType: "application/json", wantBody: `{"detail":"Service Unavailable"}`},
		{name: "latency_only_answers_normally", fault: Fault{Endpoint: "GET /users/", Latency: time.Millisecond}, path: "/users/",
			wantStatus: 200, wantType: "application/json", wantBody: `{"results":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t, Config{Seed: 1, Faults: []Fault{tt.fault}})

			ans := api.get(RoleSuperAdmin, tt.path)

			ans.wantStatus(t, "GET "+tt.path, tt.wantStatus)
			if got := ans.header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := strings.TrimSpace(string(ans.body)); !strings.HasPrefix(got, tt.wantBody) {
				t.Errorf("body = %.80q, want it to start with %q", got, tt.wantBody)
			}
			if got := ans.header.Get("Retry-After"); got != tt.wantRetry {
				t.Errorf("Retry-After = %q, want %q", got, tt.wantRetry)
			}
		})
	}
}

func TestFaultAppliesBeforeAuthentication(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	api.sb.SetFaults(Fault{Status: 503})
	api.do("", "GET", "/users/", "").wantStatus(t, "no token with a fault", http.StatusServiceUnavailable)
	api.sb.SetFaults()
	api.do("", "GET", "/users/", "").wantStatus(t, "no token without faults", http.StatusUnauthorized)
}

func TestFaultTimes(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	api.sb.SetFaults(Fault{Endpoint: "GET /users/", Status: 503, Times: 2})
	var got []int
	for range 4 {
		got = append(got, api.get(RoleUser, "/users/").status)
	}
	if diff := cmp.Diff([]int{503, 503, 200, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestFaultRateIsDeterministic checks that two sandboxes with the same seed
// meet a rated fault on the same requests, and that the rate roughly holds.
func TestFaultRateIsDeterministic(t *testing.T) {
	t.Parallel()
	statuses := func(seed int64) []int {
		api := newTestAPI(t, Config{Seed: seed, Faults: []Fault{{Endpoint: "GET /hashtags/", Status: 503, Rate: 0.5}}})
		var out []int
		for range 60 {
			out = append(out, api.get(RoleUser, "/hashtags/?size=1").status)
		}
		return out
	}
	a, b := statuses(9), statuses(9)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different fault pattern (-first +second):\n%s", diff)
	}
	failed := 0
	for _, s := range a {
		if s == 503 {
			failed++
		}
	}
	if failed < 15 || failed > 45 {
		t.Errorf("rate 0.5 failed %d of 60 requests", failed)
	}
}

// TestFaultLatencyEndsWhenTheClientGivesUp checks that a request the client
// cancels during a fault's latency is logged as canceled, without an answer.
func TestFaultLatencyEndsWhenTheClientGivesUp(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1, Faults: []Fault{{Endpoint: "GET /users/", Latency: time.Minute}}})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", api.srv.URL+"/api/v1/users/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "APIToken "+api.sb.Token(RoleUser))
	req.Header.Set("X-Request-Id", "req-canceled")
	begin := time.Now()

	resp, err := api.srv.Client().Do(req)

	if err == nil {
		resp.Body.Close()
		t.Fatalf("request answered %d despite a minute of latency", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("client error = %v, want the deadline", err)
	}
	api.srv.Close() // waits for the handler to finish
	if elapsed := time.Since(begin); elapsed > 30*time.Second {
		t.Errorf("the handler waited %v after the client left", elapsed)
	}
	logged := api.sb.Requests()
	if len(logged) != 1 {
		t.Fatalf("logged %d requests, want 1", len(logged))
	}
	if got := logged[0]; !got.Canceled || got.Status != 0 || got.RequestID != "req-canceled" || got.Endpoint != "GET /users/" {
		t.Errorf("logged request = %+v, want canceled without a status", got)
	}
}

func TestParseFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		want []Fault
	}{
		{"", nil},
		{"  ;  ", nil},
		{"GET /goals/{id}/:status=503,rate=0.5;*:latency=50ms", []Fault{
			{Endpoint: "GET /goals/{id}/", Status: 503, Rate: 0.5},
			{Latency: 50 * time.Millisecond},
		}},
		{"POST /goals/: status=429 , retry_after=2, times=1", []Fault{{Endpoint: "POST /goals/", Status: 429, RetryAfter: "2", Times: 1}}},
		{"POST /goals/:drop=true,rate=0.2", []Fault{{Endpoint: "POST /goals/", Drop: true, Rate: 0.2}}},
		{"*:status=502,body=%3Chtml%3Eproxy%2C down%3C/html%3E", []Fault{{Status: 502, Body: "<html>proxy, down</html>"}}},
		{"GET  /feedback/templates/{id}:retry_after=Wed%2C 21 Oct 2015 07%3A28%3A00 GMT,status=503", []Fault{
			{Endpoint: "GET /feedback/templates/{id}", Status: 503, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"},
		}},
		{"GET /files/report_runs/{id}/{name}:status=302,location=https%3A//elsewhere.test/f.xlsx", []Fault{
			{Endpoint: FilesEndpoint, Status: 302, Location: "https://elsewhere.test/f.xlsx"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFaults(tt.spec)
			if err != nil {
				t.Fatalf("ParseFaults(%q) error: %v", tt.spec, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFaults(%q) (-want +got):\n%s", tt.spec, diff)
			}
		})
	}
}

func TestParseFaultsErrors(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{
		"GET /goals/{id}/",                 // no options
		"GET /nothing/:status=500",         // unknown endpoint
		"goals:status=500",                 // not a template
		"*:status=99",                      // out of range
		"*:status=abc",                     // not a number
		"*:rate=0",                         // rate must be above 0
		"*:rate=1.5",                       // rate at most 1
		"*:latency=-1s",                    // negative latency
		"*:latency=soon",                   // not a duration
		"*:times=-1",                       // negative count
		"*:color=red",                      // unknown option
		"*:status=500,status=502",          // twice
		"*:status",                         // no value
		"*:retry_after=",                   // empty value
		"*:body=%zz",                       // bad escape
		"GET /users/:status=500;*:oops=1",  // second fault bad
		"*:status=500,latency=10ms,times=", // empty count
	} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			if got, err := ParseFaults(spec); err == nil {
				t.Errorf("ParseFaults(%q) = %+v, want an error", spec, got)
			}
		})
	}
}

func TestEndpointsMatchTheRoutes(t *testing.T) {
	t.Parallel()
	got := Endpoints()
	if len(got) != 38 {
		t.Errorf("Endpoints() lists %d operations, want 38", len(got))
	}
	api := newTestAPI(t, Config{Seed: 1})
	for _, e := range got {
		method, path, _ := strings.Cut(e, " ")
		path = strings.NewReplacer("{id}", "1", "{identifier}", "1").Replace(path)
		api.send(RoleSuperAdmin, method, path, "{}")
		if n := api.sb.Count(e); n != 1 {
			t.Errorf("Count(%q) = %d after one request to %s %s", e, n, method, path)
		}
	}
}

// TestFaultDropAppliesTheWriteAndLosesTheAnswer checks the fault a client
// cannot see through: the department is created, and the client gets no
// answer at all, only a closed connection.
func TestFaultDropAppliesTheWriteAndLosesTheAnswer(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Faults: []Fault{{Endpoint: "POST /departments/", Drop: true, Times: 1}}})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, api.srv.URL+apiPrefix+"/departments/",
		strings.NewReader(`{"name":"Dropped answers"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "APIToken "+api.sb.Token(RoleSuperAdmin))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("POST /departments/ with a drop fault answered %d, want no answer", resp.StatusCode)
	}
	log := api.sb.Requests()
	if last := log[len(log)-1]; !last.Dropped || last.Status != http.StatusCreated {
		t.Errorf("request log = {Status: %d, Dropped: %v}, want {201, true}", last.Status, last.Dropped)
	}
	body := string(api.get(RoleSuperAdmin, "/departments/?size=100").body)
	if n := strings.Count(body, `"Dropped answers"`); n != 1 {
		t.Errorf("departments named %q after the dropped answer: %d, want 1", "Dropped answers", n)
	}
	// Times=1: the next request is answered.
	if got := api.send(RoleSuperAdmin, http.MethodPost, "/departments/", `{"name":"Answered"}`); got.status != http.StatusCreated {
		t.Errorf("second POST /departments/ = %d, want 201", got.status)
	}
}
