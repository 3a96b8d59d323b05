package sandbox

// Role is a Betterworks user's administrative role, which decides what the
// user's API tokens may see and do (see the permission table in
// permission.go). The zero value is RoleUser.
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
