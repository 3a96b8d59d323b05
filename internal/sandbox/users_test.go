package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListUsersFilters(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	plain := api.sb.UserFor(RoleUser)
	tests := []struct {
		name  string
		query string
		want  func(u map[string]any) bool
	}{
		{"department", "department=Platform", func(u map[string]any) bool { return u["department"].(map[string]any)["name"] == "Platform" }},
		{"manager", fmt.Sprintf("manager=%d", plain.ManagerID), func(u map[string]any) bool { return idOf(u["manager"]) == plain.ManagerID }},
		{"deactivated", "deactivated=1", func(u map[string]any) bool { return u["is_active"] == false }},
		{"active", "deactivated=0", func(u map[string]any) bool { return u["is_active"] == true }},
		{"locale", "locale=de", func(u map[string]any) bool { return u["locale"] == "de" }},
		{"employee_id", "employee_id=" + plain.EmployeeID, func(u map[string]any) bool { return u["employee_id"] == plain.EmployeeID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p page
			api.get(RoleUser, "/users/?size=20&"+tt.query).decode(t, &p)
			if len(p.Results) == 0 {
				t.Fatalf("GET /users/?%s selected nobody", tt.query)
			}
			for _, u := range p.Results {
				if !tt.want(u) {
					t.Errorf("GET /users/?%s selected user %v", tt.query, u["id"])
				}
			}
		})
	}
	for _, q := range []string{"deactivated=2", "locale=klingon", "manager=someone"} {
		api.get(RoleUser, "/users/?"+q).wantStatus(t, "GET /users/?"+q, http.StatusBadRequest)
	}
}

func TestSearchUsers(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	plain := api.sb.UserFor(RoleUser)
	fx := api.sb.Fixtures()
	api.get(RoleUser, "/users/search/").wantStatus(t, "search without q", http.StatusBadRequest)
	api.get(RoleUser, "/users/search/?q=ab").wantStatus(t, "search with 2 characters", http.StatusBadRequest)

	var p page
	api.get(RoleUser, "/users/search/?q="+url.QueryEscape(plain.Email)).decode(t, &p)
	if len(p.Results) != 1 || idOf(p.Results[0]) != plain.ID {
		t.Errorf("search by e-mail found %v, want user %d", p.ids(), plain.ID)
	}
	api.get(RoleUser, fmt.Sprintf("/users/search/?q=acme&manager_id=%d&size=100", plain.ManagerID)).decode(t, &p)
	for _, u := range p.Results {
		if idOf(u) != plain.ManagerID && idOf(u["manager"]) != plain.ManagerID {
			t.Errorf("manager_id search found user %v outside the team", u["id"])
		}
	}
	api.get(RoleSuperAdmin, "/users/search/?q=acme&deactivated=true&size=100").decode(t, &p)
	if len(p.Results) != 8 {
		t.Errorf("deactivated search found %d users, want 8", len(p.Results))
	}
	api.get(RoleSuperAdmin, fmt.Sprintf("/users/search/?q=acme&size=100&can_view_goal_id=%d", fx.UserPrivateGoalID)).decode(t, &p)
	canView := 0
	for _, u := range p.Results {
		if u["can_view"] == true {
			canView++
		}
		if _, ok := u["can_view"]; !ok {
			t.Fatalf("user %v has no can_view", u["id"])
		}
	}
	if canView == 0 || canView == len(p.Results) {
		t.Errorf("can_view true for %d of %d users; a private goal is visible to some only", canView, len(p.Results))
	}
}

