// Package server is the facade's one construction point: New builds the
// whole facade from one Config, the upstream client with its limiter,
// breakers and budgets, caller authentication and quotas, the five Connect
// services behind request validation, gRPC server reflection and health,
// on one handler that serves Connect, gRPC and gRPC-Web over HTTP/1.1 and
// HTTP/2, and its http.Server. cmd/server, the end-to-end tests
// (facadetest) and the load harness all build the facade through New.
//
// Error details are built with package rpcerr: by the handlers (package
// service) for upstream outcomes, by package auth for refused callers, and
// here for quota refusals, undecodable requests and, as a last resort, any
// error that reaches a caller without an ErrorInfo (errorinfo.go).
package server

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"connectrpc.com/authn"
	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/otelconnect"
	"connectrpc.com/validate"
	kgzip "github.com/klauspost/compress/gzip"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/idempotency"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/readcache"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/service"
	"github.com/bwfacade/facade/internal/upstream"
)

// Limits of the server; DESIGN.md explains them.
const (
	// MaxRequestBytes bounds a request message.
	MaxRequestBytes = 1 << 20
	// MaxBulkRequestBytes bounds a request message of PeopleService, whose
	// bulk upserts carry many rows.
	MaxBulkRequestBytes = 4 << 20
	// MaxProbeRequestBytes bounds a request message of health and
	// reflection, open without a key by default: a service or symbol name.
	MaxProbeRequestBytes = 4 << 10
	// MaxResponseBytes bounds a response message.
	MaxResponseBytes = 8 << 20
	// CompressMinBytes is the smallest response compressed for a caller
	// that accepts it. Smaller messages (a single goal is 1-3 KiB) cost more
	// CPU to compress than they save on an internal network; list pages of
	// tens of goals shrink several times.
	CompressMinBytes = 8 << 10
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout = 5 * time.Second
	// IdleTimeout closes keep-alive connections idle this long.
	IdleTimeout = 120 * time.Second
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
	// MaxConcurrentStreams bounds the calls one HTTP/2 connection may
	// have open at once, each a handler goroutine before its key is read
	// (gRPC's usual 100; net/http's own default is 250).
	MaxConcurrentStreams = 100
	// MaxReadFrameSize is the largest HTTP/2 frame the facade reads, and
	// so the largest buffer a peer's frame makes it hold per connection
	// (net/http's default is 1 MiB; HTTP/2's minimum is 16 KiB).
	MaxReadFrameSize = 64 << 10
	// HTTP2PingAfter is how long an HTTP/2 connection may stay silent
	// before the facade pings it, and HTTP2PingTimeout how long the ping
	// may go unanswered before the connection is closed: a peer that
	// vanished (a node lost, a NAT entry dropped) does not keep its
	// streams, such as a following SyncGoals, open until TCP gives up.
	HTTP2PingAfter   = 30 * time.Second
	HTTP2PingTimeout = 15 * time.Second
)

// Services lists the fully qualified names of the facade's services, for
// reflection and health.
var Services = []string{
	betterworksv1connect.GoalServiceName,
	betterworksv1connect.PeopleServiceName,
	betterworksv1connect.ConversationServiceName,
	betterworksv1connect.FeedbackServiceName,
	betterworksv1connect.ReportServiceName,
}

