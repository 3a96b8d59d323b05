package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestReportRunProgressesByTheClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := newFakeClock(start)
	api := newTestAPI(t, Config{Seed: 1, Now: clock.Now})
	fx := api.sb.Fixtures()
	body := fmt.Sprintf(`{"report": "conversation_answers", "parameters": {"template": %d, "date_range": {"start": "2021-01-01", "end": "2021-01-31"}}}`, fx.ConversationTemplateID)

	ans := api.send(RoleHRAdmin, "POST", "/report_runs/", body)

	ans.wantStatus(t, "create report run", http.StatusCreated)
	run := ans.object(t)
	if run["status"] != "pending" || run["result"] != nil || run["finished"] != nil || run["report"] != "conversation_answers" {
		t.Fatalf("created run = %s", ans.body)
	}
	params := run["parameters"].(map[string]any)
	if params["template"] != float64(fx.ConversationTemplateID) || params["date_range"].(map[string]any)["end"] != "2021-01-31" {
		t.Errorf("parameters = %v", params)
	}
	path := fmt.Sprintf("/report_runs/%d/", int64(run["id"].(float64)))
	steps := []struct {
		advance    time.Duration
		wantStatus string
	}{
		{ReportRunStartDelay - time.Millisecond, "pending"},
		{time.Millisecond, "running"},
		{ReportRunDuration - ReportRunStartDelay - time.Millisecond, "running"},
		{time.Millisecond, "succeeded"},
		{time.Hour, "succeeded"},
	}
	for _, step := range steps {
		clock.Advance(step.advance)
		got := api.get(RoleHRAdmin, path).object(t)
		if got["status"] != step.wantStatus {
			t.Fatalf("at %v: status %v, want %s", clock.Now().Sub(start), got["status"], step.wantStatus)
		}
	}
	done := api.get(RoleHRAdmin, path).object(t)
	result, ok := done["result"].(map[string]any)
	if !ok {
		t.Fatalf("succeeded run has no result: %v", done)
	}
	finished := done["finished"].(float64)
	if want := epochSeconds(start.Add(ReportRunDuration)); finished != want {
		t.Errorf("finished = %v, want %v", finished, want)
	}
	if result["expires_on"] != finished+86400 || !strings.HasSuffix(result["filename"].(string), ".xlsx") ||
		!strings.HasPrefix(result["url"].(string), api.srv.URL+"/files/report_runs/") || !strings.Contains(result["type"].(string), "spreadsheetml") {
		t.Errorf("result = %v", result)
	}
}

func TestListReportRuns(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	created := time.Unix(0, 0).UTC()
	for _, r := range api.sb.st.reportRuns.all() {
		if r.id == fx.SucceededReportRunID {
			created = r.created
		}
	}
	tests := []struct {
		name  string
		query string
		want  func(r map[string]any) bool
	}{
		{"report_either_spelling", "report=conversation_answer", func(r map[string]any) bool {
			return strings.HasPrefix(r["report"].(string), "conversation_answer")
		}},
		{"template", fmt.Sprintf("template=%d", fx.FeedbackTemplateID), func(r map[string]any) bool {
			return r["parameters"].(map[string]any)["template"] == float64(fx.FeedbackTemplateID)
		}},
		{"created_unpadded_date", fmt.Sprintf("created=%d-%d-%d", created.Year(), created.Month(), created.Day()), func(r map[string]any) bool {
			return time.Unix(int64(r["created"].(float64)), 0).UTC().Format(time.DateOnly) == created.Format(time.DateOnly)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p page
			api.get(RoleSuperAdmin, "/report_runs/?"+tt.query).decode(t, &p)
			if len(p.Results) == 0 {
				t.Fatalf("GET /report_runs/?%s selected nothing", tt.query)
			}
			for _, r := range p.Results {
				if !tt.want(r) {
					t.Errorf("GET /report_runs/?%s selected %v", tt.query, r["id"])
				}
			}
		})
	}
	statuses := map[string]bool{}
	var all page
	api.get(RoleSuperAdmin, "/report_runs/").decode(t, &all)
	for _, r := range all.Results {
		statuses[r["status"].(string)] = true
	}
	for _, s := range []string{"pending", "running", "succeeded", "failed"} {
		if !statuses[s] {
			t.Errorf("no seeded report run is %s", s)
		}
	}
	var own page
	api.get(RoleAdmin, "/report_runs/").decode(t, &own)
	for _, r := range own.Results {
		if idOf(r["created_by"]) != api.sb.UserFor(RoleAdmin).ID {
			t.Errorf("an admin sees report run %v of someone else", r["id"])
		}
	}
	api.get(RoleSuperAdmin, "/report_runs/?report=everything").wantStatus(t, "unknown report", http.StatusBadRequest)
	api.get(RoleSuperAdmin, "/report_runs/?created=yesterday").wantStatus(t, "bad created", http.StatusBadRequest)
}

func TestCreateReportRunValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	tests := []struct {
		name      string
		body      string
		wantField string
	}{
		{"missing_report", `{"start": "2024-01-01", "end": "2024-01-31"}`, "report"},
		{"unknown_report", `{"report": "everything", "start": "2024-01-01", "end": "2024-01-31"}`, "report"},
		{"conversation_report_needs_template", `{"report": "conversation_adoption", "start": "2024-01-01", "end": "2024-01-31"}`, "template"},
		{"feedback_report_needs_template", `{"report": "feedback_answers", "start": "2024-01-01", "end": "2024-01-31"}`, "template"},
		{"template_of_the_wrong_kind", fmt.Sprintf(`{"report": "feedback_answers", "template": %d, "start": "2024-01-01", "end": "2024-01-31"}`, fx.ConversationTemplateID), "template"},
		{"missing_start", `{"report": "all_goals", "end": "2024-01-31"}`, "start"},
		{"bad_end", `{"report": "all_goals", "start": "2024-01-01", "end": "01/31/2024"}`, "end"},
		{"end_before_start", `{"report": "all_goals", "start": "2024-02-01", "end": "2024-01-31"}`, "end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.send(RoleSuperAdmin, "POST", "/report_runs/", tt.body)
			ans.wantStatus(t, "create report run", http.StatusBadRequest)
			if _, ok := ans.object(t)[tt.wantField]; !ok {
				t.Errorf("body %s does not name %q", ans.body, tt.wantField)
			}
		})
	}
}
