package service

import (
	"context"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// The export and sync RPCs of every collection, on the collections the
// stream engine (export.go, sync.go) walks.

// goals is the collection of goals that req selects.
// Its dates are checked first: field names the request's fields, "" for
// ListGoals' own, "filter." for a filter inside an export's or sync's.
func (s *GoalService) goals(req *betterworksv1.ListGoalsRequest, field string) (collection[upstream.Goal, *betterworksv1.Goal], error) {
	if err := checkGoalDates(req, field); err != nil {
		return collection[upstream.Goal, *betterworksv1.Goal]{}, err
	}
	filter := goalFilter(req)
	return collection[upstream.Goal, *betterworksv1.Goal]{
		name:   "goals",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.Goal], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListGoals(ctx, token, f, page)
		},
		convert: goalToProto,
		key:     func(v *upstream.Goal) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportGoals implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) ExportGoals(ctx context.Context, req *betterworksv1.ExportGoalsRequest, stream *connect.ServerStream[betterworksv1.ExportGoalsResponse]) error {
	c, err := s.goals(orEmpty(req.GetFilter()), "filter.")
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.Goal]) error {
		return stream.Send(&betterworksv1.ExportGoalsResponse{Goals: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncGoals implements betterworksv1connect.GoalServiceHandler.
func (s *GoalService) SyncGoals(ctx context.Context, req *betterworksv1.SyncGoalsRequest, stream *connect.ServerStream[betterworksv1.SyncGoalsResponse]) error {
	c, err := s.goals(orEmpty(req.GetFilter()), "filter.")
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.Goal]) error {
		return stream.Send(&betterworksv1.SyncGoalsResponse{Goals: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// users is the collection of users that req selects.
func (s *PeopleService) users(req *betterworksv1.ListUsersRequest) (collection[upstream.User, *betterworksv1.User], error) {
	filter := userFilter(req)
	return collection[upstream.User, *betterworksv1.User]{
		name:   "users",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.User], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListUsers(ctx, token, f, page)
		},
		convert: userToProto,
		key:     func(v *upstream.User) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportUsers implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ExportUsers(ctx context.Context, req *betterworksv1.ExportUsersRequest, stream *connect.ServerStream[betterworksv1.ExportUsersResponse]) error {
	c, err := s.users(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.User]) error {
		return stream.Send(&betterworksv1.ExportUsersResponse{Users: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncUsers implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) SyncUsers(ctx context.Context, req *betterworksv1.SyncUsersRequest, stream *connect.ServerStream[betterworksv1.SyncUsersResponse]) error {
	c, err := s.users(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.User]) error {
		return stream.Send(&betterworksv1.SyncUsersResponse{Users: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// departments is the collection of departments that req selects.
func (s *PeopleService) departments(req *betterworksv1.ListDepartmentsRequest) (collection[upstream.Department, *betterworksv1.Department], error) {
	filter := upstream.DepartmentFilter{IncludeDeactivated: req.IncludeDeactivated}
	return collection[upstream.Department, *betterworksv1.Department]{
		name:   "departments",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.Department], error) {
			f := filter
			return s.upstream.ListDepartments(ctx, token, f, page)
		},
		convert: departmentToProto,
		key:     func(v *upstream.Department) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportDepartments implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ExportDepartments(ctx context.Context, req *betterworksv1.ExportDepartmentsRequest, stream *connect.ServerStream[betterworksv1.ExportDepartmentsResponse]) error {
	c, err := s.departments(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), false, func(m exportMessage[*betterworksv1.Department]) error {
		return stream.Send(&betterworksv1.ExportDepartmentsResponse{Departments: m.items, Progress: m.progress, ResumeToken: m.resume})
	})
}

// teams is the collection of teams that req selects.
func (s *PeopleService) teams(req *betterworksv1.ListTeamsRequest) (collection[upstream.Team, *betterworksv1.Team], error) {
	filter := teamFilter(req)
	return collection[upstream.Team, *betterworksv1.Team]{
		name:   "teams",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.Team], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListTeams(ctx, token, f, page)
		},
		convert: teamToProto,
		key:     func(v *upstream.Team) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportTeams implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ExportTeams(ctx context.Context, req *betterworksv1.ExportTeamsRequest, stream *connect.ServerStream[betterworksv1.ExportTeamsResponse]) error {
	c, err := s.teams(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.Team]) error {
		return stream.Send(&betterworksv1.ExportTeamsResponse{Teams: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncTeams implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) SyncTeams(ctx context.Context, req *betterworksv1.SyncTeamsRequest, stream *connect.ServerStream[betterworksv1.SyncTeamsResponse]) error {
	c, err := s.teams(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.Team]) error {
		return stream.Send(&betterworksv1.SyncTeamsResponse{Teams: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// adminGroups is the collection of admin_groups that req selects.
func (s *PeopleService) adminGroups(req *betterworksv1.ListAdminGroupsRequest) (collection[upstream.AdminGroup, *betterworksv1.AdminGroup], error) {
	filter := adminGroupFilter(req)
	return collection[upstream.AdminGroup, *betterworksv1.AdminGroup]{
		name:   "admin_groups",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.AdminGroup], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListAdminGroups(ctx, token, f, page)
		},
		convert: adminGroupToProto,
		key:     func(v *upstream.AdminGroup) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportAdminGroups implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ExportAdminGroups(ctx context.Context, req *betterworksv1.ExportAdminGroupsRequest, stream *connect.ServerStream[betterworksv1.ExportAdminGroupsResponse]) error {
	c, err := s.adminGroups(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.AdminGroup]) error {
		return stream.Send(&betterworksv1.ExportAdminGroupsResponse{AdminGroups: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncAdminGroups implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) SyncAdminGroups(ctx context.Context, req *betterworksv1.SyncAdminGroupsRequest, stream *connect.ServerStream[betterworksv1.SyncAdminGroupsResponse]) error {
	c, err := s.adminGroups(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.AdminGroup]) error {
		return stream.Send(&betterworksv1.SyncAdminGroupsResponse{AdminGroups: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// conversations is the collection of conversations that req selects.
func (s *ConversationService) conversations(req *betterworksv1.ListConversationsRequest) (collection[upstream.Conversation, *betterworksv1.Conversation], error) {
	filter, err := conversationFilter(req)
	if err != nil {
		return collection[upstream.Conversation, *betterworksv1.Conversation]{}, err
	}
	return collection[upstream.Conversation, *betterworksv1.Conversation]{
		name:   "conversations",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.Conversation], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListConversations(ctx, token, f, page)
		},
		convert: conversationToProto,
		key:     func(v *upstream.Conversation) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportConversations implements betterworksv1connect.ConversationServiceHandler.
func (s *ConversationService) ExportConversations(ctx context.Context, req *betterworksv1.ExportConversationsRequest, stream *connect.ServerStream[betterworksv1.ExportConversationsResponse]) error {
	c, err := s.conversations(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.Conversation]) error {
		return stream.Send(&betterworksv1.ExportConversationsResponse{Conversations: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncConversations implements betterworksv1connect.ConversationServiceHandler.
func (s *ConversationService) SyncConversations(ctx context.Context, req *betterworksv1.SyncConversationsRequest, stream *connect.ServerStream[betterworksv1.SyncConversationsResponse]) error {
	c, err := s.conversations(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.Conversation]) error {
		return stream.Send(&betterworksv1.SyncConversationsResponse{Conversations: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// feedback is the collection of feedback that req selects.
func (s *FeedbackService) feedback(req *betterworksv1.ListFeedbackRequest) (collection[upstream.Feedback, *betterworksv1.Feedback], error) {
	filter := feedbackFilter(req)
	return collection[upstream.Feedback, *betterworksv1.Feedback]{
		name:   "feedback",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.Feedback], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListFeedback(ctx, token, f, page)
		},
		convert: feedbackToProto,
		key:     func(v *upstream.Feedback) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportFeedback implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ExportFeedback(ctx context.Context, req *betterworksv1.ExportFeedbackRequest, stream *connect.ServerStream[betterworksv1.ExportFeedbackResponse]) error {
	c, err := s.feedback(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.Feedback]) error {
		return stream.Send(&betterworksv1.ExportFeedbackResponse{Feedback: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncFeedback implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) SyncFeedback(ctx context.Context, req *betterworksv1.SyncFeedbackRequest, stream *connect.ServerStream[betterworksv1.SyncFeedbackResponse]) error {
	c, err := s.feedback(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.Feedback]) error {
		return stream.Send(&betterworksv1.SyncFeedbackResponse{Feedback: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// feedbackRequests is the collection of feedback_requests that req selects.
func (s *FeedbackService) feedbackRequests(req *betterworksv1.ListFeedbackRequestsRequest) (collection[upstream.FeedbackRequest, *betterworksv1.FeedbackRequest], error) {
	filter := feedbackRequestFilter(req)
	return collection[upstream.FeedbackRequest, *betterworksv1.FeedbackRequest]{
		name:   "feedback_requests",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.FeedbackRequest], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListFeedbackRequests(ctx, token, f, page)
		},
		convert: feedbackRequestToProto,
		key:     func(v *upstream.FeedbackRequest) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportFeedbackRequests implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ExportFeedbackRequests(ctx context.Context, req *betterworksv1.ExportFeedbackRequestsRequest, stream *connect.ServerStream[betterworksv1.ExportFeedbackRequestsResponse]) error {
	c, err := s.feedbackRequests(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.FeedbackRequest]) error {
		return stream.Send(&betterworksv1.ExportFeedbackRequestsResponse{FeedbackRequests: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncFeedbackRequests implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) SyncFeedbackRequests(ctx context.Context, req *betterworksv1.SyncFeedbackRequestsRequest, stream *connect.ServerStream[betterworksv1.SyncFeedbackRequestsResponse]) error {
	c, err := s.feedbackRequests(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.FeedbackRequest]) error {
		return stream.Send(&betterworksv1.SyncFeedbackRequestsResponse{FeedbackRequests: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// recognitions is the collection of recognitions that req selects.
func (s *FeedbackService) recognitions(req *betterworksv1.ListRecognitionsRequest) (collection[upstream.Recognition, *betterworksv1.Recognition], error) {
	filter, err := recognitionFilter(req)
	if err != nil {
		return collection[upstream.Recognition, *betterworksv1.Recognition]{}, err
	}
	return collection[upstream.Recognition, *betterworksv1.Recognition]{
		name:   "recognitions",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.Recognition], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListRecognitions(ctx, token, f, page)
		},
		convert: recognitionToProto,
		key:     func(v *upstream.Recognition) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportRecognitions implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ExportRecognitions(ctx context.Context, req *betterworksv1.ExportRecognitionsRequest, stream *connect.ServerStream[betterworksv1.ExportRecognitionsResponse]) error {
	c, err := s.recognitions(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.Recognition]) error {
		return stream.Send(&betterworksv1.ExportRecognitionsResponse{Recognitions: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncRecognitions implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) SyncRecognitions(ctx context.Context, req *betterworksv1.SyncRecognitionsRequest, stream *connect.ServerStream[betterworksv1.SyncRecognitionsResponse]) error {
	c, err := s.recognitions(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.Recognition]) error {
		return stream.Send(&betterworksv1.SyncRecognitionsResponse{Recognitions: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// hashtags is the collection of hashtags that req selects.
func (s *FeedbackService) hashtags(req *betterworksv1.ListHashtagsRequest) (collection[upstream.Hashtag, *betterworksv1.Hashtag], error) {
	filter := hashtagFilter(req)
	return collection[upstream.Hashtag, *betterworksv1.Hashtag]{
		name:   "hashtags",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.Hashtag], error) {
			f := filter
			if !since.IsZero() {
				f.DeltaStart = since
			}
			return s.upstream.ListHashtags(ctx, token, f, page)
		},
		convert: hashtagToProto,
		key:     func(v *upstream.Hashtag) itemKey { return itemKey{id: v.ID, modified: v.ModifiedOn.Time} },
	}, nil
}

// ExportHashtags implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ExportHashtags(ctx context.Context, req *betterworksv1.ExportHashtagsRequest, stream *connect.ServerStream[betterworksv1.ExportHashtagsResponse]) error {
	c, err := s.hashtags(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), true, func(m exportMessage[*betterworksv1.Hashtag]) error {
		return stream.Send(&betterworksv1.ExportHashtagsResponse{Hashtags: m.items, Progress: m.progress, ResumeToken: m.resume, SyncWatermark: m.watermark})
	})
}

// SyncHashtags implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) SyncHashtags(ctx context.Context, req *betterworksv1.SyncHashtagsRequest, stream *connect.ServerStream[betterworksv1.SyncHashtagsResponse]) error {
	c, err := s.hashtags(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return syncStream(ctx, &s.handler, c, req.GetWatermark(), req.GetFollow(), req.GetPollInterval(), func(b syncBatch[*betterworksv1.Hashtag]) error {
		return stream.Send(&betterworksv1.SyncHashtagsResponse{Hashtags: b.items, Watermark: b.watermark, CaughtUp: b.caughtUp})
	})
}

// reportRuns is the collection of report_runs that req selects.
func (s *ReportService) reportRuns(req *betterworksv1.ListReportRunsRequest) (collection[upstream.ReportRun, *betterworksv1.ReportRun], error) {
	filter, err := reportRunFilter(req)
	if err != nil {
		return collection[upstream.ReportRun, *betterworksv1.ReportRun]{}, err
	}
	return collection[upstream.ReportRun, *betterworksv1.ReportRun]{
		name:   "report_runs",
		filter: req,
		list: func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[upstream.ReportRun], error) {
			f := filter
			return s.upstream.ListReportRuns(ctx, token, f, page)
		},
		convert: reportRunToProto,
		key:     func(v *upstream.ReportRun) itemKey { return itemKey{id: v.ID, modified: time.Time{}} },
	}, nil
}

// ExportReportRuns implements betterworksv1connect.ReportServiceHandler.
func (s *ReportService) ExportReportRuns(ctx context.Context, req *betterworksv1.ExportReportRunsRequest, stream *connect.ServerStream[betterworksv1.ExportReportRunsResponse]) error {
	c, err := s.reportRuns(orEmpty(req.GetFilter()))
	if err != nil {
		return err
	}
	return export(ctx, &s.handler, c, req.GetResumeToken(), false, func(m exportMessage[*betterworksv1.ReportRun]) error {
		return stream.Send(&betterworksv1.ExportReportRunsResponse{ReportRuns: m.items, Progress: m.progress, ResumeToken: m.resume})
	})
}

// listOf serves one page of a list RPC from the collection its request
// selects.
func listOf[T, P any](ctx context.Context, h *handler, c collection[T, P]) ([]P, string, error) {
	return listPage(ctx, h, c.filter, func(ctx context.Context, token upstream.Token, page upstream.PageRequest) (*upstream.Page[T], error) {
		return c.list(ctx, token, page, time.Time{})
	}, c.convert)
}

// orEmpty returns req, or an empty request when it is nil: an export
// without a filter selects everything the token may see.
func orEmpty[R any, PR interface {
	*R
	pagedRequest
}](req PR) PR {
	if req == nil {
		return PR(new(R))
	}
	return req
}
