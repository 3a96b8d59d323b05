package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// This file tests the request path every client method shares (client.go,
// errors.go, token.go, page.go, time.go, query.go, date.go) against real
// HTTP servers.

// recordedRequest is one request as the fake upstream saw it.
type recordedRequest struct {
	Method        string
	RequestURI    string
	Authorization string
	UserAgent     string
	Accept        string
	RequestID     string
	ContentType   string
	Body          string
}

// recordedRequestOpt compares what identifies an operation: method, URI,
// content type and body.
var recordedRequestOpt = cmpopts.IgnoreFields(recordedRequest{}, "Authorization", "UserAgent", "Accept", "RequestID")

// recordingUpstream is an HTTP server that records every request before
// handing it to its handler.
type recordingUpstream struct {
	server *httptest.Server
	mu     sync.Mutex
	seen   []recordedRequest
}

func newRecordingUpstream(t *testing.T, h http.HandlerFunc) *recordingUpstream {
	t.Helper()
	u := &recordingUpstream{}
	u.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		u.mu.Lock()
		u.seen = append(u.seen, recordedRequest{
			Method:        r.Method,
			RequestURI:    r.RequestURI,
			Authorization: r.Header.Get("Authorization"),
			UserAgent:     r.Header.Get("User-Agent"),
			Accept:        r.Header.Get("Accept"),
			RequestID:     r.Header.Get("X-Request-Id"),
			ContentType:   r.Header.Get("Content-Type"),
			Body:          string(body),
		})
		u.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(u.server.Close)
	return u
}

// client returns a Client for the server's /api/v1/ root; cfg.BaseURL is
// replaced.
func (u *recordingUpstream) client(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = u.server.URL + "/api/v1/"
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return c
}

func (u *recordingUpstream) requests() []recordedRequest {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.seen)
}

// requestURIs lists the URIs the server saw.
func (u *recordingUpstream) requestURIs() []string {
	var uris []string
	for _, r := range u.requests() {
		uris = append(uris, r.RequestURI)
	}
	return uris
}

// serveBody answers every request with status, body and content type.
func serveBody(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// leaked returns the secrets that s contains.
func leaked(s string, secrets ...string) []string {
	var found []string
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			found = append(found, secret)
		}
	}
	return found
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"", "/api/v1/", "ftp://example.com/api/v1/", "http://", "https:///api/v1/", "://nope", "https://example.com/api/v1/?x=1", "https://example.com/api/v1/#frag"} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			if _, err := New(Config{BaseURL: base}); err == nil {
				t.Errorf("New(%q) error = nil, want an error", base)
			}
		})
	}
}

