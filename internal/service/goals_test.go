package service_test

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
)

// visibleGoal returns a public goal, not a key result, that the role's user
// does not own.
func visibleGoal(t *testing.T, st *facadetest.Stack, role sandbox.Role) *betterworksv1.Goal {
	t.Helper()
	owner := st.Sandbox.UserFor(role)
	resp, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{
		PageSize:   50,
		Visibility: betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
		Owner:      &betterworksv1.GoalRelationFilter{Id: fmt.Sprint(owner.ID), Negate: true},
	})
	if err != nil {
		t.Fatalf("ListGoals() error = %v", err)
	}
	for _, g := range resp.GetGoals() {
		if !g.GetIsKeyResult() && len(g.GetChildren()) > 0 {
			return g
		}
	}
	t.Fatal("no public goal with children in the first page")
	return nil
}

// privateGoalOfOther returns a private goal the role's user does not own.
func privateGoalOfOther(t *testing.T, st *facadetest.Stack, role sandbox.Role) *betterworksv1.Goal {
	t.Helper()
	owner := st.Sandbox.UserFor(role)
	resp, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{
		PageSize:   20,
		Visibility: betterworksv1.GoalVisibility_GOAL_VISIBILITY_PRIVATE,
		Owner:      &betterworksv1.GoalRelationFilter{Id: fmt.Sprint(owner.ID), Negate: true},
	})
	if err != nil {
		t.Fatalf("ListGoals() error = %v", err)
	}
	for _, g := range resp.GetGoals() {
		if !g.GetIsKeyResult() && g.GetOwner().GetUser().GetId() != owner.ID {
			return g
		}
	}
	t.Fatal("no private goal of another user in the first page")
	return nil
}

func TestGoalServiceGetGoal(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		want := visibleGoal(t, st, sandbox.RoleUser)
		client := st.Goals(p, sandbox.RoleUser)

		got, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(want.GetId())})
		if err != nil {
			t.Fatalf("GetGoal() error = %v", err)
		}
		g := got.GetGoal()
		if g.GetId() != want.GetId() || g.GetUuid() != want.GetUuid() || g.GetName() != want.GetName() {
			t.Errorf("GetGoal() = id %d uuid %q name %q, want %d %q %q", g.GetId(), g.GetUuid(), g.GetName(), want.GetId(), want.GetUuid(), want.GetName())
		}
		if g.GetMeasurement().GetType() == betterworksv1.MeasurementType_MEASUREMENT_TYPE_UNSPECIFIED ||
			g.GetVisibility() != betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC ||
			g.GetOwner().GetUser().GetId() == 0 || g.GetCreatedOn() == nil || g.GetModifiedOn() == nil || g.GetStart() == "" {
			t.Errorf("GetGoal() lost fields in translation: %v", g)
		}

		byUUID, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: want.GetUuid()})
		if err != nil {
			t.Fatalf("GetGoal(uuid) error = %v", err)
		}
		if byUUID.GetGoal().GetId() != want.GetId() {
			t.Errorf("GetGoal(uuid) id = %d, want %d", byUUID.GetGoal().GetId(), want.GetId())
		}
	})
}

