package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/idempotency"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/service"
	"github.com/bwfacade/facade/internal/upstream"
)

// The retry-storm scenario counts the goals a retry storm creates twice.
// Callers create goals one after another, each under a name of its own,
// and send each write again on every error, after a short pause and
// regardless of anything the error says, until it succeeds. The sandbox
// applies every POST /goals/ and drops a share of the answers, so a caller
// cannot tell a lost answer from a lost write. The first phase sends no
// request_id: a retry of a write whose answer was lost creates its goal
// again. The second sends one request_id per write, the same with each of
// its retries. In both, a caller sends each retry to the next replica:
// two facades keeping request_ids in one redis-server when redis-server is
// on PATH, else one facade keeping them in process. Each phase has a
// sandbox of its own; at its end, the sandbox's goals under the phase's
// names, less the writes that succeeded, are the duplicates.

// The pause between two attempts of a write is drawn from
// [stormBackoffMin, stormBackoffMax).
const stormBackoffMin, stormBackoffMax = 5 * time.Millisecond, 20 * time.Millisecond

// stormWiring says how the scenario's facades are built, for the report.
const stormWiring = "in the load generator's process, as the sweep's, but with the upstream circuit breakers off: " +
	"at 20% lost answers five failures in a row come every few thousand writes, and each would shut POST /goals/ for 30 s; " +
	"callers reach them over Connect with protobuf, HTTP/1.1"

// Where the facades keep request_ids, for the report.
const (
	stormStoreRedis     = "Redis: one redis-server child process; two replicas, each with its own go-redis client and store (idempotency.NewRedis)"
	stormStoreInProcess = "in process (idempotency.NewMemory): redis-server is not on PATH, so one replica"
)

// Errors by code and reason, as RetryStormResult.Errors names them.
const (
	// stormLostAnswer is how the facade answers a write whose upstream
	// answer was lost (internal/service maps any transport failure so).
	stormLostAnswer     = "unavailable UPSTREAM_UNAVAILABLE"
	stormOutcomeUnknown = "aborted " + service.ReasonOutcomeUnknown
)

