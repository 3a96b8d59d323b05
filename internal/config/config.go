// Package config reads the facade's configuration from the environment and
// validates it at start, naming the variable at fault.
//
// With nothing set, the facade runs in demo mode: it serves on
// localhost:8080 against the embedded Betterworks sandbox.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwfacade/facade/internal/seal"
)

// Environment variables read by Load.
const (
	EnvAddr              = "BWFACADE_ADDR"
	EnvUpstreamURL       = "BWFACADE_UPSTREAM_URL"
	EnvCallersFile       = "BWFACADE_CALLERS_FILE"
	EnvDemoKeyHash       = "BWFACADE_DEMO_KEY_SHA256"
	EnvDemoDate          = "BWFACADE_DEMO_DATE"
	EnvTLSCert           = "BWFACADE_TLS_CERT_FILE"
	EnvTLSKey            = "BWFACADE_TLS_KEY_FILE"
	EnvTLSClientCA       = "BWFACADE_TLS_CLIENT_CA_FILE"
	EnvReflectionNeedKey = "BWFACADE_REFLECTION_REQUIRES_KEY"
	EnvHealthNeedKey     = "BWFACADE_HEALTH_REQUIRES_KEY"
	EnvSandboxFaults     = "BWFACADE_SANDBOX_FAULTS"
	EnvSandboxScale      = "BWFACADE_SANDBOX_SCALE"
	EnvLogFormat         = "BWFACADE_LOG_FORMAT"
	EnvLogLevel          = "BWFACADE_LOG_LEVEL"
	EnvCORSOrigins       = "BWFACADE_CORS_ORIGINS"
	EnvRedisURL          = "BWFACADE_REDIS_URL"
	EnvRedisMode         = "BWFACADE_REDIS_MODE"
	EnvRedisPasswordFile = "BWFACADE_REDIS_PASSWORD_FILE"
	EnvRedisCAFile       = "BWFACADE_REDIS_CA_FILE"
	EnvRedisLimitTimeout = "BWFACADE_REDIS_LIMIT_TIMEOUT"
	EnvReplicas          = "BWFACADE_REPLICAS"
	EnvUpstreamRPS       = "BWFACADE_UPSTREAM_RPS"
	EnvUpstreamBurst     = "BWFACADE_UPSTREAM_BURST"
	EnvMetricsAddr       = "BWFACADE_METRICS_ADDR"
	EnvIgnoreCallerTrace = "BWFACADE_IGNORE_CALLER_TRACES"
	EnvPageTokenKeys     = "BWFACADE_PAGE_TOKEN_KEYS"
	EnvPageTokenKeysFile = "BWFACADE_PAGE_TOKEN_KEYS_FILE"
	EnvBodyReadTimeout   = "BWFACADE_BODY_READ_TIMEOUT"
	EnvCacheTTL          = "BWFACADE_CACHE_TTL"
	EnvCacheMaxBytes     = "BWFACADE_CACHE_MAX_BYTES"
	EnvMaxStreams        = "BWFACADE_MAX_STREAMS_PER_CALLER"
	EnvMaxConns          = "BWFACADE_MAX_CONNECTIONS"
	EnvMaxConnsPerPeer   = "BWFACADE_MAX_CONNECTIONS_PER_PEER"
	EnvReportHosts       = "BWFACADE_REPORT_HOSTS"
	EnvReportMaxBytes    = "BWFACADE_REPORT_MAX_BYTES"
	EnvReportReads       = "BWFACADE_REPORT_READS"
	EnvExportAhead       = "BWFACADE_EXPORT_AHEAD"
	EnvMaxConnAge        = "BWFACADE_MAX_CONNECTION_AGE"
	EnvMaxConnAgeGrace   = "BWFACADE_MAX_CONNECTION_AGE_GRACE"
	EnvRequestIDTTL      = "BWFACADE_REQUEST_ID_TTL"
	EnvRequestIDMaxBytes = "BWFACADE_REQUEST_ID_MAX_BYTES"
)

// MinRequestIDTTL is the least RequestIDTTL: longer than the longest lease
// of a write under way, so that no record of one expires before it ends.
const MinRequestIDTTL = 10 * time.Minute

// DefaultAddr is where the facade listens when BWFACADE_ADDR is unset.
const DefaultAddr = "localhost:8080"

