package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// shape is what a reference example says about a JSON value: the kinds it
// takes (object, array, string, number, bool, null), the fields of an
// object and the shape of an array's elements, merged over every element
// and every example of the same place.
type shape struct {
	kinds  map[string]bool
	fields map[string]*shape
	elem   *shape
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// learn merges example value v into s.
func (s *shape) learn(v any) {
	if s.kinds == nil {
		s.kinds = map[string]bool{}
	}
	s.kinds[jsonKindOf(v)] = true
	switch x := v.(type) {
	case map[string]any:
		if s.fields == nil {
			s.fields = map[string]*shape{}
		}
		for k, fv := range x {
			if s.fields[k] == nil {
				s.fields[k] = &shape{}
			}
			s.fields[k].learn(fv)
		}
	case []any:
		if s.elem == nil {
			s.elem = &shape{}
		}
		for _, e := range x {
			s.elem.learn(e)
		}
	}
}

// check reports every way v departs from s: a missing field, or a kind the
// examples never show. null is accepted where the examples show null, where
// they show no kind to compare with, and at the places in nullable; the
// keys of free-form objects are not compared. At the places closed names
// (path suffixes, "$" for the whole answer), a key the examples lack is a
// problem too.
func (s *shape) check(path string, v any, closed []string, problems *[]string) {
	kind := jsonKindOf(v)
	if len(s.kinds) == 0 || (s.kinds["null"] && len(s.kinds) == 1) {
		return // the examples show nothing to compare with
	}
	if kind == "null" && (s.kinds["null"] || hasSuffix(path, nullable)) {
		return
	}
	if hasSuffix(path, polymorphic) && kind != "object" && kind != "bool" {
		return
	}
	if !s.kinds[kind] {
		*problems = append(*problems, fmt.Sprintf("%s: got %s, examples show %v", path, kind, keys(s.kinds)))
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if hasSuffix(path, closed) {
			for _, k := range keys(x) {
				if s.fields[k] == nil {
					*problems = append(*problems, fmt.Sprintf("%s.%s: the examples have no such field", path, k))
				}
			}
		}
		if hasSuffix(path, freeForm) {
			return
		}
		for _, k := range keys(s.fields) {
			fv, present := x[k]
			if !present {
				*problems = append(*problems, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			s.fields[k].check(path+"."+k, fv, closed, problems)
		}
	case []any:
		if s.elem != nil {
			for _, e := range x {
				s.elem.check(path+"[]", e, closed, problems)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func loadExample(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference", name+".json"))
	if err != nil {
		t.Fatalf("read example: %v", err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("example %s is not valid JSON: %v", name, err)
	}
	return v
}

// nullable lists the places (as path suffixes) that are legitimately null
// in some of the sandbox's objects although the examples show a value
// there: optional relations, and times of things that have not happened
// yet. nextUrl is null on a last page.
var nullable = []string{
	".nextUrl", ".owner.group", ".owner.team", ".goal_owner.group", ".goal_owner.team", ".parent", ".integration",
	".attribute_type", ".attribute_scope", ".last_assessed", ".last_checkedin", ".last_checkedin_by", ".manager",
	".department", ".for_user", ".for_group", ".source.comment", ".source.shoutout", ".adhoc_cycle", ".cycle",
	".declined", ".expired", ".shared_on", ".submitted_on", ".unlocked_until", ".employee_notes_updated",
	".manager_notes_updated", ".lock_date", ".admin_since", ".response", ".post_employee_response",
	".post_manager_response", ".for_user_id", ".parent_id", ".measurement.initial", ".measurement.target",
	".measurement.current", ".measurement.lower_limit", ".measurement.lower_mid", ".measurement.upper_limit",
	".measurement.upper_mid", ".deactivated_on", ".deactivation_date", ".finished", ".result", ".template", ".error",
}

// polymorphic lists the places whose value the reference shows as text,
// a number or a list, depending on the question's type: any of those, or
// null, is accepted.
var polymorphic = []string{".question_options", ".question_options[]", ".options", ".options[]"}

// freeForm lists objects whose keys are the organisation's own (custom
// fields and attributes), so the example's keys are illustrations only.
var freeForm = []string{".custom_values", ".attributes"}

func hasSuffix(path string, suffixes []string) bool {
	for _, s := range suffixes {
		if strings.HasSuffix(path, s) {
			return true
		}
	}
	return false
}

// closedPlaces names, per example, the places where the sandbox sends no
// field the example lacks: Goal Comments' envelope has no nextUrl, and a
// user's attributes are location and on_leave.
var closedPlaces = map[string][]string{
	"list_comments": {"$"},
	"list_users":    {".attributes"},
	"get_user":      {".attributes"},
	"search_users":  {".attributes"},
}

// TestResponsesHaveReferenceShapes calls every endpoint as a super admin and
// checks that the answer is valid JSON holding every field of the
// reference's example, recursively, with a JSON type the example shows,
// and no field the example lacks at the places closedPlaces names.
func TestResponsesHaveReferenceShapes(t *testing.T) {
	t.Parallel()
	example := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "reference", "request_"+name+".json"))
		if err != nil {
			t.Fatalf("read example request: %v", err)
		}
		return string(b)
	}
	noBody := func(Fixtures, *Sandbox) string { return "" }
	tests := []struct {
		example string
		method  string
		path    func(fx Fixtures, sb *Sandbox) string
		body    func(fx Fixtures, sb *Sandbox) string
		status  int
	}{
		{"get_group", "GET", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/groups/%d/", fx.AdminGroupID) }, noBody, 200},
		{"list_groups", "GET", func(Fixtures, *Sandbox) string { return "/groups/?size=3" }, noBody, 200},
		{"list_conversation_templates", "GET", func(Fixtures, *Sandbox) string { return "/conversations/templates/" }, noBody, 200},
		{"get_conversation_template", "GET", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/conversations/templates/%d/", fx.ConversationTemplateID)
		}, noBody, 200},
		{"list_conversations", "GET", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/conversations/?deployment_id=%d&size=10", fx.DeploymentID)
		}, noBody, 200},
		{"list_departments", "GET", func(Fixtures, *Sandbox) string { return "/departments/?include_deactivated=true" }, noBody, 200},
		{"create_department", "POST", func(Fixtures, *Sandbox) string { return "/departments/" }, func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf(`{"name": "New Department", "parent_id": %d}`, fx.PopulatedDepartmentID)
		}, 201},
		{"update_department", "PUT", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/departments/%d/", fx.PopulatedDepartmentID) },
			func(fx Fixtures, _ *Sandbox) string {
				return fmt.Sprintf(`{"name": "A Department", "parent_id": %d}`, fx.AdminDepartmentID)
			}, 200},
		{"deactivate_department", "POST", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/departments/%d/deactivate/", fx.EmptyDepartmentID)
		}, noBody, 200},
		{"reactivate_department", "POST", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/departments/%d/reactivate/", fx.DeactivatedDepartmentID)
		}, noBody, 200},
		{"bulk_departments", "POST", func(Fixtures, *Sandbox) string { return "/departments/bulk/" }, func(Fixtures, *Sandbox) string {
			return `{"departments": [{"name": "Legal", "parent": "Finance"}, {"name": "New Department", "parent": "Legal"}]}`
		}, 200},
		{"list_feedback_templates", "GET", func(Fixtures, *Sandbox) string { return "/feedback/templates/" }, noBody, 200},
		{"get_feedback_template", "GET", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/feedback/templates/%d", fx.FeedbackTemplateID)
		}, noBody, 200},
		{"list_feedback", "GET", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/feedback/?cycle_id=%d", fx.FeedbackCycleID) }, noBody, 200},
		{"list_feedback_requests", "GET", func(Fixtures, *Sandbox) string { return "/feedback/requests/?size=50" }, noBody, 200},
		{"get_goal", "GET", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/goals/%d/", fx.UserGoalID) }, noBody, 200},
		{"update_goal", "PUT", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/goals/%d/", fx.UserGoalID) },
			func(fx Fixtures, _ *Sandbox) string {
				return strings.Replace(example("update_goal"), `"id": 2`, fmt.Sprintf(`"id": %d`, fx.UserBinaryKeyResultID), 1)
			}, 200},
		{"search_goals", "GET", func(Fixtures, *Sandbox) string { return "/goals/search/?q=improve&size=20" }, noBody, 200},
		{"search_categories", "GET", func(Fixtures, *Sandbox) string { return "/goals/categories/search/?q=r" }, noBody, 200},
		{"list_comments", "GET", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/goals/%d/comments", fx.UserGoalID) }, noBody, 200},
		{"list_assessments", "GET", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/goals/%d/assessments/", fx.UserNumericKeyResultID)
		}, noBody, 200},
		{"checkin", "POST", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/goals/%d/checkin/", fx.UserNumericKeyResultID)
		},
			func(Fixtures, *Sandbox) string { return `{"value": 18.6, "target": 30}` }, 200},
		{"list_hashtags", "GET", func(Fixtures, *Sandbox) string { return "/hashtags/" }, noBody, 200},
		{"list_recognitions", "GET", func(Fixtures, *Sandbox) string { return "/recognitions/?size=50" }, noBody, 200},
		{"list_report_runs", "GET", func(Fixtures, *Sandbox) string { return "/report_runs/" }, noBody, 200},
		{"get_report_run", "GET", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/report_runs/%d/", fx.SucceededReportRunID) }, noBody, 200},
		{"create_report_run", "POST", func(Fixtures, *Sandbox) string { return "/report_runs/" }, func(fx Fixtures, _ *Sandbox) string {
			return strings.Replace(example("create_report_run"), "1234", itoa(fx.ConversationTemplateID), 1)
		}, 201},
		{"list_teams", "GET", func(Fixtures, *Sandbox) string { return "/teams/?type=allteams" }, noBody, 200},
		{"get_team", "GET", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/teams/%d/", fx.TeamID) }, noBody, 200},
		{"list_users", "GET", func(Fixtures, *Sandbox) string { return "/users/?size=20&page=2" }, noBody, 200},
		{"get_user", "GET", func(_ Fixtures, sb *Sandbox) string { return fmt.Sprintf("/users/%d/", sb.UserFor(RoleUser).ID) }, noBody, 200},
		{"search_users", "GET", func(Fixtures, *Sandbox) string { return "/users/search/?q=acme.example&size=100" }, noBody, 200},
		{"bulk_users", "POST", func(Fixtures, *Sandbox) string { return "/users/bulk/" }, func(Fixtures, *Sandbox) string {
			return strings.Replace(example("bulk_users"), `"<Email Address>"`, `"someone@betterworks.com"`, 1)
		}, 200},
		{"assign_roles", "PUT", func(Fixtures, *Sandbox) string { return "/users/roles/" }, func(fx Fixtures, sb *Sandbox) string {
			u := sb.UserFor(RoleUser)
			return fmt.Sprintf(`{"roles": [
				{"role": "admin", "user_id": %d},
				{"role": "groupadmin", "employee_id": %q, "departments": [%d]},
				{"role": "groupadmin", "email": %q, "admin_groups": [%d]}]}`,
				u.ID, "E1010", fx.PopulatedDepartmentID, sb.UserFor(RoleHRAdmin).Email, fx.AdminGroupID)
		}, 200},
		{"list_roles", "GET", func(Fixtures, *Sandbox) string { return "/users/roles/" }, noBody, 200},
	}
	for _, tt := range tests {
		t.Run(tt.example, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t, Config{Seed: 7})
			fx := api.sb.Fixtures()
			ans := api.send(RoleSuperAdmin, tt.method, tt.path(fx, api.sb), tt.body(fx, api.sb))

			ans.wantStatus(t, tt.method+" "+tt.example, tt.status)
			var got any
			if err := json.Unmarshal(ans.body, &got); err != nil {
				t.Fatalf("answer is not valid JSON: %v", err)
			}
			var want shape
			want.learn(loadExample(t, tt.example))
			var problems []string
			want.check("$", got, closedPlaces[tt.example], &problems)
			for _, p := range problems {
				t.Error(p)
			}
			if ct := ans.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
		})
	}
}
