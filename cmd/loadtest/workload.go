package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/upstream"
)

// workloadNames lists the workloads, in the order they run.
var workloadNames = []string{"GetGoal", "ListGoals", "ListUsers", "CheckInGoal"}

// workload is one kind of call, made alike through every variant: rest
// through the upstream client (the direct and bare variants), rpc through
// the facade's generated clients. Both fail on an answer that is not the
// expected one (a short page, say), so that a run with no errors is a run
// whose numbers mean something.
type workload struct {
	name string
	rest func(ctx context.Context, c *upstream.Client, token upstream.Token) error
	rpc  func(ctx context.Context, c facadeClients) error
}

// facadeClients are the generated clients of one protocol.
type facadeClients struct {
	goals  betterworksv1connect.GoalServiceClient
	people betterworksv1connect.PeopleServiceClient
}

// maxUsersPage is the largest page of List Users the reference allows.
const maxUsersPage = 20

// newWorkloads returns the named workloads on the sandbox's fixtures.
// ListGoals asks for the first page of pageSize goals, ListUsers for the
// first page of pageSize users, at most maxUsersPage.
func newWorkloads(names []string, fx sandbox.Fixtures, pageSize int) []workload {
	goalID := strconv.FormatInt(fx.UserGoalID, 10)
	keyResultID := strconv.FormatInt(fx.UserNumericKeyResultID, 10)
	goalsPage := upstream.PageRequest{Page: 1, Size: pageSize}
	usersPage := upstream.PageRequest{Page: 1, Size: min(pageSize, maxUsersPage)}
	// checkIns numbers the check-ins: each records a value in [0, 100) on
	// the numeric key result (initial 0, target 100), so every one of them
	// is valid however many run.
	var checkIns atomic.Uint64
	nextValue := func() float64 { return float64(checkIns.Add(1) % 100) }

	all := map[string]workload{
		"GetGoal": {
			rest: func(ctx context.Context, c *upstream.Client, token upstream.Token) error {
				g, err := c.GetGoal(ctx, token, goalID)
				return expect(err, g != nil && g.ID == fx.UserGoalID, "goal %s", goalID)
			},
			rpc: func(ctx context.Context, c facadeClients) error {
				resp, err := c.goals.GetGoal(ctx, &betterworksv1.GetGoalRequest{GoalId: goalID})
				return expect(err, resp.GetGoal().GetId() == fx.UserGoalID, "goal %s", goalID)
			},
		},
		"ListGoals": {
			rest: func(ctx context.Context, c *upstream.Client, token upstream.Token) error {
				p, err := c.ListGoals(ctx, token, upstream.GoalFilter{}, goalsPage)
				return expect(err, p != nil && len(p.Results) == goalsPage.Size, "a page of %d goals", goalsPage.Size)
			},
			rpc: func(ctx context.Context, c facadeClients) error {
				resp, err := c.goals.ListGoals(ctx, &betterworksv1.ListGoalsRequest{PageSize: int32(goalsPage.Size)})
				return expect(err, len(resp.GetGoals()) == goalsPage.Size, "a page of %d goals", goalsPage.Size)
			},
		},
		"ListUsers": {
			rest: func(ctx context.Context, c *upstream.Client, token upstream.Token) error {
				p, err := c.ListUsers(ctx, token, upstream.UserFilter{}, usersPage)
				return expect(err, p != nil && len(p.Results) == usersPage.Size, "a page of %d users", usersPage.Size)
			},
			rpc: func(ctx context.Context, c facadeClients) error {
				resp, err := c.people.ListUsers(ctx, &betterworksv1.ListUsersRequest{PageSize: int32(usersPage.Size)})
				return expect(err, len(resp.GetUsers()) == usersPage.Size, "a page of %d users", usersPage.Size)
			},
		},
		"CheckInGoal": {
			rest: func(ctx context.Context, c *upstream.Client, token upstream.Token) error {
				value := nextValue()
				g, err := c.CheckInGoal(ctx, token, keyResultID, &upstream.CheckIn{Value: &value})
				return expect(err, g != nil && g.ID == fx.UserGoalID, "the parent goal %s", goalID)
			},
			rpc: func(ctx context.Context, c facadeClients) error {
				req := &betterworksv1.CheckInGoalRequest{GoalId: keyResultID, Progress: &betterworksv1.CheckInGoalRequest_Value{Value: nextValue()}}
				resp, err := c.goals.CheckInGoal(ctx, req)
				return expect(err, resp.GetGoal().GetId() == fx.UserGoalID, "the parent goal %s", goalID)
			},
		},
	}
	out := make([]workload, len(names))
	for i, name := range names {
		out[i] = all[name]
		out[i].name = name
	}
	return out
}

// expect returns err, or an error saying what was wanted when ok is false.
func expect(err error, ok bool, want string, args ...any) error {
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("unexpected answer: want "+want, args...)
	}
	return nil
}
