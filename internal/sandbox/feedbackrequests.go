package sandbox

import "time"

// fbRequest is a request for feedback: from_user is asked to give
// feedback to for_user, on behalf of requested_by.
type fbRequest struct {
	id              int64
	uuid            string
	cycleID         int64 // scheduled cycle, or 0
	adhoc           bool  // an anytime (adhoc) request, with adhoc_cycle set
	adhocCycleID    int64
	templateID      int64
	fromUser        int64
	forUser         int64
	requestedBy     int64
	createdBy       int64
	feedbackID      int64
	question        string
	declined        *bool // nil: not answered yet (null)
	canViewFeedback bool
	hold            bool
	status          int       // 0 requested, 1 in progress, 2 submitted, 3 declined
	expired         time.Time // zero: null
	customNote      string
	created         time.Time
	createdOn       time.Time
	modifiedOn      time.Time
}

// open reports whether r still waits for feedback (filter is_open).
func (r *fbRequest) open() bool {
	return r.status <= 1 && r.expired.IsZero() && (r.declined == nil || !*r.declined)
}

// adhocCycleJSON is the anytime cycle of an adhoc feedback request.
type adhocCycleJSON struct {
	ID                int64    `json:"id"`
	TemplateID        int64    `json:"template_id"`
	TemplateName      string   `json:"template_name"`
	TemplateQuestions []string `json:"template_questions"`
	QuestionsLocked   bool     `json:"questions_locked"`
}

// fbRequestJSON is the feedback request object of the reference, with the
// full user objects it shows. questions is present only when the request
// asked for it (questions=true).
type fbRequestJSON struct {
	ID              int64             `json:"id"`
	UUID            string            `json:"uuid"`
	Cycle           *fbCycleJSON      `json:"cycle"`
	AdhocCycle      *adhocCycleJSON   `json:"adhoc_cycle"`
	FromUser        *userJSON         `json:"from_user"`
	ForUser         *userJSON         `json:"for_user"`
	RequestedBy     *userJSON         `json:"requested_by"`
	FeedbackID      int64             `json:"feedback_id"`
	FeedbackUUID    string            `json:"feedback_uuid"`
	Question        string            `json:"question"`
	Declined        *bool             `json:"declined"`
	CanViewFeedback bool              `json:"can_view_feedback"`
	HoldFeedback    bool              `json:"hold_feedback"`
	Created         epochTime         `json:"created"`
	CreatedBy       *userJSON         `json:"created_by"`
	Status          int               `json:"status"`
	TemplateID      int64             `json:"template_id"`
	TemplateUUID    string            `json:"template_uuid"`
	Expired         epochTime         `json:"expired"`
	CreatedOn       rfcTime           `json:"created_on"`
	ModifiedOn      rfcTime           `json:"modified_on"`
	CustomNote      string            `json:"custom_note"`
	Questions       *[]fbQuestionJSON `json:"questions,omitempty"`
}

// fullUser renders user id as a full user object, or nil (null).
func (st *store) fullUser(id int64) *userJSON {
	u := st.users.get(id)
	if u == nil {
		return nil
	}
	out := st.userJSON(u)
	return &out
}

// fbRequestJSON renders r, with the template's questions when
// withQuestions is set.
func (st *store) fbRequestJSON(r *fbRequest, withQuestions bool) fbRequestJSON {
	out := fbRequestJSON{
		ID: r.id, UUID: r.uuid, Cycle: fbCycleJSONOf(st.fbCycles.get(r.cycleID)),
		FromUser: st.fullUser(r.fromUser), ForUser: st.fullUser(r.forUser), RequestedBy: st.fullUser(r.requestedBy),
		FeedbackID: r.feedbackID, Question: r.question, Declined: r.declined, CanViewFeedback: r.canViewFeedback,
		HoldFeedback: r.hold, Created: epochTime(r.created), CreatedBy: st.fullUser(r.createdBy), Status: r.status,
		TemplateID: r.templateID, Expired: epochTime(r.expired),
		CreatedOn: rfcTime(r.createdOn), ModifiedOn: rfcTime(r.modifiedOn), CustomNote: r.customNote,
	}
	if f := st.feedback.get(r.feedbackID); f != nil {
		out.FeedbackUUID = f.uuid
	}
	t := st.fbTemplates.get(r.templateID)
	if t != nil {
		out.TemplateUUID = t.uuid
	}
	if r.adhoc && t != nil {
		ac := &adhocCycleJSON{ID: r.adhocCycleID, TemplateID: t.id, TemplateName: t.name, QuestionsLocked: t.questionsLocked,
			TemplateQuestions: make([]string, len(t.questions))}
		for i, q := range t.questions {
			ac.TemplateQuestions[i] = q.text
		}
		out.AdhocCycle = ac
	}
	if withQuestions {
		qs := []fbQuestionJSON{}
		if t != nil {
			qs = fbQuestionsJSON(t.questions)
		}
		out.Questions = &qs
	}
	return out
}

// listFeedbackRequests serves GET /feedback/requests/ with the reference's
// nine filters: cycle, from_user, for_user (ids or UUIDs), declined
// (true: declined; false: not declined, including unanswered), questions
// (include the template's questions), is_open (waiting for feedback: not
// submitted, declined or expired), is_adhoc (anytime requests) and the
// delta filters. Booleans are true/false (yes/no, 1/0), anything else 400.
// Page size default 20, maximum 100 (unstated in the reference). Super
// admins and HR admins see all requests; others those they are a party to
// and those for their direct reports (and an admin's department members).
func (s *Sandbox) listFeedbackRequests(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	bools := map[string]*bool{}
	for _, k := range []string{"declined", "questions", "is_open", "is_adhoc"} {
		if v := c.q.Get(k); v != "" {
			b, okBool := parseBoolWord(v)
			if !okBool {
				return fieldError(k, msgInvalidBool).reply()
			}
			bools[k] = &b
		}
	}
	refs := map[string]ident{}
	for _, k := range []string{"cycle", "from_user", "for_user"} {
		if v := c.q.Get(k); v != "" {
			ref, okRef := parseIdent(v, true)
			if !okRef {
				return fieldError(k, "Enter a valid integer id or UUID.").reply()
			}
			refs[k] = ref
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	ps := st.peopleScope(st.users.get(c.caller))
	fromUser, forUser := st.resolveUserFilter(refs["from_user"]), st.resolveUserFilter(refs["for_user"])
	var cycleID int64
	if ref, set := refs["cycle"]; set {
		cycleID = -1
		if cyc := st.fbCycles.find(ref); cyc != nil {
			cycleID = cyc.id
		}
	}
	is := func(k string, v bool) bool { return bools[k] == nil || *bools[k] == v }
	var matched []*fbRequest
	for _, r := range st.fbRequests.all() {
		declined := r.declined != nil && *r.declined
		switch {
		case cycleID != 0 && r.cycleID != cycleID:
		case fromUser != 0 && r.fromUser != fromUser:
		case forUser != 0 && r.forUser != forUser:
		case !is("declined", declined), !is("is_open", r.open()), !is("is_adhoc", r.adhoc):
		case !delta.contains(r.modifiedOn):
		case !(ps.all || r.fromUser == ps.self || r.requestedBy == ps.self || r.createdBy == ps.self || ps.covers(st, r.forUser)):
		default:
			matched = append(matched, r)
		}
	}
	withQuestions := bools["questions"] != nil && *bools["questions"]
	return ok(listPage("/feedback/requests/", c.q, p, matched, func(r *fbRequest) fbRequestJSON {
		return st.fbRequestJSON(r, withQuestions)
	}))
}
