// Command server runs the Betterworks facade: Connect, gRPC and gRPC-Web on
// one port. With no configuration it runs on the embedded Betterworks
// sandbox and logs a demo caller key.
//
// Usage:
//
//	server          serve (configured by BWFACADE_* environment variables)
//	server keygen   print a new caller key and the hash to configure
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/metric"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/config"
	"github.com/bwfacade/facade/internal/idempotency"
	"github.com/bwfacade/facade/internal/ratelimit"
	"github.com/bwfacade/facade/internal/readcache"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/telemetry"
	"github.com/bwfacade/facade/internal/upstream"
)

const (
	// shutdownGrace bounds how long in-flight calls may drain after
	// SIGTERM.
	shutdownGrace = 20 * time.Second
	// callsEndBefore is how long before the grace ends the calls still
	// running are canceled: streams that never end on their own (a
	// following sync) then end with their status, and their connections
	// close cleanly within the grace.
	callsEndBefore = 3 * time.Second
	// callersPollInterval is how often the callers file and its token
	// files are checked for changes; SIGHUP reloads at once.
	callersPollInterval = 5 * time.Second
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends or SIGINT/SIGTERM arrives, then drains. ready,
// when non-nil, receives the bound address once the server accepts calls.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, ready chan<- net.Addr) error {
	if len(args) > 0 {
		switch args[0] {
		case "keygen":
			return keygen(stdout)
		default:
			return fmt.Errorf("unknown command %q (want no command, or keygen)", args[0])
		}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stdout)
	tuneGC(getenv)
	pageTokenKeys, err := pageTokenKeys(cfg)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// SIGHUP reloads the callers. It is caught from here to the end, so
	// that one sent while the server starts or drains (a reloader knows
	// nothing of either) is not the default's end of the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	providers, err := telemetry.Setup(ctx, telemetry.Config{ServiceVersion: buildRevision(), Prometheus: cfg.MetricsAddr != "", Getenv: getenv})
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := providers.Shutdown(flushCtx); err != nil {
			logger.Warn("telemetry: flush on shutdown failed", slog.Any("error", err))
		}
	}()
	if cfg.MetricsAddr != "" {
		closeMetrics, err := serveMetrics(cfg.MetricsAddr, providers.Metrics, logger)
		if err != nil {
			return err
		}
		defer closeMetrics()
	}

	upstreamURL, callers, demoKey, closeSandbox, err := upstreamAndCallers(ctx, cfg, logger, providers.Meter)
	if err != nil {
		return err
	}
	defer closeSandbox()
	go callers.Watch(ctx, callersPollInterval)
	go reloadOnHangup(ctx, callers, hup)
	rdb, err := newRedis(cfg, logger)
	if err != nil {
		return err
	}
	if rdb != nil {
		defer rdb.Close()
		warmRedis(ctx, rdb, logger)
	}
	limiter := newLimiter(cfg, rdb, logger)
	cache, err := newCache(cfg, rdb, providers.Meter)
	if err != nil {
		return err
	}
	requestIDs, err := newRequestIDs(cfg, rdb)
	if err != nil {
		return err
	}
	facade, err := server.New(server.Config{
		RequestIDs:   server.RequestIDs{Store: requestIDs, TTL: cfg.RequestIDTTL},
		UpstreamURL:  upstreamURL,
		CacheTTL:     cfg.CacheTTL,
		ExportAhead:  cfg.ExportAhead,
		ConnAge:      server.ConnAge{Max: cfg.MaxConnectionAge, Grace: cfg.MaxConnectionAgeGrace},
		Cache:        cache,
		Limiter:      limiter,
		UpstreamPace: ratelimit.Limit{Rate: cfg.UpstreamRPS, Burst: cfg.UpstreamBurst},
		Callers:      callers,
		PageTokens:   seal.Settings{Keys: pageTokenKeys},
		Telemetry: server.Telemetry{
			Telemetry:          upstream.Telemetry{TracerProvider: providers.Tracer, MeterProvider: providers.Meter, Propagator: providers.Propagator},
			IgnoreCallerTraces: cfg.IgnoreCallerTraces,
		},
		Logger:                 logger,
		BodyReadTimeout:        cfg.BodyReadTimeout,
		MaxStreamsPerCaller:    cfg.MaxStreamsPerCaller,
		AuthenticateReflection: cfg.ReflectionRequiresKey,
		AuthenticateHealth:     cfg.HealthRequiresKey,
		AllowOrigin:            allowOrigin(cfg),
		ReportFiles:            upstream.Files{Hosts: cfg.ReportHosts, MaxBytes: cfg.ReportMaxBytes},
		ReportReads:            server.ReportReads{Max: cfg.ReportReads},
	})
	if err != nil {
		return err
	}
	handler, srv := facade.Handler, facade.HTTPServer
	// Every call's context derives from calls, which the drain cancels
	// before its grace ends (connection ageing derives from it too).
	calls, endCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer endCalls()
	srv.BaseContext = func(net.Listener) context.Context { return calls }
	if cfg.TLSClientCAFile != "" {
		if srv.TLSConfig, err = clientCertificates(cfg.TLSClientCAFile); err != nil {
			return err
		}
	}

	tcp, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	ln, err := server.LimitConnections(tcp, server.ConnLimits{Total: cfg.MaxConnections, PerPeer: cfg.MaxConnectionsPerPeer}, providers.Meter)
	if err != nil {
		_ = tcp.Close()
		return err
	}
	serveErr := make(chan error, 1)
	go func() {
		if cfg.TLSCertFile != "" {
			serveErr <- srv.ServeTLS(ln, cfg.TLSCertFile, cfg.TLSKeyFile)
			return
		}
		serveErr <- srv.Serve(ln)
	}()
	logger.Info("serving", slog.String("addr", ln.Addr().String()), slog.Bool("tls", cfg.TLSCertFile != ""), slog.Bool("demo", cfg.Demo()))
	if demoKey != "" {
		// The demo key guards only the sandbox's fake organisation and lives
		// as long as this process: showing it once is the point.
		logger.Info("demo mode: the embedded sandbox answers as a super admin",
			slog.String("demo_caller_key", demoKey),
			slog.String("try", fmt.Sprintf(`grpcurl -plaintext -H 'authorization: Bearer %s' -d '{"page_size": 3}' %s betterworks.v1.GoalService/ListGoals`,
				demoKey, dialAddr(ln.Addr().String()))))
	}
	if ready != nil {
		ready <- ln.Addr()
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight calls", slog.Duration("grace", shutdownGrace))
	handler.SetNotServing()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	endLate := time.AfterFunc(shutdownGrace-callsEndBefore, endCalls)
	defer endLate.Stop()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close() // the grace is over: cut the connections still busy
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// upstreamAndCallers returns the upstream base URL and the callers. In
// demo mode it starts the embedded sandbox on a loopback port and
// registers a demo caller mapped to the sandbox's super admin, under the
// configured key hash or a generated key, which it returns.
func upstreamAndCallers(ctx context.Context, cfg *config.Config, logger *slog.Logger, meters metric.MeterProvider) (baseURL string, callers *auth.Store, demoKey string, closeSandbox func(), err error) {
	if !cfg.Demo() {
		callers, err := auth.OpenFile(cfg.CallersFile, auth.LoadOptions{Methods: server.Methods(), MeterProvider: meters}, logger)
		if err != nil {
			return "", nil, "", nil, fmt.Errorf("%s: %w", config.EnvCallersFile, err)
		}
		return cfg.UpstreamURL, callers, "", func() {}, nil
	}
	faults, err := sandbox.ParseFaults(cfg.SandboxFaults)
	if err != nil {
		return "", nil, "", nil, fmt.Errorf("%s: %w", config.EnvSandboxFaults, err)
	}
	scale, err := sandbox.ParseScale(cfg.SandboxScale)
	if err != nil {
		return "", nil, "", nil, fmt.Errorf("%s: %w", config.EnvSandboxScale, err)
	}
	var hash auth.KeyHash
	if cfg.DemoKeyHash == "" {
		demoKey = auth.GenerateKey()
		hash = auth.HashKey(demoKey)
	} else {
		// config.Load checked the form.
		_, _ = hex.Decode(hash[:], []byte(cfg.DemoKeyHash))
		logger.InfoContext(ctx, "demo mode: the embedded sandbox answers as a super admin to the configured demo key")
	}
	// Arranged around today unless a day is configured; then the sandbox's
	// clock starts on that day too, so that it answers alike on any day.
	sbCfg := sandbox.Config{Faults: faults, ReferenceTime: cfg.DemoDate, Scale: scale}
	if cfg.DemoDate.IsZero() {
		sbCfg.ReferenceTime, sbCfg.Now = time.Now(), time.Now
	}
	sb := sandbox.New(sbCfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, "", nil, fmt.Errorf("sandbox: %w", err)
	}
	sbServer := &http.Server{Handler: sb, ReadHeaderTimeout: server.ReadHeaderTimeout}
	go func() { _ = sbServer.Serve(ln) }()

	demo := &auth.Caller{Name: "demo", Token: upstream.NewToken(sb.Token(sandbox.RoleSuperAdmin)), KeyHashes: []auth.KeyHash{hash}}
	registry, err := auth.NewRegistry(nil, demo)
	if err != nil {
		_ = sbServer.Close()
		return "", nil, "", nil, err
	}
	baseURL = "http://" + ln.Addr().String() + "/api/v1/"
	return baseURL, auth.NewStore(registry), demoKey, func() { _ = sbServer.Close() }, nil
}

// pageTokenKeys returns the keys of page tokens: those configured, from
// BWFACADE_PAGE_TOKEN_KEYS or the file BWFACADE_PAGE_TOKEN_KEYS_FILE names,
// or in demo mode without any, a key generated for this process, so that
// its tokens die with it. config.Load refused tenant mode without keys.
func pageTokenKeys(cfg *config.Config) ([]seal.Key, error) {
	switch {
	case cfg.PageTokenKeysFile != "":
		keys, err := seal.ReadKeysFile(cfg.PageTokenKeysFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvPageTokenKeysFile, err)
		}
		return keys, nil
	case len(cfg.PageTokenKeys) > 0:
		return cfg.PageTokenKeys, nil
	case cfg.Demo():
		return []seal.Key{seal.GenerateKey()}, nil
	}
	return nil, fmt.Errorf("%s or %s is required", config.EnvPageTokenKeysFile, config.EnvPageTokenKeys)
}

