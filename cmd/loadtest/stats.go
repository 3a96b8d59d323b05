package main

import (
	"math"
	"slices"
	"sync"
	"time"
)

// recorder collects the outcome of every call of a phase. It keeps every
// latency, so percentiles are exact: a phase makes at most some thousands
// of calls. It is safe for concurrent use.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration // of successful calls
	errors    int
	firstErr  string
}

// record adds one call's latency, or its error.
func (r *recorder) record(latency time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.errors == 0 {
			r.firstErr = err.Error()
		}
		r.errors++
		return
	}
	r.latencies = append(r.latencies, latency)
}

// merge adds what other recorded to r. Neither may be in use.
func (r *recorder) merge(other *recorder) {
	r.latencies = append(r.latencies, other.latencies...)
	if r.errors == 0 {
		r.firstErr = other.firstErr
	}
	r.errors += other.errors
}

// LatencySummary describes the latencies of successful calls, in
// milliseconds. Percentiles are nearest-rank: P99 is the smallest latency
// at or above which 1 % of the calls lie. All are 0 when no call succeeded.
type LatencySummary struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// summary returns the summary of r's latencies. It sorts them in place.
func (r *recorder) summary() LatencySummary {
	s := r.latencies
	if len(s) == 0 {
		return LatencySummary{}
	}
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return LatencySummary{
		Count: len(s),
		Mean:  millis(sum / time.Duration(len(s))),
		P50:   millis(percentile(s, 50)),
		P90:   millis(percentile(s, 90)),
		P99:   millis(percentile(s, 99)),
		Max:   millis(s[len(s)-1]),
	}
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, which must not be empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	// p*n is exact for the integers used here, so an integral rank stays one.
	rank := int(math.Ceil(p * float64(len(sorted)) / 100))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// millis converts d to fractional milliseconds.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