// Config configures the whole facade: its upstream client, the callers
// and their limits, the handler and its HTTP server. cmd/server turns the
// environment into one; tests and the load harness fill one with their
// overrides, so that they run the production wiring. A zero field selects
// the default documented on it.
type Config struct {
	// UpstreamURL is the Betterworks API root, such as
	// https://app.betterworks.com/api/v1/. Required.
	UpstreamURL string
	// UpstreamHTTPClient sends the upstream requests. Nil means
	// upstream.NewHTTPClient().
	UpstreamHTTPClient *http.Client
	// Resilience configures the upstream client's retries, circuit
	// breakers and bound on requests in flight. Its Limiter is left nil:
	// New sets it from Limiter and UpstreamPace.
	Resilience upstream.Resilience
	// Limiter enforces callers' quotas and paces each Betterworks token,
	// and keeps the upstream's 429 pauses. Nil means an in-process
	// limiter; give one shared through Redis to share limits across
	// replicas.
	Limiter *ratelimit.Limiter
	// UpstreamPace is each Betterworks token's pace, across every caller
	// that uses it. Zero means DefaultUpstreamPace.
	UpstreamPace ratelimit.Limit
	// ConnAge ages connections out, so that clients behind a connection
	// balancer spread over new replicas; zero ages nothing.
	ConnAge ConnAge
	// CacheTTL lists the reads whose answers may be kept, by procedure
	// (such as "/betterworks.v1.GoalService/GetGoal"), and for how long:
	// per Betterworks token, dropped by the token's writes to the same
	// endpoint family. Empty caches nothing; identical concurrent reads
	// share one upstream request whatever it says.
	CacheTTL map[string]time.Duration
	// Cache keeps those answers. Nil means an in-process cache of 64 MiB
	// when CacheTTL names any method; give one in Redis
	// (readcache.NewRedis) to share it across replicas.
	Cache upstream.Cache
	// ExportAhead is how many upstream pages an export fetches ahead
	// (service.Config.ExportAhead): about UpstreamPace's rate times the
	// upstream's latency hides that latency. Zero means
	// service.DefaultExportAhead, enough for DefaultUpstreamPace.
	ExportAhead int
	// Callers authenticates callers and says what each may call. Required.
	Callers *auth.Store
	// Logger receives access, audit and alert logs. Nil means
	// slog.Default().
	Logger *slog.Logger
	// AuthenticateReflection and AuthenticateHealth require a caller key
	// (or client certificate) for gRPC reflection and health. By default
	// both are open, so grpcurl and load balancer probes need no key.
	AuthenticateReflection, AuthenticateHealth bool
	// AllowOrigin reports whether a browser page from origin (scheme,
	// host and port, as in the Origin header) may call the facade over
	// Connect or gRPC-Web (CORS); see AllowOrigins and IsLoopbackOrigin.
	// Nil allows no cross-origin page.
	AllowOrigin func(origin string) bool
	// DefaultQuota is the quota of callers configured without one; zero
	// means the package's DefaultQuota.
	DefaultQuota auth.Quota
	// Deadlines bounds every call.
	Deadlines Deadlines
	// Refusals bounds the log lines of refused calls.
	Refusals RefusalLog
	// PageTokens seals and opens the page tokens of list RPCs (see package
	// seal). Keys is required and must be the same on every replica; a
	// zero TTL means seal.DefaultTTL (24 hours).
	PageTokens seal.Settings
	// BodyReadTimeout bounds the time a request body of one message (a
	// unary or server-streaming RPC's) may take to arrive, from the moment
	// the call is authenticated and within its quota; zero means
	// DefaultBodyReadTimeout. Client-streaming RPCs have none.
	BodyReadTimeout time.Duration
	// MaxStreamsPerCaller bounds the server-streaming calls (exports,
	// syncs, report rows) one caller may have open at once on this
	// replica; zero means DefaultMaxStreamsPerCaller.
	MaxStreamsPerCaller int
	// ReflectionStreamLifetime bounds a reflection stream over HTTP/2,
	// open without a key by default: grpcurl's last a moment, and a
	// stranger's must not last for ever. Zero means
	// DefaultReflectionStreamLifetime.
	ReflectionStreamLifetime time.Duration
	// Telemetry configures the traces and metrics of the RPCs and of the
	// upstream calls.
	Telemetry Telemetry
	// ReportFiles says where report files may be downloaded from, and
	// bounds their size and time; zero is the upstream's host alone,
	// 64 MiB and 2 minutes (see upstream.Files).
	ReportFiles upstream.Files
	// ReportPolls paces WaitReportRun's polls; zero is 2 s growing to
	// 15 s.
	ReportPolls ReportPolls
	// ReportReads bounds the ReadReportRows calls a process runs at once;
	// zero is service.DefaultReportReads, each waiting at most 10 s for
	// its turn.
	ReportReads ReportReads
	// RequestIDs keeps the request_ids of idempotent writes: a nil Store
	// means one in process, which a retry landing on another replica does
	// not see (give replicas idempotency.NewRedis); a zero TTL means
	// service.DefaultRequestIDTTL (24 hours).
	RequestIDs RequestIDs
}

