package sandbox

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// store is the demo organisation in memory. Sandbox.mu guards it: handlers
// that read hold the read lock while they build and encode their answer,
// handlers that write hold the write lock.
type store struct {
	// rng draws UUIDs and other values for objects created at run time,
	// so that a replayed sequence of writes gives the same answers.
	rng *rand.Rand
	// domain is the organisation's e-mail domain, the only one POST
	// /users/bulk/ accepts.
	domain string

	users          table[user]
	usersByEmail   map[string]*user // lower-case e-mail
	usersByEmpID   map[string]*user
	departments    table[department]
	teams          table[team]
	groups         table[adminGroup]
	goals          table[goal]
	categories     table[category]
	comments       table[comment]
	commentsByGoal map[int64][]*comment // in id order
	assessments    table[assessment]
	assessByGoal   map[int64][]*assessment // in id order

	convTemplates table[convTemplate]
	deployments   table[deployment]
	conversations table[conversation]
	convByDeploy  map[int64][]*conversation // in id order

	fbTemplates  table[fbTemplate]
	fbCycles     table[fbCycle]
	feedback     table[feedback]
	fbRequests   table[fbRequest]
	hashtags     table[hashtag]
	recognitions table[recognition]
	reportRuns   table[reportRun]

	// next holds the next id of each kind of object created at run time.
	next struct {
		user, department, goal, reportRun int64
	}
}

// newStore returns an empty store whose run-time values come from rng.
func newStore(rng *rand.Rand) *store {
	return &store{
		rng:            rng,
		users:          newTable[user](),
		usersByEmail:   map[string]*user{},
		usersByEmpID:   map[string]*user{},
		departments:    newTable[department](),
		teams:          newTable[team](),
		groups:         newTable[adminGroup](),
		goals:          newTable[goal](),
		categories:     newTable[category](),
		comments:       newTable[comment](),
		commentsByGoal: map[int64][]*comment{},
		assessments:    newTable[assessment](),
		assessByGoal:   map[int64][]*assessment{},
		convTemplates:  newTable[convTemplate](),
		deployments:    newTable[deployment](),
		conversations:  newTable[conversation](),
		convByDeploy:   map[int64][]*conversation{},
		fbTemplates:    newTable[fbTemplate](),
		fbCycles:       newTable[fbCycle](),
		feedback:       newTable[feedback](),
		fbRequests:     newTable[fbRequest](),
		hashtags:       newTable[hashtag](),
		recognitions:   newTable[recognition](),
		reportRuns:     newTable[reportRun](),
	}
}

// uuid draws a UUID for an object created at run time.
func (st *store) uuid() string { return newUUID(st.rng) }

// addUser indexes u by id, UUID, e-mail and employee id.
func (st *store) addUser(u *user) {
	st.users.add(u.id, u.uuid, u)
	st.usersByEmail[strings.ToLower(u.email)] = u
	if u.employeeID != "" {
		st.usersByEmpID[u.employeeID] = u
	}
}

// findUser resolves a user identifier of the API: an integer id, a UUID or
// an e-mail address.
func (st *store) findUser(s string) *user {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return st.usersByEmail[strings.ToLower(s)]
	}
	ref, ok := parseIdent(s, true)
	if !ok {
		return nil
	}
	return st.users.find(ref)
}

// directReports returns the ids of the users whose manager is id.
func (st *store) directReports(id int64) map[int64]bool {
	out := map[int64]bool{}
	for _, u := range st.users.all() {
		if u.managerID == id {
			out[u.id] = true
		}
	}
	return out
}

// allReports returns the ids of everyone below id in the manager tree.
func (st *store) allReports(id int64) map[int64]bool {
	children := map[int64][]int64{}
	for _, u := range st.users.all() {
		if u.managerID != 0 {
			children[u.managerID] = append(children[u.managerID], u.id)
		}
	}
	out := map[int64]bool{}
	queue := append([]int64(nil), children[id]...)
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		if out[next] || next == id {
			continue
		}
		out[next] = true
		queue = append(queue, children[next]...)
	}
	return out
}

// departmentSubtree returns the ids of the departments ids and all their
// descendants.
func (st *store) departmentSubtree(ids []int64) map[int64]bool {
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	for changed := true; changed; {
		changed = false
		for _, d := range st.departments.all() {
			if !out[d.id] && d.parentID != 0 && out[d.parentID] {
				out[d.id] = true
				changed = true
			}
		}
	}
	return out
}

// sortedIDs returns the keys of set in ascending order.
func sortedIDs(set map[int64]bool) []int64 {
	out := make([]int64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