func TestGoalServiceErrors(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		public := visibleGoal(t, st, sandbox.RoleUser)
		private := privateGoalOfOther(t, st, sandbox.RoleUser)
		user := st.Goals(p, sandbox.RoleUser)
		admin := st.Goals(p, sandbox.RoleSuperAdmin)
		tests := []struct {
			name       string
			call       func() error
			wantCode   connect.Code
			wantReason string
		}{
			{
				name: "not_found",
				call: func() error {
					_, err := admin.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "999999999"})
					return err
				},
				wantCode:   connect.CodeNotFound,
				wantReason: "UPSTREAM_NOT_FOUND",
			},
			{
				name: "private_goal_hidden_from_plain_user",
				call: func() error {
					_, err := user.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(private.GetId())})
					return err
				},
				wantCode:   connect.CodeNotFound,
				wantReason: "UPSTREAM_NOT_FOUND",
			},
			{
				name: "plain_user_cannot_delete_others_goal",
				call: func() error {
					_, err := user.DeleteGoal(t.Context(), &betterworksv1.DeleteGoalRequest{GoalId: fmt.Sprint(public.GetId())})
					return err
				},
				wantCode:   connect.CodePermissionDenied,
				wantReason: "UPSTREAM_PERMISSION_DENIED",
			},
			{
				name: "upstream_validation_error",
				call: func() error {
					// A goal with no children to check in a value on: the
					// upstream answers 400 with its own message.
					_, err := admin.CheckInGoal(t.Context(), &betterworksv1.CheckInGoalRequest{
						GoalId:   fmt.Sprint(public.GetId()),
						Progress: &betterworksv1.CheckInGoalRequest_Done{Done: true},
						Target:   nil,
					})
					return err
				},
				wantCode:   connect.CodeInvalidArgument,
				wantReason: "UPSTREAM_INVALID_ARGUMENT",
			},
		}
		for _, tt := range tests {
			wantUpstreamError(t, tt.name, tt.call(), tt.wantCode, tt.wantReason)
		}
	})
}

func TestGoalServiceRejectsInvalidRequestsBeforeUpstream(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Goals(p, sandbox.RoleSuperAdmin)
		refusedBeforeUpstream(t, st, []invalidCase{
			{"get_goal_bad_id", func() error {
				_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "../users/1"})
				return err
			}, "goal_id"},
			{"get_goal_missing_id", func() error {
				_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{})
				return err
			}, "goal_id"},
			{"search_query_too_short", func() error {
				_, err := client.SearchGoals(t.Context(), &betterworksv1.SearchGoalsRequest{Query: "ab"})
				return err
			}, "query"},
			{"list_page_size_too_big", func() error {
				_, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 1000})
				return err
			}, "page_size"},
			{"list_enum_undefined", func() error {
				_, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{Risk: 42})
				return err
			}, "risk"},
			{"list_date_range_reversed", func() error {
				_, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{
					DateRange: &betterworksv1.GoalDateRange{Start: "2024-05-01", End: "2024-04-01"},
				})
				return err
			}, "goal_date_range.order"},
			{"create_goal_missing_fields", func() error {
				_, err := client.CreateGoal(t.Context(), &betterworksv1.CreateGoalRequest{Name: "x"})
				return err
			}, "owner_user_id"},
			{"create_goal_impossible_date", func() error {
				_, err := client.CreateGoal(t.Context(), validCreate("1", "2023-02-31", "2023-03-31"))
				return err
			}, "start"},
			{"check_in_without_progress", func() error {
				_, err := client.CheckInGoal(t.Context(), &betterworksv1.CheckInGoalRequest{GoalId: "1"})
				return err
			}, "progress"},
			{"check_in_target_with_done", func() error {
				_, err := client.CheckInGoal(t.Context(), &betterworksv1.CheckInGoalRequest{
					GoalId: "1", Progress: &betterworksv1.CheckInGoalRequest_Done{Done: true}, Target: new(5.0),
				})
				return err
			}, "check_in.target"},
			{"check_in_not_finite", func() error {
				_, err := client.CheckInGoal(t.Context(), &betterworksv1.CheckInGoalRequest{
					GoalId: "1", Progress: &betterworksv1.CheckInGoalRequest_Value{Value: math.NaN()},
				})
				return err
			}, "value"},
			{"key_result_without_target", func() error {
				req := validCreate("1", "2024-01-01", "2024-02-01")
				req.KeyResults[0].Target = nil
				_, err := client.CreateGoal(t.Context(), req)
				return err
			}, "target"},
			{"id_beyond_int64", func() error {
				_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "9999999999999999999"})
				return err
			}, "goal_id"},
			{"bad_page_token", func() error {
				_, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageToken: "not-a-token"})
				return err
			}, "page_token"},
		})
	})
}

