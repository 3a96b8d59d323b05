package main

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"time"
)

// usage is what a process has spent since it started, read at one instant.
// The load generator reads its own; the hop process serves its own to the
// load generator.
type usage struct {
	// CPU is user plus system time (getrusage, RUSAGE_SELF), in
	// nanoseconds.
	CPU time.Duration `json:"cpu_ns"`
	// Mallocs and TotalAlloc are runtime.MemStats' cumulative heap
	// allocations (objects and bytes).
	Mallocs    uint64 `json:"mallocs"`
	TotalAlloc uint64 `json:"total_alloc"`
	// PeakHeapInuse is the largest HeapInuse (bytes in in-use spans)
	// sampled since the previous reading.
	PeakHeapInuse uint64 `json:"peak_heap_inuse"`
	// PeakHeapLive is the largest live heap (runtime/metrics
	// /gc/heap/live:bytes, the heap marked live by the latest collection)
	// sampled since the previous reading: what the process retains,
	// whatever the collector's pacing lets HeapInuse grow to.
	PeakHeapLive uint64 `json:"peak_heap_live"`
}

// heapSampleInterval is how often a meter samples the heap. It reads
// runtime/metrics, which does not stop the world.
const heapSampleInterval = 10 * time.Millisecond

// meter reads this process's usage: CPU time and allocations when asked,
// the peak of HeapInuse by sampling the heap in the background. Create it
// with startMeter.
type meter struct {
	peak, peakLive atomic.Uint64
}

// startMeter starts a meter, which samples the heap every
// heapSampleInterval until ctx ends.
func startMeter(ctx context.Context) *meter {
	m := &meter{}
	samples := make([]metrics.Sample, len(heapInuseMetrics))
	for i, name := range heapInuseMetrics {
		samples[i].Name = name
	}
	live := []metrics.Sample{{Name: heapLiveMetric}}
	go func() {
		t := time.NewTicker(heapSampleInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				raise(&m.peak, heapInuse(samples))
				metrics.Read(live)
				raise(&m.peakLive, live[0].Value.Uint64())
			}
		}
	}()
	return m
}

// heapLiveMetric is the heap the latest collection marked live.
const heapLiveMetric = "/gc/heap/live:bytes"

// heapInuseMetrics sum to MemStats.HeapInuse.
var heapInuseMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// heapInuse reads the heap in use into samples, which hold
// heapInuseMetrics, and returns it.
func heapInuse(samples []metrics.Sample) uint64 {
	metrics.Read(samples)
	var inuse uint64
	for _, sample := range samples {
		inuse += sample.Value.Uint64()
	}
	return inuse
}

// raise raises peak to v.
func raise(peak *atomic.Uint64, v uint64) {
	for {
		p := peak.Load()
		if v <= p || peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// read returns the process's usage now and restarts the peak's window.
// With gc, it first runs a garbage collection, so that what the next
// window allocates is not charged with garbage from before it.
func (m *meter) read(gc bool) (usage, error) {
	if gc {
		runtime.GC()
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}, err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := []metrics.Sample{{Name: heapLiveMetric}}
	metrics.Read(live)
	liveNow := live[0].Value.Uint64()
	return usage{
		CPU:           time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		Mallocs:       ms.Mallocs,
		TotalAlloc:    ms.TotalAlloc,
		PeakHeapInuse: max(m.peak.Swap(ms.HeapInuse), ms.HeapInuse),
		PeakHeapLive:  max(m.peakLive.Swap(liveNow), liveNow),
	}, nil
}

// cost is what a process spent during one phase: the difference of two
// usages.
type cost struct {
	CPU           time.Duration
	Mallocs       uint64
	TotalAlloc    uint64
	PeakHeapInuse uint64
}

// since returns what was spent from before to u; the peak is u's.
func (u usage) since(before usage) cost {
	return cost{
		CPU:           u.CPU - before.CPU,
		Mallocs:       u.Mallocs - before.Mallocs,
		TotalAlloc:    u.TotalAlloc - before.TotalAlloc,
		PeakHeapInuse: u.PeakHeapInuse,
	}
}

// add returns the sum of two phases' costs; the peak is the larger.
func (c cost) add(o cost) cost {
	return cost{
		CPU:           c.CPU + o.CPU,
		Mallocs:       c.Mallocs + o.Mallocs,
		TotalAlloc:    c.TotalAlloc + o.TotalAlloc,
		PeakHeapInuse: max(c.PeakHeapInuse, o.PeakHeapInuse),
	}
}
