package sandbox

import (
	"net/http"
	"slices"
	"time"
)

// fbTemplate is a feedback template: its type, questions, cycles and who
// may see what.
type fbTemplate struct {
	id                      int64
	uuid                    string
	kind                    string // scheduled, adhoc_give, adhoc_request, adhoc_manager_request, adhoc_request_custom
	name                    string
	enabled                 bool
	cycles                  []int64
	questionsLocked         bool
	questions               []fbQuestion
	allowedEmployees        []int64
	allowedProviders        []int64
	notifyCycleStarted      bool
	notifyFeedbackReminder  bool
	notifyFeedbackRequested bool
	employeeCanChoose       bool
	employeeCanView         bool
	employeeSeeIdentity     bool
	managerCanChoose        bool
	managerCanView          bool
	managerSeeIdentity      bool
	skipLevelCanView        bool
	skipLevelSeeIdentity    bool
	skipLevelManagersLevel  string
	defaultProviderType     string
	defaultProvidersLimit   int
	defaultIncludesManager  bool
	defaultIncludesDirects  bool
	defaultIncludesPeers    bool
	summaryVisibleEmployee  bool
	summaryVisibleManager   bool
	holdFeedback            bool
	created, updated        time.Time
	createdOn, modifiedOn   time.Time
}

// fbTemplateKinds are the feedback template types of the reference.
var fbTemplateKinds = []string{"scheduled", "adhoc_give", "adhoc_request", "adhoc_manager_request", "adhoc_request_custom"}

// fbQuestion is a question of a feedback template. options is nil,
// []string or []int.
type fbQuestion struct {
	id          int64
	uuid        string
	templateID  int64
	kind        string // text, multiple_choice, rating, scale
	text        string
	options     any
	hideNumbers bool
	order       int
	mandatory   bool
}

// fbCycle is one round of a feedback template.
type fbCycle struct {
	id                int64
	uuid              string
	templateID        int64
	cycleStart        time.Time
	selectionEnd      time.Time
	feedbackStart     time.Time
	cycleEnd          time.Time
	gracePeriodEnd    time.Time
	anytimeNomination bool
}

// feedback is feedback given to a user in a cycle.
type feedback struct {
	id                  int64
	uuid                string
	name                string
	cycleID             int64
	templateID          int64
	forUser             int64
	requestedBy         int64
	createdBy           int64 // the provider
	responses           []fbResponse
	employeeCanView     bool
	managerCanView      bool
	employeeSeeIdentity bool
	managerSeeIdentity  bool
	hold                bool
	status              string // submitted or answering
	created, updated    time.Time
	createdOn           time.Time
	modifiedOn          time.Time
}

// fbResponse answers one question; answer is a string, a number or a
// []string, as the reference shows.
type fbResponse struct {
	id          int64
	uuid        string
	questionID  int64
	question    string
	kind        string
	options     any
	answer      any
	hideNumbers bool
}

// fbCycleJSON is a feedback cycle.
type fbCycleJSON struct {
	ID                      int64   `json:"id"`
	UUID                    string  `json:"uuid"`
	CycleStart              isoDate `json:"cycle_start"`
	SelectionEnd            isoDate `json:"selection_end"`
	FeedbackStart           isoDate `json:"feedback_start"`
	CycleEnd                isoDate `json:"cycle_end"`
	GracePeriodEnd          isoDate `json:"grace_period_end"`
	EnableAnytimeNomination bool    `json:"enable_anytime_nomination"`
}

// fbCycleJSONOf renders c, or nil (null) for none.
func fbCycleJSONOf(c *fbCycle) *fbCycleJSON {
	if c == nil {
		return nil
	}
	return &fbCycleJSON{
		ID: c.id, UUID: c.uuid, CycleStart: isoDate(c.cycleStart), SelectionEnd: isoDate(c.selectionEnd),
		FeedbackStart: isoDate(c.feedbackStart), CycleEnd: isoDate(c.cycleEnd),
		GracePeriodEnd: isoDate(c.gracePeriodEnd), EnableAnytimeNomination: c.anytimeNomination,
	}
}

