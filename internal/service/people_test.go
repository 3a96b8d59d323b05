package service_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
)

// must returns v and drops the error: the checks of v that follow fail if
// the call did.
func must[T any](v T, _ error) T { return v }

func TestPeopleServiceGetUser(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.People(p, sandbox.RoleUser)
		want := st.Sandbox.UserFor(sandbox.RoleUser)
		for _, id := range []string{fmt.Sprint(want.ID), want.UUID, want.Email} {
			resp, err := client.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: id})
			if err != nil {
				t.Fatalf("GetUser(%q) error = %v", id, err)
			}
			u := resp.GetUser()
			if u.GetId() != want.ID || u.GetUuid() != want.UUID || u.GetEmail() != want.Email || u.GetName() != want.Name ||
				u.GetEmployeeId() != want.EmployeeID || u.GetManager().GetId() != want.ManagerID ||
				u.GetDepartment().GetId() != want.DepartmentID || !u.GetIsActive() {
				t.Errorf("GetUser(%q) = %v; want the plain user %+v", id, u, want)
			}
			if u.GetLocale() == betterworksv1.UserLocale_USER_LOCALE_UNSPECIFIED || u.GetCreatedOn() == nil || u.GetModifiedOn() == nil ||
				u.GetAttributes().GetFields()["location"].GetStringValue() == "" || u.GetCustomValues()["custom_01"] == "" {
				t.Errorf("GetUser(%q) lost fields in translation: %v", id, u)
			}
			if u.CanView != nil {
				t.Errorf("GetUser(%q) can_view = %v, want unset", id, u.GetCanView())
			}
		}
		if n := st.Sandbox.Count("GET /users/{identifier}/"); n != 3 {
			t.Errorf("GET /users/{identifier}/ sent %d times, want 3", n)
		}

		_, err := client.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: "999999999"})
		if got := connect.CodeOf(err); got != connect.CodeNotFound {
			t.Errorf("GetUser(unknown) code = %v, want %v", got, connect.CodeNotFound)
		}
	})
}

func TestPeopleServiceListUsers(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.People(facadetest.Connect, sandbox.RoleUser)
	plain := must(client.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: st.Sandbox.UserFor(sandbox.RoleUser).Email})).GetUser()

	// Department: every user of the page is in it, and the pages do not overlap.
	req := &betterworksv1.ListUsersRequest{PageSize: 3, Department: plain.GetDepartment().GetName()}
	first, err := client.ListUsers(t.Context(), req)
	if err != nil {
		t.Fatalf("ListUsers(department) error = %v", err)
	}
	if len(first.GetUsers()) != 3 || first.GetNextPageToken() == "" {
		t.Fatalf("ListUsers(department) = %d users, token %q; want 3 and a next page", len(first.GetUsers()), first.GetNextPageToken())
	}
	req.PageToken = first.GetNextPageToken()
	second, err := client.ListUsers(t.Context(), req)
	if err != nil {
		t.Fatalf("ListUsers(page 2) error = %v", err)
	}
	seen := map[int64]bool{}
	for _, u := range append(first.GetUsers(), second.GetUsers()...) {
		if u.GetDepartment().GetId() != plain.GetDepartment().GetId() {
			t.Errorf("user %d in department %v, want %v", u.GetId(), u.GetDepartment(), plain.GetDepartment())
		}
		if seen[u.GetId()] {
			t.Errorf("user %d on two pages", u.GetId())
		}
		seen[u.GetId()] = true
	}
	wantQuery(t, st, "GET /users/", url.Values{"department": {plain.GetDepartment().GetName()}, "page": {"2"}, "size": {"3"}})

	// Deactivated users only.
	deactivated, err := client.ListUsers(t.Context(), &betterworksv1.ListUsersRequest{Deactivated: new(true), PageSize: 20})
	if err != nil {
		t.Fatalf("ListUsers(deactivated) error = %v", err)
	}
	var found bool
	for _, u := range deactivated.GetUsers() {
		found = found || u.GetId() == st.Sandbox.Fixtures().DeactivatedUserID
		if u.GetIsActive() || u.GetDeactivatedOn() == nil || u.GetDeactivationDate() == "" {
			t.Errorf("ListUsers(deactivated) returned user %d active %v deactivated %v %q", u.GetId(), u.GetIsActive(), u.GetDeactivatedOn(), u.GetDeactivationDate())
		}
	}
	if !found {
		t.Errorf("ListUsers(deactivated) misses user %d", st.Sandbox.Fixtures().DeactivatedUserID)
	}
	wantQuery(t, st, "GET /users/", url.Values{"deactivated": {"1"}, "page": {"1"}, "size": {"20"}})

	// Every filter, under the reference's names.
	after := plain.GetModifiedOn().AsTime().Add(-time.Hour).Truncate(time.Second)
	before := after.Add(2 * time.Hour)
	resp, err := client.ListUsers(t.Context(), &betterworksv1.ListUsersRequest{
		Department:     plain.GetDepartment().GetName(),
		EmployeeId:     plain.GetEmployeeId(),
		ManagerId:      plain.GetManager().GetUuid(),
		Deactivated:    new(false),
		Locale:         plain.GetLocale(),
		ModifiedAfter:  timestamppb.New(after),
		ModifiedBefore: timestamppb.New(before),
	})
	if err != nil {
		t.Fatalf("ListUsers(every filter) error = %v", err)
	}
	if len(resp.GetUsers()) != 1 || resp.GetUsers()[0].GetId() != plain.GetId() {
		t.Errorf("ListUsers(every filter) = %v, want only user %d", resp.GetUsers(), plain.GetId())
	}
	wantQuery(t, st, "GET /users/", url.Values{
		"department": {plain.GetDepartment().GetName()}, "employee_id": {plain.GetEmployeeId()},
		"manager": {plain.GetManager().GetUuid()}, "deactivated": {"0"},
		"locale":      {"en"},
		"delta_start": {after.Format(time.RFC3339)}, "delta_end": {before.Format(time.RFC3339)},
		"page": {"1"},
	})
}

