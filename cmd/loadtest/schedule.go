package main

import (
	"context"
	"sync"
	"time"
)

// callFunc makes one call of a workload through one variant. ctx carries
// the call's deadline.
type callFunc func(ctx context.Context) error

// openLoop makes n calls at rate calls per second: the i-th is scheduled at
// i/rate after the start and sent then in its own goroutine, whatever the
// calls before it are doing. Each latency is measured from the call's
// scheduled instant, not from when it was sent, so a stall of the load
// generator shows in the latency of every call it delayed instead of
// hiding them (no coordinated omission). Each call has timeout from its
// scheduled instant. openLoop returns when every call has ended; it stops
// scheduling, and returns ctx's error, when ctx ends.
func openLoop(ctx context.Context, n int, rate float64, timeout time.Duration, call callFunc) (*recorder, error) {
	rec := &recorder{}
	interval := time.Duration(float64(time.Second) / rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	start := time.Now()
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		timer.Reset(time.Until(at))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
		}
		wg.Go(func() {
			callCtx, cancel := context.WithDeadline(ctx, at.Add(timeout))
			defer cancel()
			err := call(callCtx)
			rec.record(time.Since(at), err)
		})
	}
	return rec, ctx.Err()
}

// closedLoop runs workers goroutines that each call back to back, a call
// as soon as the previous one answered, until d has passed since the
// start. Latencies are measured from each call's send. It returns when the
// last call has ended, and ctx's error if ctx ended.
func closedLoop(ctx context.Context, workers int, d, timeout time.Duration, call callFunc) (*recorder, error) {
	rec := &recorder{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				sent := time.Now()
				if !sent.Before(end) {
					return
				}
				callCtx, cancel := context.WithTimeout(ctx, timeout)
				err := call(callCtx)
				cancel()
				rec.record(time.Since(sent), err)
			}
		})
	}
	wg.Wait()
	return rec, ctx.Err()
}