// Config is the facade's validated configuration.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string
	// UpstreamURL is the Betterworks API root, such as
	// https://app.betterworks.com/api/v1/ or the preview environment's.
	// Empty means demo mode on the embedded sandbox.
	UpstreamURL string
	// CallersFile is the callers file (see package auth): who may call,
	// with which key, mapped to which Betterworks token. Required with
	// UpstreamURL; demo mode has its own demo caller.
	CallersFile string
	// DemoKeyHash is the hex SHA-256 of the demo caller's key. Empty
	// means a key is generated at start and logged.
	DemoKeyHash string
	// DemoDate is the day the demo organisation is arranged around: its
	// goal periods, progress and modification times. The zero value
	// means the day the facade starts, so that current goals are
	// current; a fixed day gives the same organisation on every run.
	DemoDate time.Time
	// TLSCertFile and TLSKeyFile enable TLS when both are set.
	TLSCertFile, TLSKeyFile string
	// TLSClientCAFile enables client certificates (mTLS): a certificate
	// signed by one of its CAs may name a caller. Needs TLS.
	TLSClientCAFile string
	// ReflectionRequiresKey and HealthRequiresKey close gRPC reflection
	// and health to unauthenticated callers; both are open by default.
	ReflectionRequiresKey, HealthRequiresKey bool
	// SandboxFaults is a fault specification for the embedded sandbox
	// (see sandbox.ParseFaults); demo mode only.
	SandboxFaults string
	// SandboxScale enlarges the embedded sandbox's organisation, such as
	// "users=100000,goals=20000" (see sandbox.ParseScale); empty is the
	// demo organisation alone. Demo mode only.
	SandboxScale string
	// LogFormat is "text" or "json". Empty means text in demo mode and
	// json otherwise.
	LogFormat string
	// LogLevel is the minimum level logged; default info.
	LogLevel slog.Level
	// CORSOrigins are the origins of the browser pages that may call the
	// facade (CORS), such as "https://app.example.com". Empty means none,
	// except that demo mode then allows pages from http://localhost and
	// http://127.0.0.1 on any port.
	CORSOrigins []string
	// RedisURL, such as redis://redis:6379/0, shares rate limits and
	// upstream pauses across replicas. Empty limits each replica alone.
	RedisURL string
	// RedisMode is how RedisURL is read: "single" (one server, the
	// default), "sentinel" (the URL names the Sentinels, its addr query
	// parameters more of them, and master_name the master) or "cluster"
	// (the URL names a node, addr parameters more). rediss:// is TLS.
	RedisMode string
	// RedisPasswordFile holds the Redis password, read at start, instead
	// of the URL (whose password may then be left out).
	RedisPasswordFile string
	// RedisCAFile holds the PEM certificates of the CAs a rediss:// server's
	// certificate may chain to, instead of the system's.
	RedisCAFile string
	// RedisLimitTimeout bounds each of the rate limiter's Redis commands
	// (one per call); past it the replica limits locally for a second.
	// Default 50 ms.
	RedisLimitTimeout time.Duration
	// Replicas is how many replicas share the limits; while Redis is
	// unreachable each enforces its share. Default 1.
	Replicas int
	// UpstreamRPS and UpstreamBurst pace the calls made with each
	// Betterworks token, across every caller that uses it. Betterworks
	// publishes no limits; default 5 per second, bursts of 10.
	UpstreamRPS   float64
	UpstreamBurst int
	// MetricsAddr serves Prometheus metrics at /metrics on its own
	// listener, such as ":9464". Empty means no scrape endpoint (metrics
	// still go wherever OTEL_METRICS_EXPORTER sends them).
	MetricsAddr string
	// IgnoreCallerTraces starts a new trace for every RPC (linked to the
	// caller's) instead of continuing the caller's traceparent.
	IgnoreCallerTraces bool
	// PageTokenKeys seal page tokens: hex keys of at least 32 bytes,
	// separated by commas; the first seals, every one opens (see
	// seal.ParseKeys). PageTokenKeysFile names a file of such keys
	// instead, one per line; it is read at start. Tenant mode needs
	// exactly one of the two, the same on every replica; in demo mode,
	// with neither, a key is generated at start.
	PageTokenKeys     []seal.Key
	PageTokenKeysFile string
	// CacheTTL lists the reads whose answers are kept, by procedure
	// ("/betterworks.v1.GoalService/GetGoal"), and for how long. It is
	// read from "GoalService/GetGoal=30s,PeopleService/GetUser=1m".
	// Empty caches nothing.
	CacheTTL map[string]time.Duration
	// MaxConnectionAge ages connections out (with up to 10 % jitter
	// below it), so that clients behind an L4 Service spread over new
	// replicas; MaxConnectionAgeGrace is how long calls may then go on.
	// Default 30 min and 1 min; "0" turns ageing off.
	MaxConnectionAge, MaxConnectionAgeGrace time.Duration
	// ExportAhead is how many upstream pages an export fetches ahead of
	// the one it sends (service.Config.ExportAhead); zero is the
	// service's default. About the token's pace times the upstream's
	// latency hides that latency.
	ExportAhead int
	// MaxStreamsPerCaller bounds the server-streaming calls one caller
	// may have open at once on a replica; default 64.
	MaxStreamsPerCaller int
	// CacheMaxBytes bounds the in-process cache; default 64 MiB. With
	// RedisURL the cache is in Redis instead, shared by the replicas.
	CacheMaxBytes int
	// BodyReadTimeout bounds the time a request body of one message (a
	// unary or server-streaming RPC's) may take to arrive; default 5 s.
	// Client-streaming RPCs have no such bound.
	BodyReadTimeout time.Duration
	// RequestIDTTL is how long the request_id of an idempotent write is
	// remembered; default 24 h, at least MinRequestIDTTL. RequestIDMaxBytes bounds the in-process
	// store of them, which refuses new ones at its bound rather than
	// forget any; default 64 MiB. With RedisURL they are kept in Redis
	// instead, so that a retry landing on another replica is recognised.
	RequestIDTTL      time.Duration
	RequestIDMaxBytes int
	// MaxConnections and MaxConnectionsPerPeer bound the open connections
	// of the API listener, in all and from one IP address; beyond them a
	// new connection is closed at once. Default 4096 and 256.
	MaxConnections, MaxConnectionsPerPeer int
	// ReportHosts lists the hosts (host or host:port) report files may be
	// downloaded from, separated by commas; empty means the upstream's own
	// host (in demo mode, the sandbox). The list replaces that default:
	// name the upstream's host too if files come from it.
	ReportHosts []string
	// ReportMaxBytes bounds a report file, in bytes; zero means 64 MiB.
	ReportMaxBytes int64
	// ReportReads is how many ReadReportRows calls a replica runs at
	// once; default 2 (each may hold about 100 MiB of memory).
	ReportReads int
}

