package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
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
			// The request is what matters: null, which every answer type
			// refuses alike, stands for any answer.
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `null`))
			c, err := New(Config{BaseURL: fake.server.URL + tt.base})
			if err != nil {
				t.Fatalf("New() error = %v", err)
			}

			if err := tt.call(t.Context(), c); !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("call error = %v, want the null answer refused", err)
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
			// Room to read the default cap's megabytes on a loaded
			// machine, under the race detector: the case is about the
			// cap, not the attempt's time.
			tt.cfg.Resilience.AttemptTimeout = time.Minute

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
			name: "null_for_goal",
			body: " null\n",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetGoal(ctx, NewToken("tok-malformed"), "42")
				return err
			},
			wantEndpoint: "GET /goals/{id}/",
		},
		{
			name: "null_for_page",
			body: "null",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListGoals(ctx, NewToken("tok-malformed"), GoalFilter{}, PageRequest{})
				return err
			},
			wantEndpoint: "GET /goals/filter/",
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