func validCreate(owner, start, end string) *betterworksv1.CreateGoalRequest {
	return &betterworksv1.CreateGoalRequest{
		OwnerUserId:    owner,
		Name:           "Ship the facade",
		Description:    "Typed access to Betterworks",
		Start:          start,
		End:            end,
		Visibility:     betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
		CreationSource: betterworksv1.GoalCreationSource_GOAL_CREATION_SOURCE_MANUAL,
		Type:           betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS,
		KeyResults: []*betterworksv1.KeyResultInput{{
			OwnerUserId: owner,
			Name:        "All RPCs served",
			Type:        betterworksv1.MeasurementType_MEASUREMENT_TYPE_NUMERIC,
			Target:      new(38.0),
			Unit:        "RPCs",
			Initial:     new(0.0),
		}},
	}
}

func TestGoalServiceUnauthenticated(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		for name, key := range map[string]string{"no_key": "", "unknown_key": "bwf_not-a-key"} {
			client := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, facadetest.ClientOptions(p, key)...)
			_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1"})
			if got := connect.CodeOf(err); got != connect.CodeUnauthenticated {
				t.Errorf("%s: GetGoal() code = %v, want %v", name, got, connect.CodeUnauthenticated)
			}
		}
		if n := len(st.Sandbox.Requests()); n != 0 {
			t.Errorf("sandbox saw %d requests, want 0", n)
		}
	})
}

func TestGoalServiceListGoalsPages(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Goals(p, sandbox.RoleSuperAdmin)
		req := &betterworksv1.ListGoalsRequest{PageSize: 7, Visibility: betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC}
		seen := map[int64]bool{}
		pages := 0
		for pages < 4 {
			resp, err := client.ListGoals(t.Context(), req)
			if err != nil {
				t.Fatalf("ListGoals(page %d) error = %v", pages+1, err)
			}
			pages++
			if len(resp.GetGoals()) != 7 {
				t.Fatalf("ListGoals(page %d) returned %d goals, want 7", pages, len(resp.GetGoals()))
			}
			for _, g := range resp.GetGoals() {
				if seen[g.GetId()] {
					t.Errorf("goal %d returned on two pages", g.GetId())
				}
				seen[g.GetId()] = true
				if g.GetVisibility() != betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC {
					t.Errorf("goal %d visibility = %v, want public", g.GetId(), g.GetVisibility())
				}
			}
			if resp.GetNextPageToken() == "" {
				t.Fatalf("page %d has no next_page_token", pages)
			}
			req.PageToken = resp.GetNextPageToken()
		}
		// The facade asked for page 1..4 with size 7, never following nextUrl.
		var gotPages []string
		for _, r := range st.Sandbox.Requests() {
			if r.Endpoint == "GET /goals/filter/" && r.Query.Get("visibility") == "public" {
				gotPages = append(gotPages, r.Query.Get("page")+"/"+r.Query.Get("size"))
			}
		}
		if want := "[1/7 2/7 3/7 4/7]"; fmt.Sprint(gotPages) != want {
			t.Errorf("upstream pages = %v, want %v", gotPages, want)
		}

		// A token reused with other filters is refused.
		req.Visibility = betterworksv1.GoalVisibility_GOAL_VISIBILITY_PRIVATE
		_, err := client.ListGoals(t.Context(), req)
		if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
			t.Errorf("ListGoals(token of other filters) code = %v, want %v", got, connect.CodeInvalidArgument)
		}

		// The last page has no token.
		last, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 100, GoalName: "zzzz-no-such-goal"})
		if err != nil {
			t.Fatalf("ListGoals(no match) error = %v", err)
		}
		if len(last.GetGoals()) != 0 || last.GetNextPageToken() != "" {
			t.Errorf("ListGoals(no match) = %d goals, token %q; want none", len(last.GetGoals()), last.GetNextPageToken())
		}
	})
}

