package sandbox

import (
	"fmt"
	"slices"
	"time"
)

// Seeded goals: the CEO's top company goals for this year and last, each
// department head's goals aligned to them (sub-departments to their parent
// department's), managers' goals aligned to their head's, and goals of
// about a third of the individual contributors aligned to their manager's.
// Most goals have key results; about 15% of the goals below department
// level are private. Comments and assessments are spread over them.

// quarter returns the period of the quarter offset quarters from the one
// holding the reference instant.
func (sd *seeder) quarter(offset int) [2]time.Time {
	y, m, _ := sd.ref.Date()
	start := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 3*offset, 0)
	return [2]time.Time{start, start.AddDate(0, 3, -1)}
}

// year returns the period of the calendar year offset years from the
// reference instant's.
func (sd *seeder) year(offset int) [2]time.Time {
	start := time.Date(sd.ref.Year()+offset, 1, 1, 0, 0, 0, 0, time.UTC)
	return [2]time.Time{start, start.AddDate(1, 0, -1)}
}

// seedGoal adds a goal or key result with its dates, stamps and flavour;
// progress values come later from seedMeasurement and recompute.
func (sd *seeder) seedGoal(owner *user, parent *goal, name string, period [2]time.Time, kind string, kr bool) *goal {
	sd.goalID++
	latest := sd.ref.AddDate(0, 0, -1)
	created := period[0].AddDate(0, 0, -sd.r.IntN(20))
	if created.After(latest) {
		created = sd.daysAgo(30, 2)
	}
	if floor := sd.ref.AddDate(-2, 0, 0); created.Before(floor) {
		created = sd.instant(floor, floor.AddDate(0, 0, 20))
	}
	created = created.Add(time.Duration(sd.r.Int64N(int64(20 * time.Hour)))).Truncate(time.Microsecond)
	g := &goal{
		id: sd.goalID, uuid: sd.uuid(), name: name, isKR: kr, start: period[0], end: period[1],
		ownerUser: owner.id, visibility: "public", cheers: sd.r.IntN(9), nudges: sd.r.IntN(4), views: 1 + sd.r.IntN(40),
		source: "manual", created: created, createdBy: owner.id, createdOn: created, categories: []int64{},
		viewedByOwner: sd.daysAgo(90, 0),
	}
	g.description = "Owned by " + owner.name() + ". " + name + " this period."
	g.m.kind = kind
	resetMeasurement(&g.m)
	if parent != nil {
		g.parentID = parent.id
		parent.children = append(parent.children, g.id)
		if kr {
			g.visibility = parent.visibility
			g.ownerGroup, g.ownerTeam = parent.ownerGroup, parent.ownerTeam
		}
	}
	if !kr {
		switch x := sd.r.Float64(); {
		case x < 0.6:
			g.ownerGroup = owner.departmentID
		case x < 0.75:
			g.ownerTeam = int64(501 + sd.r.IntN(len(teamNames)))
		}
		switch x := sd.r.Float64(); {
		case x < 0.2:
		case x < 0.75:
			g.categories = []int64{int64(21 + sd.r.IntN(len(categoryNames)))}
		default:
			a, b := int64(21+sd.r.IntN(len(categoryNames))), int64(21+sd.r.IntN(len(categoryNames)))
			g.categories = []int64{min(a, b)}
			if a != b {
				g.categories = append(g.categories, max(a, b))
			}
		}
		if sd.chance(0.1) {
			g.integration = pick(sd.r, []string{"JIRA", "Salesforce", "Tableau", "Google Sheets"})
		}
		if sd.chance(0.6) {
			g.attrType, g.attrScope = 1+sd.r.IntN(2), 1+sd.r.IntN(3)
		}
		for n := sd.r.IntN(4); n > 0; n-- {
			if f := pick(sd.r, sd.active).id; !slices.Contains(g.followers, f) {
				g.followers = append(g.followers, f)
			}
		}
	}
	sd.st.goals.add(g.id, g.uuid, g)
	return g
}

