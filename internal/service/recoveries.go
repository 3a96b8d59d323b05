package service

import (
	"context"
	"strconv"
	"strings"
	"time"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// The recoveries of idempotent writes (see once): after an attempt whose
// outcome is unknown, each looks upstream for the write's effect by its
// natural key, and says whether it found it.

// recoveryPages bounds the pages a lookup reads; a collection larger
// than that is searched in its first recoveryPages pages only, newest
// last for departments, which the upstream lists by id.
const recoveryPages = 50

// recoveryPageSize is the page size of lookups: the upstream's largest.
const recoveryPageSize = 100

// findCreatedGoal finds the goal a CreateGoal attempt made: one of the
// owner's goals with the request's name, period, parent and visibility,
// created after the first attempt began. The upstream's clock dates goals,
// so the first attempt's instant is moved onto it: the listing's Date less
// the time elapsed since. A field the listing leaves out is not compared;
// the description, which the upstream may reformat, never is.
func (s *GoalService) findCreatedGoal(req *betterworksv1.CreateGoalRequest) recovery[*betterworksv1.CreateGoalResponse] {
	return func(ctx context.Context, token upstream.Token, since time.Time) (*betterworksv1.CreateGoalResponse, bool, error) {
		filter := upstream.GoalFilter{Owner: &upstream.Relation{ID: req.GetOwnerUserId(), Direct: true}, GoalName: req.GetName()}
		elapsed := s.requestIDs.now().Sub(since)
		found, err := firstMatch(ctx, func(ctx context.Context, page upstream.PageRequest) (*upstream.Page[upstream.Goal], error) {
			return s.upstream.ListGoals(ctx, token, filter, page)
		}, func(p *upstream.Page[upstream.Goal], g *upstream.Goal) bool {
			cutoff := createdCutoff(p.Served, since, elapsed)
			created := g.Created.Time
			if created.IsZero() {
				created = g.CreatedOn.Time
			}
			return g.Name == req.GetName() && !g.IsKeyResult && !created.IsZero() && !created.Before(cutoff) && sameGoal(req, g)
		})
		if found == nil || err != nil {
			return nil, false, err
		}
		goal, err := s.upstream.GetGoal(ctx, token, goalID(found))
		if err != nil {
			return nil, false, err
		}
		return &betterworksv1.CreateGoalResponse{Goal: goalToProto(goal)}, true, nil
	}
}

// sameGoal reports whether g has req's period, parent and visibility, as
// far as the listing tells them.
func sameGoal(req *betterworksv1.CreateGoalRequest, g *upstream.Goal) bool {
	if g.Start != "" && g.Start != req.GetStart() || g.End != "" && g.End != req.GetEnd() {
		return false
	}
	if v := goalVisibilities.upstream(req.GetVisibility()); g.Visibility != "" && v != "" && g.Visibility != v {
		return false
	}
	parent := req.GetParentId()
	switch {
	case parent == "":
		return g.Parent == nil
	case g.Parent == nil:
		return false
	}
	return strconv.FormatInt(g.Parent.ID, 10) == parent || strings.EqualFold(g.Parent.UUID, parent)
}

// findDeletedGoal reports a DeleteGoal as done when the goal is gone.
func (s *GoalService) findDeletedGoal(req *betterworksv1.DeleteGoalRequest) recovery[*betterworksv1.DeleteGoalResponse] {
	return func(ctx context.Context, token upstream.Token, _ time.Time) (*betterworksv1.DeleteGoalResponse, bool, error) {
		_, err := s.upstream.GetGoal(ctx, token, req.GetGoalId())
		switch {
		case err == nil:
			return nil, false, nil
		case upstreamNotFound(err):
			return &betterworksv1.DeleteGoalResponse{}, true, nil
		}
		return nil, false, err
	}
}

// createdCutoff is the earliest instant, by the upstream's clock, at which
// the first attempt of a write that began at since (by the facade's
// clock, elapsed ago) can have made something: since moved onto the
// upstream's clock, which dated a page it served at served (its Date
// less the time elapsed; since itself when the page has no Date), less
// recoverySkew.
func createdCutoff(served, since time.Time, elapsed time.Duration) time.Time {
	if served.IsZero() {
		return since.Add(-recoverySkew)
	}
	return served.Add(-elapsed - recoverySkew)
}

// findCreatedDepartment finds the department a CreateDepartment attempt
// made by its name, which the upstream keeps unique: an active one,
// created after the first attempt began. A department of that name from
// before (the first attempt was then refused as a duplicate) is not it.
func (s *PeopleService) findCreatedDepartment(req *betterworksv1.CreateDepartmentRequest) recovery[*betterworksv1.CreateDepartmentResponse] {
	return func(ctx context.Context, token upstream.Token, since time.Time) (*betterworksv1.CreateDepartmentResponse, bool, error) {
		all := true
		elapsed := s.requestIDs.now().Sub(since)
		found, err := firstMatch(ctx, func(ctx context.Context, page upstream.PageRequest) (*upstream.Page[upstream.Department], error) {
			return s.upstream.ListDepartments(ctx, token, upstream.DepartmentFilter{IncludeDeactivated: &all}, page)
		}, func(p *upstream.Page[upstream.Department], d *upstream.Department) bool {
			created := d.CreatedOn.Time
			return d.Name == req.GetName() && d.IsActive && !created.IsZero() && !created.Before(createdCutoff(p.Served, since, elapsed))
		})
		if found == nil || err != nil {
			return nil, false, err
		}
		return &betterworksv1.CreateDepartmentResponse{Department: departmentToProto(found)}, true, nil
	}
}

// firstMatch reads the pages fetch returns, at most recoveryPages of
// recoveryPageSize, and returns the first item match accepts on its page,
// or nil.
func firstMatch[T any](ctx context.Context, fetch func(context.Context, upstream.PageRequest) (*upstream.Page[T], error), match func(*upstream.Page[T], *T) bool) (*T, error) {
	for page := 1; page <= recoveryPages; page++ {
		p, err := fetch(ctx, upstream.PageRequest{Page: page, Size: recoveryPageSize})
		if err != nil {
			return nil, err
		}
		for i := range p.Results {
			if match(p, &p.Results[i]) {
				return &p.Results[i], nil
			}
		}
		if !p.More {
			break
		}
	}
	return nil, nil
}

// goalID is g's id as the upstream's paths take it.
func goalID(g *upstream.Goal) string {
	if g.UUID != "" {
		return g.UUID
	}
	return strconv.FormatInt(g.ID, 10)
}
