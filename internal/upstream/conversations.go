package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// ConversationTemplate is a conversation template as List Conversation
// Templates and Get Conversation Template return it.
type ConversationTemplate struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	// Type is "scheduled" or "adhoc".
	Type                    string                         `json:"type"`
	Name                    string                         `json:"name"`
	Description             string                         `json:"description"`
	Enabled                 bool                           `json:"enabled"`
	RequireMarkedAsMet      bool                           `json:"require_marked_as_met"`
	OnlyManagersCanInitiate bool                           `json:"only_managers_can_initiate"`
	AllowedEmployees        []ConversationTemplateEmployee `json:"allowed_employees"`
	// AllowedGroups holds admin group ids.
	AllowedGroups         []int64 `json:"allowed_groups"`
	IsGoalCreationEnabled bool    `json:"is_goal_creation_enabled"`
	// The HRQ fields configure the HR questionnaire.
	HRQEnabled             bool `json:"hrq_enabled"`
	HRQIsConcurrent        bool `json:"hrq_is_concurrent"`
	HRQNotificationOnStart bool `json:"hrq_notification_on_start"`
	HRQNotificationOnDue   bool `json:"hrq_notification_on_due"`
	NotificationOnStart    bool `json:"notification_on_start"`
	NotificationOnEnd      bool `json:"notification_on_end"`
	// NotificationMidcycleDays and NotificationOverdueDays are in days.
	NotificationMidcycleDays int `json:"notification_midcycle_days"`
	NotificationOverdueDays  int `json:"notification_overdue_days"`
	// The permissions are "can_only_view" or "no_access" in the reference.
	SuperAdminPermission        string `json:"super_admin_permission"`
	HRAdminPermission           string `json:"hr_admin_permission"`
	SkipLevelManagersPermission string `json:"skip_level_managers_permission"`
	// SkipLevelManagersLevel is "none" in the reference.
	SkipLevelManagersLevel                   string                   `json:"skip_level_managers_level"`
	MatrixManagerEnabled                     bool                     `json:"matrix_manager_enabled"`
	MatrixManagerCanSeeResponses             bool                     `json:"matrix_manager_can_see_responses"`
	MatrixManagerCanSeeDirectReportResponses bool                     `json:"matrix_manager_can_see_direct_report_responses"`
	Deployments                              []ConversationDeployment `json:"deployments"`
	// Participants and HRQParticipants hold roles: "employee", "manager".
	Participants    []string `json:"participants"`
	HRQParticipants []string `json:"hrq_participants"`
	Created         Time     `json:"created"`
	CreatedBy       *UserRef `json:"created_by"`
	Updated         Time     `json:"updated"`
	UpdatedBy       *UserRef `json:"updated_by"`
	CreatedOn       Time     `json:"created_on"`
	ModifiedOn      Time     `json:"modified_on"`
}

// ConversationTemplateEmployee is an employee a conversation template is
// available to: a user reference with the e-mail address and the active
// flag instead of the UUID.
type ConversationTemplateEmployee struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	IsActive bool   `json:"is_active"`
	Email    string `json:"email"`
}

// ConversationDeployment is one time frame of a conversation template.
// Its ID is the deployment_id of List Conversations.
type ConversationDeployment struct {
	ID          int64               `json:"id"`
	UUID        string              `json:"uuid"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Cycles      []ConversationCycle `json:"cycles"`
}

// ConversationCycle holds the dates of one role in one stage of a
// deployment. Dates are YYYY-MM-DD as the upstream sends them; empty for
// null.
type ConversationCycle struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	// Role is "employee" or "manager".
	Role string `json:"role"`
	// Stage is "primary" in the reference.
	Stage          string `json:"stage"`
	Start          string `json:"start"`
	End            string `json:"end"`
	LockOnShare    bool   `json:"lock_on_share"`
	LockDate       string `json:"lock_date"`
	ReviewEnd      string `json:"review_end"`
	SubmitEnd      string `json:"submit_end"`
	GracePeriodEnd string `json:"grace_period_end"`
}

// Conversation is one conversation as List Conversations returns it.
// Calendar dates are YYYY-MM-DD as the upstream sends them.
type Conversation struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	// Type is "scheduled" or "adhoc".
	Type         string                    `json:"type"`
	Name         string                    `json:"name"`
	Description  string                    `json:"description"`
	DeploymentID int64                     `json:"deployment_id"`
	Manager      *UserRef                  `json:"manager"`
	Employee     *UserRef                  `json:"employee"`
	Contributors []ConversationContributor `json:"contributors"`
	Start        string                    `json:"start"`
	End          string                    `json:"end"`
	// MarkedAsMet is "not_met" in the reference.
	MarkedAsMet string `json:"marked_as_met"`
	// The four questionnaires are nil when the upstream sends null.
	ManagerResponse      *ConversationQuestionnaire `json:"manager_response"`
	EmployeeResponse     *ConversationQuestionnaire `json:"employee_response"`
	PostEmployeeResponse *ConversationQuestionnaire `json:"post_employee_response"`
	PostManagerResponse  *ConversationQuestionnaire `json:"post_manager_response"`
	EmployeeSubmitEnd    string                     `json:"employee_submit_end"`
	ManagerSubmitEnd     string                     `json:"manager_submit_end"`
	GracePeriodEnd       string                     `json:"grace_period_end"`
	EmployeeReviewEnd    string                     `json:"employee_review_end"`
	ManagerReviewEnd     string                     `json:"manager_review_end"`
	// ManagerStatus and EmployeeStatus are such as "not_started" or
	// "post_hr_not_started".
	ManagerStatus                    string   `json:"manager_status"`
	EmployeeStatus                   string   `json:"employee_status"`
	EmployeeNotes                    string   `json:"employee_notes"`
	EmployeeNotesUpdated             Time     `json:"employee_notes_updated"`
	ManagerNotes                     string   `json:"manager_notes"`
	ManagerNotesUpdated              Time     `json:"manager_notes_updated"`
	PostManagerQuestionnairePending  bool     `json:"post_manager_questionnaire_pending"`
	PostEmployeeQuestionnairePending bool     `json:"post_employee_questionnaire_pending"`
	Created                          Time     `json:"created"`
	CreatedBy                        *UserRef `json:"created_by"`
	CreatedOn                        Time     `json:"created_on"`
	ModifiedOn                       Time     `json:"modified_on"`
}

// ConversationContributor is a user asked to contribute to a conversation.
type ConversationContributor struct {
	User *UserRef `json:"user"`
	// Status is "answering" or "shared".
	Status string `json:"status"`
	// Response is nil until the contributor shares (null upstream).
	Response *string `json:"response"`
}

// ConversationQuestionnaire is one participant's block of answers, which
// the upstream names manager_response, employee_response,
// post_employee_response or post_manager_response.
type ConversationQuestionnaire struct {
	ID          int64  `json:"id"`
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description"`
	SharedOn    Time   `json:"shared_on"`
	SubmittedOn Time   `json:"submitted_on"`
	// UnlockedUntil is how long the answers stay open after an unlock.
	UnlockedUntil Time                 `json:"unlocked_until"`
	Responses     []ConversationAnswer `json:"responses"`
	Updated       Time                 `json:"updated"`
	UpdatedBy     *UserRef             `json:"updated_by"`
	Created       Time                 `json:"created"`
	CreatedBy     *UserRef             `json:"created_by"`
	CreatedOn     Time                 `json:"created_on"`
	ModifiedOn    Time                 `json:"modified_on"`
}

