package main

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	t.Parallel()
	// upTo returns the sorted samples 1 ms, 2 ms, ..., n ms.
	upTo := func(n int) []time.Duration {
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = time.Duration(i+1) * time.Millisecond
		}
		return s
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{name: "one_sample", sorted: upTo(1), p: 99, want: time.Millisecond},
		{name: "median_of_odd", sorted: upTo(5), p: 50, want: 3 * time.Millisecond},
		{name: "median_of_even", sorted: upTo(4), p: 50, want: 2 * time.Millisecond},
		{name: "p99_of_100", sorted: upTo(100), p: 99, want: 99 * time.Millisecond},
		{name: "p90_of_100", sorted: upTo(100), p: 90, want: 90 * time.Millisecond},
		{name: "p100_is_max", sorted: upTo(100), p: 100, want: 100 * time.Millisecond},
		{name: "p99_of_120_is_119th", sorted: upTo(120), p: 99, want: 119 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%d samples, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
			}
		})
	}
}

func TestParseCPUList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{in: "0", want: []int{0}},
		{in: "0-1", want: []int{0, 1}},
		{in: "4,0-2,8-9", want: []int{0, 1, 2, 4, 8, 9}},
		{in: "1-0", wantErr: true},
		{in: "a", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseCPUList(tt.in)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("parseCPUList(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestRatioOfRounds(t *testing.T) {
	t.Parallel()
	facade := Phase{Hop: ProcessCost{CPUMsPer1k: 300}, HopCPURounds: []float64{280, 330, 290}}
	bare := Phase{Hop: ProcessCost{CPUMsPer1k: 200}, HopCPURounds: []float64{200, 220, 0}}
	got := ratio(facade, bare)
	want := &Ratio{Pooled: 1.5, Min: 1.4, Max: 1.5}
	if got == nil || math.Abs(got.Pooled-want.Pooled) > 1e-9 || math.Abs(got.Min-want.Min) > 1e-9 || math.Abs(got.Max-want.Max) > 1e-9 {
		t.Errorf("ratio() = %+v, want %+v (a round of no cost in the bare proxy left out)", got, want)
	}
	if got := ratio(facade, Phase{}); got != nil {
		t.Errorf("ratio() over a phase of no cost = %+v, want nil", got)
	}
}
