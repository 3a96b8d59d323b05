package sandbox

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Scale asks for a larger organisation than the demo's, for scale tests
// and demos of whole-collection streams. The extra users and goals are
// generated from the seed after the demo organisation, which stays as it
// is: its ids, tokens and Fixtures do not depend on Scale. The same seed
// and Scale give the same data.
//
// The zero Scale is the demo organisation alone.
type Scale struct {
	// Users is the number of users the organisation has in all, at most
	// MaxScale; at or below the demo organisation's (about 300) it adds
	// none. The extra users are active, with ids from 1,000,001, spread
	// over the active departments that have people, each with a manager in
	// their department (the demo's managers, then extra users, ten reports
	// each at most); they are plain users and have no API tokens.
	Users int
	// Goals is the number of goals and key results in all, at most
	// MaxScale; at or below the demo organisation's (about 400) it adds
	// none. Each extra goal is a public objective, ids from 3,000,001, of
	// an active user (extra users first), for a quarter around
	// ReferenceTime, in its owner's department, with up to two key results
	// whose progress tracks the time elapsed. Extra goals have no
	// comments, assessments or alignment.
	Goals int
}

// MaxScale bounds Scale.Users and Scale.Goals, so that a mistyped size
// cannot exhaust memory: a million users hold about 0.5 GiB.
const MaxScale = 1_000_000

// First ids of the extra objects of a Scale, apart from the demo's ranges.
const (
	scaledUserIDs = 1_000_000
	scaledGoalIDs = 3_000_000
)

// ParseScale reads a scale specification: comma-separated key=value
// pairs, keys users and goals, values integers in [0, MaxScale]; an empty
// spec is the zero Scale. Example: "users=100000,goals=20000".
func ParseScale(spec string) (Scale, error) {
	var sc Scale
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return sc, nil
	}
	seen := map[string]bool{}
	for _, pair := range strings.Split(spec, ",") {
		key, value, found := strings.Cut(strings.TrimSpace(pair), "=")
		key = strings.TrimSpace(key)
		n, err := strconv.Atoi(strings.TrimSpace(value))
		switch {
		case !found:
			return Scale{}, fmt.Errorf("scale %q: want key=value", pair)
		case key != "users" && key != "goals":
			return Scale{}, fmt.Errorf("scale %q: unknown key %q (want users or goals)", pair, key)
		case seen[key]:
			return Scale{}, fmt.Errorf("scale %q: %s given twice", pair, key)
		case err != nil || n < 0 || n > MaxScale:
			return Scale{}, fmt.Errorf("scale %q: want an integer in [0, %d]", pair, MaxScale)
		}
		seen[key] = true
		if key == "users" {
			sc.Users = n
		} else {
			sc.Goals = n
		}
	}
	return sc, nil
}

// validate rejects a Scale out of range.
func (sc Scale) validate() error {
	if sc.Users < 0 || sc.Users > MaxScale || sc.Goals < 0 || sc.Goals > MaxScale {
		return errors.New("sandbox: Scale.Users and Scale.Goals must be in [0, MaxScale]")
	}
	return nil
}

// scale adds the extra users and goals of sc. It draws from its own
// random source, after everything else is seeded, so that the demo
// organisation is the same at every scale.
func (sd *seeder) scale(seed int64, sc Scale) {
	sd.r = rand.New(rand.NewPCG(uint64(seed), 0x5ca1e))
	owners := sd.scaleUsers(sc.Users)
	sd.scaleGoals(sc.Goals, owners)
}

