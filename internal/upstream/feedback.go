package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// FeedbackTemplate is a feedback template as List Feedback Templates and
// Get Feedback Template return it.
type FeedbackTemplate struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	// Type is "scheduled", "adhoc_give", "adhoc_request",
	// "adhoc_manager_request" or "adhoc_request_custom".
	Type             string                     `json:"type"`
	Name             string                     `json:"name"`
	Enabled          bool                       `json:"enabled"`
	Cycles           []FeedbackCycle            `json:"cycles"`
	Created          Time                       `json:"created"`
	Updated          Time                       `json:"updated"`
	CreatedOn        Time                       `json:"created_on"`
	ModifiedOn       Time                       `json:"modified_on"`
	QuestionsLocked  bool                       `json:"questions_locked"`
	Questions        []FeedbackTemplateQuestion `json:"questions"`
	AllowedEmployees []UserRef                  `json:"allowed_employees"`
	AllowedProviders []UserRef                  `json:"allowed_providers"`
	// The notify and permission flags follow the upstream names.
	NotifyCycleStarted      bool `json:"notify_cycle_started"`
	NotifyFeedbackReminder  bool `json:"notify_feedback_reminder"`
	NotifyFeedbackRequested bool `json:"notify_feedback_requested"`
	EmployeeCanChoose       bool `json:"employee_can_choose"`
	EmployeeCanView         bool `json:"employee_can_view"`
	EmployeeSeeIdentity     bool `json:"employee_see_identity"`
	ManagerCanChoose        bool `json:"manager_can_choose"`
	ManagerCanView          bool `json:"manager_can_view"`
	ManagerSeeIdentity      bool `json:"manager_see_identity"`
	SkipLevelCanView        bool `json:"skip_level_can_view"`
	SkipLevelSeeIdentity    bool `json:"skip_level_see_identity"`
	// SkipLevelManagersLevel is "none" in the reference.
	SkipLevelManagersLevel string `json:"skip_level_managers_level"`
	// DefaultProviderType is "classic_360" in the reference.
	DefaultProviderType             string `json:"default_provider_type"`
	DefaultProvidersLimit           int    `json:"default_providers_limit"`
	DefaultProvidersIncludesManager bool   `json:"default_providers_includes_manager"`
	DefaultProvidersIncludesDirects bool   `json:"default_providers_includes_directs"`
	DefaultProvidersIncludesPeers   bool   `json:"default_providers_includes_peers"`
	SummaryVisibleEmployee          bool   `json:"summary_visible_employee"`
	SummaryVisibleManager           bool   `json:"summary_visible_manager"`
	HoldFeedback                    bool   `json:"hold_feedback"`
}

// FeedbackCycle is one cycle of a feedback template. Dates are YYYY-MM-DD
// as the upstream sends them; empty for null.
type FeedbackCycle struct {
	ID                      int64  `json:"id"`
	UUID                    string `json:"uuid"`
	CycleStart              string `json:"cycle_start"`
	SelectionEnd            string `json:"selection_end"`
	FeedbackStart           string `json:"feedback_start"`
	CycleEnd                string `json:"cycle_end"`
	GracePeriodEnd          string `json:"grace_period_end"`
	EnableAnytimeNomination bool   `json:"enable_anytime_nomination"`
}

// FeedbackTemplateQuestion is one question of a feedback template.
type FeedbackTemplateQuestion struct {
	ID         int64  `json:"id"`
	UUID       string `json:"uuid"`
	TemplateID int64  `json:"template_id"`
	// Type is "text", "multiple_choice", "rating" or "scale".
	Type string `json:"type"`
	Text string `json:"text"`
	// Options is the JSON the upstream sent: a list of strings or numbers,
	// or null.
	Options     json.RawMessage `json:"options"`
	HideNumbers bool            `json:"hide_numbers"`
	// Order is the question's 0-based position.
	Order     int  `json:"order"`
	Mandatory bool `json:"mandatory"`
}

