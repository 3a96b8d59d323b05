package service

import (
	"context"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/upstream"
)

// ConversationService implements betterworksv1connect.ConversationServiceHandler.
type ConversationService struct {
	handler
}

var _ betterworksv1connect.ConversationServiceHandler = (*ConversationService)(nil)

// NewConversationService returns the ConversationService handler for cfg.
func NewConversationService(cfg Config) *ConversationService {
	return &ConversationService{handler: newHandler(cfg)}
}

// ListConversationTemplates implements betterworksv1connect.ConversationServiceHandler.
func (s *ConversationService) ListConversationTemplates(ctx context.Context, req *betterworksv1.ListConversationTemplatesRequest) (*betterworksv1.ListConversationTemplatesResponse, error) {
	filter := upstream.ConversationTemplateFilter{
		Type:    conversationTypes.upstream(req.GetType()),
		Enabled: req.Enabled,
	}
	templates, next, err := listPage(ctx, &s.handler, req,
		func(ctx context.Context, token upstream.Token, page upstream.PageRequest) (*upstream.Page[upstream.ConversationTemplate], error) {
			return s.upstream.ListConversationTemplates(ctx, token, filter, page)
		}, conversationTemplateToProto)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListConversationTemplatesResponse{ConversationTemplates: templates, NextPageToken: next}, nil
}

// GetConversationTemplate implements betterworksv1connect.ConversationServiceHandler.
func (s *ConversationService) GetConversationTemplate(ctx context.Context, req *betterworksv1.GetConversationTemplateRequest) (*betterworksv1.GetConversationTemplateResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	template, err := s.upstream.GetConversationTemplate(ctx, token, req.GetTemplateId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.GetConversationTemplateResponse{ConversationTemplate: conversationTemplateToProto(template)}, nil
}

// ListConversations implements betterworksv1connect.ConversationServiceHandler.
func (s *ConversationService) ListConversations(ctx context.Context, req *betterworksv1.ListConversationsRequest) (*betterworksv1.ListConversationsResponse, error) {
	c, err := s.conversations(req)
	if err != nil {
		return nil, err
	}
	conversations, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListConversationsResponse{Conversations: conversations, NextPageToken: next}, nil
}

func conversationFilter(req *betterworksv1.ListConversationsRequest) (upstream.ConversationFilter, error) {
	var fields fieldParser
	f := upstream.ConversationFilter{
		DeploymentID: req.GetDeploymentId(),
		ManagerID:    req.GetManagerId(),
		EmployeeID:   fields.optionalID("employee_id", req.GetEmployeeId()),
		DeltaStart:   timeOrZero(req.GetModifiedAfter()),
		DeltaEnd:     timeOrZero(req.GetModifiedBefore()),
	}
	return f, fields.err()
}