func TestPeopleServiceSearchUsers(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.People(facadetest.GRPC, sandbox.RoleUser)
	plain := st.Sandbox.UserFor(sandbox.RoleUser)
	lastName := plain.Name[strings.LastIndex(plain.Name, " ")+1:]
	goal := st.Sandbox.Fixtures().UserGoalID

	resp, err := client.SearchUsers(t.Context(), &betterworksv1.SearchUsersRequest{
		Query:         strings.ToUpper(lastName),
		ManagerId:     fmt.Sprint(plain.ManagerID),
		CanViewGoalId: fmt.Sprint(goal),
		Deactivated:   new(false),
		PageSize:      5,
	})
	if err != nil {
		t.Fatalf("SearchUsers() error = %v", err)
	}
	var found bool
	for _, u := range resp.GetUsers() {
		found = found || u.GetId() == plain.ID
		if u.CanView == nil {
			t.Errorf("user %d has no can_view", u.GetId())
		}
	}
	if !found {
		t.Errorf("SearchUsers(%q) = %v, want the plain user among them", lastName, resp.GetUsers())
	}
	wantQuery(t, st, "GET /users/search/", url.Values{
		"q": {strings.ToUpper(lastName)}, "manager_id": {fmt.Sprint(plain.ManagerID)},
		"can_view_goal_id": {fmt.Sprint(goal)}, "deactivated": {"false"},
		"page": {"1"}, "size": {"5"},
	})

	none, err := client.SearchUsers(t.Context(), &betterworksv1.SearchUsersRequest{Query: "zzz-nobody"})
	if err != nil {
		t.Fatalf("SearchUsers(no match) error = %v", err)
	}
	if len(none.GetUsers()) != 0 || none.GetNextPageToken() != "" {
		t.Errorf("SearchUsers(no match) = %d users, token %q; want none", len(none.GetUsers()), none.GetNextPageToken())
	}
	wantQuery(t, st, "GET /users/search/", url.Values{"q": {"zzz-nobody"}, "page": {"1"}})
}

func TestPeopleServiceUpsertUsers(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		admin := st.People(p, sandbox.RoleSuperAdmin)
		newRow := &betterworksv1.UserUpsert{
			Email: "new.hire@acme.example", FirstName: "New", LastName: "Hire",
			EmployeeId: new("NH-1"), Title: new("Engineer"), Locale: betterworksv1.UserLocale_USER_LOCALE_EN_GB,
		}

		// A dry run reaches the upstream and applies nothing.
		dry, err := admin.UpsertUsers(t.Context(), &betterworksv1.UpsertUsersRequest{DryRun: true, Users: []*betterworksv1.UserUpsert{newRow}})
		if err != nil {
			t.Fatalf("UpsertUsers(dry run) error = %v", err)
		}
		if !dry.GetDryRun() || len(dry.GetErrors()) != 0 {
			t.Errorf("UpsertUsers(dry run) = %v, want dry_run and no errors", dry)
		}
		var body struct {
			DryRun bool             `json:"dry_run"`
			Users  []map[string]any `json:"users"`
		}
		if err := jsonBody(st, "POST /users/bulk/", &body); err != nil {
			t.Fatal(err)
		}
		if !body.DryRun || len(body.Users) != 1 || body.Users[0]["locale"] != "en_GB" || body.Users[0]["employee_id"] != "NH-1" {
			t.Errorf("upstream got %+v, want dry_run and the row", body)
		}
		_, err = admin.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: newRow.GetEmail()})
		if got := connect.CodeOf(err); got != connect.CodeNotFound {
			t.Errorf("GetUser(after dry run) code = %v, want %v: a dry run must apply nothing", got, connect.CodeNotFound)
		}

		// Refused rows come back typed, by index; the others apply.
		resp, err := admin.UpsertUsers(t.Context(), &betterworksv1.UpsertUsersRequest{Users: []*betterworksv1.UserUpsert{
			newRow,
			{Email: "someone@elsewhere.example", FirstName: "Out", LastName: "Side"},
			{Email: "x@acme.example", FirstName: "X", LastName: "Y", DepartmentName: new("No Such Department")},
		}})
		if err != nil {
			t.Fatalf("UpsertUsers(rows with errors) error = %v; refused rows must not fail the call", err)
		}
		if resp.GetDryRun() || len(resp.GetErrors()) != 2 {
			t.Fatalf("UpsertUsers() = %v, want two refused rows", resp)
		}
		for i, e := range resp.GetErrors() {
			if e.GetIndex() != int32(i+1) || e.GetProcessed() || len(e.GetErrorDetails()) == 0 || e.GetErrorDetails()[0].GetDescription() == "" {
				t.Errorf("errors[%d] = %v, want index %d, not processed, with a description", i, e, i+1)
			}
		}
		if !strings.Contains(resp.GetErrors()[0].GetErrorDetails()[0].GetDescription(), "elsewhere.example") {
			t.Errorf("errors[0] = %v, want the invalid domain named", resp.GetErrors()[0])
		}
		created, err := admin.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: newRow.GetEmail()})
		if err != nil {
			t.Fatalf("GetUser(created) error = %v", err)
		}
		if u := created.GetUser(); u.GetTitle() != "Engineer" || u.GetEmployeeId() != "NH-1" || u.GetLocale() != betterworksv1.UserLocale_USER_LOCALE_EN_GB {
			t.Errorf("created user = %v, want the row's title, employee id and locale", u)
		}
		if n := st.Sandbox.Count("POST /users/bulk/"); n != 2 {
			t.Errorf("POST /users/bulk/ sent %d times, want 2 (never retried)", n)
		}
	})
}

