package service

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/upstream"
)

// GoalService implements betterworksv1connect.GoalServiceHandler.
type GoalService struct {
	handler
}

var _ betterworksv1connect.GoalServiceHandler = (*GoalService)(nil)

// NewGoalService returns the GoalService handler for cfg.
func NewGoalService(cfg Config) *GoalService {
	return &GoalService{handler: newHandler(cfg)}
}

// GetGoal implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) GetGoal(ctx context.Context, req *betterworksv1.GetGoalRequest) (*betterworksv1.GetGoalResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	goal, err := s.upstream.GetGoal(ctx, token, req.GetGoalId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.GetGoalResponse{Goal: goalToProto(goal)}, nil
}

// ListGoals implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) ListGoals(ctx context.Context, req *betterworksv1.ListGoalsRequest) (*betterworksv1.ListGoalsResponse, error) {
	c, err := s.goals(req, "")
	if err != nil {
		return nil, err
	}
	goals, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListGoalsResponse{Goals: goals, NextPageToken: next}, nil
}

func goalFilter(req *betterworksv1.ListGoalsRequest) upstream.GoalFilter {
	f := upstream.GoalFilter{
		Owner:             relation(req.GetOwner()),
		AlignedToGoal:     relation(req.GetAlignedToGoal()),
		AlignedToOwner:    relation(req.GetAlignedToOwner()),
		ReportsTo:         relation(req.GetReportsTo()),
		TeamOnly:          req.TeamOnly,
		Visibility:        goalVisibilities.upstream(req.GetVisibility()),
		Permission:        goalPermissions.upstream(req.GetPermission()),
		Following:         req.Following,
		Categories:        req.GetCategoryIds(),
		CategoryIntersect: req.GetCategoryIntersect(),
		Uncategorized:     req.GetUncategorized(),
		Assessed:          req.Assessed,
		Risk:              goalRisks.upstream(req.GetRisk()),
		TopCompanyGoal:    req.TopCompanyGoal,
		GoalName:          req.GetGoalName(),
		DateRange:         dateRange(req.GetDateRange()),
		UpdatedSince:      dateRange(req.GetUpdatedSince()),
		ViewedByOwnerDate: dateRange(req.GetViewedByOwnerDate()),
		DeltaStart:        timeOrZero(req.GetModifiedAfter()),
		DeltaEnd:          timeOrZero(req.GetModifiedBefore()),
	}
	switch {
	case req.GetNoGroup():
		f.Group = new("")
	case req.GetGroupId() != "":
		f.Group = new(req.GetGroupId())
	}
	if integration, ok := goalIntegrations[req.GetIntegration()]; ok {
		f.Integration = &integration
	}
	switch {
	case req.GetNoUnit():
		f.Unit = new("")
	case req.GetUnit() != "":
		f.Unit = new(req.GetUnit())
	}
	return f
}

func relation(r *betterworksv1.GoalRelationFilter) *upstream.Relation {
	if r == nil {
		return nil
	}
	return &upstream.Relation{ID: r.GetId(), Direct: r.GetDirect(), Negate: r.GetNegate()}
}

// checkGoalDates checks that the dates of req's date ranges exist (the
// contract's pattern admits 2023-02-31), naming each field that does not
// after field, a prefix.
func checkGoalDates(req *betterworksv1.ListGoalsRequest, field string) error {
	var p fieldParser
	for _, r := range []struct {
		name string
		r    *betterworksv1.GoalDateRange
	}{
		{"date_range", req.GetDateRange()},
		{"updated_since", req.GetUpdatedSince()},
		{"viewed_by_owner_date", req.GetViewedByOwnerDate()},
	} {
		if r.r != nil {
			p.usDate(field+r.name+".start", r.r.GetStart())
			p.usDate(field+r.name+".end", r.r.GetEnd())
		}
	}
	return p.err()
}

func dateRange(r *betterworksv1.GoalDateRange) *upstream.DateRange {
	if r == nil {
		return nil
	}
	return &upstream.DateRange{Start: r.GetStart(), End: r.GetEnd(), Negate: r.GetNegate()}
}

