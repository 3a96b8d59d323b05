package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
)

// TestBadDatesAndInstantsNeverReachTheUpstream: dates the contract's
// pattern admits but no calendar has (2023-02-31, year 0000), Timestamps
// outside their valid range (which binary protobuf carries), and an
// e-mail address that the upstream would route as a path, are refused
// before any upstream call, with a field violation naming the request's
// own field.
func TestBadDatesAndInstantsNeverReachTheUpstream(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	goals := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
	people := st.People(facadetest.Connect, sandbox.RoleSuperAdmin)
	feedback := st.Feedback(facadetest.Connect, sandbox.RoleSuperAdmin)
	badRange := &betterworksv1.GoalDateRange{Start: "2023-02-31", End: "2023-03-01"}
	stream := func(err error, receive func() bool, streamErr func() error) error {
		if err != nil {
			return err
		}
		for receive() {
		}
		return streamErr()
	}
	tests := []struct {
		name  string
		call  func(ctx context.Context) error
		field string
	}{
		{"ListGoals date_range", func(ctx context.Context) error {
			_, err := goals.ListGoals(ctx, &betterworksv1.ListGoalsRequest{DateRange: badRange})
			return err
		}, "date_range.start"},
		{"ExportGoals filter.updated_since", func(ctx context.Context) error {
			s, err := goals.ExportGoals(ctx, &betterworksv1.ExportGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{UpdatedSince: badRange}})
			return stream(err, s.Receive, s.Err)
		}, "filter.updated_since.start"},
		{"SyncGoals filter.viewed_by_owner_date", func(ctx context.Context) error {
			s, err := goals.SyncGoals(ctx, &betterworksv1.SyncGoalsRequest{Filter: &betterworksv1.ListGoalsRequest{ViewedByOwnerDate: &betterworksv1.GoalDateRange{Start: "2023-01-01", End: "2023-04-31"}}})
			return stream(err, s.Receive, s.Err)
		}, "filter.viewed_by_owner_date.end"},
		{"ListRecognitions year 0000", func(ctx context.Context) error {
			_, err := feedback.ListRecognitions(ctx, &betterworksv1.ListRecognitionsRequest{StartDate: "0000-01-01", EndDate: "2023-01-01"})
			return err
		}, "start_date"},
		{"ListGoals modified_after far future", func(ctx context.Context) error {
			_, err := goals.ListGoals(ctx, &betterworksv1.ListGoalsRequest{ModifiedAfter: &timestamppb.Timestamp{Seconds: 1e15}})
			return err
		}, "modified_after"},
		{"ListUsers modified_before far past", func(ctx context.Context) error {
			_, err := people.ListUsers(ctx, &betterworksv1.ListUsersRequest{ModifiedBefore: &timestamppb.Timestamp{Seconds: -1e12}})
			return err
		}, "modified_before"},
		{"ListGoalComments latest_time overflowing microseconds", func(ctx context.Context) error {
			_, err := goals.ListGoalComments(ctx, &betterworksv1.ListGoalCommentsRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID), LatestTime: &timestamppb.Timestamp{Seconds: 1e13}})
			return err
		}, "latest_time"},
		{"GetUser e-mail with a slash", func(ctx context.Context) error {
			_, err := people.GetUser(ctx, &betterworksv1.GetUserRequest{UserId: "a/../../goals/1@example.com"})
			return err
		}, "user_id"},
		{"ListGoals modified_before nanos out of range", func(ctx context.Context) error {
			_, err := goals.ListGoals(ctx, &betterworksv1.ListGoalsRequest{ModifiedBefore: &timestamppb.Timestamp{Seconds: 1, Nanos: -1}})
			return err
		}, "modified_before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(st.Sandbox.Requests())

			err := tt.call(t.Context())

			if connect.CodeOf(err) != connect.CodeInvalidArgument || rpcerr.Reason(err) != rpcerr.ReasonInvalidRequest {
				t.Fatalf("error = %v, want INVALID_ARGUMENT %s", err, rpcerr.ReasonInvalidRequest)
			}
			// The facade's own checks name the field in a BadRequest;
			// protovalidate's rules in its own Violations, and in the
			// message.
			var fields []string
			for _, v := range fieldViolations(err) {
				fields = append(fields, v.GetField())
			}
			if !slices.Contains(fields, tt.field) && !strings.Contains(err.Error(), tt.field+": ") {
				t.Errorf("field violations %q, message %q; want one on %q", fields, err.Error(), tt.field)
			}
			if after := len(st.Sandbox.Requests()); after != before {
				t.Errorf("the sandbox saw %d requests, want none", after-before)
			}
		})
	}
}

// TestEarliestInstantKeepsItsFilter: 0001-01-01T00:00:00Z, the earliest
// valid Timestamp, is also Go's zero time, which the upstream filters
// read as unset; a filter set to it must still be sent.
func TestEarliestInstantKeepsItsFilter(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	earliest := timestamppb.New(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))

	resp, err := st.People(facadetest.Connect, sandbox.RoleSuperAdmin).ListUsers(t.Context(), &betterworksv1.ListUsersRequest{ModifiedBefore: earliest})

	if err != nil {
		t.Fatalf("ListUsers() error = %v", err)
	}
	if n := len(resp.GetUsers()); n != 0 {
		t.Errorf("ListUsers(modified_before: year 1) = %d users, want none", n)
	}
	requests := st.Sandbox.Requests()
	if last := requests[len(requests)-1]; last.Query.Get("delta_end") == "" {
		t.Errorf("upstream query %v, want a delta_end", last.Query)
	}
}
