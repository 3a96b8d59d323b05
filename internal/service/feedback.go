package service

import (
	"context"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/upstream"
)

// FeedbackService implements betterworksv1connect.FeedbackServiceHandler.
type FeedbackService struct {
	handler
}

var _ betterworksv1connect.FeedbackServiceHandler = (*FeedbackService)(nil)

// NewFeedbackService returns the FeedbackService handler for cfg.
func NewFeedbackService(cfg Config) *FeedbackService {
	return &FeedbackService{handler: newHandler(cfg)}
}

// ListFeedbackTemplates implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ListFeedbackTemplates(ctx context.Context, req *betterworksv1.ListFeedbackTemplatesRequest) (*betterworksv1.ListFeedbackTemplatesResponse, error) {
	filter := upstream.FeedbackTemplateFilter{Type: feedbackTemplateTypes.upstream(req.GetType())}
	templates, next, err := listPage(ctx, &s.handler, req,
		func(ctx context.Context, token upstream.Token, page upstream.PageRequest) (*upstream.Page[upstream.FeedbackTemplate], error) {
			return s.upstream.ListFeedbackTemplates(ctx, token, filter, page)
		}, feedbackTemplateToProto)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListFeedbackTemplatesResponse{FeedbackTemplates: templates, NextPageToken: next}, nil
}

// GetFeedbackTemplate implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) GetFeedbackTemplate(ctx context.Context, req *betterworksv1.GetFeedbackTemplateRequest) (*betterworksv1.GetFeedbackTemplateResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	template, err := s.upstream.GetFeedbackTemplate(ctx, token, req.GetTemplateId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.GetFeedbackTemplateResponse{FeedbackTemplate: feedbackTemplateToProto(template)}, nil
}

// ListFeedback implements betterworksv1connect.FeedbackServiceHandler. The
// contract requires for_user_id or cycle_id, so a request with neither never
// reaches the upstream.
func (s *FeedbackService) ListFeedback(ctx context.Context, req *betterworksv1.ListFeedbackRequest) (*betterworksv1.ListFeedbackResponse, error) {
	c, err := s.feedback(req)
	if err != nil {
		return nil, err
	}
	feedback, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListFeedbackResponse{Feedback: feedback, NextPageToken: next}, nil
}

// ListFeedbackRequests implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ListFeedbackRequests(ctx context.Context, req *betterworksv1.ListFeedbackRequestsRequest) (*betterworksv1.ListFeedbackRequestsResponse, error) {
	c, err := s.feedbackRequests(req)
	if err != nil {
		return nil, err
	}
	requests, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListFeedbackRequestsResponse{FeedbackRequests: requests, NextPageToken: next}, nil
}

// ListRecognitions implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ListRecognitions(ctx context.Context, req *betterworksv1.ListRecognitionsRequest) (*betterworksv1.ListRecognitionsResponse, error) {
	c, err := s.recognitions(req)
	if err != nil {
		return nil, err
	}
	recognitions, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListRecognitionsResponse{Recognitions: recognitions, NextPageToken: next}, nil
}

// recognitionFilter translates the filters of req. The contract checks the
// dates' shape and that they come as a pair; parsing them here rejects days
// that do not exist (2023-02-31). The upstream takes them as YYYY-MM-DD, as
// given.
func recognitionFilter(req *betterworksv1.ListRecognitionsRequest) (upstream.RecognitionFilter, error) {
	var fields fieldParser
	f := upstream.RecognitionFilter{
		StartDate:  fields.isoDate("start_date", req.GetStartDate()),
		EndDate:    fields.isoDate("end_date", req.GetEndDate()),
		ForUserID:  fields.optionalID("for_user_id", req.GetForUserId()),
		ForGroupID: fields.optionalID("for_group_id", req.GetForGroupId()),
		Hashtag:    req.GetHashtag(),
		DeltaStart: timeOrZero(req.GetModifiedAfter()),
		DeltaEnd:   timeOrZero(req.GetModifiedBefore()),
	}
	return f, fields.err()
}

// ListHashtags implements betterworksv1connect.FeedbackServiceHandler.
func (s *FeedbackService) ListHashtags(ctx context.Context, req *betterworksv1.ListHashtagsRequest) (*betterworksv1.ListHashtagsResponse, error) {
	c, err := s.hashtags(req)
	if err != nil {
		return nil, err
	}
	hashtags, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListHashtagsResponse{Hashtags: hashtags, NextPageToken: next}, nil
}

func feedbackFilter(req *betterworksv1.ListFeedbackRequest) upstream.FeedbackFilter {
	return upstream.FeedbackFilter{
		ForUserID:  req.GetForUserId(),
		CycleID:    req.GetCycleId(),
		DeltaStart: timeOrZero(req.GetModifiedAfter()),
		DeltaEnd:   timeOrZero(req.GetModifiedBefore()),
	}
}

func feedbackRequestFilter(req *betterworksv1.ListFeedbackRequestsRequest) upstream.FeedbackRequestFilter {
	return upstream.FeedbackRequestFilter{
		Cycle:      req.GetCycleId(),
		FromUser:   req.GetFromUserId(),
		ForUser:    req.GetForUserId(),
		Declined:   req.Declined,
		Questions:  req.Questions,
		IsOpen:     req.IsOpen,
		IsAdhoc:    req.IsAdhoc,
		DeltaStart: timeOrZero(req.GetModifiedAfter()),
		DeltaEnd:   timeOrZero(req.GetModifiedBefore()),
	}
}

func hashtagFilter(req *betterworksv1.ListHashtagsRequest) upstream.HashtagFilter {
	return upstream.HashtagFilter{
		DeltaStart: timeOrZero(req.GetModifiedAfter()),
		DeltaEnd:   timeOrZero(req.GetModifiedBefore()),
	}
}