// SearchGoals implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) SearchGoals(ctx context.Context, req *betterworksv1.SearchGoalsRequest) (*betterworksv1.SearchGoalsResponse, error) {
	search := upstream.GoalSearch{
		Query:        req.GetQuery(),
		Visibility:   goalVisibilities.upstream(req.GetVisibility()),
		GoalType:     measurementTypes.upstream(req.GetGoalType()),
		NotDue:       req.GetNotDue(),
		Current:      req.GetCurrent(),
		CurrentStale: req.GetCurrentStale(),
		Future:       req.GetFuture(),
	}
	goals, next, err := listPage(ctx, &s.handler, req,
		func(ctx context.Context, token upstream.Token, page upstream.PageRequest) (*upstream.Page[upstream.Goal], error) {
			return s.upstream.SearchGoals(ctx, token, search, page)
		}, goalToProto)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.SearchGoalsResponse{Goals: goals, NextPageToken: next}, nil
}

// CreateGoal implements betterworksv1connect.GoalServiceHandler. The
// upstream call is a write: it is sent once and never retried.
func (s *GoalService) CreateGoal(ctx context.Context, req *betterworksv1.CreateGoalRequest) (*betterworksv1.CreateGoalResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.CreateGoalResponse, error) {
		return s.createGoal(ctx, req)
	}, s.findCreatedGoal(req))
}

// createGoal applies CreateGoal, once the request_id allows it.
func (s *GoalService) createGoal(ctx context.Context, req *betterworksv1.CreateGoalRequest) (*betterworksv1.CreateGoalResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	in, err := goalCreate(req)
	if err != nil {
		return nil, err
	}
	goal, err := s.upstream.CreateGoal(ctx, token, in)
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.CreateGoalResponse{Goal: goalToProto(goal)}, nil
}

func goalCreate(req *betterworksv1.CreateGoalRequest) (*upstream.GoalCreate, error) {
	var fields fieldParser
	in := &upstream.GoalCreate{
		Owner:            upstream.Owner{UserID: req.GetOwnerUserId()},
		Name:             req.GetName(),
		Description:      req.GetDescription(),
		Parent:           req.GetParentId(),
		Start:            fields.usDate("start", req.GetStart()),
		End:              fields.usDate("end", req.GetEnd()),
		Categories:       req.GetCategoryIds(),
		Visibility:       goalVisibilities.upstream(req.GetVisibility()),
		CreationSource:   goalCreationSources.upstream(req.GetCreationSource()),
		Type:             measurementTypes.upstream(req.GetType()),
		Unit:             req.GetUnit(),
		MeasurementWrite: measurementOf(req),
		AttributeScope:   goalAttributeScopes.upstream(req.GetAttributeScope()),
		AttributeType:    goalAttributeTypes.upstream(req.GetAttributeType()),
	}
	for i, kr := range req.GetKeyResults() {
		field := fmt.Sprintf("key_results[%d].", i)
		in.KeyResults = append(in.KeyResults, upstream.KeyResultWrite{
			ID:               kr.GetKeyResultId(),
			Owner:            &upstream.Owner{UserID: kr.GetOwnerUserId()},
			Name:             new(kr.GetName()),
			Start:            fields.optionalUSDate(field+"start", kr.GetStart()),
			End:              fields.optionalUSDate(field+"end", kr.GetEnd()),
			Type:             measurementTypes.upstream(kr.GetType()),
			Unit:             nonEmpty(kr.GetUnit()),
			MeasurementWrite: measurementOf(kr),
			AttributeScope:   goalAttributeScopes.upstream(kr.GetAttributeScope()),
			AttributeType:    goalAttributeTypes.upstream(kr.GetAttributeType()),
		})
	}
	if err := fields.err(); err != nil {
		return nil, err
	}
	return in, nil
}

// UpdateGoal implements betterworksv1connect.GoalServiceHandler. The
// upstream call is a write: it is sent once and never retried.
func (s *GoalService) UpdateGoal(ctx context.Context, req *betterworksv1.UpdateGoalRequest) (*betterworksv1.UpdateGoalResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.UpdateGoalResponse, error) {
		return s.updateGoal(ctx, req)
	}, nil)
}

