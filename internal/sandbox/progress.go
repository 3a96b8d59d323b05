package sandbox

import (
	"math"
	"time"
)

// Progress. The reference shows the measurement object but not its
// arithmetic; the sandbox takes this reading:
//
//   - binary key result: progress 1 when done, else 0; current mirrors it.
//   - numeric and range key results, and manualprogress goals:
//     progress = (current - initial) / (target - initial), clamped to 0..1
//     (1 when current reaches a target equal to initial).
//   - avgofprogress goals: the mean progress of all children (key results
//     and aligned goals); a goal without children keeps its progress.
//   - sumofcurrent and sumofrange goals: current is the sum of the
//     children's current values, then progress as for numeric.
//   - expected is the share of the goal's period (start through end,
//     inclusive) elapsed at the time of the last change, 0..1.
//   - condition is green when done, at full progress, before any progress
//     is expected, or at 80% or more of the expected progress; yellow from
//     50%; red below.
//
// Progress and expected are rounded to four and two decimals. A check-in or
// any change to a goal recomputes it and then each ancestor in turn.

// ratio is the progress of current between initial and target.
func ratio(initial, target, current *float64) float64 {
	if target == nil || current == nil {
		return 0
	}
	var from float64
	if initial != nil {
		from = *initial
	}
	if *target == from {
		if *current >= *target {
			return 1
		}
		return 0
	}
	return clamp01((*current - from) / (*target - from))
}

// clamp01 limits f to 0..1.
func clamp01(f float64) float64 { return math.Max(0, math.Min(1, f)) }

// round rounds f to decimals places.
func round(f float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(f*p) / p
}

// expectedAt is the share of the period start..end (dates, inclusive)
// elapsed at at.
func expectedAt(start, end, at time.Time) float64 {
	span := end.Add(24 * time.Hour).Sub(start)
	if span <= 0 {
		return 1
	}
	return round(clamp01(float64(at.Sub(start))/float64(span)), 2)
}

// conditionOf is the traffic light of progress against expected.
func conditionOf(progress, expected float64, done bool) string {
	switch {
	case done || progress >= 1 || expected <= 0 || progress >= 0.8*expected:
		return "green"
	case progress >= 0.5*expected:
		return "yellow"
	}
	return "red"
}

// recompute derives g's progress, expected and condition at at, from its
// own values or from its children.
func (st *store) recompute(g *goal, at time.Time) {
	m := &g.m
	switch m.kind {
	case "binary":
		v := 0.0
		if m.done {
			v = 1
		}
		m.current, m.progress = &v, v
	case "numeric", "range", "manualprogress":
		m.progress = ratio(m.initial, m.target, m.current)
		m.done = m.progress >= 1
	case "avgofprogress":
		var sum float64
		var n int
		for _, id := range g.children {
			if c := st.goals.get(id); c != nil {
				sum += c.m.progress
				n++
			}
		}
		if n > 0 {
			m.progress = sum / float64(n)
		}
		m.done = m.progress >= 1
	case "sumofcurrent", "sumofrange":
		var sum float64
		var found bool
		for _, id := range g.children {
			if c := st.goals.get(id); c != nil && c.m.current != nil && c.m.kind != "binary" {
				sum += *c.m.current
				found = true
			}
		}
		if found {
			m.current = &sum
		}
		m.progress = ratio(m.initial, m.target, m.current)
		m.done = m.progress >= 1
	}
	m.progress = round(m.progress, 4)
	m.expected = expectedAt(g.start, g.end, at)
	m.condition = conditionOf(m.progress, m.expected, m.done)
}

// recomputeUp recomputes g, then each ancestor, stamping the ancestors'
// measurement as updated by who at at.
func (st *store) recomputeUp(g *goal, at time.Time, who int64) {
	st.recompute(g, at)
	seen := map[int64]bool{g.id: true}
	for p := st.goals.get(g.parentID); p != nil && !seen[p.id]; p = st.goals.get(p.parentID) {
		seen[p.id] = true
		st.recompute(p, at)
		p.m.updated, p.m.updatedBy = at, who
		p.modifiedOn = at
	}
}

// floatPtr returns a pointer to v.
func floatPtr(v float64) *float64 { return &v }