// allowOrigin returns the CORS origin check for cfg: the configured
// origins, or in demo mode without any, pages on this machine; nil (no
// cross-origin page) otherwise.
func allowOrigin(cfg *config.Config) func(string) bool {
	switch {
	case len(cfg.CORSOrigins) > 0:
		return server.AllowOrigins(cfg.CORSOrigins...)
	case cfg.Demo():
		return server.IsLoopbackOrigin
	}
	return nil
}

// newRedis returns the Redis client of BWFACADE_REDIS_URL, read as
// BWFACADE_REDIS_MODE says (one server, Sentinel or Cluster), or nil when
// the URL is unset. go-redis then logs through logger, at DEBUG.
func newRedis(cfg *config.Config, logger *slog.Logger) (redis.UniversalClient, error) {
	if cfg.RedisURL == "" {
		return nil, nil
	}
	var password string
	if cfg.RedisPasswordFile != "" {
		b, err := os.ReadFile(cfg.RedisPasswordFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvRedisPasswordFile, err)
		}
		password = strings.TrimSpace(string(b))
	}
	// The errors of the parsers may quote the URL, which may hold a
	// password: name the variable, not the value.
	badURL := fmt.Errorf("%s: not a Redis URL for %s mode", config.EnvRedisURL, cfg.RedisMode)
	// go-redis has one logger for the whole process; run builds its only
	// Redis client.
	redis.SetLogger(redisLogger{log: logger})
	var roots *x509.CertPool
	if cfg.RedisCAFile != "" {
		pem, err := os.ReadFile(cfg.RedisCAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvRedisCAFile, err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate in %s", config.EnvRedisCAFile, cfg.RedisCAFile)
		}
	}
	tune := func(timeouts *bool, dial, read, write *time.Duration, pass *string, tlsConfig *tls.Config) {
		*timeouts = true
		*dial, *read, *write = 200*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond
		if password != "" {
			*pass = password
		}
		if tlsConfig != nil && roots != nil { // rediss://
			tlsConfig.RootCAs = roots
		}
	}
	switch cfg.RedisMode {
	case "cluster":
		opts, err := redis.ParseClusterURL(cfg.RedisURL)
		if err != nil {
			return nil, badURL
		}
		tune(&opts.ContextTimeoutEnabled, &opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.Password, opts.TLSConfig)
		return redis.NewClusterClient(opts), nil
	case "sentinel":
		opts, err := redis.ParseFailoverURL(cfg.RedisURL)
		if err != nil || opts.MasterName == "" {
			return nil, fmt.Errorf("%s: not a Sentinel URL with master_name", config.EnvRedisURL)
		}
		tune(&opts.ContextTimeoutEnabled, &opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.Password, opts.TLSConfig)
		return redis.NewFailoverClient(opts), nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, badURL
	}
	tune(&opts.ContextTimeoutEnabled, &opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.Password, opts.TLSConfig)
	return redis.NewClient(opts), nil
}

