package sandbox

import "time"

// convTemplate is a conversation template: the attributes every
// conversation deployed from it follows.
type convTemplate struct {
	id                     int64
	uuid                   string
	kind                   string // scheduled or adhoc
	name                   string
	description            string
	enabled                bool
	requireMarkedAsMet     bool
	onlyManagersInitiate   bool
	allowedEmployees       []int64
	allowedGroups          []int64
	goalCreation           bool
	hrqEnabled             bool
	hrqConcurrent          bool
	hrqNotifyStart         bool
	hrqNotifyDue           bool
	notifyStart            bool
	notifyEnd              bool
	midcycleDays           int
	overdueDays            int
	superAdminPermission   string
	hrAdminPermission      string
	skipLevelPermission    string
	skipLevelLevel         string
	matrixEnabled          bool
	matrixSeesResponses    bool
	matrixSeesDirectReport bool
	deployments            []int64
	participants           []string
	hrqParticipants        []string
	created                time.Time
	createdBy              int64
	updated                time.Time
	updatedBy              int64
	createdOn              time.Time
	modifiedOn             time.Time
}

// deployment is one time frame of a template's conversations.
type deployment struct {
	id          int64
	uuid        string
	templateID  int64
	name        string
	description string
	cycles      []convCycle
}

// convCycle is a deployment's schedule for one participant role and stage.
type convCycle struct {
	id             int64
	uuid           string
	role           string // manager or employee
	stage          string // primary or post
	start, end     time.Time
	lockOnShare    bool
	lockDate       time.Time // zero: null
	reviewEnd      time.Time
	submitEnd      time.Time
	gracePeriodEnd time.Time
}

// conversation is one conversation between a manager and an employee.
type conversation struct {
	id                   int64
	uuid                 string
	deploymentID         int64
	kind                 string
	name                 string
	description          string
	managerID            int64
	employeeID           int64
	contributors         []contributor
	start, end           time.Time
	markedAsMet          string // met, not_met or not_marked
	managerResponse      *responseBlock
	employeeResponse     *responseBlock
	postEmployeeResponse *responseBlock
	postManagerResponse  *responseBlock
	employeeSubmitEnd    time.Time
	managerSubmitEnd     time.Time
	gracePeriodEnd       time.Time
	employeeReviewEnd    time.Time
	managerReviewEnd     time.Time
	managerStatus        string
	employeeStatus       string
	employeeNotes        string
	employeeNotesUpdated time.Time
	managerNotes         string
	managerNotesUpdated  time.Time
	postManagerPending   bool
	postEmployeePending  bool
	created              time.Time
	createdBy            int64
	createdOn            time.Time
	modifiedOn           time.Time
}

// contributor is an extra participant of a conversation.
type contributor struct {
	userID   int64
	status   string // shared or answering
	response string // "": null
}

// responseBlock is one participant's questionnaire in a conversation.
type responseBlock struct {
	id            int64
	uuid          string
	responderID   int64
	description   string
	sharedOn      time.Time
	submittedOn   time.Time
	unlockedUntil time.Time
	responses     []questionResponse
	created       time.Time
	createdBy     int64
	updated       time.Time
	updatedBy     int64
	createdOn     time.Time
	modifiedOn    time.Time
}

// questionResponse is the answer to one question. options are nil,
// []string or []int, as the reference shows; the answer is always text, as
// in every conversation example.
type questionResponse struct {
	id         int64
	uuid       string
	kind       string // text, multiple_choice, rating
	questionID int64
	question   string
	options    any
	answer     string
	lockDate   time.Time
	created    time.Time
	updated    time.Time
	createdOn  time.Time
	modifiedOn time.Time
}

// allowedEmployeeJSON is an entry of a template's allowed_employees.
type allowedEmployeeJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	IsActive bool   `json:"is_active"`
	Email    string `json:"email"`
}

// convCycleJSON is a deployment's cycle.
type convCycleJSON struct {
	ID             int64   `json:"id"`
	UUID           string  `json:"uuid"`
	Role           string  `json:"role"`
	Stage          string  `json:"stage"`
	Start          isoDate `json:"start"`
	End            isoDate `json:"end"`
	LockOnShare    bool    `json:"lock_on_share"`
	LockDate       isoDate `json:"lock_date"`
	ReviewEnd      isoDate `json:"review_end"`
	SubmitEnd      isoDate `json:"submit_end"`
	GracePeriodEnd isoDate `json:"grace_period_end"`
}