// RequestIDs configures idempotent writes (see service.RequestIDs).
type RequestIDs = service.RequestIDs

// ReportPolls paces WaitReportRun's polls (see service.ReportPolls).
type ReportPolls = service.ReportPolls

// ReportReads bounds the ReadReportRows calls under way (see
// service.ReportReads).
type ReportReads = service.ReportReads

// DefaultUpstreamPace is each Betterworks token's pace when
// Config.UpstreamPace is zero: Betterworks publishes no limits.
var DefaultUpstreamPace = ratelimit.Limit{Rate: 5, Burst: 10}

// Telemetry configures the facade's traces and metrics: its providers and
// propagator serve the RPCs and the upstream client alike. A nil provider
// or propagator means otel's global one.
type Telemetry struct {
	upstream.Telemetry
	// IgnoreCallerTraces starts every RPC a new trace, linked to the
	// caller's traceparent instead of continuing it. The default trusts
	// the facade's callers, which are authenticated internal services.
	IgnoreCallerTraces bool
}

// interceptor returns the otelconnect interceptor for t.
func (t Telemetry) interceptor() (*otelconnect.Interceptor, error) {
	var opts []otelconnect.Option
	if t.TracerProvider != nil {
		opts = append(opts, otelconnect.WithTracerProvider(t.TracerProvider))
	}
	if t.MeterProvider != nil {
		opts = append(opts, otelconnect.WithMeterProvider(t.MeterProvider))
	}
	if t.Propagator != nil {
		opts = append(opts, otelconnect.WithPropagator(t.Propagator))
	}
	if !t.IgnoreCallerTraces {
		opts = append(opts, otelconnect.WithTrustRemote())
	}
	return otelconnect.NewInterceptor(opts...)
}

func (t Telemetry) meterProvider() metric.MeterProvider {
	if t.MeterProvider != nil {
		return t.MeterProvider
	}
	return otel.GetMeterProvider()
}

// Handler is the facade's HTTP handler with its health checker.
type Handler struct {
	http.Handler
	health *grpchealth.StaticChecker
}

// SetNotServing makes the gRPC health service answer NOT_SERVING for the
// server and every service, so that load balancers stop sending new calls
// while in-flight ones drain.
func (h *Handler) SetNotServing() {
	h.health.SetStatus("", grpchealth.StatusNotServing)
	for _, name := range Services {
		h.health.SetStatus(name, grpchealth.StatusNotServing)
	}
}

// Facade is the facade built from a Config.
type Facade struct {
	// Handler serves Connect, gRPC and gRPC-Web, reflection and health.
	Handler *Handler
	// HTTPServer serves Handler with the facade's limits; its caller
	// gives it a listener (see LimitConnections) and TLS.
	HTTPServer *http.Server
	// Upstream is the facade's Betterworks client.
	Upstream *upstream.Client
	// Limiter is the limiter of quotas and token paces.
	Limiter *ratelimit.Limiter
}