// seedMeasurement sets a key result's or manual goal's values, and its
// check-in history, from a progress level that tracks the time elapsed.
func (sd *seeder) seedMeasurement(g *goal, unit string) {
	m := &g.m
	level := clamp01(expectedAt(g.start, g.end, sd.ref) * (0.4 + 0.9*sd.r.Float64()))
	switch m.kind {
	case "binary":
		m.done = sd.r.Float64() < level
	case "numeric", "range", "manualprogress":
		target := pick(sd.r, []float64{10, 20, 50, 100, 250, 1000})
		if unit == "Percent" || m.kind == "manualprogress" {
			target, unit = 100, "Percent"
		}
		m.unit, m.initial, m.target = unit, floatPtr(0), floatPtr(target)
		m.current = floatPtr(round(target*level, 0))
		if m.kind == "range" {
			m.lowerLimit, m.lowerMid = floatPtr(0.4*target), floatPtr(0.7*target)
			m.upperMid, m.upperLimit = floatPtr(target), floatPtr(1.2*target)
		}
	}
	m.updated, m.updatedBy = g.created, g.ownerUser
	if level > 0 && g.start.Before(sd.ref) {
		last := sd.ref
		if g.end.Before(last) {
			last = g.end.Add(20 * time.Hour)
		}
		from := g.created
		if g.start.After(from) {
			from = g.start
		}
		m.updated = sd.instant(from, last)
		g.lastCheckedIn, g.lastCheckedInBy = m.updated, g.ownerUser
	}
}

// keyResults adds n key results to g with units drawn from units.
func (sd *seeder) keyResults(g *goal, n int, units []string, metricOnly bool) []*goal {
	var out []*goal
	if len(units) == 0 {
		units = []string{"Percent"}
	}
	unit := pick(sd.r, units)
	for range n {
		kind := pick(sd.r, []string{"binary", "numeric", "numeric", "range"})
		if metricOnly && kind == "binary" {
			kind = "numeric"
		}
		owner := sd.st.users.get(g.ownerUser)
		if reports := sortedIDs(sd.st.directReports(owner.id)); len(reports) > 0 && sd.chance(0.3) {
			if r := sd.st.users.get(pick(sd.r, reports)); r.active {
				owner = r
			}
		}
		kr := sd.seedGoal(owner, g, pick(sd.r, binaryKeyResults), [2]time.Time{g.start, g.end}, kind, true)
		if !metricOnly {
			unit = pick(sd.r, units)
		}
		sd.seedMeasurement(kr, unit)
		if kind != "binary" {
			kr.name = fmt.Sprintf("%s %g %s", pick(sd.r, keyResultVerbs), deref(kr.m.target), kr.m.unit)
			kr.description = "Owned by " + owner.name() + ". " + kr.name + " this period."
		}
		out = append(out, kr)
	}
	return out
}

// objective adds a goal of a random kind with key results.
func (sd *seeder) objective(owner *user, parent *goal, name string, period [2]time.Time, units []string, private bool) *goal {
	kind := "avgofprogress"
	switch x := sd.r.Float64(); {
	case x < 0.15:
		kind = "manualprogress"
	case x < 0.25:
		kind = "sumofcurrent"
	case x < 0.30:
		kind = "sumofrange"
	}
	g := sd.seedGoal(owner, parent, name, period, kind, false)
	if private {
		g.visibility = "private"
	}
	switch kind {
	case "manualprogress":
		sd.seedMeasurement(g, "Percent")
		sd.keyResults(g, sd.r.IntN(2), units, false)
	case "sumofcurrent", "sumofrange":
		krs := sd.keyResults(g, 2+sd.r.IntN(2), units, true)
		var target float64
		for _, kr := range krs {
			target += deref(kr.m.target)
		}
		g.m.unit, g.m.initial, g.m.target = krs[0].m.unit, floatPtr(0), floatPtr(target)
		if kind == "sumofrange" {
			g.m.lowerLimit, g.m.lowerMid = floatPtr(0.4*target), floatPtr(0.7*target)
			g.m.upperMid, g.m.upperLimit = floatPtr(target), floatPtr(1.2*target)
		}
	default:
		sd.keyResults(g, 1+sd.r.IntN(3), units, false)
	}
	return g
}

