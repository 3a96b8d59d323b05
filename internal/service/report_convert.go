package service

import (
	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

var (
	// reportKinds holds the filter and payload spellings only, so that
	// requests send them; reportRunToProto reads the singular spellings of
	// the example bodies through upstream.CanonicalReportName.
	reportKinds = newEnumMapping("ReportKind", map[string]betterworksv1.ReportKind{
		upstream.ReportAllGoals:              betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS,
		upstream.ReportAllGoalsAndMilestones: betterworksv1.ReportKind_REPORT_KIND_ALL_GOALS_AND_MILESTONES,
		upstream.ReportConversationAnswers:   betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ANSWERS,
		upstream.ReportConversationAdoption:  betterworksv1.ReportKind_REPORT_KIND_CONVERSATION_ADOPTION,
		upstream.ReportFeedbackAnswers:       betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ANSWERS,
		upstream.ReportFeedbackAdoption:      betterworksv1.ReportKind_REPORT_KIND_FEEDBACK_ADOPTION,
		upstream.ReportRecognition:           betterworksv1.ReportKind_REPORT_KIND_RECOGNITION,
		upstream.ReportUserActivity:          betterworksv1.ReportKind_REPORT_KIND_USER_ACTIVITY,
	})
	// reportRunStatuses is read only, never sent. "running" is a run that
	// has started but not finished; the contract's PENDING covers "waiting
	// or running".
	reportRunStatuses = newEnumMapping("ReportRunStatus", map[string]betterworksv1.ReportRunStatus{
		upstream.ReportRunPending:   betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING,
		upstream.ReportRunRunning:   betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_PENDING,
		upstream.ReportRunSucceeded: betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_SUCCEEDED,
		upstream.ReportRunFailed:    betterworksv1.ReportRunStatus_REPORT_RUN_STATUS_FAILED,
	})
)

func reportRunToProto(r *upstream.ReportRun) *betterworksv1.ReportRun {
	if r == nil {
		return nil
	}
	return &betterworksv1.ReportRun{
		Id:         r.ID,
		Report:     reportKinds.enum(upstream.CanonicalReportName(r.Report)),
		Created:    timestamp(r.Created),
		CreatedBy:  userRef(r.CreatedBy),
		Status:     reportRunStatuses.enum(r.Status),
		Parameters: reportParametersToProto(r.Parameters),
		Finished:   timestamp(r.Finished),
		Error:      jsonValue(r.Error),
		Result:     reportResultToProto(r.Result),
	}
}

func reportParametersToProto(p *upstream.ReportRunParameters) *betterworksv1.ReportRunParameters {
	if p == nil {
		return nil
	}
	return &betterworksv1.ReportRunParameters{
		Template:  p.Template,
		DateRange: &betterworksv1.ReportDateRange{Start: p.DateRange.Start, End: p.DateRange.End},
	}
}

func reportResultToProto(r *upstream.ReportRunResult) *betterworksv1.ReportRunResult {
	if r == nil {
		return nil
	}
	return &betterworksv1.ReportRunResult{
		Created:   timestamp(r.Created),
		ExpiresOn: timestamp(r.ExpiresOn),
		Filename:  r.Filename,
		Type:      r.Type,
		Url:       r.URL,
	}
}
