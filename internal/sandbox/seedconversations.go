package sandbox

import (
	"fmt"
	"strconv"
	"time"
)

// Seeded conversations: six templates (quarterly check-ins and annual
// reviews, scheduled; 1:1s and onboarding, anytime; one disabled of each
// type), their deployments and cycles, and conversations with responses.
// Every answer is text, as in every conversation example of the
// reference, its rating and multiple-choice answers included: a rating's
// answer is the chosen number written out ("4"), a multiple-choice answer
// is the chosen option's text. Answers that are numbers or lists are the
// feedback examples' shape (seedfeedback.go).

// questionSpec is a conversation question.
type questionSpec struct {
	id      int64
	kind    string
	text    string
	options any
}

// convQuestions are the questions of every conversation questionnaire.
var convQuestions = []questionSpec{
	{25101, "text", "What went well this period?", nil},
	{25102, "multiple_choice", "How sustainable is your workload?", []string{"Too light", "About right", "Heavy", "Unsustainable"}},
	{25103, "rating", "How would you rate progress on your goals?", []int{1, 2, 3, 4, 5}},
	{25104, "multiple_choice", "Which area should we focus on next?", []string{"Technical depth", "Communication", "Leadership", "Delivery"}},
}

// answer draws an answer to q, always text: one option's text for a
// multiple-choice question, the chosen number written out for a rating.
func (sd *seeder) answer(q questionSpec) string {
	switch q.kind {
	case "multiple_choice":
		return pick(sd.r, q.options.([]string))
	case "rating":
		return strconv.Itoa(2 + sd.r.IntN(4))
	}
	return pick(sd.r, textAnswers)
}

// deploySpec is a deployment to seed: its name, period and number of
// conversations.
type deploySpec struct {
	name   string
	period [2]time.Time
	count  int
}