func TestClientSendsHeaders(t *testing.T) {
	t.Parallel()
	const token = "tok-5f1d2c3b"
	tests := []struct {
		name string
		cfg  Config
		call func(context.Context, *Client) error
		want recordedRequest
	}{
		{
			name: "read",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken(token), "42")
				return err
			},
			want: recordedRequest{
				Method: http.MethodGet, RequestURI: "/api/v1/goals/42/",
				Authorization: "APIToken " + token, UserAgent: DefaultUserAgent, Accept: "application/json",
			},
		},
		{
			name: "configured_user_agent",
			cfg:  Config{UserAgent: "facade-test/2"},
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken(token), "42")
				return err
			},
			want: recordedRequest{
				Method: http.MethodGet, RequestURI: "/api/v1/goals/42/",
				Authorization: "APIToken " + token, UserAgent: "facade-test/2", Accept: "application/json",
			},
		},
		{
			name: "post",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CheckInGoal(ctx, NewToken(token), "42", &CheckIn{Done: goalPtr(true)})
				return err
			},
			want: recordedRequest{
				Method: http.MethodPost, RequestURI: "/api/v1/goals/42/checkin/",
				Authorization: "APIToken " + token, UserAgent: DefaultUserAgent, Accept: "application/json",
				ContentType: "application/json", Body: `{"done":true}`,
			},
		},
		{
			name: "put",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.UpdateGoal(ctx, NewToken(token), "42", &GoalUpdate{Name: goalPtr("renamed")})
				return err
			},
			want: recordedRequest{
				Method: http.MethodPut, RequestURI: "/api/v1/goals/42/",
				Authorization: "APIToken " + token, UserAgent: DefaultUserAgent, Accept: "application/json",
				ContentType: "application/json", Body: `{"name":"renamed"}`,
			},
		},
		{
			name: "delete",
			call: func(ctx context.Context, c *Client) error {
				return c.DeleteGoal(ctx, NewToken(token), "42")
			},
			want: recordedRequest{
				Method: http.MethodDelete, RequestURI: "/api/v1/goals/42/",
				Authorization: "APIToken " + token, UserAgent: DefaultUserAgent, Accept: "application/json",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{}`))

			if err := tt.call(t.Context(), fake.client(t, tt.cfg)); err != nil {
				t.Fatalf("call error = %v", err)
			}

			ignoreID := cmpopts.IgnoreFields(recordedRequest{}, "RequestID")
			if diff := cmp.Diff([]recordedRequest{tt.want}, fake.requests(), ignoreID); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClientRequestIDs checks that each call carries its own X-Request-Id,
// and that a StatusError names the one its request carried.
func TestClientRequestIDs(t *testing.T) {
	t.Parallel()
	fake := newRecordingUpstream(t, serveBody(http.StatusNotFound, "application/json", `{"detail":"Not found."}`))
	c := fake.client(t, Config{})

	var errIDs []string
	for range 3 {
		_, err := c.GetGoal(t.Context(), NewToken("t"), "1")
		var statusErr *StatusError
		if !errors.As(err, &statusErr) {
			t.Fatalf("GetGoal() error = %v, want a *StatusError", err)
		}
		errIDs = append(errIDs, statusErr.RequestID)
	}

	var sentIDs []string
	for _, r := range fake.requests() {
		sentIDs = append(sentIDs, r.RequestID)
	}
	if diff := cmp.Diff(sentIDs, errIDs); diff != "" {
		t.Errorf("StatusError.RequestID mismatch (-sent +error):\n%s", diff)
	}
	unique := slices.Compact(slices.Sorted(slices.Values(sentIDs)))
	if len(unique) != 3 || slices.Contains(unique, "") {
		t.Errorf("X-Request-Id values = %q, want 3 distinct non-empty ids", sentIDs)
	}
}

func TestClientPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		base string // the path of the base URL
		call func(context.Context, *Client) error
		want string
	}{
		{
			name: "integer_id",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error { _, err := c.GetGoal(ctx, NewToken("t"), "42"); return err },
			want: "/api/v1/goals/42/",
		},
		{
			name: "base_without_trailing_slash",
			base: "/api/v1",
			call: func(ctx context.Context, c *Client) error { _, err := c.GetGoal(ctx, NewToken("t"), "42"); return err },
			want: "/api/v1/goals/42/",
		},
		{
			name: "base_behind_a_prefix",
			base: "/proxy/bw/api/v1/",
			call: func(ctx context.Context, c *Client) error { _, err := c.GetGoal(ctx, NewToken("t"), "42"); return err },
			want: "/proxy/bw/api/v1/goals/42/",
		},
		{
			name: "uuid",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken("t"), "e98d4f17-99c5-418a-ac70-f1fe27c739f7")
				return err
			},
			want: "/api/v1/goals/e98d4f17-99c5-418a-ac70-f1fe27c739f7/",
		},
		{
			name: "slash_query_and_fragment_escaped",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken("t"), "a/b?c#d")
				return err
			},
			want: "/api/v1/goals/a%2Fb%3Fc%23d/",
		},
		{
			name: "space_and_percent_escaped",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken("t"), "a b%2e")
				return err
			},
			want: "/api/v1/goals/a%20b%252e/",
		},
		{
			name: "comments_without_trailing_slash",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoalComments(ctx, NewToken("t"), "7", CommentFilter{}, PageRequest{})
				return err
			},
			want: "/api/v1/goals/7/comments",
		},
		{
			name: "comments_escaped_id",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoalComments(ctx, NewToken("t"), "../7", CommentFilter{}, PageRequest{})
				return err
			},
			want: "/api/v1/goals/..%2F7/comments",
		},
		{
			name: "assessments",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoalAssessments(ctx, NewToken("t"), "7")
				return err
			},
			want: "/api/v1/goals/7/assessments/",
		},
		{
			name: "checkin_escaped_id",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CheckInGoal(ctx, NewToken("t"), "x/y", &CheckIn{Done: goalPtr(false)})
				return err
			},
			want: "/api/v1/goals/x%2Fy/checkin/",
		},
		{
			name: "collection",
			base: "/api/v1/",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoals(ctx, NewToken("t"), GoalFilter{}, PageRequest{})
				return err
			},
			want: "/api/v1/goals/filter/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// null decodes into every answer type.
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `null`))
			c, err := New(Config{BaseURL: fake.server.URL + tt.base})
			if err != nil {
				t.Fatalf("New() error = %v", err)
			}

			if err := tt.call(t.Context(), c); err != nil {
				t.Fatalf("call error = %v", err)
			}

			if diff := cmp.Diff([]string{tt.want}, fake.requestURIs()); diff != "" {
				t.Errorf("request URI mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClientKeepsDotSegmentIDsInTheirPath checks that an id of "." or ".."
// cannot move a call to another resource: url.PathEscape leaves dots alone,
// and joining "goals/../" onto the base resolves to the API root. The call
// must either be refused before sending or keep the id as an escaped
// segment.
func TestClientKeepsDotSegmentIDsInTheirPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(context.Context, *Client) error
		// allowed are the URIs that keep the id in place; sending nothing
		// is fine too.
		allowed []string
	}{
		{
			name:    "delete_dot_dot",
			call:    func(ctx context.Context, c *Client) error { return c.DeleteGoal(ctx, NewToken("t"), "..") },
			allowed: []string{"/api/v1/goals/%2E%2E/", "/api/v1/goals/%2e%2e/"},
		},
		{
			name:    "delete_dot",
			call:    func(ctx context.Context, c *Client) error { return c.DeleteGoal(ctx, NewToken("t"), ".") },
			allowed: []string{"/api/v1/goals/%2E/", "/api/v1/goals/%2e/"},
		},
		{
			name: "update_dot_dot",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.UpdateGoal(ctx, NewToken("t"), "..", &GoalUpdate{})
				return err
			},
			allowed: []string{"/api/v1/goals/%2E%2E/", "/api/v1/goals/%2e%2e/"},
		},
		{
			name: "comments_dot",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoalComments(ctx, NewToken("t"), ".", CommentFilter{}, PageRequest{})
				return err
			},
			allowed: []string{"/api/v1/goals/%2E/comments", "/api/v1/goals/%2e/comments"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{}`))

			_ = tt.call(t.Context(), fake.client(t, Config{}))

			stray := slices.DeleteFunc(fake.requestURIs(), func(uri string) bool { return slices.Contains(tt.allowed, uri) })
			if len(stray) > 0 {
				t.Errorf("call reached %q, want no request or one of %q", stray, tt.allowed)
			}
		})
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	const token = "tok-redirect-7a7a"
	for _, status := range []int{
		http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
	} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			elsewhere := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"id": 1}`))
			fake := newRecordingUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, elsewhere.server.URL+"/api/v1/goals/42/checkin/", status)
			})

			_, err := fake.client(t, Config{}).CheckInGoal(t.Context(), NewToken(token), "42", &CheckIn{Done: goalPtr(true)})

			var statusErr *StatusError
			if !errors.As(err, &statusErr) || statusErr.StatusCode != status {
				t.Errorf("CheckInGoal() error = %v, want a StatusError with status %d", err, status)
			}
			if got := elsewhere.requests(); len(got) != 0 {
				t.Errorf("redirect target received %d requests, want none", len(got))
			}
		})
	}
}

func TestClientResponseSizeCap(t *testing.T) {
	t.Parallel()
	// padded returns {"id":1} padded with spaces to n bytes.
	padded := func(n int) string { return `{"id":1` + strings.Repeat(" ", n-len(`{"id":1}`)) + `}` }
	tests := []struct {
		name    string
		cfg     Config
		body    string
		wantErr error
	}{
		{name: "at_cap", cfg: Config{MaxResponseBytes: 64}, body: padded(64), wantErr: nil},
		{name: "over_cap", cfg: Config{MaxResponseBytes: 64}, body: padded(65), wantErr: ErrResponseTooLarge},
		{name: "at_default_cap", cfg: Config{}, body: padded(DefaultMaxResponseBytes), wantErr: nil},
		{name: "over_default_cap", cfg: Config{}, body: padded(DefaultMaxResponseBytes + 1), wantErr: ErrResponseTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", tt.body))

			_, err := fake.client(t, tt.cfg).GetGoal(t.Context(), NewToken("t"), "1")

			if !errors.Is(err, tt.wantErr) {
				t.Errorf("GetGoal() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestClientMalformedResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		body         string
		call         func(context.Context, *Client) error
		wantEndpoint string
	}{
		{
			name: "not_json",
			body: "OK",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken("tok-malformed"), "42")
				return err
			},
			wantEndpoint: "GET /goals/{id}/",
		},
		{
			name: "wrong_type",
			body: `{"id": "forty-two"}`,
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken("tok-malformed"), "42")
				return err
			},
			wantEndpoint: "GET /goals/{id}/",
		},
		{
			name: "truncated_page",
			body: `{"results": [{"id": 1`,
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoals(ctx, NewToken("tok-malformed"), GoalFilter{}, PageRequest{})
				return err
			},
			wantEndpoint: "GET /goals/filter/",
		},
		{
			name: "object_for_list",
			body: `{"results": []}`,
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoalAssessments(ctx, NewToken("tok-malformed"), "42")
				return err
			},
			wantEndpoint: "GET /goals/{id}/assessments/",
		},
		{
			name: "list_for_object",
			body: `[]`,
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CheckInGoal(ctx, NewToken("tok-malformed"), "42", &CheckIn{Value: goalPtr(1.0)})
				return err
			},
			wantEndpoint: "POST /goals/{id}/checkin/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", tt.body))

			err := tt.call(t.Context(), fake.client(t, Config{}))

			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("call error = %v, want %v", err, ErrMalformedResponse)
			}
			if !strings.HasPrefix(err.Error(), tt.wantEndpoint+": ") {
				t.Errorf("call error = %q, want it to start with %q", err, tt.wantEndpoint)
			}
			if got := leaked(err.Error(), "tok-malformed", "/api/v1/", "42"); len(got) > 0 {
				t.Errorf("call error = %q, contains %q", err, got)
			}
		})
	}
}

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

// TestClientTransportError checks that a refused connection keeps its
// cause for errors.Is, and that the error names the endpoint template but
// not the URL, its ids or query values, or the token.
func TestClientTransportError(t *testing.T) {
	t.Parallel()
	server := httptest.NewServer(http.NotFoundHandler())
	c, err := New(Config{BaseURL: server.URL + "/api/v1/"})
	if err != nil {
		t.Fatal(err)
	}
	server.Close()

	_, err = c.ListGoalComments(t.Context(), NewToken("tok-closed-1234"), "goal-31337",
		CommentFilter{Type: "starred"}, PageRequest{Page: 7, Size: 9})

	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("ListGoalComments() error = %v, want %v", err, syscall.ECONNREFUSED)
	}
	if !strings.HasPrefix(err.Error(), "GET /goals/{id}/comments: ") {
		t.Errorf("ListGoalComments() error = %q, want it to start with the endpoint template", err)
	}
	if got := leaked(err.Error(), "goal-31337", "starred", "page=", "?", "http://", "/api/v1", "tok-closed-1234"); len(got) > 0 {
		t.Errorf("ListGoalComments() error = %q, contains %q", err, got)
	}
}

func TestClientContextCanceled(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	fake := newRecordingUpstream(t, func(_ http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	c := fake.client(t, Config{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel()
	}()

	_, err := c.GetGoal(ctx, NewToken("t"), "goal-555")

	if !errors.Is(err, context.Canceled) {
		t.Errorf("GetGoal() error = %v, want %v", err, context.Canceled)
	}
	if got := leaked(err.Error(), "goal-555", "http://"); len(got) > 0 {
		t.Errorf("GetGoal() error = %q, contains %q", err, got)
	}
}

func TestClientRejectsUnencodableBody(t *testing.T) {
	t.Parallel()
	fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{}`))

	_, err := fake.client(t, Config{}).CheckInGoal(t.Context(), NewToken("t"), "1", &CheckIn{Value: goalPtr(math.NaN())})

	if !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("CheckInGoal() error = %v, want %v", err, ErrInvalidRequest)
	}
	if got := fake.requests(); len(got) != 0 {
		t.Errorf("upstream received %d requests, want none", len(got))
	}
}

func TestClientWithoutTokenSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		call         func(context.Context, *Client) error
		wantEndpoint string
	}{
		{
			name: "empty_token",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken(""), "1")
				return err
			},
			wantEndpoint: "GET /goals/{id}/",
		},
		{
			name: "zero_token",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoals(ctx, Token{}, GoalFilter{}, PageRequest{})
				return err
			},
			wantEndpoint: "GET /goals/filter/",
		},
		{
			name: "write",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateGoal(ctx, Token{}, &GoalCreate{Name: "n"})
				return err
			},
			wantEndpoint: "POST /goals/",
		},
		{
			name:         "delete",
			call:         func(ctx context.Context, c *Client) error { return c.DeleteGoal(ctx, Token{}, "1") },
			wantEndpoint: "DELETE /goals/{id}/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{}`))

			err := tt.call(t.Context(), fake.client(t, Config{}))

			if !errors.Is(err, ErrNoToken) {
				t.Errorf("call error = %v, want %v", err, ErrNoToken)
			}
			if !strings.HasPrefix(fmt.Sprint(err), tt.wantEndpoint+": ") {
				t.Errorf("call error = %q, want it to start with %q", err, tt.wantEndpoint)
			}
			if got := fake.requests(); len(got) != 0 {
				t.Errorf("upstream received %d requests, want none", len(got))
			}
		})
	}
}