// scaleUsers adds users until the organisation has n, and returns the
// active users extra goals go to: the extra users, or the demo's active
// users when there are none.
func (sd *seeder) scaleUsers(n int) []*user {
	st := sd.st
	extra := n - st.users.len()
	if extra <= 0 {
		return sd.active
	}
	var depts []departmentSeed
	for _, ds := range departmentSeeds {
		if ds.size > 0 && ds.active && len(sd.managers[ds.name]) > 0 {
			depts = append(depts, ds)
		}
	}
	// Users of a department share its custom values: bulk upsert copies
	// them before it changes any.
	custom := map[int64]map[string]string{}
	for _, ds := range depts {
		d := sd.deptByName[ds.name]
		custom[d.id] = map[string]string{"custom_01": "CC-" + itoa(100+d.id), "custom_02": "Full-time"}
	}
	inDept := make([][]*user, len(depts))
	out := make([]*user, 0, extra)
	for i := range extra {
		k := i % len(depts)
		ds, d := depts[k], sd.deptByName[depts[k].name]
		// A ten-ary tree below the demo's managers: the department's first
		// ten extra users report to them, the next ten to its first extra
		// user, and so on.
		var manager *user
		if c := len(inDept[k]); c < 10 {
			manager = pick(sd.r, sd.managers[ds.name])
		} else {
			manager = inDept[k][c/10-1]
		}
		id := int64(scaledUserIDs + 1 + i)
		first, last := pick(sd.r, firstNames), pick(sd.r, lastNames)
		created := sd.daysAgo(720, 30)
		u := &user{
			id: id, uuid: sd.uuid(), firstName: first, lastName: last,
			email:      strings.ToLower(strings.ReplaceAll(first+"."+last, " ", "")) + "." + itoa(id) + "@" + orgDomain,
			employeeID: "X" + itoa(id), title: pick(sd.r, ds.ics), phone: "+1 415 555 " + itoa(int64(1000+sd.r.IntN(9000))),
			about: pick(sd.r, abouts), locale: "en", location: pick(sd.r, locations), active: true,
			managerID: manager.id, departmentID: d.id, role: RoleUser, custom: custom[d.id],
			createdOn: created, modifiedOn: sd.instant(created, sd.ref),
		}
		st.addUser(u)
		inDept[k] = append(inDept[k], u)
		out = append(out, u)
	}
	st.next.user = out[len(out)-1].id
	return out
}

// scaleGoals adds public objectives with key results, owned by owners in
// turn, until the organisation has n goals and key results.
func (sd *seeder) scaleGoals(n int, owners []*user) {
	st := sd.st
	extra := n - st.goals.len()
	if extra <= 0 {
		return
	}
	goalsOf := map[int64][]string{}
	unitsOf := map[int64][]string{}
	for _, ds := range departmentSeeds {
		d := sd.deptByName[ds.name]
		goalsOf[d.id], unitsOf[d.id] = ds.goals, ds.keyResultsUnits
	}
	generic := departmentSeeds[0].goals
	sd.goalID = scaledGoalIDs
	for i := 0; extra > 0; i++ {
		owner := owners[i%len(owners)]
		names, units := goalsOf[owner.departmentID], unitsOf[owner.departmentID]
		if len(names) == 0 {
			names = generic
		}
		if len(units) == 0 {
			units = []string{"Percent"}
		}
		g := sd.seedGoal(owner, nil, pick(sd.r, names), sd.quarter(sd.r.IntN(4)-2), "avgofprogress", false)
		extra--
		for range min(extra, 1+sd.r.IntN(2)) {
			kind := pick(sd.r, []string{"binary", "numeric", "range"})
			kr := sd.seedGoal(owner, g, pick(sd.r, binaryKeyResults), [2]time.Time{g.start, g.end}, kind, true)
			sd.seedMeasurement(kr, pick(sd.r, units))
			if kind != "binary" {
				kr.name = fmt.Sprintf("%s %g %s", pick(sd.r, keyResultVerbs), deref(kr.m.target), kr.m.unit)
				kr.description = "Owned by " + owner.name() + ". " + kr.name + " this period."
			}
			extra--
		}
	}
	// Progress flows up, as in goals: key results come after their goal.
	all := st.goals.all()
	for i := len(all) - 1; i >= 0 && all[i].id > scaledGoalIDs; i-- {
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
}
