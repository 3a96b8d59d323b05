package sandbox

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// GET /goals/filter/ implements every parameter of the reference's Filter
// table. The reference lists modifiers (Direct, Negate, Intersect, Empty)
// without saying how they are spelled; the sandbox reads them so:
//
//   - <param>__direct=yes keeps the direct relationship only: owner, the
//     goals the user owns itself (without it, also the key results of its
//     goals and the goals of teams it belongs to); aligned_to_goal, the
//     goal's children (without it, every goal below it); aligned_to_owner,
//     goals aligned right under a goal of the user (without it, anywhere
//     below one); reports_to, the manager's direct reports (without it, the
//     whole tree below the manager).
//   - <param>__negate=yes inverts the parameter: owner, aligned_to_goal,
//     aligned_to_owner, reports_to, date_range and updated_since.
//   - An empty value selects goals with none: group= (no department),
//     category= (uncategorized), integration= (no integration), unit= (no
//     unit on the goal or its key results).
//   - Repeating a parameter (owner=1&owner=2) selects the union of the
//     values; category__intersect=yes makes repeated categories an
//     intersection (the goal has all of them).
//   - Booleans are yes or no (true/false and 1/0 are accepted too); date
//     ranges are MM/DD/YYYY-MM/DD/YYYY, both days inclusive; risk maps
//     ontrack, needsattention and atrisk to the conditions green, yellow and
//     red; integration matches salesforce, jira or tableau without regard to
//     case; goal_name matches a part of the name without regard to case.
//   - team_only=yes keeps goals owned by the caller or its direct reports
//     ("your team"), no leaves them out; following=yes keeps goals the caller
//     follows; permission is can_edit or can_only_view for the caller;
//     top_company_goal=yes keeps the CEO's top company goals;
//     assessment=yes keeps goals with an assessment; updated_since applies
//     to the measurement's last update; viewed_by_owner_date keeps the
//     caller's own goals it viewed within the range.
//   - A modifier a parameter does not have (owner__intersect), a modifier
//     value other than yes/no, and a malformed value answer 400 naming the
//     parameter. An unknown id selects nothing.
//
// Results are goals and key results the caller may see, in id order; page
// size default 20, maximum 100 (unstated in the reference). This endpoint
// sends more as the string "true"/"false" (see stringListJSON).

// filterModifiers lists each filter parameter and its modifiers.
var filterModifiers = map[string][]string{
	"owner":                {"direct", "negate"},
	"aligned_to_goal":      {"direct", "negate"},
	"aligned_to_owner":     {"direct", "negate"},
	"team_only":            nil,
	"group":                nil,
	"reports_to":           {"direct", "negate"},
	"visibility":           nil,
	"permission":           nil,
	"following":            nil,
	"category":             {"intersect"},
	"assessment":           nil,
	"risk":                 nil,
	"integration":          nil,
	"unit":                 nil,
	"top_company_goal":     nil,
	"goal_name":            nil,
	"date_range":           {"negate"},
	"updated_since":        {"negate"},
	"viewed_by_owner_date": nil,
}

// goalPredicate keeps the goals it returns true for.
type goalPredicate func(g *goal) bool

// filterQuery is a parsed query of GET /goals/filter/: the checks that
// need no store, and the raw values that do.
type filterQuery struct {
	q         url.Values
	modifiers map[string]bool // "owner__direct" -> true
	delta     deltaRange
	ranges    map[string][2]time.Time
	bools     map[string]bool
}

