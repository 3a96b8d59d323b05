package service_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
)

func TestReportServiceListReportRuns(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		fx := st.Sandbox.Fixtures()
		client := st.Reports(p, sandbox.RoleSuperAdmin)

		resp, err := client.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{
			Report:     betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS,
			TemplateId: fmt.Sprint(fx.ConversationTemplateID),
			PageSize:   10,
		})
		if err != nil {
			t.Fatalf("ListReportRuns() error = %v", err)
		}
		// The seeded runs of this kind include one the upstream names in the
		// singular, "conversation_answer", as the reference's examples do.
		if len(resp.GetReportRuns()) < 2 {
			t.Fatalf("ListReportRuns() = %d runs, want both spellings of conversation_answers", len(resp.GetReportRuns()))
		}
		for _, r := range resp.GetReportRuns() {
			if r.GetReport() != betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS ||
				r.GetParameters().GetTemplate() != fx.ConversationTemplateID ||
				r.GetStatus() == betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_UNSPECIFIED ||
				r.GetCreated() == nil || r.GetCreatedBy().GetId() == 0 || r.GetCreatedBy().GetName() == "" ||
				!isISODay(r.GetParameters().GetDateRange().GetStart()) || !isISODay(r.GetParameters().GetDateRange().GetEnd()) {
				t.Errorf("ListReportRuns() run = %v, want a translated conversation_answers run of template %d", r, fx.ConversationTemplateID)
			}
		}
		wantQuery(t, st, "GET /report_runs/", url.Values{
			"report":   {"conversation_answers"},
			"template": {fmt.Sprint(fx.ConversationTemplateID)},
			"page":     {"1"},
			"size":     {"10"},
		})

		// created_date selects the runs of one day, sent as YYYY-MM-DD.
		day := resp.GetReportRuns()[0].GetCreated().AsTime().UTC().Format(time.DateOnly)
		byDay, err := client.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{CreatedDate: day, PageSize: 100})
		if err != nil {
			t.Fatalf("ListReportRuns(created_date) error = %v", err)
		}
		if len(byDay.GetReportRuns()) == 0 {
			t.Errorf("ListReportRuns(created_date %s) returned none", day)
		}
		for _, r := range byDay.GetReportRuns() {
			if got := r.GetCreated().AsTime().UTC().Format(time.DateOnly); got != day {
				t.Errorf("run %d created %s, want %s", r.GetId(), got, day)
			}
		}
		if got := lastQuery(st, "GET /report_runs/").Get("created"); got != day {
			t.Errorf("upstream created = %q, want %q", got, day)
		}
	})
}

func TestReportServiceListReportRunsPages(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin)

	first, err := client.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{PageSize: 5})
	if err != nil {
		t.Fatalf("ListReportRuns() error = %v", err)
	}
	if len(first.GetReportRuns()) != 5 || first.GetNextPageToken() == "" {
		t.Fatalf("ListReportRuns() = %d runs, token %q; want 5 and a next page", len(first.GetReportRuns()), first.GetNextPageToken())
	}
	second, err := client.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{PageSize: 5, PageToken: first.GetNextPageToken()})
	if err != nil {
		t.Fatalf("ListReportRuns(page 2) error = %v", err)
	}
	if len(second.GetReportRuns()) == 0 || second.GetReportRuns()[0].GetId() == first.GetReportRuns()[0].GetId() {
		t.Errorf("ListReportRuns(page 2) = %v, want the next runs", second.GetReportRuns())
	}
	if q := lastQuery(st, "GET /report_runs/"); q.Get("page") != "2" || q.Get("size") != "5" {
		t.Errorf("upstream query of page 2 = %v, want page 2 of size 5", q)
	}

	_, err = client.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{
		PageSize: 5, PageToken: first.GetNextPageToken(), Report: betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS,
	})
	if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
		t.Errorf("ListReportRuns(token of other filters) code = %v, want %v", got, connect.CodeInvalidArgument)
	}
}