func TestPeopleServiceUpsertUsersClearsFields(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	admin := st.People(facadetest.Connect, sandbox.RoleHRAdmin)
	before := must(admin.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: st.Sandbox.UserFor(sandbox.RoleUser).Email})).GetUser()
	if before.GetTitle() == "" || before.GetCustomValues()["custom_01"] == "" {
		t.Fatalf("plain user %v has no title or custom_01 to clear", before)
	}

	resp, err := admin.UpsertUsers(t.Context(), &betterworksv1.UpsertUsersRequest{Users: []*betterworksv1.UserUpsert{{
		Email: before.GetEmail(), FirstName: before.GetFirstName(), LastName: before.GetLastName(),
		EmployeeId:  new(before.GetEmployeeId()),
		ClearFields: []betterworksv1.UserField{betterworksv1.UserField_USER_FIELD_TITLE, betterworksv1.UserField_USER_FIELD_CUSTOM_01},
	}}})
	if err != nil || len(resp.GetErrors()) != 0 || resp.GetUpdatedCount() != 1 {
		t.Fatalf("UpsertUsers(clear) = %v, %v; want one update", resp, err)
	}
	var body struct {
		Users []map[string]any `json:"users"`
	}
	if err := jsonBody(st, "POST /users/bulk/", &body); err != nil {
		t.Fatal(err)
	}
	if row := body.Users[0]; row["title"] != "BW_NULL" || row["custom_01"] != "BW_NULL" || len(row) != 6 {
		t.Errorf("upstream row = %v, want the identity fields and BW_NULL for title and custom_01, nothing else", row)
	}
	after := must(admin.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: before.GetUuid()})).GetUser()
	if _, kept := after.GetCustomValues()["custom_01"]; after.GetTitle() != "" || kept || after.GetPhone() != before.GetPhone() {
		t.Errorf("after clearing: title %q custom_values %v phone %q; want title and custom_01 gone, phone kept",
			after.GetTitle(), after.GetCustomValues(), after.GetPhone())
	}

	// The upstream refuses to clear some fields: that is a row error too.
	refused, err := admin.UpsertUsers(t.Context(), &betterworksv1.UpsertUsersRequest{Users: []*betterworksv1.UserUpsert{{
		Email: before.GetEmail(), FirstName: before.GetFirstName(), LastName: before.GetLastName(),
		ClearFields: []betterworksv1.UserField{betterworksv1.UserField_USER_FIELD_LOCALE},
	}}})
	if err != nil || len(refused.GetErrors()) != 1 || refused.GetErrors()[0].GetIndex() != 0 {
		t.Errorf("UpsertUsers(clear locale) = %v, %v; want row 0 refused", refused, err)
	}
}

func TestPeopleServiceRoleAssignments(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		admin := st.People(p, sandbox.RoleSuperAdmin)
		list, err := admin.ListRoleAssignments(t.Context(), &betterworksv1.ListRoleAssignmentsRequest{PageSize: 50})
		if err != nil {
			t.Fatalf("ListRoleAssignments() error = %v", err)
		}
		wantQuery(t, st, "GET /users/roles/", url.Values{"page": {"1"}, "size": {"50"}})
		roles := map[betterworksv1.UserRole]bool{}
		for _, a := range list.GetRoleAssignments() {
			roles[a.GetRole()] = true
			if a.GetId() == 0 || a.GetUuid() == "" || a.GetName() == "" {
				t.Errorf("assignment %v lost fields in translation", a)
			}
		}
		if !roles[betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN] || !roles[betterworksv1.UserRole_USER_ROLE_ADMIN] || !roles[betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN] {
			t.Errorf("ListRoleAssignments() roles = %v, want all three admin roles", roles)
		}

		plain := st.Sandbox.UserFor(sandbox.RoleUser)
		fx := st.Sandbox.Fixtures()
		resp, err := admin.AssignRoles(t.Context(), &betterworksv1.AssignRolesRequest{Roles: []*betterworksv1.RoleAssignmentUpdate{{
			UserId:        fmt.Sprint(plain.ID),
			Role:          betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN,
			DepartmentIds: []string{fmt.Sprint(fx.AdminDepartmentID)},
			AdminGroupIds: []string{fmt.Sprint(fx.AdminGroupID)},
		}}})
		if err != nil {
			t.Fatalf("AssignRoles() error = %v", err)
		}
		if got := resp.GetRoleAssignments(); len(got) != 1 || got[0].GetId() != plain.ID ||
			got[0].GetRole() != betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN || got[0].GetAdminSince() == nil ||
			len(got[0].GetManagedDepartments()) != 1 || got[0].GetManagedDepartments()[0].GetId() != fx.AdminDepartmentID ||
			len(got[0].GetManagedAdminGroups()) != 1 || got[0].GetManagedAdminGroups()[0].GetId() != fx.AdminGroupID {
			t.Errorf("AssignRoles() = %v; want the plain user as HR admin of department %d and group %d", got, fx.AdminDepartmentID, fx.AdminGroupID)
		}
		var body map[string]any
		if err := jsonBody(st, "PUT /users/roles/", &body); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("map[roles:[map[admin_groups:[%d] departments:[%d] role:groupadmin user_id:%d]]]", fx.AdminGroupID, fx.AdminDepartmentID, plain.ID)
		if got := fmt.Sprint(body); got != want {
			t.Errorf("upstream body = %s, want %s", got, want)
		}
		if n := st.Sandbox.Count("PUT /users/roles/"); n != 1 {
			t.Errorf("PUT /users/roles/ sent %d times, want 1", n)
		}
	})
}

