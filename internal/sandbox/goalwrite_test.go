package sandbox

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goalChildIDs returns the ids in a goal object's children.
func goalChildIDs(g map[string]any) []int64 {
	var out []int64
	for _, c := range g["children"].([]any) {
		out = append(out, int64(c.(map[string]any)["id"].(float64)))
	}
	return out
}

func TestCreateGoalFromTheReferenceExample(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	plain := api.sb.UserFor(RoleUser)
	parentUUID := api.get(RoleUser, fmt.Sprintf("/goals/%d/", fx.UserGoalID)).object(t)["uuid"].(string)
	b, err := os.ReadFile(filepath.Join("testdata", "reference", "request_create_goal.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReplacer(
		"646d0cbd-f47c-4d14-a6d0-cb9c62b4c68c", parentUUID,
		"8277ffa7-6e30-4989-8ac2-963160a45e43", plain.UUID,
		`["123", "456"]`, fmt.Sprintf(`["%d", %d]`, fx.CategoryID, fx.CategoryID+1),
	).Replace(string(b))

	ans := api.send(RoleUser, "POST", "/goals/", body)

	ans.wantStatus(t, "POST /goals/", http.StatusCreated)
	created := ans.object(t)
	if _, isDepartment := created["is_active"]; isDepartment || created["is_key_result"] != false {
		t.Fatalf("POST /goals/ answered %s, want the created goal", ans.body)
	}
	if created["name"] != "Goal One" || created["start"] != "2022-08-01" || created["end"] != "2022-12-31" {
		t.Errorf("created goal name/start/end = %v/%v/%v, want Goal One/2022-08-01/2022-12-31", created["name"], created["start"], created["end"])
	}
	if p := created["parent"].(map[string]any); p["id"] != float64(fx.UserGoalID) {
		t.Errorf("parent = %v, want goal %d", p, fx.UserGoalID)
	}
	if n := len(created["categories"].([]any)); n != 2 {
		t.Errorf("categories: %d, want 2", n)
	}
	children := goalChildIDs(created)
	if len(children) != 1 {
		t.Fatalf("children = %v, want one key result", children)
	}
	kr := api.get(RoleUser, fmt.Sprintf("/goals/%d/", children[0])).object(t)
	m := kr["measurement"].(map[string]any)
	if kr["is_key_result"] != true || m["type"] != "numeric" || m["target"] != 100.0 || kr["end"] != "2022-10-31" {
		t.Errorf("key result = %s", api.get(RoleUser, fmt.Sprintf("/goals/%d/", children[0])).body)
	}
	id := int64(created["id"].(float64))
	got := api.get(RoleSuperAdmin, fmt.Sprintf("/goals/%d/", id)).object(t)
	if got["uuid"] != created["uuid"] {
		t.Errorf("GET after create: uuid %v, want %v", got["uuid"], created["uuid"])
	}
	parent := api.get(RoleUser, fmt.Sprintf("/goals/%d/", fx.UserGoalID)).object(t)
	if !slices.Contains(goalChildIDs(parent), id) {
		t.Errorf("parent's children %v lack the new goal %d", goalChildIDs(parent), id)
	}
}

func TestCreateGoalValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	owner := api.sb.UserFor(RoleUser).ID
	valid := func(replace ...string) string {
		return strings.NewReplacer(replace...).Replace(createGoalBody(owner, "public"))
	}
	tests := []struct {
		name      string
		body      string
		wantField string
	}{
		{"missing_name", valid(`"name": "Sandbox goal", `, ""), "name"},
		{"blank_name", valid(`"Sandbox goal"`, `"  "`), "name"},
		{"missing_owner", valid(fmt.Sprintf(`"owner": {"user_id": %d}, `, owner), ""), "owner"},
		{"unknown_owner", valid(fmt.Sprintf(`"user_id": %d`, owner), `"user_id": 999999`), "owner"},
		{"iso_start_date", valid(`"01/01/2025"`, `"2025-01-01"`), "start"},
		{"missing_end", valid(`, "end": "03/31/2025"`, ""), "end"},
		{"end_before_start", valid(`"03/31/2025"`, `"12/31/2024"`), "end"},
		{"bad_visibility", valid(`"public"`, `"secret"`), "visibility"},
		{"missing_visibility", valid(`"visibility": "public",`, ""), "visibility"},
		{"missing_creation_source", valid(`"creation_source": "manual",`, ""), "creation_source"},
		{"missing_type", valid(`, "type": "avgofprogress"`, ""), "type"},
		{"unit_required_for_manualprogress", valid(`"avgofprogress"`, `"manualprogress"`), "unit"},
		{"limits_required_for_sumofrange", valid(`"avgofprogress"`, `"sumofrange", "unit": "USD"`), "lower_limit"},
		{"unknown_category", valid(`"type"`, `"categories": [99999], "type"`), "categories"},
		{"unknown_parent", valid(`"type"`, `"parent": 99999, "type"`), "parent"},
		{"target_not_a_number", valid(`"type"`, `"target": "lots", "type"`), "target"},
		{"key_result_missing_target", valid(`"type"`, fmt.Sprintf(`"key_results": [{"name": "KR", "owner": {"user_id": %d}, "type": "binary"}], "type"`, owner)), "key_results"},
		{"key_result_unit_for_numeric", valid(`"type"`, fmt.Sprintf(`"key_results": [{"name": "KR", "owner": {"user_id": %d}, "type": "numeric", "target": 5}], "type"`, owner)), "key_results"},
		{"key_result_bad_type", valid(`"type"`, fmt.Sprintf(`"key_results": [{"name": "KR", "owner": {"user_id": %d}, "type": "avgofprogress", "target": 5}], "type"`, owner)), "key_results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.send(RoleUser, "POST", "/goals/", tt.body)
			ans.wantStatus(t, "POST /goals/", http.StatusBadRequest)
			if _, ok := ans.object(t)[tt.wantField]; !ok {
				t.Errorf("POST /goals/ %s: body %s does not name %q", tt.name, ans.body, tt.wantField)
			}
		})
	}
}

