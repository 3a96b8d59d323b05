package upstream

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file tests the conversation, feedback, recognition, hashtag and
// report types against every example body of those sections of the
// reference (testdata/<section>/), and the requests their client methods
// send.

// wantSucceededReportRun is the run of the list and get examples.
func wantSucceededReportRun(id int64) ReportRun {
	return ReportRun{
		ID:        id,
		Report:    "conversation_answer",
		Created:   engagementEpoch(1617389428, 763803),
		CreatedBy: &UserRef{ID: 22, Name: "User One"},
		Status:    ReportRunSucceeded,
		Parameters: &ReportRunParameters{
			Template:  1234,
			DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
		},
		Finished: engagementEpoch(1617389431, 97175),
		Error:    engagementRaw(`null`),
		Result: &ReportRunResult{
			Created:   engagementEpoch(1617389431, 96469),
			ExpiresOn: engagementEpoch(1617475831, 93870),
			Filename:  "ConversationAnswersExample.xlsx",
			Type:      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			URL:       "<url>",
		},
	}
}

func TestDecodeListReportRuns(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[ReportRun]](t, "reports/list_report_runs.json")
	want := Page[ReportRun]{
		Results: []ReportRun{wantSucceededReportRun(1000), wantSucceededReportRun(1001)},
		More:    false,
		NextURL: "",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeGetReportRun(t *testing.T) {
	t.Parallel()
	got := engagementDecode[ReportRun](t, "reports/get_report_run.json")
	if diff := cmp.Diff(wantSucceededReportRun(1000), got, engagementJSON); diff != "" {
		t.Errorf("decoded run mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeCreateReportRun(t *testing.T) {
	t.Parallel()
	got := engagementDecode[ReportRun](t, "reports/create_report_run.json")
	want := ReportRun{
		ID:        1000,
		Report:    ReportConversationAnswers,
		Created:   engagementEpoch(1617646407, 70280),
		CreatedBy: &UserRef{ID: 22, Name: "User One"},
		Status:    ReportRunPending,
		Parameters: &ReportRunParameters{
			Template:  1234,
			DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
		},
		Finished: Time{},
		Error:    engagementRaw(`null`),
		Result:   nil,
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded run mismatch (-want +got):\n%s", diff)
	}
}

// TestCreateReportRunRequestMatchesExample decodes the example request and
// checks that the payload type encodes back to the same JSON.
func TestCreateReportRunRequestMatchesExample(t *testing.T) {
	t.Parallel()
	want := CreateReportRunRequest{
		Report: ReportConversationAnswers,
		Parameters: ReportRunParameters{
			Template:  1234,
			DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
		},
	}
	got := engagementDecode[CreateReportRunRequest](t, "reports/create_report_run_request.json")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded request mismatch (-want +got):\n%s", diff)
	}

	encoded, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join("testdata", "reports", "create_report_run_request.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(json.RawMessage(example), json.RawMessage(encoded), engagementJSON); diff != "" {
		t.Errorf("encoded request differs from the example (-example +encoded):\n%s", diff)
	}
}

func TestCanonicalReportName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{in: "conversation_answer", want: ReportConversationAnswers},
		{in: "conversation_answers", want: ReportConversationAnswers},
		{in: "feedback_answer", want: ReportFeedbackAnswers},
		{in: "feedback_answers", want: ReportFeedbackAnswers},
		{in: "all_goals", want: ReportAllGoals},
		{in: "something_new", want: "something_new"},
	}
	for _, tt := range tests {
		if got := CanonicalReportName(tt.in); got != tt.want {
			t.Errorf("CanonicalReportName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
