package upstream

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file tests the conversation, feedback, recognition, hashtag and
// report types against every example body of those sections of the
// reference (testdata/<section>/), and the requests their client methods
// send.

// engagementRequest is what the fake upstream saw.
type engagementRequest struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

// TestEngagementClientRequests checks the method, path, query and body
// each client method sends.
func TestEngagementClientRequests(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	start := time.Date(2021, 1, 1, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	end := time.Date(2021, 1, 31, 23, 59, 59, 0, time.UTC)
	tests := []struct {
		name string
		call func(context.Context, *Client) error
		want engagementRequest
	}{
		{
			name: "list_conversation_templates",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversationTemplates(ctx, NewToken("t"),
					ConversationTemplateFilter{Type: "adhoc", Enabled: &no}, PageRequest{Page: 2, Size: 5})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/conversations/templates/",
				Query:  url.Values{"type": {"adhoc"}, "enabled": {"false"}, "page": {"2"}, "size": {"5"}},
			},
		},
		{
			name: "get_conversation_template",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetConversationTemplate(ctx, NewToken("t"), "e98d4f17-99c5-418a-ac70-f1fe27c739f7")
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/conversations/templates/e98d4f17-99c5-418a-ac70-f1fe27c739f7/",
				Query:  url.Values{},
			},
		},
		{
			name: "list_conversations",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversations(ctx, NewToken("t"), ConversationFilter{
					DeploymentID: "111", ManagerID: "33", EmployeeID: 40, DeltaStart: start, DeltaEnd: end,
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/conversations/",
				Query: url.Values{
					"deployment_id": {"111"}, "manager_id": {"33"}, "employee_id": {"40"},
					"delta_start": {"2021-01-01T07:00:00Z"}, "delta_end": {"2021-01-31T23:59:59Z"},
				},
			},
		},
		{
			name: "list_feedback_templates",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedbackTemplates(ctx, NewToken("t"), FeedbackTemplateFilter{Type: "adhoc_give"}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/templates/",
				Query:  url.Values{"type": {"adhoc_give"}},
			},
		},
		{
			name: "get_feedback_template",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetFeedbackTemplate(ctx, NewToken("t"), "96")
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/templates/96",
				Query:  url.Values{},
			},
		},
		{
			name: "list_feedback",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedback(ctx, NewToken("t"), FeedbackFilter{ForUserID: "12", DeltaEnd: end}, PageRequest{Size: 1})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/",
				Query:  url.Values{"for_user_id": {"12"}, "delta_end": {"2021-01-31T23:59:59Z"}, "size": {"1"}},
			},
		},
		{
			name: "list_feedback_requests",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedbackRequests(ctx, NewToken("t"), FeedbackRequestFilter{
					Cycle: "2207", FromUser: "184", ForUser: "519",
					Declined: &no, Questions: &yes, IsOpen: &yes, IsAdhoc: &no,
					DeltaStart: start, DeltaEnd: end,
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/requests/",
				Query: url.Values{
					"cycle": {"2207"}, "from_user": {"184"}, "for_user": {"519"},
					"declined": {"false"}, "questions": {"true"}, "is_open": {"true"}, "is_adhoc": {"false"},
					"delta_start": {"2021-01-01T07:00:00Z"}, "delta_end": {"2021-01-31T23:59:59Z"},
				},
			},
		},
		{
			name: "list_recognitions",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListRecognitions(ctx, NewToken("t"), RecognitionFilter{
					StartDate: "2021-01-01", EndDate: "2021-01-31", ForUserID: 3, ForGroupID: 567,
					Hashtag: "apple", DeltaStart: start,
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/recognitions/",
				Query: url.Values{
					"start_date": {"2021-01-01"}, "end_date": {"2021-01-31"},
					"for_user_id": {"3"}, "for_group_id": {"567"}, "hashtag": {"apple"},
					"delta_start": {"2021-01-01T07:00:00Z"},
				},
			},
		},
		{
			name: "list_hashtags",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListHashtags(ctx, NewToken("t"), HashtagFilter{DeltaEnd: end}, PageRequest{Page: 2, Size: 2})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/hashtags/",
				Query:  url.Values{"delta_end": {"2021-01-31T23:59:59Z"}, "page": {"2"}, "size": {"2"}},
			},
		},
		{
			name: "list_report_runs",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListReportRuns(ctx, NewToken("t"), ReportRunFilter{
					Report: ReportConversationAnswers, Template: 1234, Created: "2021-04-02",
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/report_runs/",
				Query:  url.Values{"report": {"conversation_answers"}, "template": {"1234"}, "created": {"2021-04-02"}},
			},
		},
		{
			name: "get_report_run",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetReportRun(ctx, NewToken("t"), "1000")
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/report_runs/1000/",
				Query:  url.Values{},
			},
		},
		{
			name: "create_report_run",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateReportRun(ctx, NewToken("t"), CreateReportRunRequest{
					Report:     ReportAllGoals,
					Parameters: ReportRunParameters{DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"}},
				})
				return err
			},
			want: engagementRequest{
				Method: http.MethodPost,
				Path:   "/api/v1/report_runs/",
				Query:  url.Values{},
				Body:   `{"report":"all_goals","parameters":{"date_range":{"start":"2021-01-01","end":"2021-01-31"}}}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seen := make(chan engagementRequest, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				seen <- engagementRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body)}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{}`)
			}))
			t.Cleanup(srv.Close)
			client, err := New(Config{BaseURL: srv.URL + "/api/v1/", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}

			if err := tt.call(t.Context(), client); err != nil {
				t.Fatalf("call failed: %v", err)
			}

			if diff := cmp.Diff(tt.want, <-seen); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEngagementClientRejectsIncompleteFilters checks that filters the
// upstream would refuse fail before anything is sent.
func TestEngagementClientRejectsIncompleteFilters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(context.Context, *Client) error
	}{
		{
			name: "conversations_without_deployment",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversations(ctx, NewToken("t"), ConversationFilter{ManagerID: "33"}, PageRequest{})
				return err
			},
		},
		{
			name: "feedback_without_user_or_cycle",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedback(ctx, NewToken("t"), FeedbackFilter{}, PageRequest{})
				return err
			},
		},
		{
			name: "recognitions_with_start_only",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListRecognitions(ctx, NewToken("t"), RecognitionFilter{StartDate: "2021-01-01"}, PageRequest{})
				return err
			},
		},
		{
			name: "report_run_without_report",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateReportRun(ctx, NewToken("t"), CreateReportRunRequest{})
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				t.Error("the upstream was called")
				w.WriteHeader(http.StatusInternalServerError)
			}))
			t.Cleanup(srv.Close)
			client, err := New(Config{BaseURL: srv.URL + "/api/v1/", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}

			err = tt.call(t.Context(), client)

			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("error = %v, want ErrInvalidRequest", err)
			}
		})
	}
}