func TestUpdateGoal(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	path := fmt.Sprintf("/goals/%d/", fx.UserGoalID)

	// Fields, and a key result renamed by id, created and deleted at once.
	body := fmt.Sprintf(`{"description": "Updated", "end": "12/31/2030", "visibility": "private", "key_results": [
		{"id": %d, "name": "Renamed KR"},
		{"create": true, "name": "New KR", "type": "numeric", "target": 10, "unit": "Deploys"},
		{"id": %d, "delete": true}]}`, fx.UserBinaryKeyResultID, fx.UserNumericKeyResultID)
	ans := api.send(RoleUser, "PUT", path, body)
	ans.wantStatus(t, "PUT "+path, http.StatusOK)
	updated := ans.object(t)
	if updated["description"] != "Updated" || updated["end"] != "2030-12-31" || updated["visibility"] != "private" {
		t.Errorf("PUT answered description/end/visibility %v/%v/%v", updated["description"], updated["end"], updated["visibility"])
	}
	children := goalChildIDs(updated)
	if len(children) != 2 || children[0] != fx.UserBinaryKeyResultID {
		t.Fatalf("children after update = %v, want the binary key result and a new one", children)
	}
	renamed := api.get(RoleUser, fmt.Sprintf("/goals/%d/", fx.UserBinaryKeyResultID)).object(t)
	if renamed["name"] != "Renamed KR" || renamed["visibility"] != "private" {
		t.Errorf("key result name/visibility = %v/%v, want Renamed KR/private", renamed["name"], renamed["visibility"])
	}
	newKR := api.get(RoleUser, fmt.Sprintf("/goals/%d/", children[1])).object(t)
	if newKR["name"] != "New KR" || newKR["is_key_result"] != true || newKR["measurement"].(map[string]any)["unit"] != "Deploys" {
		t.Errorf("created key result = %v", newKR)
	}
	api.get(RoleUser, fmt.Sprintf("/goals/%d/", fx.UserNumericKeyResultID)).wantStatus(t, "GET deleted key result", http.StatusNotFound)
	if again := api.get(RoleSuperAdmin, path).object(t); again["description"] != "Updated" {
		t.Errorf("GET after PUT: description %v", again["description"])
	}
}

func TestUpdateGoalValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	tests := []struct {
		name      string
		id        int64
		body      string
		wantField string
	}{
		{"foreign_key_result", fx.UserGoalID, fmt.Sprintf(`{"key_results": [{"id": %d, "name": "x"}]}`, fx.OtherPrivateGoalID), "key_results"},
		{"key_result_without_id", fx.UserGoalID, `{"key_results": [{"name": "x"}]}`, "key_results"},
		{"create_and_delete", fx.UserGoalID, `{"key_results": [{"create": true, "delete": true, "name": "x", "type": "binary", "target": 1}]}`, "key_results"},
		{"align_below_itself", fx.UserGoalID, fmt.Sprintf(`{"parent": %d}`, fx.UserGoalID), "parent"},
		{"iso_date", fx.UserGoalID, `{"start": "2025-01-01"}`, "start"},
		{"key_results_on_a_key_result", fx.UserBinaryKeyResultID, `{"key_results": []}`, "key_results"},
		{"goal_type_on_a_key_result", fx.UserBinaryKeyResultID, `{"type": "avgofprogress"}`, "type"},
		{"bad_attribute_scope", fx.UserGoalID, `{"attribute_scope": "cosmic"}`, "attribute_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.send(RoleUser, "PUT", fmt.Sprintf("/goals/%d/", tt.id), tt.body)
			ans.wantStatus(t, "PUT", http.StatusBadRequest)
			if _, ok := ans.object(t)[tt.wantField]; !ok {
				t.Errorf("body %s does not name %q", ans.body, tt.wantField)
			}
		})
	}
}

