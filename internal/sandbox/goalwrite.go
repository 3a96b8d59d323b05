package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Goal writes. POST /goals/ and PUT /goals/{id}/ take dates as MM/DD/YYYY
// (an ISO date answers 400), attribute_scope and attribute_type by name
// (business, personal, developmental; committed, aspirational; goal
// objects show them as ids 1-3 and 1-2), and owners as {"user_id": id or
// UUID}. Validation answers 400 with one message list per field; key
// result problems nest under key_results, one map per entry:
// {"key_results": [{}, {"target": ["This field is required."]}]}.
// A write is all or nothing.

const (
	goalDateLayout = "1/2/2006" // accepts 08/01/2022 and 8/1/2022
	goalDateHint   = "MM/DD/YYYY"
)

var (
	goalKinds   = []string{"avgofprogress", "sumofcurrent", "sumofrange", "manualprogress"}
	krKinds     = []string{"binary", "numeric", "range"}
	limitFields = [4]string{"lower_limit", "lower_mid", "upper_limit", "upper_mid"}
)

// goalFields are the fields a goal or key result payload carried; nil and
// false mean absent.
type goalFields struct {
	owner         *user
	name          *string
	description   *string
	parentSet     bool
	parent        *goal // nil with parentSet: unalign
	start, end    *time.Time
	categoriesSet bool
	categories    []int64
	visibility    *string
	source        *string
	kind          *string
	unit          *string
	target        *float64
	initial       *float64
	limits        [4]*float64
	autoTarget    *bool
	attrScope     *int
	attrType      *int
}

// parseGoalFields reads the fields of a goal (kr false) or key result (kr
// true) payload, recording messages on p.
func (st *store) parseGoalFields(p *payload, me *user, kr bool) goalFields {
	var f goalFields
	if owner, present := p.object("owner"); present {
		if ref, okRef := owner.ref("user_id"); okRef {
			u := st.users.find(ref)
			if u == nil || !u.active {
				owner.fail("user_id", "Invalid pk - object does not exist.")
			}
			f.owner = u
		} else if !owner.failedOn("user_id") {
			owner.fail("user_id", msgRequired)
		}
		p.nestObject("owner", owner)
	}
	if v, present := p.str("name"); present {
		if strings.TrimSpace(v) == "" {
			p.fail("name", msgBlank)
		}
		f.name = &v
	}
	if v, present := p.str("description"); present {
		f.description = &v
	}
	if !kr {
		if p.isNull("parent") {
			f.parentSet = true
		} else if ref, okRef := p.ref("parent"); okRef {
			parent := st.goals.find(ref)
			switch {
			case parent == nil || !st.canSeeGoal(me, parent):
				p.fail("parent", "Invalid pk - object does not exist.")
			case parent.isKR:
				p.fail("parent", "A goal cannot be aligned to a key result.")
			default:
				f.parentSet, f.parent = true, parent
			}
		}
		if raws, present := p.list("categories"); present {
			f.categoriesSet = true
			for _, raw := range raws {
				ref, okRef := parseRefJSON(raw)
				cat := st.categories.find(ref)
				if !okRef || cat == nil {
					p.fail("categories", "Invalid pk - object does not exist.")
					break
				}
				if !slices.Contains(f.categories, cat.id) {
					f.categories = append(f.categories, cat.id)
				}
			}
		}
		if v, present := p.choice("visibility", false, "public", "private"); present {
			f.visibility = &v
		}
		if v, present := p.choice("creation_source", false, "manual", "converted", "default"); present {
			f.source = &v
		}
	}
	for _, d := range []struct {
		field string
		dst   **time.Time
	}{{"start", &f.start}, {"end", &f.end}} {
		if t, present := p.date(d.field, goalDateLayout, goalDateHint); present {
			*d.dst = &t
		}
	}
	kinds := goalKinds
	if kr {
		kinds = krKinds
	}
	if v, present := p.choice("type", false, kinds...); present {
		f.kind = &v
	}
	if v, present := p.str("unit"); present {
		f.unit = &v
	}
	if v, present := p.number("target"); present {
		f.target = &v
	}
	if v, present := p.number("initial"); present {
		f.initial = &v
	}
	for i, field := range limitFields {
		if v, present := p.number(field); present {
			f.limits[i] = &v
		}
	}
	if v, present := p.boolean("auto_target"); present {
		f.autoTarget = &v
	}
	if v, present := p.choice("attribute_scope", false, "business", "personal", "developmental"); present {
		id := attrScopes[v]
		f.attrScope = &id
	}
	if v, present := p.choice("attribute_type", false, "committed", "aspirational"); present {
		id := attrTypes[v]
		f.attrType = &id
	}
	return f
}

