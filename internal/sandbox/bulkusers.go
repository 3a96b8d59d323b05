package sandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// bwNull is the value that clears a user field in POST /users/bulk/.
const bwNull = "BW_NULL"

// bulkUnclearable are the fields of a bulk user row that BW_NULL may not
// clear: a user always keeps an e-mail, a name, flags and a locale.
var bulkUnclearable = []string{"email", "first_name", "last_name", "locale", "is_active", "on_leave"}

// bulkUsersJSON is the answer of POST /users/bulk/. created_count is the
// sandbox's addition: the reference's example has no count of new users.
type bulkUsersJSON struct {
	DeactivatedCount int             `json:"deactivated_count"`
	ReactivatedCount int             `json:"reactivated_count"`
	UpdatedCount     int             `json:"updated_count"`
	CreatedCount     int             `json:"created_count"`
	DryRun           bool            `json:"dry_run"`
	Errors           []bulkErrorJSON `json:"errors"`
}

// bulkErrorJSON reports the problems of one row of a bulk request.
type bulkErrorJSON struct {
	ErrorDetails []bulkErrorDetail `json:"error_details"`
	Index        int               `json:"index"`
	Processed    bool              `json:"processed"`
}

// bulkErrorDetail is one problem of a row.
type bulkErrorDetail struct {
	Description string `json:"description"`
}

// bulkUsers serves POST /users/bulk/ (super admins and HR admins). Each row
// of users finds its user by employee_id, else by e-mail, and updates it,
// or creates a user. Rows are processed in order and independently: a bad
// row is reported in errors (index, processed false, one description per
// problem) and the others still apply; later rows see earlier ones (a
// manager created by row 0 can manage row 1). With dry_run true nothing
// changes, but the counts and errors are those the request would give.
//
// Rules: email, first_name and last_name are required; the e-mail's domain
// must be the organisation's; department_name names an existing
// department; manager_id is the manager's employee id and manager_email its
// e-mail (both must exist and agree, and may not make a loop);
// matrix_manager is an existing user's e-mail; locale is one of the
// reference's list; is_active false deactivates, true reactivates.
// BW_NULL clears employee_id, department_name, title, manager_id,
// manager_email, phone, location, preferred_name, matrix_manager and
// custom_01..custom_05; on any other field it is an error.
func (s *Sandbox) bulkUsers(c *call) reply {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return apiErr.reply()
	}
	dryRun, _ := body.boolean("dry_run")
	rows, present := body.list("users")
	if !present && !body.failedOn("users") {
		body.fail("users", msgRequired)
	}
	if err := body.err(); err != nil {
		return err.reply()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	if me.role != RoleSuperAdmin && me.role != RoleHRAdmin {
		return errForbidden.reply()
	}
	w := &bulkWork{st: st, changed: map[int64]*user{}, newByEmail: map[string]*user{}, newByEmp: map[string]*user{}, nextID: st.next.user}
	out := bulkUsersJSON{DryRun: dryRun, Errors: []bulkErrorJSON{}}
	now := s.now()
	for i, raw := range rows {
		item, okItem := subPayload(raw)
		var problems []string
		var result bulkResult
		if !okItem {
			problems = []string{"Expected an object, got " + jsonKind(raw) + "."}
		} else {
			result, problems = w.upsert(item, now)
		}
		if len(problems) > 0 {
			e := bulkErrorJSON{Index: i, ErrorDetails: make([]bulkErrorDetail, len(problems))}
			for j, p := range problems {
				e.ErrorDetails[j].Description = p
			}
			out.Errors = append(out.Errors, e)
			continue
		}
		out.CreatedCount += result.created
		out.UpdatedCount += result.updated
		out.DeactivatedCount += result.deactivated
		out.ReactivatedCount += result.reactivated
	}
	if !dryRun {
		w.commit()
	}
	return ok(out)
}

