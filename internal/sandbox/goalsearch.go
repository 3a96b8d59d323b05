package sandbox

import (
	"slices"
	"strings"
	"time"
)

// searchGoals serves GET /goals/search/: q (required, at least 3
// characters after trimming) matches a part of the goal's name without
// regard to case. Key results are not searched. visibility is public or
// private; goal_type is avgofprogress, sumofcurrent, sumofrange or
// manualprogress. The flags are on when present with any value but
// false/no/0, and are relative to today by the sandbox's clock: not_due
// (end today or later), current (start <= today <= end), current_stale
// (current, or ended within the last 7 days) and future (starts after
// today); several flags must all hold. Page size default 20, maximum 100
// (unstated in the reference); id order.
func (s *Sandbox) searchGoals(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	q := strings.ToLower(strings.TrimSpace(c.q.Get("q")))
	switch {
	case !c.q.Has("q"):
		return fieldError("q", msgRequired).reply()
	case len([]rune(q)) < 3:
		return fieldError("q", "Ensure this field has at least 3 characters.").reply()
	}
	visibility := c.q.Get("visibility")
	if visibility != "" && visibility != "public" && visibility != "private" {
		return fieldError("visibility", `"`+visibility+`" is not a valid choice.`).reply()
	}
	kind := c.q.Get("goal_type")
	if kind != "" && !slices.Contains(goalKinds, kind) {
		return fieldError("goal_type", `"`+kind+`" is not a valid choice.`).reply()
	}
	flag := func(name string) bool {
		if !c.q.Has(name) {
			return false
		}
		b, known := parseBoolWord(c.q.Get(name))
		return b || !known
	}
	notDue, current, stale, future := flag("not_due"), flag("current"), flag("current_stale"), flag("future")
	today := day(s.now())

	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	me := st.users.get(c.caller)
	var matched []*goal
	for _, g := range st.goals.all() {
		switch {
		case g.isKR || !st.canSeeGoal(me, g):
		case !strings.Contains(strings.ToLower(g.name), q):
		case visibility != "" && g.visibility != visibility:
		case kind != "" && g.m.kind != kind:
		case notDue && g.end.Before(today):
		case current && (g.start.After(today) || g.end.Before(today)):
		case stale && (g.start.After(today) || g.end.Before(today.Add(-7*24*time.Hour))):
		case future && !g.start.After(today):
		default:
			matched = append(matched, g)
		}
	}
	return ok(listPage("/goals/search/", c.q, p, matched, func(g *goal) goalJSON { return st.goalJSON(g, me) }))
}
