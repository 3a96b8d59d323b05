package sandbox

import (
	"net/http"
	"time"
)

// department is a node of the organisation's department tree. Goals call a
// department a "group" (owner.group, group filter, for_group).
type department struct {
	id         int64
	uuid       string
	name       string // unique, case-sensitive: POST /departments/bulk/ looks departments up by name
	parentID   int64  // 0: top level
	active     bool
	createdOn  time.Time
	modifiedOn time.Time
}

// parentRef is {id, uuid, name}, the parent of a department.
type parentRef struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// departmentJSON is the department object of the reference.
type departmentJSON struct {
	ID         int64      `json:"id"`
	UUID       string     `json:"uuid"`
	IsActive   bool       `json:"is_active"`
	Name       string     `json:"name"`
	Parent     *parentRef `json:"parent"`
	CreatedOn  rfcTime    `json:"created_on"`
	ModifiedOn rfcTime    `json:"modified_on"`
}

// departmentJSON renders d with its parent.
func (st *store) departmentJSON(d *department) departmentJSON {
	out := departmentJSON{
		ID:         d.id,
		UUID:       d.uuid,
		IsActive:   d.active,
		Name:       d.name,
		CreatedOn:  rfcTime(d.createdOn),
		ModifiedOn: rfcTime(d.modifiedOn),
	}
	if p := st.departments.get(d.parentID); p != nil {
		out.Parent = &parentRef{ID: p.id, UUID: p.uuid, Name: p.name}
	}
	return out
}

// departmentRef is the {name, id, uuid} of department id, or nil.
func (st *store) departmentRef(id int64) *nameRef {
	d := st.departments.get(id)
	if d == nil {
		return nil
	}
	return &nameRef{Name: d.name, ID: d.id, UUID: d.uuid}
}

// departmentName is the name of department id, or "".
func (st *store) departmentName(id int64) string {
	if d := st.departments.get(id); d != nil {
		return d.name
	}
	return ""
}

// departmentByName finds a department by its exact name.
func (st *store) departmentByName(name string) *department {
	for _, d := range st.departments.all() {
		if d.name == name {
			return d
		}
	}
	return nil
}

// pictureURIs are a group's or team's avatar links.
type pictureURIs struct {
	Small  string `json:"small"`
	Medium string `json:"medium"`
}

// pictures returns the avatar links of a group or team (kind "groups" or
// "teams"); they point at a reserved .test host and serve nothing.
func pictures(kind string, id int64) pictureURIs {
	base := "https://static.sandbox.betterworks.test/avatars/" + kind + "/" + itoa(id)
	return pictureURIs{Small: base + "/small.png", Medium: base + "/medium.png"}
}

// groupJSON is a department seen as a goal owner's group or a recognition's
// for_group.
type groupJSON struct {
	ID          int64       `json:"id"`
	UUID        string      `json:"uuid"`
	Name        string      `json:"name"`
	ParentID    *int64      `json:"parent_id"`
	PictureURIs pictureURIs `json:"picture_uris"`
	IsActive    bool        `json:"is_active"`
	IsTeam      bool        `json:"is_team"`
}

// groupJSON returns department id as a group, or nil.
func (st *store) groupJSON(id int64) *groupJSON {
	d := st.departments.get(id)
	if d == nil {
		return nil
	}
	out := &groupJSON{ID: d.id, UUID: d.uuid, Name: d.name, PictureURIs: pictures("groups", d.id), IsActive: d.active}
	if d.parentID != 0 {
		parent := d.parentID
		out.ParentID = &parent
	}
	return out
}

