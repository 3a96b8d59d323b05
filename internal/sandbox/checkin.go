package sandbox

import "net/http"

// checkIn serves POST /goals/{id}/checkin/. A binary milestone takes done
// (a boolean); a numeric or range milestone, or a manualprogress goal,
// takes value (a number) and optionally target (a number). Numbers may be
// JSON numbers or numeric strings. It answers 400 when neither done nor
// value is given, when a field has the wrong type, when done is given to a
// metric milestone or value to a binary one, and when the goal's progress
// comes from its children (avgofprogress, sumofcurrent, sumofrange).
//
// The check-in moves the milestone's current value and progress, stamps
// last_checkedin, recomputes the parent's progress (and each ancestor's),
// and answers the parent goal, as the reference says; a goal without a
// parent (or whose parent the caller may not see) answers itself.
func (s *Sandbox) checkIn(c *call) reply {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return apiErr.reply()
	}
	done, hasDone := body.boolean("done")
	value, hasValue := body.number("value")
	target, hasTarget := body.number("target")
	if err := body.err(); err != nil {
		return err.reply()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	g, apiErr := st.visibleGoal(me, c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	if !st.canEditGoal(me, g) {
		return errForbidden.reply()
	}
	m := &g.m
	switch {
	case !hasDone && !hasValue:
		return detailError(http.StatusBadRequest, "Provide done (binary milestone) or value (metric milestone).").reply()
	case m.kind == "avgofprogress" || m.kind == "sumofcurrent" || m.kind == "sumofrange":
		return detailError(http.StatusBadRequest, "This goal's progress comes from its children ("+m.kind+"); check in on a milestone.").reply()
	case m.kind == "binary" && (hasValue || hasTarget):
		return fieldError("value", "A binary milestone takes done, not value or target.").reply()
	case m.kind != "binary" && hasDone:
		return fieldError("done", "A metric milestone takes value, not done.").reply()
	}
	now := s.now()
	if hasDone {
		m.done = done
	}
	if hasValue {
		m.current = floatPtr(value)
	}
	if hasTarget {
		m.target = floatPtr(target)
	}
	m.updated, m.updatedBy = now, me.id
	g.lastCheckedIn, g.lastCheckedInBy = now, me.id
	g.updated, g.updatedBy, g.modifiedOn = now, me.id, now
	st.recomputeUp(g, now, me.id)
	answer := g
	if p := st.goals.get(g.parentID); p != nil && st.canSeeGoal(me, p) {
		p.lastCheckedIn, p.lastCheckedInBy = now, me.id
		answer = p
	}
	return ok(st.goalJSON(answer, me))
}