func TestPeopleServiceRoleAssignmentErrors(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	super := st.People(facadetest.Connect, sandbox.RoleSuperAdmin)
	user := st.People(facadetest.Connect, sandbox.RoleUser)
	admin := st.People(facadetest.Connect, sandbox.RoleAdmin)
	assign := &betterworksv1.AssignRolesRequest{Roles: []*betterworksv1.RoleAssignmentUpdate{
		{Email: st.Sandbox.UserFor(sandbox.RoleUser).Email, Role: betterworksv1.UserRole_USER_ROLE_ADMIN},
	}}
	checkCodes(t, []codeCase{
		{"plain_user_lists", func() error {
			_, err := user.ListRoleAssignments(t.Context(), &betterworksv1.ListRoleAssignmentsRequest{})
			return err
		}, connect.CodePermissionDenied},
		{"plain_user_assigns", func() error { _, err := user.AssignRoles(t.Context(), assign); return err }, connect.CodePermissionDenied},
		{"admin_assigns", func() error { _, err := admin.AssignRoles(t.Context(), assign); return err }, connect.CodePermissionDenied},
		{"unknown_user", func() error {
			_, err := super.AssignRoles(t.Context(), &betterworksv1.AssignRolesRequest{Roles: []*betterworksv1.RoleAssignmentUpdate{
				{UserId: "999999999", Role: betterworksv1.UserRole_USER_ROLE_ADMIN},
			}})
			return err
		}, connect.CodeInvalidArgument},
	})
	if n := st.Sandbox.Count("PUT /users/roles/"); n != 3 {
		t.Errorf("PUT /users/roles/ sent %d times, want 3", n)
	}
}

func TestPeopleServiceDepartments(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		admin := st.People(p, sandbox.RoleSuperAdmin)
		fx := st.Sandbox.Fixtures()

		active, err := admin.ListDepartments(t.Context(), &betterworksv1.ListDepartmentsRequest{PageSize: 100})
		if err != nil {
			t.Fatalf("ListDepartments() error = %v", err)
		}
		all, err := admin.ListDepartments(t.Context(), &betterworksv1.ListDepartmentsRequest{PageSize: 100, IncludeDeactivated: new(true)})
		if err != nil {
			t.Fatalf("ListDepartments(include_deactivated) error = %v", err)
		}
		wantQuery(t, st, "GET /departments/", url.Values{"include_deactivated": {"true"}, "page": {"1"}, "size": {"100"}})
		has := func(ds []*betterworksv1.Department, id int64) bool {
			for _, d := range ds {
				if d.GetId() == id {
					return true
				}
			}
			return false
		}
		if has(active.GetDepartments(), fx.DeactivatedDepartmentID) || !has(all.GetDepartments(), fx.DeactivatedDepartmentID) {
			t.Errorf("department %d: in active list %v, in full list %v; want only the full list",
				fx.DeactivatedDepartmentID, has(active.GetDepartments(), fx.DeactivatedDepartmentID), has(all.GetDepartments(), fx.DeactivatedDepartmentID))
		}

		created, err := admin.CreateDepartment(t.Context(), &betterworksv1.CreateDepartmentRequest{Name: "Facade", ParentId: fmt.Sprint(fx.AdminDepartmentID)})
		if err != nil {
			t.Fatalf("CreateDepartment() error = %v", err)
		}
		d := created.GetDepartment()
		if d.GetName() != "Facade" || d.GetParent().GetId() != fx.AdminDepartmentID || !d.GetIsActive() || d.GetUuid() == "" || d.GetCreatedOn() == nil {
			t.Errorf("CreateDepartment() = %v, want Facade under %d", d, fx.AdminDepartmentID)
		}
		var body map[string]any
		if err := jsonBody(st, "POST /departments/", &body); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("map[name:Facade parent_id:%d]", fx.AdminDepartmentID); fmt.Sprint(body) != want {
			t.Errorf("upstream body = %v, want %s", body, want)
		}

		updated, err := admin.UpdateDepartment(t.Context(), &betterworksv1.UpdateDepartmentRequest{DepartmentId: d.GetUuid(), Name: "Facade Guild"})
		if err != nil {
			t.Fatalf("UpdateDepartment() error = %v", err)
		}
		if u := updated.GetDepartment(); u.GetId() != d.GetId() || u.GetName() != "Facade Guild" || u.GetParent().GetId() != fx.AdminDepartmentID {
			t.Errorf("UpdateDepartment() = %v, want renamed, parent kept", u)
		}

		id := fmt.Sprint(d.GetId())
		deactivated, err := admin.DeactivateDepartment(t.Context(), &betterworksv1.DeactivateDepartmentRequest{DepartmentId: id})
		if err != nil || deactivated.GetDepartment().GetIsActive() {
			t.Errorf("DeactivateDepartment() = %v, %v; want inactive", deactivated, err)
		}
		reactivated, err := admin.ReactivateDepartment(t.Context(), &betterworksv1.ReactivateDepartmentRequest{DepartmentId: id})
		if err != nil || !reactivated.GetDepartment().GetIsActive() {
			t.Errorf("ReactivateDepartment() = %v, %v; want active", reactivated, err)
		}

		upsert, err := admin.UpsertDepartments(t.Context(), &betterworksv1.UpsertDepartmentsRequest{Departments: []*betterworksv1.DepartmentUpsert{
			{Name: "Developer Relations", ParentName: "Facade Guild"},
			{Name: "Facade Guild"},
		}})
		if err != nil || upsert.GetCreatedCount() != 1 || upsert.GetUpdatedCount() != 0 {
			t.Errorf("UpsertDepartments() = %v, %v; want 1 created", upsert, err)
		}
		var bulk map[string]any
		if err := jsonBody(st, "POST /departments/bulk/", &bulk); err != nil {
			t.Fatal(err)
		}
		if want := "map[departments:[map[name:Developer Relations parent:Facade Guild] map[name:Facade Guild]]]"; fmt.Sprint(bulk) != want {
			t.Errorf("upstream body = %v, want %s", bulk, want)
		}
		for _, endpoint := range []string{"POST /departments/", "PUT /departments/{id}/", "POST /departments/{id}/deactivate/", "POST /departments/{id}/reactivate/", "POST /departments/bulk/"} {
			if n := st.Sandbox.Count(endpoint); n != 1 {
				t.Errorf("%s sent %d times, want 1", endpoint, n)
			}
		}
	})
}

