package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// runHarness pins the processes where it can, runs the scenarios o
// names (the sweep, the export, the hot reads, the retry storm) and
// returns their report. Progress goes to progress.
func runHarness(ctx context.Context, o options, progress io.Writer) (*Report, error) {
	started := time.Now()
	env := newEnvironment(o)
	plan, pin, method := planPinning(o.pin)
	if !o.runsHop() {
		pin, method = false, "none (no hop process in this run)"
	}
	if pin {
		if err := pinSelf(plan.loadGen); err != nil {
			pin, method = false, fmt.Sprintf("none (%v)", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		variants []variant
		results  []Result
		exports  *ExportReport
		hotReads *HotReadReport
		storm    *RetryStormReport
		err      error
	)
	if o.has(scenarioSweep) {
		variants, results, err = runSweep(ctx, o, plan, pin, method, &env, progress)
		if err != nil {
			return nil, err
		}
	}
	if o.has(scenarioExport) {
		if exports, err = runExport(ctx, o, plan, pin, method, &env, progress); err != nil {
			return nil, err
		}
	}
	if o.has(scenarioHotRead) {
		if hotReads, err = runHotRead(ctx, o, plan, pin, method, &env, progress); err != nil {
			return nil, err
		}
	}
	if o.has(scenarioRetryStorm) {
		if storm, err = runRetryStorm(ctx, o, progress); err != nil {
			return nil, err
		}
	}
	if env.Pinning.Method == "" { // no hop process ran
		env.Pinning = Pinning{Method: method, LoadGenCPUs: "unknown", LoadGenGOMAXPROCS: runtime.GOMAXPROCS(0)}
		if cpus, err := allowedCPUs("self"); err == nil {
			env.Pinning.LoadGenCPUs = cpus
		}
	}
	env.Seconds = time.Since(started).Seconds()
	env.LoadAtEnd = loadAverage()
	rep := newReport(env, o, variants, results)
	rep.Export = exports
	rep.HotRead = hotReads
	rep.RetryStorm = storm
	return rep, nil
}

// runSweep starts the sandbox and the hop process and measures every
// workload through every variant at every service time. It records the
// pinning obtained in env.
func runSweep(ctx context.Context, o options, plan cpuPlan, pin bool, method string, env *Environment, progress io.Writer) ([]variant, []Result, error) {
	self := startMeter(ctx)
	sb, sandboxURL, stopSandbox, err := serveSandbox(sandbox.Scale{})
	if err != nil {
		return nil, nil, err
	}
	defer stopSandbox()
	token := sb.Token(sandbox.RoleSuperAdmin)
	key := auth.GenerateKey()
	hop, err := startHop(ctx, hopConfig{sandboxURL: sandboxURL, token: token, key: key, cpu: plan.hop, pin: pin, telemetry: o.telemetry})
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = hop.stop() }()
	env.Pinning = obtainedPinning(method, hop)

	variants, err := newVariants(sandboxURL, hop.ProxyURL, hop.FacadeURL, key)
	if err != nil {
		return nil, nil, err
	}
	r := &runner{
		opts:      o,
		token:     upstream.NewToken(token),
		variants:  variants,
		workloads: newWorkloads(o.workloads, sb.Fixtures(), o.pageSize),
		self:      self,
		hop:       hop,
		progress:  progress,
	}
	if err := r.warmUp(ctx); err != nil {
		return nil, nil, err
	}
	var results []Result
	for _, st := range o.serviceTimes {
		sb.SetFaults(sandbox.Fault{Latency: st})
		for _, w := range r.workloads {
			rs, err := r.sweepCell(ctx, st, w)
			if err != nil {
				return nil, nil, err
			}
			results = append(results, rs...)
		}
	}
	return variants, results, nil
}

// serveSandbox serves a sandbox (seed 1, no faults, scaled to scale) on a
// loopback port and returns it with its root URL, "http://127.0.0.1:port".
func serveSandbox(scale sandbox.Scale) (sb *sandbox.Sandbox, rootURL string, stop func(), err error) {
	sb = sandbox.New(sandbox.Config{Scale: scale})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, fmt.Errorf("sandbox: %w", err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: server.ReadHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	return sb, "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// obtainedPinning reads back where the processes may run.
func obtainedPinning(method string, hop *hopProcess) Pinning {
	p := Pinning{Method: method, LoadGenCPUs: "unknown", HopCPUs: "unknown", LoadGenGOMAXPROCS: runtime.GOMAXPROCS(0), HopGOMAXPROCS: hop.GOMAXPROCS}
	if cpus, err := allowedCPUs("self"); err == nil {
		p.LoadGenCPUs = cpus
	}
	if cpus, err := allowedCPUs(strconv.Itoa(hop.pid())); err == nil {
		p.HopCPUs = cpus
	}
	return p
}

// runner runs the phases of one harness run.
type runner struct {
	opts      options
	token     upstream.Token
	variants  []variant
	workloads []workload
	self      *meter
	hop       *hopProcess
	progress  io.Writer
}

// warmUp makes unmeasured calls of every workload through every variant,
// so that connections are open and code paths warm before the first
// phase. Any error stops the run: nothing after it would mean anything.
func (r *runner) warmUp(ctx context.Context) error {
	for _, w := range r.workloads {
		for _, v := range r.variants {
			rec, err := closedLoop(ctx, r.opts.concurrency, r.opts.warmup, r.opts.timeout, v.call(w, r.token))
			if err != nil {
				return err
			}
			if rec.errors > 0 {
				return fmt.Errorf("warm-up of %s through %s: %d errors, first: %s", w.name, v.name, rec.errors, rec.firstErr)
			}
		}
	}
	return nil
}

// mode is how a phase sends its calls.
type mode struct {
	// name is "open_loop" or "closed_loop", as in the report.
	name string
	// run makes the phase's calls.
	run func(ctx context.Context, call callFunc) (*recorder, error)
	// of returns the part of a result the mode measures.
	of func(*Result) *Phase
}

// modes returns the modes of every cell: a fixed arrival rate for
// latency, then a fixed concurrency for throughput.
func (r *runner) modes() []mode {
	o := r.opts
	return []mode{
		{
			name: "open_loop",
			run: func(ctx context.Context, call callFunc) (*recorder, error) {
				return openLoop(ctx, o.calls(), o.rate, o.timeout, call)
			},
			of: func(res *Result) *Phase { return &res.Latency },
		},
		{
			name: "closed_loop",
			run: func(ctx context.Context, call callFunc) (*recorder, error) {
				return closedLoop(ctx, o.concurrency, o.concDuration, o.timeout, call)
			},
			of: func(res *Result) *Phase { return &res.Throughput },
		},
	}
}

// sweepCell measures workload w at service time st in every mode: rounds
// of phases, each round through every variant in turn. The rounds'
// samples and costs are pooled per variant and mode.
func (r *runner) sweepCell(ctx context.Context, st time.Duration, w workload) ([]Result, error) {
	fmt.Fprintf(r.progress, "service time %v, %s\n", st, w.name)
	results := make([]Result, len(r.variants))
	for i, v := range r.variants {
		results[i] = Result{ServiceTimeMS: millis(st), Workload: w.name, Variant: v.name}
	}
	for _, m := range r.modes() {
		pooled := make([]measurement, len(r.variants))
		for range r.opts.rounds {
			for i, v := range r.variants {
				got, err := r.measure(ctx, m, v.call(w, r.token))
				if err != nil {
					return nil, fmt.Errorf("%s through %s at service time %v: %w", w.name, v.name, st, err)
				}
				pooled[i].add(got)
			}
		}
		for i := range results {
			*m.of(&results[i]) = pooled[i].summary(m.name)
		}
	}
	return results, nil
}

// measurement is what one or more phases of one variant measured.
type measurement struct {
	rec          *recorder
	elapsed      time.Duration
	loadGen, hop cost
	// hopRounds is the hop process's CPU per 1,000 calls of each phase
	// pooled, in milliseconds.
	hopRounds []float64
}

// add pools what another phase measured into ms.
func (ms *measurement) add(other measurement) {
	if ms.rec == nil {
		ms.rec = &recorder{}
	}
	ms.rec.merge(other.rec)
	ms.elapsed += other.elapsed
	ms.loadGen = ms.loadGen.add(other.loadGen)
	ms.hop = ms.hop.add(other.hop)
	ms.hopRounds = append(ms.hopRounds, perCall(other.hop, len(other.rec.latencies)+other.rec.errors).CPUMsPer1k)
}

// measure runs one phase of mode m with call, and measures the calls and
// what both processes spent. Both collect garbage first, so that a phase
// pays for its own garbage rather than its predecessor's.
func (r *runner) measure(ctx context.Context, m mode, call callFunc) (measurement, error) {
	hopBefore, err := r.hop.usage(ctx, true)
	if err != nil {
		return measurement{}, err
	}
	selfBefore, err := r.self.read(true)
	if err != nil {
		return measurement{}, err
	}
	start := time.Now()
	rec, err := m.run(ctx, call)
	elapsed := time.Since(start)
	if err != nil {
		return measurement{}, err
	}
	selfAfter, err := r.self.read(false)
	if err != nil {
		return measurement{}, err
	}
	hopAfter, err := r.hop.usage(ctx, false)
	if err != nil {
		return measurement{}, err
	}
	return measurement{rec: rec, elapsed: elapsed, loadGen: selfAfter.since(selfBefore), hop: hopAfter.since(hopBefore)}, nil
}