// fbQuestionJSON is a question of a feedback template.
type fbQuestionJSON struct {
	ID          int64  `json:"id"`
	UUID        string `json:"uuid"`
	TemplateID  int64  `json:"template_id"`
	Type        string `json:"type"`
	Text        string `json:"text"`
	Options     any    `json:"options"`
	HideNumbers bool   `json:"hide_numbers"`
	Order       int    `json:"order"`
	Mandatory   bool   `json:"mandatory"`
}

// fbQuestionsJSON renders qs; never nil.
func fbQuestionsJSON(qs []fbQuestion) []fbQuestionJSON {
	out := make([]fbQuestionJSON, len(qs))
	for i, q := range qs {
		out[i] = fbQuestionJSON{
			ID: q.id, UUID: q.uuid, TemplateID: q.templateID, Type: q.kind, Text: q.text, Options: q.options,
			HideNumbers: q.hideNumbers, Order: q.order, Mandatory: q.mandatory,
		}
	}
	return out
}

// fbTemplateJSON is the feedback template object of the reference.
type fbTemplateJSON struct {
	ID                              int64            `json:"id"`
	UUID                            string           `json:"uuid"`
	Type                            string           `json:"type"`
	Name                            string           `json:"name"`
	Enabled                         bool             `json:"enabled"`
	Cycles                          []fbCycleJSON    `json:"cycles"`
	Created                         epochTime        `json:"created"`
	Updated                         epochTime        `json:"updated"`
	CreatedOn                       rfcTime          `json:"created_on"`
	ModifiedOn                      rfcTime          `json:"modified_on"`
	QuestionsLocked                 bool             `json:"questions_locked"`
	Questions                       []fbQuestionJSON `json:"questions"`
	AllowedEmployees                []nameRef        `json:"allowed_employees"`
	AllowedProviders                []nameRef        `json:"allowed_providers"`
	NotifyCycleStarted              bool             `json:"notify_cycle_started"`
	NotifyFeedbackReminder          bool             `json:"notify_feedback_reminder"`
	NotifyFeedbackRequested         bool             `json:"notify_feedback_requested"`
	EmployeeCanChoose               bool             `json:"employee_can_choose"`
	EmployeeCanView                 bool             `json:"employee_can_view"`
	EmployeeSeeIdentity             bool             `json:"employee_see_identity"`
	ManagerCanChoose                bool             `json:"manager_can_choose"`
	ManagerCanView                  bool             `json:"manager_can_view"`
	ManagerSeeIdentity              bool             `json:"manager_see_identity"`
	SkipLevelCanView                bool             `json:"skip_level_can_view"`
	SkipLevelSeeIdentity            bool             `json:"skip_level_see_identity"`
	SkipLevelManagersLevel          string           `json:"skip_level_managers_level"`
	DefaultProviderType             string           `json:"default_provider_type"`
	DefaultProvidersLimit           int              `json:"default_providers_limit"`
	DefaultProvidersIncludesManager bool             `json:"default_providers_includes_manager"`
	DefaultProvidersIncludesDirects bool             `json:"default_providers_includes_directs"`
	DefaultProvidersIncludesPeers   bool             `json:"default_providers_includes_peers"`
	SummaryVisibleEmployee          bool             `json:"summary_visible_employee"`
	SummaryVisibleManager           bool             `json:"summary_visible_manager"`
	HoldFeedback                    bool             `json:"hold_feedback"`
}