// bulkResult counts what one row did.
type bulkResult struct {
	created, updated, deactivated, reactivated int
}

// bulkWork is a copy-on-write view of the users for one bulk request, so
// that a dry run can compute everything and then drop it.
type bulkWork struct {
	st         *store
	changed    map[int64]*user // copies of existing users the request changed
	created    []*user
	newByEmail map[string]*user
	newByEmp   map[string]*user
	nextID     int64
}

// get returns user id as the request sees it.
func (w *bulkWork) get(id int64) *user {
	if u := w.changed[id]; u != nil {
		return u
	}
	for _, u := range w.created {
		if u.id == id {
			return u
		}
	}
	return w.st.users.get(id)
}

// byEmail finds a user by e-mail, as the request sees the users.
func (w *bulkWork) byEmail(email string) *user {
	key := strings.ToLower(strings.TrimSpace(email))
	if u := w.newByEmail[key]; u != nil {
		return u
	}
	u := w.st.usersByEmail[key]
	if u == nil {
		return nil
	}
	u = w.get(u.id)
	if strings.ToLower(u.email) != key {
		return nil
	}
	return u
}

// byEmployeeID finds a user by employee id, as the request sees the users.
func (w *bulkWork) byEmployeeID(emp string) *user {
	if u := w.newByEmp[emp]; u != nil {
		return u
	}
	u := w.st.usersByEmpID[emp]
	if u == nil {
		return nil
	}
	u = w.get(u.id)
	if u.employeeID != emp {
		return nil
	}
	return u
}

// upsert applies one row to the view and reports its problems, if any;
// a row with problems changes nothing.
func (w *bulkWork) upsert(item *payload, now time.Time) (bulkResult, []string) {
	r := &bulkRow{w: w, item: item}
	r.refuseUnclearable()
	target := r.identify()
	next := &user{active: true, locale: "en", custom: map[string]string{}}
	if target != nil {
		copied := *target
		copied.custom = maps.Clone(target.custom)
		if copied.custom == nil {
			copied.custom = map[string]string{}
		}
		next = &copied
	}
	next.email, next.firstName, next.lastName = r.email, r.first, r.last
	if r.hasEmp {
		next.employeeID = unlessNull(r.empID)
	}
	r.applyProfile(next)
	r.applyManagers(next)
	wantActive, hasActive := item.boolean("is_active")
	if item.failedOn("is_active") {
		r.problem("is_active: %s", msgInvalidBool)
	}
	if len(r.problems) > 0 {
		return bulkResult{}, r.problems
	}
	return w.record(target, next, hasActive, wantActive, now)
}

// bulkRow is one row of POST /users/bulk/ while it is checked.
type bulkRow struct {
	w        *bulkWork
	item     *payload
	problems []string

	// Set by identify.
	email, first, last, empID string
	hasEmp                    bool
}

func (r *bulkRow) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// str returns field f trimmed, and whether the row has it; a value of
// the wrong type is a problem.
func (r *bulkRow) str(f string) (string, bool) {
	v, present := r.item.str(f)
	if r.item.failedOn(f) {
		r.problem("%s: %s", f, msgInvalidStr)
	}
	return strings.TrimSpace(v), present
}

// refuseUnclearable drops BW_NULL from fields that cannot be cleared.
func (r *bulkRow) refuseUnclearable() {
	for _, f := range bulkUnclearable {
		var v string
		if raw, present := r.item.raw(f); present && json.Unmarshal(raw, &v) == nil && v == bwNull {
			r.problem("%s cannot be cleared with BW_NULL.", f)
			delete(r.item.fields, f)
		}
	}
}

