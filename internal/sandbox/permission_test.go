package sandbox

import (
	"fmt"
	"slices"
	"testing"
)

// TestPermissions walks the permission table of permission.go.
func TestPermissions(t *testing.T) {
	t.Parallel()
	probe := New(Config{Seed: 1})
	fx := probe.Fixtures()
	plain, other := probe.UserFor(RoleUser), fx.OtherUserID
	sales := probe.st.departmentByName("Sales").id
	bulkUser := fmt.Sprintf(`{"users": [{"email": "new.hire@%s", "first_name": "New", "last_name": "Hire"}]}`, orgDomain)
	tests := []struct {
		name       string
		role       Role
		method     string
		path       string
		body       string
		wantStatus int
	}{
		{"user_lists_departments", RoleUser, "GET", "/departments/", "", 403},
		{"user_lists_groups", RoleUser, "GET", "/groups/", "", 403},
		{"user_gets_group", RoleUser, "GET", fmt.Sprintf("/groups/%d/", fx.AdminGroupID), "", 403},
		{"user_lists_roles", RoleUser, "GET", "/users/roles/", "", 403},
		{"user_lists_report_runs", RoleUser, "GET", "/report_runs/", "", 403},
		{"user_gets_report_run", RoleUser, "GET", fmt.Sprintf("/report_runs/%d/", fx.SucceededReportRunID), "", 403},
		{"user_creates_report_run", RoleUser, "POST", "/report_runs/", `{"report": "all_goals", "start": "2024-01-01", "end": "2024-01-31"}`, 403},
		{"user_bulk_upserts_users", RoleUser, "POST", "/users/bulk/", bulkUser, 403},
		{"user_assigns_roles", RoleUser, "PUT", "/users/roles/", `{"roles": []}`, 403},
		{"user_creates_department", RoleUser, "POST", "/departments/", `{"name": "Mine"}`, 403},
		{"user_reads_users", RoleUser, "GET", "/users/", "", 200},
		{"user_reads_teams", RoleUser, "GET", "/teams/", "", 200},
		{"user_reads_recognitions", RoleUser, "GET", "/recognitions/", "", 200},
		{"user_reads_templates", RoleUser, "GET", "/conversations/templates/", "", 200},
		{"user_reads_own_feedback", RoleUser, "GET", fmt.Sprintf("/feedback/?for_user_id=%d", plain.ID), "", 200},
		{"user_reads_others_feedback", RoleUser, "GET", fmt.Sprintf("/feedback/?for_user_id=%d", other), "", 403},
		{"user_gets_own_private_goal", RoleUser, "GET", fmt.Sprintf("/goals/%d/", fx.UserPrivateGoalID), "", 200},
		{"user_gets_others_private_goal", RoleUser, "GET", fmt.Sprintf("/goals/%d/", fx.OtherPrivateGoalID), "", 404},
		{"user_comments_of_others_private_goal", RoleUser, "GET", fmt.Sprintf("/goals/%d/comments", fx.OtherPrivateGoalID), "", 404},
		{"user_assessments_of_others_private_goal", RoleUser, "GET", fmt.Sprintf("/goals/%d/assessments/", fx.OtherPrivateGoalID), "", 404},
		{"user_updates_others_private_goal", RoleUser, "PUT", fmt.Sprintf("/goals/%d/", fx.OtherPrivateGoalID), `{"name": "mine"}`, 404},
		{"user_deletes_others_private_goal", RoleUser, "DELETE", fmt.Sprintf("/goals/%d/", fx.OtherPrivateGoalID), "", 404},
		{"user_checks_in_others_private_goal", RoleUser, "POST", fmt.Sprintf("/goals/%d/checkin/", fx.OtherPrivateGoalID), `{"value": 1}`, 404},
		{"user_updates_company_goal", RoleUser, "PUT", fmt.Sprintf("/goals/%d/", fx.TopCompanyGoalID), `{"name": "mine"}`, 403},
		{"user_deletes_company_goal", RoleUser, "DELETE", fmt.Sprintf("/goals/%d/", fx.TopCompanyGoalID), "", 403},
		{"user_creates_goal_for_other", RoleUser, "POST", "/goals/", createGoalBody(other, "public"), 403},
		{"user_creates_own_goal", RoleUser, "POST", "/goals/", createGoalBody(plain.ID, "public"), 201},
		{"superadmin_gets_others_private_goal", RoleSuperAdmin, "GET", fmt.Sprintf("/goals/%d/", fx.OtherPrivateGoalID), "", 200},
		{"hradmin_gets_others_private_goal", RoleHRAdmin, "GET", fmt.Sprintf("/goals/%d/", fx.OtherPrivateGoalID), "", 404},
		{"admin_gets_others_private_goal", RoleAdmin, "GET", fmt.Sprintf("/goals/%d/", fx.OtherPrivateGoalID), "", 404},
		{"hradmin_lists_departments", RoleHRAdmin, "GET", "/departments/", "", 200},
		{"hradmin_creates_department", RoleHRAdmin, "POST", "/departments/", `{"name": "HR made"}`, 403},
		{"hradmin_assigns_roles", RoleHRAdmin, "PUT", "/users/roles/", `{"roles": []}`, 403},
		{"hradmin_bulk_upserts_users", RoleHRAdmin, "POST", "/users/bulk/", bulkUser, 200},
		{"hradmin_reads_others_feedback", RoleHRAdmin, "GET", fmt.Sprintf("/feedback/?for_user_id=%d", other), "", 200},
		{"admin_updates_department_in_scope", RoleAdmin, "PUT", fmt.Sprintf("/departments/%d/", fx.PopulatedDepartmentID), `{"name": "Platform"}`, 200},
		{"admin_updates_department_out_of_scope", RoleAdmin, "PUT", fmt.Sprintf("/departments/%d/", sales), `{"name": "Sales"}`, 403},
		{"admin_creates_department_in_scope", RoleAdmin, "POST", "/departments/", fmt.Sprintf(`{"name": "Infra", "parent_id": %d}`, fx.PopulatedDepartmentID), 201},
		{"admin_creates_top_level_department", RoleAdmin, "POST", "/departments/", `{"name": "Infra"}`, 403},
		{"admin_bulk_upserts_departments", RoleAdmin, "POST", "/departments/bulk/", `{"departments": [{"name": "X"}]}`, 403},
		{"admin_bulk_upserts_users", RoleAdmin, "POST", "/users/bulk/", bulkUser, 403},
		{"admin_lists_roles", RoleAdmin, "GET", "/users/roles/", "", 200},
		{"admin_runs_restricted_report", RoleAdmin, "POST", "/report_runs/", fmt.Sprintf(`{"report": "conversation_answers", "template": %d, "start": "2024-01-01", "end": "2024-01-31"}`, fx.ConversationTemplateID), 403},
		{"admin_runs_goal_report", RoleAdmin, "POST", "/report_runs/", `{"report": "all_goals", "start": "2024-01-01", "end": "2024-01-31"}`, 201},
		{"hradmin_runs_restricted_report", RoleHRAdmin, "POST", "/report_runs/", fmt.Sprintf(`{"report": "feedback_answers", "template": %d, "start": "2024-01-01", "end": "2024-01-31"}`, fx.FeedbackTemplateID), 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t, Config{Seed: 1})

			ans := api.send(tt.role, tt.method, tt.path, tt.body)

			ans.wantStatus(t, tt.method+" "+tt.path+" as "+tt.role.String(), tt.wantStatus)
		})
	}
}

