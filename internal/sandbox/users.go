package sandbox

import (
	"slices"
	"strings"
	"time"
)

// user is a person in the organisation. A zero time is null in JSON.
type user struct {
	id            int64
	uuid          string
	firstName     string
	lastName      string
	preferredName string
	email         string
	employeeID    string
	title         string
	phone         string
	about         string
	locale        string
	location      string
	matrixManager string // e-mail of a dotted-line manager, or ""; written, never read back
	onLeave       bool
	active        bool
	deactivatedOn time.Time
	managerID     int64 // 0: none
	departmentID  int64 // 0: none
	goalmaster    bool
	role          Role
	adminSince    time.Time
	managedDepts  []int64
	managedGroups []int64
	custom        map[string]string // custom_01..custom_05
	createdOn     time.Time
	modifiedOn    time.Time
}

// name is "<first name> <last name>", as the reference shows it.
func (u *user) name() string { return u.firstName + " " + u.lastName }

// locales are the locales the reference lists for users.
var locales = []string{
	"cs", "de", "es", "es_AR", "en", "en_GB", "pt_BR", "zh_Hans", "zh_Hant", "pl_PL",
	"fr_FR", "fr_CA", "it", "ja", "nl", "tr", "hi", "hr", "hu", "ko", "ro", "ru", "sk", "sv", "th", "vi",
}

// userRef returns the short form of user id, or nil (null) for 0 or an
// unknown id.
func (st *store) userRef(id int64) *nameRef {
	u := st.users.get(id)
	if u == nil {
		return nil
	}
	return &nameRef{Name: u.name(), ID: u.id, UUID: u.uuid}
}

