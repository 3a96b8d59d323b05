package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run, written as JSON by -json.
type Report struct {
	Environment Environment   `json:"environment"`
	Options     OptionsReport `json:"options"`
	// Variants describes each variant, in the order they ran in every
	// round.
	Variants []VariantReport `json:"variants"`
	// Results holds one entry per service time, workload and variant.
	Results []Result `json:"results"`
	// Export is the export scenario's; nil when it did not run.
	Export *ExportReport `json:"export,omitempty"`
	// HotRead is the hot-read scenario's; nil when it did not run.
	HotRead *HotReadReport `json:"hot_read,omitempty"`
	// RetryStorm is the retry-storm scenario's; nil when it did not run.
	RetryStorm *RetryStormReport `json:"retry_storm,omitempty"`
}

// OptionsReport records the options of the run.
type OptionsReport struct {
	Scenarios       []string  `json:"scenarios"`
	ServiceTimesMS  []float64 `json:"service_times_ms"`
	Workloads       []string  `json:"workloads"`
	RatePerSecond   float64   `json:"rate_per_s"`
	RatePhaseMS     float64   `json:"rate_phase_ms"`
	Concurrency     int       `json:"concurrency"`
	ConcPhaseMS     float64   `json:"concurrency_phase_ms"`
	Rounds          int       `json:"rounds"`
	WarmupMS        float64   `json:"warmup_ms"`
	PageSize        int       `json:"page_size"`
	CallTimeoutMS   float64   `json:"call_timeout_ms"`
	Short           bool      `json:"short"`
	ServiceTimeHow  string    `json:"service_time_how"`
	LatencyMeasured string    `json:"latency_measured"`
}

// VariantReport names a variant and what it sends.
type VariantReport struct {
	Name string `json:"name"`
	Wire string `json:"wire"`
}

// Result is what one variant measured for one workload at one service
// time.
type Result struct {
	ServiceTimeMS float64 `json:"service_time_ms"`
	Workload      string  `json:"workload"`
	Variant       string  `json:"variant"`
	// Latency is the open-loop phase at the fixed rate; Throughput the
	// closed-loop phase at the fixed concurrency.
	Latency    Phase `json:"latency"`
	Throughput Phase `json:"throughput"`
	// Added compares Latency with the direct and bare variants' at the
	// same service time and workload; nil for the direct variant.
	Added *Added `json:"added,omitempty"`
}

