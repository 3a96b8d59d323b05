package sandbox

import (
	"fmt"
	"time"
)

// Seeded feedback: one template per type of the reference, their cycles
// and questions, about 350 pieces of feedback with answers that are text,
// numbers or lists, a feedback request for most of them, 20 hashtags and
// about 300 recognitions.

// feedback seeds feedback templates (ids from 91), questions (from 401),
// cycles (from 121), feedback (from 4001), responses (from 30001) and
// requests (from 6001).
func (sd *seeder) feedback() {
	st := sd.st
	var questionID, cycleID int64 = 400, 120
	specs := []struct {
		kind, name string
		cycles     int
	}{
		{"scheduled", "360 Feedback", 3},
		{"adhoc_give", "Give Anytime Feedback", 1},
		{"adhoc_request", "Request Feedback", 1},
		{"adhoc_manager_request", "Manager Requested Feedback", 1},
		{"adhoc_request_custom", "Custom Feedback Request", 1},
	}
	for i, spec := range specs {
		created := sd.daysAgo(720, 650)
		t := &fbTemplate{
			id: int64(91 + i), uuid: sd.uuid(), kind: spec.kind, name: spec.name, enabled: i != 4,
			questionsLocked: i == 0, notifyCycleStarted: true, notifyFeedbackRequested: true,
			employeeCanChoose: true, employeeCanView: true, employeeSeeIdentity: i != 0, managerCanChoose: true,
			managerCanView: true, managerSeeIdentity: true, skipLevelManagersLevel: "none",
			defaultProviderType: "classic_360", defaultProvidersLimit: 6, defaultIncludesManager: true,
			defaultIncludesDirects: true, defaultIncludesPeers: true, summaryVisibleEmployee: true,
			summaryVisibleManager: true, created: created, createdOn: created,
			allowedEmployees: []int64{sd.heads["People"].id}, allowedProviders: []int64{sd.chief.id},
		}
		t.updated = sd.instant(created, sd.ref.AddDate(0, 0, -300))
		t.modifiedOn = t.updated
		questions := []struct {
			kind, text string
			options    any
		}{
			{"text", "What should this person keep doing?", nil},
			{"multiple_choice", "Which value do they show most?", []string{"Ownership", "Curiosity", "Candour", "Craft"}},
			{"rating", "How effective is their collaboration?", []int{1, 2, 3, 4}},
			{"scale", "How likely are you to want to work with them again?", []int{1, 2, 3}},
		}
		for order, q := range questions[:2+i%3] {
			questionID++
			t.questions = append(t.questions, fbQuestion{
				id: questionID, uuid: sd.uuid(), templateID: t.id, kind: q.kind, text: q.text, options: q.options,
				hideNumbers: q.kind == "scale", order: order, mandatory: order < 2,
			})
		}
		for c := range spec.cycles {
			cycleID++
			start := sd.year(-1)[0]
			if spec.kind == "scheduled" {
				start = sd.quarter(-5 + 2*c)[0].AddDate(0, 0, 14)
			}
			cyc := &fbCycle{
				id: cycleID, uuid: sd.uuid(), templateID: t.id, cycleStart: start, selectionEnd: start.AddDate(0, 0, 2),
				feedbackStart: start.AddDate(0, 0, 3), cycleEnd: start.AddDate(0, 0, 20), gracePeriodEnd: start.AddDate(0, 0, 45),
				anytimeNomination: true,
			}
			if spec.kind != "scheduled" {
				cyc.cycleEnd, cyc.gracePeriodEnd = start.AddDate(1, 0, -1), start.AddDate(1, 0, 30)
			}
			st.fbCycles.add(cyc.id, cyc.uuid, cyc)
			t.cycles = append(t.cycles, cyc.id)
		}
		st.fbTemplates.add(t.id, t.uuid, t)
	}
	sd.fx.FeedbackTemplateID = 91
	sd.fx.FeedbackCycleID = 121

	sd.fbRespID = 30000
	var requestID int64 = 6000
	templates := st.fbTemplates.all()
	for n := range 350 {
		t := templates[0]
		if n%3 != 0 && n >= 3 {
			t = pick(sd.r, templates)
		}
		cyc := st.fbCycles.get(pick(sd.r, t.cycles))
		if n < 3 {
			cyc = st.fbCycles.get(sd.fx.FeedbackCycleID) // a cycle of templates[0]
		}
		forUser := pick(sd.r, sd.active)
		if n < 6 {
			forUser = sd.plain
		}
		provider := pick(sd.r, sd.active)
		requester := forUser
		if forUser.managerID != 0 && sd.chance(0.4) {
			requester = st.users.get(forUser.managerID)
		}
		created := sd.instant(cyc.feedbackStart, minTime(cyc.cycleEnd, sd.ref.AddDate(0, 0, -1)))
		if created.After(sd.ref) || cyc.feedbackStart.After(sd.ref) {
			created = sd.daysAgo(30, 2)
		}
		f := &feedback{
			id: int64(4001 + n), uuid: sd.uuid(), name: t.name + " for " + forUser.name(), cycleID: cyc.id, templateID: t.id,
			forUser: forUser.id, requestedBy: requester.id, createdBy: provider.id, status: "submitted",
			employeeCanView: t.employeeCanView, managerCanView: t.managerCanView,
			employeeSeeIdentity: t.employeeSeeIdentity && sd.chance(0.8), managerSeeIdentity: t.managerSeeIdentity,
			created: created, createdOn: created,
		}
		if n >= 6 && sd.chance(0.05) {
			f.hold = true
		}
		answered := len(t.questions)
		if sd.chance(0.2) {
			f.status, answered = "answering", sd.r.IntN(len(t.questions))
		}
		for _, q := range t.questions[:answered] {
			sd.fbRespID++
			var answer any
			switch q.kind {
			case "text":
				answer = pick(sd.r, textAnswers)
			case "multiple_choice":
				answer = []string{pick(sd.r, q.options.([]string))}
			default:
				answer = pick(sd.r, q.options.([]int))
			}
			f.responses = append(f.responses, fbResponse{
				id: sd.fbRespID, uuid: sd.uuid(), questionID: q.id, question: q.text, kind: q.kind,
				options: q.options, answer: answer, hideNumbers: q.hideNumbers,
			})
		}
		f.updated = sd.instant(created, sd.ref)
		f.modifiedOn = f.updated
		st.feedback.add(f.id, f.uuid, f)

		if n >= 6 && !sd.chance(0.7) {
			continue
		}
		requestID++
		r := &fbRequest{
			id: requestID, uuid: sd.uuid(), templateID: t.id, fromUser: provider.id, forUser: forUser.id,
			requestedBy: requester.id, createdBy: requester.id, feedbackID: f.id, canViewFeedback: true, hold: f.hold,
			question: t.questions[0].text, created: created.Add(-time.Duration(1+sd.r.IntN(72)) * time.Hour).Truncate(time.Microsecond),
		}
		r.createdOn = r.created
		if t.kind == "scheduled" {
			r.cycleID = cyc.id
		} else {
			r.adhoc, r.adhocCycleID = true, cyc.id
		}
		switch {
		case f.status == "submitted":
			r.status, r.declined = 2, boolPtr(false)
		case sd.chance(0.25):
			r.status, r.declined = 3, boolPtr(true)
		case sd.chance(0.2):
			r.status, r.expired = 0, cyc.gracePeriodEnd.Add(12*time.Hour)
		default:
			r.status = sd.r.IntN(2)
		}
		if sd.chance(0.3) {
			r.customNote = fmt.Sprintf("Especially interested in your view on the %s project.", pick(sd.r, teamNames))
		}
		r.modifiedOn = maxTime(f.modifiedOn, r.created)
		st.fbRequests.add(r.id, r.uuid, r)
	}
}

