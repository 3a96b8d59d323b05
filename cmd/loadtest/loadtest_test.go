package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary serve as the hop process: the harness runs
// os.Executable, which under go test is this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == hopCommand {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestShortRunIsSane runs a tiny harness end to end, hop process included,
// and checks that it ran and that its numbers are sane. It asserts nothing
// about speed.
func TestShortRunIsSane(t *testing.T) {
	t.Parallel()
	// Tiny, so that it stays light under -race; no pinning, so that the
	// test process keeps its CPUs.
	rep, stdout := runReport(t, "-short", "-pin=false", "-service-times=0s,2ms", "-rate=50", "-rate-duration=60ms", "-concurrency=2")
	if want := 2 * len(workloadNames) * len(rep.Variants); len(rep.Results) != want || len(rep.Variants) != 5 {
		t.Fatalf("report has %d results of %d variants, want %d of 5", len(rep.Results), len(rep.Variants), want)
	}
	for _, res := range rep.Results {
		name := res.Workload + "/" + res.Variant
		for _, p := range []Phase{res.Latency, res.Throughput} {
			l := p.Latency
			if p.Calls == 0 || p.Errors != 0 {
				t.Errorf("%s %s: %d calls, %d errors (first: %q); want calls and no error", name, p.Mode, p.Calls, p.Errors, p.FirstError)
			}
			if l.Count != p.Calls || !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
				t.Errorf("%s %s: latencies %+v of %d calls; want every call, 0 < p50 <= p90 <= p99 <= max", name, p.Mode, l, p.Calls)
			}
			if p.CallsPerSecond <= 0 || p.LoadGen.CPUMsPer1k <= 0 || p.LoadGen.AllocsPerCall <= 0 || p.Hop.PeakHeapInuseMiB <= 0 {
				t.Errorf("%s %s: %.0f calls/s, load generator %+v, hop %+v; want positive throughput, CPU, allocations and heap", name, p.Mode, p.CallsPerSecond, p.LoadGen, p.Hop)
			}
		}
		if (res.Added == nil) != (res.Variant == variantDirect) {
			t.Errorf("%s: added latency %+v; want one for every variant but direct", name, res.Added)
		}
		if a := res.Added; a != nil && res.Variant != variantBare {
			for mode, r := range map[string]*Ratio{"open": a.HopCPUVsBare, "closed": a.BusyHopCPUVsBare} {
				if r == nil || !(r.Pooled > 0 && 0 < r.Min && r.Min <= r.Max) {
					t.Errorf("%s: %s-loop hop CPU over the bare proxy's = %+v; want a positive ratio and range", name, mode, r)
				}
			}
		}
	}
	if rep.Environment.GoVersion == "" || rep.Environment.Commit == "" || rep.Environment.Pinning.HopGOMAXPROCS < 1 {
		t.Errorf("environment %+v; want Go version, commit and the hop process's GOMAXPROCS", rep.Environment)
	}
	if table := stdout.String(); !strings.Contains(table, "connect-proto") || !strings.Contains(table, "+p99 bare") || !strings.Contains(table, "busy/bare") {
		t.Errorf("table lacks the facade's rows or the added-latency columns:\n%s", table)
	}
}

// TestShortExportIsSane runs the export scenario on a small scaled sandbox
// at both latencies and checks that every user arrived, that the token's
// pace held (no export beats pages / pace), and that the heap was read. It
// asserts nothing about speed beyond the pace.
func TestShortExportIsSane(t *testing.T) {
	t.Parallel()
	rep, stdout := runReport(t, "-short", "-pin=false", "-scenarios=export", "-export-users=1000", "-export-pace=1000", "-export-latencies=0s,20ms")
	if rep.Export == nil || len(rep.Export.Results) != 2 || len(rep.Results) != 0 {
		t.Fatalf("report has export %+v and %d sweep results; want two exports and no sweep", rep.Export, len(rep.Results))
	}
	for _, res := range rep.Export.Results {
		if res.Users != 1000 || res.Pages != 50 {
			t.Errorf("export at %g ms: %d users in %d pages, want 1000 in 50", res.LatencyMS, res.Users, res.Pages)
		}
		// The pace allows one page at once, then one per 1/pace.
		if floor := float64(res.Pages-1) / 1000; res.Seconds < floor {
			t.Errorf("export at %g ms took %.3f s, less than the pace allows (%.3f s)", res.LatencyMS, res.Seconds, floor)
		}
		if res.IdleHeapMiB <= 0 || res.PeakHeapMiB < res.IdleHeapMiB || res.PeakLiveMiB <= 0 {
			t.Errorf("export at %g ms: heap %+v; want an idle heap, a peak above it and a live heap", res.LatencyMS, res)
		}
	}
	if table := stdout.String(); !strings.Contains(table, "wall/bound") || strings.Contains(table, "connect-proto") {
		t.Errorf("table lacks the export's rows, or has the sweep's:\n%s", table)
	}
}