func TestDeleteGoal(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	goal := api.get(RoleUser, fmt.Sprintf("/goals/%d/", fx.UserGoalID)).object(t)
	parentID := int64(goal["parent"].(map[string]any)["id"].(float64))

	ans := api.send(RoleUser, "DELETE", fmt.Sprintf("/goals/%d/", fx.UserGoalID), "")

	ans.wantStatus(t, "DELETE", http.StatusNoContent)
	if len(ans.body) != 0 {
		t.Errorf("DELETE answered a body: %q", ans.body)
	}
	for _, id := range []int64{fx.UserGoalID, fx.UserBinaryKeyResultID, fx.UserNumericKeyResultID} {
		api.get(RoleSuperAdmin, fmt.Sprintf("/goals/%d/", id)).wantStatus(t, "GET after DELETE", http.StatusNotFound)
	}
	parent := api.get(RoleSuperAdmin, fmt.Sprintf("/goals/%d/", parentID)).object(t)
	if slices.Contains(goalChildIDs(parent), fx.UserGoalID) {
		t.Errorf("parent %d still lists the deleted goal", parentID)
	}
	api.send(RoleUser, "DELETE", fmt.Sprintf("/goals/%d/", fx.UserGoalID), "").wantStatus(t, "DELETE again", http.StatusNotFound)
}

func TestCheckIn(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	goalPath := fmt.Sprintf("/goals/%d/", fx.UserGoalID)
	progress := func(path string) float64 {
		return api.get(RoleUser, path).object(t)["measurement"].(map[string]any)["progress"].(float64)
	}

	ans := api.send(RoleUser, "POST", fmt.Sprintf("/goals/%d/checkin/", fx.UserNumericKeyResultID), `{"value": 18.6, "target": 30}`)

	ans.wantStatus(t, "check-in", http.StatusOK)
	parent := ans.object(t)
	if parent["id"] != float64(fx.UserGoalID) {
		t.Fatalf("check-in answered goal %v, want the parent %d", parent["id"], fx.UserGoalID)
	}
	kr := api.get(RoleUser, fmt.Sprintf("/goals/%d/", fx.UserNumericKeyResultID)).object(t)
	m := kr["measurement"].(map[string]any)
	if m["current"] != 18.6 || m["target"] != 30.0 || m["progress"] != 0.62 || kr["last_checkedin"] == nil {
		t.Errorf("key result after check-in: current %v target %v progress %v last_checkedin %v; want 18.6, 30, 0.62, set",
			m["current"], m["target"], m["progress"], kr["last_checkedin"])
	}
	binaryProgress := progress(fmt.Sprintf("/goals/%d/", fx.UserBinaryKeyResultID))
	if got, want := parent["measurement"].(map[string]any)["progress"], round((0.62+binaryProgress)/2, 4); got != want {
		t.Errorf("parent progress = %v, want the mean of its key results %v", got, want)
	}

	api.send(RoleUser, "POST", fmt.Sprintf("/goals/%d/checkin/", fx.UserBinaryKeyResultID), `{"done": true}`).
		wantStatus(t, "binary check-in", http.StatusOK)
	if got := progress(fmt.Sprintf("/goals/%d/", fx.UserBinaryKeyResultID)); got != 1 {
		t.Errorf("binary key result progress = %v after done, want 1", got)
	}
	if got := progress(goalPath); got != 0.81 {
		t.Errorf("goal progress = %v after both check-ins, want 0.81", got)
	}
}

func TestCheckInValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	tests := []struct {
		name string
		id   int64
		body string
	}{
		{"empty", fx.UserNumericKeyResultID, `{}`},
		{"value_not_a_number", fx.UserNumericKeyResultID, `{"value": "lots"}`},
		{"done_not_a_boolean", fx.UserBinaryKeyResultID, `{"done": "maybe"}`},
		{"target_not_a_number", fx.UserNumericKeyResultID, `{"value": 1, "target": []}`},
		{"done_on_metric", fx.UserNumericKeyResultID, `{"done": true}`},
		{"value_on_binary", fx.UserBinaryKeyResultID, `{"value": 3}`},
		{"derived_goal", fx.UserGoalID, `{"value": 3}`},
		{"malformed", fx.UserNumericKeyResultID, `{"value": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.send(RoleUser, "POST", fmt.Sprintf("/goals/%d/checkin/", tt.id), tt.body)
			ans.wantStatus(t, "check-in "+tt.body, http.StatusBadRequest)
			if len(ans.object(t)) == 0 {
				t.Errorf("400 without a message")
			}
		})
	}
}