// boolPtr returns a pointer to b.
func boolPtr(b bool) *bool { return &b }

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// maxTime returns the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// recognitions seeds hashtags (ids from 1) and recognitions (ids from
// 7001, shout-outs from 8001). About a third come from goal comments.
func (sd *seeder) recognitions() {
	st := sd.st
	for i, name := range hashtagNames {
		created := sd.daysAgo(720, 360)
		h := &hashtag{id: int64(1 + i), name: name, createdOn: created, modifiedOn: sd.instant(created, sd.ref)}
		st.hashtags.add(h.id, "", h)
	}
	sd.fx.HashtagName = hashtagNames[0]
	var public []*comment
	for _, cm := range st.comments.all() {
		if !cm.private {
			public = append(public, cm)
		}
	}
	var shoutoutID int64 = 8000
	for n := range 300 {
		created := sd.daysAgo(700, 1)
		r := &recognition{id: int64(7001 + n), uuid: sd.uuid(), authorID: pick(sd.r, sd.active).id, created: created, createdOn: created}
		if sd.chance(0.15) {
			r.forGroup = int64(12 + sd.r.IntN(11))
		} else {
			r.forUser = pick(sd.r, sd.active).id
		}
		tags := map[int64]bool{}
		if n%4 == 0 {
			tags[1] = true
		}
		for k := 1 + sd.r.IntN(3); len(tags) < k; {
			tags[int64(1+sd.r.IntN(len(hashtagNames)))] = true
		}
		r.hashtags = sortedIDs(tags)
		mentioned := map[int64]bool{}
		for k := sd.r.IntN(3); len(mentioned) < k; {
			mentioned[pick(sd.r, sd.active).id] = true
		}
		r.mentioned = sortedIDs(mentioned)
		if len(public) > 0 && sd.chance(0.3) {
			cm := pick(sd.r, public)
			r.sourceComment, r.authorID = cm.id, cm.authorID
			if cm.created.Before(sd.ref) {
				r.created, r.createdOn = cm.created, cm.created
			}
		} else {
			shoutoutID++
			r.shoutout = &shoutout{id: shoutoutID, uuid: sd.uuid(), text: pick(sd.r, shoutoutTexts), created: r.created, edited: r.created}
			if sd.chance(0.1) {
				r.shoutout.edited = sd.instant(r.created, sd.ref)
			}
		}
		r.modifiedOn = sd.instant(r.createdOn, sd.ref)
		st.recognitions.add(r.id, r.uuid, r)
	}
}
