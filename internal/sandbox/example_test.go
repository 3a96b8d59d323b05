package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/bwfacade/facade/internal/sandbox"
)

// The compact form of faults, as BWFACADE_SANDBOX_FAULTS takes it: every
// other GetGoal answers 503, every request waits 50 ms, and the first goal
// created is rate limited.
func ExampleParseFaults() {
	faults, err := sandbox.ParseFaults("GET /goals/{id}/:status=503,rate=0.5; *:latency=50ms; POST /goals/:status=429,retry_after=2,times=1")
	if err != nil {
		panic(err)
	}
	for _, f := range faults {
		fmt.Printf("%q status=%d rate=%g latency=%v retry_after=%q times=%d\n", f.Endpoint, f.Status, f.Rate, f.Latency, f.RetryAfter, f.Times)
	}
	// Output:
	// "GET /goals/{id}/" status=503 rate=0.5 latency=0s retry_after="" times=0
	// "" status=0 rate=0 latency=50ms retry_after="" times=0
	// "POST /goals/" status=429 rate=0 latency=0s retry_after="2" times=1
}

// A fault answers like a proxy in front of the API would, before the token
// is even read; the request log shows what reached the sandbox.
func ExampleSandbox_SetFaults() {
	sb := sandbox.New(sandbox.Config{})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	sb.SetFaults(sandbox.Fault{Endpoint: "GET /goals/{id}/", Status: 502, Body: "<html>Bad gateway</html>", Times: 1})

	for range 2 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/goals/1001/", nil)
		req.Header.Set("Authorization", "APIToken "+sb.Token(sandbox.RoleSuperAdmin))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	fmt.Println(sb.Count("GET /goals/{id}/"), "requests logged")
	// Output:
	// 502 text/html; charset=utf-8
	// 200 application/json
	// 2 requests logged
}
