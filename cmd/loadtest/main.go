// Command loadtest measures what the facade adds to a Betterworks call, in
// one bounded run on loopback. It starts the sandbox and calls it three
// ways, interleaved phase by phase (A, B, C, A, B, C, ...):
//
//   - direct: the upstream client (internal/upstream, pacing off: the
//     facade's own REST client and JSON decoder) calling the sandbox;
//   - bare: the same client through a bare httputil.ReverseProxy hop;
//   - facade: the generated clients calling the facade over Connect with
//     protobuf, Connect with JSON and gRPC.
//
// Each workload (GetGoal, a ListGoals page, a ListUsers page, CheckInGoal)
// runs at a fixed arrival rate (open loop: calls are sent on schedule and
// timed from their scheduled instant, so a slow answer cannot hold back the
// next call) for latency, and at a fixed concurrency (closed loop) for
// throughput, for each sandbox service time of the sweep.
//
// The reverse proxy and the facade run in a child process ("the hop
// process"; loadtest runs itself with a hidden subcommand), so that their
// CPU time, allocations and heap are measured apart from the sandbox and
// the load generator. Where taskset exists and two CPUs are allowed, the
// hop process runs on the first and the load generator pins itself to the
// second with GOMAXPROCS 1. The output records the pinning obtained, the
// Go version and the commit.
//
// Usage:
//
//	loadtest [flags]        run and print the table; -json FILE also writes JSON
//	loadtest -short         a run of a few seconds, for CI
//
// It is Linux-first: CPU times come from getrusage, pinning from taskset
// and /proc.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
		}
		os.Exit(1)
	}
}

// run runs the harness with args, or the hop process when args start with
// hopCommand. The table goes to stdout, progress to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && args[0] == hopCommand {
		return serveHop(ctx, os.Getenv, os.Stdin, os.NewFile(hopReadyFD, "ready"), stdout)
	}
	opts, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	rep, err := runHarness(ctx, opts, stderr)
	if err != nil {
		return err
	}
	if err := writeTable(stdout, rep); err != nil {
		return err
	}
	if opts.jsonPath != "" {
		return writeJSON(opts.jsonPath, rep)
	}
	return nil
}