// Phase is one mode's measurement of a variant, pooled over the rounds.
type Phase struct {
	// Mode is "open_loop" (fixed arrival rate) or "closed_loop" (fixed
	// concurrency).
	Mode string `json:"mode"`
	// Calls counts the calls made, Errors the failed ones; FirstError
	// is the first failure's message.
	Calls      int    `json:"calls"`
	Errors     int    `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
	// Seconds is the measured time, summed over rounds.
	Seconds float64 `json:"seconds"`
	// CallsPerSecond is successful calls per second of measured time.
	CallsPerSecond float64 `json:"calls_per_s"`
	// Latency summarizes successful calls: from the scheduled instant in
	// the open loop, from the send in the closed loop.
	Latency LatencySummary `json:"latency"`
	// LoadGen is what the load generator process (sandbox, clients)
	// spent; Hop what the hop process (facade, bare proxy) spent.
	LoadGen ProcessCost `json:"loadgen"`
	Hop     ProcessCost `json:"hop"`
	// HopCPURounds is Hop's CPU of each round alone, in milliseconds per
	// 1,000 calls: how much it varies from round to round.
	HopCPURounds []float64 `json:"hop_cpu_ms_per_1k_rounds"`
}

// ProcessCost is what a process spent during a phase, per call.
type ProcessCost struct {
	// CPUMsPer1k is user plus system CPU time, in milliseconds per 1,000
	// calls.
	CPUMsPer1k float64 `json:"cpu_ms_per_1k"`
	// AllocsPerCall and BytesPerCall are heap allocations per call
	// (runtime.MemStats Mallocs and TotalAlloc deltas).
	AllocsPerCall float64 `json:"allocs_per_call"`
	BytesPerCall  float64 `json:"bytes_per_call"`
	// PeakHeapInuseMiB is the largest HeapInuse sampled during the phase.
	PeakHeapInuseMiB float64 `json:"peak_heap_inuse_mib"`
}

// Added is the latency a variant adds, open loop: its percentile minus the
// same percentile of another variant (a difference of percentiles, not a
// percentile of differences), in milliseconds.
type Added struct {
	VsDirect Diff `json:"vs_direct"`
	// VsBare is nil for the bare variant itself.
	VsBare *Diff `json:"vs_bare,omitempty"`
	// HopCPUVsBare is the hop process's CPU per call, open loop, over the
	// bare proxy's; nil for the bare variant itself.
	HopCPUVsBare *Ratio `json:"hop_cpu_vs_bare,omitempty"`
	// BusyHopCPUVsBare is the same in the closed loop: calls back to
	// back, so the hop's caches are warm and its idle wakeups (the
	// runtime's, the kernel's) are spread over many calls. It is the cost
	// of a call where CPU bounds throughput; the open loop's is that of a
	// call at a modest rate, which wakes an idle process each time.
	BusyHopCPUVsBare *Ratio `json:"busy_hop_cpu_vs_bare,omitempty"`
}

// Ratio is a ratio of two variants' measurements: of the rounds pooled,
// and the least and greatest of the rounds one by one. The rounds run
// the variants one after the other, so each round's ratio compares
// phases seconds apart, and their spread shows how far the machine's
// noise moves the pooled one.
type Ratio struct {
	Pooled float64 `json:"pooled"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// ratio returns a over b, pooled and round by round; rounds missing
// from either, or of no cost in b, are left out.
func ratio(a, b Phase) *Ratio {
	if b.Hop.CPUMsPer1k <= 0 {
		return nil
	}
	r := &Ratio{Pooled: a.Hop.CPUMsPer1k / b.Hop.CPUMsPer1k}
	first := true
	for i := range min(len(a.HopCPURounds), len(b.HopCPURounds)) {
		if b.HopCPURounds[i] <= 0 {
			continue
		}
		x := a.HopCPURounds[i] / b.HopCPURounds[i]
		if first || x < r.Min {
			r.Min = x
		}
		if first || x > r.Max {
			r.Max = x
		}
		first = false
	}
	if first {
		r.Min, r.Max = r.Pooled, r.Pooled
	}
	return r
}

// Diff is a difference of percentiles, in milliseconds.
type Diff struct {
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
}

// summary returns the report of ms, pooled phases of mode.
func (ms *measurement) summary(mode string) Phase {
	ok, failed := len(ms.rec.latencies), ms.rec.errors
	calls := ok + failed
	p := Phase{
		Mode:         mode,
		Calls:        calls,
		Errors:       failed,
		FirstError:   ms.rec.firstErr,
		Seconds:      ms.elapsed.Seconds(),
		Latency:      ms.rec.summary(),
		LoadGen:      perCall(ms.loadGen, calls),
		Hop:          perCall(ms.hop, calls),
		HopCPURounds: ms.hopRounds,
	}
	if ms.elapsed > 0 {
		p.CallsPerSecond = float64(ok) / ms.elapsed.Seconds()
	}
	return p
}

// perCall divides c by calls.
func perCall(c cost, calls int) ProcessCost {
	pc := ProcessCost{PeakHeapInuseMiB: float64(c.PeakHeapInuse) / (1 << 20)}
	if calls > 0 {
		n := float64(calls)
		pc.CPUMsPer1k = millis(c.CPU) * 1000 / n
		pc.AllocsPerCall = float64(c.Mallocs) / n
		pc.BytesPerCall = float64(c.TotalAlloc) / n
	}
	return pc
}

// newReport assembles the report and computes the added latencies.
func newReport(env Environment, o options, variants []variant, results []Result) *Report {
	r := &Report{
		Environment: env,
		Options: OptionsReport{
			Scenarios:       o.scenarios,
			Workloads:       o.workloads,
			RatePerSecond:   o.rate,
			RatePhaseMS:     millis(o.rateDuration),
			Concurrency:     o.concurrency,
			ConcPhaseMS:     millis(o.concDuration),
			Rounds:          o.rounds,
			WarmupMS:        millis(o.warmup),
			PageSize:        o.pageSize,
			CallTimeoutMS:   millis(o.timeout),
			Short:           o.short,
			ServiceTimeHow:  "sandbox fault latency on every endpoint (sandbox.Fault{Latency}, Endpoint \"\")",
			LatencyMeasured: "open loop: from each call's scheduled instant; closed loop: from its send",
		},
		Results: results,
	}
	for _, st := range o.serviceTimes {
		r.Options.ServiceTimesMS = append(r.Options.ServiceTimesMS, millis(st))
	}
	for _, v := range variants {
		r.Variants = append(r.Variants, VariantReport{Name: v.name, Wire: v.wire})
	}
	type key struct {
		st       float64
		workload string
	}
	direct, bare := map[key]LatencySummary{}, map[key]Result{}
	for _, res := range results {
		switch res.Variant {
		case variantDirect:
			direct[key{res.ServiceTimeMS, res.Workload}] = res.Latency.Latency
		case variantBare:
			bare[key{res.ServiceTimeMS, res.Workload}] = res
		}
	}
	for i, res := range results {
		k := key{res.ServiceTimeMS, res.Workload}
		switch res.Variant {
		case variantDirect:
		case variantBare:
			results[i].Added = &Added{VsDirect: diff(res.Latency.Latency, direct[k])}
		default:
			b := bare[k]
			vsBare := diff(res.Latency.Latency, b.Latency.Latency)
			results[i].Added = &Added{
				VsDirect:         diff(res.Latency.Latency, direct[k]),
				VsBare:           &vsBare,
				HopCPUVsBare:     ratio(res.Latency, b.Latency),
				BusyHopCPUVsBare: ratio(res.Throughput, b.Throughput),
			}
		}
	}
	return r
}

// diff returns a's percentiles minus b's.
func diff(a, b LatencySummary) Diff {
	return Diff{P50: a.P50 - b.P50, P99: a.P99 - b.P99}
}

// writeJSON writes r to path.
func writeJSON(path string, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeTable writes r as tables, the sweep's (one row per service time,
// workload and variant) and the export's, under lines that say what was
// measured on what.
func writeTable(w io.Writer, r *Report) error {
	e := r.Environment
	p := e.Pinning
	fmt.Fprintf(w, "loadtest: %s, commit %s, %s/%s, %d CPUs, %.0f s; load average %s at start, %s at end\n",
		e.GoVersion, e.Commit, e.OS, e.Arch, e.CPUs, e.Seconds, e.LoadAtStart, e.LoadAtEnd)
	if p.HopGOMAXPROCS == 0 {
		fmt.Fprintf(w, "pinning: %s; this process (sandbox, clients, facades) on CPUs %s, GOMAXPROCS %d\n",
			p.Method, p.LoadGenCPUs, p.LoadGenGOMAXPROCS)
	} else {
		fmt.Fprintf(w, "pinning: %s; load generator (sandbox, clients) on CPUs %s, GOMAXPROCS %d; hop process (facade, bare proxy) on CPUs %s, GOMAXPROCS %d\n",
			p.Method, p.LoadGenCPUs, p.LoadGenGOMAXPROCS, p.HopCPUs, p.HopGOMAXPROCS)
		fmt.Fprintf(w, "facade: %s\n", e.Facade)
	}
	if len(r.Results) > 0 {
		if err := writeSweep(w, r); err != nil {
			return err
		}
	}
	if r.Export != nil {
		if err := writeExport(w, r.Export); err != nil {
			return err
		}
	}
	if r.HotRead != nil {
		if err := writeHotRead(w, r.HotRead); err != nil {
			return err
		}
	}
	if r.RetryStorm != nil {
		return writeRetryStorm(w, r.RetryStorm)
	}
	return nil
}

// writeRetryStorm writes the retry-storm scenario's results, one row per
// phase.
func writeRetryStorm(w io.Writer, x *RetryStormReport) error {
	fmt.Fprintf(w, "\nretry storm: %d callers creating goals one after another, each sent again on every error after %g-%g ms, at most %d attempts of %g s;\n"+
		"the sandbox applies every POST /goals/ and drops %g%% of the answers, %g ms latency on every request\n",
		x.Callers, x.BackoffMinMS, x.BackoffMaxMS, x.MaxAttempts, x.CallTimeoutMS/1000, x.DropRate*100, x.LatencyMS)
	fmt.Fprintf(w, "request_ids: %s\nfacades: %s\n\n", x.Store, x.Facade)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\treplicas\ts\twrites\tfailed\tattempts\tlost answer\toutcome unknown\tother errors\treplayed\tPOST /goals/\tdropped\tlookups\tgoals\tduplicates\tnames >1\t")
	for _, r := range x.Results {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n",
			r.Phase, r.Replicas, r.Seconds, r.Succeeded, r.Failed, r.Attempts, r.LostAnswers, r.OutcomeUnknown, r.OtherErrors, r.Replayed,
			r.Posts, r.Dropped, r.Lookups, r.Goals, r.Duplicates, r.NamesRepeated)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, "\n"+
		"writes: logical writes that succeeded; failed: ran out of attempts. lost answer: attempts failed UNAVAILABLE (UPSTREAM_UNAVAILABLE),\n"+
		"outcome unknown: ABORTED (OUTCOME_UNKNOWN); replayed: successful attempts answered from an earlier one. POST /goals/, dropped, lookups:\n"+
		"what the sandbox served, the answers it dropped after applying the write, its goal reads (GET /goals/filter/ and /goals/{id}/).\n"+
		"goals: the sandbox's goals under the phase's names; duplicates: goals - writes; names >1: names of more than one goal.\n")
	return err
}

// writeHotRead writes the hot-read scenario's results, one row per
// variant.
func writeHotRead(w io.Writer, h *HotReadReport) error {
	fmt.Fprintf(w, "\nhot reads: %d callers of one token reading %d goals for %.0f s per phase, sandbox latency %g ms, cache TTL %g s\n\n",
		h.Callers, h.Goals, h.Seconds, h.LatencyMS, h.CacheTTL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "variant\tcalls\terrors\tupstream\tper 1,000 calls\tp50 ms\tp99 ms\t")
	for _, r := range h.Results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.2f\t%.2f\t\n", r.Variant, r.Calls, r.Errors, r.Upstream, r.PerThousand, r.P50, r.P99)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, "\nupstream: the sandbox's goal reads during the phase; per 1,000 calls: upstream / calls x 1,000 (direct: 1,000).\n"+
		"facade coalesces identical concurrent reads of one token; facade+cache also keeps GetGoal answers for the TTL.\n")
	return err
}