// goals seeds goals, key results, comments and assessments, ids from 1001.
func (sd *seeder) goals() {
	sd.goalID = 1000
	st := sd.st
	seedOf := map[string]departmentSeed{}
	for _, ds := range departmentSeeds {
		seedOf[ds.name] = ds
	}
	goalsOf := map[int64][]*goal{} // owner -> goals
	add := func(g *goal) { goalsOf[g.ownerUser] = append(goalsOf[g.ownerUser], g) }

	// Top company goals: three this year, two last year.
	var company []*goal
	for i, name := range seedOf["Executive"].goals {
		period := sd.year(0)
		if i >= 3 {
			period = sd.year(-1)
		}
		g := sd.objective(sd.ceo, nil, name, period, []string{"USD", "Percent", "Customers"}, false)
		g.topCompany, g.ownerGroup, g.ownerTeam = true, sd.deptByName["Executive"].id, 0
		company = append(company, g)
		add(g)
	}
	sd.fx.TopCompanyGoalID = company[0].id

	// Department heads, then managers, then individual contributors.
	for _, ds := range departmentSeeds[1:] {
		head := sd.heads[ds.name]
		if head == nil {
			continue
		}
		parents := company[:3]
		if ds.parent != "" {
			parents = goalsOf[sd.heads[ds.parent].id]
		}
		for i := range 2 + sd.r.IntN(2) {
			period := sd.year(0)
			if i > 0 {
				period = sd.quarter(sd.r.IntN(6) - 4)
			}
			g := sd.objective(head, pick(sd.r, parents), ds.goals[i%len(ds.goals)], period, ds.keyResultsUnits, false)
			g.ownerGroup, g.ownerTeam = head.departmentID, 0
			add(g)
		}
	}
	for _, ds := range departmentSeeds {
		for _, m := range sd.managers[ds.name] {
			for range 1 + sd.r.IntN(2) {
				var parent *goal
				if hg := goalsOf[sd.heads[ds.name].id]; len(hg) > 0 && sd.chance(0.7) {
					parent = pick(sd.r, hg)
				}
				add(sd.objective(m, parent, pick(sd.r, ds.goals), sd.quarter(sd.r.IntN(8)-6), ds.keyResultsUnits, sd.chance(0.1)))
			}
		}
	}
	for _, u := range st.users.all() {
		if u.managerID == 0 || !u.active || u.role != RoleUser {
			continue
		}
		ds := seedOf[st.departmentName(u.departmentID)]
		manager := st.users.get(u.managerID)
		switch u {
		case sd.plain:
			sd.plainUserGoals(u, goalsOf[manager.id])
			continue
		case sd.other:
			g := sd.seedGoal(u, nil, "Write the on-call handbook", sd.quarter(0), "avgofprogress", false)
			g.visibility = "private"
			sd.keyResults(g, 1, []string{"Pages"}, false)
			sd.fx.OtherPrivateGoalID = g.id
			continue
		}
		if len(ds.goals) == 0 || goalsOf[u.id] != nil || !sd.chance(0.3) {
			continue
		}
		var parent *goal
		if mg := goalsOf[manager.id]; len(mg) > 0 && sd.chance(0.6) {
			parent = pick(sd.r, mg)
		}
		add(sd.objective(u, parent, pick(sd.r, ds.goals), sd.quarter(sd.r.IntN(8)-6), ds.keyResultsUnits, sd.chance(0.15)))
	}

	// Progress flows up: children have larger ids than their parents.
	all := st.goals.all()
	for i := len(all) - 1; i >= 0; i-- {
		g := all[i]
		st.recompute(g, sd.ref)
		for _, id := range g.children {
			if c := st.goals.get(id); c.lastCheckedIn.After(g.lastCheckedIn) {
				g.lastCheckedIn, g.lastCheckedInBy = c.lastCheckedIn, c.lastCheckedInBy
				g.m.updated, g.m.updatedBy = c.lastCheckedIn, c.lastCheckedInBy
			}
		}
		if g.m.updated.IsZero() {
			g.m.updated, g.m.updatedBy = g.created, g.ownerUser
		}
		from := g.created
		if g.lastCheckedIn.After(from) {
			from = g.lastCheckedIn
		}
		g.modifiedOn = sd.instant(from, sd.ref)
		g.updated, g.updatedBy = g.modifiedOn, g.ownerUser
	}
	st.next.goal = sd.goalID
	sd.comments()
	sd.assessments()
}