// require records "required" for each absent field of a create, by the
// reference's tables: for goals owner, name, start, end, visibility,
// creation_source and type, unit unless avgofprogress, the four limits for
// sumofrange; for key results owner (unless ownerDefault), name, type and
// target, unit for numeric and range, the limits for range.
func (f *goalFields) require(p *payload, kr, ownerDefault bool) {
	need := func(field string, present bool) {
		if !present && !p.failedOn(field) {
			p.fail(field, msgRequired)
		}
	}
	need("owner", f.owner != nil || ownerDefault)
	need("name", f.name != nil)
	need("type", f.kind != nil)
	kind := ""
	if f.kind != nil {
		kind = *f.kind
	}
	if kr {
		need("target", f.target != nil)
		need("unit", f.unit != nil || (kind != "numeric" && kind != "range"))
		if kind == "range" {
			for i, field := range limitFields {
				need(field, f.limits[i] != nil)
			}
		}
		return
	}
	need("start", f.start != nil)
	need("end", f.end != nil)
	need("visibility", f.visibility != nil)
	need("creation_source", f.source != nil)
	need("unit", f.unit != nil || kind == "avgofprogress" || kind == "")
	if kind == "sumofrange" {
		for i, field := range limitFields {
			need(field, f.limits[i] != nil)
		}
	}
}

// checkDates records a message when the resulting end precedes the start.
func (f *goalFields) checkDates(p *payload, start, end time.Time) {
	if f.start != nil {
		start = *f.start
	}
	if f.end != nil {
		end = *f.end
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) && !p.failedOn("end") {
		p.fail("end", "End date must be on or after the start date.")
	}
}

// apply writes f into g. A new kind resets the measurement's values to
// that kind's defaults before f's numbers apply.
func (f *goalFields) apply(g *goal) {
	if f.owner != nil {
		g.ownerUser = f.owner.id
	}
	if f.name != nil {
		g.name = *f.name
	}
	if f.description != nil {
		g.description = *f.description
	}
	if f.start != nil {
		g.start = *f.start
	}
	if f.end != nil {
		g.end = *f.end
	}
	if f.categoriesSet {
		g.categories = f.categories
	}
	if f.visibility != nil {
		g.visibility = *f.visibility
	}
	if f.source != nil {
		g.source = *f.source
	}
	if f.autoTarget != nil {
		g.autoTarget = *f.autoTarget
	}
	if f.attrScope != nil {
		g.attrScope = *f.attrScope
	}
	if f.attrType != nil {
		g.attrType = *f.attrType
	}
	m := &g.m
	if f.kind != nil && *f.kind != m.kind {
		m.kind = *f.kind
		resetMeasurement(m)
	}
	switch m.kind {
	case "binary", "avgofprogress":
		return
	}
	if f.unit != nil {
		m.unit = *f.unit
	}
	if f.initial != nil {
		m.initial = floatPtr(*f.initial)
	}
	if f.target != nil {
		m.target = floatPtr(*f.target)
	}
	limits := [4]**float64{&m.lowerLimit, &m.lowerMid, &m.upperLimit, &m.upperMid}
	for i, v := range f.limits {
		if v != nil {
			*limits[i] = floatPtr(*v)
		}
	}
	if m.current == nil {
		m.current = floatPtr(deref(m.initial))
	}
}

// resetMeasurement gives m the default values of its kind.
func resetMeasurement(m *measurement) {
	m.lowerLimit, m.lowerMid, m.upperLimit, m.upperMid = nil, nil, nil, nil
	m.done = false
	switch m.kind {
	case "binary":
		m.initial, m.target, m.current, m.unit = floatPtr(0), floatPtr(1), floatPtr(0), ""
	case "avgofprogress":
		m.initial, m.target, m.current, m.unit = nil, nil, nil, ""
	default:
		m.initial, m.target, m.current = floatPtr(0), floatPtr(100), floatPtr(0)
	}
}

// deref returns *f, or 0 for nil.
func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// newGoal creates a goal or key result from f, owned by owner (f.owner
// wins), aligned to parent (nil: none), stamped by me at now.
func (st *store) newGoal(f *goalFields, kr bool, owner *user, parent *goal, me *user, now time.Time) *goal {
	st.next.goal++
	g := &goal{
		id: st.next.goal, uuid: st.uuid(), isKR: kr, ownerUser: owner.id, visibility: "public", source: "manual",
		created: now, createdBy: me.id, updated: now, updatedBy: me.id, createdOn: now, modifiedOn: now,
		categories: []int64{},
	}
	g.m.kind = "avgofprogress"
	if kr {
		g.m.kind = "binary"
	}
	if f.kind != nil {
		g.m.kind = *f.kind
	}
	resetMeasurement(&g.m)
	g.m.updated, g.m.updatedBy = now, me.id
	if parent != nil {
		g.parentID = parent.id
		g.start, g.end, g.visibility = parent.start, parent.end, parent.visibility
	}
	f.apply(g)
	if !kr {
		if o := st.users.get(g.ownerUser); o != nil {
			g.ownerGroup = o.departmentID
		}
	}
	st.goals.add(g.id, g.uuid, g)
	if parent != nil {
		addChild(parent, g.id)
	}
	return g
}