func TestBulkUsers(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	plain := api.sb.UserFor(RoleUser)
	body := func(dryRun bool) string {
		return fmt.Sprintf(`{"dry_run": %v, "users": [
			{"email": "grace.new@%[2]s", "first_name": "Grace", "last_name": "New", "employee_id": "N-1", "department_name": "Platform",
			 "manager_id": %[3]q, "title": "Engineer", "custom_01": "x"},
			{"email": "bob@betterworks.com", "first_name": "Bob", "last_name": "Elsewhere"},
			{"email": %[4]q, "first_name": "Leo", "last_name": "Renamed", "title": "BW_NULL"},
			{"email": "kid@%[2]s", "first_name": "Kid", "last_name": "New", "manager_id": "N-1"},
			{"email": "nobody@%[2]s", "first_name": "No", "last_name": "Body", "department_name": "Atlantis"}]}`,
			dryRun, orgDomain, plain.EmployeeID, plain.Email)
	}
	want := func(t *testing.T, got map[string]any, dryRun bool) {
		t.Helper()
		if got["dry_run"] != dryRun || got["updated_count"] != 1.0 || got["created_count"] != 2.0 {
			t.Errorf("bulk answered %v", got)
		}
		errs := got["errors"].([]any)
		if len(errs) != 2 {
			t.Fatalf("errors = %v, want rows 1 and 4", errs)
		}
		first := errs[0].(map[string]any)
		detail := first["error_details"].([]any)[0].(map[string]any)["description"]
		if first["index"] != 1.0 || first["processed"] != false || detail != "betterworks.com is an invalid domain" {
			t.Errorf("first error = %v", first)
		}
	}

	dry := api.send(RoleSuperAdmin, "POST", "/users/bulk/", body(true))
	dry.wantStatus(t, "dry run", http.StatusOK)
	want(t, dry.object(t), true)
	api.get(RoleSuperAdmin, "/users/grace.new@"+orgDomain+"/").wantStatus(t, "user after dry run", http.StatusNotFound)
	if got := api.get(RoleSuperAdmin, fmt.Sprintf("/users/%d/", plain.ID)).object(t); got["name"] != plain.Name || got["title"] == "" {
		t.Errorf("dry run changed user %d: %v", plain.ID, got)
	}

	real := api.send(RoleSuperAdmin, "POST", "/users/bulk/", body(false))
	real.wantStatus(t, "bulk", http.StatusOK)
	want(t, real.object(t), false)
	grace := api.get(RoleSuperAdmin, "/users/grace.new@"+orgDomain+"/").object(t)
	if idOf(grace["manager"]) != plain.ID || grace["department"].(map[string]any)["name"] != "Platform" {
		t.Errorf("created user = %v", grace)
	}
	kid := api.get(RoleSuperAdmin, "/users/kid@"+orgDomain+"/").object(t)
	if idOf(kid["manager"]) != idOf(grace) {
		t.Errorf("a row's manager created by an earlier row: manager %v, want %v", kid["manager"], grace["id"])
	}
	leo := api.get(RoleSuperAdmin, fmt.Sprintf("/users/%d/", plain.ID)).object(t)
	if leo["last_name"] != "Renamed" || leo["title"] != "" {
		t.Errorf("updated user last_name %v title %q, want Renamed and a title cleared by BW_NULL", leo["last_name"], leo["title"])
	}
}

func TestBulkDeactivationRevokesAccess(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	plain := api.sb.UserFor(RoleUser)
	first, last, _ := strings.Cut(plain.Name, " ")
	row := func(active bool) string {
		return fmt.Sprintf(`{"users": [{"email": %q, "first_name": %q, "last_name": %q, "is_active": %v}]}`, plain.Email, first, last, active)
	}
	api.get(RoleUser, "/users/").wantStatus(t, "before", http.StatusOK)
	ans := api.send(RoleHRAdmin, "POST", "/users/bulk/", row(false))
	ans.wantStatus(t, "deactivate", http.StatusOK)
	if got := ans.object(t)["deactivated_count"]; got != 1.0 {
		t.Errorf("deactivated_count = %v, want 1", got)
	}
	api.get(RoleUser, "/users/").wantStatus(t, "after deactivation", http.StatusUnauthorized)
	if got := api.get(RoleSuperAdmin, fmt.Sprintf("/users/%d/", plain.ID)).object(t); got["is_active"] != false || got["deactivated_on"] == nil {
		t.Errorf("deactivated user is_active %v, deactivated_on %v", got["is_active"], got["deactivated_on"])
	}
	ans = api.send(RoleHRAdmin, "POST", "/users/bulk/", row(true))
	if got := ans.object(t)["reactivated_count"]; got != 1.0 {
		t.Errorf("reactivated_count = %v, want 1", got)
	}
	api.get(RoleUser, "/users/").wantStatus(t, "after reactivation", http.StatusOK)
}

func TestAssignRoles(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	plain, hr := api.sb.UserFor(RoleUser), api.sb.UserFor(RoleHRAdmin)
	body := fmt.Sprintf(`{"roles": [
		{"role": "admin", "user_id": %d, "departments": [%d]},
		{"role": "none", "email": %q}]}`, plain.ID, fx.PopulatedDepartmentID, hr.Email)
	ans := api.send(RoleSuperAdmin, "PUT", "/users/roles/", body)
	ans.wantStatus(t, "assign", http.StatusOK)
	var got roleList
	ans.decode(t, &got)
	if len(got.Results) != 1 || got.Results[0].ID != plain.ID || got.Results[0].Role != "admin" || got.Results[0].ManagedDepartments[0].ID != fx.PopulatedDepartmentID {
		t.Errorf("PUT /users/roles/ answered %s, want the new admin only", ans.body)
	}
	var list roleList
	api.get(RoleSuperAdmin, "/users/roles/").decode(t, &list)
	roles := map[int64]string{}
	for _, r := range list.Results {
		roles[r.ID] = r.Role
	}
	if roles[plain.ID] != "admin" || roles[hr.ID] != "" {
		t.Errorf("after assignment: role of %d %q (want admin), of %d %q (want none)", plain.ID, roles[plain.ID], hr.ID, roles[hr.ID])
	}
	// The new admin may now list departments; the former HR admin may not.
	api.get(RoleUser, "/departments/").wantStatus(t, "new admin lists departments", http.StatusOK)
	api.get(RoleHRAdmin, "/departments/").wantStatus(t, "former HR admin lists departments", http.StatusForbidden)
}

func TestAssignRolesValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	plain := api.sb.UserFor(RoleUser)
	tests := []struct {
		name string
		body string
	}{
		{"missing_roles", `{}`},
		{"two_identifiers", fmt.Sprintf(`{"roles": [{"role": "admin", "user_id": %d, "email": %q}]}`, plain.ID, plain.Email)},
		{"no_identifier", `{"roles": [{"role": "admin"}]}`},
		{"unknown_user", `{"roles": [{"role": "admin", "user_id": 99999}]}`},
		{"unknown_role", fmt.Sprintf(`{"roles": [{"role": "owner", "user_id": %d}]}`, plain.ID)},
		{"groupadmin_without_scope", fmt.Sprintf(`{"roles": [{"role": "groupadmin", "user_id": %d}]}`, plain.ID)},
		{"unknown_department", fmt.Sprintf(`{"roles": [{"role": "groupadmin", "user_id": %d, "departments": [99999]}]}`, plain.ID)},
		{"one_bad_row_refuses_all", fmt.Sprintf(`{"roles": [{"role": "admin", "user_id": %d}, {"role": "admin"}]}`, plain.ID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api.send(RoleSuperAdmin, "PUT", "/users/roles/", tt.body).wantStatus(t, tt.name, http.StatusBadRequest)
		})
	}
	var list roleList
	api.get(RoleSuperAdmin, "/users/roles/").decode(t, &list)
	for _, r := range list.Results {
		if r.ID == plain.ID {
			t.Errorf("a refused request gave user %d the role %s", plain.ID, r.Role)
		}
	}
}

// roleList is the body of GET and PUT /users/roles/, decoded.
type roleList struct {
	Results []struct {
		ID                 int64  `json:"id"`
		Role               string `json:"role"`
		ManagedDepartments []struct {
			ID int64 `json:"id"`
		} `json:"managed_departments"`
	} `json:"results"`
}

func TestTeams(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	plain := api.sb.UserFor(RoleUser)
	var mine, all page
	api.get(RoleUser, "/teams/").decode(t, &mine)
	api.get(RoleUser, "/teams/?type=allteams").decode(t, &all)
	if len(mine.Results) != 2 || len(all.Results) != 10 {
		t.Errorf("myteams %d teams (want 2), allteams %d (want 10)", len(mine.Results), len(all.Results))
	}
	for _, team := range mine.Results {
		if !hasMember(team, plain.ID) {
			t.Errorf("myteams lists team %v without the caller", team["id"])
		}
	}
	api.get(RoleUser, "/teams/?type=everyone").wantStatus(t, "bad type", http.StatusBadRequest)
}

func hasMember(team map[string]any, id int64) bool {
	for _, m := range team["members"].([]any) {
		if idOf(m) == id {
			return true
		}
	}
	return false
}

// TestUserAttributesAreTheReferences writes every user field that bulk
// upsert takes and reads the user back: attributes hold location and
// on_leave only, as every user example of the reference; preferred_name is
// a field of the user, and matrix_manager (admin panel only) is not read
// back.
func TestUserAttributesAreTheReferences(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	manager := api.sb.UserFor(RoleAdmin)
	body := fmt.Sprintf(`{"users": [{"email": "ada.attr@%s", "first_name": "Ada", "last_name": "Attr", "preferred_name": "Addie",
		"location": "Lisbon", "on_leave": true, "matrix_manager": %q}]}`, orgDomain, manager.Email)
	api.send(RoleSuperAdmin, "POST", "/users/bulk/", body).wantStatus(t, "bulk", http.StatusOK)

	got := api.get(RoleSuperAdmin, "/users/ada.attr@"+orgDomain+"/").object(t)

	wantAttributes := map[string]any{"location": "Lisbon", "on_leave": true}
	if diff := cmp.Diff(wantAttributes, got["attributes"]); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if got["preferred_name"] != "Addie" {
		t.Errorf("preferred_name = %v, want Addie", got["preferred_name"])
	}
}
