package sandbox

import (
	"encoding/json"
	"strings"
	"time"
)

// roleJSON is one user with an administrative role, in GET and PUT
// /users/roles/.
type roleJSON struct {
	ID                 int64     `json:"id"`
	UUID               string    `json:"uuid"`
	Role               string    `json:"role"`
	AdminSince         epochTime `json:"admin_since"`
	ManagedDepartments []nameRef `json:"managed_departments"`
	ManagedAdminGroups []nameRef `json:"managed_admin_groups"`
	Name               string    `json:"name"`
}

// roleJSON renders u's role and scope.
func (st *store) roleJSON(u *user) roleJSON {
	out := roleJSON{
		ID: u.id, UUID: u.uuid, Role: u.role.String(), AdminSince: epochTime(u.adminSince), Name: u.name(),
		ManagedDepartments: make([]nameRef, 0, len(u.managedDepts)),
		ManagedAdminGroups: make([]nameRef, 0, len(u.managedGroups)),
	}
	for _, id := range u.managedDepts {
		if r := st.departmentRef(id); r != nil {
			out.ManagedDepartments = append(out.ManagedDepartments, *r)
		}
	}
	for _, id := range u.managedGroups {
		if g := st.groups.get(id); g != nil {
			out.ManagedAdminGroups = append(out.ManagedAdminGroups, nameRef{Name: g.name, ID: g.id, UUID: g.uuid})
		}
	}
	return out
}

// rolesJSON is the body of GET and PUT /users/roles/: results only, without
// pagination, as the reference's examples show.
type rolesJSON struct {
	Results []roleJSON `json:"results"`
}

// listRoles serves GET /users/roles/: every active user with the admin,
// superadmin or groupadmin role, in id order. Plain users get 403.
func (s *Sandbox) listRoles(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	if err := forbidUnless(readsAdminData(st.users.get(c.caller))); err != nil {
		return err.reply()
	}
	out := rolesJSON{Results: []roleJSON{}}
	for _, u := range st.users.all() {
		if u.active && u.role.privileged() {
			out.Results = append(out.Results, st.roleJSON(u))
		}
	}
	return ok(out)
}

// assignRoles serves PUT /users/roles/ (super admins only). Each
// assignment names its user by exactly one of user_id, email or
// employee_id, and a role: none, groupadmin, admin or superadmin.
// groupadmin needs a non-empty departments or admin_groups list; the
// lists, when given, become the user's managed departments and admin
// groups (for admin too, whose scope they are). The request is all or
// nothing: any bad assignment answers 400 {"roles": [{}, {field: [...]}]}.
// The answer lists the assigned users, except those whose role became none.
// A user gaining a role gets admin_since now; one keeping a role keeps it.
func (s *Sandbox) assignRoles(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	bulk, apiErr := st.bulkRequest(c, "roles")
	if apiErr != nil {
		return apiErr.reply()
	}
	type assignment struct {
		u                   *user
		role                Role
		depts, groups       []int64
		hasDepts, hasGroups bool
	}
	plan := make([]assignment, len(bulk.rows))
	for i, item := range bulk.rows {
		if !bulk.objects[i] {
			continue
		}
		plan[i].u = st.roleAssignee(item)
		if name, okRole := item.choice("role", true, "none", "groupadmin", "admin", "superadmin"); okRole {
			plan[i].role, _ = parseRole(name)
		}
		plan[i].depts, plan[i].hasDepts = idList(item, "departments", func(id int64) bool { return st.departments.get(id) != nil })
		plan[i].groups, plan[i].hasGroups = idList(item, "admin_groups", func(id int64) bool { return st.groups.get(id) != nil })
		if plan[i].role == RoleHRAdmin && len(plan[i].depts) == 0 && len(plan[i].groups) == 0 &&
			!item.failedOn("departments") && !item.failedOn("admin_groups") {
			item.fail("non_field_errors", "The groupadmin role needs departments or admin_groups.")
		}
	}
	if err := bulk.err(); err != nil {
		return err.reply()
	}
	now := s.now()
	last := map[int64]int{}
	for i, a := range plan {
		u := a.u
		if !u.role.privileged() && a.role.privileged() {
			u.adminSince = now
		}
		u.role = a.role
		if a.role == RoleUser {
			u.adminSince, u.managedDepts, u.managedGroups = time.Time{}, nil, nil
		} else {
			if a.hasDepts {
				u.managedDepts = a.depts
			}
			if a.hasGroups {
				u.managedGroups = a.groups
			}
		}
		u.modifiedOn = now
		last[u.id] = i
	}
	// One entry per user, at its last assignment, leaving out users whose
	// role became none.
	out := rolesJSON{Results: []roleJSON{}}
	for i, a := range plan {
		if last[a.u.id] == i && a.u.role.privileged() {
			out.Results = append(out.Results, st.roleJSON(a.u))
		}
	}
	return ok(out)
}

// roleAssignee resolves the one identifier of a role assignment, recording
// a message on item when there is none, more than one, or no such active user.
func (st *store) roleAssignee(item *payload) *user {
	var given []string
	for _, f := range []string{"user_id", "email", "employee_id"} {
		if item.has(f) && !item.isNull(f) {
			given = append(given, f)
		}
	}
	if len(given) != 1 {
		item.fail("non_field_errors", "Each role assignment needs exactly one identifier: user_id, email or employee_id.")
		return nil
	}
	var u *user
	switch given[0] {
	case "user_id":
		if id, okID := item.integer("user_id"); okID {
			u = st.users.get(id)
		}
	case "email":
		if email, okStr := item.str("email"); okStr {
			u = st.usersByEmail[strings.ToLower(strings.TrimSpace(email))]
		}
	case "employee_id":
		if emp, okStr := item.str("employee_id"); okStr {
			u = st.usersByEmpID[emp]
		}
	}
	switch {
	case item.failedOn(given[0]):
	case u == nil:
		item.fail(given[0], "User not found.")
	case !u.active:
		item.fail(given[0], "User is deactivated.")
	}
	return u
}

// idList reads a list of integer ids, each of which exists says must hold.
func idList(item *payload, field string, exists func(int64) bool) ([]int64, bool) {
	raws, present := item.list(field)
	if !present {
		return nil, false
	}
	out := make([]int64, 0, len(raws))
	for _, raw := range raws {
		id, okID := parseInteger(json.RawMessage(raw))
		if !okID {
			item.fail(field, msgInvalidInt)
			return nil, false
		}
		if !exists(id) {
			item.fail(field, `Invalid pk "`+itoa(id)+`" - object does not exist.`)
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}
