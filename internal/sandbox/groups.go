package sandbox

import "time"

// adminGroup is an admin group: a cohort of users (by location, seniority...)
// that super admins define, mostly to schedule conversation cycles. Its
// members are the active users its attributes select plus its additional
// members.
type adminGroup struct {
	id            int64
	uuid          string
	name          string
	active        bool
	templateUsage bool
	lastEdited    time.Time
	lastEditedBy  int64
	attributes    []groupAttribute
	additional    []int64 // user ids
	createdOn     time.Time
	modifiedOn    time.Time
}

// groupAttribute selects users for an admin group. Property "department"
// selects the active members of the listed departments and their
// descendants; property "manager" selects the direct reports of the listed
// users; property "user" selects the listed users. Operation "include"
// adds them, "exclude" removes them after all includes.
type groupAttribute struct {
	operation string // include or exclude
	property  string // department, manager or user
	values    []int64
}

// members returns the ids of g's members.
func (st *store) groupMembers(g *adminGroup) map[int64]bool {
	selected := func(a groupAttribute) map[int64]bool {
		out := map[int64]bool{}
		switch a.property {
		case "department":
			depts := st.departmentSubtree(a.values)
			for _, u := range st.users.all() {
				if u.active && depts[u.departmentID] {
					out[u.id] = true
				}
			}
		case "manager":
			for _, m := range a.values {
				for id := range st.directReports(m) {
					out[id] = true
				}
			}
		default:
			for _, id := range a.values {
				out[id] = true
			}
		}
		return out
	}
	members := map[int64]bool{}
	for _, a := range g.attributes {
		if a.operation == "include" {
			for id := range selected(a) {
				members[id] = true
			}
		}
	}
	for _, a := range g.attributes {
		if a.operation == "exclude" {
			for id := range selected(a) {
				delete(members, id)
			}
		}
	}
	for _, id := range g.additional {
		members[id] = true
	}
	return members
}

// adminGroupJSON is the admin group object of the reference.
type adminGroupJSON struct {
	ID                int64                `json:"id"`
	UUID              string               `json:"uuid"`
	Name              string               `json:"name"`
	IsActive          bool                 `json:"is_active"`
	TemplateUsage     bool                 `json:"template_usage"`
	LastEdited        epochTime            `json:"last_edited"`
	LastEditedBy      *parentRef           `json:"last_edited_by"`
	MemberCount       int                  `json:"member_count"`
	Attributes        []groupAttributeJSON `json:"attributes"`
	AdditionalMembers []parentRef          `json:"additional_members"`
	CreatedOn         rfcTime              `json:"created_on"`
	ModifiedOn        rfcTime              `json:"modified_on"`
}

// groupAttributeJSON is an admin group attribute; value lists the
// departments or users it names.
type groupAttributeJSON struct {
	Operation string      `json:"operation"`
	Property  string      `json:"property"`
	Value     []parentRef `json:"value"`
}

// idRef is the {id, uuid, name} of a user, or nil.
func (st *store) idRef(id int64) *parentRef {
	u := st.users.get(id)
	if u == nil {
		return nil
	}
	return &parentRef{ID: u.id, UUID: u.uuid, Name: u.name()}
}

// adminGroupJSON renders g with its attributes and member count.
func (st *store) adminGroupJSON(g *adminGroup) adminGroupJSON {
	out := adminGroupJSON{
		ID: g.id, UUID: g.uuid, Name: g.name, IsActive: g.active, TemplateUsage: g.templateUsage,
		LastEdited: epochTime(g.lastEdited), LastEditedBy: st.idRef(g.lastEditedBy),
		MemberCount: len(st.groupMembers(g)), Attributes: make([]groupAttributeJSON, 0, len(g.attributes)),
		AdditionalMembers: make([]parentRef, 0, len(g.additional)),
		CreatedOn:         rfcTime(g.createdOn), ModifiedOn: rfcTime(g.modifiedOn),
	}
	for _, a := range g.attributes {
		aj := groupAttributeJSON{Operation: a.operation, Property: a.property, Value: make([]parentRef, 0, len(a.values))}
		for _, id := range a.values {
			if a.property == "department" {
				if d := st.departments.get(id); d != nil {
					aj.Value = append(aj.Value, parentRef{ID: d.id, UUID: d.uuid, Name: d.name})
				}
			} else if r := st.idRef(id); r != nil {
				aj.Value = append(aj.Value, *r)
			}
		}
		out.Attributes = append(out.Attributes, aj)
	}
	for _, id := range g.additional {
		if r := st.idRef(id); r != nil {
			out.AdditionalMembers = append(out.AdditionalMembers, *r)
		}
	}
	return out
}

// getGroup serves GET /groups/{id}/ (id or UUID). Plain users get 403.
func (s *Sandbox) getGroup(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	if err := forbidUnless(readsAdminData(st.users.get(c.caller))); err != nil {
		return err.reply()
	}
	ref, okID := parseIdent(c.id, true)
	if !okID {
		return errNotFound.reply()
	}
	g := st.groups.find(ref)
	if g == nil {
		return errNotFound.reply()
	}
	return ok(st.adminGroupJSON(g))
}

// listGroups serves GET /groups/: page size default 20, maximum 100; delta
// filters. Plain users get 403. The envelope carries num_pages and page,
// as the reference's example does.
func (s *Sandbox) listGroups(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	if err := forbidUnless(readsAdminData(st.users.get(c.caller))); err != nil {
		return err.reply()
	}
	var matched []*adminGroup
	for _, g := range st.groups.all() {
		if delta.contains(g.modifiedOn) {
			matched = append(matched, g)
		}
	}
	items, more, numPages := pageOf(matched, p)
	out := numberedListJSON[adminGroupJSON]{
		More: more, NextURL: nextURL("/groups/", c.q, p, more), NumPages: numPages, Page: p.page,
		Results: make([]adminGroupJSON, len(items)),
	}
	for i, g := range items {
		out.Results[i] = st.adminGroupJSON(g)
	}
	return ok(out)
}
