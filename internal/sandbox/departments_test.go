package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

func TestDeactivateDepartment(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()

	refused := api.send(RoleSuperAdmin, "POST", fmt.Sprintf("/departments/%d/deactivate/", fx.PopulatedDepartmentID), "")
	refused.wantStatus(t, "deactivate a department with members", http.StatusBadRequest)
	if _, ok := refused.object(t)["error"]; !ok {
		t.Errorf("refusal body %s has no error", refused.body)
	}

	ans := api.send(RoleSuperAdmin, "POST", fmt.Sprintf("/departments/%d/deactivate/", fx.EmptyDepartmentID), "")
	ans.wantStatus(t, "deactivate an empty department", http.StatusOK)
	if got := ans.object(t)["is_active"]; got != false {
		t.Errorf("is_active = %v after deactivation", got)
	}
	active := api.listAll(RoleSuperAdmin, "/departments/")
	everything := api.listAll(RoleSuperAdmin, "/departments/?include_deactivated=true")
	if slices.Contains(active, fx.EmptyDepartmentID) || !slices.Contains(everything, fx.EmptyDepartmentID) {
		t.Errorf("deactivated department listed by default %v, with include_deactivated %v",
			slices.Contains(active, fx.EmptyDepartmentID), slices.Contains(everything, fx.EmptyDepartmentID))
	}

	ans = api.send(RoleSuperAdmin, "POST", fmt.Sprintf("/departments/%d/reactivate/", fx.EmptyDepartmentID), "")
	ans.wantStatus(t, "reactivate", http.StatusOK)
	if got := ans.object(t)["is_active"]; got != true {
		t.Errorf("is_active = %v after reactivation", got)
	}
	if !slices.Contains(api.listAll(RoleSuperAdmin, "/departments/"), fx.EmptyDepartmentID) {
		t.Errorf("reactivated department is not listed")
	}
	api.send(RoleSuperAdmin, "POST", "/departments/99999/deactivate/", "").wantStatus(t, "unknown department", http.StatusNotFound)
}

func TestCreateAndUpdateDepartment(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	ans := api.send(RoleSuperAdmin, "POST", "/departments/", fmt.Sprintf(`{"name": "Robotics", "parent_id": %d}`, fx.AdminDepartmentID))
	ans.wantStatus(t, "create", http.StatusCreated)
	created := ans.object(t)
	id := int64(created["id"].(float64))
	if idOf(created["parent"]) != fx.AdminDepartmentID {
		t.Errorf("parent = %v, want %d", created["parent"], fx.AdminDepartmentID)
	}
	api.send(RoleSuperAdmin, "POST", "/departments/", `{"name": "Robotics"}`).wantStatus(t, "duplicate name", http.StatusBadRequest)
	api.send(RoleSuperAdmin, "POST", "/departments/", `{"name": "Orphan", "parent_id": 99999}`).wantStatus(t, "unknown parent", http.StatusBadRequest)

	ans = api.send(RoleSuperAdmin, "PUT", fmt.Sprintf("/departments/%d/", id), `{"name": "Robotics & AI", "parent_id": null}`)
	ans.wantStatus(t, "update", http.StatusOK)
	if got := ans.object(t); got["name"] != "Robotics & AI" || got["parent"] != nil {
		t.Errorf("updated department = %s", ans.body)
	}
	api.send(RoleSuperAdmin, "PUT", fmt.Sprintf("/departments/%d/", fx.AdminDepartmentID),
		fmt.Sprintf(`{"name": "Engineering", "parent_id": %d}`, fx.PopulatedDepartmentID)).wantStatus(t, "parent below itself", http.StatusBadRequest)
	api.send(RoleSuperAdmin, "PUT", fmt.Sprintf("/departments/%d/", id), `{"parent_id": null}`).wantStatus(t, "missing name", http.StatusBadRequest)
	var all page
	api.get(RoleSuperAdmin, "/departments/?size=100").decode(t, &all)
	if !slices.Contains(all.ids(), id) {
		t.Errorf("created department %d is not listed", id)
	}
}

func TestBulkDepartments(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	before := api.listAll(RoleSuperAdmin, "/departments/?include_deactivated=true")

	bad := api.send(RoleSuperAdmin, "POST", "/departments/bulk/", `{"departments": [{"name": "Ops"}, {"name": "Ops East", "parent": "Nowhere"}]}`)
	bad.wantStatus(t, "bulk with an unknown parent", http.StatusBadRequest)
	if got := len(api.listAll(RoleSuperAdmin, "/departments/?include_deactivated=true")); got != len(before) {
		t.Errorf("a refused bulk request changed the departments: %d, want %d", got, len(before))
	}
	loop := api.send(RoleSuperAdmin, "POST", "/departments/bulk/", `{"departments": [{"name": "Engineering", "parent": "Platform"}]}`)
	loop.wantStatus(t, "bulk making a loop", http.StatusBadRequest)

	ans := api.send(RoleSuperAdmin, "POST", "/departments/bulk/",
		`{"departments": [{"name": "Legal", "parent": "Ops"}, {"name": "Ops", "parent": "Finance"}, {"name": "Ops West", "parent": "Ops"}]}`)
	ans.wantStatus(t, "bulk", http.StatusOK)
	got := ans.object(t)
	if got["created"] != 2.0 || got["updated"] != 1.0 {
		t.Errorf("bulk answered %s, want created 2, updated 1", ans.body)
	}
	var list page
	api.get(RoleSuperAdmin, "/departments/?size=100").decode(t, &list)
	parents := map[string]string{}
	for _, d := range list.Results {
		parent := ""
		if p, ok := d["parent"].(map[string]any); ok {
			parent = p["name"].(string)
		}
		parents[d["name"].(string)] = parent
	}
	if parents["Legal"] != "Ops" || parents["Ops"] != "Finance" || parents["Ops West"] != "Ops" {
		t.Errorf("parents after bulk: Legal %q, Ops %q, Ops West %q", parents["Legal"], parents["Ops"], parents["Ops West"])
	}
}
