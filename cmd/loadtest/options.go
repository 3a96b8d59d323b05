package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bwfacade/facade/internal/sandbox"
)

// options configures a run. parseOptions documents each field's flag and
// default.
type options struct {
	serviceTimes []time.Duration
	workloads    []string
	rate         float64
	rateDuration time.Duration
	concurrency  int
	concDuration time.Duration
	rounds       int
	warmup       time.Duration
	pageSize     int
	timeout      time.Duration
	pin          bool
	// telemetry is the hop's telemetry: telemetryMetrics or telemetryNone.
	telemetry string
	jsonPath  string
	short     bool

	// scenarios are the scenarios to run, in scenarioNames' order.
	scenarios  []string
	export     exportOptions
	hotRead    hotReadOptions
	retryStorm retryStormOptions
}

// Scenarios of a run: the sweep of the workloads and variants, and the
// export of a scaled organisation's users.
const (
	scenarioSweep  = "sweep"
	scenarioExport = "export"
	// scenarioHotRead: many callers of one token reading a few goals.
	scenarioHotRead = "hotread"
	// scenarioRetryStorm: callers retrying every failed write, against
	// answers lost after the write was applied.
	scenarioRetryStorm = "retrystorm"
)

// scenarioNames lists the scenarios in the order they run.
var scenarioNames = []string{scenarioSweep, scenarioExport, scenarioHotRead, scenarioRetryStorm}

// hotReadOptions configures the hot-read scenario.
type hotReadOptions struct {
	callers, goals int
	phase, latency time.Duration
	cacheTTL       time.Duration
}

// retryStormOptions configures the retry-storm scenario.
type retryStormOptions struct {
	callers, attempts    int
	phase, baselinePhase time.Duration
	dropRate             float64
	latency              time.Duration
}

// minExportUsers is the smallest -export-users: above the demo
// organisation's users, so that the sandbox holds exactly as many.
const minExportUsers = 1000

// exportOptions configures the export scenario.
type exportOptions struct {
	users     int
	pace      float64
	pageSize  int
	ahead     int
	latencies []time.Duration
}

// shortDefaults replaces the defaults of the flags -short names: a run of
// a few seconds that exercises every workload, variant and service time.
// Flags given explicitly keep their values.
var shortDefaults = map[string]string{
	"rate":                 "100",
	"rate-duration":        "50ms",
	"concurrency":          "4",
	"concurrency-duration": "20ms",
	"rounds":               "1",
	"warmup":               "10ms",
	"export-users":         "2000",
	// Each phase gives hundreds of writes even under the race detector.
	"retrystorm-phase":          "1s",
	"retrystorm-baseline-phase": "1s",
}