// addChild inserts id into p's children, keeping them in id order.
func addChild(p *goal, id int64) {
	i, found := slices.BinarySearch(p.children, id)
	if !found {
		p.children = slices.Insert(p.children, i, id)
	}
}

// removeChild drops id from p's children.
func removeChild(p *goal, id int64) {
	if i, found := slices.BinarySearch(p.children, id); found {
		p.children = slices.Delete(p.children, i, i+1)
	}
}

// descendants returns the ids of every goal below g.
func (st *store) descendants(g *goal) map[int64]bool {
	out := map[int64]bool{}
	queue := append([]int64(nil), g.children...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if out[id] {
			continue
		}
		out[id] = true
		if c := st.goals.get(id); c != nil {
			queue = append(queue, c.children...)
		}
	}
	return out
}

// createGoal serves POST /goals/. It answers 201 with the created goal
// (the reference's example shows a department by mistake). Required fields
// follow the reference's table; the organisation settings "Require Goal
// Categories/Scope/Type" are off in the sandbox. Key results take their
// goal's dates unless they give their own.
func (s *Sandbox) createGoal(c *call) reply {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return apiErr.reply()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	f := st.parseGoalFields(body, me, false)
	f.require(body, false, false)
	f.checkDates(body, time.Time{}, time.Time{})
	var krFields []goalFields
	if raws, present := body.list("key_results"); present {
		items := make([]*payload, len(raws))
		for i, raw := range raws {
			item, okItem := subPayload(raw)
			items[i] = item
			if !okItem {
				item.fail("non_field_errors", "Invalid data. Expected a dictionary, but got "+jsonKind(raw)+".")
				krFields = append(krFields, goalFields{})
				continue
			}
			kf := st.parseGoalFields(item, me, true)
			kf.require(item, true, false)
			start, end := time.Time{}, time.Time{}
			if f.start != nil && f.end != nil {
				start, end = *f.start, *f.end
			}
			kf.checkDates(item, start, end)
			krFields = append(krFields, kf)
		}
		body.nest("key_results", items)
	}
	if err := body.err(); err != nil {
		return err.reply()
	}
	if !mayOwnGoalOf(me, f.owner) {
		return errForbidden.reply()
	}
	for _, kf := range krFields {
		if kf.owner != nil && !mayOwnGoalOf(me, kf.owner) && kf.owner.id != f.owner.id {
			return errForbidden.reply()
		}
	}
	now := s.now()
	g := st.newGoal(&f, false, f.owner, nil, me, now)
	if f.parent != nil {
		g.parentID = f.parent.id
		addChild(f.parent, g.id)
	}
	for i := range krFields {
		kr := st.newGoal(&krFields[i], true, f.owner, g, me, now)
		st.recompute(kr, now)
	}
	st.recomputeUp(g, now, me.id)
	return jsonReply(http.StatusCreated, st.goalJSON(g, me))
}

// krOp is one entry of key_results in PUT /goals/{id}/.
type krOp struct {
	create, delete bool
	target         *goal
	f              goalFields
}