// parseFilterQuery validates the parameters of q that need no store.
func parseFilterQuery(q url.Values) (*filterQuery, *apiError) {
	fq := &filterQuery{q: q, modifiers: map[string]bool{}, ranges: map[string][2]time.Time{}, bools: map[string]bool{}}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		base, mod, isMod := strings.Cut(k, "__")
		allowed, isFilter := filterModifiers[base]
		if !isMod || !isFilter {
			continue
		}
		if !slices.Contains(allowed, mod) {
			return nil, fieldError(k, "Unsupported modifier "+mod+" for "+base+".")
		}
		b, okBool := parseBoolWord(q.Get(k))
		if !okBool {
			return nil, fieldError(k, "Use yes or no.")
		}
		fq.modifiers[k] = b
	}
	for _, k := range []string{"team_only", "following", "assessment", "top_company_goal"} {
		if q.Has(k) {
			b, okBool := parseBoolWord(q.Get(k))
			if !okBool {
				return nil, fieldError(k, "Use yes or no.")
			}
			fq.bools[k] = b
		}
	}
	for _, k := range []string{"date_range", "updated_since", "viewed_by_owner_date"} {
		if q.Has(k) {
			r, okRange := parseDateRange(q.Get(k))
			if !okRange {
				return nil, fieldError(k, "Use MM/DD/YYYY-MM/DD/YYYY.")
			}
			fq.ranges[k] = r
		}
	}
	checks := []struct {
		key     string
		options []string
	}{
		{"visibility", []string{"public", "private"}},
		{"permission", []string{"can_edit", "can_only_view"}},
		{"risk", []string{"ontrack", "needsattention", "atrisk"}},
		{"integration", []string{"", "salesforce", "jira", "tableau"}},
	}
	for _, c := range checks {
		for _, v := range q[c.key] {
			if !slices.Contains(c.options, strings.ToLower(v)) {
				return nil, fieldError(c.key, `"`+v+`" is not a valid choice.`)
			}
		}
	}
	delta, apiErr := parseDelta(q)
	fq.delta = delta
	return fq, apiErr
}

// parseDateRange reads MM/DD/YYYY-MM/DD/YYYY as the first instant of the
// first day and the last microsecond of the second.
func parseDateRange(v string) ([2]time.Time, bool) {
	from, to, found := strings.Cut(strings.TrimSpace(v), "-")
	if !found {
		return [2]time.Time{}, false
	}
	a, errA := time.Parse(goalDateLayout, strings.TrimSpace(from))
	b, errB := time.Parse(goalDateLayout, strings.TrimSpace(to))
	if errA != nil || errB != nil {
		return [2]time.Time{}, false
	}
	return [2]time.Time{a, b.Add(24*time.Hour - time.Microsecond)}, true
}

// within reports whether t lies in r, bounds included.
func within(t time.Time, r [2]time.Time) bool { return !t.Before(r[0]) && !t.After(r[1]) }

// mod reports whether modifier name__mod is set to yes.
func (fq *filterQuery) mod(name, mod string) bool { return fq.modifiers[name+"__"+mod] }

// predicateSet collects the filters of one request for one caller.
type predicateSet struct {
	fq    *filterQuery
	st    *store
	me    *user
	preds []goalPredicate
}

// add appends p, inverted when name is negatable and name__negate=yes.
func (ps *predicateSet) add(name string, negatable bool, p goalPredicate) {
	if negatable && ps.fq.mod(name, "negate") {
		ps.preds = append(ps.preds, func(g *goal) bool { return !p(g) })
		return
	}
	ps.preds = append(ps.preds, p)
}

// users resolves the ids and UUIDs of parameter name to user ids; unknown
// ones match nothing.
func (ps *predicateSet) users(name string) map[int64]bool {
	out := map[int64]bool{}
	for _, v := range ps.fq.q[name] {
		if ref, okRef := parseIdent(v, true); okRef {
			if u := ps.st.users.find(ref); u != nil {
				out[u.id] = true
			}
		}
	}
	return out
}

// predicates builds the filters for caller me.
func (fq *filterQuery) predicates(st *store, me *user) []goalPredicate {
	ps := &predicateSet{fq: fq, st: st, me: me}
	ps.relations()
	ps.attributes()
	ps.categories()
	ps.progress()
	ps.times()
	return ps.preds
}

