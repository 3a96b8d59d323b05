package sandbox

// Permissions. An API token carries the permissions of the user it belongs
// to (reference, "Permissions"; help page on API keys). The reference names
// the four roles but not what each may do, so the sandbox takes this table,
// the help page's example (a plain user listing departments is refused) and
// the reference's notes (private goals, report kinds) as its reading.
//
//	operation                                      superadmin  groupadmin (HR)  admin            none (user)
//	GET  /users/, /users/{identifier}/, search     yes         yes              yes              yes
//	POST /users/bulk/                              yes         yes              403              403
//	GET  /users/roles/                             yes         yes              yes              403
//	PUT  /users/roles/                             yes         403              403              403
//	GET  /departments/                             yes         yes              yes              403
//	POST /departments/, PUT, deactivate, reactivate yes        403              in scope (1)     403
//	POST /departments/bulk/                        yes         403              403              403
//	GET  /groups/, /groups/{id}/                   yes         yes              yes              403
//	GET  /teams/, /teams/{id}/                     yes         yes              yes              yes
//	read goals, comments, assessments (2)          all         visible          visible          visible
//	POST /goals/ (3)                               any owner   self, reports    self, reports    self, reports
//	PUT, DELETE /goals/{id}/, check-in (4)         any goal    editable         editable         editable
//	GET  /goals/categories/search/                 yes         yes              yes              yes
//	conversation and feedback templates            yes         yes              yes              yes
//	conversations, feedback, feedback requests (5) all         all              own + scope      own
//	GET  /recognitions/, /hashtags/                yes         yes              yes              yes
//	GET  /report_runs/, /report_runs/{id}/         all runs    all runs         own runs         403
//	POST /report_runs/ (6)                         yes         yes              yes              403
//
//	(1) An admin's scope is its managed_departments and their descendants. It
//	    may update, deactivate and reactivate those, and create departments
//	    whose parent is one of them.
//	(2) A public goal is visible to everyone. A private goal is visible only
//	    to its owner (for a key result, also the parent goal's owner) and to
//	    super admins; to anyone else it does not exist (404), as the real API
//	    hides existence. A goal's parent and children lists leave out what the
//	    caller cannot see.
//	(3) A caller may create goals it owns, and goals for its direct reports;
//	    a super admin for anyone. Any other owner answers 403.
//	(4) A goal is editable by a super admin, by its owner (for a key result,
//	    also the parent goal's owner) and by the owner's manager, when the
//	    goal is visible to them. A visible goal that is not editable answers
//	    403; an invisible one 404.
//	(5) "Own" is what the caller takes part in (employee, manager or
//	    contributor of a conversation; receiver or author of feedback when its
//	    viewing flags allow; any party to a feedback request) plus the same for
//	    its direct reports. An admin also sees those of users in its scope. A
//	    caller who asks for the feedback of a user it may not see gets 403.
//	(6) The conversation_answers and feedback_answers reports are for super
//	    admins and HR admins only (reference note); an admin gets 403.

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