// conversations seeds conversation templates (ids from 41), deployments
// (from 61), cycles (from 81), conversations (from 2001), response blocks
// (from 3001) and answers (from 20001).
func (sd *seeder) conversations() {
	st := sd.st
	var cycleID, deploymentID, convID int64 = 80, 60, 2000
	sd.blockID, sd.questionRespID = 3000, 20000
	quarterly := []deploySpec{}
	for q := -4; q <= -1; q++ {
		p := sd.quarter(q)
		quarterly = append(quarterly, deploySpec{fmt.Sprintf("Q%d %d Check-in", (int(p[0].Month())-1)/3+1, p[0].Year()), p, 45})
	}
	templates := []struct {
		name, kind, description string
		enabled, hrq            bool
		deployments             []deploySpec
	}{
		{"Quarterly Check-in", "scheduled", "A quarterly conversation about goals, growth and wellbeing.", true, true, quarterly},
		{"Annual Performance Review", "scheduled", "The year-end review of performance and development.", true, true, []deploySpec{
			{fmt.Sprintf("%d Annual Review", sd.ref.Year()-2), sd.year(-2), 40},
			{fmt.Sprintf("%d Annual Review", sd.ref.Year()-1), sd.year(-1), 50},
		}},
		{"1:1 Conversation", "adhoc", "An anytime one-on-one between a manager and a report.", true, false, []deploySpec{
			{fmt.Sprintf("Anytime 1:1s %d", sd.ref.Year()-1), sd.year(-1), 25},
		}},
		{"Onboarding 30-60-90", "adhoc", "Check-ins for new hires at 30, 60 and 90 days.", true, false, []deploySpec{
			{"New hire onboarding", sd.year(-1), 15},
		}},
		{"Mid-year Review", "scheduled", "Retired in favour of quarterly check-ins.", false, false, []deploySpec{
			{fmt.Sprintf("%d Mid-year Review", sd.ref.Year()-2), [2]time.Time{sd.year(-2)[0].AddDate(0, 5, 0), sd.year(-2)[0].AddDate(0, 7, -1)}, 20},
		}},
		{"Project Retrospective", "adhoc", "Looking back on a finished project.", false, false, []deploySpec{
			{"Retrospectives", sd.year(-1), 0},
		}},
	}
	participants := []string{"employee", "manager"}
	for i, spec := range templates {
		created := sd.daysAgo(725, 700)
		t := &convTemplate{
			id: int64(41 + i), uuid: sd.uuid(), kind: spec.kind, name: spec.name, description: spec.description,
			enabled: spec.enabled, requireMarkedAsMet: spec.kind == "scheduled", onlyManagersInitiate: i == 3,
			goalCreation: true, hrqEnabled: spec.hrq, hrqNotifyStart: spec.hrq, notifyStart: true, notifyEnd: true,
			midcycleDays: 2 + sd.r.IntN(3), overdueDays: 2 + sd.r.IntN(5), superAdminPermission: "can_only_view",
			hrAdminPermission: "can_only_view", skipLevelPermission: "no_access", skipLevelLevel: "none",
			matrixEnabled: i%2 == 0, matrixSeesResponses: i%2 == 0, matrixSeesDirectReport: i%2 == 0,
			participants: participants, hrqParticipants: []string{},
			allowedGroups: []int64{}, created: created, createdBy: sd.ceo.id, createdOn: created,
		}
		if spec.hrq {
			t.hrqParticipants = participants
		}
		if i == 3 {
			t.allowedGroups = []int64{304}
			t.allowedEmployees = []int64{sd.heads["People"].id}
		}
		t.updated = sd.instant(created, sd.ref.AddDate(0, 0, -400))
		t.updatedBy, t.modifiedOn = sd.chief.id, t.updated
		for di, ds := range spec.deployments {
			deploymentID++
			d := &deployment{id: deploymentID, uuid: sd.uuid(), templateID: t.id, name: ds.name, description: spec.description}
			end := ds.period[1].AddDate(0, 0, 14)
			start := ds.period[1].AddDate(0, 0, -21)
			if spec.kind == "adhoc" {
				start = ds.period[0]
			}
			stages := []string{"primary"}
			if spec.hrq {
				stages = append(stages, "post")
			}
			for _, stage := range stages {
				for _, role := range []string{"manager", "employee"} {
					cycleID++
					c := convCycle{
						id: cycleID, uuid: sd.uuid(), role: role, stage: stage, start: start, end: end,
						lockOnShare: role == "manager", reviewEnd: end.AddDate(0, 0, -10), submitEnd: end.AddDate(0, 0, -5),
						gracePeriodEnd: end.AddDate(0, 0, 7),
					}
					if role == "manager" {
						c.lockDate = end.AddDate(0, 0, -2)
					}
					d.cycles = append(d.cycles, c)
				}
			}
			st.deployments.add(d.id, d.uuid, d)
			t.deployments = append(t.deployments, d.id)
			if i == 0 && di == len(spec.deployments)-1 {
				sd.fx.ConversationTemplateID, sd.fx.DeploymentID = t.id, d.id
			}
			employees := sd.conversationEmployees(ds.count, d.id == sd.fx.DeploymentID)
			for _, e := range employees {
				convID++
				cv := sd.conversation(convID, t, d, e, start, end)
				st.conversations.add(cv.id, cv.uuid, cv)
				st.convByDeploy[d.id] = append(st.convByDeploy[d.id], cv)
			}
		}
		st.convTemplates.add(t.id, t.uuid, t)
	}
}

// conversationEmployees draws n distinct active employees with managers,
// in id order; withPlain puts the plain user among them.
func (sd *seeder) conversationEmployees(n int, withPlain bool) []*user {
	chosen := map[int64]bool{}
	if withPlain {
		chosen[sd.plain.id] = true
	}
	for tries := 0; len(chosen) < n && tries < 10*n; tries++ {
		if u := pick(sd.r, sd.active); u.managerID != 0 {
			chosen[u.id] = true
		}
	}
	out := make([]*user, 0, len(chosen))
	for _, id := range sortedIDs(chosen) {
		out = append(out, sd.st.users.get(id))
	}
	return out
}