// minP99Calls is the fewest calls whose p99 is not close to their
// maximum.
const minP99Calls = 2000

// writeSweep writes the sweep's results, one row per service time,
// workload and variant.
func writeSweep(w io.Writer, r *Report) error {
	o := r.Options
	fmt.Fprintf(w, "latency: open loop, %g calls/s, %v x %d rounds; calls/s: closed loop, %d workers, %v x %d rounds; pages of %d goals, %d users\n\n",
		o.RatePerSecond, msDuration(o.RatePhaseMS), o.Rounds, o.Concurrency, msDuration(o.ConcPhaseMS), o.Rounds, o.PageSize, min(o.PageSize, maxUsersPage))
	perP99 := int(o.RatePerSecond*o.RatePhaseMS/1000) * o.Rounds
	if perP99 < minP99Calls {
		fmt.Fprintf(w, "each p99 is of %d calls, close to their maximum: -rate-duration and -rounds long enough for %d calls make it a percentile\n\n", perP99, minP99Calls)
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "svc\tworkload\tvariant\tp50\tp99\t+p50 dir\t+p99 dir\t+p50 bare\t+p99 bare\tcalls/s\tcpu lg\tcpu hop\thop/bare\trounds\tbusy hop\tbusy/bare\trounds\tallocs hop\tKiB hop\theap hop\terrors\t")
	fmt.Fprintln(tw, "ms\t\t\tms\tms\tms\tms\tms\tms\tclosed\tms/1k\tms/1k\tcpu\tmin-max\tms/1k\tcpu\tmin-max\t/call\t/call\tMiB\t\t")
	for _, res := range r.Results {
		l := res.Latency
		vsDirect, vsBare := [2]string{"-", "-"}, [2]string{"-", "-"}
		cpuVsBare, busyVsBare := [2]string{"-", "-"}, [2]string{"-", "-"}
		if a := res.Added; a != nil {
			vsDirect = [2]string{signed(a.VsDirect.P50), signed(a.VsDirect.P99)}
			if a.VsBare != nil {
				vsBare = [2]string{signed(a.VsBare.P50), signed(a.VsBare.P99)}
			}
			cpuVsBare, busyVsBare = ratioColumns(a.HopCPUVsBare), ratioColumns(a.BusyHopCPUVsBare)
		}
		fmt.Fprintf(tw, "%g\t%s\t%s\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%.0f\t%.1f\t%.1f\t%d\t\n",
			res.ServiceTimeMS, res.Workload, res.Variant, l.Latency.P50, l.Latency.P99,
			vsDirect[0], vsDirect[1], vsBare[0], vsBare[1],
			res.Throughput.CallsPerSecond, l.LoadGen.CPUMsPer1k, l.Hop.CPUMsPer1k,
			cpuVsBare[0], cpuVsBare[1],
			res.Throughput.Hop.CPUMsPer1k, busyVsBare[0], busyVsBare[1],
			l.Hop.AllocsPerCall, l.Hop.BytesPerCall/1024, l.Hop.PeakHeapInuseMiB,
			l.Errors+res.Throughput.Errors)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, "\n"+
		"p50, p99: open-loop latency from each call's scheduled instant. +p50, +p99: the variant's percentile minus direct's (dir) or bare's.\n"+
		"calls/s: closed-loop throughput. cpu: CPU time per 1,000 open-loop calls of the load generator (lg: sandbox and clients) and of the\n"+
		"hop process (facade or bare proxy; for direct, its idle floor). hop/bare: the hop's CPU per call over the bare proxy's, pooled, and the least\n"+
		"and greatest of the rounds' own ratios (each round runs the variants seconds apart). busy hop, busy/bare: the same in the closed loop,\n"+
		"where calls come back to back and the hop's caches stay warm: what a call costs where CPU bounds throughput. allocs, KiB: the hop\n"+
		"process's heap allocations per open-loop call; heap: its peak HeapInuse.\n")
	return err
}