// updateGoal applies UpdateGoal, once the request_id allows it.
func (s *GoalService) updateGoal(ctx context.Context, req *betterworksv1.UpdateGoalRequest) (*betterworksv1.UpdateGoalResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	in, err := goalUpdate(req)
	if err != nil {
		return nil, err
	}
	goal, err := s.upstream.UpdateGoal(ctx, token, req.GetGoalId(), in)
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.UpdateGoalResponse{Goal: goalToProto(goal)}, nil
}

func goalUpdate(req *betterworksv1.UpdateGoalRequest) (*upstream.GoalUpdate, error) {
	var fields fieldParser
	in := &upstream.GoalUpdate{
		Name:             req.Name,
		Parent:           req.ParentId,
		Visibility:       goalVisibilities.upstream(req.GetVisibility()),
		Description:      req.Description,
		Start:            fields.usDatePtr("start", req.Start),
		End:              fields.usDatePtr("end", req.End),
		Unit:             req.Unit,
		MeasurementWrite: measurementOf(req),
		Type:             measurementTypes.upstream(req.GetType()),
		AttributeScope:   goalAttributeScopes.upstream(req.GetAttributeScope()),
		AttributeType:    goalAttributeTypes.upstream(req.GetAttributeType()),
	}
	if req.OwnerUserId != nil {
		in.Owner = &upstream.Owner{UserID: req.GetOwnerUserId()}
	}
	for i, kr := range req.GetKeyResults() {
		field := fmt.Sprintf("key_results[%d].", i)
		w := upstream.KeyResultWrite{ID: kr.GetKeyResultId()}
		switch kr.GetAction() {
		case betterworksv1.KeyResultAction_KEY_RESULT_ACTION_DELETE:
			w.Delete = true
			in.KeyResults = append(in.KeyResults, w)
			continue
		case betterworksv1.KeyResultAction_KEY_RESULT_ACTION_CREATE:
			w.Create = true
		}
		if kr.OwnerUserId != nil {
			w.Owner = &upstream.Owner{UserID: kr.GetOwnerUserId()}
		}
		w.Name = kr.Name
		w.Start = fields.usDatePtr(field+"start", kr.Start)
		w.End = fields.usDatePtr(field+"end", kr.End)
		w.Unit = kr.Unit
		w.MeasurementWrite = measurementOf(kr)
		w.Type = measurementTypes.upstream(kr.GetType())
		w.AttributeScope = goalAttributeScopes.upstream(kr.GetAttributeScope())
		w.AttributeType = goalAttributeTypes.upstream(kr.GetAttributeType())
		in.KeyResults = append(in.KeyResults, w)
	}
	if err := fields.err(); err != nil {
		return nil, err
	}
	return in, nil
}

// measurementOf reads the measurement of a goal or key result write
// (CreateGoalRequest, KeyResultInput, UpdateGoalRequest, KeyResultChange):
// the fields the contract names alike in each, the ones the caller set.
func measurementOf(msg proto.Message) upstream.MeasurementWrite {
	m := msg.ProtoReflect()
	fields := m.Descriptor().Fields()
	set := func(name protoreflect.Name) (protoreflect.Value, bool) {
		fd := fields.ByName(name)
		if fd == nil || !m.Has(fd) {
			return protoreflect.Value{}, false
		}
		return m.Get(fd), true
	}
	float := func(name protoreflect.Name) *float64 {
		if v, ok := set(name); ok {
			return new(v.Float())
		}
		return nil
	}
	integer := func(name protoreflect.Name) *int64 {
		if v, ok := set(name); ok {
			return new(v.Int())
		}
		return nil
	}
	var auto *bool
	if v, ok := set("auto_target"); ok {
		auto = new(v.Bool())
	}
	return upstream.MeasurementWrite{
		Target:     float("target"),
		Initial:    float("initial"),
		LowerLimit: integer("lower_limit"),
		LowerMid:   integer("lower_mid"),
		UpperLimit: integer("upper_limit"),
		UpperMid:   integer("upper_mid"),
		AutoTarget: auto,
	}
}

