package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/telemetry"
	"github.com/bwfacade/facade/internal/upstream"
)

// The hop process serves the hops the load generator measures: the facade
// and the bare reverse proxy, both in front of the load generator's
// sandbox, and a control server that reports the process's usage.

// hopCommand is the hidden subcommand that runs the hop process.
const hopCommand = "__hop"

// hopReadyFD is the descriptor on which the hop process announces its
// addresses, one JSON line: the load generator's first cmd.ExtraFiles.
const hopReadyFD = 3

// Environment of the hop process. The token and the caller key travel in
// the environment, not on the command line, which every user can read.
const (
	envSandboxURL = "BWFACADE_LOADTEST_SANDBOX_URL"  // the sandbox's root, "http://127.0.0.1:port"
	envToken      = "BWFACADE_LOADTEST_TOKEN"        // the Betterworks token the facade's caller maps to
	envCallerKey  = "BWFACADE_LOADTEST_CALLER_KEY"   // the caller key the load generator sends
	envPace       = "BWFACADE_LOADTEST_PACE"         // the token's pace in calls per second; empty: unlimited
	envAhead      = "BWFACADE_LOADTEST_EXPORT_AHEAD" // pages an export fetches ahead; empty: the server's default
	envCacheTTL   = "BWFACADE_LOADTEST_CACHE_TTL"    // how long GetGoal answers are kept; empty: no cache
	envTelemetry  = "BWFACADE_LOADTEST_TELEMETRY"    // the facade's telemetry: telemetryMetrics (empty) or telemetryNone
	// Profiles of the hop process over its whole life, for finding where
	// its CPU and allocations go; set by whoever runs the harness (the
	// hop process inherits the environment). Empty: not written.
	envCPUProfile    = "BWFACADE_LOADTEST_HOP_CPUPROFILE"    // file of the CPU profile
	envAllocsProfile = "BWFACADE_LOADTEST_HOP_ALLOCSPROFILE" // file of the allocations profile, written at exit
)

// hopAnnouncement is what the hop process announces once it serves.
type hopAnnouncement struct {
	// FacadeURL, ProxyURL and ControlURL are the servers' base URLs.
	FacadeURL  string `json:"facade_url"`
	ProxyURL   string `json:"proxy_url"`
	ControlURL string `json:"control_url"`
	// GOMAXPROCS is the hop process's.
	GOMAXPROCS int `json:"gomaxprocs"`
}

// hopGCPercent is the garbage collector's target of the hop process
// unless GOGC sets one: cmd/server's (its GCPercent), so that the facade is
// measured as it runs.
const hopGCPercent = 400

// usagePath is the control server's one endpoint: GET answers the hop
// process's usage as JSON; with ?gc=1 it first collects garbage.
const usagePath = "/usage"

// serveHop runs the hop process, configured by getenv, until ctx ends or
// stdin reaches its end (the load generator exited or let go). It
// announces its servers on ready; the facade's access log goes to logs.
func serveHop(ctx context.Context, getenv func(string) string, stdin io.Reader, ready io.WriteCloser, logs io.Writer) error {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(hopGCPercent)
	}
	stopProfiles, err := startProfiles(getenv(envCPUProfile), getenv(envAllocsProfile))
	if err != nil {
		return fmt.Errorf("hop: %w", err)
	}
	defer stopProfiles()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		cancel()
	}()
	sandboxURL, err := url.Parse(getenv(envSandboxURL))
	if err != nil || sandboxURL.Host == "" {
		return fmt.Errorf("hop: %s=%q is not a URL", envSandboxURL, getenv(envSandboxURL))
	}
	var tuning facadeTuning
	if v := getenv(envPace); v != "" {
		if tuning.pace, err = strconv.ParseFloat(v, 64); err != nil || tuning.pace <= 0 {
			return fmt.Errorf("hop: %s=%q is not a positive number", envPace, v)
		}
	}
	if v := getenv(envCacheTTL); v != "" {
		if tuning.cacheTTL, err = time.ParseDuration(v); err != nil || tuning.cacheTTL <= 0 {
			return fmt.Errorf("hop: %s=%q is not a positive duration", envCacheTTL, v)
		}
	}
	if v := getenv(envAhead); v != "" {
		if tuning.ahead, err = strconv.Atoi(v); err != nil || tuning.ahead < 0 {
			return fmt.Errorf("hop: %s=%q is not a count", envAhead, v)
		}
	}
	var handler slog.Handler = slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})
	switch mode := getenv(envTelemetry); mode {
	case "", telemetryMetrics:
		// As cmd/server sets it up with BWFACADE_METRICS_ADDR and no
		// OTEL_* variable; the scrape handler is left unserved.
		providers, err := telemetry.Setup(ctx, telemetry.Config{Prometheus: true, Getenv: func(string) string { return "" }})
		if err != nil {
			return fmt.Errorf("hop: telemetry: %w", err)
		}
		defer func() { _ = providers.Shutdown(context.WithoutCancel(ctx)) }()
		tuning.telemetry = server.Telemetry{Telemetry: upstream.Telemetry{TracerProvider: providers.Tracer, MeterProvider: providers.Meter, Propagator: providers.Propagator}}
		handler = telemetry.LogHandler(handler)
	case telemetryNone:
	default:
		return fmt.Errorf("hop: %s=%q is not %s or %s", envTelemetry, mode, telemetryMetrics, telemetryNone)
	}
	logger := slog.New(handler)
	facade, err := newFacade(sandboxURL.JoinPath("api", "v1").String()+"/", upstream.NewToken(getenv(envToken)), getenv(envCallerKey), tuning, logger)
	if err != nil {
		return fmt.Errorf("hop: facade: %w", err)
	}
	self := startMeter(ctx)
	servers := []*http.Server{
		facade.HTTPServer,
		{Handler: newBareProxy(sandboxURL), ReadHeaderTimeout: server.ReadHeaderTimeout},
		{Handler: usageHandler(self), ReadHeaderTimeout: server.ReadHeaderTimeout},
	}
	var urls []string
	serveErr := make(chan error, len(servers))
	for _, srv := range servers {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("hop: %w", err)
		}
		defer srv.Close()
		go func() { serveErr <- srv.Serve(ln) }()
		urls = append(urls, "http://"+ln.Addr().String())
	}
	announcement := hopAnnouncement{FacadeURL: urls[0], ProxyURL: urls[1], ControlURL: urls[2], GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if err := json.NewEncoder(ready).Encode(announcement); err != nil {
		return fmt.Errorf("hop: announce: %w", err)
	}
	if err := ready.Close(); err != nil {
		return fmt.Errorf("hop: announce: %w", err)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("hop: %w", err)
	}
}

// usageHandler serves usagePath.
func usageHandler(self *meter) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+usagePath, func(w http.ResponseWriter, r *http.Request) {
		u, err := self.read(r.URL.Query().Get("gc") == "1")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(u)
	})
	return mux
}

// startProfiles starts the CPU profile into cpuFile, if named, and returns
// the function that stops it and writes the allocations profile into
// allocsFile, if named. Failures to write at the end go to standard error:
// the run's results stand without them.
func startProfiles(cpuFile, allocsFile string) (stop func(), err error) {
	var cpu *os.File
	if cpuFile != "" {
		if cpu, err = os.Create(cpuFile); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "hop: cpu profile:", err)
			}
		}
		if allocsFile == "" {
			return
		}
		f, err := os.Create(allocsFile)
		if err == nil {
			err = errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "hop: allocations profile:", err)
		}
	}, nil
}