// TestShortHotReadIsSane runs the hot-read scenario briefly and checks
// what must hold whatever the machine's speed: direct calls cost one
// upstream request each, the facade's never more, and the cached phase
// far fewer than its calls.
func TestShortHotReadIsSane(t *testing.T) {
	t.Parallel()
	rep, stdout := runReport(t, "-pin=false", "-scenarios=hotread", "-hotread-callers=8", "-hotread-phase=500ms")
	if rep.HotRead == nil || len(rep.HotRead.Results) != 3 {
		t.Fatalf("report has hot reads %+v; want three phases", rep.HotRead)
	}
	for _, res := range rep.HotRead.Results {
		if res.Calls == 0 || res.Errors != 0 {
			t.Errorf("%s: %d calls, %d errors; want calls and no error", res.Variant, res.Calls, res.Errors)
		}
	}
	direct, facade, cached := rep.HotRead.Results[0], rep.HotRead.Results[1], rep.HotRead.Results[2]
	if direct.Upstream != direct.Calls || facade.Upstream > facade.Calls || cached.Upstream*10 > cached.Calls {
		t.Errorf("upstream requests for calls: direct %d for %d, facade %d for %d, cached %d for %d; want one each, at most one each, and far fewer",
			direct.Upstream, direct.Calls, facade.Upstream, facade.Calls, cached.Upstream, cached.Calls)
	}
	if table := stdout.String(); !strings.Contains(table, "facade+cache") {
		t.Errorf("table lacks the hot reads' rows:\n%s", table)
	}
}

// TestShortRetryStormIsSane runs the retry-storm scenario briefly and
// checks what must hold whatever the machine's speed: both phases wrote
// and lost answers, the counts add up, and with request_ids no goal was
// created twice. It runs with two replicas and Redis where redis-server
// is on PATH, else with one replica.
func TestShortRetryStormIsSane(t *testing.T) {
	t.Parallel()
	rep, stdout := runReport(t, "-short", "-pin=false", "-scenarios=retrystorm", "-retrystorm-callers=8")
	if rep.RetryStorm == nil || len(rep.RetryStorm.Results) != 2 || len(rep.Results) != 0 {
		t.Fatalf("report has retry storm %+v and %d sweep results; want two phases and no sweep", rep.RetryStorm, len(rep.Results))
	}
	for _, res := range rep.RetryStorm.Results {
		errs := 0
		for _, n := range res.Errors {
			errs += n
		}
		if res.Writes == 0 || res.Succeeded+res.Failed != res.Writes || res.Succeeded+errs != res.Attempts || errs != res.LostAnswers+res.OutcomeUnknown+res.OtherErrors {
			t.Errorf("%s: %d writes, %d succeeded, %d failed, %d attempts, errors %v; want writes, each succeeded or failed, each attempt succeeded or failed",
				res.Phase, res.Writes, res.Succeeded, res.Failed, res.Attempts, res.Errors)
		}
		if res.Dropped == 0 || res.Posts < res.Dropped || res.Duplicates < 0 || res.Duplicates != res.Goals-res.Succeeded {
			t.Errorf("%s: %d POST /goals/, %d dropped, %d goals for %d writes, %d duplicates; want dropped answers, and goals - writes duplicates, at least 0",
				res.Phase, res.Posts, res.Dropped, res.Goals, res.Succeeded, res.Duplicates)
		}
	}
	withIDs := rep.RetryStorm.Results[1]
	if withIDs.Phase != "request_id" || withIDs.Duplicates != 0 || withIDs.NamesRepeated != 0 || withIDs.Replayed == 0 {
		t.Errorf("phase %q: %d duplicates, %d names repeated, %d replayed; want request_id, none, none and some (errors %v)",
			withIDs.Phase, withIDs.Duplicates, withIDs.NamesRepeated, withIDs.Replayed, withIDs.Errors)
	}
	if table := stdout.String(); !strings.Contains(table, "duplicates") || !strings.Contains(table, "no request_id") {
		t.Errorf("table lacks the retry storm's rows:\n%s", table)
	}
}

// runReport runs the harness with args and -json, and returns the report
// it wrote and what it printed.
func runReport(t *testing.T, args ...string) (Report, *bytes.Buffer) {
	t.Helper()
	jsonPath := filepath.Join(t.TempDir(), "loadtest.json")
	args = append(args, "-json", jsonPath)
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run(%q) error = %v; stderr:\n%s", args, err, stderr.String())
	}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("-json wrote malformed JSON: %v", err)
	}
	return rep, &stdout
}