// relations filters by owner, alignment, team, department and reporting line.
func (ps *predicateSet) relations() {
	fq, st, me, q := ps.fq, ps.st, ps.me, ps.fq.q
	if q.Has("owner") {
		owners := ps.users("owner")
		direct := fq.mod("owner", "direct")
		teams := map[int64]bool{}
		for _, t := range st.teams.all() {
			for _, m := range t.members {
				if owners[m] {
					teams[t.id] = true
				}
			}
		}
		ps.add("owner", true, func(g *goal) bool {
			if owners[g.ownerUser] {
				return true
			}
			if direct {
				return false
			}
			if g.isKR {
				if p := st.goals.get(g.parentID); p != nil && owners[p.ownerUser] {
					return true
				}
			}
			return g.ownerTeam != 0 && teams[g.ownerTeam]
		})
	}
	if q.Has("aligned_to_goal") {
		targets := map[int64]bool{}
		for _, v := range q["aligned_to_goal"] {
			if ref, okRef := parseIdent(v, true); okRef {
				if g := st.goals.find(ref); g != nil {
					targets[g.id] = true
				}
			}
		}
		direct := fq.mod("aligned_to_goal", "direct")
		ps.add("aligned_to_goal", true, func(g *goal) bool { return st.alignedTo(g, direct, func(p *goal) bool { return targets[p.id] }) })
	}
	if q.Has("aligned_to_owner") {
		owners := ps.users("aligned_to_owner")
		direct := fq.mod("aligned_to_owner", "direct")
		ps.add("aligned_to_owner", true, func(g *goal) bool {
			return st.alignedTo(g, direct, func(p *goal) bool { return owners[p.ownerUser] })
		})
	}
	if b, set := fq.bools["team_only"]; set {
		team := st.directReports(me.id)
		team[me.id] = true
		ps.add("team_only", false, func(g *goal) bool { return team[g.ownerUser] == b })
	}
	if q.Has("group") {
		groups, none := map[int64]bool{}, false
		for _, v := range q["group"] {
			if v == "" {
				none = true
			} else if ref, okRef := parseIdent(v, true); okRef {
				if d := st.departments.find(ref); d != nil {
					groups[d.id] = true
				}
			}
		}
		ps.add("group", false, func(g *goal) bool { return (none && g.ownerGroup == 0) || groups[g.ownerGroup] })
	}
	if q.Has("reports_to") {
		managers := ps.users("reports_to")
		reports := map[int64]bool{}
		for m := range managers {
			var below map[int64]bool
			if fq.mod("reports_to", "direct") {
				below = st.directReports(m)
			} else {
				below = st.allReports(m)
			}
			for id := range below {
				reports[id] = true
			}
		}
		ps.add("reports_to", true, func(g *goal) bool { return reports[g.ownerUser] })
	}
}

// attributes filters by visibility, the caller's permission and following.
func (ps *predicateSet) attributes() {
	fq, st, me, q := ps.fq, ps.st, ps.me, ps.fq.q
	if q.Has("visibility") {
		values := lowerAll(q["visibility"])
		ps.add("visibility", false, func(g *goal) bool { return slices.Contains(values, g.visibility) })
	}
	if q.Has("permission") {
		wantEdit := strings.ToLower(q.Get("permission")) == "can_edit"
		ps.add("permission", false, func(g *goal) bool { return st.canEditGoal(me, g) == wantEdit })
	}
	if b, set := fq.bools["following"]; set {
		ps.add("following", false, func(g *goal) bool { return slices.Contains(g.followers, me.id) == b })
	}
}

// categories filters by category: any of them, all of them (intersect), or
// none (an empty value).
func (ps *predicateSet) categories() {
	fq, st, q := ps.fq, ps.st, ps.fq.q
	if q.Has("category") {
		var cats []int64
		none, unknown := false, false
		for _, v := range q["category"] {
			switch ref, okRef := parseIdent(v, true); {
			case v == "":
				none = true
			case !okRef || st.categories.find(ref) == nil:
				unknown = true
			default:
				cats = append(cats, st.categories.find(ref).id)
			}
		}
		if fq.mod("category", "intersect") {
			ps.add("category", false, func(g *goal) bool {
				if unknown || (none && len(g.categories) > 0) {
					return false
				}
				for _, c := range cats {
					if !slices.Contains(g.categories, c) {
						return false
					}
				}
				return true
			})
		} else {
			ps.add("category", false, func(g *goal) bool {
				if none && len(g.categories) == 0 {
					return true
				}
				for _, c := range cats {
					if slices.Contains(g.categories, c) {
						return true
					}
				}
				return false
			})
		}
	}
}