// ratioColumns formats r as the table's ratio and range columns; "-"
// for none.
func ratioColumns(r *Ratio) [2]string {
	if r == nil {
		return [2]string{"-", "-"}
	}
	return [2]string{fmt.Sprintf("%.2fx", r.Pooled), fmt.Sprintf("%.2f-%.2f", r.Min, r.Max)}
}

// writeExport writes the export scenario's results, one row per latency.
func writeExport(w io.Writer, x *ExportReport) error {
	ahead := fmt.Sprint(x.Ahead)
	if x.Ahead == 0 {
		ahead = "the default"
	}
	fmt.Fprintf(w, "\nexport: ExportUsers over Connect (protobuf) of %d users (sandbox seeded in %.1f s), pages of %d, token paced at %g/s, %s pages ahead\n",
		x.SandboxUsers, x.Seeding, x.PageSize, x.PacePerS, ahead)
	fmt.Fprintf(w, "facade: %s\n\n", x.Facade)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "latency\tusers\tpages\twall\tbound\twall/bound\tidle heap\tpeak heap\tgrowth\tidle live\tpeak live\tcpu hop\t")
	fmt.Fprintln(tw, "ms\t\t\ts\ts\t\tMiB\tMiB\tMiB\tMiB\tMiB\ts\t")
	for _, res := range x.Results {
		fmt.Fprintf(tw, "%g\t%d\t%d\t%.2f\t%.2f\t%.3f\t%.1f\t%.1f\t%+.1f\t%.1f\t%.1f\t%.2f\t\n",
			res.LatencyMS, res.Users, res.Pages, res.Seconds, res.BoundSeconds, res.Ratio,
			res.IdleHeapMiB, res.PeakHeapMiB, res.GrowthMiB, res.IdleLiveMiB, res.PeakLiveMiB, res.HopCPUSeconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, "\n"+
		"wall: from the call to the stream's end. bound: pages / pace, the least the token's pace allows. heap: the hop process's HeapInuse,\n"+
		"idle after collecting garbage before the export, peak sampled every 10 ms during it (it grows with GOGC: 400 in the hop unless set).\n"+
		"live: the heap the latest collection marked live, idle and at most during the export: what the export retains.\n")
	return err
}

// signed formats a difference of milliseconds with its sign.
func signed(ms float64) string { return fmt.Sprintf("%+.2f", ms) }

// msDuration turns fractional milliseconds back into a duration, for
// display.
func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
