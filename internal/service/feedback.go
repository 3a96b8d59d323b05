package service

import (
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
)

// FeedbackService implements betterworksv1connect.FeedbackServiceHandler.
type FeedbackService struct {
	handler
	betterworksv1connect.UnimplementedFeedbackServiceHandler
}

var _ betterworksv1connect.FeedbackServiceHandler = (*FeedbackService)(nil)

// NewFeedbackService returns the FeedbackService handler for cfg.
func NewFeedbackService(cfg Config) *FeedbackService {
	return &FeedbackService{handler: newHandler(cfg)}
}
