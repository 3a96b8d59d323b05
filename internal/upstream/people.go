package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// BWNull is the value that clears a user field in a bulk upsert. Only set
// it in a UserUpsert field on purpose: it is a command, not data.
const BWNull = "BW_NULL"

// Roles a RoleAssignment can name (the reference's "Role" table).
const (
	// UserRoleNone removes every admin privilege.
	UserRoleNone = "none"
	// UserRoleGroupAdmin is HR Admin over departments and/or admin groups.
	UserRoleGroupAdmin = "groupadmin"
	// UserRoleAdmin is Admin of the organisation.
	UserRoleAdmin = "admin"
	// UserRoleSuperAdmin is Super Admin of the organisation.
	UserRoleSuperAdmin = "superadmin"
)

// User is a Betterworks user, as Get User, List Users and Search Users
// return it.
type User struct {
	ID            int64  `json:"id"`
	UUID          string `json:"uuid"`
	FirstName     string `json:"first_name"`
	PreferredName string `json:"preferred_name"`
	LastName      string `json:"last_name"`
	// Name is the display name, "<First Name> <Last Name>".
	Name     string `json:"name"`
	Email    string `json:"email"`
	IsActive bool   `json:"is_active"`
	// DeactivatedOn is when the user was deactivated; zero for null.
	DeactivatedOn Time `json:"deactivated_on"`
	// DeactivationDate is the day the user is (or was) to be deactivated,
	// as the upstream sends it (normally YYYY-MM-DD); empty for null.
	DeactivationDate string `json:"deactivation_date"`
	Title            string `json:"title"`
	// Manager is nil when the upstream sends null.
	Manager *UserRef `json:"manager"`
	// Department is nil when the upstream sends null.
	Department *DepartmentRef `json:"department"`
	Phone      string         `json:"phone"`
	About      string         `json:"about"`
	// Locale is one of the reference's locale codes, such as "en" or
	// "zh_Hans".
	Locale       string `json:"locale"`
	IsGoalmaster bool   `json:"is_goalmaster"`
	IsSuperAdmin bool   `json:"is_super_admin"`
	IsAdmin      bool   `json:"is_admin"`
	// IsGroupAdmin reports the HR Admin role ("groupadmin").
	IsGroupAdmin bool   `json:"is_group_admin"`
	EmployeeID   string `json:"employee_id"`
	CreatedOn    Time   `json:"created_on"`
	ModifiedOn   Time   `json:"modified_on"`
	// Attributes is the free-form object of built-in attributes, such as
	// {"location": "...", "on_leave": false}; nil when absent.
	Attributes json.RawMessage `json:"attributes"`
	// CustomValues holds the organisation's custom properties.
	CustomValues CustomValues `json:"custom_values"`
	// CanView is set only by Search Users with can_view_goal_id: whether
	// the user may view that goal.
	CanView *bool `json:"can_view,omitempty"`
}

// CustomValues is a user's custom properties, keyed by property name. The
// upstream documents text values; a number or boolean is kept as its JSON
// text and a null as "", so every key survives and no value fails a body.
type CustomValues map[string]string

// UnmarshalJSON implements json.Unmarshaler, as UnmarshalJSONFrom.
func (v *CustomValues) UnmarshalJSON(b []byte) error {
	return decodeJSON(b, v)
}