// parseOptions reads the flags in args. Help and errors go to stderr.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serviceTimes := fs.String("service-times", "0s,5ms,50ms", "sandbox service times to sweep: a fault latency on every endpoint, comma-separated Go durations")
	workloads := fs.String("workloads", strings.Join(workloadNames, ","), "workloads to run, comma-separated")
	fs.Float64Var(&o.rate, "rate", 150, "open-loop arrival rate of the latency phases, in calls per second")
	fs.DurationVar(&o.rateDuration, "rate-duration", 400*time.Millisecond, "length of one latency phase (one variant, one round)")
	fs.IntVar(&o.concurrency, "concurrency", 16, "closed-loop workers of the throughput phases")
	fs.DurationVar(&o.concDuration, "concurrency-duration", 150*time.Millisecond, "length of one throughput phase (one variant, one round)")
	fs.IntVar(&o.rounds, "rounds", 2, "rounds of the interleaved variants per workload, mode and service time; their samples are pooled")
	fs.DurationVar(&o.warmup, "warmup", 50*time.Millisecond, "unmeasured closed-loop calls per workload and variant before the first phase")
	fs.IntVar(&o.pageSize, "page-size", 25, "page size of ListGoals and ListUsers (ListUsers at most 20, the API's maximum)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "deadline of each call; a phase waits at most this long for its last call")
	fs.BoolVar(&o.pin, "pin", true, "pin the hop process and the load generator to one CPU each with taskset, where the machine allows")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.telemetry, "telemetry", telemetryMetrics, "the facade's telemetry: metrics (as cmd/server with BWFACADE_METRICS_ADDR and no OTEL exporter: metrics recorded for a Prometheus scrape, spans with ids but unsampled, log lines with trace ids) or none (OpenTelemetry's no-op providers, plain log lines)")
	fs.BoolVar(&o.short, "short", false, "a run of a few seconds (smoke check): shorter phases, one round, lower rate and concurrency, a smaller export")
	scenarios := fs.String("scenarios", scenarioSweep, "scenarios to run, comma-separated: sweep (the workloads through every variant), export (ExportUsers of a scaled sandbox, about 25 s at the defaults), hotread (many callers of one token reading few goals: direct, facade, facade with its cache; about 20 s), retrystorm (callers retrying every failed goal creation while the sandbox loses a share of the answers: duplicates without and with request_id; about 2 min)")
	fs.IntVar(&o.export.users, "export-users", 100_000, "export: users of the scaled sandbox (sandbox.Scale.Users), at least 1000")
	fs.Float64Var(&o.export.pace, "export-pace", 500, "export: the Betterworks token's pace, in calls per second, bursts of 1")
	fs.IntVar(&o.export.pageSize, "export-page-size", maxUsersPage, "export: users per upstream page (the filter's page_size, at most 20)")
	fs.IntVar(&o.export.ahead, "export-ahead", 48, "export: pages an export fetches ahead (server.Config.ExportAhead; 0 is the server's default, 4; at most 48)")
	fs.IntVar(&o.hotRead.callers, "hotread-callers", 50, "hotread: concurrent callers of one Betterworks token")
	fs.IntVar(&o.hotRead.goals, "hotread-goals", 5, "hotread: distinct goals they read")
	fs.DurationVar(&o.hotRead.phase, "hotread-phase", 5*time.Second, "hotread: length of each phase (direct, facade, facade with its cache)")
	fs.DurationVar(&o.hotRead.latency, "hotread-latency", 5*time.Millisecond, "hotread: the sandbox's latency on every goal read")
	fs.DurationVar(&o.hotRead.cacheTTL, "hotread-cache-ttl", 5*time.Second, "hotread: the facade's cache TTL of GetGoal in the facade+cache phase")
	fs.IntVar(&o.retryStorm.callers, "retrystorm-callers", 16, "retrystorm: callers, each creating goals one after another")
	fs.IntVar(&o.retryStorm.attempts, "retrystorm-attempts", 10, "retrystorm: attempts of a write before it counts as failed")
	fs.DurationVar(&o.retryStorm.phase, "retrystorm-phase", 60*time.Second, "retrystorm: length of the phase with request_ids (writes start during it; the last ones run to their end)")
	fs.DurationVar(&o.retryStorm.baselinePhase, "retrystorm-baseline-phase", 60*time.Second, "retrystorm: length of the phase without request_ids")
	fs.Float64Var(&o.retryStorm.dropRate, "retrystorm-drop", 0.2, "retrystorm: share of POST /goals/ whose answer the sandbox drops after applying them, in (0, 1]")
	fs.DurationVar(&o.retryStorm.latency, "retrystorm-latency", 5*time.Millisecond, "retrystorm: the sandbox's latency on every request")
	exportLatencies := fs.String("export-latencies", "0s,50ms", "export: sandbox latencies to run the export at, comma-separated Go durations")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.short {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, value := range shortDefaults {
			if !set[name] {
				_ = fs.Set(name, value) // the values above parse
			}
		}
	}
	var err error
	if o.serviceTimes, err = parseDurations(*serviceTimes); err != nil {
		return o, fmt.Errorf("-service-times: %w", err)
	}
	if o.workloads, err = parseWorkloads(*workloads); err != nil {
		return o, fmt.Errorf("-workloads: %w", err)
	}
	if o.scenarios, err = parseScenarios(*scenarios); err != nil {
		return o, fmt.Errorf("-scenarios: %w", err)
	}
	if o.export.latencies, err = parseDurations(*exportLatencies); err != nil {
		return o, fmt.Errorf("-export-latencies: %w", err)
	}
	return o, o.validate()
}