func TestReportServiceGetReportRun(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	fx := st.Sandbox.Fixtures()
	client := st.Reports(facadetest.GRPC, sandbox.RoleSuperAdmin)
	get := func(id int64) *betterworksv1.ReportRun {
		t.Helper()
		resp, err := client.GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{ReportRunId: fmt.Sprint(id)})
		if err != nil {
			t.Fatalf("GetReportRun(%d) error = %v", id, err)
		}
		if resp.GetReportRun().GetId() != id {
			t.Fatalf("GetReportRun(%d) id = %d", id, resp.GetReportRun().GetId())
		}
		return resp.GetReportRun()
	}

	succeeded := get(fx.SucceededReportRunID)
	res := succeeded.GetResult()
	if succeeded.GetStatus() != betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_SUCCEEDED || succeeded.GetFinished() == nil ||
		succeeded.GetError() != nil || succeeded.GetReport() == betterworksv1.ReportKind_REPORT_KIND_UNSPECIFIED {
		t.Errorf("succeeded run = %v, want status, finish time, kind and no error", succeeded)
	}
	if !strings.HasPrefix(res.GetUrl(), strings.TrimSuffix(st.UpstreamURL, "/api/v1/")+"/files/") || !strings.HasSuffix(res.GetFilename(), ".xlsx") ||
		!strings.Contains(res.GetUrl(), "/"+res.GetFilename()+"?") ||
		res.GetType() != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		res.GetCreated() == nil || !res.GetExpiresOn().AsTime().After(res.GetCreated().AsTime()) {
		t.Errorf("succeeded run result = %v, want the upstream's download link, file name, type and expiry", res)
	}

	failed := get(fx.FailedReportRunID)
	if failed.GetStatus() != betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED ||
		failed.GetError().GetStringValue() == "" || failed.GetResult() != nil {
		t.Errorf("failed run = %v, want FAILED with the upstream's error text and no result", failed)
	}

	for _, id := range []int64{fx.PendingReportRunID, fx.RunningReportRunID} {
		if r := get(id); r.GetStatus() != betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING || r.GetResult() != nil || r.GetFinished() != nil {
			t.Errorf("run %d = %v, want PENDING without result or finish time", id, r)
		}
	}

	_, err := client.GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{ReportRunId: "999999"})
	if got := connect.CodeOf(err); got != connect.CodeNotFound {
		t.Errorf("GetReportRun(unknown) code = %v, want %v (err: %v)", got, connect.CodeNotFound, err)
	}
}

func TestReportServiceCreateReportRun(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		fx := st.Sandbox.Fixtures()
		client := st.Reports(p, sandbox.RoleHRAdmin)

		resp, err := client.CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
			Report:     betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS,
			TemplateId: fmt.Sprint(fx.ConversationTemplateID),
			Start:      "2024-01-01",
			End:        "2024-03-31",
		})
		if err != nil {
			t.Fatalf("CreateReportRun() error = %v", err)
		}
		run := resp.GetReportRun()
		if run.GetId() == 0 || run.GetStatus() != betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING ||
			run.GetReport() != betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS ||
			run.GetParameters().GetTemplate() != fx.ConversationTemplateID ||
			run.GetParameters().GetDateRange().GetStart() != "2024-01-01" || run.GetParameters().GetDateRange().GetEnd() != "2024-03-31" ||
			run.GetCreatedBy().GetId() != st.Sandbox.UserFor(sandbox.RoleHRAdmin).ID || run.GetResult() != nil {
			t.Errorf("CreateReportRun() = %v, want the pending run as asked", run)
		}
		if n := st.Sandbox.Count("POST /report_runs/"); n != 1 {
			t.Errorf("POST /report_runs/ sent %d times, want 1", n)
		}
		var body map[string]any
		if err := jsonBody(st, "POST /report_runs/", &body); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`map[parameters:map[date_range:map[end:2024-03-31 start:2024-01-01] template:%d] report:conversation_answers]`, fx.ConversationTemplateID)
		if got := fmt.Sprint(body); got != want {
			t.Errorf("upstream body = %s, want %s", got, want)
		}
	})
}

