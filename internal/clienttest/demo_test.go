package clienttest_test

import (
	"net/http"
	"testing"

	"github.com/bwfacade/facade/internal/clienttest"
)

// TestDemoModeAllowsPagesOnThisMachine starts the facade in demo mode
// with no BWFACADE_CORS_ORIGINS, as `go run ./cmd/server` does: a page
// served from localhost or 127.0.0.1 may call it, a page from elsewhere
// gets no CORS headers.
func TestDemoModeAllowsPagesOnThisMachine(t *testing.T) {
	t.Parallel()
	demo, err := clienttest.Start(t.Context(), serverBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = demo.Stop() })
	tests := []struct {
		origin string
		want   string // Access-Control-Allow-Origin
	}{
		{origin: "http://localhost:5173", want: "http://localhost:5173"},
		{origin: "http://127.0.0.1:8000", want: "http://127.0.0.1:8000"},
		{origin: "https://app.example.com", want: ""},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, demo.URL()+"/betterworks.v1.GoalService/GetGoal", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodGet)
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("preflight from %s: %v", tt.origin, err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.want {
			t.Errorf("preflight from %s: Access-Control-Allow-Origin = %q, want %q", tt.origin, got, tt.want)
		}
	}
}