// Feedback is one piece of feedback as List Feedback returns it.
type Feedback struct {
	ID          int64            `json:"id"`
	UUID        string           `json:"uuid"`
	Name        string           `json:"name"`
	CycleID     int64            `json:"cycle_id"`
	Cycle       *FeedbackCycle   `json:"cycle"`
	ForUser     *UserRef         `json:"for_user"`
	RequestedBy *UserRef         `json:"requested_by"`
	Created     Time             `json:"created"`
	CreatedBy   *UserRef         `json:"created_by"`
	Updated     Time             `json:"updated"`
	Responses   []FeedbackAnswer `json:"responses"`
	CreatedOn   Time             `json:"created_on"`
	ModifiedOn  Time             `json:"modified_on"`
	// The visibility flags follow the upstream names.
	EmployeeCanView     bool `json:"employee_can_view"`
	ManagerCanView      bool `json:"manager_can_view"`
	EmployeeSeeIdentity bool `json:"employee_see_identity"`
	ManagerSeeIdentity  bool `json:"manager_see_identity"`
	HoldFeedback        bool `json:"hold_feedback"`
	// Status is "answering" or "submitted" in the reference.
	Status       string `json:"status"`
	TemplateName string `json:"template_name"`
	// TemplateType is one of FeedbackTemplate.Type's values.
	TemplateType string `json:"template_type"`
}

// FeedbackAnswer is the answer to one question of a piece of feedback.
type FeedbackAnswer struct {
	ID int64 `json:"id"`
	// UUID is empty where the upstream omits it.
	UUID       string `json:"uuid"`
	Question   string `json:"question"`
	QuestionID int64  `json:"question_id"`
	// QuestionOptions is the JSON the upstream sent: a list of strings or
	// numbers, or null.
	QuestionOptions json.RawMessage `json:"question_options"`
	// Type is "text", "multiple_choice", "rating" or "scale".
	Type       string `json:"type"`
	FeedbackID int64  `json:"feedback_id"`
	// Answer is the JSON the upstream sent: text, a number or a list.
	Answer      json.RawMessage `json:"answer"`
	HideNumbers bool            `json:"hide_numbers"`
}

// FeedbackRequest is a request for feedback as List Feedback Requests
// returns it. Its users are full user records.
type FeedbackRequest struct {
	ID           int64               `json:"id"`
	UUID         string              `json:"uuid"`
	Cycle        *FeedbackCycle      `json:"cycle"`
	AdhocCycle   *FeedbackAdhocCycle `json:"adhoc_cycle"`
	FromUser     *User               `json:"from_user"`
	ForUser      *User               `json:"for_user"`
	RequestedBy  *User               `json:"requested_by"`
	FeedbackID   int64               `json:"feedback_id"`
	FeedbackUUID string              `json:"feedback_uuid"`
	Question     string              `json:"question"`
	// Declined is nil while the provider has not decided (null upstream).
	Declined        *bool `json:"declined"`
	CanViewFeedback bool  `json:"can_view_feedback"`
	HoldFeedback    bool  `json:"hold_feedback"`
	Created         Time  `json:"created"`
	CreatedBy       *User `json:"created_by"`
	// Status is the upstream's numeric status code (0 in the reference).
	Status       int    `json:"status"`
	TemplateID   int64  `json:"template_id"`
	TemplateUUID string `json:"template_uuid"`
	// Expired is the JSON the upstream sent; the reference shows only null.
	Expired    json.RawMessage `json:"expired"`
	CreatedOn  Time            `json:"created_on"`
	ModifiedOn Time            `json:"modified_on"`
	CustomNote string          `json:"custom_note"`
	// Questions is the JSON the upstream sent when the request asked for
	// questions; nil otherwise. The reference does not show its shape.
	Questions json.RawMessage `json:"questions"`
}

// FeedbackAdhocCycle is the anytime cycle of a feedback request.
type FeedbackAdhocCycle struct {
	ID                int64    `json:"id"`
	TemplateID        int64    `json:"template_id"`
	TemplateName      string   `json:"template_name"`
	TemplateQuestions []string `json:"template_questions"`
	QuestionsLocked   bool     `json:"questions_locked"`
}

