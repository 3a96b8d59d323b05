package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServeHTTP: whatever a client sends, the sandbox answers with a
// status and, for errors, a JSON body; it never panics.
func FuzzServeHTTP(f *testing.F) {
	sb := New(Config{})
	token := sb.Token(RoleSuperAdmin)
	for _, seed := range []struct{ method, target, body string }{
		{"GET", "/api/v1/goals/filter/?owner=100&owner__negate=yes&category=&date_range=01/01/2024-12/31/2024", ""},
		{"GET", "/api/v1/users/?delta_start=2024-01-01T00:00:00%2B02:00&size=0", ""},
		{"POST", "/api/v1/goals/", `{"name":"x","owner":{"user_id":"100"},"start":"01/01/2024","end":"02/01/2024"}`},
		{"PUT", "/api/v1/goals/1001/", `{"key_results":[{"id":2,"delete":true}]}`},
		{"POST", "/api/v1/goals/1002/checkin/", `{"value":"NaN"}`},
		{"POST", "/api/v1/users/bulk/", `{"dry_run":true,"users":[{"email":"BW_NULL"}]}`},
		{"PUT", "/api/v1/users/roles/", `{"roles":[{"role":"groupadmin"}]}`},
		{"POST", "/api/v1/report_runs/", `{"report":"conversation_answers","parameters":{}}`},
		{"GET", "/api/v1/recognitions/?start_date=2024-01-01", ""},
	} {
		f.Add(seed.method, seed.target, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, target, body string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(method, " \t\r\n") || method == "" {
			return // not an HTTP request line a server would hand to a handler
		}
		req, err := http.NewRequest(method, "http://sandbox"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "APIToken "+token)
		rec := httptest.NewRecorder()

		sb.ServeHTTP(rec, req)

		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("%s %s answered %d", method, target, rec.Code)
		}
		if rec.Code >= 400 && rec.Body.Len() > 0 && !json.Valid(bytes.TrimSpace(rec.Body.Bytes())) {
			t.Errorf("%s %s answered %d with a body that is not JSON: %q", method, target, rec.Code, rec.Body.String())
		}
	})
}