func TestReportServiceCreateReportRunWithoutTemplate(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	resp, err := st.Reports(facadetest.Connect, sandbox.RoleAdmin).CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
		Report: betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS,
		Start:  "2024-02-01",
		End:    "2024-02-29",
	})
	if err != nil {
		t.Fatalf("CreateReportRun() error = %v", err)
	}
	if r := resp.GetReportRun(); r.GetReport() != betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS || r.GetParameters().GetTemplate() != 0 {
		t.Errorf("CreateReportRun() = %v, want an all_goals run without template", r)
	}
	var body map[string]any
	if err := jsonBody(st, "POST /report_runs/", &body); err != nil {
		t.Fatal(err)
	}
	if want := `map[parameters:map[date_range:map[end:2024-02-29 start:2024-02-01]] report:all_goals]`; fmt.Sprint(body) != want {
		t.Errorf("upstream body = %v, want %s", body, want)
	}
}

// TestReportServiceRunSucceeds creates a run and reads it as the sandbox's
// clock moves it along: pending, then running (still PENDING here), then
// succeeded with a result.
func TestReportServiceRunSucceeds(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: func() time.Time { return time.Unix(0, now.Load()).UTC() }}})
	client := st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin)
	created, err := client.CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
		Report: betterworksv1.ReportKind_REPORT_KIND_USER_ACTIVITY, Start: "2025-05-01", End: "2025-05-31",
	})
	if err != nil {
		t.Fatalf("CreateReportRun() error = %v", err)
	}
	id := fmt.Sprint(created.GetReportRun().GetId())
	tests := []struct {
		after      time.Duration
		wantStatus betterworksv1.ReportRunStatus
		wantResult bool
	}{
		{0, betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING, false},
		{sandbox.ReportRunStartDelay, betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING, false},
		{sandbox.ReportRunDuration, betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_SUCCEEDED, true},
	}
	start := now.Load()
	for _, tt := range tests {
		now.Store(start + int64(tt.after))
		resp, err := client.GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{ReportRunId: id})
		if err != nil {
			t.Fatalf("GetReportRun(+%v) error = %v", tt.after, err)
		}
		r := resp.GetReportRun()
		if r.GetStatus() != tt.wantStatus || (r.GetResult().GetUrl() != "") != tt.wantResult {
			t.Errorf("GetReportRun(+%v) = status %v, result %v; want %v, result %v", tt.after, r.GetStatus(), r.GetResult(), tt.wantStatus, tt.wantResult)
		}
	}
}

// TestReportServiceCreateIsNeverRetried fails the upstream write with an
// answer a read would be retried on: the facade sends it once.
func TestReportServiceCreateIsNeverRetried(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	st.Sandbox.SetFaults(sandbox.Fault{Endpoint: "POST /report_runs/", Status: http.StatusServiceUnavailable})

	_, err := st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin).CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
		Report: betterworksv1.ReportKind_REPORT_KIND_RECOGNITION, Start: "2024-01-01", End: "2024-01-31",
	})

	if got := connect.CodeOf(err); got != connect.CodeUnavailable {
		t.Errorf("CreateReportRun() code = %v, want %v (err: %v)", got, connect.CodeUnavailable, err)
	}
	if n := st.Sandbox.Count("POST /report_runs/"); n != 1 {
		t.Errorf("POST /report_runs/ sent %d times, want exactly 1", n)
	}
}

func TestReportServicePermissions(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	fx := st.Sandbox.Fixtures()
	user := st.Reports(facadetest.Connect, sandbox.RoleUser)
	admin := st.Reports(facadetest.Connect, sandbox.RoleAdmin)
	checkCodes(t, []codeCase{
		{"user_lists", func() error {
			_, err := user.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{})
			return err
		}, connect.CodePermissionDenied},
		{"user_gets", func() error {
			_, err := user.GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{ReportRunId: fmt.Sprint(fx.SucceededReportRunID)})
			return err
		}, connect.CodePermissionDenied},
		{"user_creates", func() error {
			_, err := user.CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
				Report: betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS, Start: "2024-01-01", End: "2024-01-31",
			})
			return err
		}, connect.CodePermissionDenied},
		{"admin_creates_answers_report", func() error {
			_, err := admin.CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
				Report: betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ANSWERS, TemplateId: fmt.Sprint(fx.FeedbackTemplateID),
				Start: "2024-01-01", End: "2024-01-31",
			})
			return err
		}, connect.CodePermissionDenied},
		{"admin_gets_run_of_another", func() error {
			_, err := admin.GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{ReportRunId: fmt.Sprint(fx.SucceededReportRunID)})
			return err
		}, connect.CodeNotFound},
		{"upstream_rejects_unknown_template", func() error {
			_, err := admin.CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
				Report: betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ADOPTION, TemplateId: "999999",
				Start: "2024-01-01", End: "2024-01-31",
			})
			return err
		}, connect.CodeInvalidArgument},
	})
}

