package sandbox

import (
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRecordFilters covers the filters of conversations, feedback,
// feedback requests, recognitions and templates: every result must match.
func TestRecordFilters(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	plain := api.sb.UserFor(RoleUser)
	tests := []struct {
		name string
		path string
		want func(r map[string]any) bool
	}{
		{"conversations_by_employee", fmt.Sprintf("/conversations/?deployment_id=%d&employee_id=%d", fx.DeploymentID, plain.ID),
			func(r map[string]any) bool { return idOf(r["employee"]) == plain.ID }},
		{"conversations_by_manager", fmt.Sprintf("/conversations/?deployment_id=%d&manager_id=%d", fx.DeploymentID, plain.ManagerID),
			func(r map[string]any) bool { return idOf(r["manager"]) == plain.ManagerID }},
		{"conversations_of_deployment", fmt.Sprintf("/conversations/?deployment_id=%d", fx.DeploymentID),
			func(r map[string]any) bool { return idOf(map[string]any{"id": r["deployment_id"]}) == fx.DeploymentID }},
		{"templates_by_type", "/conversations/templates/?type=adhoc", func(r map[string]any) bool { return r["type"] == "adhoc" }},
		{"templates_disabled", "/conversations/templates/?enabled=false", func(r map[string]any) bool { return r["enabled"] == false }},
		{"feedback_templates_by_type", "/feedback/templates/?type=adhoc_give", func(r map[string]any) bool { return r["type"] == "adhoc_give" }},
		{"feedback_for_user", fmt.Sprintf("/feedback/?for_user_id=%d", plain.ID), func(r map[string]any) bool { return idOf(r["for_user"]) == plain.ID }},
		{"feedback_for_cycle", fmt.Sprintf("/feedback/?cycle_id=%d", fx.FeedbackCycleID), func(r map[string]any) bool { return r["cycle_id"] == float64(fx.FeedbackCycleID) }},
		{"feedback_for_user_and_cycle", fmt.Sprintf("/feedback/?cycle_id=%d&for_user_id=%s", fx.FeedbackCycleID, plain.UUID), func(r map[string]any) bool {
			return r["cycle_id"] == float64(fx.FeedbackCycleID) && idOf(r["for_user"]) == plain.ID
		}},
		{"requests_declined", "/feedback/requests/?declined=true", func(r map[string]any) bool { return r["declined"] == true }},
		{"requests_not_declined", "/feedback/requests/?declined=false", func(r map[string]any) bool { return r["declined"] != true }},
		{"requests_adhoc", "/feedback/requests/?is_adhoc=true", func(r map[string]any) bool { return r["adhoc_cycle"] != nil }},
		{"requests_scheduled", "/feedback/requests/?is_adhoc=false", func(r map[string]any) bool { return r["adhoc_cycle"] == nil }},
		{"requests_open", "/feedback/requests/?is_open=true", func(r map[string]any) bool {
			return r["expired"] == nil && r["declined"] != true && r["status"].(float64) <= 1
		}},
		{"requests_with_questions", "/feedback/requests/?questions=true", func(r map[string]any) bool { _, ok := r["questions"]; return ok }},
		{"requests_without_questions", "/feedback/requests/", func(r map[string]any) bool { _, ok := r["questions"]; return !ok }},
		{"requests_for_user", fmt.Sprintf("/feedback/requests/?for_user=%d", plain.ID), func(r map[string]any) bool { return idOf(r["for_user"]) == plain.ID }},
		{"requests_cycle", fmt.Sprintf("/feedback/requests/?cycle=%d", fx.FeedbackCycleID), func(r map[string]any) bool { return idOf(r["cycle"]) == fx.FeedbackCycleID }},
		{"recognitions_hashtag", "/recognitions/?hashtag=%23" + fx.HashtagName, func(r map[string]any) bool {
			for _, h := range r["hashtags"].([]any) {
				if h.(map[string]any)["name"] == fx.HashtagName {
					return true
				}
			}
			return false
		}},
		{"recognitions_for_group", fmt.Sprintf("/recognitions/?for_group_id=%d", fx.PopulatedDepartmentID), func(r map[string]any) bool {
			return idOf(r["for_group"]) == fx.PopulatedDepartmentID && r["for_user"] == nil
		}},
		{"recognitions_dates", "/recognitions/?start_date=2024-06-01&end_date=2024-06-30", func(r map[string]any) bool {
			c := r["created_on"].(string)
			return c >= "2024-06-01" && c < "2024-07-01"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p page
			ans := api.get(RoleSuperAdmin, tt.path+sizeParam(tt.path))
			ans.wantStatus(t, "GET "+tt.path, http.StatusOK)
			ans.decode(t, &p)
			if len(p.Results) == 0 {
				t.Fatalf("GET %s selected nothing", tt.path)
			}
			for _, r := range p.Results {
				if !tt.want(r) {
					t.Errorf("GET %s selected %v", tt.path, r["id"])
				}
			}
		})
	}
}

// sizeParam asks for the largest page, continuing path's query.
func sizeParam(path string) string {
	for _, c := range path {
		if c == '?' {
			return "&size=100"
		}
	}
	return "?size=100"
}

func TestRecordValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	tests := []struct {
		name       string
		path       string
		wantStatus int
	}{
		{"conversations_need_deployment", "/conversations/", 400},
		{"conversations_unknown_deployment", "/conversations/?deployment_id=99999", 404},
		{"conversations_employee_is_integer", fmt.Sprintf("/conversations/?deployment_id=%d&employee_id=abc", fx.DeploymentID), 400},
		{"feedback_needs_user_or_cycle", "/feedback/", 400},
		{"feedback_bad_user", "/feedback/?for_user_id=me", 400},
		{"requests_bad_boolean", "/feedback/requests/?declined=perhaps", 400},
		{"requests_bad_user", "/feedback/requests/?for_user=me", 400},
		{"recognitions_start_without_end", "/recognitions/?start_date=2024-01-01", 400},
		{"recognitions_end_without_start", "/recognitions/?end_date=2024-01-01", 400},
		{"recognitions_bad_date", "/recognitions/?start_date=01/01/2024&end_date=2024-02-01", 400},
		{"recognitions_user_is_integer", "/recognitions/?for_user_id=abc", 400},
		{"templates_bad_type", "/conversations/templates/?type=weekly", 400},
		{"templates_bad_enabled", "/conversations/templates/?enabled=sometimes", 400},
		{"feedback_templates_bad_type", "/feedback/templates/?type=adhoc", 400},
		{"conversation_template_unknown", "/conversations/templates/99999/", 404},
		{"feedback_template_unknown", "/feedback/templates/99999", 404},
		{"group_unknown", "/groups/99999/", 404},
		{"team_unknown", "/teams/99999/", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.get(RoleSuperAdmin, tt.path)
			ans.wantStatus(t, "GET "+tt.path, tt.wantStatus)
			ans.object(t)
		})
	}
}

