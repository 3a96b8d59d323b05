package sandbox

// The permission predicates below implement the table in the doc comment
// of Role.

// readsAdminData reports whether u may list departments, admin groups and
// role assignments.
func readsAdminData(u *user) bool { return u.role.privileged() }

// readsAllPeopleRecords reports whether u sees every conversation, feedback
// and feedback request.
func readsAllPeopleRecords(u *user) bool {
	return u.role == RoleSuperAdmin || u.role == RoleHRAdmin
}

// adminScope returns the departments an admin manages, with descendants.
// It is empty for other roles.
func (st *store) adminScope(u *user) map[int64]bool {
	if u.role != RoleAdmin {
		return map[int64]bool{}
	}
	return st.departmentSubtree(u.managedDepts)
}

// managesDepartment reports whether u may change department id.
func (st *store) managesDepartment(u *user, id int64) bool {
	switch u.role {
	case RoleSuperAdmin:
		return true
	case RoleAdmin:
		return st.adminScope(u)[id]
	}
	return false
}

// peopleScope decides which users' conversations and feedback a caller sees
// beyond its own (see (5) above).
type peopleScope struct {
	all     bool
	self    int64
	reports map[int64]bool
	depts   map[int64]bool
}

// peopleScope returns u's scope.
func (st *store) peopleScope(u *user) peopleScope {
	return peopleScope{
		all:     readsAllPeopleRecords(u),
		self:    u.id,
		reports: st.directReports(u.id),
		depts:   st.adminScope(u),
	}
}

// covers reports whether the scope includes the records of user id.
func (ps peopleScope) covers(st *store, id int64) bool {
	if ps.all || id == ps.self || ps.reports[id] {
		return true
	}
	if len(ps.depts) == 0 {
		return false
	}
	subject := st.users.get(id)
	return subject != nil && ps.depts[subject.departmentID]
}

// goalOwners returns the users who own g: its owner and, for a key result,
// the owner of its parent goal.
func (st *store) goalOwners(g *goal) (int64, int64) {
	var parentOwner int64
	if g.isKR && g.parentID != 0 {
		if p := st.goals.get(g.parentID); p != nil {
			parentOwner = p.ownerUser
		}
	}
	return g.ownerUser, parentOwner
}

// canSeeGoal reports whether u sees g (see (2) above).
func (st *store) canSeeGoal(u *user, g *goal) bool {
	if g.visibility == "public" || u.role == RoleSuperAdmin {
		return true
	}
	a, b := st.goalOwners(g)
	return u.id == a || (b != 0 && u.id == b)
}

// canEditGoal reports whether u may change g (see (4) above).
func (st *store) canEditGoal(u *user, g *goal) bool {
	if !st.canSeeGoal(u, g) {
		return false
	}
	if u.role == RoleSuperAdmin {
		return true
	}
	a, b := st.goalOwners(g)
	if u.id == a || (b != 0 && u.id == b) {
		return true
	}
	if owner := st.users.get(g.ownerUser); owner != nil && owner.managerID == u.id {
		return true
	}
	return false
}

// mayOwnGoalOf reports whether u may create or reassign a goal to owner
// (see (3) above).
func mayOwnGoalOf(u, owner *user) bool {
	return u.role == RoleSuperAdmin || u.id == owner.id || owner.managerID == u.id
}

// visibleGoal resolves a goal reference for u: 404 when the goal does not
// exist or u may not see it.
func (st *store) visibleGoal(u *user, raw string) (*goal, *apiError) {
	ref, ok := parseIdent(raw, true)
	if !ok {
		return nil, errNotFound
	}
	g := st.goals.find(ref)
	if g == nil || !st.canSeeGoal(u, g) {
		return nil, errNotFound
	}
	return g, nil
}