// identify checks the row's identity fields and finds the user it
// updates: by employee id first, else by e-mail; nil for a new user.
func (r *bulkRow) identify() *user {
	w := r.w
	r.email, _ = r.str("email")
	r.first, _ = r.str("first_name")
	r.last, _ = r.str("last_name")
	for _, f := range []struct{ name, value string }{{"email", r.email}, {"first_name", r.first}, {"last_name", r.last}} {
		if f.value == "" {
			r.problem("%s is required.", f.name)
		}
	}
	if r.email != "" && r.email != bwNull {
		at := strings.LastIndex(r.email, "@")
		switch {
		case at <= 0 || at == len(r.email)-1:
			r.problem("%s is not a valid e-mail address", r.email)
		case !strings.EqualFold(r.email[at+1:], w.st.domain):
			r.problem("%s is an invalid domain", r.email[at+1:])
		}
	}
	r.empID, r.hasEmp = r.str("employee_id")
	knownEmp := r.hasEmp && r.empID != "" && r.empID != bwNull

	var target *user
	if knownEmp {
		target = w.byEmployeeID(r.empID)
	}
	if target == nil && r.email != "" {
		target = w.byEmail(r.email)
	}
	if target != nil && r.email != "" {
		if other := w.byEmail(r.email); other != nil && other.id != target.id {
			r.problem("%s is already used by another user", r.email)
		}
	}
	if target != nil && knownEmp {
		if other := w.byEmployeeID(r.empID); other != nil && other.id != target.id {
			r.problem("employee_id %s is already used by another user", r.empID)
		}
	}
	if target == nil && r.hasEmp && r.empID != bwNull {
		if other := w.byEmployeeID(r.empID); other != nil {
			r.problem("employee_id %s is already used by another user", r.empID)
		}
	}
	return target
}

// applyProfile sets the department, the plain profile fields, the locale,
// on_leave and the custom fields the row carries.
func (r *bulkRow) applyProfile(next *user) {
	if v, present := r.str("department_name"); present {
		switch d := r.w.st.departmentByName(v); {
		case v == bwNull:
			next.departmentID = 0
		case d == nil || !d.active:
			r.problem("Department %q does not exist.", v)
		default:
			next.departmentID = d.id
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"title", &next.title}, {"phone", &next.phone}, {"location", &next.location}, {"preferred_name", &next.preferredName}} {
		if v, present := r.str(f.name); present {
			*f.dst = unlessNull(v)
		}
	}
	if v, present := r.str("locale"); present && v != bwNull {
		if !slices.Contains(locales, v) {
			r.problem("locale %q is not one of the available options", v)
		}
		next.locale = v
	}
	if v, present := r.item.boolean("on_leave"); present {
		next.onLeave = v
	} else if r.item.failedOn("on_leave") {
		r.problem("on_leave: %s", msgInvalidBool)
	}
	for i := 1; i <= 5; i++ {
		f := fmt.Sprintf("custom_%02d", i)
		if v, present := r.str(f); present {
			if v == bwNull {
				delete(next.custom, f)
			} else {
				next.custom[f] = v
			}
		}
	}
}

// applyManagers sets the manager (by employee id or e-mail, which must
// agree) and the matrix manager.
func (r *bulkRow) applyManagers(next *user) {
	w := r.w
	var managerByID, managerByEmail *user
	mgrID, hasMgrID := r.str("manager_id")
	mgrEmail, hasMgrEmail := r.str("manager_email")
	if hasMgrID && mgrID != bwNull {
		if managerByID = w.byEmployeeID(mgrID); managerByID == nil {
			r.problem("manager_id %s does not match an existing employee_id", mgrID)
		}
	}
	if hasMgrEmail && mgrEmail != bwNull {
		if managerByEmail = w.byEmail(mgrEmail); managerByEmail == nil {
			r.problem("manager_email %s does not match an existing user", mgrEmail)
		}
	}
	switch {
	case managerByID != nil && managerByEmail != nil && managerByID.id != managerByEmail.id:
		r.problem("manager_id and manager_email name different users")
	case managerByID != nil:
		next.managerID = managerByID.id
	case managerByEmail != nil:
		next.managerID = managerByEmail.id
	case (hasMgrID && mgrID == bwNull) || (hasMgrEmail && mgrEmail == bwNull):
		next.managerID = 0
	}
	if v, present := r.str("matrix_manager"); present {
		switch {
		case v == bwNull:
			next.matrixManager = ""
		case w.byEmail(v) == nil:
			r.problem("matrix_manager %s does not match an existing user", v)
		default:
			next.matrixManager = v
		}
	}
}

