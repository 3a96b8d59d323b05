package upstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file tests the request path every client method shares (client.go,
// errors.go, token.go, page.go, time.go, query.go, date.go) against real
// HTTP servers.

func TestClientStatusErrors(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, time.May, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		status      int
		contentType string
		retryAfter  string
		body        string
		want        StatusError // RequestID and Endpoint are filled in
	}{
		{
			name: "detail", status: 404, contentType: "application/json",
			body: `{"detail": "Not found."}`,
			want: StatusError{StatusCode: 404, Message: "Not found."},
		},
		{
			name: "detail_list", status: 400, contentType: "application/json",
			body: `{"detail": ["Goal is locked.", "Ask an admin."]}`,
			want: StatusError{StatusCode: 400, Message: "Goal is locked.; Ask an admin."},
		},
		{
			name: "detail_null", status: 403, contentType: "application/json",
			body: `{"detail": null}`,
			want: StatusError{StatusCode: 403, Message: "Forbidden"},
		},
		{
			name: "error", status: 401, contentType: "application/json",
			body: `{"error": "Invalid token."}`,
			want: StatusError{StatusCode: 401, Message: "Invalid token."},
		},
		{
			name: "message", status: 400, contentType: "application/json",
			body: `{"message": "Malformed body", "code": 17}`,
			want: StatusError{StatusCode: 400, Message: "Malformed body"},
		},
		{
			name: "errors_by_field", status: 400, contentType: "application/json",
			body: `{"errors": {"name": ["This field is required."], "end": ["Enter a valid date.", "End must follow start."]}}`,
			want: StatusError{
				StatusCode: 400,
				Message:    "end: Enter a valid date. End must follow start.; name: This field is required.",
				FieldErrors: map[string][]string{
					"name": {"This field is required."},
					"end":  {"Enter a valid date.", "End must follow start."},
				},
			},
		},
		{
			name: "errors_list", status: 422, contentType: "application/json",
			body: `{"errors": ["first", "second"]}`,
			want: StatusError{StatusCode: 422, Message: "first; second"},
		},
		{
			name: "non_field_errors", status: 400, contentType: "application/json",
			body: `{"non_field_errors": ["Start must precede end."]}`,
			want: StatusError{StatusCode: 400, Message: "Start must precede end."},
		},
		{
			name: "per_field_map", status: 400, contentType: "application/json",
			body: `{"name": ["This field is required."], "visibility": "\"secret\" is not a valid choice."}`,
			want: StatusError{
				StatusCode: 400,
				Message:    `name: This field is required.; visibility: "secret" is not a valid choice.`,
				FieldErrors: map[string][]string{
					"name":       {"This field is required."},
					"visibility": {`"secret" is not a valid choice.`},
				},
			},
		},
		{
			name: "nested_per_field_map", status: 400, contentType: "application/json",
			body: `{"key_results": [{"name": ["This field is required."]}]}`,
			want: StatusError{
				StatusCode:  400,
				Message:     "key_results: name: This field is required.",
				FieldErrors: map[string][]string{"key_results": {"name: This field is required."}},
			},
		},
		{
			name: "bare_list", status: 400, contentType: "application/json",
			body: `["Goal is locked.", "Try later."]`,
			want: StatusError{StatusCode: 400, Message: "Goal is locked.; Try later."},
		},
		{
			name: "bare_string", status: 409, contentType: "application/json",
			body: `"Already checked in."`,
			want: StatusError{StatusCode: 409, Message: "Already checked in."},
		},
		{
			name: "empty_object", status: 409, contentType: "application/json",
			body: `{}`,
			want: StatusError{StatusCode: 409, Message: "Conflict"},
		},
		{
			name: "html_proxy_page", status: 502, contentType: "text/html; charset=utf-8",
			body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n",
			want: StatusError{StatusCode: 502, Message: "Bad Gateway (non-JSON body)"},
		},
		{
			name: "markup_labelled_text", status: 504, contentType: "text/plain",
			body: "  <!DOCTYPE html><p>Gateway Timeout</p>",
			want: StatusError{StatusCode: 504, Message: "Gateway Timeout (non-JSON body)"},
		},
		{
			name: "plain_text", status: 503, contentType: "text/plain; charset=utf-8",
			body: "  Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 12\n",
			want: StatusError{StatusCode: 503, Message: "Service Unavailable (non-JSON body)"},
		},
		{
			name: "empty_body", status: 500, contentType: "application/json",
			body: "",
			want: StatusError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name: "long_message_truncated", status: 400, contentType: "application/json",
			body: `{"detail": "` + strings.Repeat("é", 300) + `"}`,
			want: StatusError{StatusCode: 400, Message: strings.Repeat("é", 200) + "…"},
		},
		{
			name: "whitespace_collapsed", status: 400, contentType: "application/json",
			body: `{"detail": "  Goal is\n\tlocked.  "}`,
			want: StatusError{StatusCode: 400, Message: "Goal is locked."},
		},
		{
			name: "markup_in_detail", status: 400, contentType: "application/json",
			body: `{"detail": "<html><body><h1>Bad Request</h1></body></html>"}`,
			want: StatusError{StatusCode: 400, Message: "Bad Request"},
		},
		{
			name: "codes_and_odd_keys_are_not_field_errors", status: 400, contentType: "application/json",
			body: `{"status": 400, "ok": false, "<b>x</b>": ["y"], "name": ["This field is required.", 7]}`,
			want: StatusError{
				StatusCode:  400,
				Message:     "name: This field is required.",
				FieldErrors: map[string][]string{"name": {"This field is required."}},
			},
		},
		{
			name: "at_most_20_fields", status: 400, contentType: "application/json",
			body: manyFields(25),
			want: StatusError{
				StatusCode:  400,
				Message:     truncateForTest(summary(20), 200),
				FieldErrors: fieldMap(20),
			},
		},
		{
			name: "field_messages_capped", status: 400, contentType: "application/json",
			body: `{"name": ["` + strings.Repeat("x", 250) + `"]}`,
			want: StatusError{
				StatusCode:  400,
				Message:     "name: " + strings.Repeat("x", 194) + "…",
				FieldErrors: map[string][]string{"name": {strings.Repeat("x", 200) + "…"}},
			},
		},
		{
			name: "retry_after_seconds", status: 429, contentType: "application/json", retryAfter: "120",
			body: `{"detail": "Request was throttled."}`,
			want: StatusError{StatusCode: 429, Message: "Request was throttled.", RetryAfter: 120 * time.Second},
		},
		{
			name: "retry_after_date", status: 503, contentType: "text/plain", retryAfter: now.Add(90 * time.Second).Format(http.TimeFormat),
			body: "down",
			want: StatusError{StatusCode: 503, Message: "Service Unavailable (non-JSON body)", RetryAfter: 90 * time.Second},
		},
		{
			name: "retry_after_past_date", status: 503, contentType: "text/plain", retryAfter: now.Add(-time.Hour).Format(http.TimeFormat),
			body: "down",
			want: StatusError{StatusCode: 503, Message: "Service Unavailable (non-JSON body)", RetryAfter: 0},
		},
		{
			name: "retry_after_negative", status: 429, contentType: "text/plain", retryAfter: "-5",
			body: "slow down",
			want: StatusError{StatusCode: 429, Message: "Too Many Requests (non-JSON body)", RetryAfter: 0},
		},
		{
			// More seconds than a time.Duration holds, and than an int64.
			name: "retry_after_beyond_a_duration", status: 429, contentType: "text/plain", retryAfter: "10000000000",
			body: "slow down",
			want: StatusError{StatusCode: 429, Message: "Too Many Requests (non-JSON body)", RetryAfter: 24 * time.Hour},
		},
		{
			name: "retry_after_beyond_an_int64", status: 429, contentType: "text/plain", retryAfter: "99999999999999999999",
			body: "slow down",
			want: StatusError{StatusCode: 429, Message: "Too Many Requests (non-JSON body)", RetryAfter: 24 * time.Hour},
		},
		{
			name: "retry_after_date_years_ahead", status: 503, contentType: "text/plain", retryAfter: now.AddDate(5, 0, 0).Format(http.TimeFormat),
			body: "down",
			want: StatusError{StatusCode: 503, Message: "Service Unavailable (non-JSON body)", RetryAfter: 24 * time.Hour},
		},
		{
			name: "retry_after_garbage", status: 429, contentType: "text/plain", retryAfter: "soon",
			body: "slow down",
			want: StatusError{StatusCode: 429, Message: "Too Many Requests (non-JSON body)", RetryAfter: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.Header().Set("Retry-After", tt.retryAfter)
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			c := fake.client(t, Config{Now: func() time.Time { return now }})

			_, err := c.GetGoal(t.Context(), NewToken("t"), "42")

			var got *StatusError
			if !errors.As(err, &got) {
				t.Fatalf("GetGoal() error = %v, want a *StatusError", err)
			}
			want := tt.want
			want.Endpoint = "GET /goals/{id}/"
			// A 502-504 of a GET is retried: the error is the last attempt's.
			reqs := fake.requests()
			want.RequestID = reqs[len(reqs)-1].RequestID
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("GetGoal() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *StatusError
		want string
	}{
		{
			err:  &StatusError{StatusCode: 404, Endpoint: "GET /goals/{id}/", Message: "Not found."},
			want: "GET /goals/{id}/: betterworks answered 404: Not found.",
		},
		{
			err:  &StatusError{StatusCode: 500, Endpoint: "POST /goals/"},
			want: "POST /goals/: betterworks answered 500",
		},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

// manyFields is a per-field error body with n fields, f00 to f<n-1>.
func manyFields(n int) string {
	b, _ := json.Marshal(fieldMap(n))
	return string(b)
}

func fieldMap(n int) map[string][]string {
	m := make(map[string][]string, n)
	for i := range n {
		m[fmt.Sprintf("f%02d", i)] = []string{"Invalid."}
	}
	return m
}

// summary is the Message of fieldMap(n).
func summary(n int) string {
	parts := make([]string, n)
	for i := range n {
		parts[i] = fmt.Sprintf("f%02d: Invalid.", i)
	}
	return strings.Join(parts, "; ")
}

func truncateForTest(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