func TestHashtagsAreOrderedByName(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	var p page
	api.get(RoleUser, "/hashtags/?size=100").decode(t, &p)
	var names []string
	for _, h := range p.Results {
		names = append(names, h["name"].(string))
	}
	if len(names) != len(hashtagNames) || !sort.StringsAreSorted(names) {
		t.Errorf("hashtags = %v, want all %d in name order", names, len(hashtagNames))
	}
}

// TestConversationAnswersAreText checks that every conversation answer is
// text, as in every conversation example of the reference (a rating's and
// a multiple-choice question's included), while the questions' options
// are null or a list, as the examples show.
func TestConversationAnswersAreText(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	answers := map[string]bool{}
	options := map[string]bool{}
	var convs page
	api.get(RoleSuperAdmin, fmt.Sprintf("/conversations/?deployment_id=%d&size=100", fx.DeploymentID)).decode(t, &convs)
	for _, c := range convs.Results {
		for _, block := range []string{"manager_response", "employee_response", "post_employee_response", "post_manager_response"} {
			b, ok := c[block].(map[string]any)
			if !ok {
				continue
			}
			for _, r := range b["responses"].([]any) {
				r := r.(map[string]any)
				answers[r["type"].(string)+":"+jsonKindOf(r["answer"])] = true
				options[jsonKindOf(r["question_options"])] = true
			}
		}
	}
	wantAnswers := map[string]bool{"text:string": true, "multiple_choice:string": true, "rating:string": true}
	if diff := cmp.Diff(wantAnswers, answers); diff != "" {
		t.Errorf("conversation answers by question type and JSON kind (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"null": true, "array": true}, options); diff != "" {
		t.Errorf("conversation question options by JSON kind (-want +got):\n%s", diff)
	}
}
