// Package facadetest starts the whole facade for tests and benchmarks: the
// Betterworks sandbox and the facade on loopback HTTP servers, with one
// caller per sandbox role, and generated clients for each protocol.
//
// Nothing is mocked: clients, server, upstream client and sandbox talk over
// real HTTP.
package facadetest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// Protocol is one of the wire protocols the facade serves.
type Protocol string

// The protocols of the facade, as their names in test output.
const (
	Connect Protocol = "connect"
	GRPC    Protocol = "grpc"
	GRPCWeb Protocol = "grpcweb"
)

// Protocols lists every protocol, for tests that run once per protocol.
var Protocols = []Protocol{Connect, GRPC, GRPCWeb}

// Options configures Start. A zero field selects the default documented on it.
type Options struct {
	// Sandbox configures the sandbox; zero is seed 1 with no faults.
	Sandbox sandbox.Config
	// Logger receives the facade's logs. Nil discards them.
	Logger *slog.Logger
	// Callers, when set, replaces the default callers (one per sandbox
	// role, whose keys Key returns) with the store it builds; it gets the
	// sandbox, whose Token(role) the callers may use.
	Callers func(*sandbox.Sandbox) *auth.Store
	// Resilience configures the upstream client's retries and breakers;
	// zero is the client's defaults.
	Resilience upstream.Resilience
	// Limiter enforces callers' quotas and paces the Betterworks tokens,
	// as in production; nil is an in-process limiter.
	Limiter *ratelimit.Limiter
	// UpstreamPace is each token's pace; zero is unlimited, so that tests
	// may call as fast as they like.
	UpstreamPace ratelimit.Limit
	// DefaultQuota is the quota of callers without one of their own; zero
	// is unlimited.
	DefaultQuota auth.Quota
	// UpstreamHTTPClient sends the facade's upstream requests; nil is the
	// client's default.
	UpstreamHTTPClient *http.Client
	// ConnAge ages the facade's connections; zero ages nothing.
	ConnAge server.ConnAge
	// CacheTTL and Cache configure the read cache (server.Config); zero
	// caches nothing.
	CacheTTL map[string]time.Duration
	Cache    upstream.Cache
	// Deadlines bounds calls; zero is the server's defaults.
	Deadlines server.Deadlines
	// Refusals bounds the log lines of refused calls; zero is the
	// server's defaults.
	Refusals server.RefusalLog
	// BodyReadTimeout bounds the arrival of a unary request's body; zero
	// is the server's default.
	BodyReadTimeout time.Duration
	// MaxStreamsPerCaller bounds each caller's open streams; zero is the
	// server's default.
	MaxStreamsPerCaller int
	// ReflectionStreamLifetime bounds reflection streams; zero is the
	// server's default.
	ReflectionStreamLifetime time.Duration
	// Telemetry gives the server and the upstream client their tracer
	// and meter providers and propagator; zero means otel's globals.
	Telemetry server.Telemetry
	// PageTokens configures page tokens; no keys means one generated key,
	// so that every stack has keys of its own.
	PageTokens seal.Settings
	// ReportFiles says where report files may come from; zero is the
	// sandbox's host alone.
	ReportFiles upstream.Files
	// ReportPolls paces WaitReportRun; zero is the server's defaults.
	ReportPolls server.ReportPolls
	// ReportReads bounds the ReadReportRows calls under way; zero is the
	// server's defaults.
	ReportReads server.ReportReads
	// ExportAhead is how many pages an export fetches ahead; zero is the
	// server's default.
	ExportAhead int
	// RequestIDs keeps the request_ids of idempotent writes; zero is an
	// in-process store of the server's defaults.
	RequestIDs server.RequestIDs
}

// Stack is a running sandbox and facade.
type Stack struct {
	// Sandbox is the upstream; tests inspect its request log and faults.
	Sandbox *sandbox.Sandbox
	// URL is the facade's base URL.
	URL string
	// UpstreamURL is the sandbox's API root, ending in "/api/v1/", for
	// baselines that call it directly.
	UpstreamURL string
	// HTTPClient speaks HTTP/1.1 and h2c to the facade.
	HTTPClient *http.Client
	// Upstream is the facade's upstream client, whose breakers tests read.
	Upstream *upstream.Client

	keys     map[sandbox.Role]string
	callers  *auth.Store
	upstream *httptest.Server
}

// Start starts a stack whose servers stop when tb ends.
func Start(tb testing.TB, opts Options) *Stack {
	tb.Helper()
	sb := sandbox.New(opts.Sandbox)
	upstreamServer := httptest.NewServer(sb)
	tb.Cleanup(upstreamServer.Close)

	keys := make(map[sandbox.Role]string)
	var callers []*auth.Caller
	for _, role := range []sandbox.Role{sandbox.RoleSuperAdmin, sandbox.RoleAdmin, sandbox.RoleHRAdmin, sandbox.RoleUser} {
		key := auth.GenerateKey()
		keys[role] = key
		callers = append(callers, &auth.Caller{
			Name:      role.String(),
			Token:     upstream.NewToken(sb.Token(role)),
			KeyHashes: []auth.KeyHash{auth.HashKey(key)},
		})
	}
	var store *auth.Store
	if opts.Callers != nil {
		store = opts.Callers(sb)
	} else {
		registry, err := auth.NewRegistry(nil, callers...)
		if err != nil {
			tb.Fatalf("auth.NewRegistry() error = %v", err)
		}
		store = auth.NewStore(registry)
	}
	return startFacade(tb, &Stack{
		Sandbox:     sb,
		UpstreamURL: upstreamServer.URL + "/api/v1/",
		keys:        keys,
		callers:     store,
		upstream:    upstreamServer,
	}, opts)
}

