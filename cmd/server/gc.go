package main

import "runtime/debug"

// GCPercent is the garbage collector's target the facade runs with unless
// the GOGC environment variable sets one. The facade's live heap is small
// (about 10 MiB under load), so Go's default of 100 collects very often;
// at 400 the heap peaks at a few tens of MiB and the latency the facade
// adds at p99 drops by about half (cmd/loadtest, GetGoal over Connect:
// +1.44 ms at GOGC=100, +0.89 ms at 400, same machine and load).
const GCPercent = 400

// tuneGC applies GCPercent when getenv("GOGC") is empty: a process
// concern, so it lives with the command.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