func TestGoalServiceListGoalsSendsFilters(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin)
	after := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{
		Owner:             &betterworksv1.GoalRelationFilter{Id: "12", Negate: true},
		ReportsTo:         &betterworksv1.GoalRelationFilter{Id: "3", Direct: true},
		TeamOnly:          new(false),
		NoGroup:           true,
		Permission:        betterworksv1.GoalPermission_GOAL_PERMISSION_CAN_EDIT,
		Following:         new(true),
		CategoryIds:       []string{"1", "2"},
		CategoryIntersect: true,
		Assessed:          new(true),
		Risk:              betterworksv1.GoalRisk_GOAL_RISK_AT_RISK,
		Integration:       betterworksv1.GoalIntegrationFilter_GOAL_INTEGRATION_FILTER_NONE,
		Unit:              "Percent",
		TopCompanyGoal:    new(false),
		GoalName:          "growth",
		DateRange:         &betterworksv1.GoalDateRange{Start: "2024-01-01", End: "2024-12-31", Negate: true},
		UpdatedSince:      &betterworksv1.GoalDateRange{Start: "2024-02-01", End: "2024-02-29"},
		ModifiedAfter:     timestamppb.New(after),
	})
	if err != nil {
		t.Fatalf("ListGoals() error = %v", err)
	}
	if n := len(st.Sandbox.Requests()); n != 1 {
		t.Fatalf("sandbox saw %d requests, want 1", n)
	}
	wantQuery(t, st, "GET /goals/filter/", url.Values{
		"owner": {"12"}, "owner__negate": {"yes"},
		"reports_to": {"3"}, "reports_to__direct": {"yes"},
		"team_only": {"no"}, "group": {""}, "permission": {"can_edit"}, "following": {"yes"},
		"category": {"1", "2"}, "category__intersect": {"yes"}, "assessment": {"yes"},
		"risk": {"atrisk"}, "integration": {""}, "unit": {"Percent"}, "top_company_goal": {"no"},
		"goal_name":  {"growth"},
		"date_range": {"01/01/2024-12/31/2024"}, "date_range__negate": {"yes"},
		"updated_since": {"02/01/2024-02/29/2024"},
		"delta_start":   {"2024-01-02T03:04:05Z"},
		"page":          {"1"},
	})
}