// Replica starts another facade in front of s's sandbox, with s's
// callers and keys, configured by opts (whose Sandbox and Callers are
// ignored): a second replica of the same deployment.
func (s *Stack) Replica(tb testing.TB, opts Options) *Stack {
	tb.Helper()
	return startFacade(tb, &Stack{
		Sandbox:     s.Sandbox,
		UpstreamURL: s.UpstreamURL,
		keys:        s.keys,
		callers:     s.callers,
		upstream:    s.upstream,
	}, opts)
}

// startFacade starts a facade for st's sandbox and callers, and returns
// st with the facade's fields set.
func startFacade(tb testing.TB, st *Stack, opts Options) *Stack {
	tb.Helper()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pageTokens := opts.PageTokens
	if len(pageTokens.Keys) == 0 {
		pageTokens.Keys = []seal.Key{seal.GenerateKey()}
	}
	pace, quota := opts.UpstreamPace, opts.DefaultQuota
	if pace == (ratelimit.Limit{}) {
		pace = ratelimit.Limit{Rate: ratelimit.Inf}
	}
	if quota == (auth.Quota{}) {
		quota = auth.Quota{Rate: ratelimit.Inf}
	}
	f, err := server.New(server.Config{
		UpstreamURL:              st.UpstreamURL,
		UpstreamHTTPClient:       opts.UpstreamHTTPClient,
		Resilience:               opts.Resilience,
		Limiter:                  opts.Limiter,
		UpstreamPace:             pace,
		CacheTTL:                 opts.CacheTTL,
		ConnAge:                  opts.ConnAge,
		Cache:                    opts.Cache,
		PageTokens:               pageTokens,
		Callers:                  st.callers,
		Logger:                   logger,
		DefaultQuota:             quota,
		Deadlines:                opts.Deadlines,
		Refusals:                 opts.Refusals,
		BodyReadTimeout:          opts.BodyReadTimeout,
		ReflectionStreamLifetime: opts.ReflectionStreamLifetime,
		MaxStreamsPerCaller:      opts.MaxStreamsPerCaller,
		Telemetry:                opts.Telemetry,
		ReportFiles:              opts.ReportFiles,
		ReportPolls:              opts.ReportPolls,
		ReportReads:              opts.ReportReads,
		ExportAhead:              opts.ExportAhead,
		RequestIDs:               opts.RequestIDs,
	})
	if err != nil {
		tb.Fatalf("server.New() error = %v", err)
	}
	facade := httptest.NewUnstartedServer(f.Handler)
	facade.Config = f.HTTPServer
	facade.Start()
	tb.Cleanup(facade.Close)

	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	st.Upstream = f.Upstream
	st.URL = facade.URL
	st.HTTPClient = &http.Client{Transport: &http.Transport{Protocols: protocols, MaxIdleConnsPerHost: 64}}
	return st
}

// CloseUpstream stops the sandbox's server, so that upstream calls fail
// with connection refused.
func (s *Stack) CloseUpstream() { s.upstream.Close() }

// Key returns the caller key mapped to the sandbox user with role.
func (s *Stack) Key(role sandbox.Role) string { return s.keys[role] }

// ClientOptions returns the options of a generated client that speaks p
// and authenticates with key; an empty key sends none.
func ClientOptions(p Protocol, key string) []connect.ClientOption {
	var opts []connect.ClientOption
	switch p {
	case GRPC:
		opts = append(opts, connect.WithGRPC())
	case GRPCWeb:
		opts = append(opts, connect.WithGRPCWeb())
	}
	if key != "" {
		opts = append(opts, connect.WithInterceptors(bearer(key)))
	}
	return opts
}

// bearer sets the caller key on every request, unary or streaming.
type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// Goals returns a GoalService client speaking p as the caller with role.
func (s *Stack) Goals(p Protocol, role sandbox.Role) betterworksv1connect.GoalServiceClient {
	return betterworksv1connect.NewGoalServiceClient(s.HTTPClient, s.URL, ClientOptions(p, s.keys[role])...)
}

// People returns a PeopleService client speaking p as the caller with role.
func (s *Stack) People(p Protocol, role sandbox.Role) betterworksv1connect.PeopleServiceClient {
	return betterworksv1connect.NewPeopleServiceClient(s.HTTPClient, s.URL, ClientOptions(p, s.keys[role])...)
}

// Conversations returns a ConversationService client speaking p as the caller with role.
func (s *Stack) Conversations(p Protocol, role sandbox.Role) betterworksv1connect.ConversationServiceClient {
	return betterworksv1connect.NewConversationServiceClient(s.HTTPClient, s.URL, ClientOptions(p, s.keys[role])...)
}

// Feedback returns a FeedbackService client speaking p as the caller with role.
func (s *Stack) Feedback(p Protocol, role sandbox.Role) betterworksv1connect.FeedbackServiceClient {
	return betterworksv1connect.NewFeedbackServiceClient(s.HTTPClient, s.URL, ClientOptions(p, s.keys[role])...)
}

// Reports returns a ReportService client speaking p as the caller with role.
func (s *Stack) Reports(p Protocol, role sandbox.Role) betterworksv1connect.ReportServiceClient {
	return betterworksv1connect.NewReportServiceClient(s.HTTPClient, s.URL, ClientOptions(p, s.keys[role])...)
}
