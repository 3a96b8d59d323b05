package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b, c := newTestAPI(t, Config{Seed: 11}), newTestAPI(t, Config{Seed: 11}), newTestAPI(t, Config{Seed: 12})
	if a.sb.Fixtures() != b.sb.Fixtures() {
		t.Errorf("fixtures differ for the same seed: %+v, %+v", a.sb.Fixtures(), b.sb.Fixtures())
	}
	for _, path := range []string{"/goals/filter/?size=100&page=2", "/users/?size=20&page=3", "/recognitions/?size=50",
		"/feedback/requests/?size=20", "/conversations/templates/"} {
		x, y, z := a.get(RoleSuperAdmin, path), b.get(RoleSuperAdmin, path), c.get(RoleSuperAdmin, path)
		if !bytes.Equal(x.body, y.body) {
			t.Errorf("GET %s differs between two sandboxes with seed 11", path)
		}
		if bytes.Equal(x.body, z.body) {
			t.Errorf("GET %s is the same for seeds 11 and 12", path)
		}
	}
	if got := New(Config{}).ReferenceTime(); !got.Equal(New(Config{Seed: 1}).ReferenceTime()) {
		t.Errorf("seed 0 does not mean seed 1")
	}
}

func TestSeedIsFastAndPlausible(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	sb := New(Config{Seed: 2})
	if elapsed := time.Since(begin); elapsed > time.Second {
		t.Errorf("seeding took %v", elapsed) // well under 100 ms without the race detector
	}
	st := sb.st
	counts := []struct {
		what     string
		got      int
		min, max int
	}{
		{"users", st.users.len(), 280, 320},
		{"departments", st.departments.len(), 12, 16},
		{"teams", st.teams.len(), 5, 20},
		{"admin groups", st.groups.len(), 3, 10},
		{"goals", st.goals.len(), 330, 500},
		{"comments", st.comments.len(), 300, 1000},
		{"assessments", st.assessments.len(), 40, 400},
		{"conversations", st.conversations.len(), 200, 600},
		{"feedback", st.feedback.len(), 200, 600},
		{"feedback requests", st.fbRequests.len(), 150, 400},
		{"recognitions", st.recognitions.len(), 200, 400},
	}
	for _, c := range counts {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%d %s, want %d to %d", c.got, c.what, c.min, c.max)
		}
	}
	emails := map[string]bool{}
	for _, u := range st.users.all() {
		if emails[u.email] {
			t.Errorf("e-mail %s used twice", u.email)
		}
		emails[u.email] = true
		if u.modifiedOn.After(sb.ReferenceTime()) || u.createdOn.After(u.modifiedOn) {
			t.Errorf("user %d created %v modified %v, reference %v", u.id, u.createdOn, u.modifiedOn, sb.ReferenceTime())
		}
	}
	for _, g := range st.goals.all() {
		if g.modifiedOn.After(sb.ReferenceTime()) || g.modifiedOn.Before(sb.ReferenceTime().AddDate(-2, 0, -30)) {
			t.Errorf("goal %d modified %v, outside the two years before %v", g.id, g.modifiedOn, sb.ReferenceTime())
		}
	}
}

// TestConcurrentUse runs reads and writes from many goroutines; run with
// -race, it proves the store's locking.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	owner := api.sb.UserFor(RoleUser).ID
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for w := range 16 {
		wg.Go(func() {
			for i := range 12 {
				var ans answer
				switch (w + i) % 6 {
				case 0:
					ans = api.get(RoleUser, fmt.Sprintf("/goals/%d/", fx.UserGoalID))
				case 1:
					ans = api.send(RoleUser, "POST", fmt.Sprintf("/goals/%d/checkin/", fx.UserNumericKeyResultID), fmt.Sprintf(`{"value": %d}`, i))
				case 2:
					ans = api.get(RoleSuperAdmin, "/goals/filter/?size=50")
				case 3:
					ans = api.send(RoleUser, "POST", "/goals/", createGoalBody(owner, "private"))
				case 4:
					ans = api.send(RoleSuperAdmin, "POST", "/users/bulk/", fmt.Sprintf(`{"users": [{"email": "w%d.i%d@%s", "first_name": "W", "last_name": "I"}]}`, w, i, orgDomain))
				case 5:
					ans = api.get(RoleHRAdmin, fmt.Sprintf("/conversations/?deployment_id=%d", fx.DeploymentID))
				}
				if ans.status >= 300 {
					errs <- fmt.Errorf("worker %d step %d: status %d: %s", w, i, ans.status, ans.body)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var mine page
	api.get(RoleUser, fmt.Sprintf("/goals/filter/?owner=%d&owner__direct=yes&goal_name=Sandbox&size=100", owner)).decode(t, &mine)
	if want := 16 * 2; len(mine.Results) != want {
		t.Errorf("created %d goals concurrently, want %d", len(mine.Results), want)
	}
}

func BenchmarkGetGoal(b *testing.B) {
	sb := New(Config{Seed: 1})
	path := fmt.Sprintf("/api/v1/goals/%d/", sb.Fixtures().UserGoalID)
	token := "APIToken " + sb.Token(RoleUser)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", token)
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func BenchmarkFilterGoals(b *testing.B) {
	sb := New(Config{Seed: 1})
	token := "APIToken " + sb.Token(RoleSuperAdmin)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/goals/filter/?size=20&visibility=public", nil)
		req.Header.Set("Authorization", token)
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(Config{Seed: 1})
	}
}

// TestSeedIsCoherent checks the links between seeded objects.
func TestSeedIsCoherent(t *testing.T) {
	t.Parallel()
	st := New(Config{Seed: 3}).st
	for _, u := range st.users.all() {
		if u.managerID != 0 && st.users.get(u.managerID) == nil {
			t.Errorf("user %d has an unknown manager %d", u.id, u.managerID)
		}
	}
	for _, g := range st.goals.all() {
		if p := st.goals.get(g.parentID); g.parentID != 0 && (p == nil || !slices.Contains(p.children, g.id)) {
			t.Errorf("goal %d is not among its parent %d's children", g.id, g.parentID)
		}
		if g.isKR && (g.parentID == 0 || st.goals.get(g.parentID).visibility != g.visibility) {
			t.Errorf("key result %d has no parent or another visibility", g.id)
		}
		if g.start.After(g.end) || g.m.condition == "" {
			t.Errorf("goal %d runs %v to %v, condition %q", g.id, g.start, g.end, g.m.condition)
		}
	}
	for _, f := range st.feedback.all() {
		if c := st.fbCycles.get(f.cycleID); c == nil || c.templateID != f.templateID {
			t.Errorf("feedback %d's cycle %d is not of its template %d", f.id, f.cycleID, f.templateID)
		}
	}
	for _, r := range st.fbRequests.all() {
		if f := st.feedback.get(r.feedbackID); f == nil || f.forUser != r.forUser {
			t.Errorf("feedback request %d does not match its feedback %d", r.id, r.feedbackID)
		}
	}
	for _, cv := range st.conversations.all() {
		if st.deployments.get(cv.deploymentID) == nil || st.users.get(cv.employeeID).managerID != cv.managerID {
			t.Errorf("conversation %d has an unknown deployment or a manager who is not the employee's", cv.id)
		}
	}
}
