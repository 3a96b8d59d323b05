package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGoalNamesAndCountDroppedTellDuplicates checks the two counts a
// retry storm is judged by: a write whose answer was dropped and that was
// sent again shows as one dropped answer and as two goals of one name.
func TestGoalNamesAndCountDroppedTellDuplicates(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1, Faults: []Fault{{Endpoint: "POST /goals/", Drop: true, Times: 1}}})
	owner := api.sb.UserFor(RoleUser).ID
	body := func(name string) string {
		return fmt.Sprintf(`{"name": %q, "owner": {"user_id": %d}, "start": "01/01/2025", "end": "03/31/2025",
			"visibility": "public", "creation_source": "manual", "type": "avgofprogress",
			"key_results": [{"name": "Storm key result", "owner": {"user_id": %d}, "type": "numeric", "target": 100, "unit": "goals"}]}`, name, owner, owner)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, api.srv.URL+apiPrefix+"/goals/", strings.NewReader(body("Storm a")))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "APIToken "+api.sb.Token(RoleUser))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := api.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("POST /goals/ with a drop fault answered %d, want no answer", resp.StatusCode)
	}
	for _, name := range []string{"Storm a", "Storm b", "Other"} {
		api.send(RoleUser, http.MethodPost, "/goals/", body(name)).wantStatus(t, "POST /goals/ "+name, http.StatusCreated)
	}

	// Key results (named "Storm key result") are not goals here.
	if diff := cmp.Diff(map[string]int{"Storm a": 2, "Storm b": 1}, api.sb.GoalNames("Storm ")); diff != "" {
		t.Errorf(`GoalNames("Storm ") (-want +got):\n%s`, diff)
	}
	if got := api.sb.GoalNames("No goal has this name"); len(got) != 0 {
		t.Errorf("GoalNames(unused prefix) = %v, want none", got)
	}
	if posts, dropped := api.sb.Count("POST /goals/"), api.sb.CountDropped("POST /goals/"); posts != 4 || dropped != 1 {
		t.Errorf("Count, CountDropped(POST /goals/) = %d, %d; want 4, 1", posts, dropped)
	}
	if n := api.sb.CountDropped("GET /goals/{id}/"); n != 0 {
		t.Errorf("CountDropped(GET /goals/{id}/) = %d, want 0", n)
	}
	api.sb.ResetRequests()
	if n := api.sb.CountDropped("POST /goals/"); n != 0 {
		t.Errorf("CountDropped after ResetRequests = %d, want 0", n)
	}
}