// Demo reports whether the facade runs against the embedded sandbox.
func (c *Config) Demo() bool { return c.UpstreamURL == "" }

// Load reads the configuration through getenv and validates it.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Addr:            getenv(EnvAddr),
		UpstreamURL:     strings.TrimSpace(getenv(EnvUpstreamURL)),
		CallersFile:     getenv(EnvCallersFile),
		DemoKeyHash:     strings.ToLower(strings.TrimSpace(getenv(EnvDemoKeyHash))),
		TLSCertFile:     getenv(EnvTLSCert),
		TLSKeyFile:      getenv(EnvTLSKey),
		TLSClientCAFile: getenv(EnvTLSClientCA),
		SandboxFaults:   getenv(EnvSandboxFaults),
		SandboxScale:    getenv(EnvSandboxScale),
		LogFormat:       getenv(EnvLogFormat),
	}
	var errs []error
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	c.MetricsAddr = strings.TrimSpace(getenv(EnvMetricsAddr))
	for name, dst := range map[string]*bool{
		EnvReflectionNeedKey: &c.ReflectionRequiresKey,
		EnvHealthNeedKey:     &c.HealthRequiresKey,
		EnvIgnoreCallerTrace: &c.IgnoreCallerTraces,
	} {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: want true or false, got %q", name, v))
			}
			*dst = b
		}
	}
	if c.UpstreamURL != "" {
		u, err := url.Parse(c.UpstreamURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", EnvUpstreamURL, err))
		case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
			errs = append(errs, fmt.Errorf("%s: %q is not an absolute http(s) URL", EnvUpstreamURL, c.UpstreamURL))
		}
		if c.CallersFile == "" {
			errs = append(errs, fmt.Errorf("%s needs %s, the callers and the Betterworks tokens they use", EnvUpstreamURL, EnvCallersFile))
		}
		for _, demoOnly := range []string{EnvSandboxFaults, EnvSandboxScale, EnvDemoKeyHash, EnvDemoDate} {
			if getenv(demoOnly) != "" {
				errs = append(errs, fmt.Errorf("%s applies to demo mode on the embedded sandbox only; unset it or %s", demoOnly, EnvUpstreamURL))
			}
		}
		if getenv(EnvPageTokenKeys) == "" && strings.TrimSpace(getenv(EnvPageTokenKeysFile)) == "" {
			errs = append(errs, fmt.Errorf("%s needs %s or %s, the keys of page tokens, the same on every replica (generate one with `openssl rand -hex 32`)",
				EnvUpstreamURL, EnvPageTokenKeysFile, EnvPageTokenKeys))
		}
	} else if c.CallersFile != "" {
		errs = append(errs, fmt.Errorf("%s needs %s: demo mode has its own demo caller", EnvCallersFile, EnvUpstreamURL))
	}
	c.PageTokenKeysFile = strings.TrimSpace(getenv(EnvPageTokenKeysFile))
	if v := getenv(EnvPageTokenKeys); v != "" {
		keys, err := seal.ParseKeys(v)
		switch {
		case err != nil: // names the key by position, never by value
			errs = append(errs, fmt.Errorf("%s: %w", EnvPageTokenKeys, err))
		case c.PageTokenKeysFile != "":
			errs = append(errs, fmt.Errorf("%s and %s exclude each other: set one", EnvPageTokenKeys, EnvPageTokenKeysFile))
		}
		c.PageTokenKeys = keys
	}
	if c.DemoKeyHash != "" && !isSHA256Hex(c.DemoKeyHash) {
		errs = append(errs, fmt.Errorf("%s: want 64 hex digits (the SHA-256 of the key)", EnvDemoKeyHash))
	}
	if v := strings.TrimSpace(getenv(EnvDemoDate)); v != "" {
		day, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: want a day as YYYY-MM-DD, got %q", EnvDemoDate, v))
		}
		c.DemoDate = day
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, fmt.Errorf("%s and %s go together", EnvTLSCert, EnvTLSKey))
	}
	if c.TLSClientCAFile != "" && c.TLSCertFile == "" {
		errs = append(errs, fmt.Errorf("%s needs %s and %s: client certificates need TLS", EnvTLSClientCA, EnvTLSCert, EnvTLSKey))
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
		if c.Demo() {
			c.LogFormat = "text"
		}
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("%s: want text or json, got %q", EnvLogFormat, c.LogFormat))
	}
	if lvl := getenv(EnvLogLevel); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvLogLevel, err))
		}
	}
	if v := strings.TrimSpace(getenv(EnvCORSOrigins)); v != "" {
		for origin := range strings.SplitSeq(v, ",") {
			origin = strings.TrimSpace(origin)
			if err := checkOrigin(origin); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvCORSOrigins, err))
				continue
			}
			c.CORSOrigins = append(c.CORSOrigins, origin)
		}
	}
	c.RedisURL = strings.TrimSpace(getenv(EnvRedisURL))
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			// The URL may hold a password: name the variable, not the value.
			errs = append(errs, fmt.Errorf("%s: want redis://host:port/db or rediss://…", EnvRedisURL))
		}
	}
	if v := strings.TrimSpace(getenv(EnvCacheTTL)); v != "" {
		c.CacheTTL = make(map[string]time.Duration)
		for item := range strings.SplitSeq(v, ",") {
			method, ttl, ok := strings.Cut(strings.TrimSpace(item), "=")
			d, err := time.ParseDuration(strings.TrimSpace(ttl))
			if !ok || err != nil || d <= 0 || strings.Count(method, "/") != 1 {
				errs = append(errs, fmt.Errorf("%s: want Service/Method=duration pairs such as GoalService/GetGoal=30s, got %q", EnvCacheTTL, item))
				continue
			}
			c.CacheTTL["/betterworks.v1."+strings.TrimSpace(method)] = d
		}
	}
	errs = append(errs, positive(getenv, EnvExportAhead, &c.ExportAhead))
	c.MaxConnectionAge, c.MaxConnectionAgeGrace = 30*time.Minute, time.Minute
	for name, dst := range map[string]*time.Duration{EnvMaxConnAge: &c.MaxConnectionAge, EnvMaxConnAgeGrace: &c.MaxConnectionAgeGrace} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("%s: want a duration such as 30m, or 0, got %q", name, v))
			}
			*dst = d
		}
	}
	c.CacheMaxBytes = 64 << 20
	errs = append(errs, positive(getenv, EnvCacheMaxBytes, &c.CacheMaxBytes))
	c.MaxStreamsPerCaller = 64 // server.DefaultMaxStreamsPerCaller
	errs = append(errs, positive(getenv, EnvMaxStreams, &c.MaxStreamsPerCaller))
	c.RequestIDMaxBytes = 64 << 20
	errs = append(errs, positive(getenv, EnvRequestIDMaxBytes, &c.RequestIDMaxBytes))
	c.RequestIDTTL = 24 * time.Hour
	if v := strings.TrimSpace(getenv(EnvRequestIDTTL)); v != "" {
		// A request_id must outlive the longest lease of a write under way
		// (5 minutes, internal/service): a record that expired first would
		// let a retry apply the write a second time.
		d, err := time.ParseDuration(v)
		if err != nil || d < MinRequestIDTTL {
			errs = append(errs, fmt.Errorf("%s: want a duration of at least %v, such as 24h, got %q", EnvRequestIDTTL, MinRequestIDTTL, v))
		}
		c.RequestIDTTL = d
	}
	c.RedisMode = strings.TrimSpace(getenv(EnvRedisMode))
	switch c.RedisMode {
	case "":
		c.RedisMode = "single"
	case "single", "sentinel", "cluster":
	default:
		errs = append(errs, fmt.Errorf("%s: want single, sentinel or cluster, got %q", EnvRedisMode, c.RedisMode))
	}
	c.RedisPasswordFile = strings.TrimSpace(getenv(EnvRedisPasswordFile))
	c.RedisCAFile = strings.TrimSpace(getenv(EnvRedisCAFile))
	if c.RedisURL == "" && (getenv(EnvRedisMode) != "" || c.RedisPasswordFile != "" || c.RedisCAFile != "") {
		errs = append(errs, fmt.Errorf("%s, %s and %s need %s", EnvRedisMode, EnvRedisPasswordFile, EnvRedisCAFile, EnvRedisURL))
	}
	// A CA file says TLS is meant: with redis:// it would be ignored and
	// the password sent in the clear.
	if u, err := url.Parse(c.RedisURL); err == nil && c.RedisCAFile != "" && u.Scheme == "redis" {
		errs = append(errs, fmt.Errorf("%s needs a rediss:// %s (TLS); redis:// is plaintext", EnvRedisCAFile, EnvRedisURL))
	}
	c.Replicas = 1
	c.UpstreamRPS, c.UpstreamBurst = 5, 10
	c.MaxConnections, c.MaxConnectionsPerPeer = 4096, 256
	errs = append(errs,
		positive(getenv, EnvReplicas, &c.Replicas),
		positive(getenv, EnvUpstreamBurst, &c.UpstreamBurst),
		positive(getenv, EnvUpstreamRPS, &c.UpstreamRPS),
		positive(getenv, EnvMaxConns, &c.MaxConnections),
		positive(getenv, EnvMaxConnsPerPeer, &c.MaxConnectionsPerPeer))
	c.BodyReadTimeout = 5 * time.Second
	c.RedisLimitTimeout = 50 * time.Millisecond
	errs = append(errs,
		positiveDuration(getenv, EnvBodyReadTimeout, "5s", &c.BodyReadTimeout),
		positiveDuration(getenv, EnvRedisLimitTimeout, "200ms", &c.RedisLimitTimeout))
	for _, h := range strings.Split(getenv(EnvReportHosts), ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if u, err := url.Parse("https://" + h); err != nil || u.Host != h || u.Hostname() == "" {
			errs = append(errs, fmt.Errorf("%s: want host or host:port names separated by commas, got %q", EnvReportHosts, h))
			continue
		}
		c.ReportHosts = append(c.ReportHosts, h)
	}
	var maxBytes int
	errs = append(errs, positive(getenv, EnvReportMaxBytes, &maxBytes))
	c.ReportMaxBytes = int64(maxBytes)
	c.ReportReads = 2 // service.DefaultReportReads
	errs = append(errs, positive(getenv, EnvReportReads, &c.ReportReads))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// positive reads the number name holds into dst, if set; it must be
// greater than zero.
func positive[N int | float64](getenv func(string) string, name string, dst *N) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 || N(n) <= 0 || float64(N(n)) != n {
		return fmt.Errorf("%s: want a number greater than zero, got %q", name, v)
	}
	*dst = N(n)
	return nil
}

// positiveDuration sets *dst to name's Go duration unless it is unset;
// example is a valid value, for the error.
func positiveDuration(getenv func(string) string, name, example string, dst *time.Duration) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%s: want a duration greater than zero, such as %s, got %q", name, example, v)
	}
	*dst = d
	return nil
}

// checkOrigin accepts an origin as a browser sends it in the Origin
// header: a lower-case http or https scheme and host, an optional port,
// nothing else. "*" is refused: the facade names the pages it trusts.
func checkOrigin(origin string) error {
	if origin == "*" {
		return errors.New(`"*" would let every web page call with a key it holds; list the origins`)
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		origin != u.Scheme+"://"+u.Host || origin != strings.ToLower(origin) {
		return fmt.Errorf("%q is not an origin like https://app.example.com (lower-case scheme and host, optional port, no path)", origin)
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}