// New builds the facade for cfg: the one place that wires the upstream
// client, the limits, authentication, the handler and the HTTP server.
func New(cfg Config) (*Facade, error) {
	if cfg.UpstreamURL == "" || cfg.Callers == nil {
		return nil, errors.New("server: UpstreamURL and Callers are required")
	}
	if len(cfg.PageTokens.Keys) == 0 {
		return nil, errors.New("server: PageTokens.Keys is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Limiter == nil {
		cfg.Limiter = ratelimit.New(ratelimit.Config{Logger: cfg.Logger})
	}
	if cfg.UpstreamPace == (ratelimit.Limit{}) {
		cfg.UpstreamPace = DefaultUpstreamPace
	}
	if cfg.DefaultQuota.Rate <= 0 {
		cfg.DefaultQuota = DefaultQuota
	}
	if cfg.RequestIDs.Store == nil {
		store, err := idempotency.NewMemory(idempotency.MemoryConfig{})
		if err != nil {
			return nil, err
		}
		cfg.RequestIDs.Store = store
	}
	if err := checkCacheTTL(cfg.CacheTTL); err != nil {
		return nil, err
	}
	if len(cfg.CacheTTL) > 0 && cfg.Cache == nil {
		cache, err := readcache.NewMemory(readcache.MemoryConfig{MeterProvider: cfg.Telemetry.meterProvider()})
		if err != nil {
			return nil, err
		}
		cfg.Cache = cache
	}
	resilience := cfg.Resilience
	resilience.Limiter = cfg.Limiter.Keyed(cfg.UpstreamPace)
	client, err := upstream.New(upstream.Config{
		BaseURL:    cfg.UpstreamURL,
		HTTPClient: cfg.UpstreamHTTPClient,
		Resilience: resilience,
		Telemetry:  cfg.Telemetry.Telemetry,
		Cache:      cfg.Cache,
		Files:      cfg.ReportFiles,
	})
	if err != nil {
		return nil, err
	}
	handler, err := newHandler(cfg, client)
	if err != nil {
		return nil, err
	}
	srv := NewHTTPServer(handler, cfg.Logger)
	ageConnections(srv, cfg.ConnAge)
	return &Facade{Handler: handler, HTTPServer: srv, Upstream: client, Limiter: cfg.Limiter}, nil
}

// newHandler returns the facade's handler for cfg, whose defaults New
// filled, calling the upstream through client.
func newHandler(cfg Config, client *upstream.Client) (*Handler, error) {
	logger := cfg.Logger
	validator, err := validate.NewInterceptor()
	if err != nil {
		return nil, fmt.Errorf("server: validation interceptor: %w", err)
	}
	traced, err := cfg.Telemetry.interceptor()
	if err != nil {
		return nil, fmt.Errorf("server: telemetry interceptor: %w", err)
	}
	opts := []connect.HandlerOption{
		connect.WithInterceptors(traced, newErrorInfo(), newAccessLog(logger), newAudit(logger), newDeadlines(cfg.Deadlines), newMalformedRequests(), validator, newCaching(cfg.CacheTTL), withRevocations()),
		codecs(),
		connect.WithSendMaxBytes(MaxResponseBytes),
		connect.WithCompressMinBytes(CompressMinBytes),
	}
	bulkOpts := append(slices.Clip(opts), readLimit(MaxBulkRequestBytes))
	opts = append(opts, readLimit(MaxRequestBytes))
	svc := service.Config{Upstream: client, Logger: logger, PageTokens: cfg.PageTokens, ReportPolls: cfg.ReportPolls, ReportReads: cfg.ReportReads, ExportAhead: cfg.ExportAhead, RequestIDs: cfg.RequestIDs}
	if err := registerUnknownEnums(cfg.Telemetry.meterProvider()); err != nil {
		return nil, err
	}

	resolver, err := newResolver()
	if err != nil {
		return nil, err
	}
	// Reflection is left out: bidirectional, it needs HTTP/2, so over
	// HTTP/1 its handler only ever refuses.
	bodies, err := newBodies(cfg.BodyReadTimeout, resolver, append([]string{grpchealth.HealthV1ServiceName}, Services...))
	if err != nil {
		return nil, err
	}

	// Authenticated services: no key, no work.
	procedures := slices.Sorted(maps.Keys(Methods()))
	services := http.NewServeMux()
	route := func(path string, h http.Handler) { handleService(services, procedures, path, h) }
	route(betterworksv1connect.NewGoalServiceHandler(service.NewGoalService(svc), opts...))
	route(betterworksv1connect.NewPeopleServiceHandler(service.NewPeopleService(svc), bulkOpts...))
	route(betterworksv1connect.NewConversationServiceHandler(service.NewConversationService(svc), opts...))
	route(betterworksv1connect.NewFeedbackServiceHandler(service.NewFeedbackService(svc), opts...))
	route(betterworksv1connect.NewReportServiceHandler(service.NewReportService(svc), opts...))
	refused, err := newRefusals(logger, cfg.Refusals, cfg.Telemetry.meterProvider())
	if err != nil {
		return nil, err
	}
	authenticate := authn.NewMiddleware(refused.authFunc(cfg.Callers.AuthFunc()), opts...)
	q, err := newQuota(cfg.Limiter, cfg.UpstreamPace, cfg.CacheTTL, cfg.DefaultQuota, connect.NewErrorWriter(opts...), cfg.Telemetry.meterProvider(), refused)
	if err != nil {
		return nil, err
	}
	guarded := q.wrap(bodies.read(withETags(services)))
	streams := Streams()
	limited := newStreamLimit(cfg.MaxStreamsPerCaller, streams, connect.NewErrorWriter(opts...), refused).wrap(guarded)
	authenticated := authenticate.Wrap(revocable(cfg.Callers, streams, limited))

	mux := http.NewServeMux()
	for _, name := range Services {
		handleService(mux, procedures, "/"+name+"/", authenticated)
	}
	reflector := newReflector(resolver, append([]string{
		grpchealth.HealthV1ServiceName,
		grpcreflect.ReflectV1ServiceName,
		grpcreflect.ReflectV1AlphaServiceName,
	}, Services...))
	// Reflection and health are open unless configured otherwise, so
	// grpcurl and probes work without a key.
	guard := func(required bool) func(string, http.Handler) (string, http.Handler) {
		return func(path string, h http.Handler) (string, http.Handler) {
			h = bodies.read(h)
			if required {
				return path, authenticate.Wrap(h)
			}
			return path, h
		}
	}
	probe := readLimit(MaxProbeRequestBytes)
	reflection := func(path string, h http.Handler) (string, http.Handler) {
		return guard(cfg.AuthenticateReflection)(path, withStreamLifetime(h, cfg.ReflectionStreamLifetime))
	}
	mux.Handle(reflection(grpcreflect.NewHandlerV1(reflector, probe)))
	mux.Handle(reflection(grpcreflect.NewHandlerV1Alpha(reflector, probe)))
	health := grpchealth.NewStaticChecker(Services...)
	mux.Handle(guard(cfg.AuthenticateHealth)(grpchealth.NewHandler(health, probe)))
	// The guard is outermost: a CORS preflight, which withCORS answers
	// itself, is a refusal of any body it carries too.
	return &Handler{Handler: bodies.guard(withCORS(mux, cfg.AllowOrigin)), health: health}, nil
}

// handleService registers h for the service whose path (its name between
// slashes, such as "/betterworks.v1.GoalService/") is path: at path itself,
// which takes a method the service does not have, and at the path of each
// of its procedures, which ServeMux matches exactly, without the
// allocations a match of a path prefix makes.
func handleService(mux *http.ServeMux, procedures []string, path string, h http.Handler) {
	mux.Handle(path, h)
	for _, procedure := range procedures {
		if strings.HasPrefix(procedure, path) {
			mux.Handle(procedure, h)
		}
	}
}

// Methods returns every procedure of the facade's services, such as
// "/betterworks.v1.GoalService/GetGoal", mapped to whether it is read-only:
// declared in the contract with idempotency_level NO_SIDE_EFFECTS. It is
// the catalogue callers' allowances are checked against.
func Methods() map[string]bool {
	methods := make(map[string]bool)
	for _, name := range Services {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			panic(fmt.Sprintf("server: service %s is not registered: %v", name, err))
		}
		sd := d.(protoreflect.ServiceDescriptor)
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			opts, _ := md.Options().(*descriptorpb.MethodOptions)
			methods["/"+name+"/"+string(md.Name())] = opts.GetIdempotencyLevel() == descriptorpb.MethodOptions_NO_SIDE_EFFECTS
		}
	}
	return methods
}