func TestPeopleServiceDepartmentErrors(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	super := st.People(facadetest.Connect, sandbox.RoleSuperAdmin)
	user := st.People(facadetest.Connect, sandbox.RoleUser)
	fx := st.Sandbox.Fixtures()
	empty := fmt.Sprint(fx.EmptyDepartmentID)
	checkCodes(t, []codeCase{
		{"plain_user_lists", func() error {
			_, err := user.ListDepartments(t.Context(), &betterworksv1.ListDepartmentsRequest{})
			return err
		}, connect.CodePermissionDenied},
		{"plain_user_creates", func() error {
			_, err := user.CreateDepartment(t.Context(), &betterworksv1.CreateDepartmentRequest{Name: "Mine"})
			return err
		}, connect.CodePermissionDenied},
		{"plain_user_updates", func() error {
			_, err := user.UpdateDepartment(t.Context(), &betterworksv1.UpdateDepartmentRequest{DepartmentId: empty, Name: "Mine"})
			return err
		}, connect.CodePermissionDenied},
		{"plain_user_deactivates", func() error {
			_, err := user.DeactivateDepartment(t.Context(), &betterworksv1.DeactivateDepartmentRequest{DepartmentId: empty})
			return err
		}, connect.CodePermissionDenied},
		{"plain_user_reactivates", func() error {
			_, err := user.ReactivateDepartment(t.Context(), &betterworksv1.ReactivateDepartmentRequest{DepartmentId: empty})
			return err
		}, connect.CodePermissionDenied},
		{"plain_user_upserts", func() error {
			_, err := user.UpsertDepartments(t.Context(), &betterworksv1.UpsertDepartmentsRequest{
				Departments: []*betterworksv1.DepartmentUpsert{{Name: "Mine"}},
			})
			return err
		}, connect.CodePermissionDenied},
		{"update_unknown", func() error {
			_, err := super.UpdateDepartment(t.Context(), &betterworksv1.UpdateDepartmentRequest{DepartmentId: "999999999", Name: "X"})
			return err
		}, connect.CodeNotFound},
		{"deactivate_unknown", func() error {
			_, err := super.DeactivateDepartment(t.Context(), &betterworksv1.DeactivateDepartmentRequest{DepartmentId: "999999999"})
			return err
		}, connect.CodeNotFound},
		{"reactivate_unknown", func() error {
			_, err := super.ReactivateDepartment(t.Context(), &betterworksv1.ReactivateDepartmentRequest{
				DepartmentId: "00000000-0000-4000-8000-000000000000",
			})
			return err
		}, connect.CodeNotFound},
		{"deactivate_populated", func() error {
			_, err := super.DeactivateDepartment(t.Context(), &betterworksv1.DeactivateDepartmentRequest{
				DepartmentId: fmt.Sprint(fx.PopulatedDepartmentID),
			})
			return err
		}, connect.CodeInvalidArgument},
		{"create_unknown_parent", func() error {
			_, err := super.CreateDepartment(t.Context(), &betterworksv1.CreateDepartmentRequest{Name: "Orphan", ParentId: "999999999"})
			return err
		}, connect.CodeInvalidArgument},
		{"upsert_unknown_parent", func() error {
			_, err := super.UpsertDepartments(t.Context(), &betterworksv1.UpsertDepartmentsRequest{
				Departments: []*betterworksv1.DepartmentUpsert{{Name: "Orphan", ParentName: "No Such Parent"}},
			})
			return err
		}, connect.CodeInvalidArgument},
	})
}