func TestTokenNeverShows(t *testing.T) {
	t.Parallel()
	const secret = "tok-3c9d0e1f2a"
	token := NewToken(secret)
	// caller holds a token the way the auth package does: an exported field.
	type caller struct {
		Name  string
		Token Token
	}
	holder := caller{Name: "reporting", Token: token}
	logLine := func(newHandler func(io.Writer) slog.Handler) string {
		var buf bytes.Buffer
		logger := slog.New(newHandler(&buf))
		logger.Info("call", "token", token, "caller", holder, "ptr", &token,
			slog.Group("upstream", slog.Any("token", token)))
		return buf.String()
	}
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return "error: " + err.Error()
		}
		return string(b)
	}
	tests := []struct {
		name string
		got  string
	}{
		{name: "%v", got: fmt.Sprintf("%v", token)},
		{name: "%+v", got: fmt.Sprintf("%+v", token)},
		{name: "%#v", got: fmt.Sprintf("%#v", token)},
		{name: "%s", got: fmt.Sprintf("%s", token)},
		{name: "%q", got: fmt.Sprintf("%q", token)},
		{name: "%d", got: fmt.Sprintf("%d", token)},
		{name: "%x", got: fmt.Sprintf("%x", token)},
		{name: "pointer_%v", got: fmt.Sprintf("%v", &token)},
		{name: "pointer_%+v", got: fmt.Sprintf("%+v", &token)},
		{name: "struct_%v", got: fmt.Sprintf("%v", holder)},
		{name: "struct_%+v", got: fmt.Sprintf("%+v", holder)},
		{name: "struct_%#v", got: fmt.Sprintf("%#v", holder)},
		{name: "slice_%v", got: fmt.Sprintf("%v", []Token{token})},
		{name: "map_%+v", got: fmt.Sprintf("%+v", map[string]Token{"t": token})},
		{name: "Sprint", got: fmt.Sprint(token, holder)},
		{name: "slog_json", got: logLine(func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) })},
		{name: "slog_text", got: logLine(func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) })},
		{name: "json", got: mustJSON(token)},
		{name: "json_struct", got: mustJSON(holder)},
		{name: "json_map_key", got: mustJSON(map[Token]int{token: 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(tt.got, secret) || !strings.Contains(tt.got, "[redacted]") {
				t.Errorf("output = %s, want [redacted] and not the token", tt.got)
			}
		})
	}
}

func TestTokenIsZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token Token
		want  bool
	}{
		{name: "zero_value", token: Token{}, want: true},
		{name: "empty", token: NewToken(""), want: true},
		{name: "set", token: NewToken("x"), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.token.IsZero(); got != tt.want {
				t.Errorf("IsZero() = %t, want %t", got, tt.want)
			}
		})
	}
}

