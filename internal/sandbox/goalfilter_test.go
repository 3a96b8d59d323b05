package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// filterAll fetches every page of GET /goals/filter/?query as role.
func filterAll(t *testing.T, api *testAPI, role Role, query string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for n := 1; ; n++ {
		ans := api.get(role, fmt.Sprintf("/goals/filter/?%s&size=100&page=%d", query, n))
		ans.wantStatus(t, "filter "+query, http.StatusOK)
		var p page
		ans.decode(t, &p)
		out = append(out, p.Results...)
		if p.More != "true" {
			return out
		}
	}
}

func idOf(v any) int64 {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	return int64(m["id"].(float64))
}

func TestGoalFilter(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	sb := api.sb
	fx := sb.Fixtures()
	plain := sb.UserFor(RoleUser)
	ceo := sb.UserFor(RoleSuperAdmin)
	platform := fx.PopulatedDepartmentID
	goalsOf := func(ids ...int64) map[int64]bool {
		out := map[int64]bool{}
		for _, id := range ids {
			out[id] = true
		}
		return out
	}
	companyChildren := goalsOf(goalChildIDs(api.get(RoleSuperAdmin, fmt.Sprintf("/goals/%d/", fx.TopCompanyGoalID)).object(t))...)
	categories := func(g map[string]any) []int64 {
		var out []int64
		for _, c := range g["categories"].([]any) {
			out = append(out, idOf(c))
		}
		return out
	}
	measurement := func(g map[string]any) map[string]any { return g["measurement"].(map[string]any) }
	tests := []struct {
		name  string
		role  Role
		query string
		// want holds for every result; the filter must also select something.
		want func(g map[string]any) bool
	}{
		{"owner_direct", RoleSuperAdmin, fmt.Sprintf("owner=%d&owner__direct=yes", plain.ID),
			func(g map[string]any) bool { return idOf(g["owner"].(map[string]any)["user"]) == plain.ID }},
		{"owner_by_uuid", RoleSuperAdmin, "owner__direct=yes&owner=" + plain.UUID,
			func(g map[string]any) bool { return idOf(g["owner"].(map[string]any)["user"]) == plain.ID }},
		{"owner_negate", RoleSuperAdmin, fmt.Sprintf("owner=%d&owner__direct=yes&owner__negate=yes", plain.ID),
			func(g map[string]any) bool { return idOf(g["owner"].(map[string]any)["user"]) != plain.ID }},
		{"aligned_to_goal_direct", RoleSuperAdmin, fmt.Sprintf("aligned_to_goal=%d&aligned_to_goal__direct=yes", fx.TopCompanyGoalID),
			func(g map[string]any) bool { return idOf(g["parent"]) == fx.TopCompanyGoalID }},
		{"aligned_to_goal_all_levels", RoleSuperAdmin, fmt.Sprintf("aligned_to_goal=%d", fx.TopCompanyGoalID),
			func(g map[string]any) bool { return g["parent"] != nil }},
		{"aligned_to_owner_direct", RoleSuperAdmin, fmt.Sprintf("aligned_to_owner=%d&aligned_to_owner__direct=yes", ceo.ID),
			func(g map[string]any) bool { return g["parent"] != nil }},
		{"reports_to_direct", RoleSuperAdmin, fmt.Sprintf("reports_to=%d&reports_to__direct=yes", ceo.ID),
			func(g map[string]any) bool { return idOf(g["owner"].(map[string]any)["user"]) != ceo.ID }},
		{"group", RoleSuperAdmin, fmt.Sprintf("group=%d", platform),
			func(g map[string]any) bool { return idOf(g["owner"].(map[string]any)["group"]) == platform }},
		{"group_empty_means_none", RoleSuperAdmin, "group=",
			func(g map[string]any) bool { return g["owner"].(map[string]any)["group"] == nil }},
		{"category", RoleSuperAdmin, fmt.Sprintf("category=%d", fx.CategoryID),
			func(g map[string]any) bool { return slices.Contains(categories(g), fx.CategoryID) }},
		{"category_union", RoleSuperAdmin, fmt.Sprintf("category=%d&category=%d", fx.CategoryID, fx.CategoryID+1),
			func(g map[string]any) bool {
				return slices.Contains(categories(g), fx.CategoryID) || slices.Contains(categories(g), fx.CategoryID+1)
			}},
		{"category_intersect", RoleSuperAdmin, fmt.Sprintf("category=%d&category=%d&category__intersect=yes", fx.CategoryID, fx.CategoryID+1),
			func(g map[string]any) bool {
				return slices.Contains(categories(g), fx.CategoryID) && slices.Contains(categories(g), fx.CategoryID+1)
			}},
		{"category_empty_means_uncategorized", RoleSuperAdmin, "category=",
			func(g map[string]any) bool { return len(categories(g)) == 0 }},
		{"visibility", RoleSuperAdmin, "visibility=private", func(g map[string]any) bool { return g["visibility"] == "private" }},
		{"risk_atrisk_is_red", RoleSuperAdmin, "risk=atrisk", func(g map[string]any) bool { return measurement(g)["condition"] == "red" }},
		{"risk_ontrack_is_green", RoleSuperAdmin, "risk=ontrack", func(g map[string]any) bool { return measurement(g)["condition"] == "green" }},
		{"integration", RoleSuperAdmin, "integration=jira", func(g map[string]any) bool { return g["integration"] == "JIRA" }},
		{"integration_empty_means_none", RoleSuperAdmin, "integration=", func(g map[string]any) bool { return g["integration"] == nil }},
		{"unit", RoleSuperAdmin, "unit=percent",
			func(g map[string]any) bool {
				return measurement(g)["unit"] == "Percent" || !g["is_key_result"].(bool)
			}},
		{"top_company_goal", RoleSuperAdmin, "top_company_goal=yes",
			func(g map[string]any) bool {
				return g["parent"] == nil && idOf(g["owner"].(map[string]any)["user"]) == ceo.ID
			}},
		{"goal_name", RoleSuperAdmin, "goal_name=DEPLOY",
			func(g map[string]any) bool { return strings.Contains(strings.ToLower(g["name"].(string)), "deploy") }},
		{"date_range", RoleSuperAdmin, "date_range=02/01/2024-02/29/2024",
			func(g map[string]any) bool {
				return g["start"].(string) <= "2024-02-29" && g["end"].(string) >= "2024-02-01"
			}},
		{"date_range_negate", RoleSuperAdmin, "date_range=02/01/2024-02/29/2024&date_range__negate=yes",
			func(g map[string]any) bool {
				return g["start"].(string) > "2024-02-29" || g["end"].(string) < "2024-02-01"
			}},
		{"team_only", RoleUser, "team_only=yes",
			func(g map[string]any) bool { return idOf(g["owner"].(map[string]any)["user"]) == plain.ID }},
		{"permission_can_edit", RoleUser, "permission=can_edit",
			func(g map[string]any) bool { return idOf(g["owner"].(map[string]any)["user"]) == plain.ID }},
		{"delta", RoleSuperAdmin, "delta_start=" + sb.ReferenceTime().AddDate(0, -1, 0).Format(time.DateOnly),
			func(g map[string]any) bool {
				return g["modified_on"].(string) >= sb.ReferenceTime().AddDate(0, -1, 0).Format(time.DateOnly)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			results := filterAll(t, api, tt.role, tt.query)
			if len(results) == 0 {
				t.Fatalf("filter %s selected nothing", tt.query)
			}
			for _, g := range results {
				if !tt.want(g) {
					t.Errorf("filter %s selected goal %v (%v)", tt.query, g["id"], g["name"])
				}
			}
		})
	}
	// The all-levels alignment includes the direct one.
	all := filterAll(t, api, RoleSuperAdmin, fmt.Sprintf("aligned_to_goal=%d", fx.TopCompanyGoalID))
	var allIDs []int64
	for _, g := range all {
		allIDs = append(allIDs, int64(g["id"].(float64)))
	}
	for id := range companyChildren {
		if !slices.Contains(allIDs, id) {
			t.Errorf("aligned_to_goal=%d misses its child %d", fx.TopCompanyGoalID, id)
		}
	}
	if len(allIDs) <= len(companyChildren) {
		t.Errorf("aligned_to_goal without direct selects %d goals, want more than the %d children", len(allIDs), len(companyChildren))
	}
}