// validate rejects options that cannot make a bounded, measured run.
func (o options) validate() error {
	var errs []error
	if o.telemetry != telemetryMetrics && o.telemetry != telemetryNone {
		errs = append(errs, fmt.Errorf("-telemetry must be %s or %s", telemetryMetrics, telemetryNone))
	}
	if o.rate <= 0 || o.rate > 100_000 {
		errs = append(errs, errors.New("-rate must be in (0, 100000]"))
	}
	if o.concurrency < 1 || o.concurrency > 1024 {
		errs = append(errs, errors.New("-concurrency must be in [1, 1024]"))
	}
	if o.rounds < 1 {
		errs = append(errs, errors.New("-rounds must be at least 1"))
	}
	if o.pageSize < 1 || o.pageSize > 100 {
		errs = append(errs, errors.New("-page-size must be in [1, 100]"))
	}
	if o.rateDuration <= 0 || o.concDuration <= 0 || o.timeout <= 0 || o.warmup < 0 {
		errs = append(errs, errors.New("durations must be positive"))
	}
	if o.calls() < 1 {
		errs = append(errs, errors.New("-rate times -rate-duration must make at least one call"))
	}
	if h := o.hotRead; h.callers < 1 || h.goals < 1 || h.goals > 100 || h.phase <= 0 || h.latency < 0 || h.cacheTTL <= 0 {
		errs = append(errs, errors.New("-hotread-callers must be positive, -hotread-goals in [1, 100], -hotread-phase and -hotread-cache-ttl positive, -hotread-latency at least 0"))
	}
	if r := o.retryStorm; r.callers < 1 || r.callers > 1024 || r.attempts < 1 || r.phase <= 0 || r.baselinePhase <= 0 || !(r.dropRate > 0 && r.dropRate <= 1) || r.latency < 0 {
		errs = append(errs, errors.New("-retrystorm-callers must be in [1, 1024], -retrystorm-attempts positive, -retrystorm-phase and -retrystorm-baseline-phase positive, -retrystorm-drop in (0, 1], -retrystorm-latency at least 0"))
	}
	if e := o.export; e.users < minExportUsers || e.users > sandbox.MaxScale || e.pace <= 0 || e.pageSize < 1 || e.pageSize > maxUsersPage || e.ahead < 0 {
		errs = append(errs, fmt.Errorf("-export-users must be in [%d, %d], -export-pace positive, -export-page-size in [1, %d], -export-ahead at least 0",
			minExportUsers, sandbox.MaxScale, maxUsersPage))
	}
	return errors.Join(errs...)
}

// calls is the number of calls of one latency phase.
func (o options) calls() int { return int(o.rate * o.rateDuration.Seconds()) }

// parseDurations reads a comma-separated list of distinct non-negative
// durations.
func parseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		if d < 0 || slices.Contains(out, d) {
			return nil, fmt.Errorf("%v: negative or repeated", d)
		}
		out = append(out, d)
	}
	return out, nil
}

// has reports whether the run includes scenario.
func (o options) has(scenario string) bool { return slices.Contains(o.scenarios, scenario) }

// runsHop reports whether the run starts a hop process: every scenario
// but the retry storm does.
func (o options) runsHop() bool {
	return slices.ContainsFunc(o.scenarios, func(s string) bool { return s != scenarioRetryStorm })
}

// parseScenarios reads a comma-separated list of distinct scenario names
// and returns them in the order they run.
func parseScenarios(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		name := strings.TrimSpace(f)
		if !slices.Contains(scenarioNames, name) || slices.Contains(out, name) {
			return nil, fmt.Errorf("%q: unknown or repeated (want some of %s)", name, strings.Join(scenarioNames, ", "))
		}
		out = append(out, name)
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(scenarioNames, a) - slices.Index(scenarioNames, b) })
	return out, nil
}

// parseWorkloads reads a comma-separated list of distinct workload names.
func parseWorkloads(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		name := strings.TrimSpace(f)
		if !slices.Contains(workloadNames, name) || slices.Contains(out, name) {
			return nil, fmt.Errorf("%q: unknown or repeated (want some of %s)", name, strings.Join(workloadNames, ", "))
		}
		out = append(out, name)
	}
	return out, nil
}