// updateGoal serves PUT /goals/{id}/ on a goal or a key result. Fields are
// optional; parent null unaligns the goal; key_results entries with
// "create": true add a key result (owner defaults to the goal's), with
// "delete": true remove the key result id, and otherwise update key result
// id, which must belong to this goal. A goal cannot be aligned to itself or
// below itself. Changing visibility carries over to the key results.
func (s *Sandbox) updateGoal(c *call) reply {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return apiErr.reply()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	g, apiErr := st.visibleGoal(me, c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	if !st.canEditGoal(me, g) {
		return errForbidden.reply()
	}
	f := st.parseGoalFields(body, me, g.isKR)
	f.checkDates(body, g.start, g.end)
	if f.parentSet && f.parent != nil && (f.parent.id == g.id || st.descendants(g)[f.parent.id]) {
		body.fail("parent", "A goal cannot be aligned to itself or to a goal below it.")
	}
	ops := st.parseKROps(body, g, me)
	if err := body.err(); err != nil {
		return err.reply()
	}
	if f.owner != nil && f.owner.id != g.ownerUser && !mayOwnGoalOf(me, f.owner) {
		return errForbidden.reply()
	}
	for _, op := range ops {
		if op.f.owner != nil && op.f.owner.id != g.ownerUser && !mayOwnGoalOf(me, op.f.owner) {
			return errForbidden.reply()
		}
	}

	now := s.now()
	oldParent := st.goals.get(g.parentID)
	f.apply(g)
	if f.parentSet {
		newParentID := int64(0)
		if f.parent != nil {
			newParentID = f.parent.id
		}
		if newParentID != g.parentID {
			if oldParent != nil {
				removeChild(oldParent, g.id)
			}
			g.parentID = newParentID
			if f.parent != nil {
				addChild(f.parent, g.id)
			}
		}
	}
	for _, op := range ops {
		switch {
		case op.create:
			kr := st.newGoal(&op.f, true, g.owner(st), g, me, now)
			st.recompute(kr, now)
		case op.delete:
			st.removeGoal(op.target, now)
		default:
			op.f.apply(op.target)
			op.target.updated, op.target.updatedBy, op.target.modifiedOn = now, me.id, now
			st.recompute(op.target, now)
		}
	}
	for _, id := range g.children {
		if kr := st.goals.get(id); kr != nil && kr.isKR && kr.visibility != g.visibility {
			kr.visibility, kr.modifiedOn = g.visibility, now
		}
	}
	g.updated, g.updatedBy, g.modifiedOn = now, me.id, now
	if f.kind != nil || f.target != nil || f.initial != nil {
		g.m.updated, g.m.updatedBy = now, me.id
	}
	st.recomputeUp(g, now, me.id)
	if oldParent != nil && oldParent.id != g.parentID {
		st.recomputeUp(oldParent, now, me.id)
	}
	return ok(st.goalJSON(g, me))
}

// owner returns g's owner.
func (g *goal) owner(st *store) *user { return st.users.get(g.ownerUser) }

// parseKROps reads key_results of a goal update, recording messages on body.
func (st *store) parseKROps(body *payload, g *goal, me *user) []krOp {
	raws, present := body.list("key_results")
	if !present {
		return nil
	}
	if g.isKR {
		body.fail("key_results", "A key result cannot have key results.")
		return nil
	}
	ops := make([]krOp, len(raws))
	items := make([]*payload, len(raws))
	for i, raw := range raws {
		item, okItem := subPayload(raw)
		items[i] = item
		if !okItem {
			item.fail("non_field_errors", "Invalid data. Expected a dictionary, but got "+jsonKind(raw)+".")
			continue
		}
		op := &ops[i]
		op.create, _ = item.boolean("create")
		op.delete, _ = item.boolean("delete")
		if op.create && op.delete {
			item.fail("non_field_errors", "A key result entry cannot both create and delete.")
		}
		if !op.create {
			op.target = st.ownKeyResult(item, g)
		}
		op.f = st.parseGoalFields(item, me, true)
		if op.create {
			op.f.require(item, true, true)
		}
		start, end := g.start, g.end
		if op.target != nil {
			start, end = op.target.start, op.target.end
		}
		op.f.checkDates(item, start, end)
	}
	body.nest("key_results", items)
	return ops
}

// ownKeyResult resolves the id of a key result entry, which must name a
// key result of g.
func (st *store) ownKeyResult(item *payload, g *goal) *goal {
	raw, present := item.raw("id")
	if !present {
		item.fail("id", msgRequired)
		return nil
	}
	ref, okRef := parseRefJSON(json.RawMessage(raw))
	kr := st.goals.find(ref)
	if !okRef || kr == nil || !kr.isKR || kr.parentID != g.id {
		item.fail("id", "Key result "+string(raw)+" does not belong to this goal.")
		return nil
	}
	return kr
}

// removeGoal deletes g with its key results; goals aligned to g become
// unaligned.
func (st *store) removeGoal(g *goal, at time.Time) {
	for _, id := range slices.Clone(g.children) {
		c := st.goals.get(id)
		switch {
		case c == nil:
		case c.isKR:
			st.removeGoal(c, at)
		default:
			c.parentID, c.modifiedOn = 0, at
		}
	}
	if p := st.goals.get(g.parentID); p != nil {
		removeChild(p, g.id)
	}
	st.goals.remove(g.id, g.uuid)
	delete(st.commentsByGoal, g.id)
	delete(st.assessByGoal, g.id)
}

// deleteGoal serves DELETE /goals/{id}/: 204 without a body. Deleting a
// goal deletes its key results and unaligns the goals aligned to it; the
// parent's progress is recomputed.
func (s *Sandbox) deleteGoal(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	g, apiErr := st.visibleGoal(me, c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	if !st.canEditGoal(me, g) {
		return errForbidden.reply()
	}
	now := s.now()
	parent := st.goals.get(g.parentID)
	st.removeGoal(g, now)
	if parent != nil {
		parent.updated, parent.updatedBy, parent.modifiedOn = now, me.id, now
		st.recomputeUp(parent, now, me.id)
	}
	return reply{status: http.StatusNoContent}
}