// ConversationAnswer is the answer to one question of a questionnaire.
type ConversationAnswer struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	// Type is "text", "multiple_choice" or "rating".
	Type string `json:"type"`
	// QuestionID is 0 where the upstream omits it.
	QuestionID int64  `json:"question_id"`
	Question   string `json:"question"`
	// QuestionOptions is the JSON the upstream sent: a list of strings or
	// numbers, or null.
	QuestionOptions json.RawMessage `json:"question_options"`
	// Answer is the JSON the upstream sent: text, a number or a list.
	Answer json.RawMessage `json:"answer"`
	// LockDate is YYYY-MM-DD; empty for null.
	LockDate   string `json:"lock_date"`
	Created    Time   `json:"created"`
	Updated    Time   `json:"updated"`
	CreatedOn  Time   `json:"created_on"`
	ModifiedOn Time   `json:"modified_on"`
}

// ConversationTemplateFilter selects templates in List Conversation
// Templates. A zero field is not sent.
type ConversationTemplateFilter struct {
	// Type is "scheduled" or "adhoc".
	Type string
	// Enabled selects enabled (true) or disabled (false) templates.
	Enabled *bool
}

// ListConversationTemplates fetches one page of conversation templates.
func (c *Client) ListConversationTemplates(ctx context.Context, token Token, f ConversationTemplateFilter, page PageRequest) (*Page[ConversationTemplate], error) {
	q := url.Values{}
	setNonEmpty(q, "type", f.Type)
	setBool(q, "enabled", f.Enabled)
	page.encode(q)
	return fetchPage[ConversationTemplate](ctx, c, token, call{op: opListConversationTemplates, query: q}, page)
}

// GetConversationTemplate fetches one conversation template by id or UUID.
func (c *Client) GetConversationTemplate(ctx context.Context, token Token, id string) (*ConversationTemplate, error) {
	return fetch[ConversationTemplate](ctx, c, token, call{op: opGetConversationTemplate, id: id})
}

// ConversationFilter selects conversations in List Conversations.
// DeploymentID is required; any other zero field is not sent.
type ConversationFilter struct {
	// DeploymentID is the deployment's id or UUID. Required.
	DeploymentID string
	// ManagerID is the manager's id or UUID.
	ManagerID string
	// EmployeeID is the employee's integer id; the upstream takes no UUID.
	EmployeeID int64
	// DeltaStart and DeltaEnd bound modified_on, both inclusive.
	DeltaStart, DeltaEnd time.Time
}

// ListConversations fetches one page of a deployment's conversations.
func (c *Client) ListConversations(ctx context.Context, token Token, f ConversationFilter, page PageRequest) (*Page[Conversation], error) {
	if f.DeploymentID == "" {
		return nil, fmt.Errorf("%s: %w: deployment_id is required", opListConversations, ErrInvalidRequest)
	}
	q := url.Values{"deployment_id": {f.DeploymentID}}
	setNonEmpty(q, "manager_id", f.ManagerID)
	setID(q, "employee_id", f.EmployeeID)
	setDelta(q, f.DeltaStart, f.DeltaEnd)
	page.encode(q)
	return fetchPage[Conversation](ctx, c, token, call{op: opListConversations, query: q}, page)
}