// UnmarshalJSONFrom implements encoding/json/v2's UnmarshalerFrom: the
// values are read in the same pass as the user, not decoded again.
func (v *CustomValues) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch kind := dec.PeekKind(); kind {
	case 'n':
		*v = nil
		_, err := dec.ReadToken()
		return err
	case '{':
	default:
		if _, err := dec.ReadValue(); err != nil {
			return err
		}
		return fmt.Errorf("custom values: got a JSON %v, want an object", kind)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	out := make(CustomValues)
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		key := name.String()
		switch dec.PeekKind() {
		case 'n', '"':
			tok, err := dec.ReadToken()
			if err != nil {
				return err
			}
			var s string // "" for null
			if tok.Kind() == '"' {
				s = tok.String()
			}
			out[key] = s
		default:
			raw, err := dec.ReadValue()
			if err != nil {
				return err
			}
			out[key] = string(raw) // a number, boolean, array or object as sent
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	*v = out
	return nil
}

// UserFilter selects users in List Users. A zero field is not sent.
type UserFilter struct {
	// Department is a department's exact name.
	Department string
	// EmployeeID is an employee id.
	EmployeeID string
	// Manager is the manager's Betterworks id or UUID.
	Manager string
	// Deactivated true sends deactivated=1 (deactivated users only), false
	// sends 0 (active users only); nil sends nothing.
	Deactivated *bool
	// DeltaStart keeps users modified at or after it (delta_start).
	DeltaStart time.Time
	// DeltaEnd keeps users modified at or before it (delta_end).
	DeltaEnd time.Time
	// Locale is a locale code, such as "en_GB".
	Locale string
}

func (f UserFilter) encode(q url.Values) {
	setNonEmpty(q, "department", f.Department)
	setNonEmpty(q, "employee_id", f.EmployeeID)
	setNonEmpty(q, "manager", f.Manager)
	if f.Deactivated != nil {
		if *f.Deactivated {
			q.Set("deactivated", "1")
		} else {
			q.Set("deactivated", "0")
		}
	}
	setDelta(q, f.DeltaStart, f.DeltaEnd)
	setNonEmpty(q, "locale", f.Locale)
}

// UserSearch is a Search Users query. A zero field is not sent.
type UserSearch struct {
	// Q is the text to match against first name, last name and e-mail; the
	// upstream needs at least 3 characters.
	Q string
	// ManagerID keeps users who report to this manager (id or UUID), and
	// the manager.
	ManagerID string
	// CanViewGoalID adds can_view to each user: whether they may view this
	// goal.
	CanViewGoalID int64
	// Deactivated true searches deactivated users only; false sends
	// deactivated=false; nil sends nothing.
	Deactivated *bool
}

func (s UserSearch) encode(q url.Values) {
	q.Set("q", s.Q)
	setNonEmpty(q, "manager_id", s.ManagerID)
	setID(q, "can_view_goal_id", s.CanViewGoalID)
	setBool(q, "deactivated", s.Deactivated)
}

// UserBulkRequest is the payload of Update Users (POST /users/bulk/).
type UserBulkRequest struct {
	// DryRun checks the rows and changes nothing.
	DryRun bool         `json:"dry_run"`
	Users  []UserUpsert `json:"users"`
}

// UserUpsert is one row of Update Users (the reference's "User"). Email,
// FirstName and LastName are required; a nil optional field is not sent and
// leaves the user's value unchanged; BWNull in a string field clears it.
type UserUpsert struct {
	// Email's domain must be one Betterworks approved for the organisation.
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// EmployeeID is strongly recommended: it allows an e-mail to be reused
	// and prevents reactivating old accounts.
	EmployeeID     *string `json:"employee_id,omitempty"`
	DepartmentName *string `json:"department_name,omitempty"`
	Title          *string `json:"title,omitempty"`
	// ManagerID is the employee id (not the Betterworks id) of the
	// manager; it must match an existing user's employee_id.
	ManagerID *string `json:"manager_id,omitempty"`
	// ManagerEmail is the manager's e-mail; it must match an existing user.
	ManagerEmail *string `json:"manager_email,omitempty"`
	// IsActive activates (true) or deactivates (false) the user.
	IsActive      *bool   `json:"is_active,omitempty"`
	Phone         *string `json:"phone,omitempty"`
	Location      *string `json:"location,omitempty"`
	PreferredName *string `json:"preferred_name,omitempty"`
	// OnLeave marks the user out of office (admin panel reporting only).
	OnLeave *bool `json:"on_leave,omitempty"`
	// MatrixManager is the e-mail of a dotted-line manager (admin panel
	// reporting only).
	MatrixManager *string `json:"matrix_manager,omitempty"`
	// Locale is a locale code, such as "en_GB".
	Locale   *string `json:"locale,omitempty"`
	Custom01 *string `json:"custom_01,omitempty"`
	Custom02 *string `json:"custom_02,omitempty"`
	Custom03 *string `json:"custom_03,omitempty"`
	Custom04 *string `json:"custom_04,omitempty"`
	Custom05 *string `json:"custom_05,omitempty"`
}

// UserBulkResult is the answer of Update Users: counts of changes and the
// rows the upstream refused.
type UserBulkResult struct {
	DeactivatedCount int             `json:"deactivated_count"`
	ReactivatedCount int             `json:"reactivated_count"`
	UpdatedCount     int             `json:"updated_count"`
	DryRun           bool            `json:"dry_run"`
	Errors           []UserBulkError `json:"errors"`
}

// UserBulkError is the upstream's verdict on one refused row.
type UserBulkError struct {
	ErrorDetails []UserBulkErrorDetail `json:"error_details"`
	// Index is the 0-based position of the row in UserBulkRequest.Users.
	Index int `json:"index"`
	// Processed reports whether the row went through despite the error.
	Processed bool `json:"processed"`
}

// UserBulkErrorDetail is one problem with a row.
type UserBulkErrorDetail struct {
	Description string `json:"description"`
}

// UserRoleAssignment is a user's admin role and scope, as List Users With
// Admin Roles and Assign Roles return it.
type UserRoleAssignment struct {
	ID int64 `json:"id"`
	// UUID is empty where the upstream omits it (Assign Roles' answer).
	UUID string `json:"uuid"`
	// Role is one of the UserRole constants.
	Role string `json:"role"`
	// AdminSince is zero when the upstream sends null.
	AdminSince         Time            `json:"admin_since"`
	ManagedDepartments []DepartmentRef `json:"managed_departments"`
	ManagedAdminGroups []AdminGroupRef `json:"managed_admin_groups"`
	Name               string          `json:"name"`
}

// AssignRolesRequest is the payload of Assign Roles (PUT /users/roles/).
type AssignRolesRequest struct {
	Roles []RoleAssignment `json:"roles"`
}

// RoleAssignment sets one user's role (the reference's "RoleAssignment").
// Exactly one of UserID, Email and EmployeeID names the user.
type RoleAssignment struct {
	// UserID is the Betterworks user id; zero is not sent.
	UserID     int64  `json:"user_id,omitempty"`
	Email      string `json:"email,omitempty"`
	EmployeeID string `json:"employee_id,omitempty"`
	// Role is one of the UserRole constants.
	Role string `json:"role"`
	// Departments are department ids an HR Admin manages, with all their
	// sub-departments. UserRoleGroupAdmin needs this or AdminGroups.
	Departments []int64 `json:"departments,omitempty"`
	// AdminGroups are admin group ids an HR Admin manages.
	AdminGroups []int64 `json:"admin_groups,omitempty"`
}

// GetUser fetches one user by id, UUID or e-mail.
func (c *Client) GetUser(ctx context.Context, token Token, identifier string) (*User, error) {
	return fetch[User](ctx, c, token, call{op: opGetUser, id: identifier})
}

// ListUsers fetches one page of the users that match filter (at most 20 per
// page upstream).
func (c *Client) ListUsers(ctx context.Context, token Token, filter UserFilter, page PageRequest) (*Page[User], error) {
	q := url.Values{}
	page.encode(q)
	filter.encode(q)
	return fetchPage[User](ctx, c, token, call{op: opListUsers, query: q}, page)
}

// SearchUsers fetches one page of the users that match search.
func (c *Client) SearchUsers(ctx context.Context, token Token, search UserSearch, page PageRequest) (*Page[User], error) {
	q := url.Values{}
	page.encode(q)
	search.encode(q)
	return fetchPage[User](ctx, c, token, call{op: opSearchUsers, query: q}, page)
}

// UpsertUsers creates or updates the users of req, or only checks them when
// req.DryRun is set. Refused rows are in the result's Errors, not an error.
func (c *Client) UpsertUsers(ctx context.Context, token Token, req UserBulkRequest) (*UserBulkResult, error) {
	return fetch[UserBulkResult](ctx, c, token, call{op: opUpsertUsers, body: req})
}

// ListRoleAssignments fetches the users with Admin, Super Admin or HR Admin
// privileges. The reference documents no paging here; page is sent as for
// every list and the answer may hold every user on one page.
func (c *Client) ListRoleAssignments(ctx context.Context, token Token, page PageRequest) (*Page[UserRoleAssignment], error) {
	q := url.Values{}
	page.encode(q)
	return fetchPage[UserRoleAssignment](ctx, c, token, call{op: opListRoleAssignments, query: q}, page)
}

// AssignRoles sets the roles of req and returns the updated users; users
// whose admin role was removed are not in the answer.
func (c *Client) AssignRoles(ctx context.Context, token Token, req AssignRolesRequest) ([]UserRoleAssignment, error) {
	var out struct {
		Results []UserRoleAssignment `json:"results"`
	}
	err := c.do(ctx, token, call{op: opAssignRoles, body: req}, &out)
	if err != nil {
		return nil, err
	}
	return out.Results, nil
}