// Streams returns the procedures of the facade's services that stream
// their answers (exports and syncs), mapped to the unary list method whose
// pages they walk, such as "/betterworks.v1.GoalService/ListGoals": the
// method whose request the stream's filter field has.
func Streams() map[string]string {
	streams := make(map[string]string)
	for _, name := range Services {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			panic(fmt.Sprintf("server: service %s is not registered: %v", name, err))
		}
		sd := d.(protoreflect.ServiceDescriptor)
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			if !md.IsStreamingServer() {
				continue
			}
			list := ""
			if filter := md.Input().Fields().ByName("filter"); filter != nil && filter.Message() != nil {
				for j := range sd.Methods().Len() {
					if m := sd.Methods().Get(j); m.Input() == filter.Message() && !m.IsStreamingServer() {
						list = "/" + name + "/" + string(m.Name())
					}
				}
			}
			streams["/"+name+"/"+string(md.Name())] = list
		}
	}
	return streams
}

// registerUnknownEnums reports, as a metric, the upstream values the
// contract's enums did not know: a sign that Betterworks added one.
func registerUnknownEnums(mp metric.MeterProvider) error {
	_, err := mp.Meter("github.com/bwfacade/facade/internal/server").Int64ObservableCounter("bwfacade.unknown_enum_values",
		metric.WithDescription("Upstream values no enum of the contract knows, mapped to UNSPECIFIED, by enum."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			for enum, n := range service.UnknownEnumValues() {
				o.Observe(n, metric.WithAttributes(attribute.String("bwfacade.enum", enum)))
			}
			return nil
		}))
	return err
}

