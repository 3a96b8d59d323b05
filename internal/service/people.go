package service

import (
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
)

// PeopleService implements betterworksv1connect.PeopleServiceHandler.
type PeopleService struct {
	handler
	betterworksv1connect.UnimplementedPeopleServiceHandler
}

var _ betterworksv1connect.PeopleServiceHandler = (*PeopleService)(nil)

// NewPeopleService returns the PeopleService handler for cfg.
func NewPeopleService(cfg Config) *PeopleService {
	return &PeopleService{handler: newHandler(cfg)}
}