// listDepartments serves GET /departments/: page size default 20, maximum
// 100; include_deactivated (boolean, default false). Plain users get 403.
func (s *Sandbox) listDepartments(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	includeDeactivated := false
	if v := c.q.Get("include_deactivated"); v != "" {
		b, okBool := parseBoolWord(v)
		if !okBool {
			return fieldError("include_deactivated", msgInvalidBool).reply()
		}
		includeDeactivated = b
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	if err := forbidUnless(readsAdminData(st.users.get(c.caller))); err != nil {
		return err.reply()
	}
	var matched []*department
	for _, d := range st.departments.all() {
		if d.active || includeDeactivated {
			matched = append(matched, d)
		}
	}
	items, more, numPages := pageOf(matched, p)
	out := numberedListJSON[departmentJSON]{
		More: more, NextURL: nextURL("/departments/", c.q, p, more), NumPages: numPages, Page: p.page,
		Results: make([]departmentJSON, len(items)),
	}
	for i, d := range items {
		out.Results[i] = st.departmentJSON(d)
	}
	return ok(out)
}

// createDepartment serves POST /departments/: name (required, unique) and
// parent_id (optional, an existing department). It answers 201 with the
// department. Super admins create anywhere; admins only below a department
// they manage.
func (s *Sandbox) createDepartment(c *call) reply {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return apiErr.reply()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	if me.role != RoleSuperAdmin && me.role != RoleAdmin {
		return errForbidden.reply()
	}
	name := body.requiredStr("name")
	parentID, hasParent := body.integer("parent_id")
	if hasParent && st.departments.get(parentID) == nil {
		body.fail("parent_id", `Invalid pk "`+itoa(parentID)+`" - object does not exist.`)
	}
	if name != "" && st.departmentByName(name) != nil {
		body.fail("name", "department with this name already exists.")
	}
	if err := body.err(); err != nil {
		return err.reply()
	}
	if !st.managesDepartment(me, parentID) {
		return errForbidden.reply()
	}
	now := s.now()
	st.next.department++
	d := &department{id: st.next.department, uuid: st.uuid(), name: name, parentID: parentID, active: true, createdOn: now, modifiedOn: now}
	st.departments.add(d.id, d.uuid, d)
	return jsonReply(http.StatusCreated, st.departmentJSON(d))
}

// writableDepartment resolves the department of a write for the caller:
// 403 for roles that may not change departments, 404 for an unknown one,
// 403 for an admin outside its scope.
func (st *store) writableDepartment(me *user, raw string) (*department, *apiError) {
	if me.role != RoleSuperAdmin && me.role != RoleAdmin {
		return nil, errForbidden
	}
	ref, ok := parseIdent(raw, true)
	if !ok {
		return nil, errNotFound
	}
	d := st.departments.find(ref)
	if d == nil {
		return nil, errNotFound
	}
	if !st.managesDepartment(me, d.id) {
		return nil, errForbidden
	}
	return d, nil
}

// updateDepartment serves PUT /departments/{id}/: name (required) and
// parent_id (optional; absent keeps the parent, null makes the department
// top level). A parent that is the department itself or one of its
// descendants answers 400. An admin may move a department only below
// another department it manages.
func (s *Sandbox) updateDepartment(c *call) reply {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return apiErr.reply()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	d, apiErr := st.writableDepartment(me, c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	name := body.requiredStr("name")
	parentID := d.parentID
	if body.has("parent_id") {
		parentID = 0
		if id, okID := body.integer("parent_id"); okID {
			parentID = id
			switch {
			case st.departments.get(id) == nil:
				body.fail("parent_id", `Invalid pk "`+itoa(id)+`" - object does not exist.`)
			case st.departmentSubtree([]int64{d.id})[id]:
				body.fail("parent_id", "A department cannot be its own ancestor.")
			}
		}
	}
	if other := st.departmentByName(name); name != "" && other != nil && other.id != d.id {
		body.fail("name", "department with this name already exists.")
	}
	if err := body.err(); err != nil {
		return err.reply()
	}
	if parentID != d.parentID && !st.managesDepartment(me, parentID) {
		return errForbidden.reply()
	}
	d.name, d.parentID, d.modifiedOn = name, parentID, s.now()
	return ok(st.departmentJSON(d))
}

// deactivateDepartment serves POST /departments/{id}/deactivate/. As the
// reference says, a department must be empty to be deactivated: one with
// active members or active sub-departments answers 400 {"error": ...}.
// Deactivating an inactive department answers it unchanged.
func (s *Sandbox) deactivateDepartment(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	d, apiErr := st.writableDepartment(st.users.get(c.caller), c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	if !d.active {
		return ok(st.departmentJSON(d))
	}
	for _, u := range st.users.all() {
		if u.active && u.departmentID == d.id {
			return businessError("Departments must be empty to be deactivated: " + d.name + " has active members.").reply()
		}
	}
	for _, child := range st.departments.all() {
		if child.active && child.parentID == d.id {
			return businessError("Departments must be empty to be deactivated: " + d.name + " has active sub-departments.").reply()
		}
	}
	d.active, d.modifiedOn = false, s.now()
	return ok(st.departmentJSON(d))
}

// reactivateDepartment serves POST /departments/{id}/reactivate/.
// Reactivating an active department answers it unchanged.
func (s *Sandbox) reactivateDepartment(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	d, apiErr := st.writableDepartment(st.users.get(c.caller), c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	if !d.active {
		d.active, d.modifiedOn = true, s.now()
	}
	return ok(st.departmentJSON(d))
}

// bulkDepartments serves POST /departments/bulk/ (super admins only):
// departments is a list of {name, parent}; name (required, case-sensitive)
// finds the department or creates it; parent (optional) names an existing
// department or one created earlier or later in the same request. An
// absent or empty parent keeps an existing department's parent and makes a
// new one top level. The request is all or nothing: any bad row, a name
// twice, or a parent chain that loops answers 400 with one error map per
// row, {"departments": [{}, {"parent": [...]}]}. It answers
// {"created": n, "updated": m}, where updated counts departments whose
// parent changed.
func (s *Sandbox) bulkDepartments(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	bulk, apiErr := st.bulkRequest(c, "departments")
	if apiErr != nil {
		return apiErr.reply()
	}
	type row struct{ name, parent string }
	rows := make([]row, len(bulk.rows))
	inRequest := map[string]bool{}
	for i, item := range bulk.rows {
		if !bulk.objects[i] {
			continue
		}
		rows[i].name = item.requiredStr("name")
		rows[i].parent, _ = item.str("parent")
		if inRequest[rows[i].name] {
			item.fail("name", "Department named twice in this request.")
		}
		inRequest[rows[i].name] = true
	}
	for i, r := range rows {
		if r.parent != "" && !inRequest[r.parent] && st.departmentByName(r.parent) == nil {
			bulk.rows[i].fail("parent", `Department "`+r.parent+`" does not exist.`)
		}
		if r.parent != "" && r.parent == r.name {
			bulk.rows[i].fail("parent", "A department cannot be its own parent.")
		}
	}
	if err := bulk.err(); err != nil {
		return err.reply()
	}

	// Resolve the resulting parent of every named department and refuse loops.
	parentOf := map[string]string{}
	for _, d := range st.departments.all() {
		parentOf[d.name] = st.departmentName(d.parentID)
	}
	for _, r := range rows {
		if _, exists := parentOf[r.name]; !exists || r.parent != "" {
			parentOf[r.name] = r.parent
		}
	}
	for i, r := range rows {
		seen := map[string]bool{r.name: true}
		for p := parentOf[r.name]; p != ""; p = parentOf[p] {
			if seen[p] {
				bulk.rows[i].fail("parent", "This parent would make the department its own ancestor.")
				break
			}
			seen[p] = true
		}
	}
	if err := bulk.err(); err != nil {
		return err.reply()
	}

	now := s.now()
	var updated int
	created := map[string]bool{}
	for _, r := range rows {
		if st.departmentByName(r.name) == nil {
			st.next.department++
			d := &department{id: st.next.department, uuid: st.uuid(), name: r.name, active: true, createdOn: now, modifiedOn: now}
			st.departments.add(d.id, d.uuid, d)
			created[r.name] = true
		}
	}
	for _, r := range rows {
		d := st.departmentByName(r.name)
		parent := st.departmentByName(parentOf[r.name])
		var parentID int64
		if parent != nil {
			parentID = parent.id
		}
		if d.parentID != parentID {
			if !created[r.name] {
				updated++
			}
			d.parentID, d.modifiedOn = parentID, now
		}
	}
	return ok(map[string]int{"created": len(created), "updated": updated})
}
