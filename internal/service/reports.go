package service

import (
	"context"
	"time"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/upstream"
)

// ReportService implements betterworksv1connect.ReportServiceHandler.
type ReportService struct {
	handler
	polls ReportPolls
	// reads holds a token for each ReadReportRows call under way; its
	// capacity is ReportReads.Max.
	reads    chan struct{}
	readWait time.Duration
}

var _ betterworksv1connect.ReportServiceHandler = (*ReportService)(nil)

// NewReportService returns the ReportService handler for cfg.
func NewReportService(cfg Config) *ReportService {
	reads := cfg.ReportReads.withDefaults()
	return &ReportService{
		handler:  newHandler(cfg),
		polls:    cfg.ReportPolls.withDefaults(),
		reads:    make(chan struct{}, reads.Max),
		readWait: reads.Wait,
	}
}

// ListReportRuns implements betterworksv1connect.ReportServiceHandler.
func (s *ReportService) ListReportRuns(ctx context.Context, req *betterworksv1.ListReportRunsRequest) (*betterworksv1.ListReportRunsResponse, error) {
	c, err := s.reportRuns(req)
	if err != nil {
		return nil, err
	}
	runs, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListReportRunsResponse{ReportRuns: runs, NextPageToken: next}, nil
}

func reportRunFilter(req *betterworksv1.ListReportRunsRequest) (upstream.ReportRunFilter, error) {
	var fields fieldParser
	f := upstream.ReportRunFilter{
		Report:   reportKinds.upstream(req.GetReport()),
		Template: fields.optionalID("template_id", req.GetTemplateId()),
		Created:  fields.isoDate("created_date", req.GetCreatedDate()),
	}
	return f, fields.err()
}

// GetReportRun implements betterworksv1connect.ReportServiceHandler.
func (s *ReportService) GetReportRun(ctx context.Context, req *betterworksv1.GetReportRunRequest) (*betterworksv1.GetReportRunResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	run, err := s.upstream.GetReportRun(ctx, token, req.GetReportRunId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.GetReportRunResponse{ReportRun: reportRunToProto(run)}, nil
}

// CreateReportRun implements betterworksv1connect.ReportServiceHandler. The
// upstream call is a write: it is sent once and never retried, since a
// retry could start a second run.
func (s *ReportService) CreateReportRun(ctx context.Context, req *betterworksv1.CreateReportRunRequest) (*betterworksv1.CreateReportRunResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.CreateReportRunResponse, error) {
		return s.createReportRun(ctx, req)
	}, nil)
}

// createReportRun applies CreateReportRun, once the request_id allows it.
func (s *ReportService) createReportRun(ctx context.Context, req *betterworksv1.CreateReportRunRequest) (*betterworksv1.CreateReportRunResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	in, err := reportRunCreate(req)
	if err != nil {
		return nil, err
	}
	run, err := s.upstream.CreateReportRun(ctx, token, in)
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.CreateReportRunResponse{ReportRun: reportRunToProto(run)}, nil
}

func reportRunCreate(req *betterworksv1.CreateReportRunRequest) (upstream.CreateReportRunRequest, error) {
	var fields fieldParser
	in := upstream.CreateReportRunRequest{
		Report: reportKinds.upstream(req.GetReport()),
		Parameters: upstream.ReportRunParameters{
			Template: fields.optionalID("template_id", req.GetTemplateId()),
			DateRange: upstream.ReportDateRange{
				Start: fields.isoDate("start", req.GetStart()),
				End:   fields.isoDate("end", req.GetEnd()),
			},
		},
	}
	return in, fields.err()
}