func TestPeopleServiceTeams(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.People(facadetest.GRPCWeb, sandbox.RoleUser)
	fx := st.Sandbox.Fixtures()
	plain := st.Sandbox.UserFor(sandbox.RoleUser)

	mine, err := client.ListTeams(t.Context(), &betterworksv1.ListTeamsRequest{Type: betterworksv1.TeamAssociation_TEAM_ASSOCIATION_MY_TEAMS})
	if err != nil {
		t.Fatalf("ListTeams(my teams) error = %v", err)
	}
	wantQuery(t, st, "GET /teams/", url.Values{"type": {"myteams"}, "page": {"1"}})
	var found bool
	for _, team := range mine.GetTeams() {
		found = found || team.GetId() == fx.TeamID
		var member bool
		for _, m := range team.GetMembers() {
			member = member || m.GetId() == plain.ID
		}
		if !member {
			t.Errorf("ListTeams(my teams) returned team %d without the caller", team.GetId())
		}
	}
	if !found {
		t.Errorf("ListTeams(my teams) misses team %d", fx.TeamID)
	}

	after := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	all, err := client.ListTeams(t.Context(), &betterworksv1.ListTeamsRequest{
		Type: betterworksv1.TeamAssociation_TEAM_ASSOCIATION_ALL_TEAMS, ModifiedAfter: timestamppb.New(after), ModifiedBefore: timestamppb.New(after.AddDate(10, 0, 0)), PageSize: 50,
	})
	if err != nil {
		t.Fatalf("ListTeams(all teams) error = %v", err)
	}
	if len(all.GetTeams()) <= len(mine.GetTeams()) {
		t.Errorf("ListTeams(all teams) = %d teams, want more than the caller's %d", len(all.GetTeams()), len(mine.GetTeams()))
	}
	wantQuery(t, st, "GET /teams/", url.Values{
		"type": {"allteams"}, "delta_start": {"2020-05-06T07:08:09Z"}, "delta_end": {"2030-05-06T07:08:09Z"}, "page": {"1"}, "size": {"50"},
	})
	if _, err := client.ListTeams(t.Context(), &betterworksv1.ListTeamsRequest{}); err != nil {
		t.Fatalf("ListTeams(default) error = %v", err)
	}
	wantQuery(t, st, "GET /teams/", url.Values{"page": {"1"}})

	got, err := client.GetTeam(t.Context(), &betterworksv1.GetTeamRequest{TeamId: fmt.Sprint(fx.TeamID)})
	if err != nil {
		t.Fatalf("GetTeam() error = %v", err)
	}
	if team := got.GetTeam(); team.GetId() != fx.TeamID || team.GetUuid() == "" || team.GetName() == "" || len(team.GetMembers()) == 0 ||
		team.GetPictureUris().GetSmall() == "" || team.GetCreatedOn() == nil {
		t.Errorf("GetTeam() = %v; lost fields in translation", team)
	}
	_, err = client.GetTeam(t.Context(), &betterworksv1.GetTeamRequest{TeamId: "999999999"})
	if code := connect.CodeOf(err); code != connect.CodeNotFound {
		t.Errorf("GetTeam(unknown) code = %v, want %v", code, connect.CodeNotFound)
	}
}

func TestPeopleServiceAdminGroups(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.People(p, sandbox.RoleAdmin)
		user := st.People(p, sandbox.RoleUser)
		fx := st.Sandbox.Fixtures()

		after := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
		list, err := client.ListAdminGroups(t.Context(), &betterworksv1.ListAdminGroupsRequest{ModifiedAfter: timestamppb.New(after), PageSize: 2})
		if err != nil {
			t.Fatalf("ListAdminGroups() error = %v", err)
		}
		if len(list.GetAdminGroups()) != 2 || list.GetNextPageToken() == "" {
			t.Errorf("ListAdminGroups() = %d groups, token %q; want 2 and a next page", len(list.GetAdminGroups()), list.GetNextPageToken())
		}
		wantQuery(t, st, "GET /groups/", url.Values{"delta_start": {"2019-01-01T00:00:00Z"}, "page": {"1"}, "size": {"2"}})

		byID, err := client.GetAdminGroup(t.Context(), &betterworksv1.GetAdminGroupRequest{GroupId: fmt.Sprint(fx.AdminGroupID)})
		if err != nil {
			t.Fatalf("GetAdminGroup() error = %v", err)
		}
		g := byID.GetAdminGroup()
		if g.GetId() != fx.AdminGroupID || g.GetName() == "" || g.GetLastEdited() == nil || len(g.GetAttributes()) == 0 {
			t.Fatalf("GetAdminGroup() = %v; lost fields in translation", g)
		}
		for _, a := range g.GetAttributes() {
			values := a.GetValue().GetListValue().GetValues()
			if a.GetOperation() == "" || a.GetProperty() == "" || len(values) == 0 {
				t.Errorf("attribute %v, want operation, property and a list of values", a)
			}
			for _, v := range values {
				if fields := v.GetStructValue().GetFields(); fields["id"].GetNumberValue() == 0 || fields["name"].GetStringValue() == "" {
					t.Errorf("attribute value %v, want an object with id and name", v)
				}
			}
		}
		byUUID, err := client.GetAdminGroup(t.Context(), &betterworksv1.GetAdminGroupRequest{GroupId: g.GetUuid()})
		if err != nil || byUUID.GetAdminGroup().GetId() != g.GetId() {
			t.Errorf("GetAdminGroup(uuid) = %v, %v; want group %d", byUUID, err, g.GetId())
		}

		checkCodes(t, []codeCase{
			{"unknown_group", func() error {
				_, err := client.GetAdminGroup(t.Context(), &betterworksv1.GetAdminGroupRequest{GroupId: "999999999"})
				return err
			}, connect.CodeNotFound},
			{"plain_user_lists", func() error {
				_, err := user.ListAdminGroups(t.Context(), &betterworksv1.ListAdminGroupsRequest{})
				return err
			}, connect.CodePermissionDenied},
			{"plain_user_gets", func() error {
				_, err := user.GetAdminGroup(t.Context(), &betterworksv1.GetAdminGroupRequest{GroupId: fmt.Sprint(fx.AdminGroupID)})
				return err
			}, connect.CodePermissionDenied},
		})
	})
}