func TestGoalServiceWrites(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Goals(p, sandbox.RoleSuperAdmin)
		owner := st.Sandbox.UserFor(sandbox.RoleUser)

		created, err := client.CreateGoal(t.Context(), validCreate(owner.UUID, "2026-01-01", "2026-06-30"))
		if err != nil {
			t.Fatalf("CreateGoal() error = %v", err)
		}
		goal := created.GetGoal()
		if goal.GetName() != "Ship the facade" || goal.GetStart() != "2026-01-01" || goal.GetEnd() != "2026-06-30" ||
			goal.GetOwner().GetUser().GetId() != owner.ID || len(goal.GetChildren()) != 1 {
			t.Errorf("CreateGoal() = %v; want the created goal with one key result", goal)
		}
		var body map[string]any
		if err := jsonBody(st, "POST /goals/", &body); err != nil {
			t.Fatal(err)
		}
		if body["start"] != "01/01/2026" || body["end"] != "06/30/2026" {
			t.Errorf("upstream got start %v end %v, want MM/DD/YYYY", body["start"], body["end"])
		}
		if n := st.Sandbox.Count("POST /goals/"); n != 1 {
			t.Errorf("POST /goals/ sent %d times, want 1", n)
		}

		id := fmt.Sprint(goal.GetId())
		kr := goal.GetChildren()[0]
		updated, err := client.UpdateGoal(t.Context(), &betterworksv1.UpdateGoalRequest{
			GoalId:      id,
			Description: new("Now with more key results"),
			End:         new("2026-09-30"),
			KeyResults: []*betterworksv1.KeyResultChange{
				{KeyResultId: fmt.Sprint(kr.GetId()), Action: betterworksv1.KeyResultAction_KEY_RESULT_ACTION_DELETE},
				{
					KeyResultId: "900001", Action: betterworksv1.KeyResultAction_KEY_RESULT_ACTION_CREATE,
					Name: new("Latency budget met"), Type: betterworksv1.MeasurementType_MEASUREMENT_TYPE_BINARY,
					OwnerUserId: new(owner.UUID), Target: new(1.0),
				},
			},
		})
		if err != nil {
			t.Fatalf("UpdateGoal() error = %v", err)
		}
		u := updated.GetGoal()
		if u.GetDescription() != "Now with more key results" || u.GetEnd() != "2026-09-30" || u.GetName() != "Ship the facade" {
			t.Errorf("UpdateGoal() = %v; want description and end changed, name kept", u)
		}
		if len(u.GetChildren()) != 1 || u.GetChildren()[0].GetName() != "Latency budget met" {
			t.Errorf("UpdateGoal() children = %v, want only the new key result", u.GetChildren())
		}

		newKR := fmt.Sprint(u.GetChildren()[0].GetId())
		checked, err := client.CheckInGoal(t.Context(), &betterworksv1.CheckInGoalRequest{
			GoalId: newKR, Progress: &betterworksv1.CheckInGoalRequest_Done{Done: true},
		})
		if err != nil {
			t.Fatalf("CheckInGoal() error = %v", err)
		}
		if checked.GetGoal().GetId() != goal.GetId() || checked.GetGoal().GetMeasurement().GetProgress() <= 0 {
			t.Errorf("CheckInGoal() = goal %d progress %v; want the parent %d with progress", checked.GetGoal().GetId(),
				checked.GetGoal().GetMeasurement().GetProgress(), goal.GetId())
		}

		if _, err := client.DeleteGoal(t.Context(), &betterworksv1.DeleteGoalRequest{GoalId: id}); err != nil {
			t.Fatalf("DeleteGoal() error = %v", err)
		}
		_, err = client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: id})
		if got := connect.CodeOf(err); got != connect.CodeNotFound {
			t.Errorf("GetGoal(deleted) code = %v, want %v", got, connect.CodeNotFound)
		}
	})
}

