package service

import (
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
)

// ReportService implements betterworksv1connect.ReportServiceHandler.
type ReportService struct {
	handler
	betterworksv1connect.UnimplementedReportServiceHandler
}

var _ betterworksv1connect.ReportServiceHandler = (*ReportService)(nil)

// NewReportService returns the ReportService handler for cfg.
func NewReportService(cfg Config) *ReportService {
	return &ReportService{handler: newHandler(cfg)}
}
