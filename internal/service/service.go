// Package service implements the facade's Connect handlers: one type per
// protobuf service, each translating RPCs to Betterworks REST calls through
// package upstream and the answers back to protobuf.
//
// Handlers take the caller's upstream token from the context (package auth
// puts it there) and never fall back to another token. Upstream outcomes are
// turned into Connect errors in one place, errors.go.
package service

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/upstream"
)

// Config configures the handlers. A zero field selects the default
// documented on it.
type Config struct {
	// Upstream is the Betterworks client. Required.
	Upstream *upstream.Client
	// Logger receives operator alerts, such as an upstream token the
	// upstream rejects. Nil means slog.Default().
	Logger *slog.Logger
	// PageTokens seals the page tokens of list RPCs. Keys is required
	// (the constructors panic without one): every replica behind one
	// address needs the same keys, so that a token one issues opens on
	// another. A zero TTL means 24 hours.
	PageTokens seal.Settings
	// ReportPolls paces the polls of WaitReportRun.
	ReportPolls ReportPolls
	// ReportReads bounds the ReadReportRows calls under way at once.
	ReportReads ReportReads
	// ExportAhead is how many upstream pages an export fetches beyond the
	// next one it sends: ExportAhead+1 pages are in flight or buffered,
	// which bounds an export's memory, and hides the upstream's latency
	// behind the token's pace when it is well above pace x latency (25 at
	// 500 calls/s and 50 ms; 48 keeps such an export within 1.1 times
	// its pace). Zero means DefaultExportAhead; values above
	// MaxExportAhead are taken as MaxExportAhead.
	ExportAhead int
	// RequestIDs keeps the request_ids of idempotent writes. Give every
	// service of a server the same store.
	RequestIDs RequestIDs
}

// Bounds of Config.ExportAhead.
const (
	// DefaultExportAhead hides up to 800 ms of upstream latency at the
	// default pace of 5 calls per second.
	DefaultExportAhead = 4
	// MaxExportAhead is three quarters of the upstream client's default
	// bound on requests in flight (upstream.Resilience.MaxInFlight, 64),
	// so that an export leaves room for other calls.
	MaxExportAhead = 48
)

// exportAhead returns c.ExportAhead within its bounds.
func (c Config) exportAhead() int {
	switch {
	case c.ExportAhead <= 0:
		return DefaultExportAhead
	case c.ExportAhead > MaxExportAhead:
		return MaxExportAhead
	}
	return c.ExportAhead
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

var errNoCaller = errors.New("no authenticated caller")

// handler holds what every service's handler needs.
type handler struct {
	upstream *upstream.Client
	logger   *slog.Logger
	pages    *seal.Sealer
	// pageKeys seal the tokens streams issue: resume tokens and
	// watermarks, each under its own purpose.
	pageKeys seal.Settings
	// pollers are the shared pollers of following syncs.
	pollers *pollers
	// exportAhead is Config.ExportAhead within its bounds.
	exportAhead int
	// requestIDs protects the writes that carry a request_id.
	requestIDs *requestIDs
}

// newHandler panics if cfg.PageTokens has no key; server.New
// refuses such a configuration first.
func newHandler(cfg Config) handler {
	return handler{
		upstream: cfg.Upstream,
		logger:   cfg.logger(),
		pages:    seal.New(pageTokenPurpose, cfg.PageTokens),
		pageKeys: cfg.PageTokens,
		pollers:  &pollers{m: make(map[pollerKey]any)},

		exportAhead: cfg.exportAhead(),
		requestIDs:  newRequestIDs(cfg.RequestIDs, cfg.logger()),
	}
}

// upstreamError maps an upstream outcome to a Connect error.
func (h *handler) upstreamError(ctx context.Context, err error) error {
	return connectError(ctx, h.logger, err)
}

// pagedRequest is a list request with AIP-158 paging fields.
type pagedRequest interface {
	proto.Message
	GetPageSize() int32
	GetPageToken() string
}

// listPage serves one page of a list RPC: it resolves the page the request
// names, fetches it with the caller's token and converts its items. Every
// list RPC of every service goes through here.
func listPage[T, P any](
	ctx context.Context,
	h *handler,
	req pagedRequest,
	fetch func(context.Context, upstream.Token, upstream.PageRequest) (*upstream.Page[T], error),
	convert func(*T) P,
) (items []P, nextPageToken string, err error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, "", err
	}
	cur, err := h.pageRequest(ctx, req)
	if err != nil {
		return nil, "", err
	}
	page, err := fetch(ctx, token, cur.page)
	if err != nil {
		return nil, "", h.upstreamError(ctx, err)
	}
	return convertAll(page.Results, convert), cur.next(page.More), nil
}

// callerToken returns the upstream token of the authenticated caller.
func callerToken(ctx context.Context) (upstream.Token, error) {
	caller, ok := auth.CallerFrom(ctx)
	if !ok || caller.Token.IsZero() {
		return upstream.Token{}, connect.NewError(connect.CodeUnauthenticated, errNoCaller)
	}
	return caller.Token, nil
}