// conversation seeds one conversation of employee e in deployment d.
func (sd *seeder) conversation(id int64, t *convTemplate, d *deployment, e *user, start, end time.Time) *conversation {
	if t.kind == "adhoc" {
		start = sd.instant(start, end.AddDate(0, 0, -30))
		end = start.AddDate(0, 0, 2)
		start, end = day(start), day(end)
	}
	created := start.Add(time.Duration(8+sd.r.IntN(10)) * time.Hour).Add(time.Duration(sd.r.IntN(3600)) * time.Second)
	if latest := sd.ref.AddDate(0, 0, -1); created.After(latest) {
		created = sd.daysAgo(20, 2)
	}
	created = created.Add(time.Duration(sd.r.IntN(1e6)) * time.Microsecond)
	done := end.Before(sd.ref) && sd.chance(0.8)
	cv := &conversation{
		id: id, uuid: sd.uuid(), deploymentID: d.id, kind: t.kind, name: d.name, managerID: e.managerID, employeeID: e.id,
		start: start, end: end, markedAsMet: "not_marked", employeeSubmitEnd: end.AddDate(0, 0, -6),
		managerSubmitEnd: end.AddDate(0, 0, -5), gracePeriodEnd: end.AddDate(0, 0, 7),
		employeeReviewEnd: end.AddDate(0, 0, -4), managerReviewEnd: end.AddDate(0, 0, -3),
		managerStatus: "in_progress", employeeStatus: "not_started", created: created, createdBy: e.managerID, createdOn: created,
	}
	if done {
		cv.managerStatus, cv.employeeStatus = "shared", "shared"
		cv.markedAsMet = pick(sd.r, []string{"met", "met", "not_met"})
	}
	for n := sd.r.IntN(3); n > 0; n-- {
		c := contributor{userID: pick(sd.r, sd.active).id, status: "answering"}
		if done || sd.chance(0.5) {
			c.status, c.response = "shared", pick(sd.r, textAnswers)
		}
		cv.contributors = append(cv.contributors, c)
	}
	last := created
	block := func(responder int64, shared bool) *responseBlock {
		sd.blockID++
		bc := sd.instant(created, created.Add(72*time.Hour))
		b := &responseBlock{id: sd.blockID, uuid: sd.uuid(), responderID: responder, created: bc, createdBy: responder, createdOn: bc}
		b.updated, b.updatedBy, b.modifiedOn = bc, responder, bc
		if shared {
			b.submittedOn = sd.instant(bc, bc.Add(48*time.Hour))
			b.sharedOn = b.submittedOn.Add(time.Duration(sd.r.IntN(3600)) * time.Second).Truncate(time.Microsecond)
			b.updated, b.modifiedOn = b.sharedOn, b.sharedOn
			if sd.chance(0.1) {
				b.unlockedUntil = b.sharedOn.AddDate(0, 0, 7)
			}
		}
		for _, q := range convQuestions {
			if !shared && sd.chance(0.5) {
				continue
			}
			sd.questionRespID++
			rc := sd.instant(bc, bc.Add(time.Hour))
			b.responses = append(b.responses, questionResponse{
				id: sd.questionRespID, uuid: sd.uuid(), kind: q.kind, questionID: q.id, question: q.text,
				options: q.options, answer: sd.answer(q), created: rc, updated: rc, createdOn: rc, modifiedOn: rc,
			})
		}
		if b.modifiedOn.After(last) {
			last = b.modifiedOn
		}
		return b
	}
	cv.managerResponse = block(e.managerID, done || sd.chance(0.3))
	cv.employeeResponse = block(e.id, done)
	if t.hrqEnabled {
		cv.postEmployeeResponse = block(e.id, done && sd.chance(0.7))
		cv.postManagerResponse = block(e.managerID, done && sd.chance(0.7))
		cv.postEmployeePending = cv.postEmployeeResponse.sharedOn.IsZero()
		cv.postManagerPending = cv.postManagerResponse.sharedOn.IsZero()
		if cv.postManagerPending && done {
			cv.managerStatus = "post_hr_not_started"
		}
	}
	if sd.chance(0.5) {
		cv.employeeNotes = pick(sd.r, textAnswers)
		cv.employeeNotesUpdated = sd.instant(created, created.Add(96*time.Hour))
	}
	if sd.chance(0.5) {
		cv.managerNotes = pick(sd.r, textAnswers)
		cv.managerNotesUpdated = sd.instant(created, created.Add(96*time.Hour))
	}
	if last.After(sd.ref) {
		last = sd.ref.Add(-time.Hour)
	}
	cv.modifiedOn = sd.instant(last, sd.ref)
	return cv
}
