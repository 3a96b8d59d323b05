package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// finishedRun creates a run of kind as a super admin, moves the clock past
// its end and returns it as GET /report_runs/{id}/ shows it.
func finishedRun(t *testing.T, api *testAPI, clock *fakeClock, kind string) map[string]any {
	t.Helper()
	ans := api.send(RoleSuperAdmin, "POST", "/report_runs/", `{"report": "`+kind+`", "parameters": {"date_range": {"start": "2021-01-01", "end": "2021-01-31"}}}`)
	ans.wantStatus(t, "create report run", http.StatusCreated)
	clock.Advance(time.Minute)
	return api.get(RoleSuperAdmin, fmt.Sprintf("/report_runs/%d/", int64(ans.object(t)["id"].(float64)))).object(t)
}

// fetch GETs rawURL without any token.
func fetch(t *testing.T, rawURL string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestReportFileIsASpreadsheetOfTheOrg(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC))
	api := newTestAPI(t, Config{Seed: 1, Now: clock.Now, ReportRuns: ReportRunConfig{Rows: 1000}})
	run := finishedRun(t, api, clock, "user_activity")
	result := run["result"].(map[string]any)

	status, body := fetch(t, result["url"].(string))

	if status != http.StatusOK {
		t.Fatalf("GET result.url = %d %s", status, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the file is not a spreadsheet: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"User ID", "Name", "Email", "Department", "Active", "Last modified"}, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows) != 1001 {
		t.Errorf("%d rows, want the header and the 1000 configured", len(rows))
	}
	ceo := api.sb.UserFor(RoleSuperAdmin)
	found := false
	for _, r := range rows[1:] {
		found = found || len(r) > 2 && r[2] == ceo.Email
	}
	if !found {
		t.Errorf("no row names the seeded super admin %s", ceo.Email)
	}
	if n := api.sb.Count(FilesEndpoint); n != 1 {
		t.Errorf("Count(%q) = %d, want 1", FilesEndpoint, n)
	}
}

func TestReportFileRefusals(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC))
	api := newTestAPI(t, Config{Seed: 1, Now: clock.Now})
	run := finishedRun(t, api, clock, "all_goals")
	link := run["result"].(map[string]any)["url"].(string)
	tests := []struct {
		name     string
		url      string
		advance  time.Duration
		want     int
		wantCode string
	}{
		{"bad_signature", strings.Replace(link, "signature=", "signature=00", 1), 0, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"other_name", strings.Replace(link, ".xlsx?", "x.xlsx?", 1), 0, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"expired", link, 25 * time.Hour, http.StatusForbidden, "AccessDenied"},
	}
	for _, tt := range tests {
		clock.Advance(tt.advance)
		status, body := fetch(t, tt.url)
		if status != tt.want || !strings.Contains(string(body), "<Code>"+tt.wantCode+"</Code>") {
			t.Errorf("%s: GET = %d %s, want %d with code %s", tt.name, status, body, tt.want, tt.wantCode)
		}
	}
}

func TestFailReportRuns(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC))
	api := newTestAPI(t, Config{Seed: 1, Now: clock.Now})
	api.sb.FailReportRuns(1, "Report generation timed out.")

	failed := finishedRun(t, api, clock, "all_goals")
	next := finishedRun(t, api, clock, "all_goals")

	if failed["status"] != "failed" || failed["error"] != "Report generation timed out." || failed["result"] != nil {
		t.Errorf("first run = %v, want failed with the error given", failed)
	}
	if next["status"] != "succeeded" {
		t.Errorf("second run = %v, want succeeded: only one was to fail", next)
	}
}

func TestReportRunTimesAreConfigurable(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC))
	api := newTestAPI(t, Config{Seed: 1, Now: clock.Now, ReportRuns: ReportRunConfig{StartDelay: 10 * time.Millisecond, Duration: 20 * time.Millisecond}})
	ans := api.send(RoleSuperAdmin, "POST", "/report_runs/", `{"report": "all_goals", "parameters": {"date_range": {"start": "2021-01-01", "end": "2021-01-31"}}}`)
	path := fmt.Sprintf("/report_runs/%d/", int64(ans.object(t)["id"].(float64)))
	var got []string
	for range 3 {
		got = append(got, api.get(RoleSuperAdmin, path).object(t)["status"].(string))
		clock.Advance(10 * time.Millisecond)
	}
	if diff := cmp.Diff([]string{"pending", "running", "succeeded"}, got); diff != "" {
		t.Errorf("statuses every 10ms (-want +got):\n%s", diff)
	}
}