// FeedbackTemplateFilter selects templates in List Feedback Templates. A
// zero field is not sent.
type FeedbackTemplateFilter struct {
	// Type is one of FeedbackTemplate.Type's values.
	Type string
}

// ListFeedbackTemplates fetches one page of feedback templates.
func (c *Client) ListFeedbackTemplates(ctx context.Context, token Token, f FeedbackTemplateFilter, page PageRequest) (*Page[FeedbackTemplate], error) {
	q := url.Values{}
	setNonEmpty(q, "type", f.Type)
	page.encode(q)
	return fetchPage[FeedbackTemplate](ctx, c, token, call{op: opListFeedbackTemplates, query: q}, page)
}

// GetFeedbackTemplate fetches one feedback template by id or UUID. The
// upstream path has no trailing slash.
func (c *Client) GetFeedbackTemplate(ctx context.Context, token Token, id string) (*FeedbackTemplate, error) {
	return fetch[FeedbackTemplate](ctx, c, token, call{op: opGetFeedbackTemplate, id: id})
}

// FeedbackFilter selects feedback in List Feedback. At least one of
// ForUserID and CycleID is required; a zero field is not sent.
type FeedbackFilter struct {
	// ForUserID is the id or UUID of the user the feedback is about.
	ForUserID string
	// CycleID is the feedback cycle's id or UUID.
	CycleID string
	// DeltaStart and DeltaEnd bound modified_on, both inclusive.
	DeltaStart, DeltaEnd time.Time
}

// ListFeedback fetches one page of feedback.
func (c *Client) ListFeedback(ctx context.Context, token Token, f FeedbackFilter, page PageRequest) (*Page[Feedback], error) {
	if f.ForUserID == "" && f.CycleID == "" {
		return nil, fmt.Errorf("%s: %w: for_user_id or cycle_id is required", opListFeedback, ErrInvalidRequest)
	}
	q := url.Values{}
	setNonEmpty(q, "for_user_id", f.ForUserID)
	setNonEmpty(q, "cycle_id", f.CycleID)
	setDelta(q, f.DeltaStart, f.DeltaEnd)
	page.encode(q)
	return fetchPage[Feedback](ctx, c, token, call{op: opListFeedback, query: q}, page)
}

// FeedbackRequestFilter selects requests in List Feedback Requests. A zero
// field is not sent.
type FeedbackRequestFilter struct {
	// Cycle is the feedback cycle's id or UUID.
	Cycle string
	// FromUser is the id or UUID of the user asked to give feedback.
	FromUser string
	// ForUser is the id or UUID of the user the feedback is about.
	ForUser string
	// Declined selects declined (true) or not declined (false) requests.
	Declined *bool
	// Questions asks for the questions in each request; the upstream's
	// default is false.
	Questions *bool
	// IsOpen selects open (true) or closed (false) requests.
	IsOpen *bool
	// IsAdhoc selects anytime (true) or scheduled (false) requests.
	IsAdhoc *bool
	// DeltaStart and DeltaEnd bound modified_on, both inclusive.
	DeltaStart, DeltaEnd time.Time
}

// ListFeedbackRequests fetches one page of feedback requests.
func (c *Client) ListFeedbackRequests(ctx context.Context, token Token, f FeedbackRequestFilter, page PageRequest) (*Page[FeedbackRequest], error) {
	q := url.Values{}
	setNonEmpty(q, "cycle", f.Cycle)
	setNonEmpty(q, "from_user", f.FromUser)
	setNonEmpty(q, "for_user", f.ForUser)
	for _, flag := range []struct {
		name  string
		value *bool
	}{
		{"declined", f.Declined},
		{"questions", f.Questions},
		{"is_open", f.IsOpen},
		{"is_adhoc", f.IsAdhoc},
	} {
		setBool(q, flag.name, flag.value)
	}
	setDelta(q, f.DeltaStart, f.DeltaEnd)
	page.encode(q)
	return fetchPage[FeedbackRequest](ctx, c, token, call{op: opListFeedbackRequests, query: q}, page)
}