// fbTemplateJSON renders t with its cycles and questions.
func (st *store) fbTemplateJSON(t *fbTemplate) fbTemplateJSON {
	out := fbTemplateJSON{
		ID: t.id, UUID: t.uuid, Type: t.kind, Name: t.name, Enabled: t.enabled,
		Cycles:  make([]fbCycleJSON, 0, len(t.cycles)),
		Created: epochTime(t.created), Updated: epochTime(t.updated),
		CreatedOn: rfcTime(t.createdOn), ModifiedOn: rfcTime(t.modifiedOn),
		QuestionsLocked: t.questionsLocked, Questions: fbQuestionsJSON(t.questions),
		AllowedEmployees: st.userRefs(t.allowedEmployees), AllowedProviders: st.userRefs(t.allowedProviders),
		NotifyCycleStarted: t.notifyCycleStarted, NotifyFeedbackReminder: t.notifyFeedbackReminder,
		NotifyFeedbackRequested: t.notifyFeedbackRequested, EmployeeCanChoose: t.employeeCanChoose,
		EmployeeCanView: t.employeeCanView, EmployeeSeeIdentity: t.employeeSeeIdentity,
		ManagerCanChoose: t.managerCanChoose, ManagerCanView: t.managerCanView,
		ManagerSeeIdentity: t.managerSeeIdentity, SkipLevelCanView: t.skipLevelCanView,
		SkipLevelSeeIdentity: t.skipLevelSeeIdentity, SkipLevelManagersLevel: t.skipLevelManagersLevel,
		DefaultProviderType: t.defaultProviderType, DefaultProvidersLimit: t.defaultProvidersLimit,
		DefaultProvidersIncludesManager: t.defaultIncludesManager, DefaultProvidersIncludesDirects: t.defaultIncludesDirects,
		DefaultProvidersIncludesPeers: t.defaultIncludesPeers, SummaryVisibleEmployee: t.summaryVisibleEmployee,
		SummaryVisibleManager: t.summaryVisibleManager, HoldFeedback: t.holdFeedback,
	}
	for _, id := range t.cycles {
		if c := st.fbCycles.get(id); c != nil {
			out.Cycles = append(out.Cycles, *fbCycleJSONOf(c))
		}
	}
	return out
}

