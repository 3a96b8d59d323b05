package sandbox

// Role is a Betterworks user's administrative role, which decides what the
// user's API tokens may see and do. The zero value is RoleUser.
//
// An API token carries the permissions of the user it belongs to
// (reference, "Permissions"; help page on API keys). The reference names
// the four roles but not what each may do, so the sandbox takes this table
// as its reading, with the help page's example (a plain user listing
// departments is refused) and the reference's notes (private goals, report
// kinds):
//
//	operation                                   superadmin  groupadmin (HR)  admin          none (user)
//	GET  /users/, /users/{identifier}/, search  yes         yes              yes            yes
//	POST /users/bulk/                           yes         yes              403            403
//	GET  /users/roles/                          yes         yes              yes            403
//	PUT  /users/roles/                          yes         403              403            403
//	GET  /departments/                          yes         yes              yes            403
//	POST /departments/, PUT, (de|re)activate    yes         403              in scope (1)   403
//	POST /departments/bulk/                     yes         403              403            403
//	GET  /groups/, /groups/{id}/                yes         yes              yes            403
//	GET  /teams/, /teams/{id}/                  yes         yes              yes            yes
//	read goals, comments, assessments (2)       all         visible          visible        visible
//	POST /goals/ (3)                            any owner   self, reports    self, reports  self, reports
//	PUT, DELETE /goals/{id}/, check-in (4)      any goal    editable         editable       editable
//	GET  /goals/categories/search/              yes         yes              yes            yes
//	conversation and feedback templates         yes         yes              yes            yes
//	conversations, feedback, requests (5)       all         all              own + scope    own
//	GET  /recognitions/, /hashtags/             yes         yes              yes            yes
//	GET  /report_runs/, /report_runs/{id}/      all runs    all runs         own runs       403
//	POST /report_runs/ (6)                      yes         yes              yes            403
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
type Role int

const (
	// RoleUser is a plain user without administrative privileges ("none").
	RoleUser Role = iota
	// RoleHRAdmin is an HR Admin ("groupadmin" in PUT /users/roles/, whose
	// reference text says the role "gives HR Admin access"). It reads all
	// people data, conversations and feedback, but changes neither
	// departments nor roles.
	RoleHRAdmin
	// RoleAdmin is an Admin ("admin"), a department or group admin: it reads
	// people data and manages the departments it administers (its
	// managed_departments and their descendants).
	RoleAdmin
	// RoleSuperAdmin is a Super Admin ("superadmin"), which sees and does
	// everything.
	RoleSuperAdmin
)

// String returns the reference's name of the role: "none", "groupadmin",
// "admin" or "superadmin".
func (r Role) String() string {
	switch r {
	case RoleHRAdmin:
		return "groupadmin"
	case RoleAdmin:
		return "admin"
	case RoleSuperAdmin:
		return "superadmin"
	}
	return "none"
}

// parseRole reads a role name of PUT /users/roles/.
func parseRole(s string) (Role, bool) {
	for _, r := range []Role{RoleUser, RoleHRAdmin, RoleAdmin, RoleSuperAdmin} {
		if r.String() == s {
			return r, true
		}
	}
	return RoleUser, false
}

// privileged reports whether r is any administrative role.
func (r Role) privileged() bool { return r != RoleUser }