func TestGoalFilterRejectsBadValues(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	tests := []struct {
		query     string
		wantField string
	}{
		{"owner=1&owner__intersect=yes", "owner__intersect"},
		{"owner=1&owner__direct=maybe", "owner__direct"},
		{"group=1&group__negate=yes", "group__negate"},
		{"team_only=perhaps", "team_only"},
		{"following=2", "following"},
		{"risk=doomed", "risk"},
		{"integration=asana", "integration"},
		{"visibility=secret", "visibility"},
		{"permission=can_fly", "permission"},
		{"date_range=2024-01-01", "date_range"},
		{"updated_since=01/01/2024", "updated_since"},
		{"viewed_by_owner_date=13/45/2024-01/01/2025", "viewed_by_owner_date"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			ans := api.get(RoleSuperAdmin, "/goals/filter/?"+tt.query)
			ans.wantStatus(t, "filter "+tt.query, http.StatusBadRequest)
			if _, ok := ans.object(t)[tt.wantField]; !ok {
				t.Errorf("body %s does not name %q", ans.body, tt.wantField)
			}
		})
	}
}

func TestSearchGoals(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(New(Config{Seed: 1}).ReferenceTime())
	api := newTestAPI(t, Config{Seed: 1, Now: clock.Now})
	tests := []struct {
		name       string
		query      string
		wantStatus int
		want       func(g map[string]any) bool
	}{
		{"missing_q", "", 400, nil},
		{"short_q", "q=ab", 400, nil},
		{"short_after_trim", "q=%20ab%20", 400, nil},
		{"bad_goal_type", "q=improve&goal_type=binary", 400, nil},
		{"name_match", "q=IMPROVE", 200, func(g map[string]any) bool { return strings.Contains(strings.ToLower(g["name"].(string)), "improve") }},
		{"goal_type", "q=the&goal_type=manualprogress", 200, func(g map[string]any) bool { return g["measurement"].(map[string]any)["type"] == "manualprogress" }},
		{"visibility", "q=the&visibility=private", 200, func(g map[string]any) bool { return g["visibility"] == "private" }},
		{"current", "q=the&current", 200, func(g map[string]any) bool {
			today := api.sb.ReferenceTime().Format(time.DateOnly)
			return g["start"].(string) <= today && g["end"].(string) >= today
		}},
		{"future", "q=the&future=yes", 200, func(g map[string]any) bool {
			return g["start"].(string) > api.sb.ReferenceTime().Format(time.DateOnly)
		}},
		{"not_due", "q=the&not_due=1", 200, func(g map[string]any) bool {
			return g["end"].(string) >= api.sb.ReferenceTime().Format(time.DateOnly)
		}},
		{"no_key_results", "q=reach", 200, func(g map[string]any) bool { return g["is_key_result"] == false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.get(RoleSuperAdmin, "/goals/search/?size=100&"+tt.query)
			ans.wantStatus(t, "search "+tt.query, tt.wantStatus)
			var p page
			ans.decode(t, &p)
			for _, g := range p.Results {
				if !tt.want(g) {
					t.Errorf("search %s found %v (%v)", tt.query, g["id"], g["name"])
				}
			}
		})
	}
	var p page
	api.get(RoleSuperAdmin, "/goals/search/?q=improve").decode(t, &p)
	if len(p.Results) == 0 {
		t.Errorf("search q=improve found nothing")
	}
}