// listFeedbackTemplates serves GET /feedback/templates/: type filter (one
// of the reference's five types, anything else 400); page size default 20,
// maximum 100 (unstated in the reference). Every role may read templates.
func (s *Sandbox) listFeedbackTemplates(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	kind := c.q.Get("type")
	if kind != "" && !slices.Contains(fbTemplateKinds, kind) {
		return fieldError("type", `"`+kind+`" is not a valid choice.`).reply()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	var matched []*fbTemplate
	for _, t := range st.fbTemplates.all() {
		if kind == "" || t.kind == kind {
			matched = append(matched, t)
		}
	}
	return ok(listPage("/feedback/templates/", c.q, p, matched, st.fbTemplateJSON))
}

// getFeedbackTemplate serves GET /feedback/templates/{id} (with or without
// the trailing slash; id or UUID).
func (s *Sandbox) getFeedbackTemplate(c *call) reply {
	return getOne(s, c, true, func(st *store) *table[fbTemplate] { return &st.fbTemplates }, (*store).fbTemplateJSON)
}

// fbResponseJSON is the answer to one question of a feedback.
type fbResponseJSON struct {
	ID              int64  `json:"id"`
	UUID            string `json:"uuid"`
	Question        string `json:"question"`
	QuestionID      int64  `json:"question_id"`
	QuestionOptions any    `json:"question_options"`
	Type            string `json:"type"`
	FeedbackID      int64  `json:"feedback_id"`
	Answer          any    `json:"answer"`
	HideNumbers     bool   `json:"hide_numbers"`
}

// feedbackJSON is the feedback object of the reference.
type feedbackJSON struct {
	ID                  int64            `json:"id"`
	UUID                string           `json:"uuid"`
	Name                string           `json:"name"`
	CycleID             int64            `json:"cycle_id"`
	Cycle               *fbCycleJSON     `json:"cycle"`
	ForUser             *nameRef         `json:"for_user"`
	RequestedBy         *nameRef         `json:"requested_by"`
	Created             epochTime        `json:"created"`
	CreatedBy           *nameRef         `json:"created_by"`
	Updated             epochTime        `json:"updated"`
	Responses           []fbResponseJSON `json:"responses"`
	CreatedOn           rfcTime          `json:"created_on"`
	ModifiedOn          rfcTime          `json:"modified_on"`
	EmployeeCanView     bool             `json:"employee_can_view"`
	ManagerCanView      bool             `json:"manager_can_view"`
	EmployeeSeeIdentity bool             `json:"employee_see_identity"`
	ManagerSeeIdentity  bool             `json:"manager_see_identity"`
	HoldFeedback        bool             `json:"hold_feedback"`
	Status              string           `json:"status"`
	TemplateName        string           `json:"template_name"`
	TemplateType        string           `json:"template_type"`
}

// feedbackJSON renders f with its cycle, people and answers.
func (st *store) feedbackJSON(f *feedback) feedbackJSON {
	out := feedbackJSON{
		ID: f.id, UUID: f.uuid, Name: f.name, CycleID: f.cycleID, Cycle: fbCycleJSONOf(st.fbCycles.get(f.cycleID)),
		ForUser: st.userRef(f.forUser), RequestedBy: st.userRef(f.requestedBy),
		Created: epochTime(f.created), CreatedBy: st.userRef(f.createdBy), Updated: epochTime(f.updated),
		Responses: make([]fbResponseJSON, len(f.responses)),
		CreatedOn: rfcTime(f.createdOn), ModifiedOn: rfcTime(f.modifiedOn),
		EmployeeCanView: f.employeeCanView, ManagerCanView: f.managerCanView,
		EmployeeSeeIdentity: f.employeeSeeIdentity, ManagerSeeIdentity: f.managerSeeIdentity,
		HoldFeedback: f.hold, Status: f.status,
	}
	if t := st.fbTemplates.get(f.templateID); t != nil {
		out.TemplateName, out.TemplateType = t.name, t.kind
	}
	for i, r := range f.responses {
		out.Responses[i] = fbResponseJSON{
			ID: r.id, UUID: r.uuid, Question: r.question, QuestionID: r.questionID, QuestionOptions: r.options,
			Type: r.kind, FeedbackID: f.id, Answer: r.answer, HideNumbers: r.hideNumbers,
		}
	}
	return out
}

// canSeeFeedback reports whether the caller (me, with scope ps) sees f:
// everything for super and HR admins; the feedback it wrote; its own when
// employee_can_view and not held; its direct reports' when
// manager_can_view; an admin's department members'.
func (st *store) canSeeFeedback(ps peopleScope, f *feedback) bool {
	switch {
	case ps.all, f.createdBy == ps.self:
		return true
	case f.forUser == ps.self:
		return f.employeeCanView && !f.hold
	case ps.reports[f.forUser]:
		return f.managerCanView
	}
	return ps.covers(st, f.forUser)
}

// listFeedback serves GET /feedback/: for_user_id or cycle_id (id or
// UUID) is required (400 {"detail": ...} with neither); both may be given
// and must both match. Delta filters; page size default 20, maximum 100
// (unstated in the reference). Asking for a user whose feedback the caller
// may not see answers 403; otherwise the caller sees what canSeeFeedback
// allows. An unknown user or cycle gives an empty list.
func (s *Sandbox) listFeedback(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	rawUser, rawCycle := c.q.Get("for_user_id"), c.q.Get("cycle_id")
	if rawUser == "" && rawCycle == "" {
		return detailError(http.StatusBadRequest, "One of for_user_id or cycle_id is required.").reply()
	}
	var userRefID, cycleRef ident
	var okRef bool
	if rawUser != "" {
		if userRefID, okRef = parseIdent(rawUser, true); !okRef {
			return fieldError("for_user_id", "Enter a valid integer id or UUID.").reply()
		}
	}
	if rawCycle != "" {
		if cycleRef, okRef = parseIdent(rawCycle, true); !okRef {
			return fieldError("cycle_id", "Enter a valid integer id or UUID.").reply()
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	ps := st.peopleScope(st.users.get(c.caller))
	forUser := st.resolveUserFilter(userRefID)
	if forUser > 0 && !ps.covers(st, forUser) {
		return detailError(http.StatusForbidden, "You do not have permission to view feedback for this user.").reply()
	}
	var cycleID int64
	if rawCycle != "" {
		cycleID = -1
		if cyc := st.fbCycles.find(cycleRef); cyc != nil {
			cycleID = cyc.id
		}
	}
	var matched []*feedback
	for _, f := range st.feedback.all() {
		switch {
		case forUser != 0 && f.forUser != forUser:
		case cycleID != 0 && f.cycleID != cycleID:
		case !delta.contains(f.modifiedOn):
		case !st.canSeeFeedback(ps, f):
		default:
			matched = append(matched, f)
		}
	}
	return ok(listPage("/feedback/", c.q, p, matched, st.feedbackJSON))
}