// redisWarmUp bounds the first Redis call at start, which dials and, for
// a Cluster, loads the slot map: more than a limiter's 50 ms budget.
const redisWarmUp = 2 * time.Second

// warmRedis makes the first call to Redis before the facade serves, so
// that the first calls' limits do not pay for dialling. A Redis that does
// not answer is logged; the limiters then fail open as they would later.
// It then warns of an eviction policy that could forget request_ids.
func warmRedis(ctx context.Context, rdb redis.UniversalClient, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, redisWarmUp)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		logger.Warn("redis: not answering at start; limits are kept locally until it does", slog.Any("error", err))
		return
	}
	checkEvictionPolicy(ctx, rdb, logger)
}

// checkEvictionPolicy warns when Redis may evict keys at its memory bound:
// an evicted request_id record lets a retry apply its write again. Any
// policy but noeviction may (the volatile ones too: every record has a
// TTL). Managed servers often refuse CONFIG; that is logged at debug
// level, as the policy cannot be told.
func checkEvictionPolicy(ctx context.Context, rdb redis.UniversalClient, logger *slog.Logger) {
	policy, err := rdb.ConfigGet(ctx, "maxmemory-policy").Result()
	if err != nil || policy["maxmemory-policy"] == "" {
		logger.Debug("redis: maxmemory-policy cannot be read; it should be noeviction", slog.Any("error", err))
		return
	}
	if p := policy["maxmemory-policy"]; p != "noeviction" {
		logger.Warn("redis: maxmemory-policy is not noeviction, so Redis may evict request_id records at its memory bound, and a retry of an evicted one is applied again",
			slog.String("maxmemory_policy", p))
	}
}