// deploymentJSON is a template's deployment with its cycles.
type deploymentJSON struct {
	ID          int64           `json:"id"`
	UUID        string          `json:"uuid"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Cycles      []convCycleJSON `json:"cycles"`
}

// convTemplateJSON is the conversation template object of the reference.
// Its created_on and modified_on carry milliseconds, as the example shows.
type convTemplateJSON struct {
	ID                                   int64                 `json:"id"`
	UUID                                 string                `json:"uuid"`
	Type                                 string                `json:"type"`
	Name                                 string                `json:"name"`
	Description                          string                `json:"description"`
	Enabled                              bool                  `json:"enabled"`
	RequireMarkedAsMet                   bool                  `json:"require_marked_as_met"`
	OnlyManagersCanInitiate              bool                  `json:"only_managers_can_initiate"`
	AllowedEmployees                     []allowedEmployeeJSON `json:"allowed_employees"`
	AllowedGroups                        []int64               `json:"allowed_groups"`
	IsGoalCreationEnabled                bool                  `json:"is_goal_creation_enabled"`
	HRQEnabled                           bool                  `json:"hrq_enabled"`
	HRQIsConcurrent                      bool                  `json:"hrq_is_concurrent"`
	HRQNotificationOnStart               bool                  `json:"hrq_notification_on_start"`
	HRQNotificationOnDue                 bool                  `json:"hrq_notification_on_due"`
	NotificationOnStart                  bool                  `json:"notification_on_start"`
	NotificationOnEnd                    bool                  `json:"notification_on_end"`
	NotificationMidcycleDays             int                   `json:"notification_midcycle_days"`
	NotificationOverdueDays              int                   `json:"notification_overdue_days"`
	SuperAdminPermission                 string                `json:"super_admin_permission"`
	HRAdminPermission                    string                `json:"hr_admin_permission"`
	SkipLevelManagersPermission          string                `json:"skip_level_managers_permission"`
	SkipLevelManagersLevel               string                `json:"skip_level_managers_level"`
	MatrixManagerEnabled                 bool                  `json:"matrix_manager_enabled"`
	MatrixManagerCanSeeResponses         bool                  `json:"matrix_manager_can_see_responses"`
	MatrixManagerCanSeeDirectReportResps bool                  `json:"matrix_manager_can_see_direct_report_responses"`
	Deployments                          []deploymentJSON      `json:"deployments"`
	Participants                         []string              `json:"participants"`
	HRQParticipants                      []string              `json:"hrq_participants"`
	Created                              epochTime             `json:"created"`
	CreatedBy                            *nameRef              `json:"created_by"`
	Updated                              epochTime             `json:"updated"`
	UpdatedBy                            *nameRef              `json:"updated_by"`
	CreatedOn                            milliTime             `json:"created_on"`
	ModifiedOn                           milliTime             `json:"modified_on"`
}

// convTemplateJSON renders t with its deployments.
func (st *store) convTemplateJSON(t *convTemplate) convTemplateJSON {
	out := convTemplateJSON{
		ID: t.id, UUID: t.uuid, Type: t.kind, Name: t.name, Description: t.description, Enabled: t.enabled,
		RequireMarkedAsMet: t.requireMarkedAsMet, OnlyManagersCanInitiate: t.onlyManagersInitiate,
		AllowedEmployees:      make([]allowedEmployeeJSON, 0, len(t.allowedEmployees)),
		AllowedGroups:         append([]int64{}, t.allowedGroups...),
		IsGoalCreationEnabled: t.goalCreation, HRQEnabled: t.hrqEnabled, HRQIsConcurrent: t.hrqConcurrent,
		HRQNotificationOnStart: t.hrqNotifyStart, HRQNotificationOnDue: t.hrqNotifyDue,
		NotificationOnStart: t.notifyStart, NotificationOnEnd: t.notifyEnd,
		NotificationMidcycleDays: t.midcycleDays, NotificationOverdueDays: t.overdueDays,
		SuperAdminPermission: t.superAdminPermission, HRAdminPermission: t.hrAdminPermission,
		SkipLevelManagersPermission: t.skipLevelPermission, SkipLevelManagersLevel: t.skipLevelLevel,
		MatrixManagerEnabled: t.matrixEnabled, MatrixManagerCanSeeResponses: t.matrixSeesResponses,
		MatrixManagerCanSeeDirectReportResps: t.matrixSeesDirectReport,
		Deployments:                          make([]deploymentJSON, 0, len(t.deployments)),
		Participants:                         append([]string{}, t.participants...),
		HRQParticipants:                      append([]string{}, t.hrqParticipants...),
		Created:                              epochTime(t.created), CreatedBy: st.userRef(t.createdBy),
		Updated: epochTime(t.updated), UpdatedBy: st.userRef(t.updatedBy),
		CreatedOn: milliTime(t.createdOn), ModifiedOn: milliTime(t.modifiedOn),
	}
	for _, id := range t.allowedEmployees {
		if u := st.users.get(id); u != nil {
			out.AllowedEmployees = append(out.AllowedEmployees, allowedEmployeeJSON{ID: u.id, Name: u.name(), IsActive: u.active, Email: u.email})
		}
	}
	for _, id := range t.deployments {
		d := st.deployments.get(id)
		if d == nil {
			continue
		}
		dj := deploymentJSON{ID: d.id, UUID: d.uuid, Name: d.name, Description: d.description, Cycles: make([]convCycleJSON, len(d.cycles))}
		for i, c := range d.cycles {
			dj.Cycles[i] = convCycleJSON{
				ID: c.id, UUID: c.uuid, Role: c.role, Stage: c.stage, Start: isoDate(c.start), End: isoDate(c.end),
				LockOnShare: c.lockOnShare, LockDate: isoDate(c.lockDate), ReviewEnd: isoDate(c.reviewEnd),
				SubmitEnd: isoDate(c.submitEnd), GracePeriodEnd: isoDate(c.gracePeriodEnd),
			}
		}
		out.Deployments = append(out.Deployments, dj)
	}
	return out
}

// listConversationTemplates serves GET /conversations/templates/: type
// (scheduled or adhoc) and enabled (boolean) filters, anything else 400;
// page size default 20, maximum 100 (unstated in the reference). Every role
// may read templates.
func (s *Sandbox) listConversationTemplates(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	kind := c.q.Get("type")
	if kind != "" && kind != "scheduled" && kind != "adhoc" {
		return fieldError("type", `"`+kind+`" is not a valid choice. Use scheduled or adhoc.`).reply()
	}
	var enabled, filterEnabled bool
	if v := c.q.Get("enabled"); v != "" {
		b, okBool := parseBoolWord(v)
		if !okBool {
			return fieldError("enabled", msgInvalidBool).reply()
		}
		enabled, filterEnabled = b, true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	var matched []*convTemplate
	for _, t := range st.convTemplates.all() {
		if (kind == "" || t.kind == kind) && (!filterEnabled || t.enabled == enabled) {
			matched = append(matched, t)
		}
	}
	return ok(listPage("/conversations/templates/", c.q, p, matched, st.convTemplateJSON))
}

// getConversationTemplate serves GET /conversations/templates/{id}/ (id or UUID).
func (s *Sandbox) getConversationTemplate(c *call) reply {
	return getOne(s, c, true, func(st *store) *table[convTemplate] { return &st.convTemplates }, (*store).convTemplateJSON)
}

// contributorJSON is an entry of a conversation's contributors; response
// is null until the contributor answers.
type contributorJSON struct {
	User     *nameRef `json:"user"`
	Status   string   `json:"status"`
	Response *string  `json:"response"`
}

// questionResponseJSON is the answer to one question of a response block.
type questionResponseJSON struct {
	ID              int64     `json:"id"`
	UUID            string    `json:"uuid"`
	Type            string    `json:"type"`
	QuestionID      int64     `json:"question_id"`
	Question        string    `json:"question"`
	QuestionOptions any       `json:"question_options"`
	Answer          string    `json:"answer"`
	LockDate        isoDate   `json:"lock_date"`
	Created         epochTime `json:"created"`
	Updated         epochTime `json:"updated"`
	CreatedOn       spaceTime `json:"created_on"`
	ModifiedOn      spaceTime `json:"modified_on"`
}

// responseBlockJSON is one participant's questionnaire; shared_on and
// submitted_on are null until it is shared.
type responseBlockJSON struct {
	ID            int64                  `json:"id"`
	UUID          string                 `json:"uuid"`
	Name          string                 `json:"name"`
	Description   string                 `json:"description"`
	SharedOn      epochTime              `json:"shared_on"`
	SubmittedOn   epochTime              `json:"submitted_on"`
	UnlockedUntil epochTime              `json:"unlocked_until"`
	Responses     []questionResponseJSON `json:"responses"`
	Updated       epochTime              `json:"updated"`
	UpdatedBy     *nameRef               `json:"updated_by"`
	Created       epochTime              `json:"created"`
	CreatedBy     *nameRef               `json:"created_by"`
	CreatedOn     spaceTime              `json:"created_on"`
	ModifiedOn    spaceTime              `json:"modified_on"`
}

// conversationJSON is the conversation object of the reference. Its
// created_on and modified_on, and those of its responses, use the
// "2022-03-10 15:37:30.756187+00:00" shape, as the example shows.
type conversationJSON struct {
	ID                               int64              `json:"id"`
	UUID                             string             `json:"uuid"`
	Type                             string             `json:"type"`
	Name                             string             `json:"name"`
	Description                      string             `json:"description"`
	DeploymentID                     int64              `json:"deployment_id"`
	Manager                          *nameRef           `json:"manager"`
	Employee                         *nameRef           `json:"employee"`
	Contributors                     []contributorJSON  `json:"contributors"`
	Start                            isoDate            `json:"start"`
	End                              isoDate            `json:"end"`
	MarkedAsMet                      string             `json:"marked_as_met"`
	ManagerResponse                  *responseBlockJSON `json:"manager_response"`
	EmployeeResponse                 *responseBlockJSON `json:"employee_response"`
	PostEmployeeResponse             *responseBlockJSON `json:"post_employee_response"`
	PostManagerResponse              *responseBlockJSON `json:"post_manager_response"`
	EmployeeSubmitEnd                isoDate            `json:"employee_submit_end"`
	ManagerSubmitEnd                 isoDate            `json:"manager_submit_end"`
	GracePeriodEnd                   isoDate            `json:"grace_period_end"`
	EmployeeReviewEnd                isoDate            `json:"employee_review_end"`
	ManagerReviewEnd                 isoDate            `json:"manager_review_end"`
	ManagerStatus                    string             `json:"manager_status"`
	EmployeeStatus                   string             `json:"employee_status"`
	EmployeeNotes                    string             `json:"employee_notes"`
	EmployeeNotesUpdated             epochTime          `json:"employee_notes_updated"`
	ManagerNotes                     string             `json:"manager_notes"`
	ManagerNotesUpdated              epochTime          `json:"manager_notes_updated"`
	PostManagerQuestionnairePending  bool               `json:"post_manager_questionnaire_pending"`
	PostEmployeeQuestionnairePending bool               `json:"post_employee_questionnaire_pending"`
	Created                          epochTime          `json:"created"`
	CreatedBy                        *nameRef           `json:"created_by"`
	CreatedOn                        spaceTime          `json:"created_on"`
	ModifiedOn                       spaceTime          `json:"modified_on"`
}

// responseBlockJSON renders b, or nil (null) for none.
func (st *store) responseBlockJSON(b *responseBlock) *responseBlockJSON {
	if b == nil {
		return nil
	}
	out := &responseBlockJSON{
		ID: b.id, UUID: b.uuid, Description: b.description, SharedOn: epochTime(b.sharedOn),
		SubmittedOn: epochTime(b.submittedOn), UnlockedUntil: epochTime(b.unlockedUntil),
		Responses: make([]questionResponseJSON, len(b.responses)),
		Updated:   epochTime(b.updated), UpdatedBy: st.userRef(b.updatedBy),
		Created: epochTime(b.created), CreatedBy: st.userRef(b.createdBy),
		CreatedOn: spaceTime(b.createdOn), ModifiedOn: spaceTime(b.modifiedOn),
	}
	if u := st.users.get(b.responderID); u != nil {
		out.Name = u.name()
	}
	for i, r := range b.responses {
		out.Responses[i] = questionResponseJSON{
			ID: r.id, UUID: r.uuid, Type: r.kind, QuestionID: r.questionID, Question: r.question,
			QuestionOptions: r.options, Answer: r.answer, LockDate: isoDate(r.lockDate),
			Created: epochTime(r.created), Updated: epochTime(r.updated),
			CreatedOn: spaceTime(r.createdOn), ModifiedOn: spaceTime(r.modifiedOn),
		}
	}
	return out
}

// conversationJSON renders cv with its participants and response blocks.
func (st *store) conversationJSON(cv *conversation) conversationJSON {
	out := conversationJSON{
		ID: cv.id, UUID: cv.uuid, Type: cv.kind, Name: cv.name, Description: cv.description,
		DeploymentID: cv.deploymentID, Manager: st.userRef(cv.managerID), Employee: st.userRef(cv.employeeID),
		Contributors: make([]contributorJSON, len(cv.contributors)),
		Start:        isoDate(cv.start), End: isoDate(cv.end), MarkedAsMet: cv.markedAsMet,
		ManagerResponse:      st.responseBlockJSON(cv.managerResponse),
		EmployeeResponse:     st.responseBlockJSON(cv.employeeResponse),
		PostEmployeeResponse: st.responseBlockJSON(cv.postEmployeeResponse),
		PostManagerResponse:  st.responseBlockJSON(cv.postManagerResponse),
		EmployeeSubmitEnd:    isoDate(cv.employeeSubmitEnd), ManagerSubmitEnd: isoDate(cv.managerSubmitEnd),
		GracePeriodEnd: isoDate(cv.gracePeriodEnd), EmployeeReviewEnd: isoDate(cv.employeeReviewEnd),
		ManagerReviewEnd: isoDate(cv.managerReviewEnd), ManagerStatus: cv.managerStatus,
		EmployeeStatus: cv.employeeStatus, EmployeeNotes: cv.employeeNotes,
		EmployeeNotesUpdated: epochTime(cv.employeeNotesUpdated), ManagerNotes: cv.managerNotes,
		ManagerNotesUpdated:             epochTime(cv.managerNotesUpdated),
		PostManagerQuestionnairePending: cv.postManagerPending, PostEmployeeQuestionnairePending: cv.postEmployeePending,
		Created: epochTime(cv.created), CreatedBy: st.userRef(cv.createdBy),
		CreatedOn: spaceTime(cv.createdOn), ModifiedOn: spaceTime(cv.modifiedOn),
	}
	for i, c := range cv.contributors {
		out.Contributors[i] = contributorJSON{User: st.userRef(c.userID), Status: c.status}
		if c.response != "" {
			resp := c.response
			out.Contributors[i].Response = &resp
		}
	}
	return out
}

// canSeeConversation reports whether the caller with scope ps sees cv.
func (st *store) canSeeConversation(ps peopleScope, cv *conversation) bool {
	if ps.all || cv.managerID == ps.self || ps.covers(st, cv.employeeID) {
		return true
	}
	for _, c := range cv.contributors {
		if c.userID == ps.self {
			return true
		}
	}
	return false
}

// listConversations serves GET /conversations/: deployment_id (required,
// id or UUID; 400 when missing, 404 when unknown), manager_id (id or UUID),
// employee_id (integer, as the reference types it) and the delta filters.
// Page size default 20, maximum 100 (unstated in the reference). Super
// admins and HR admins see every conversation; others see those they take
// part in and those of their direct reports (and, for admins, of users in
// their departments).
func (s *Sandbox) listConversations(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	rawDeployment := c.q.Get("deployment_id")
	if rawDeployment == "" {
		return fieldError("deployment_id", msgRequired).reply()
	}
	deploymentRef, okRef := parseIdent(rawDeployment, true)
	if !okRef {
		return fieldError("deployment_id", "Enter a valid integer id or UUID.").reply()
	}
	var managerRef, employeeRef ident
	if v := c.q.Get("manager_id"); v != "" {
		if managerRef, okRef = parseIdent(v, true); !okRef {
			return fieldError("manager_id", "Enter a valid integer id or UUID.").reply()
		}
	}
	if v := c.q.Get("employee_id"); v != "" {
		if employeeRef, okRef = parseIdent(v, false); !okRef {
			return fieldError("employee_id", msgInvalidInt).reply()
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	d := st.deployments.find(deploymentRef)
	if d == nil {
		return errNotFound.reply()
	}
	managerID, employeeID := st.resolveUserFilter(managerRef), st.resolveUserFilter(employeeRef)
	ps := st.peopleScope(st.users.get(c.caller))
	var matched []*conversation
	for _, cv := range st.convByDeploy[d.id] {
		switch {
		case managerID != 0 && cv.managerID != managerID:
		case employeeID != 0 && cv.employeeID != employeeID:
		case !delta.contains(cv.modifiedOn):
		case !st.canSeeConversation(ps, cv):
		default:
			matched = append(matched, cv)
		}
	}
	return ok(listPage("/conversations/", c.q, p, matched, st.conversationJSON))
}

// resolveUserFilter turns a user filter into an id: 0 when the filter is
// absent, -1 (matching nobody) when the user does not exist.
func (st *store) resolveUserFilter(ref ident) int64 {
	if ref == (ident{}) {
		return 0
	}
	if u := st.users.find(ref); u != nil {
		return u.id
	}
	return -1
}