// plainUserGoals seeds the plain user's fixture goals.
func (sd *seeder) plainUserGoals(u *user, managerGoals []*goal) {
	var parent *goal
	if len(managerGoals) > 0 {
		parent = managerGoals[0]
	}
	g := sd.seedGoal(u, parent, "Improve deploy reliability", sd.quarter(0), "avgofprogress", false)
	g.ownerGroup, g.ownerTeam, g.categories = u.departmentID, 0, []int64{21}
	binary := sd.seedGoal(u, g, "Publish the rollback runbook", [2]time.Time{g.start, g.end}, "binary", true)
	sd.seedMeasurement(binary, "")
	binary.m.done = false
	numeric := sd.seedGoal(u, g, "Raise deploy success rate", [2]time.Time{g.start, g.end}, "numeric", true)
	sd.seedMeasurement(numeric, "Percent")
	numeric.m.initial, numeric.m.target, numeric.m.current = floatPtr(0), floatPtr(100), floatPtr(40)
	private := sd.seedGoal(u, nil, "Prepare for the staff engineer promotion", sd.quarter(0), "manualprogress", false)
	private.visibility = "private"
	sd.seedMeasurement(private, "Percent")
	sd.fx.UserGoalID, sd.fx.UserBinaryKeyResultID, sd.fx.UserNumericKeyResultID = g.id, binary.id, numeric.id
	sd.fx.UserPrivateGoalID = private.id
}

// comments seeds comments on about half the goals, ids from 10001; the
// plain user's fixture goal gets thirteen.
func (sd *seeder) comments() {
	st := sd.st
	sd.commentID = 10000
	for _, g := range st.goals.all() {
		n := 0
		switch {
		case g.id == sd.fx.UserGoalID:
			n = 13
		case sd.chance(0.5):
			n = 1 + sd.r.IntN(4)
		}
		for range n {
			sd.commentID++
			created := sd.instant(g.created, sd.ref)
			author := pick(sd.r, sd.active)
			if sd.chance(0.4) {
				author = st.users.get(g.ownerUser)
			}
			cm := &comment{
				id: sd.commentID, uuid: sd.uuid(), goalID: g.id, authorID: author.id, text: pick(sd.r, commentTexts),
				private: sd.chance(0.1), starred: sd.chance(0.1), created: created, edited: created,
			}
			if sd.chance(0.2) {
				cm.edited = sd.instant(created, sd.ref)
			}
			st.comments.add(cm.id, cm.uuid, cm)
			st.commentsByGoal[g.id] = append(st.commentsByGoal[g.id], cm)
		}
	}
	for id, cms := range st.commentsByGoal {
		slices.SortFunc(cms, func(a, b *comment) int { return a.created.Compare(b.created) })
		st.commentsByGoal[id] = cms
	}
}

// assessments seeds assessments on about a third of the goals whose period
// ended, ids from 50001, and two on the plain user's numeric key result.
func (sd *seeder) assessments() {
	st := sd.st
	sd.assessmentID = 50000
	for _, g := range st.goals.all() {
		n := 0
		switch {
		case g.id == sd.fx.UserNumericKeyResultID:
			n = 2
		case g.end.Before(sd.ref) && sd.chance(0.35):
			n = 1 + sd.r.IntN(2)
		}
		for range n {
			sd.assessmentID++
			by := g.ownerUser
			if owner := st.users.get(g.ownerUser); owner.managerID != 0 {
				by = owner.managerID
			}
			created := sd.instant(g.created, sd.ref)
			a := &assessment{
				id: sd.assessmentID, uuid: sd.uuid(), goalID: g.id, createdBy: by, comment: pick(sd.r, commentTexts),
				score: pick(sd.r, []float64{0.25, 0.5, 0.7, 0.75, 1.0}), created: created, edited: sd.instant(created, sd.ref),
			}
			st.assessments.add(a.id, a.uuid, a)
			st.assessByGoal[g.id] = append(st.assessByGoal[g.id], a)
		}
	}
}