// DeleteGoal implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) DeleteGoal(ctx context.Context, req *betterworksv1.DeleteGoalRequest) (*betterworksv1.DeleteGoalResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.DeleteGoalResponse, error) {
		return s.deleteGoal(ctx, req)
	}, s.findDeletedGoal(req))
}

// deleteGoal applies DeleteGoal, once the request_id allows it.
func (s *GoalService) deleteGoal(ctx context.Context, req *betterworksv1.DeleteGoalRequest) (*betterworksv1.DeleteGoalResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.upstream.DeleteGoal(ctx, token, req.GetGoalId()); err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.DeleteGoalResponse{}, nil
}

// CheckInGoal implements betterworksv1connect.GoalServiceHandler. The
// upstream call is a write: it is sent once and never retried.
func (s *GoalService) CheckInGoal(ctx context.Context, req *betterworksv1.CheckInGoalRequest) (*betterworksv1.CheckInGoalResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.CheckInGoalResponse, error) {
		return s.checkInGoal(ctx, req)
	}, nil)
}

// checkInGoal applies CheckInGoal, once the request_id allows it.
func (s *GoalService) checkInGoal(ctx context.Context, req *betterworksv1.CheckInGoalRequest) (*betterworksv1.CheckInGoalResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	in := &upstream.CheckIn{Target: req.Target}
	switch p := req.GetProgress().(type) {
	case *betterworksv1.CheckInGoalRequest_Done:
		in.Done = &p.Done
	case *betterworksv1.CheckInGoalRequest_Value:
		in.Value = &p.Value
	}
	goal, err := s.upstream.CheckInGoal(ctx, token, req.GetGoalId(), in)
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.CheckInGoalResponse{Goal: goalToProto(goal)}, nil
}

// ListGoalComments implements betterworksv1connect.GoalServiceHandler.
//
// The upstream pages comments by time, newest first: the page token carries
// the creation time of the page's last comment, and the next page asks for
// the comments made before it (latest_time).
func (s *GoalService) ListGoalComments(ctx context.Context, req *betterworksv1.ListGoalCommentsRequest) (*betterworksv1.ListGoalCommentsResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.pageRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	filter := upstream.CommentFilter{Type: goalCommentTypes.upstream(req.GetType()), LatestTime: cur.before}
	if t := req.GetLatestTime(); t != nil && filter.LatestTime.IsZero() {
		filter.LatestTime = timeOrZero(t)
	}
	page, err := s.upstream.ListGoalComments(ctx, token, req.GetGoalId(), filter, upstream.PageRequest{Size: cur.page.Size})
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	var last time.Time
	if n := len(page.Results); n > 0 {
		last = page.Results[n-1].Created.Time
	}
	return &betterworksv1.ListGoalCommentsResponse{
		Comments:      convertAll(page.Results, commentToProto),
		NextPageToken: cur.nextBefore(page.More, last),
	}, nil
}

// ListGoalAssessments implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) ListGoalAssessments(ctx context.Context, req *betterworksv1.ListGoalAssessmentsRequest) (*betterworksv1.ListGoalAssessmentsResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	assessments, err := s.upstream.ListGoalAssessments(ctx, token, req.GetGoalId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.ListGoalAssessmentsResponse{Assessments: convertAll(assessments, assessmentToProto)}, nil
}

// SearchGoalCategories implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) SearchGoalCategories(ctx context.Context, req *betterworksv1.SearchGoalCategoriesRequest) (*betterworksv1.SearchGoalCategoriesResponse, error) {
	categories, next, err := listPage(ctx, &s.handler, req,
		func(ctx context.Context, token upstream.Token, page upstream.PageRequest) (*upstream.Page[upstream.Category], error) {
			return s.upstream.SearchGoalCategories(ctx, token, req.GetQuery(), page)
		}, categoryToProto)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.SearchGoalCategoriesResponse{Categories: categories, NextPageToken: next}, nil
}
