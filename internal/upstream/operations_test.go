package upstream

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bwfacade/facade/internal/sandbox"
)

// TestEveryOperationReachesItsRoute sends each operation of the catalog,
// with the path derived from its template, to the sandbox, whose own route
// table must name the request as the catalog names the operation.
func TestEveryOperationReachesItsRoute(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Config{})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/api/v1", Resilience: Resilience{Breaker: BreakerSettings{Disabled: true}, MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	token := NewToken(sb.Token(sandbox.RoleSuperAdmin))
	for _, op := range Operations() {
		sb.ResetRequests()
		var id string
		if strings.Contains(op.Template(), "{") {
			id = "1001"
		}
		// The answer does not matter (a write without a body is refused);
		// where the request landed does.
		_ = c.do(t.Context(), token, call{op: op, id: id}, nil)
		reqs := sb.Requests()
		if len(reqs) != 1 || reqs[0].Endpoint != op.String() || reqs[0].Method != op.Method() {
			t.Errorf("%s reached the sandbox as %+v, want one request to its own route", op, reqs)
		}
	}
}

func TestOperationPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   *Operation
		id   string
		want string
	}{
		{opListGoals, "", "goals/filter/"},
		{opGetGoal, "42", "goals/42/"},
		{opListGoalComments, "a/b", "goals/a%2Fb/comments"},
		{opGetFeedbackTemplate, "7", "feedback/templates/7"},
		{opGetUser, "..", "users/%2E%2E/"},
	}
	for _, tt := range tests {
		if got, err := tt.op.path(tt.id); err != nil || got != tt.want {
			t.Errorf("%s.path(%q) = %q, %v; want %q", tt.op, tt.id, got, err, tt.want)
		}
	}
	if _, err := opGetGoal.path(""); err == nil {
		t.Errorf("%s.path(\"\") succeeded, want an error: the template has an id", opGetGoal)
	}
}

func TestOperationTraits(t *testing.T) {
	t.Parallel()
	if got := len(Operations()); got != 38 {
		t.Errorf("len(Operations()) = %d, want the reference's 38", got)
	}
	for _, tt := range []struct {
		op             *Operation
		family         string
		writes, repeat bool
	}{
		{opGetGoal, "goals", false, true},
		{opDeleteGoal, "goals", true, true},
		{opCreateReportRun, "report_runs", true, false},
		{opAssignRoles, "users", true, false},
	} {
		if tt.op.Family() != tt.family || tt.op.Writes() != tt.writes || tt.op.idempotent() != tt.repeat {
			t.Errorf("%s: family %q, writes %v, idempotent %v; want %q, %v, %v",
				tt.op, tt.op.Family(), tt.op.Writes(), tt.op.idempotent(), tt.family, tt.writes, tt.repeat)
		}
	}
}