// progress filters by assessment, risk, integration, unit, top company goal
// and name.
func (ps *predicateSet) progress() {
	fq, st, q := ps.fq, ps.st, ps.fq.q
	if b, set := fq.bools["assessment"]; set {
		ps.add("assessment", false, func(g *goal) bool { return (len(st.assessByGoal[g.id]) > 0) == b })
	}
	if q.Has("risk") {
		conditions := map[string]bool{}
		for _, v := range q["risk"] {
			conditions[map[string]string{"ontrack": "green", "needsattention": "yellow", "atrisk": "red"}[strings.ToLower(v)]] = true
		}
		ps.add("risk", false, func(g *goal) bool { return conditions[g.m.condition] })
	}
	if q.Has("integration") {
		values := lowerAll(q["integration"])
		ps.add("integration", false, func(g *goal) bool { return slices.Contains(values, strings.ToLower(g.integration)) })
	}
	if q.Has("unit") {
		values := lowerAll(q["unit"])
		ps.add("unit", false, func(g *goal) bool {
			units := st.goalUnits(g)
			for _, v := range values {
				if (v == "" && len(units) == 0) || units[v] {
					return true
				}
			}
			return false
		})
	}
	if b, set := fq.bools["top_company_goal"]; set {
		ps.add("top_company_goal", false, func(g *goal) bool { return g.topCompany == b })
	}
	if q.Has("goal_name") {
		name := strings.ToLower(q.Get("goal_name"))
		ps.add("goal_name", false, func(g *goal) bool { return strings.Contains(strings.ToLower(g.name), name) })
	}
}

// times filters by active period, key result updates, owner views and the
// delta filters.
func (ps *predicateSet) times() {
	fq, me := ps.fq, ps.me
	if r, set := fq.ranges["date_range"]; set {
		ps.add("date_range", true, func(g *goal) bool { return !g.start.After(r[1]) && !g.end.Before(day(r[0])) })
	}
	if r, set := fq.ranges["updated_since"]; set {
		ps.add("updated_since", true, func(g *goal) bool { return within(g.m.updated, r) })
	}
	if r, set := fq.ranges["viewed_by_owner_date"]; set {
		ps.add("viewed_by_owner_date", false, func(g *goal) bool { return g.ownerUser == me.id && within(g.viewedByOwner, r) })
	}
	if fq.delta.active() {
		d := fq.delta
		ps.add("delta", false, func(g *goal) bool { return d.contains(g.modifiedOn) })
	}
}

// alignedTo reports whether g sits right under (direct) or anywhere under
// a goal match accepts.
func (st *store) alignedTo(g *goal, direct bool, match func(*goal) bool) bool {
	seen := map[int64]bool{}
	for p := st.goals.get(g.parentID); p != nil && !seen[p.id]; p = st.goals.get(p.parentID) {
		if match(p) {
			return true
		}
		if direct {
			return false
		}
		seen[p.id] = true
	}
	return false
}

// goalUnits returns the lower-case units of g and its key results.
func (st *store) goalUnits(g *goal) map[string]bool {
	out := map[string]bool{}
	if g.m.unit != "" {
		out[strings.ToLower(g.m.unit)] = true
	}
	for _, id := range g.children {
		if c := st.goals.get(id); c != nil && c.isKR && c.m.unit != "" {
			out[strings.ToLower(c.m.unit)] = true
		}
	}
	return out
}

// lowerAll returns values in lower case.
func lowerAll(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.ToLower(v)
	}
	return out
}

// filterGoals serves GET /goals/filter/ (see the comment at the top of
// this file).
func (s *Sandbox) filterGoals(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	fq, apiErr := parseFilterQuery(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	me := st.users.get(c.caller)
	preds := fq.predicates(st, me)
	var keep func(*goal) bool // nil: every goal, the page alone is read
	if me.role != RoleSuperAdmin || len(preds) > 0 {
		keep = func(g *goal) bool { return st.canSeeGoal(me, g) && all(preds, g) }
	}
	items, more := pageWhere(st.goals.all(), p, keep)
	out := stringListJSON[goalJSON]{Results: make([]goalJSON, len(items)), More: stringBool(more), NextURL: nextURL("/goals/filter/", c.q, p, more)}
	for i, g := range items {
		out.Results[i] = st.goalJSON(g, me)
	}
	return ok(out)
}

// all reports whether every predicate keeps g.
func all(preds []goalPredicate, g *goal) bool {
	for _, p := range preds {
		if !p(g) {
			return false
		}
	}
	return true
}
