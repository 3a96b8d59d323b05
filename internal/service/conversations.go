package service

import (
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
)

// ConversationService implements betterworksv1connect.ConversationServiceHandler.
type ConversationService struct {
	handler
	betterworksv1connect.UnimplementedConversationServiceHandler
}

var _ betterworksv1connect.ConversationServiceHandler = (*ConversationService)(nil)

// NewConversationService returns the ConversationService handler for cfg.
func NewConversationService(cfg Config) *ConversationService {
	return &ConversationService{handler: newHandler(cfg)}
}