// newFastGzipWriter compresses responses at gzip's fastest level, with
// klauspost/compress's gzip: a page of 100 goals shrinks to 25 % of its
// size instead of 23 % at the default level, in an eighth of the time the
// standard library's fastest level takes for the same size
// (BenchmarkGzipLevels), and the facade's callers are mostly on a fast
// internal network. Requests inflate with the standard library's reader,
// whose every byte goes through gzipReader.Read (klauspost's also has a
// WriteTo, which io.Copy would take past the inflation limit).
func newFastGzipWriter() connect.Compressor {
	w, _ := kgzip.NewWriterLevel(io.Discard, kgzip.BestSpeed) // the level is valid
	return w
}

// ErrInflateLimit is the error a request's gzip reader returns once it
// has inflated more than the message size limit: connect then refuses the
// message as RESOURCE_EXHAUSTED without inflating the rest, so that a
// small body that inflates to gigabytes costs no more than the limit.
var ErrInflateLimit = errors.New("gzip: stopped inflating past the message size limit")

// readLimit bounds a request message at limit bytes, as sent and once
// inflated.
func readLimit(limit int) connect.HandlerOption {
	return connect.WithHandlerOptions(
		connect.WithReadMaxBytes(limit),
		connect.WithCompression("gzip",
			func() connect.Decompressor { return &gzipReader{limit: int64(limit)} },
			newFastGzipWriter))
}

// gzipReader inflates a request message and fails with ErrInflateLimit
// when asked for more than limit+1 bytes: connect reads limit+1 bytes to
// learn that a message is too large, then reads on to count its size.
type gzipReader struct {
	gzip.Reader
	limit int64
	// left is how many more bytes it may inflate.
	left int64
}

func (r *gzipReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, ErrInflateLimit
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.Reader.Read(p)
	r.left -= int64(n)
	return n, err
}

// Reset starts a new message from src.
func (r *gzipReader) Reset(src io.Reader) error {
	r.left = r.limit + 1
	return r.Reader.Reset(src)
}

// NewHTTPServer returns an http.Server for h with the facade's limits,
// serving HTTP/1.1 and HTTP/2: h2c on a plain listener, negotiated HTTP/2
// with TLS.
func NewHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           h,
		Protocols:         protocols,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		HTTP2: &http.HTTP2Config{
			MaxConcurrentStreams: MaxConcurrentStreams,
			MaxReadFrameSize:     MaxReadFrameSize,
			// net/http's defaults, said here: what one connection may
			// send ahead of the handlers reading it.
			MaxReceiveBufferPerConnection: 1 << 20,
			MaxReceiveBufferPerStream:     1 << 20,
			SendPingTimeout:               HTTP2PingAfter,
			PingTimeout:                   HTTP2PingTimeout,
		},
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