func TestGoalServiceReads(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Goals(p, sandbox.RoleSuperAdmin)
		goal := visibleGoal(t, st, sandbox.RoleUser)
		id := fmt.Sprint(goal.GetId())

		search, err := client.SearchGoals(t.Context(), &betterworksv1.SearchGoalsRequest{Query: goal.GetName()[:4], PageSize: 5, Current: true})
		if err != nil {
			t.Fatalf("SearchGoals() error = %v", err)
		}
		for _, g := range search.GetGoals() {
			if !strings.Contains(strings.ToLower(g.GetName()), strings.ToLower(goal.GetName()[:4])) {
				t.Errorf("SearchGoals() returned %q, which does not match %q", g.GetName(), goal.GetName()[:4])
			}
		}
		if q := lastQuery(st, "GET /goals/search/"); q.Get("q") != goal.GetName()[:4] || q.Get("current") == "" || q.Get("size") != "5" {
			t.Errorf("upstream search query = %v, want q, current and size", q)
		}

		comments, err := client.ListGoalComments(t.Context(), &betterworksv1.ListGoalCommentsRequest{GoalId: id, PageSize: 10})
		if err != nil {
			t.Fatalf("ListGoalComments() error = %v", err)
		}
		for _, c := range comments.GetComments() {
			if c.GetGoal().GetId() != goal.GetId() || c.GetAuthor().GetId() == 0 || c.GetCreated() == nil {
				t.Errorf("ListGoalComments() comment = %v, want one on goal %d with author and time", c, goal.GetId())
			}
		}

		assessments, err := client.ListGoalAssessments(t.Context(), &betterworksv1.ListGoalAssessmentsRequest{GoalId: id})
		if err != nil {
			t.Fatalf("ListGoalAssessments() error = %v", err)
		}
		for _, a := range assessments.GetAssessments() {
			if a.GetGoalId() != goal.GetId() || a.GetScore() < 0 || a.GetScore() > 1 {
				t.Errorf("ListGoalAssessments() assessment = %v, want goal %d and a score in [0,1]", a, goal.GetId())
			}
		}

		categories, err := client.SearchGoalCategories(t.Context(), &betterworksv1.SearchGoalCategoriesRequest{PageSize: 2})
		if err != nil {
			t.Fatalf("SearchGoalCategories() error = %v", err)
		}
		if len(categories.GetCategories()) != 2 || categories.GetNextPageToken() == "" {
			t.Fatalf("SearchGoalCategories() = %d categories, token %q; want 2 and a next page", len(categories.GetCategories()), categories.GetNextPageToken())
		}
		next, err := client.SearchGoalCategories(t.Context(), &betterworksv1.SearchGoalCategoriesRequest{PageSize: 2, PageToken: categories.GetNextPageToken()})
		if err != nil {
			t.Fatalf("SearchGoalCategories(page 2) error = %v", err)
		}
		if len(next.GetCategories()) == 0 || next.GetCategories()[0].GetId() == categories.GetCategories()[0].GetId() {
			t.Errorf("SearchGoalCategories(page 2) = %v, want the next categories", next.GetCategories())
		}
	})
}

func TestGoalServiceListGoalCommentsPagesByTime(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Goals(p, sandbox.RoleSuperAdmin)
		req := &betterworksv1.ListGoalCommentsRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID), PageSize: 3}
		seen := map[int64]bool{}
		var previous time.Time
		for pages := 0; pages < 10; pages++ {
			resp, err := client.ListGoalComments(t.Context(), req)
			if err != nil {
				t.Fatalf("ListGoalComments(page %d) error = %v", pages+1, err)
			}
			for _, c := range resp.GetComments() {
				created := c.GetCreated().AsTime()
				if seen[c.GetId()] || !previous.IsZero() && !created.Before(previous) {
					t.Errorf("comment %d (created %v) repeats or is not older than %v", c.GetId(), created, previous)
				}
				seen[c.GetId()] = true
				previous = created
			}
			if resp.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.GetNextPageToken()
		}
		if len(seen) <= 3 {
			t.Fatalf("walked %d comments, want more than one page of 3", len(seen))
		}
		if q := lastQuery(st, "GET /goals/{id}/comments"); q.Get("latest_time") == "" || q.Get("page") != "" {
			t.Errorf("upstream query of a later page = %v, want latest_time and no page", q)
		}
	})
}