func TestPeopleServiceUpsertUsersPermissionDenied(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	for _, role := range []sandbox.Role{sandbox.RoleUser, sandbox.RoleAdmin} {
		_, err := st.People(facadetest.Connect, role).UpsertUsers(t.Context(), &betterworksv1.UpsertUsersRequest{
			DryRun: true,
			Users:  []*betterworksv1.UserUpsert{{Email: "a@acme.example", FirstName: "A", LastName: "B"}},
		})
		if got := connect.CodeOf(err); got != connect.CodePermissionDenied {
			t.Errorf("%v: UpsertUsers() code = %v, want %v", role, got, connect.CodePermissionDenied)
		}
	}
}

func TestPeopleServiceRejectsInvalidRequestsBeforeUpstream(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.People(p, sandbox.RoleSuperAdmin)
		row := func(edit func(*betterworksv1.UserUpsert)) *betterworksv1.UpsertUsersRequest {
			u := &betterworksv1.UserUpsert{Email: "a@acme.example", FirstName: "A", LastName: "B"}
			edit(u)
			return &betterworksv1.UpsertUsersRequest{Users: []*betterworksv1.UserUpsert{u}}
		}
		roles := func(rs ...*betterworksv1.RoleAssignmentUpdate) *betterworksv1.AssignRolesRequest {
			return &betterworksv1.AssignRolesRequest{Roles: rs}
		}
		valid := &betterworksv1.RoleAssignmentUpdate{UserId: "1", Role: betterworksv1.UserRole_USER_ROLE_ADMIN}
		refusedBeforeUpstream(t, st, []invalidCase{
			{"get_user_bad_id", func() error {
				_, err := client.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: "../goals/1"})
				return err
			}, "user_id"},
			{"list_users_page_size", func() error {
				_, err := client.ListUsers(t.Context(), &betterworksv1.ListUsersRequest{PageSize: 21})
				return err
			}, "page_size"},
			{"list_users_bad_manager", func() error {
				_, err := client.ListUsers(t.Context(), &betterworksv1.ListUsersRequest{ManagerId: "me"})
				return err
			}, "manager_id"},
			{"list_users_locale_undefined", func() error {
				_, err := client.ListUsers(t.Context(), &betterworksv1.ListUsersRequest{Locale: 99})
				return err
			}, "locale"},
			{"list_users_range_reversed", func() error {
				_, err := client.ListUsers(t.Context(), &betterworksv1.ListUsersRequest{
					ModifiedAfter: timestamppb.New(time.Unix(2e9, 0)), ModifiedBefore: timestamppb.New(time.Unix(1e9, 0)),
				})
				return err
			}, "list_users.modified_range"},
			{"list_users_bad_token", func() error {
				_, err := client.ListUsers(t.Context(), &betterworksv1.ListUsersRequest{PageToken: "nope"})
				return err
			}, "page_token"},
			{"search_query_too_short", func() error {
				_, err := client.SearchUsers(t.Context(), &betterworksv1.SearchUsersRequest{Query: "ab"})
				return err
			}, "query"},
			{"search_bad_goal", func() error {
				_, err := client.SearchUsers(t.Context(), &betterworksv1.SearchUsersRequest{Query: "abc", CanViewGoalId: "x1"})
				return err
			}, "can_view_goal_id"},
			{"upsert_no_rows", func() error {
				_, err := client.UpsertUsers(t.Context(), &betterworksv1.UpsertUsersRequest{DryRun: true})
				return err
			}, "users"},
			{"upsert_bw_null_literal", func() error {
				_, err := client.UpsertUsers(t.Context(), row(func(u *betterworksv1.UserUpsert) { u.Title = new("BW_NULL") }))
				return err
			}, "user_upsert.no_bw_null"},
			{"upsert_bw_null_disguised", func() error {
				_, err := client.UpsertUsers(t.Context(), row(func(u *betterworksv1.UserUpsert) { u.Custom_03 = new(" bw_null ") }))
				return err
			}, "user_upsert.no_bw_null"},
			{"upsert_bw_null_in_name", func() error {
				_, err := client.UpsertUsers(t.Context(), row(func(u *betterworksv1.UserUpsert) { u.LastName = "BW_NULL" }))
				return err
			}, "user_upsert.no_bw_null"},
			{"upsert_clear_and_set", func() error {
				_, err := client.UpsertUsers(t.Context(), row(func(u *betterworksv1.UserUpsert) {
					u.Phone = new("123")
					u.ClearFields = []betterworksv1.UserField{betterworksv1.UserField_USER_FIELD_PHONE}
				}))
				return err
			}, "user_upsert.clear_and_set"},
			{"upsert_clear_unspecified", func() error {
				_, err := client.UpsertUsers(t.Context(), row(func(u *betterworksv1.UserUpsert) {
					u.ClearFields = []betterworksv1.UserField{betterworksv1.UserField_USER_FIELD_UNSPECIFIED}
				}))
				return err
			}, "clear_fields"},
			{"upsert_missing_email", func() error {
				_, err := client.UpsertUsers(t.Context(), row(func(u *betterworksv1.UserUpsert) { u.Email = "" }))
				return err
			}, "email"},
			{"assign_no_roles", func() error {
				_, err := client.AssignRoles(t.Context(), roles())
				return err
			}, "roles"},
			{"assign_two_identifiers", func() error {
				_, err := client.AssignRoles(t.Context(), roles(valid, &betterworksv1.RoleAssignmentUpdate{
					UserId: "2", Email: "b@acme.example", Role: betterworksv1.UserRole_USER_ROLE_ADMIN,
				}))
				return err
			}, "roles[1]"},
			{"assign_no_identifier", func() error {
				_, err := client.AssignRoles(t.Context(), roles(valid, valid, &betterworksv1.RoleAssignmentUpdate{Role: betterworksv1.UserRole_USER_ROLE_NONE}))
				return err
			}, "roles[2]"},
			{"assign_group_admin_without_scope", func() error {
				_, err := client.AssignRoles(t.Context(), roles(&betterworksv1.RoleAssignmentUpdate{
					EmployeeId: "E1", Role: betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN,
				}))
				return err
			}, "role_assignment.group_admin_scope"},
			{"assign_no_role", func() error {
				_, err := client.AssignRoles(t.Context(), roles(&betterworksv1.RoleAssignmentUpdate{UserId: "1"}))
				return err
			}, "roles[0].role"},
			{"assign_bad_department_id", func() error {
				_, err := client.AssignRoles(t.Context(), roles(&betterworksv1.RoleAssignmentUpdate{
					UserId: "1", Role: betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN, DepartmentIds: []string{"0"},
				}))
				return err
			}, "roles[0].department_ids[0]"},
			{"list_departments_page_size", func() error {
				_, err := client.ListDepartments(t.Context(), &betterworksv1.ListDepartmentsRequest{PageSize: 101})
				return err
			}, "page_size"},
			{"create_department_no_name", func() error {
				_, err := client.CreateDepartment(t.Context(), &betterworksv1.CreateDepartmentRequest{})
				return err
			}, "name"},
			{"create_department_bad_parent", func() error {
				_, err := client.CreateDepartment(t.Context(), &betterworksv1.CreateDepartmentRequest{Name: "X", ParentId: "-1"})
				return err
			}, "parent_id"},
			{"update_department_bad_id", func() error {
				_, err := client.UpdateDepartment(t.Context(), &betterworksv1.UpdateDepartmentRequest{DepartmentId: "1/deactivate", Name: "X"})
				return err
			}, "department_id"},
			{"deactivate_department_missing_id", func() error {
				_, err := client.DeactivateDepartment(t.Context(), &betterworksv1.DeactivateDepartmentRequest{})
				return err
			}, "department_id"},
			{"reactivate_department_bad_id", func() error {
				_, err := client.ReactivateDepartment(t.Context(), &betterworksv1.ReactivateDepartmentRequest{DepartmentId: "abc"})
				return err
			}, "department_id"},
			{"upsert_departments_empty_name", func() error {
				_, err := client.UpsertDepartments(t.Context(), &betterworksv1.UpsertDepartmentsRequest{
					Departments: []*betterworksv1.DepartmentUpsert{{Name: "A"}, {ParentName: "A"}},
				})
				return err
			}, "departments[1].name"},
			{"list_teams_type_undefined", func() error {
				_, err := client.ListTeams(t.Context(), &betterworksv1.ListTeamsRequest{Type: 7})
				return err
			}, "type"},
			{"get_team_uuid", func() error {
				_, err := client.GetTeam(t.Context(), &betterworksv1.GetTeamRequest{TeamId: "659a21e1-4cb7-4ef8-a94e-7d63a56de3a3"})
				return err
			}, "team_id"},
			{"list_admin_groups_range_reversed", func() error {
				_, err := client.ListAdminGroups(t.Context(), &betterworksv1.ListAdminGroupsRequest{
					ModifiedAfter: timestamppb.New(time.Unix(2e9, 0)), ModifiedBefore: timestamppb.New(time.Unix(1e9, 0)),
				})
				return err
			}, "list_admin_groups.modified_range"},
			{"get_admin_group_bad_id", func() error {
				_, err := client.GetAdminGroup(t.Context(), &betterworksv1.GetAdminGroupRequest{GroupId: "0"})
				return err
			}, "group_id"},
			{"list_roles_page_size", func() error {
				_, err := client.ListRoleAssignments(t.Context(), &betterworksv1.ListRoleAssignmentsRequest{PageSize: -1})
				return err
			}, "page_size"},
		})
	})
}