// userRefs returns the short forms of ids, skipping unknown ones; never nil.
func (st *store) userRefs(ids []int64) []nameRef {
	out := make([]nameRef, 0, len(ids))
	for _, id := range ids {
		if r := st.userRef(id); r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// nameRef is the short form {name, id, uuid} of a user, department, goal,
// category or group inside other objects.
type nameRef struct {
	Name string `json:"name"`
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
}

// userJSON is the user object of the reference ("Get User").
type userJSON struct {
	ID               int64             `json:"id"`
	UUID             string            `json:"uuid"`
	FirstName        string            `json:"first_name"`
	PreferredName    string            `json:"preferred_name"`
	LastName         string            `json:"last_name"`
	Name             string            `json:"name"`
	Email            string            `json:"email"`
	IsActive         bool              `json:"is_active"`
	DeactivatedOn    rfcTime           `json:"deactivated_on"`
	DeactivationDate isoDate           `json:"deactivation_date"`
	Title            string            `json:"title"`
	Manager          *nameRef          `json:"manager"`
	Department       *nameRef          `json:"department"`
	Phone            string            `json:"phone"`
	About            string            `json:"about"`
	Locale           string            `json:"locale"`
	IsGoalmaster     bool              `json:"is_goalmaster"`
	IsSuperAdmin     bool              `json:"is_super_admin"`
	IsAdmin          bool              `json:"is_admin"`
	IsGroupAdmin     bool              `json:"is_group_admin"`
	EmployeeID       string            `json:"employee_id"`
	CreatedOn        rfcTime           `json:"created_on"`
	ModifiedOn       rfcTime           `json:"modified_on"`
	Attributes       userAttributes    `json:"attributes"`
	CustomValues     map[string]string `json:"custom_values"`
}

// userAttributes is the attributes object of a user: location and
// on_leave, the keys of every user example of the reference.
// preferred_name is a field of the user itself, not an attribute (one
// feedback request example of the reference shows it in both places; the
// user endpoints' examples never in attributes). matrix_manager, which
// POST /users/bulk/ takes, is never read back: the reference says it
// "will only appear in admin panel".
type userAttributes struct {
	Location string `json:"location"`
	OnLeave  bool   `json:"on_leave"`
}

// userJSON renders u as the full user object.
func (st *store) userJSON(u *user) userJSON {
	custom := make(map[string]string, len(u.custom))
	for k, v := range u.custom {
		custom[k] = v
	}
	return userJSON{
		ID:               u.id,
		UUID:             u.uuid,
		FirstName:        u.firstName,
		PreferredName:    u.preferredName,
		LastName:         u.lastName,
		Name:             u.name(),
		Email:            u.email,
		IsActive:         u.active,
		DeactivatedOn:    rfcTime(u.deactivatedOn),
		DeactivationDate: isoDate(dayOrZero(u.deactivatedOn)),
		Title:            u.title,
		Manager:          st.userRef(u.managerID),
		Department:       st.departmentRef(u.departmentID),
		Phone:            u.phone,
		About:            u.about,
		Locale:           u.locale,
		IsGoalmaster:     u.goalmaster,
		IsSuperAdmin:     u.role == RoleSuperAdmin,
		IsAdmin:          u.role == RoleAdmin,
		IsGroupAdmin:     u.role == RoleHRAdmin,
		EmployeeID:       u.employeeID,
		CreatedOn:        rfcTime(u.createdOn),
		ModifiedOn:       rfcTime(u.modifiedOn),
		Attributes:       userAttributes{Location: u.location, OnLeave: u.onLeave},
		CustomValues:     custom,
	}
}

// dayOrZero is the calendar date of t, or zero for the zero time.
func dayOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return day(t)
}

// getUser serves GET /users/{identifier}/: an integer id, a UUID or an
// e-mail address. Every role may read every user, active or not.
func (s *Sandbox) getUser(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.findUser(c.id)
	if u == nil {
		return errNotFound.reply()
	}
	return ok(s.st.userJSON(u))
}

// listUsers serves GET /users/ ("List Users"): page size default 10,
// maximum 20; filters department (name, exact), employee_id, manager (id
// or UUID; direct reports), deactivated (0 active only, 1 deactivated
// only; absent both), locale (one of the reference's list, else 400) and
// the delta filters. An unknown department or manager selects nobody.
func (s *Sandbox) listUsers(c *call) reply {
	p, apiErr := parsePage(c.q, limitsUsers)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	deactivated := c.q.Get("deactivated")
	if deactivated != "" && deactivated != "0" && deactivated != "1" {
		return fieldError("deactivated", "Must be 0 (active users) or 1 (deactivated users).").reply()
	}
	locale := c.q.Get("locale")
	if locale != "" && !slices.Contains(locales, locale) {
		return fieldError("locale", `"`+locale+`" is not a valid choice.`).reply()
	}
	var managerRef ident
	if v := c.q.Get("manager"); v != "" {
		ref, ok := parseIdent(v, true)
		if !ok {
			return fieldError("manager", "Enter a valid integer id or UUID.").reply()
		}
		managerRef = ref
	}
	department, employeeID := c.q.Get("department"), c.q.Get("employee_id")

	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	var managerID int64 = -1
	if managerRef != (ident{}) {
		if m := st.users.find(managerRef); m != nil {
			managerID = m.id
		} else {
			managerID = -2 // matches nobody
		}
	}
	var keep func(*user) bool // nil: every user, the page alone is read
	if deactivated != "" || employeeID != "" || locale != "" || managerID != -1 || department != "" || delta.active() {
		keep = func(u *user) bool {
			switch {
			case deactivated == "0" && !u.active, deactivated == "1" && u.active:
				return false
			case employeeID != "" && u.employeeID != employeeID:
				return false
			case locale != "" && u.locale != locale:
				return false
			case managerID != -1 && u.managerID != managerID:
				return false
			case department != "" && st.departmentName(u.departmentID) != department:
				return false
			}
			return delta.contains(u.modifiedOn)
		}
	}
	users, more := pageWhere(st.users.all(), p, keep)
	out := listJSON[userJSON]{Results: make([]userJSON, len(users)), More: more, NextURL: nextURL("/users/", c.q, p, more)}
	for i, u := range users {
		out.Results[i] = st.userJSON(u)
	}
	return ok(out)
}

// searchUserJSON is a user in GET /users/search/, with can_view when the
// request names can_view_goal_id.
type searchUserJSON struct {
	userJSON
	CanView *bool `json:"can_view,omitempty"`
}

// searchUsers serves GET /users/search/: q (required, at least 3
// characters after trimming) matches first, last, preferred and full name
// and e-mail, without regard to case. manager_id keeps that manager and
// its direct reports; deactivated=true searches deactivated users only,
// otherwise active users only; can_view_goal_id adds can_view to each
// user. Page size default 20, maximum 100 (unstated in the reference).
func (s *Sandbox) searchUsers(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	q := strings.ToLower(strings.TrimSpace(c.q.Get("q")))
	switch {
	case !c.q.Has("q"):
		return fieldError("q", msgRequired).reply()
	case len([]rune(q)) < 3:
		return fieldError("q", "Ensure this field has at least 3 characters.").reply()
	}
	deactivated := false
	if v := c.q.Get("deactivated"); v != "" {
		b, okBool := parseBoolWord(v)
		if !okBool {
			return fieldError("deactivated", msgInvalidBool).reply()
		}
		deactivated = b
	}
	var managerRef, goalRef ident
	if v := c.q.Get("manager_id"); v != "" {
		ref, okRef := parseIdent(v, true)
		if !okRef {
			return fieldError("manager_id", "Enter a valid integer id or UUID.").reply()
		}
		managerRef = ref
	}
	if v := c.q.Get("can_view_goal_id"); v != "" {
		ref, okRef := parseIdent(v, false)
		if !okRef {
			return fieldError("can_view_goal_id", msgInvalidInt).reply()
		}
		goalRef = ref
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	me := st.users.get(c.caller)
	var managerID int64 = -1
	if managerRef != (ident{}) {
		managerID = -2
		if m := st.users.find(managerRef); m != nil {
			managerID = m.id
		}
	}
	var g *goal
	if goalRef != (ident{}) {
		g = st.goals.find(goalRef)
		if g == nil || !st.canSeeGoal(me, g) {
			return fieldError("can_view_goal_id", `Invalid pk "`+c.q.Get("can_view_goal_id")+`" - object does not exist.`).reply()
		}
	}
	var matched []*user
	for _, u := range st.users.all() {
		if u.active == deactivated {
			continue
		}
		if managerID != -1 && u.id != managerID && u.managerID != managerID {
			continue
		}
		if !userMatches(u, q) {
			continue
		}
		matched = append(matched, u)
	}
	conv := func(u *user) searchUserJSON {
		out := searchUserJSON{userJSON: st.userJSON(u)}
		if g != nil {
			v := st.canSeeGoal(u, g)
			out.CanView = &v
		}
		return out
	}
	return ok(listPage("/users/search/", c.q, p, matched, conv))
}

// userMatches reports whether lower-case q occurs in u's names or e-mail.
func userMatches(u *user, q string) bool {
	for _, field := range []string{u.firstName, u.lastName, u.preferredName, u.name(), u.email} {
		if strings.Contains(strings.ToLower(field), q) {
			return true
		}
	}
	return false
}

// forbidUnless answers 403 unless allowed.
func forbidUnless(allowed bool) *apiError {
	if allowed {
		return nil
	}
	return errForbidden
}
