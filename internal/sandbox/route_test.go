package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestRouting(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	u := api.sb.UserFor(RoleUser)
	goalUUID := api.get(RoleSuperAdmin, fmt.Sprintf("/goals/%d/", fx.UserGoalID)).object(t)["uuid"].(string)
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantAllow  string
	}{
		{"unknown_path", "GET", "/nothing/here/", 404, ""},
		{"outside_api", "GET", "/../v2/users/", 404, ""},
		{"wrong_method", "POST", "/users/", 405, "GET"},
		{"wrong_method_goal", "PATCH", fmt.Sprintf("/goals/%d/", fx.UserGoalID), 405, "DELETE, GET, PUT"},
		{"wrong_method_literal_wins", "PUT", "/departments/bulk/", 405, "POST"},
		{"comments_without_slash", "GET", fmt.Sprintf("/goals/%d/comments", fx.UserGoalID), 200, ""},
		{"comments_with_slash", "GET", fmt.Sprintf("/goals/%d/comments/", fx.UserGoalID), 200, ""},
		{"feedback_template_without_slash", "GET", fmt.Sprintf("/feedback/templates/%d", fx.FeedbackTemplateID), 200, ""},
		{"feedback_template_with_slash", "GET", fmt.Sprintf("/feedback/templates/%d/", fx.FeedbackTemplateID), 200, ""},
		{"roles_without_slash", "GET", "/users/roles", 200, ""},
		{"filter_is_not_a_goal_id", "GET", "/goals/filter/", 200, ""},
		{"goal_by_uuid", "GET", "/goals/" + goalUUID + "/", 200, ""},
		{"goal_not_an_id", "GET", "/goals/abc/", 404, ""},
		{"user_by_email", "GET", "/users/" + u.Email + "/", 200, ""},
		{"user_by_uuid", "GET", "/users/" + u.UUID + "/", 200, ""},
		{"user_unknown", "GET", "/users/99999/", 404, ""},
		{"team_by_uuid_is_not_accepted", "GET", "/teams/8c9e0068-ea7d-409f-87f2-fd67b9jl2638/", 404, ""},
		{"report_run_by_uuid_is_not_accepted", "GET", "/report_runs/8c9e0068-ea7d-409f-87f2-fd67b9jl2638/", 404, ""},
		{"id_of_another_kind", "GET", fmt.Sprintf("/goals/%d/", u.ID), 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.send(RoleSuperAdmin, tt.method, tt.path, "")
			if ans.status != tt.wantStatus {
				t.Fatalf("%s %s status = %d, want %d: %s", tt.method, tt.path, ans.status, tt.wantStatus, ans.body)
			}
			ans.object(t) // every answer is a JSON object
			if got := ans.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	huge := `{"name": "` + strings.Repeat("x", maxBody) + `"}`
	tests := []struct {
		name       string
		path       string
		body       string
		wantStatus int
		wantKey    string
	}{
		{"too_large", "/departments/", huge, http.StatusRequestEntityTooLarge, "detail"},
		{"malformed", "/departments/", `{"name": "x",}`, 400, "detail"},
		{"not_an_object", "/departments/", `["x"]`, 400, "non_field_errors"},
		{"wrong_type", "/departments/", `{"name": 5}`, 400, "name"},
		{"empty_body_misses_fields", "/departments/", "", 400, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.send(RoleSuperAdmin, "POST", tt.path, tt.body)
			ans.wantStatus(t, "POST "+tt.path, tt.wantStatus)
			if _, ok := ans.object(t)[tt.wantKey]; !ok {
				t.Errorf("body %s has no %q", ans.body, tt.wantKey)
			}
		})
	}
}