// TestCommentsPageByCursor pages goal comments the only way the reference
// documents, by latest_time; the answer carries no nextUrl, as the
// reference's example does not.
func TestCommentsPageByCursor(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	path := fmt.Sprintf("/goals/%d/comments?size=50", fx.UserGoalID)
	firstAns := api.get(RoleUser, path)
	if diff := cmp.Diff([]string{"more", "results"}, keys(firstAns.object(t))); diff != "" {
		t.Errorf("GET %s keys (-want +got):\n%s", path, diff)
	}
	var first page
	firstAns.decode(t, &first)
	if len(first.Results) != 10 || first.More != true {
		t.Fatalf("first page: %d comments, more %v; want 10, true", len(first.Results), first.More)
	}
	oldest := first.Results[len(first.Results)-1]["created"].(float64)
	var second page
	api.get(RoleUser, fmt.Sprintf("%s&latest_time=%f", path, oldest)).decode(t, &second)
	if len(second.Results) == 0 || second.More != false {
		t.Fatalf("second page: %d comments, more %v", len(second.Results), second.More)
	}
	seen := map[any]bool{}
	last := first.Results[0]["created"].(float64) + 1
	for _, c := range append(first.Results, second.Results...) {
		if seen[c["id"]] || c["created"].(float64) >= last {
			t.Errorf("comment %v repeated or out of order", c["id"])
		}
		seen[c["id"]], last = true, c["created"].(float64)
	}
	api.get(RoleUser, fmt.Sprintf("/goals/%d/comments?type=loud", fx.UserGoalID)).wantStatus(t, "type=loud", http.StatusBadRequest)
	var starred page
	api.get(RoleUser, fmt.Sprintf("/goals/%d/comments?type=starred", fx.UserGoalID)).decode(t, &starred)
	if len(starred.Results) >= len(first.Results)+len(second.Results) {
		t.Errorf("type=starred keeps all %d comments", len(starred.Results))
	}
}
