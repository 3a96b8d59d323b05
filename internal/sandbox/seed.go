package sandbox

import (
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The demo organisation. Everything is drawn from random sources seeded by
// Config.Seed, so a seed always gives the same organisation, and arranged
// around a reference instant derived from the seed (ReferenceTime), never
// from the clock: created_on and modified_on values lie in the two years
// before it, so delta filters over seeded data give the same answers every
// run.
//
// Ids come from separate ranges per kind (users from 100, departments from
// 11, admin groups from 301, teams from 501, goals from 1001, comments from
// 10001...), so that an id of the wrong kind finds nothing instead of
// something.

// orgDomain is the demo organisation's e-mail domain.
const orgDomain = "acme.example"

// seeder builds the demo organisation into a store.
type seeder struct {
	st  *store
	r   *rand.Rand
	ref time.Time
	fx  Fixtures

	deptByName map[string]*department
	heads      map[string]*user // department name -> head
	managers   map[string][]*user
	ceo        *user
	chief      *user
	plain      *user // UserFor(RoleUser)
	other      *user // owner of Fixtures.OtherPrivateGoalID
	active     []*user

	// next ids
	goalID, commentID, assessmentID, questionRespID, blockID, fbRespID int64
}

// seedOrganisation builds s's store, tokens and fixtures from seed, and
// enlarges the organisation to sc.
func seedOrganisation(s *Sandbox, seed int64, ref time.Time, sc Scale) {
	if ref.IsZero() {
		ref = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(uint64(seed)%90))
	}
	sd := &seeder{
		st:  newStore(rand.New(rand.NewPCG(uint64(seed), 0x5707e))),
		r:   rand.New(rand.NewPCG(uint64(seed), 0xbe77e7)),
		ref: ref.UTC().Truncate(24 * time.Hour),
	}
	sd.st.domain = orgDomain
	sd.departments()
	sd.people()
	sd.teams()
	sd.adminGroups()
	sd.categories()
	sd.goals()
	sd.conversations()
	sd.feedback()
	sd.recognitions()
	sd.reportRuns()
	s.st, s.ref, s.fixtures = sd.st, sd.ref, sd.fx
	sd.credentials(s, seed)
	sd.scale(seed, sc)
}

// instant draws a time in [from, to), in whole microseconds.
func (sd *seeder) instant(from, to time.Time) time.Time {
	span := to.Sub(from)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(sd.r.Int64N(int64(span)))).Truncate(time.Microsecond)
}

// daysAgo draws a time between max and min days before the reference instant.
func (sd *seeder) daysAgo(maxDays, minDays int) time.Time {
	return sd.instant(sd.ref.AddDate(0, 0, -maxDays), sd.ref.AddDate(0, 0, -minDays))
}

// chance reports true with probability p.
func (sd *seeder) chance(p float64) bool { return sd.r.Float64() < p }

// uuid draws a UUID.
func (sd *seeder) uuid() string { return newUUID(sd.r) }