// TestPageDecoding decodes list pages through the request path, with every
// shape of "more" and of the next link the upstream sends.
func TestPageDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want *Page[Category]
	}{
		{
			name: "more_true",
			body: `{"results": [{"id": 1, "name": "a"}], "more": true, "nextUrl": "/api/v1/goals/categories/search/?page=2"}`,
			want: &Page[Category]{
				Results: []Category{{ID: 1, Name: "a"}},
				More:    true,
				NextURL: "/api/v1/goals/categories/search/?page=2",
			},
		},
		{name: "more_string_true", body: `{"results": [], "more": "true"}`, want: &Page[Category]{Results: []Category{}, More: true}},
		{name: "more_string_True", body: `{"results": [], "more": "True"}`, want: &Page[Category]{Results: []Category{}, More: true}},
		{name: "more_string_yes", body: `{"results": [], "more": "yes"}`, want: &Page[Category]{Results: []Category{}, More: true}},
		{name: "more_false", body: `{"results": [], "more": false}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "more_string_false", body: `{"results": [], "more": "false"}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "more_null", body: `{"results": [], "more": null}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "more_absent", body: `{"results": []}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "results_null", body: `{"results": null, "more": false}`, want: &Page[Category]{}},
		{
			name: "nextURL_spelling",
			body: `{"results": [], "more": true, "nextURL": "/api/v1/goals/categories/search/?page=3"}`,
			want: &Page[Category]{Results: []Category{}, More: true, NextURL: "/api/v1/goals/categories/search/?page=3"},
		},
		{
			name: "both_spellings_prefer_nextUrl",
			body: `{"results": [], "more": true, "nextUrl": "/first", "nextURL": "/second"}`,
			want: &Page[Category]{Results: []Category{}, More: true, NextURL: "/first"},
		},
		{
			name: "page_numbers",
			body: `{"results": [], "more": true, "num_pages": 4, "page": 2}`,
			want: &Page[Category]{Results: []Category{}, More: true, NumPages: 4, Number: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", tt.body))

			got, err := fake.client(t, Config{}).SearchGoalCategories(t.Context(), NewToken("t"), "", PageRequest{})

			if err != nil {
				t.Fatalf("SearchGoalCategories() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, goalTimeOpt, ignoreServed); diff != "" {
				t.Errorf("SearchGoalCategories() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTimeDecoding decodes every timestamp shape inside a goal, through the
// request path: a bad timestamp must not fail the rest of the body.
func TestTimeDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want Time
	}{
		{name: "epoch_float", raw: `1501239228.920303`, want: goalEpoch(1501239228, 920303)},
		{name: "epoch_float_zero_fraction", raw: `1453420800.0`, want: goalEpoch(1453420800, 0)},
		{name: "epoch_integer", raw: `1453420800`, want: goalEpoch(1453420800, 0)},
		{name: "epoch_rounded_to_microseconds", raw: `1467091175.8176829`, want: goalEpoch(1467091175, 817683)},
		{name: "epoch_exponent", raw: `1.5e9`, want: goalEpoch(1500000000, 0)},
		{name: "epoch_negative", raw: `-1.5`, want: Time{Time: time.Date(1969, time.December, 31, 23, 59, 58, 500000000, time.UTC)}},
		{name: "rfc3339_z", raw: `"2021-07-19T16:02:11.394597Z"`, want: goalAt(2021, time.July, 19, 16, 2, 11, 394597)},
		{name: "rfc3339_offset", raw: `"2021-07-19T18:02:11.394597+02:00"`, want: goalAt(2021, time.July, 19, 16, 2, 11, 394597)},
		{name: "space_offset", raw: `"2022-03-10 15:37:30.756187+00:00"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 756187)},
		{name: "space_offset_whole_seconds", raw: `"2022-03-10 17:37:30+02:00"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 0)},
		{name: "space_no_offset", raw: `"2022-03-10 15:37:30.756187"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 756187)},
		{name: "t_no_offset", raw: `"2022-03-10T15:37:30"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 0)},
		{name: "date", raw: `"2016-06-28"`, want: goalAt(2016, time.June, 28, 0, 0, 0, 0)},
		{name: "null", raw: `null`, want: Time{}},
		{name: "empty_string", raw: `""`, want: Time{}},
		{name: "impossible_date", raw: `"2021-26-10T21:19:18.391311Z"`, want: Time{Invalid: true}},
		{name: "words", raw: `"yesterday"`, want: Time{Invalid: true}},
		{name: "boolean", raw: `true`, want: Time{Invalid: true}},
		{name: "object", raw: `{"at": 1}`, want: Time{Invalid: true}},
		{name: "list", raw: `[1453420800]`, want: Time{Invalid: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"id": 7, "created": ` + tt.raw + `, "name": "after"}`
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", body))

			got, err := fake.client(t, Config{}).GetGoal(t.Context(), NewToken("t"), "7")

			if err != nil {
				t.Fatalf("GetGoal() error = %v", err)
			}
			want := &Goal{ID: 7, Name: "after", Created: tt.want}
			if diff := cmp.Diff(want, got, goalTimeOpt); diff != "" {
				t.Errorf("GetGoal() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTimeEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Time
		want string
	}{
		{name: "zero", in: Time{}, want: `null`},
		{name: "invalid", in: Time{Invalid: true}, want: `null`},
		{name: "utc", in: goalEpoch(1501239228, 920303), want: `"2017-07-28T10:53:48.920303Z"`},
		{
			name: "offset_to_utc",
			in:   Time{Time: time.Date(2021, time.July, 19, 18, 2, 11, 0, time.FixedZone("CEST", 2*3600))},
			want: `"2021-07-19T16:02:11Z"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal() = %s, want %s", got, tt.want)
			}
		})
	}
}