// newLimiter returns the rate limiter of callers' quotas and upstream
// tokens: shared through rdb when there is one, in-process otherwise.
func newLimiter(cfg *config.Config, rdb redis.UniversalClient, logger *slog.Logger) *ratelimit.Limiter {
	if rdb == nil {
		return ratelimit.New(ratelimit.Config{Logger: logger})
	}
	return ratelimit.New(ratelimit.Config{Redis: rdb, RedisTimeout: cfg.RedisLimitTimeout, Replicas: cfg.Replicas, Logger: logger})
}

// newCache returns the read cache: in rdb when there is one, so that the
// replicas share it, in process otherwise; nil when no read is cached.
func newCache(cfg *config.Config, rdb redis.UniversalClient, meters metric.MeterProvider) (upstream.Cache, error) {
	switch {
	case len(cfg.CacheTTL) == 0:
		return nil, nil
	case rdb != nil:
		return readcache.NewRedis(readcache.RedisConfig{Client: rdb}), nil
	}
	return readcache.NewMemory(readcache.MemoryConfig{MaxBytes: uint64(cfg.CacheMaxBytes), MeterProvider: meters})
}

// newRequestIDs returns the store of idempotent writes' request_ids: in
// rdb when there is one, so that a retry landing on another replica is
// recognised, in process otherwise.
func newRequestIDs(cfg *config.Config, rdb redis.UniversalClient) (idempotency.Store, error) {
	if rdb != nil {
		// A caller may write a quarter of BWFACADE_REQUEST_ID_MAX_BYTES
		// of records per TTL, as in process.
		return idempotency.NewRedis(idempotency.RedisConfig{Client: rdb, ScopeBytes: int64(cfg.RequestIDMaxBytes) / 4, ScopeTTL: cfg.RequestIDTTL}), nil
	}
	return idempotency.NewMemory(idempotency.MemoryConfig{MaxBytes: uint64(cfg.RequestIDMaxBytes)})
}

// reloadOnHangup reloads the callers whenever hup (SIGHUP) delivers,
// until ctx ends.
func reloadOnHangup(ctx context.Context, callers *auth.Store, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = callers.Reload() // Reload logs its outcome.
		}
	}
}

// clientCertificates returns the TLS configuration that asks for client
// certificates signed by the CAs in caFile. A certificate is optional (a
// caller may use a key instead) but, when presented, must verify.
func clientCertificates(caFile string) (*tls.Config, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvTLSClientCA, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in %s", config.EnvTLSClientCA, caFile)
	}
	return &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func keygen(stdout io.Writer) error {
	key := auth.GenerateKey()
	_, err := fmt.Fprintf(stdout, "caller key (shown once; give it to the caller): %s\nadd its hash to the caller's key_sha256 list in the callers file:\n  - %s\n",
		key, auth.HashKeyHex(key))
	return err
}

// newLogger returns the logger of cfg's format and level; a line logged
// with a request's context carries its trace_id and span_id.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(telemetry.LogHandler(h))
}

// serveMetrics serves the Prometheus scrape endpoint /metrics on addr,
// apart from the API, and returns the function that stops it.
func serveMetrics(addr string, metrics http.Handler, logger *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvMetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: server.ReadHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("serving metrics", slog.String("addr", ln.Addr().String()), slog.String("path", "/metrics"))
	return func() { _ = srv.Close() }, nil
}

// buildRevision is the VCS revision the binary was built from, or "".
func buildRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}

// dialAddr turns a listen address into one a client on this machine can
// dial: an empty or wildcard host becomes localhost.
func dialAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