// RetryStormResult is one phase of the retry-storm scenario.
type RetryStormResult struct {
	// Phase is "no request_id" or "request_id".
	Phase string `json:"phase"`
	// Replicas is how many facades a caller's attempts alternate between.
	Replicas int `json:"replicas"`
	// Seconds is the phase's wall time: writes start during the phase's
	// length, and the last ones run to their end.
	Seconds float64 `json:"seconds"`
	// Writes are the logical writes: Succeeded got an answer, Failed ran
	// out of attempts. Attempts are their CreateGoal calls; Replayed the
	// successful attempts the facade answered from an earlier one
	// (Idempotency-Replayed: true).
	Writes    int `json:"writes"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Attempts  int `json:"attempts"`
	Replayed  int `json:"replayed"`
	// Errors counts failed attempts by code and reason, such as
	// "unavailable UPSTREAM_UNAVAILABLE". LostAnswers, OutcomeUnknown and
	// OtherErrors sort them: UNAVAILABLE with that reason (the sandbox
	// dropped the answer), ABORTED with OUTCOME_UNKNOWN, the rest.
	Errors map[string]int `json:"errors"`
	// FirstOther is the message of the first error of the phase that
	// is neither a lost answer nor OUTCOME_UNKNOWN, if any.
	FirstOther     string `json:"first_other_error,omitempty"`
	LostAnswers    int    `json:"errors_lost_answer"`
	OutcomeUnknown int    `json:"errors_outcome_unknown"`
	OtherErrors    int    `json:"errors_other"`
	// Posts are the POST /goals/ the sandbox served; Dropped those it
	// applied and then closed the connection on; Lookups its goal reads
	// (GET /goals/filter/ and GET /goals/{id}/), with which the facade
	// looks for the goal of a write whose answer was lost.
	Posts   int `json:"sandbox_posts"`
	Dropped int `json:"sandbox_dropped"`
	Lookups int `json:"sandbox_lookups"`
	// Goals are the sandbox's goals under the phase's names; Duplicates
	// is Goals less Succeeded; NamesRepeated counts the names of more
	// than one goal.
	Goals         int `json:"goals"`
	Duplicates    int `json:"duplicates"`
	NamesRepeated int `json:"names_repeated"`
}

// RetryStormReport records the retry-storm scenario's settings and
// results.
type RetryStormReport struct {
	Callers       int     `json:"callers"`
	DropRate      float64 `json:"drop_rate"`
	LatencyMS     float64 `json:"sandbox_latency_ms"`
	BackoffMinMS  float64 `json:"backoff_min_ms"`
	BackoffMaxMS  float64 `json:"backoff_max_ms"`
	MaxAttempts   int     `json:"max_attempts"`
	CallTimeoutMS float64 `json:"call_timeout_ms"`
	// Store says where the facades keep request_ids.
	Store   string             `json:"store"`
	Facade  string             `json:"facade"`
	Results []RetryStormResult `json:"results"`
}

// stormPhase is one phase of the scenario.
type stormPhase struct {
	name string
	// slug starts the names of the phase's goals, after "storm ".
	slug string
	// requestIDs sends a request_id with each write.
	requestIDs bool
	length     time.Duration
}

// runRetryStorm runs the retry-storm scenario: a redis-server when one is
// on PATH, then the phase without request_ids and the phase with them.
func runRetryStorm(ctx context.Context, o options, progress io.Writer) (*RetryStormReport, error) {
	s := o.retryStorm
	rep := &RetryStormReport{
		Callers:       s.callers,
		DropRate:      s.dropRate,
		LatencyMS:     millis(s.latency),
		BackoffMinMS:  millis(stormBackoffMin),
		BackoffMaxMS:  millis(stormBackoffMax),
		MaxAttempts:   s.attempts,
		CallTimeoutMS: millis(o.timeout),
		Store:         stormStoreInProcess,
		Facade:        stormWiring,
	}
	var rdb *redisServer
	if path, err := exec.LookPath("redis-server"); err == nil {
		if rdb, err = startRedis(ctx, path); err != nil {
			return nil, err
		}
		defer func() { _ = rdb.stop() }()
		rep.Store = stormStoreRedis
	}
	for _, ph := range []stormPhase{
		{name: "no request_id", slug: "baseline", length: s.baselinePhase},
		{name: "request_id", slug: "request_id", requestIDs: true, length: s.phase},
	} {
		fmt.Fprintf(progress, "retry storm: %s, %v\n", ph.name, ph.length)
		res, err := runStormPhase(ctx, o, rdb, ph)
		if err != nil {
			return nil, fmt.Errorf("retry storm, %s: %w", ph.name, err)
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// runStormPhase serves a sandbox with the scenario's faults and the
// facades in front of it, runs the callers for ph.length, lets their last
// writes end and counts.
func runStormPhase(ctx context.Context, o options, rdb *redisServer, ph stormPhase) (RetryStormResult, error) {
	s := o.retryStorm
	sb, sandboxURL, stopSandbox, err := serveSandbox(sandbox.Scale{})
	if err != nil {
		return RetryStormResult{}, err
	}
	defer stopSandbox()
	sb.SetFaults(
		sandbox.Fault{Latency: s.latency},
		sandbox.Fault{Endpoint: "POST /goals/", Drop: true, Rate: s.dropRate},
	)
	key := auth.GenerateKey()
	replicas, stopReplicas, err := startStormReplicas(sandboxURL, sb.Token(sandbox.RoleSuperAdmin), key, rdb)
	if err != nil {
		return RetryStormResult{}, err
	}
	defer stopReplicas()

	owner := strconv.FormatInt(sb.UserFor(sandbox.RoleSuperAdmin).ID, 10)
	prefix := "storm " + ph.slug + " "
	tallies := make([]stormTally, s.callers)
	start := time.Now()
	end := start.Add(ph.length)
	var wg sync.WaitGroup
	for c := range s.callers {
		wg.Go(func() {
			t := &tallies[c]
			// Fixed-width numbers: no name is a part of another, as
			// the facade's lookup by name matches parts of names.
			for seq := 0; time.Now().Before(end) && ctx.Err() == nil; seq++ {
				req := &betterworksv1.CreateGoalRequest{
					OwnerUserId:    owner,
					Name:           fmt.Sprintf("%sc%03d w%07d", prefix, c, seq),
					Start:          "2025-01-01",
					End:            "2025-12-31",
					Visibility:     betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
					CreationSource: betterworksv1.GoalCreationSource_GOAL_CREATION_SOURCE_MANUAL,
					Type:           betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS,
				}
				if ph.requestIDs {
					req.RequestId = uuid.NewString()
				}
				t.write(ctx, replicas, c, req, s.attempts, o.timeout)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return RetryStormResult{}, err
	}
	res := RetryStormResult{
		Phase:    ph.name,
		Replicas: len(replicas),
		Seconds:  time.Since(start).Seconds(),
		Errors:   map[string]int{},
		Posts:    sb.Count("POST /goals/"),
		Dropped:  sb.CountDropped("POST /goals/"),
		Lookups:  sb.Count("GET /goals/filter/") + sb.Count("GET /goals/{id}/"),
	}
	for _, t := range tallies {
		res.Writes += t.writes
		res.Succeeded += t.succeeded
		res.Failed += t.failed
		res.Attempts += t.attempts
		res.Replayed += t.replayed
		for k, n := range t.errors {
			res.Errors[k] += n
		}
		if res.FirstOther == "" {
			res.FirstOther = t.firstOther
		}
	}
	for k, n := range res.Errors {
		switch k {
		case stormLostAnswer:
			res.LostAnswers += n
		case stormOutcomeUnknown:
			res.OutcomeUnknown += n
		default:
			res.OtherErrors += n
		}
	}
	for _, n := range sb.GoalNames(prefix) {
		res.Goals += n
		if n > 1 {
			res.NamesRepeated++
		}
	}
	res.Duplicates = res.Goals - res.Succeeded
	return res, nil
}

// startStormReplicas serves the facades of a phase on loopback ports,
// each calling the sandbox at sandboxURL with token for the one caller
// keyed by key: two keeping request_ids in rdb, each through a client and
// a store of its own, or, when rdb is nil, one keeping them in process. It
// returns a client of each, and a function that stops them.
func startStormReplicas(sandboxURL, token, key string, rdb *redisServer) ([]betterworksv1connect.GoalServiceClient, func(), error) {
	n := 1
	if rdb != nil {
		n = 2
	}
	var stops []func()
	stop := func() {
		for _, f := range slices.Backward(stops) {
			f()
		}
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var clients []betterworksv1connect.GoalServiceClient
	for range n {
		tuning := facadeTuning{noBreakers: true}
		if rdb != nil {
			rc := rdb.client()
			stops = append(stops, func() { _ = rc.Close() })
			tuning.requestIDs.Store = idempotency.NewRedis(idempotency.RedisConfig{Client: rc})
		}
		facade, err := newFacade(sandboxURL+"/api/v1/", upstream.NewToken(token), key, tuning, logger)
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("facade: %w", err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("facade: %w", err)
		}
		srv := facade.HTTPServer
		go func() { _ = srv.Serve(ln) }()
		stops = append(stops, func() { _ = srv.Close() })
		clients = append(clients, betterworksv1connect.NewGoalServiceClient(newHTTPClient(false), "http://"+ln.Addr().String(),
			connect.WithInterceptors(bearer(key))))
	}
	return clients, stop, nil
}

// stormTally counts one caller's writes.
type stormTally struct {
	writes, succeeded, failed, attempts, replayed int
	// errors counts failed attempts by stormErrorKey.
	errors map[string]int
	// firstOther is the first error that is neither a lost answer nor
	// OUTCOME_UNKNOWN.
	firstOther string
}

// write sends req until an attempt succeeds or maxAttempts have failed,
// each attempt bounded by timeout, pausing between them. Attempt i goes to
// replica first+i (modulo their number): every retry to the next one.
func (t *stormTally) write(ctx context.Context, replicas []betterworksv1connect.GoalServiceClient, first int, req *betterworksv1.CreateGoalRequest, maxAttempts int, timeout time.Duration) {
	if t.errors == nil {
		t.errors = map[string]int{}
	}
	t.writes++
	for attempt := range maxAttempts {
		if attempt > 0 && !pause(ctx, stormBackoffMin+rand.N(stormBackoffMax-stormBackoffMin)) {
			break
		}
		t.attempts++
		callCtx, info := connect.NewClientContext(ctx)
		callCtx, cancel := context.WithTimeout(callCtx, timeout)
		_, err := replicas[(first+attempt)%len(replicas)].CreateGoal(callCtx, req)
		cancel()
		if err == nil {
			t.succeeded++
			if info.ResponseHeader().Get(service.ReplayedHeader) == "true" {
				t.replayed++
			}
			return
		}
		key := stormErrorKey(err)
		t.errors[key]++
		if t.firstOther == "" && key != stormLostAnswer && key != stormOutcomeUnknown {
			t.firstOther = err.Error()
		}
	}
	t.failed++
}

// stormErrorKey names err by its code and, when it has one, its reason:
// "unavailable UPSTREAM_UNAVAILABLE".
func stormErrorKey(err error) string {
	key := connect.CodeOf(err).String()
	if reason := rpcerr.Reason(err); reason != "" {
		key += " " + reason
	}
	return key
}

// pause waits for d, or until ctx ends; it reports whether d passed.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