func TestReportServiceRejectsInvalidRequestsBeforeUpstream(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Reports(facadetest.GRPC, sandbox.RoleSuperAdmin)
	create := func(report betterworksv1.ReportKind, template, start, end string) func() error {
		return func() error {
			_, err := client.CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
				Report: report, TemplateId: template, Start: start, End: end,
			})
			return err
		}
	}
	list := func(req *betterworksv1.ListReportRunsRequest) func() error {
		return func() error {
			_, err := client.ListReportRuns(t.Context(), req)
			return err
		}
	}
	refusedBeforeUpstream(t, st, []invalidCase{
		{"create_answers_without_template", create(betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS, "", "2024-01-01", "2024-01-31"), "template_id"},
		{"create_feedback_without_template", create(betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ADOPTION, "", "2024-01-01", "2024-01-31"), "template_id"},
		{"create_template_for_goals", create(betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS, "41", "2024-01-01", "2024-01-31"), "template_id"},
		{"create_template_not_an_integer", create(betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS, "forty-one", "2024-01-01", "2024-01-31"), "template_id"},
		{"create_without_report", create(betterworksv1.ReportKind_REPORT_KIND_UNSPECIFIED, "", "2024-01-01", "2024-01-31"), "report"},
		{"create_report_undefined", create(99, "", "2024-01-01", "2024-01-31"), "report"},
		{"create_without_start", create(betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS, "", "", "2024-01-31"), "start"},
		{"create_us_date", create(betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS, "", "01/01/2024", "2024-01-31"), "start"},
		{"create_impossible_end", create(betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS, "", "2023-02-01", "2023-02-30"), "end"},
		{"create_reversed", create(betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS, "", "2024-02-01", "2024-01-01"), "date_order"},
		{"list_template_for_goals", list(&betterworksv1.ListReportRunsRequest{Report: betterworksv1.ReportKind_REPORT_KIND_USER_ACTIVITY, TemplateId: "41"}), "template_id"},
		{"list_impossible_created_date", list(&betterworksv1.ListReportRunsRequest{CreatedDate: "2021-04-31"}), "created_date"},
		{"list_unpadded_created_date", list(&betterworksv1.ListReportRunsRequest{CreatedDate: "2021-4-2"}), "created_date"},
		{"list_page_size_too_big", list(&betterworksv1.ListReportRunsRequest{PageSize: 101}), "page_size"},
		{"get_uuid", func() error {
			_, err := client.GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{ReportRunId: "e98d4f17-99c5-418a-ac70-f1fe27c739f7"})
			return err
		}, "report_run_id"},
		{"get_missing_id", func() error {
			_, err := client.GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{})
			return err
		}, "report_run_id"},
	})
}

// TestReportServiceImpossibleDatesAreFieldViolations checks that a date the
// contract's pattern admits but the calendar lacks is refused with a
// BadRequest field violation naming the field.
func TestReportServiceImpossibleDatesAreFieldViolations(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin)

	_, createErr := client.CreateReportRun(t.Context(), &betterworksv1.CreateReportRunRequest{
		Report: betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS, Start: "2023-02-29", End: "2023-02-31",
	})
	_, listErr := client.ListReportRuns(t.Context(), &betterworksv1.ListReportRunsRequest{CreatedDate: "2021-06-31"})

	if got, want := violatedFields(createErr), []string{"start", "end"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CreateReportRun() field violations = %v, want %v", got, want)
	}
	if got, want := violatedFields(listErr), []string{"created_date"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListReportRuns() field violations = %v, want %v", got, want)
	}
	if n := len(st.Sandbox.Requests()); n != 0 {
		t.Errorf("sandbox saw %d requests, want 0", n)
	}
}

// violatedFields returns the fields of err's BadRequest field violations.
func violatedFields(err error) []string {
	var fields []string
	for _, fv := range fieldViolations(err) {
		fields = append(fields, fv.GetField())
	}
	return fields
}
