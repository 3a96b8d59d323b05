package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
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
	jsonPath     string
	short        bool
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
	fs.BoolVar(&o.short, "short", false, "a run of a few seconds (smoke check): shorter phases, one round, lower rate and concurrency")
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
	return o, o.validate()
}

// validate rejects options that cannot make a bounded, measured run.
func (o options) validate() error {
	var errs []error
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
