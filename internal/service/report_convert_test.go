package service

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// This file converts the reference's Reports examples (the upstream
// package's testdata/reports/) from the upstream types to the contract's
// messages, and checks every field.

// wantSucceededReportRunProto is the run of the list and get examples, with the
// id given.
func wantSucceededReportRunProto(id int64) *betterworksv1.ReportRun {
	return &betterworksv1.ReportRun{
		Id:        id,
		Report:    betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS,
		Created:   convEpoch(1617389428, 763803),
		CreatedBy: &betterworksv1.UserRef{Id: 22, Name: "User One"},
		Status:    betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_SUCCEEDED,
		Parameters: &betterworksv1.ReportRunParameters{
			Template:  1234,
			DateRange: &betterworksv1.ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
		},
		Finished: convEpoch(1617389431, 97175),
		Error:    nil,
		Result: &betterworksv1.ReportRunResult{
			Created:   convEpoch(1617389431, 96469),
			ExpiresOn: convEpoch(1617475831, 93870),
			Filename:  "ConversationAnswersExample.xlsx",
			Type:      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			Url:       "<url>",
		},
	}
}

func TestReportExamplesToProto(t *testing.T) {
	t.Parallel()
	checkExamples(t, []exampleCase{
		{
			section: "reports", fixture: "list_report_runs.json",
			convert: convertExamplePage(reportRunToProto),
			want:    []*betterworksv1.ReportRun{wantSucceededReportRunProto(1000), wantSucceededReportRunProto(1001)},
		},
		{section: "reports", fixture: "get_report_run.json", convert: convertExample(reportRunToProto), want: wantSucceededReportRunProto(1000)},
		{
			section: "reports", fixture: "create_report_run.json", convert: convertExample(reportRunToProto),
			want: &betterworksv1.ReportRun{
				Id:        1000,
				Report:    betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS,
				Created:   convEpoch(1617646407, 70280),
				CreatedBy: &betterworksv1.UserRef{Id: 22, Name: "User One"},
				Status:    betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING,
				Parameters: &betterworksv1.ReportRunParameters{
					Template:  1234,
					DateRange: &betterworksv1.ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
				},
				Finished: nil,
				Error:    nil,
				Result:   nil,
			},
		},
	})
}

// TestReportCreateRequestMatchesExample builds the payload of the
// reference's Create Report Run example from the contract's request.
func TestReportCreateRequestMatchesExample(t *testing.T) {
	t.Parallel()
	in, err := reportRunCreate(&betterworksv1.CreateReportRunRequest{
		Report:     betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS,
		TemplateId: "1234",
		Start:      "2021-01-01",
		End:        "2021-01-31",
	})
	if err != nil {
		t.Fatalf("reportRunCreate() error = %v", err)
	}
	want := sectionExample[any](t, "reports", "create_report_run_request.json")
	if diff := cmp.Diff(want, payloadJSON(t, in)); diff != "" {
		t.Errorf("payload mismatch (-want +got):\n%s", diff)
	}
}

// TestReportRunToProtoValues maps both spellings of the answer reports,
// every status, and an error of any JSON type.
func TestReportRunToProtoValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   upstream.ReportRun
		want *betterworksv1.ReportRun
	}{
		{
			name: "feedback_answer_singular",
			in:   upstream.ReportRun{Report: "feedback_answer"},
			want: &betterworksv1.ReportRun{Report: betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ANSWERS},
		},
		{
			name: "feedback_answers_plural",
			in:   upstream.ReportRun{Report: "feedback_answers"},
			want: &betterworksv1.ReportRun{Report: betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ANSWERS},
		},
		{
			name: "unknown_kind",
			in:   upstream.ReportRun{Report: "okr_heatmap"},
			want: &betterworksv1.ReportRun{},
		},
		{
			name: "running_is_pending",
			in:   upstream.ReportRun{Status: "running"},
			want: &betterworksv1.ReportRun{Status: betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING},
		},
		{
			name: "failed_with_text",
			in:   upstream.ReportRun{Status: "failed", Error: json.RawMessage(`"Report generation timed out."`)},
			want: &betterworksv1.ReportRun{
				Status: betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED,
				Error:  structpb.NewStringValue("Report generation timed out."),
			},
		},
		{
			name: "failed_with_object",
			in:   upstream.ReportRun{Status: "failed", Error: json.RawMessage(`{"code": 7}`)},
			want: &betterworksv1.ReportRun{
				Status: betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED,
				Error: structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
					"code": structpb.NewNumberValue(7),
				}}),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, reportRunToProto(&tt.in), protocmp.Transform()); diff != "" {
				t.Errorf("reportRunToProto() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReportKindsSendThePluralSpelling sends every kind under the filter
// and payload name of the reference.
func TestReportKindsSendThePluralSpelling(t *testing.T) {
	t.Parallel()
	want := map[betterworksv1.ReportKind]string{
		betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS:                "all_goals",
		betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS_AND_MILESTONES: "all_goals_and_milestones",
		betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS:     "conversation_answers",
		betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ADOPTION:    "conversation_adoption",
		betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ANSWERS:         "feedback_answers",
		betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ADOPTION:        "feedback_adoption",
		betterworksv1.ReportKind_REPORT_KIND_RECOGNITION:              "recognition",
		betterworksv1.ReportKind_REPORT_KIND_USER_ACTIVITY:            "user_activity",
		betterworksv1.ReportKind_REPORT_KIND_UNSPECIFIED:              "",
	}
	for kind := range betterworksv1.ReportKind_name {
		k := betterworksv1.ReportKind(kind)
		if got := reportKinds.upstream(k); got != want[k] {
			t.Errorf("reportKinds.upstream(%v) = %q, want %q", k, got, want[k])
		}
	}
}