// pick draws one of items.
func pick[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

// departments seeds departmentSeeds, ids from 11.
func (sd *seeder) departments() {
	st := sd.st
	sd.deptByName = map[string]*department{}
	for i, ds := range departmentSeeds {
		created := sd.daysAgo(730, 600)
		d := &department{id: int64(11 + i), uuid: sd.uuid(), name: ds.name, active: ds.active, createdOn: created, modifiedOn: sd.instant(created, sd.ref)}
		if p := sd.deptByName[ds.parent]; p != nil {
			d.parentID = p.id
		}
		st.departments.add(d.id, d.uuid, d)
		sd.deptByName[ds.name] = d
	}
	st.next.department = int64(10 + len(departmentSeeds))
	sd.fx.EmptyDepartmentID = sd.deptByName["Special Projects"].id
	sd.fx.DeactivatedDepartmentID = sd.deptByName["Facilities"].id
	sd.fx.PopulatedDepartmentID = sd.deptByName["Platform"].id
	sd.fx.AdminDepartmentID = sd.deptByName["Engineering"].id
}

// people seeds the users: each department's head, managers and individual
// contributors in a manager tree under the CEO, a few deactivated users and
// a fictitious "Reporting Application" super admin, as the help page
// suggests for API keys. Ids are given so that the first super admin is
// the CEO, the first admin the VP of Engineering, the first HR admin the
// VP of People, and the first plain user a platform engineer (the plain
// user of Fixtures).
func (sd *seeder) people() {
	emails := map[string]int{}
	managerOf := map[*user]*user{}
	var built []*user
	make1 := func(d *department, title string, manager *user) *user {
		first, last := pick(sd.r, firstNames), pick(sd.r, lastNames)
		base := strings.ToLower(strings.ReplaceAll(first+"."+last, " ", ""))
		emails[base]++
		email := base
		if n := emails[base]; n > 1 {
			email += itoa(int64(n))
		}
		created := sd.daysAgo(720, 400)
		u := &user{
			uuid: sd.uuid(), firstName: first, lastName: last, email: email + "@" + orgDomain, title: title,
			phone: "+1 415 555 " + itoa(int64(1000+sd.r.IntN(9000))), about: pick(sd.r, abouts), locale: "en",
			location: pick(sd.r, locations), active: true, departmentID: d.id, createdOn: created,
			modifiedOn: sd.instant(created, sd.ref),
			custom:     map[string]string{"custom_01": "CC-" + itoa(int64(100+d.id)), "custom_02": "Full-time"},
		}
		if sd.chance(0.2) {
			u.preferredName = pick(sd.r, nicknames)
		}
		if sd.chance(0.12) {
			u.locale = pick(sd.r, otherLocales)
		}
		if sd.chance(0.03) {
			u.onLeave = true
		}
		if sd.chance(0.04) {
			u.goalmaster = true
		}
		if sd.chance(0.05) {
			u.custom["custom_02"] = "Contractor"
		}
		if d.name == "Sales EMEA" {
			u.location, u.phone = "London, United Kingdom", "+44 20 7946 "+itoa(int64(1000+sd.r.IntN(9000)))
		}
		built = append(built, u)
		managerOf[u] = manager
		return u
	}
	sd.heads = map[string]*user{}
	sd.managers = map[string][]*user{}
	for _, ds := range departmentSeeds {
		if ds.size == 0 {
			continue
		}
		d := sd.deptByName[ds.name]
		parentHead := sd.ceo
		if ds.parent != "" {
			parentHead = sd.heads[ds.parent]
		}
		head := make1(d, ds.head, parentHead)
		if sd.ceo == nil {
			sd.ceo = head
		}
		sd.heads[ds.name] = head
	}
	for _, ds := range departmentSeeds {
		if ds.size == 0 {
			continue
		}
		d, head := sd.deptByName[ds.name], sd.heads[ds.name]
		rest := ds.size - 1
		nManagers := max(1, rest/9)
		for range nManagers {
			sd.managers[ds.name] = append(sd.managers[ds.name], make1(d, ds.manager, head))
		}
		for i := range rest - nManagers {
			m := sd.managers[ds.name][i%nManagers]
			ic := make1(d, pick(sd.r, ds.ics), m)
			if ds.name == "Platform" && sd.plain == nil && i > 0 {
				sd.plain = ic
			}
			if ds.name == "Platform" && sd.other == nil && sd.plain != nil && ic != sd.plain && managerOf[ic] != managerOf[sd.plain] {
				sd.other = ic
			}
		}
	}
	sd.chief = sd.managers["Executive"][0]
	// Deactivated users: individual contributors who left.
	var deactivated []*user
	for range 8 {
		ds := departmentSeeds[1+sd.r.IntN(11)]
		u := make1(sd.deptByName[ds.name], pick(sd.r, ds.ics), pick(sd.r, sd.managers[ds.name]))
		u.active = false
		u.deactivatedOn = sd.daysAgo(360, 7)
		u.modifiedOn = u.deactivatedOn
		deactivated = append(deactivated, u)
	}
	service := make1(sd.deptByName["Executive"], "Integration service account", nil)
	service.firstName, service.lastName, service.departmentID = "Reporting", "Application", 0
	service.email, service.about, service.phone = "reporting.application@"+orgDomain, "Service account for the BI integration.", ""

	engVP, peopleVP := sd.heads["Engineering"], sd.heads["People"]
	order := []*user{sd.ceo, engVP, peopleVP, sd.plain}
	for _, u := range built {
		if !slices.Contains(order, u) && u != service {
			order = append(order, u)
		}
	}
	order = append(order, service)
	for i, u := range order {
		u.id = int64(100 + i)
		u.employeeID = "E" + itoa(int64(1001+i))
	}
	service.employeeID = "SVC-0001"
	for _, u := range order {
		if m := managerOf[u]; m != nil {
			u.managerID = m.id
		} else {
			u.managerID = 0
		}
		sd.st.addUser(u)
		if u.active {
			sd.active = append(sd.active, u)
		}
	}
	sd.st.next.user = order[len(order)-1].id
	for _, u := range order {
		if u.matrixManager == "" && u.active && sd.chance(0.04) {
			m := pick(sd.r, sd.managers[pick(sd.r, departmentSeeds[:12]).name])
			if m.id != u.managerID && m.id != u.id {
				u.matrixManager = m.email
			}
		}
	}

	// Roles.
	grant := func(u *user, r Role, depts ...string) {
		u.role = r
		u.adminSince = sd.instant(u.createdOn, sd.ref)
		for _, name := range depts {
			u.managedDepts = append(u.managedDepts, sd.deptByName[name].id)
		}
	}
	grant(sd.ceo, RoleSuperAdmin)
	sd.ceo.adminSince = time.Time{} // the founding admin predates the audit trail
	grant(sd.chief, RoleSuperAdmin)
	grant(service, RoleSuperAdmin)
	grant(engVP, RoleAdmin, "Engineering")
	grant(sd.heads["Sales"], RoleAdmin, "Sales")
	grant(sd.heads["Customer Success"], RoleAdmin, "Customer Success")
	var topLevel []string
	for _, ds := range departmentSeeds {
		if ds.parent == "" && ds.size > 0 {
			topLevel = append(topLevel, ds.name)
		}
	}
	grant(peopleVP, RoleHRAdmin, topLevel...)
	grant(sd.managers["People"][0], RoleHRAdmin) // scoped to an admin group, set by adminGroups
	sd.fx.DeactivatedUserID = deactivated[0].id
	sd.fx.OtherUserID = sd.other.id
}

// teams seeds ten teams, ids from 501; the plain user is in the first two,
// the last is inactive.
func (sd *seeder) teams() {
	for i, name := range teamNames {
		created := sd.daysAgo(700, 200)
		t := &team{id: int64(501 + i), uuid: sd.uuid(), name: name, active: i < len(teamNames)-1, createdOn: created, modifiedOn: sd.instant(created, sd.ref)}
		members := map[int64]bool{}
		if i < 2 {
			members[sd.plain.id] = true
		}
		for n := 4 + sd.r.IntN(9); len(members) < n; {
			members[pick(sd.r, sd.active).id] = true
		}
		for id := range members {
			t.members = append(t.members, id)
		}
		slices.Sort(t.members)
		sd.st.teams.add(t.id, t.uuid, t)
	}
	sd.fx.TeamID = 501
}

// adminGroups seeds six admin groups, ids from 301.
func (sd *seeder) adminGroups() {
	d := func(names ...string) []int64 {
		var out []int64
		for _, n := range names {
			out = append(out, sd.deptByName[n].id)
		}
		return out
	}
	someUsers := func(n int) []int64 {
		set := map[int64]bool{}
		for len(set) < n {
			set[pick(sd.r, sd.active).id] = true
		}
		out := make([]int64, 0, n)
		for id := range set {
			out = append(out, id)
		}
		slices.Sort(out)
		return out
	}
	var managerIDs []int64
	for _, ms := range sd.managers {
		for _, m := range ms {
			managerIDs = append(managerIDs, m.id)
		}
	}
	slices.Sort(managerIDs)
	groups := []struct {
		name   string
		active bool
		attrs  []groupAttribute
		extra  int
	}{
		{"San Francisco Office", true, []groupAttribute{{"include", "department", d("Engineering")}, {"exclude", "user", someUsers(2)}}, 3},
		{"London Office", true, []groupAttribute{{"include", "department", d("Sales EMEA")}}, 2},
		{"People Managers", true, []groupAttribute{{"include", "user", managerIDs}}, 0},
		{"New Hires", true, []groupAttribute{{"include", "user", someUsers(10)}}, 0},
		{"Customer Facing", true, []groupAttribute{{"include", "department", d("Sales", "Customer Success")}, {"exclude", "department", d("Sales EMEA")}}, 1},
		{"Leadership", false, []groupAttribute{{"include", "manager", []int64{sd.ceo.id}}}, 0},
	}
	for i, g := range groups {
		created := sd.daysAgo(650, 300)
		ag := &adminGroup{
			id: int64(301 + i), uuid: sd.uuid(), name: g.name, active: g.active, templateUsage: i%2 == 0,
			attributes: g.attrs, additional: someUsers(g.extra), createdOn: created,
			lastEditedBy: sd.ceo.id,
		}
		ag.modifiedOn = sd.instant(created, sd.ref)
		ag.lastEdited = ag.modifiedOn
		sd.st.groups.add(ag.id, ag.uuid, ag)
	}
	sd.managers["People"][0].managedGroups = []int64{302}
	sd.fx.AdminGroupID = 301
}

// categories seeds the goal categories, ids from 21.
func (sd *seeder) categories() {
	for i, name := range categoryNames {
		created := sd.daysAgo(720, 500)
		c := &category{id: int64(21 + i), uuid: sd.uuid(), name: name, created: created, createdBy: sd.ceo.id, updated: sd.instant(created, sd.ref), updatedBy: sd.chief.id}
		sd.st.categories.add(c.id, c.uuid, c)
	}
	sd.fx.CategoryID = 21
}

// reportRuns seeds report runs in every status, ids from 9001; they keep
// their status.
func (sd *seeder) reportRuns() {
	hr := sd.heads["People"]
	runs := []struct {
		kind     string
		by       *user
		status   string
		template int64
	}{
		{"all_goals", sd.ceo, "succeeded", 0},
		{"conversation_answer", sd.ceo, "succeeded", sd.fx.ConversationTemplateID},
		{"feedback_answers", hr, "succeeded", sd.fx.FeedbackTemplateID},
		{"user_activity", sd.heads["Engineering"], "succeeded", 0},
		{"recognition", hr, "succeeded", 0},
		{"all_goals_and_milestones", sd.chief, "succeeded", 0},
		{"conversation_adoption", hr, "failed", sd.fx.ConversationTemplateID},
		{"feedback_adoption", sd.ceo, "failed", sd.fx.FeedbackTemplateID},
		{"all_goals", sd.heads["Engineering"], "pending", 0},
		{"user_activity", sd.ceo, "pending", 0},
		{"conversation_answers", hr, "running", sd.fx.ConversationTemplateID},
		{"all_goals_and_milestones", sd.ceo, "running", 0},
	}
	for i, spec := range runs {
		created := sd.daysAgo(60, 1)
		start := day(created).AddDate(0, -1-sd.r.IntN(3), 0)
		r := &reportRun{
			id: int64(9001 + i), report: spec.kind, createdBy: spec.by.id, created: created, template: spec.template,
			start: start, end: start.AddDate(0, 1, -1), fixedStatus: spec.status, file: new(reportFile),
		}
		switch spec.status {
		case "succeeded":
			r.fixedFinished = created.Add(time.Duration(2+sd.r.IntN(60)) * time.Second)
			if sd.fx.SucceededReportRunID == 0 {
				sd.fx.SucceededReportRunID = r.id
			}
		case "failed":
			r.fixedFinished = created.Add(time.Duration(30+sd.r.IntN(60)) * time.Second)
			r.errorMessage = "Report generation timed out."
			if sd.fx.FailedReportRunID == 0 {
				sd.fx.FailedReportRunID = r.id
			}
		case "pending":
			if sd.fx.PendingReportRunID == 0 {
				sd.fx.PendingReportRunID = r.id
			}
		case "running":
			if sd.fx.RunningReportRunID == 0 {
				sd.fx.RunningReportRunID = r.id
			}
		}
		sd.st.reportRuns.add(r.id, "", r)
	}
	sd.st.next.reportRun = int64(9000 + len(runs))
}

// credentials gives every seeded user an API key, and the plain user a
// second, revoked one. Keys come from their own random source, so they do
// not shift when the rest of the seed data changes.
func (sd *seeder) credentials(s *Sandbox, seed int64) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x70ce75))
	token := func() string {
		var b [20]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return "bwsbx_" + hex.EncodeToString(b[:])
	}
	s.keys = map[string]apiKey{}
	s.tokens = map[int64]string{}
	s.roleUsers = map[Role]User{}
	for _, u := range sd.st.users.all() {
		t := token()
		s.keys[t] = apiKey{userID: u.id}
		s.tokens[u.id] = t
		if _, seen := s.roleUsers[u.role]; !seen && u.active {
			s.roleUsers[u.role] = User{
				ID: u.id, UUID: u.uuid, Email: u.email, Name: u.name(), EmployeeID: u.employeeID,
				Role: u.role, ManagerID: u.managerID, DepartmentID: u.departmentID,
			}
		}
	}
	s.revoked = token()
	s.keys[s.revoked] = apiKey{userID: sd.plain.id, revoked: true}
}