// createGoalBody is a minimal valid POST /goals/ body for owner.
func createGoalBody(owner int64, visibility string) string {
	return fmt.Sprintf(`{"name": "Sandbox goal", "owner": {"user_id": %d}, "start": "01/01/2025", "end": "03/31/2025",
		"visibility": %q, "creation_source": "manual", "type": "avgofprogress"}`, owner, visibility)
}

func TestPrivateGoalsStayPrivateInLists(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	tests := []struct {
		role        Role
		wantOwn     bool
		wantOthers  bool
		description string
	}{
		{RoleUser, true, false, "the owner sees its private goal, not another's"},
		{RoleHRAdmin, false, false, "an HR admin sees no one's private goals"},
		{RoleAdmin, false, false, "an admin sees no one's private goals"},
		{RoleSuperAdmin, true, true, "a super admin sees every goal"},
	}
	for _, tt := range tests {
		t.Run(tt.role.String(), func(t *testing.T) {
			t.Parallel()
			ids := api.listAll(tt.role, "/goals/filter/")
			gotOwn, gotOthers := slices.Contains(ids, fx.UserPrivateGoalID), slices.Contains(ids, fx.OtherPrivateGoalID)
			if gotOwn != tt.wantOwn || gotOthers != tt.wantOthers {
				t.Errorf("%s: filter lists the plain user's private goal %v (want %v), another's %v (want %v)",
					tt.description, gotOwn, tt.wantOwn, gotOthers, tt.wantOthers)
			}
		})
	}
}

func TestUserSeesOnlyItsOwnPeopleRecords(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	me := api.sb.UserFor(RoleUser).ID
	var convs page
	api.get(RoleUser, fmt.Sprintf("/conversations/?deployment_id=%d&size=100", fx.DeploymentID)).decode(t, &convs)
	if len(convs.Results) == 0 {
		t.Fatalf("the plain user sees none of its conversations")
	}
	for _, c := range convs.Results {
		employee, manager := c["employee"].(map[string]any)["id"], c["manager"].(map[string]any)["id"]
		if employee != float64(me) && manager != float64(me) && !hasContributor(c, me) {
			t.Errorf("the plain user sees conversation %v between %v and %v", c["id"], manager, employee)
		}
	}
	var all page
	api.get(RoleHRAdmin, fmt.Sprintf("/conversations/?deployment_id=%d&size=100", fx.DeploymentID)).decode(t, &all)
	if len(all.Results) <= len(convs.Results) {
		t.Errorf("HR admin sees %d conversations, plain user %d; want more for HR", len(all.Results), len(convs.Results))
	}
	var requests page
	api.get(RoleUser, "/feedback/requests/?size=100").decode(t, &requests)
	for _, r := range requests.Results {
		parties := []any{r["from_user"], r["for_user"], r["requested_by"], r["created_by"]}
		if !slices.ContainsFunc(parties, func(p any) bool { return p.(map[string]any)["id"] == float64(me) }) {
			t.Errorf("the plain user sees feedback request %v it is no party to", r["id"])
		}
	}
}

func hasContributor(c map[string]any, id int64) bool {
	for _, x := range c["contributors"].([]any) {
		if x.(map[string]any)["user"].(map[string]any)["id"] == float64(id) {
			return true
		}
	}
	return false
}
