package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/server"
)

// TestEveryRPCIsImplemented calls every method of the contract with an
// empty request: each must answer, with data or a validation or upstream
// error, and none with CodeUnimplemented.
func TestEveryRPCIsImplemented(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	methods := server.Methods()
	streams := server.Streams()
	if got := len(methods) - len(streams); got != 38 {
		t.Errorf("the contract has %d unary methods, want the reference's 38 operations", got)
	}
	if len(streams) != 23 {
		t.Errorf("the contract has %d streams, want an export of each of the 11 paged collections, a sync of the 9 with delta filters, and the 3 that take a report run to its rows", len(streams))
	}
	for procedure := range methods {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, st.URL+procedure, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+st.Key(sandbox.RoleSuperAdmin))
		resp, err := st.HTTPClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", procedure, err)
		}
		var body struct {
			Code string `json:"code"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if body.Code == connect.CodeUnimplemented.String() || resp.StatusCode == http.StatusNotFound && body.Code == "" {
			t.Errorf("%s: status %d, code %q; want it implemented", procedure, resp.StatusCode, body.Code)
		}
	}
}

func TestRequestSizeLimit(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin)

	_, err := client.CreateGoal(t.Context(), &betterworksv1.CreateGoalRequest{Description: strings.Repeat("x", 2<<20)})

	if got := connect.CodeOf(err); got != connect.CodeResourceExhausted {
		t.Errorf("CreateGoal(2 MiB) code = %v, want %v (err: %v)", got, connect.CodeResourceExhausted, err)
	}
	if n := len(st.Sandbox.Requests()); n != 0 {
		t.Errorf("sandbox saw %d requests, want 0", n)
	}
}

func TestHeaderSizeLimit(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, st.URL+"/betterworks.v1.GoalService/GetGoal", strings.NewReader(`{"goal_id":"1001"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Padding", strings.Repeat("x", 128<<10))

	resp, err := st.HTTPClient.Do(req)
	if err != nil {
		t.Fatalf("POST with 128 KiB of headers: %v", err)
	}
	resp.Body.Close()

	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status = %d, want %d", resp.StatusCode, http.StatusRequestHeaderFieldsTooLarge)
	}
}

func TestLargeResponsesAreCompressed(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	tests := []struct {
		name     string
		path     string
		body     string
		wantGzip bool
	}{
		{"one_goal", "GetGoal", `{"goal_id":"1001"}`, false},
		{"page_of_100_goals", "ListGoals", `{"page_size":100}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, st.URL+"/betterworks.v1.GoalService/"+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Encoding", "gzip")
			req.Header.Set("Authorization", "Bearer "+st.Key(sandbox.RoleSuperAdmin))

			resp, err := st.HTTPClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			if got := resp.Header.Get("Content-Encoding") == "gzip"; resp.StatusCode != http.StatusOK || got != tt.wantGzip {
				t.Errorf("status %d, gzip = %v; want 200 and gzip = %v", resp.StatusCode, got, tt.wantGzip)
			}
		})
	}
}

func TestSetNotServingTurnsHealthChecks(t *testing.T) {
	t.Parallel()
	registry, err := auth.NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := server.New(server.Config{
		UpstreamURL: "http://127.0.0.1:1/api/v1/",
		Callers:     auth.NewStore(registry),
		PageTokens:  seal.Settings{Keys: []seal.Key{seal.GenerateKey()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	handler := f.Handler
	check := func(service string) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/grpc.health.v1.Health/Check", strings.NewReader(`{"service":"`+service+`"}`))
		req.Header.Set("Content-Type", "application/json")
		handler.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	for _, service := range []string{"", "betterworks.v1.GoalService"} {
		if got := check(service); !strings.Contains(got, `"SERVING_STATUS_SERVING"`) {
			t.Errorf("Check(%q) before = %s, want SERVING", service, got)
		}
	}

	handler.SetNotServing()

	for _, service := range []string{"", "betterworks.v1.GoalService"} {
		if got := check(service); !strings.Contains(got, "NOT_SERVING") {
			t.Errorf("Check(%q) after SetNotServing = %s, want NOT_SERVING", service, got)
		}
	}
}