// goalQuery returns the query of the one request fake received.
func goalQuery(t *testing.T, fake *recordingUpstream) url.Values {
	t.Helper()
	uris := fake.requestURIs()
	if len(uris) != 1 {
		t.Fatalf("upstream received %d requests, want 1", len(uris))
	}
	u, err := url.ParseRequestURI(uris[0])
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestGoalFilterQuery(t *testing.T) {
	t.Parallel()
	cest := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name   string
		filter GoalFilter
		page   PageRequest
		want   url.Values
	}{
		{name: "none", filter: GoalFilter{}, want: url.Values{}},
		{name: "owner", filter: GoalFilter{Owner: &Relation{ID: "25"}}, want: url.Values{"owner": {"25"}}},
		{
			name:   "owner_direct",
			filter: GoalFilter{Owner: &Relation{ID: "25", Direct: true}},
			want:   url.Values{"owner": {"25"}, "owner__direct": {"yes"}},
		},
		{
			name:   "owner_negate",
			filter: GoalFilter{Owner: &Relation{ID: "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e", Negate: true}},
			want:   url.Values{"owner": {"ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"}, "owner__negate": {"yes"}},
		},
		{
			name:   "aligned_to_goal",
			filter: GoalFilter{AlignedToGoal: &Relation{ID: "34", Direct: true}},
			want:   url.Values{"aligned_to_goal": {"34"}, "aligned_to_goal__direct": {"yes"}},
		},
		{
			name:   "aligned_to_owner",
			filter: GoalFilter{AlignedToOwner: &Relation{ID: "4", Negate: true}},
			want:   url.Values{"aligned_to_owner": {"4"}, "aligned_to_owner__negate": {"yes"}},
		},
		{
			name:   "reports_to",
			filter: GoalFilter{ReportsTo: &Relation{ID: "12", Direct: true, Negate: true}},
			want:   url.Values{"reports_to": {"12"}, "reports_to__direct": {"yes"}, "reports_to__negate": {"yes"}},
		},
		{name: "team_only_yes", filter: GoalFilter{TeamOnly: goalPtr(true)}, want: url.Values{"team_only": {"yes"}}},
		{name: "team_only_no", filter: GoalFilter{TeamOnly: goalPtr(false)}, want: url.Values{"team_only": {"no"}}},
		{name: "group", filter: GoalFilter{Group: goalPtr("218")}, want: url.Values{"group": {"218"}}},
		{name: "no_group", filter: GoalFilter{Group: goalPtr("")}, want: url.Values{"group": {""}}},
		{name: "visibility", filter: GoalFilter{Visibility: "private"}, want: url.Values{"visibility": {"private"}}},
		{name: "permission", filter: GoalFilter{Permission: "can_only_view"}, want: url.Values{"permission": {"can_only_view"}}},
		{name: "following_yes", filter: GoalFilter{Following: goalPtr(true)}, want: url.Values{"following": {"yes"}}},
		{name: "following_no", filter: GoalFilter{Following: goalPtr(false)}, want: url.Values{"following": {"no"}}},
		{
			name:   "categories_union",
			filter: GoalFilter{Categories: []string{"2", "1", "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80"}},
			want:   url.Values{"category": {"2", "1", "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80"}},
		},
		{
			name:   "categories_intersect",
			filter: GoalFilter{Categories: []string{"1", "2"}, CategoryIntersect: true},
			want:   url.Values{"category": {"1", "2"}, "category__intersect": {"yes"}},
		},
		{name: "uncategorized", filter: GoalFilter{Uncategorized: true}, want: url.Values{"category": {""}}},
		{
			name:   "uncategorized_wins_over_categories",
			filter: GoalFilter{Uncategorized: true, Categories: []string{"1"}, CategoryIntersect: true},
			want:   url.Values{"category": {""}},
		},
		{name: "assessed_yes", filter: GoalFilter{Assessed: goalPtr(true)}, want: url.Values{"assessment": {"yes"}}},
		{name: "assessed_no", filter: GoalFilter{Assessed: goalPtr(false)}, want: url.Values{"assessment": {"no"}}},
		{name: "risk", filter: GoalFilter{Risk: "needsattention"}, want: url.Values{"risk": {"needsattention"}}},
		{name: "integration", filter: GoalFilter{Integration: goalPtr("jira")}, want: url.Values{"integration": {"jira"}}},
		{name: "no_integration", filter: GoalFilter{Integration: goalPtr("")}, want: url.Values{"integration": {""}}},
		{name: "unit", filter: GoalFilter{Unit: goalPtr("Percent")}, want: url.Values{"unit": {"Percent"}}},
		{name: "no_unit", filter: GoalFilter{Unit: goalPtr("")}, want: url.Values{"unit": {""}}},
		{name: "top_company_goal_yes", filter: GoalFilter{TopCompanyGoal: goalPtr(true)}, want: url.Values{"top_company_goal": {"yes"}}},
		{name: "top_company_goal_no", filter: GoalFilter{TopCompanyGoal: goalPtr(false)}, want: url.Values{"top_company_goal": {"no"}}},
		{name: "goal_name", filter: GoalFilter{GoalName: "Q3 revenue & growth"}, want: url.Values{"goal_name": {"Q3 revenue & growth"}}},
		{
			name:   "date_range",
			filter: GoalFilter{DateRange: &DateRange{Start: "2022-08-01", End: "2022-12-31"}},
			want:   url.Values{"date_range": {"08/01/2022-12/31/2022"}},
		},
		{
			name:   "date_range_negate",
			filter: GoalFilter{DateRange: &DateRange{Start: "2024-02-29", End: "2024-03-01", Negate: true}},
			want:   url.Values{"date_range": {"02/29/2024-03/01/2024"}, "date_range__negate": {"yes"}},
		},
		{
			name:   "updated_since_negate",
			filter: GoalFilter{UpdatedSince: &DateRange{Start: "2021-01-01", End: "2021-01-31", Negate: true}},
			want:   url.Values{"updated_since": {"01/01/2021-01/31/2021"}, "updated_since__negate": {"yes"}},
		},
		{
			name:   "viewed_by_owner_date",
			filter: GoalFilter{ViewedByOwnerDate: &DateRange{Start: "2023-06-05", End: "2023-06-05"}},
			want:   url.Values{"viewed_by_owner_date": {"06/05/2023-06/05/2023"}},
		},
		{
			name: "delta",
			filter: GoalFilter{
				DeltaStart: time.Date(2022, time.September, 21, 18, 42, 30, 752327999, cest),
				DeltaEnd:   time.Date(2022, time.September, 30, 0, 0, 0, 0, time.UTC),
			},
			want: url.Values{"delta_start": {"2022-09-21T16:42:30.752327Z"}, "delta_end": {"2022-09-30T00:00:00Z"}},
		},
		{
			name:   "delta_start_only",
			filter: GoalFilter{DeltaStart: time.Date(2022, time.January, 2, 3, 4, 5, 0, cest)},
			want:   url.Values{"delta_start": {"2022-01-02T01:04:05Z"}},
		},
		{name: "page", page: PageRequest{Page: 3, Size: 50}, want: url.Values{"page": {"3"}, "size": {"50"}}},
		{name: "page_negative", page: PageRequest{Page: -1, Size: -5}, want: url.Values{}},
		{
			name: "everything",
			filter: GoalFilter{
				Owner:             &Relation{ID: "1", Direct: true},
				AlignedToGoal:     &Relation{ID: "2", Negate: true},
				AlignedToOwner:    &Relation{ID: "3"},
				ReportsTo:         &Relation{ID: "4", Direct: true},
				TeamOnly:          goalPtr(true),
				Group:             goalPtr("5"),
				Visibility:        "public",
				Permission:        "can_edit",
				Following:         goalPtr(false),
				Categories:        []string{"6", "7"},
				CategoryIntersect: true,
				Assessed:          goalPtr(true),
				Risk:              "ontrack",
				Integration:       goalPtr("salesforce"),
				Unit:              goalPtr("USD"),
				TopCompanyGoal:    goalPtr(true),
				GoalName:          "growth",
				DateRange:         &DateRange{Start: "2022-01-01", End: "2022-03-31", Negate: true},
				UpdatedSince:      &DateRange{Start: "2022-02-01", End: "2022-02-28"},
				ViewedByOwnerDate: &DateRange{Start: "2022-03-01", End: "2022-03-02"},
				DeltaStart:        time.Date(2022, time.January, 1, 0, 0, 0, 0, time.UTC),
				DeltaEnd:          time.Date(2022, time.December, 31, 23, 59, 59, 0, time.UTC),
			},
			page: PageRequest{Page: 2, Size: 20},
			want: url.Values{
				"owner": {"1"}, "owner__direct": {"yes"},
				"aligned_to_goal": {"2"}, "aligned_to_goal__negate": {"yes"},
				"aligned_to_owner": {"3"},
				"reports_to":       {"4"}, "reports_to__direct": {"yes"},
				"team_only":  {"yes"},
				"group":      {"5"},
				"visibility": {"public"},
				"permission": {"can_edit"},
				"following":  {"no"},
				"category":   {"6", "7"}, "category__intersect": {"yes"},
				"assessment":       {"yes"},
				"risk":             {"ontrack"},
				"integration":      {"salesforce"},
				"unit":             {"USD"},
				"top_company_goal": {"yes"},
				"goal_name":        {"growth"},
				"date_range":       {"01/01/2022-03/31/2022"}, "date_range__negate": {"yes"},
				"updated_since":        {"02/01/2022-02/28/2022"},
				"viewed_by_owner_date": {"03/01/2022-03/02/2022"},
				"delta_start":          {"2022-01-01T00:00:00Z"},
				"delta_end":            {"2022-12-31T23:59:59Z"},
				"page":                 {"2"},
				"size":                 {"20"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": [], "more": false}`))

			if _, err := fake.client(t, Config{}).ListGoals(t.Context(), NewToken("t"), tt.filter, tt.page); err != nil {
				t.Fatalf("ListGoals() error = %v", err)
			}

			if diff := cmp.Diff(tt.want, goalQuery(t, fake)); diff != "" {
				t.Errorf("ListGoals() query mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGoalFilterRejectsInvalidDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter GoalFilter
	}{
		{name: "impossible_day", filter: GoalFilter{DateRange: &DateRange{Start: "2022-02-30", End: "2022-03-01"}}},
		{name: "us_form", filter: GoalFilter{DateRange: &DateRange{Start: "08/01/2022", End: "2022-12-31"}}},
		{name: "missing_end", filter: GoalFilter{DateRange: &DateRange{Start: "2022-08-01"}}},
		{name: "month_13", filter: GoalFilter{UpdatedSince: &DateRange{Start: "2022-13-01", End: "2022-12-31"}}},
		{name: "timestamp", filter: GoalFilter{ViewedByOwnerDate: &DateRange{Start: "2022-01-01", End: "2022-01-02T00:00:00Z"}}},
		{name: "not_a_leap_year", filter: GoalFilter{ViewedByOwnerDate: &DateRange{Start: "2023-02-29", End: "2023-03-01"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": []}`))

			_, err := fake.client(t, Config{}).ListGoals(t.Context(), NewToken("t"), tt.filter, PageRequest{})

			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("ListGoals() error = %v, want %v", err, ErrInvalidRequest)
			}
			if got := fake.requests(); len(got) != 0 {
				t.Errorf("upstream received %d requests, want none", len(got))
			}
		})
	}
}

func TestCommentFilterQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter CommentFilter
		page   PageRequest
		want   url.Values
	}{
		{name: "none", want: url.Values{}},
		{name: "type", filter: CommentFilter{Type: "private"}, want: url.Values{"type": {"private"}}},
		{
			name:   "latest_time",
			filter: CommentFilter{LatestTime: time.Date(2021, time.November, 23, 4, 40, 8, 871543000, time.UTC)},
			want:   url.Values{"latest_time": {"1637642408.871543"}},
		},
		{
			name:   "latest_time_other_zone_and_nanoseconds",
			filter: CommentFilter{LatestTime: time.Date(2021, time.November, 23, 5, 40, 8, 871543999, time.FixedZone("CET", 3600))},
			want:   url.Values{"latest_time": {"1637642408.871543"}},
		},
		{
			name:   "latest_time_whole_second",
			filter: CommentFilter{LatestTime: time.Unix(1453420800, 0)},
			want:   url.Values{"latest_time": {"1453420800.000000"}},
		},
		{
			name:   "everything",
			filter: CommentFilter{Type: "starred", LatestTime: time.Unix(1601032583, 618398000)},
			page:   PageRequest{Page: 2, Size: 10},
			want:   url.Values{"type": {"starred"}, "latest_time": {"1601032583.618398"}, "page": {"2"}, "size": {"10"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": []}`))

			if _, err := fake.client(t, Config{}).ListGoalComments(t.Context(), NewToken("t"), "1", tt.filter, tt.page); err != nil {
				t.Fatalf("ListGoalComments() error = %v", err)
			}

			if diff := cmp.Diff(tt.want, goalQuery(t, fake)); diff != "" {
				t.Errorf("ListGoalComments() query mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageRequestQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		page PageRequest
		want url.Values
	}{
		{name: "zero", page: PageRequest{}, want: url.Values{}},
		{name: "page_only", page: PageRequest{Page: 4}, want: url.Values{"page": {"4"}}},
		{name: "size_only", page: PageRequest{Size: 20}, want: url.Values{"size": {"20"}}},
		{name: "both", page: PageRequest{Page: 1, Size: 1}, want: url.Values{"page": {"1"}, "size": {"1"}}},
		{name: "negative", page: PageRequest{Page: -2, Size: -1}, want: url.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": []}`))

			if _, err := fake.client(t, Config{}).SearchGoalCategories(t.Context(), NewToken("t"), "", tt.page); err != nil {
				t.Fatalf("SearchGoalCategories() error = %v", err)
			}

			if diff := cmp.Diff(tt.want, goalQuery(t, fake)); diff != "" {
				t.Errorf("SearchGoalCategories() query mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUSDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		want     string
		wantJSON string
	}{
		{in: "2022-08-01", want: "08/01/2022", wantJSON: `"08/01/2022"`},
		{in: "2022-12-31", want: "12/31/2022", wantJSON: `"12/31/2022"`},
		{in: "2024-02-29", want: "02/29/2024", wantJSON: `"02/29/2024"`},
		{in: "0999-01-05", want: "01/05/0999", wantJSON: `"01/05/0999"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseUSDate(tt.in)
			if err != nil {
				t.Fatalf("ParseUSDate(%q) error = %v", tt.in, err)
			}
			got, err := json.Marshal(d)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if d.String() != tt.want || string(got) != tt.wantJSON {
				t.Errorf("ParseUSDate(%q) = %s (JSON %s), want %s (JSON %s)", tt.in, d, got, tt.want, tt.wantJSON)
			}
		})
	}
}

func TestParseUSDateRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "2023-02-29", "2022-13-01", "2022-00-10", "2022-04-31", "08/01/2022", "2022-8-1", "2022-08-01T00:00:00Z", " 2022-08-01"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseUSDate(in)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
				t.Errorf("ParseUSDate(%q) error = %v, want an error naming the input", in, err)
			}
		})
	}
}

func TestTokenInUnexportedFieldNeverShows(t *testing.T) {
	t.Parallel()
	const secret = "tok-unexported-77"
	type holder struct {
		name  string
		token Token
	}
	h := holder{name: "reporting", token: NewToken(secret)}
	for _, got := range []string{fmt.Sprintf("%v", h), fmt.Sprintf("%+v", h), fmt.Sprintf("%#v", h)} {
		if strings.Contains(got, secret) {
			t.Errorf("output = %s, want no token", got)
		}
	}
}

func TestClientEmptySuccessBody(t *testing.T) {
	t.Parallel()
	fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", ""))
	client := fake.client(t, Config{})

	_, err := client.GetGoal(t.Context(), NewToken("tok"), "42")
	if !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("GetGoal(empty body) error = %v, want ErrMalformedResponse", err)
	}
	if err := client.DeleteGoal(t.Context(), NewToken("tok"), "42"); err != nil {
		t.Errorf("DeleteGoal(empty body) error = %v, want nil", err)
	}
}

func TestClientHugeErrorBodyKeepsStatus(t *testing.T) {
	t.Parallel()
	huge := `{"detail": "` + strings.Repeat("x", 2<<20) + `"}`
	fake := newRecordingUpstream(t, serveBody(http.StatusServiceUnavailable, "application/json", huge))
	client := fake.client(t, Config{MaxResponseBytes: 1 << 20})

	_, err := client.GetGoal(t.Context(), NewToken("tok"), "42")
	var statusErr *StatusError
	if !errors.As(err, &statusErr) || statusErr.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GetGoal(huge 503) error = %v, want a StatusError with 503", err)
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

// ignoreServed leaves Page.Served, the test server's own clock, out of
// comparisons; TestPageServedIsTheUpstreamsDate checks it.
var ignoreServed = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && sf.Name() == "Served"
}, cmp.Ignore())

// TestPageServedIsTheUpstreamsDate reads a page's Served from the Date
// the upstream answered with, its own clock, whatever the facade's says.
func TestPageServedIsTheUpstreamsDate(t *testing.T) {
	t.Parallel()
	date := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Date", date.Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"results": [], "more": false}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListHashtags(t.Context(), NewToken("t"), HashtagFilter{}, PageRequest{})
	if err != nil {
		t.Fatalf("ListHashtags() error = %v", err)
	}
	if !page.Served.Equal(date) {
		t.Errorf("Page.Served = %v, want the answer's Date %v", page.Served, date)
	}
}
