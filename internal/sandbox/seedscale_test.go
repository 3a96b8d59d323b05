package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestScaledOrganisation seeds a scaled organisation and reads it back over
// HTTP as the super admin: every extra user and goal is valid for the API
// and visible, the counts are those asked for, the demo organisation is
// unchanged, and the same seed gives the same data.
func TestScaledOrganisation(t *testing.T) {
	t.Parallel()
	scale := Scale{Users: 1200, Goals: 900}
	api := newTestAPI(t, Config{Seed: 2, Scale: scale})
	again := newTestAPI(t, Config{Seed: 2, Scale: scale})
	demo := newTestAPI(t, Config{Seed: 2})

	users := map[int64]map[string]any{}
	for _, u := range listRecords(t, api, "/users/") {
		users[idOf(u)] = u
	}
	if len(users) != scale.Users {
		t.Errorf("GET /users/ lists %d users, want %d", len(users), scale.Users)
	}
	departments := map[int64]map[string]any{}
	for _, d := range listRecords(t, api, "/departments/?include_deactivated=true") {
		departments[idOf(d)] = d
	}
	extraUsers := 0
	for id, u := range users {
		if id <= scaledUserIDs {
			continue
		}
		extraUsers++
		manager, department := users[idOf(u["manager"])], departments[idOf(u["department"])]
		switch {
		case u["is_active"] != true || u["email"] == "" || u["employee_id"] == "":
			t.Errorf("extra user %d is not an active user with an e-mail and employee id: %v", id, u)
		case department == nil || department["is_active"] != true:
			t.Errorf("extra user %d is in department %v, want an active one", id, u["department"])
		case manager == nil || manager["is_active"] != true || idOf(manager["department"]) != idOf(department):
			t.Errorf("extra user %d has manager %v, want an active user of department %v", id, u["manager"], idOf(department))
		}
	}
	if extraUsers == 0 {
		t.Errorf("no extra user among %d", len(users))
	}

	goals := listRecords(t, api, "/goals/filter/")
	if len(goals) != scale.Goals {
		t.Errorf("GET /goals/filter/ lists %d goals and key results, want %d", len(goals), scale.Goals)
	}
	byID := map[int64]map[string]any{}
	for _, g := range goals {
		byID[idOf(g)] = g
	}
	for _, g := range goals {
		id := idOf(g)
		if id <= scaledGoalIDs {
			continue
		}
		owner := users[idOf(g["owner"].(map[string]any)["user"])]
		progress := g["measurement"].(map[string]any)["progress"].(float64)
		switch {
		case owner == nil || owner["is_active"] != true:
			t.Errorf("extra goal %d is owned by %v, want an active user", id, g["owner"])
		case g["start"].(string) > g["end"].(string):
			t.Errorf("extra goal %d runs from %v to %v", id, g["start"], g["end"])
		case progress < 0 || progress > 1:
			t.Errorf("extra goal %d has progress %v", id, progress)
		case g["is_key_result"] == true && byID[idOf(g["parent"])] == nil:
			t.Errorf("extra key result %d has parent %v, not a listed goal", id, g["parent"])
		}
	}
	api.get(RoleSuperAdmin, fmt.Sprintf("/goals/%d/", scaledGoalIDs+1)).wantStatus(t, "GET an extra goal", http.StatusOK)
	api.get(RoleSuperAdmin, fmt.Sprintf("/users/%d/", scaledUserIDs+1)).wantStatus(t, "GET an extra user", http.StatusOK)

	if diff := cmp.Diff(demo.sb.Fixtures(), api.sb.Fixtures()); diff != "" {
		t.Errorf("Fixtures changed with the scale (-demo +scaled):\n%s", diff)
	}
	if demo.sb.Token(RoleUser) != api.sb.Token(RoleUser) {
		t.Errorf("Token(RoleUser) changed with the scale")
	}
	for _, path := range []string{
		fmt.Sprintf("/users/%d/", api.sb.UserFor(RoleUser).ID), fmt.Sprintf("/goals/%d/", api.sb.Fixtures().UserGoalID),
	} {
		if a, b := demo.get(RoleSuperAdmin, path).body, api.get(RoleSuperAdmin, path).body; !bytes.Equal(a, b) {
			t.Errorf("GET %s changed with the scale:\n%s\n%s", path, a, b)
		}
	}
	for _, path := range []string{"/users/?size=20&page=40", "/users/?size=20&page=60", "/goals/filter/?size=100&page=9"} {
		if a, b := api.get(RoleSuperAdmin, path).body, again.get(RoleSuperAdmin, path).body; !bytes.Equal(a, b) {
			t.Errorf("GET %s differs between two sandboxes of the same seed and scale", path)
		}
	}
}

func TestParseScale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec    string
		want    Scale
		wantErr string
	}{
		{"", Scale{}, ""},
		{"users=100000,goals=20000", Scale{Users: 100_000, Goals: 20_000}, ""},
		{" goals = 5 ", Scale{Goals: 5}, ""},
		{"users=1000000", Scale{Users: MaxScale}, ""},
		{"users=1000001", Scale{}, "want an integer in [0, 1000000]"},
		{"users=-1", Scale{}, "want an integer in [0, 1000000]"},
		{"users=lots", Scale{}, "want an integer"},
		{"teams=5", Scale{}, `unknown key "teams"`},
		{"users", Scale{}, "want key=value"},
		{"users=1,users=2", Scale{}, "users given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScale(tt.spec)
			if got != tt.want || (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseScale(%q) = %+v, %v; want %+v, error containing %q", tt.spec, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// BenchmarkScaledUsersPage measures list pages at 100,000 users and
// 20,000 goals, and reports the seeding's time and heap (-v).
func BenchmarkScaledUsersPage(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	sb := New(Config{Seed: 1, Scale: Scale{Users: 100_000, Goals: 20_000}})
	seeding := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.Logf("seeded 100,000 users and 20,000 goals in %v; heap %.1f MiB", seeding.Round(time.Millisecond), float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	token := sb.Token(RoleSuperAdmin)
	for _, path := range []string{
		"/users/?size=20&page=1", "/users/?size=20&page=5000", "/users/?size=20&page=4900&deactivated=0", "/goals/filter/?size=20&page=1000",
	} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, apiPrefix+path, nil)
			req.Header.Set("Authorization", "APIToken "+token)
			for b.Loop() {
				w := httptest.NewRecorder()
				sb.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
				}
			}
		})
	}
}