// record adds a checked row to the view: next replaces target, or is
// created when target is nil.
func (w *bulkWork) record(target, next *user, hasActive, wantActive bool, now time.Time) (bulkResult, []string) {
	var result bulkResult
	if target == nil {
		w.nextID++
		next.id = w.nextID
		next.createdOn = now
	}
	if next.managerID != 0 && w.managesSelf(next.id, next.managerID) {
		if target == nil {
			w.nextID--
		}
		return bulkResult{}, []string{"The manager would report to this user, making a loop."}
	}
	switch {
	case hasActive && !wantActive && next.active:
		next.active, next.deactivatedOn = false, now
		result.deactivated = 1
	case hasActive && wantActive && !next.active:
		next.active, next.deactivatedOn = true, time.Time{}
		result.reactivated = 1
	}
	if target == nil {
		if hasActive && !wantActive {
			next.active, next.deactivatedOn = false, now
		}
		next.modifiedOn = now
		result = bulkResult{created: 1}
		w.created = append(w.created, next)
		w.newByEmail[strings.ToLower(next.email)] = next
		if next.employeeID != "" {
			w.newByEmp[next.employeeID] = next
		}
		return result, nil
	}
	if !sameUser(target, next) {
		next.modifiedOn = now
		if !sameUserIgnoringActive(target, next) {
			result.updated = 1
		}
		w.changed[next.id] = next
	}
	return result, nil
}

// managesSelf reports whether making managerID the manager of id would
// close a loop in the manager tree.
func (w *bulkWork) managesSelf(id, managerID int64) bool {
	for m, steps := managerID, 0; m != 0 && steps < 10000; steps++ {
		if m == id {
			return true
		}
		u := w.get(m)
		if u == nil {
			return false
		}
		m = u.managerID
	}
	return false
}

// commit writes the view into the store.
func (w *bulkWork) commit() {
	st := w.st
	for id, next := range w.changed {
		orig := st.users.get(id)
		delete(st.usersByEmail, strings.ToLower(orig.email))
		if orig.employeeID != "" {
			delete(st.usersByEmpID, orig.employeeID)
		}
		*orig = *next
		st.usersByEmail[strings.ToLower(orig.email)] = orig
		if orig.employeeID != "" {
			st.usersByEmpID[orig.employeeID] = orig
		}
	}
	for _, u := range w.created {
		u.uuid = st.uuid()
		st.addUser(u)
	}
	st.next.user = w.nextID
}

// unlessNull turns BW_NULL into "".
func unlessNull(v string) string {
	if v == bwNull {
		return ""
	}
	return v
}

// sameUser reports whether a and b hold the same data the bulk request sets.
func sameUser(a, b *user) bool {
	return sameUserIgnoringActive(a, b) && a.active == b.active
}

// sameUserIgnoringActive is sameUser without the active flag, which
// deactivated_count and reactivated_count report instead of updated_count.
func sameUserIgnoringActive(a, b *user) bool {
	return a.email == b.email && a.firstName == b.firstName && a.lastName == b.lastName &&
		a.employeeID == b.employeeID && a.departmentID == b.departmentID && a.title == b.title &&
		a.phone == b.phone && a.location == b.location && a.preferredName == b.preferredName &&
		a.managerID == b.managerID && a.matrixManager == b.matrixManager && a.locale == b.locale &&
		a.onLeave == b.onLeave && maps.Equal(a.custom, b.custom)
}
