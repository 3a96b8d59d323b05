package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Report names, as the reference spells them in the report filter of List
// Report Runs and the payload of Create Report Run. The example bodies
// spell the answer reports in the singular ("conversation_answer");
// CanonicalReportName maps those to these.
const (
	ReportAllGoals              = "all_goals"
	ReportAllGoalsAndMilestones = "all_goals_and_milestones"
	ReportConversationAnswers   = "conversation_answers"
	ReportConversationAdoption  = "conversation_adoption"
	ReportFeedbackAnswers       = "feedback_answers"
	ReportFeedbackAdoption      = "feedback_adoption"
	ReportRecognition           = "recognition"
	ReportUserActivity          = "user_activity"
)

// The singular spellings of the answer reports in the reference's example
// bodies. "feedback_answer" is not shown; it is read by analogy.
const (
	reportConversationAnswerBody = "conversation_answer"
	reportFeedbackAnswerBody     = "feedback_answer"
)

// Report run statuses: the reference shows pending and succeeded; the
// upstream also reports running and failed.
const (
	ReportRunPending   = "pending"
	ReportRunRunning   = "running"
	ReportRunSucceeded = "succeeded"
	ReportRunFailed    = "failed"
)

// CanonicalReportName returns the filter and payload spelling of a report
// name read from a body: "conversation_answer" becomes
// "conversation_answers", "feedback_answer" becomes "feedback_answers", and
// any other name is returned as it is.
func CanonicalReportName(name string) string {
	switch name {
	case reportConversationAnswerBody:
		return ReportConversationAnswers
	case reportFeedbackAnswerBody:
		return ReportFeedbackAnswers
	}
	return name
}

// ReportRun is a report run as List Report Runs, Get Report Run and Create
// Report Run return it.
type ReportRun struct {
	ID int64 `json:"id"`
	// Report is the report's name as the upstream sent it; see
	// CanonicalReportName.
	Report  string `json:"report"`
	Created Time   `json:"created"`
	// CreatedBy carries no UUID in the reference.
	CreatedBy *UserRef `json:"created_by"`
	// Status is "pending" or "succeeded" in the reference.
	Status     string               `json:"status"`
	Parameters *ReportRunParameters `json:"parameters"`
	// Finished is zero while the run is pending.
	Finished Time `json:"finished"`
	// Error is the JSON the upstream sent; the reference shows only null.
	Error json.RawMessage `json:"error"`
	// Result is nil until the run has succeeded.
	Result *ReportRunResult `json:"result"`
	// Served is when the upstream answered, by its own clock (the Date
	// header of Get Report Run); zero when it sent none. Compare
	// Result.ExpiresOn with it, never with the facade's clock.
	Served time.Time `json:"-"`
}

// setServed records the response's Date.
func (r *ReportRun) setServed(t time.Time) { r.Served = t }

// ReportRunParameters are the parameters of a report run, in a run and in
// the Create Report Run payload.
type ReportRunParameters struct {
	// Template is the conversation or feedback template's id; 0 (left out
	// of a payload) for other reports.
	Template  int64           `json:"template,omitempty"`
	DateRange ReportDateRange `json:"date_range"`
}

// ReportDateRange is the period a report covers, both days included, as
// YYYY-MM-DD dates.
type ReportDateRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// ReportRunResult is the file a succeeded run produced.
type ReportRunResult struct {
	Created Time `json:"created"`
	// ExpiresOn is when URL stops working.
	ExpiresOn Time   `json:"expires_on"`
	Filename  string `json:"filename"`
	// Type is the file's media type.
	Type string `json:"type"`
	// URL is the upstream's download link.
	URL string `json:"url"`
}

// CreateReportRunRequest is the payload of Create Report Run. The
// reference's parameter table lists report, template, start and end; its
// example request, followed here, nests the last three under parameters.
type CreateReportRunRequest struct {
	// Report is one of the Report constants. Required.
	Report     string              `json:"report"`
	Parameters ReportRunParameters `json:"parameters"`
}

// ReportRunFilter selects runs in List Report Runs. A zero field is not
// sent.
type ReportRunFilter struct {
	// Report is one of the Report constants.
	Report string
	// Template is a conversation or feedback template's integer id.
	Template int64
	// Created is a YYYY-MM-DD day the runs were created on.
	Created string
}

// ListReportRuns fetches one page of report runs.
func (c *Client) ListReportRuns(ctx context.Context, token Token, f ReportRunFilter, page PageRequest) (*Page[ReportRun], error) {
	q := url.Values{}
	setNonEmpty(q, "report", f.Report)
	setID(q, "template", f.Template)
	setNonEmpty(q, "created", f.Created)
	page.encode(q)
	return fetchPage[ReportRun](ctx, c, token, call{op: opListReportRuns, query: q}, page)
}

// GetReportRun fetches one report run by its integer id.
func (c *Client) GetReportRun(ctx context.Context, token Token, id string) (*ReportRun, error) {
	return fetch[ReportRun](ctx, c, token, call{op: opGetReportRun, id: id})
}

// CreateReportRun starts a report run and returns it, usually pending. It
// is not idempotent: each call starts a run.
func (c *Client) CreateReportRun(ctx context.Context, token Token, req CreateReportRunRequest) (*ReportRun, error) {
	if req.Report == "" {
		return nil, fmt.Errorf("%s: %w: report is required", opCreateReportRun, ErrInvalidRequest)
	}
	return fetch[ReportRun](ctx, c, token, call{op: opCreateReportRun, body: req})
}