func TestGoalServiceCheckInMetricAndAssessments(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		fx := st.Sandbox.Fixtures()
		client := st.Goals(p, sandbox.RoleUser) // the owner checks in their own key result
		before, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(fx.UserGoalID)})
		if err != nil {
			t.Fatalf("GetGoal() error = %v", err)
		}

		resp, err := client.CheckInGoal(t.Context(), &betterworksv1.CheckInGoalRequest{
			GoalId:   fmt.Sprint(fx.UserNumericKeyResultID),
			Progress: &betterworksv1.CheckInGoalRequest_Value{Value: 90},
			Target:   new(120.0),
		})
		if err != nil {
			t.Fatalf("CheckInGoal() error = %v", err)
		}
		parent := resp.GetGoal()
		if parent.GetId() != fx.UserGoalID {
			t.Errorf("CheckInGoal() returned goal %d, want the parent %d", parent.GetId(), fx.UserGoalID)
		}
		if got, was := parent.GetMeasurement().GetProgress(), before.GetGoal().GetMeasurement().GetProgress(); got <= was {
			t.Errorf("parent progress = %v after checking in 90 of 120 (was 40 of 100), want more than %v", got, was)
		}
		var body map[string]any
		if err := jsonBody(st, "POST /goals/{id}/checkin/", &body); err != nil {
			t.Fatal(err)
		}
		if body["value"] != 90.0 || body["target"] != 120.0 || body["done"] != nil {
			t.Errorf("upstream check-in body = %v, want value 90 and target 120 only", body)
		}

		assessments, err := client.ListGoalAssessments(t.Context(), &betterworksv1.ListGoalAssessmentsRequest{GoalId: fmt.Sprint(fx.UserNumericKeyResultID)})
		if err != nil {
			t.Fatalf("ListGoalAssessments() error = %v", err)
		}
		if len(assessments.GetAssessments()) != 2 {
			t.Fatalf("ListGoalAssessments() = %d assessments, want 2", len(assessments.GetAssessments()))
		}
		for _, a := range assessments.GetAssessments() {
			if a.GetGoalId() != fx.UserNumericKeyResultID || a.GetCreatedBy().GetId() == 0 || a.GetCreated() == nil {
				t.Errorf("assessment = %v, want one of goal %d with author and time", a, fx.UserNumericKeyResultID)
			}
		}
	})
}

func TestGoalServiceKeepsUpstreamFieldErrors(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		req := validCreate(fmt.Sprint(st.Sandbox.UserFor(sandbox.RoleUser).ID), "2026-01-01", "2026-02-01")
		req.ParentId = "999999" // passes our validation; the upstream knows no such goal

		_, err := st.Goals(p, sandbox.RoleSuperAdmin).CreateGoal(t.Context(), req)

		if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
			t.Fatalf("CreateGoal() code = %v, want %v (err: %v)", got, connect.CodeInvalidArgument, err)
		}
		var violations []string
		for _, fv := range fieldViolations(err) {
			violations = append(violations, fv.GetField()+": "+fv.GetDescription())
		}
		if want := []string{"parent: Invalid pk - object does not exist."}; fmt.Sprint(violations) != fmt.Sprint(want) {
			t.Errorf("CreateGoal() field violations = %v, want %v", violations, want)
		}
		if info := errorInfo(err); info.GetMetadata()["upstream_endpoint"] != "POST /goals/" || info.GetMetadata()["upstream_status"] != "400" {
			t.Errorf("ErrorInfo metadata = %v, want the endpoint template and status", info.GetMetadata())
		}
		if n := st.Sandbox.Count("POST /goals/"); n != 1 {
			t.Errorf("POST /goals/ sent %d times, want exactly 1 (writes are never retried)", n)
		}
	})
}

func TestGoalServiceListGoalsByModifiedTime(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	ref := st.Sandbox.ReferenceTime()
	after := ref.Add(-90*24*time.Hour + 123456789*time.Nanosecond)
	before := ref.Add(-30*24*time.Hour - 987654321*time.Nanosecond)

	resp, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{
		PageSize:       100,
		ModifiedAfter:  timestamppb.New(after),
		ModifiedBefore: timestamppb.New(before),
	})
	if err != nil {
		t.Fatalf("ListGoals() error = %v", err)
	}
	if len(resp.GetGoals()) == 0 {
		t.Fatal("ListGoals() found no goal modified in the window; the seed spreads modifications over two years")
	}
	for _, g := range resp.GetGoals() {
		if m := g.GetModifiedOn().AsTime(); m.Before(after.Truncate(time.Microsecond)) || m.After(before) {
			t.Errorf("goal %d modified %v, outside [%v, %v]", g.GetId(), m, after, before)
		}
	}
	q := lastQuery(st, "GET /goals/filter/")
	if q.Get("delta_start") != deltaQuery(after) || q.Get("delta_end") != deltaQuery(before) {
		t.Errorf("upstream delta filters = %v, want UTC instants to the microsecond", q)
	}
}
