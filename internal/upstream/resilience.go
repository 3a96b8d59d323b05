package upstream

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Resilience configures what protects Betterworks from the facade's
// callers and the callers from Betterworks. A zero field selects the
// default documented on it (DESIGN.md, "Resilience defaults").
type Resilience struct {
	// Limiter paces calls per upstream token and shares 429 pauses. Nil
	// means no pacing.
	Limiter Limiter
	// MaxAttempts bounds the attempts of a retried call; zero means 3.
	MaxAttempts int
	// BackoffBase and BackoffMax bound the full-jitter backoff between
	// attempts: a random wait below min(BackoffMax, BackoffBase * 2^n).
	// Zero means 100 ms and 1 s.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After honoured by a retry;
	// zero means 60 s.
	MaxRetryAfter time.Duration
	// DefaultPause pauses a token after a 429 without Retry-After; zero
	// means 1 s.
	DefaultPause time.Duration
	// AttemptTimeout bounds one attempt of a read; zero means 3 s.
	AttemptTimeout time.Duration
	// WriteTimeout bounds a write, which is a single attempt, when the
	// call's deadline is not earlier; zero means 15 s. Every attempt is
	// bounded, so a half-open breaker's probe always reports.
	WriteTimeout time.Duration
	// RetryTokens sizes the retry budget, a token bucket shared by every
	// call to the host: a failure takes one token, a success gives back
	// RetryTokenRatio, and retries stop while fewer than half remain (gRPC's
	// retry throttling). Zero means 10 tokens and 0.1.
	RetryTokens, RetryTokenRatio float64
	// MaxInFlight bounds the requests in flight to the host; more fail at
	// once. Zero means 64.
	MaxInFlight int
	// Breaker configures the circuit breakers.
	Breaker BreakerSettings
	// Rand returns a number in [0, 1) for jitter. Nil means math/rand/v2.
	Rand func() float64
}

// Limiter paces the calls made with each upstream token. Keys name
// tokens by a hash, never by the token. internal/ratelimit implements it,
// locally or shared through Redis.
type Limiter interface {
	// Wait takes key's next turn, waiting for it at most maxWait. When the
	// turn is further away it takes nothing, at once, and reports how
	// long until it comes. Its error is ctx's.
	Wait(ctx context.Context, key string, maxWait time.Duration) (ok bool, retryAfter time.Duration, err error)
	// Pause gives key no turn until until: the upstream answered 429.
	Pause(ctx context.Context, key string, until time.Time)
}

// PrepaidTurn is a turn of a token's pace taken before the call reached
// the client, such as with the caller's quota in the same round trip to a
// shared limiter (internal/ratelimit's Turn).
type PrepaidTurn interface {
	// Use reports whether the turn is key's and still unused, and if so
	// marks it used. Of concurrent calls, one at most gets true.
	Use(key string) bool
}

type prepaidTurnKey struct{}

// WithPrepaidTurn returns a copy of ctx whose first upstream attempt made
// with turn's token (the token whose PaceKey turn's Use accepts) uses turn
// instead of waiting for the token's turn (Limiter.Wait); later attempts,
// such as retries and further pages, wait as usual. A shared GET keeps the
// values of the call that started it, so it uses that call's turn. Whoever
// took the turn gives it back if no attempt used it: a read answered from
// the cache or by a request another call started uses none.
func WithPrepaidTurn(ctx context.Context, turn PrepaidTurn) context.Context {
	return context.WithValue(ctx, prepaidTurnKey{}, turn)
}

// PaceKey returns the key under which the client paces the calls made with
// t (Limiter's keys): a hash of the token, never the token.
func PaceKey(t Token) string { return t.limiterKey() }

// BreakerSettings configures the circuit breakers, one per endpoint
// family (the first path segment: goals, users, departments, ...), so a
// failing family does not cut off the others. A zero field selects the
// default documented on it.
type BreakerSettings struct {
	// Disabled turns the breakers off.
	Disabled bool
	// ConsecutiveFailures opens a breaker; zero means 5.
	ConsecutiveFailures uint32
	// FailureRatio over at least MinRequests in Window opens a breaker;
	// zero means 0.5 over 20 requests in 10 s.
	FailureRatio float64
	MinRequests  uint32
	Window       time.Duration
	// OpenFor is how long an open breaker refuses before letting probes
	// through; zero means 30 s.
	OpenFor time.Duration
	// Probes is how many calls a half-open breaker lets through; zero
	// means 3.
	Probes uint32
}

// Refusals: the client refused a call itself, without reaching the
// upstream. They come wrapped in a RefusedError.
var (
	// ErrCircuitOpen means the endpoint family's breaker is open.
	ErrCircuitOpen = errors.New("upstream circuit open")
	// ErrTokenRateLimited means the caller's upstream token must wait
	// longer than the call's deadline allows for its turn.
	ErrTokenRateLimited = errors.New("upstream token rate limited")
	// ErrOverloaded means MaxInFlight requests are already in flight.
	ErrOverloaded = errors.New("too many upstream requests in flight")
)

// RefusedError is a call the client refused without sending it.
type RefusedError struct {
	// Endpoint is the endpoint template.
	Endpoint string
	// Cause is ErrCircuitOpen, ErrTokenRateLimited or ErrOverloaded.
	Cause error
	// RetryAfter is when trying again may succeed; zero when unknown.
	RetryAfter time.Duration
}

func (e *RefusedError) Error() string { return e.Endpoint + ": " + e.Cause.Error() }

// Unwrap returns Cause.
func (e *RefusedError) Unwrap() error { return e.Cause }

// resilience is a Client's resilience state.
type resilience struct {
	Resilience
	now      func() time.Time
	inFlight chan struct{}
	budget   retryBudget

	mu       sync.Mutex
	breakers map[string]*breaker
}

func newResilience(r Resilience, now func() time.Time) *resilience {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 3
	}
	def(&r.BackoffBase, 100*time.Millisecond)
	def(&r.BackoffMax, time.Second)
	def(&r.MaxRetryAfter, 60*time.Second)
	def(&r.DefaultPause, time.Second)
	def(&r.AttemptTimeout, 3*time.Second)
	def(&r.WriteTimeout, 15*time.Second)
	if r.RetryTokens <= 0 {
		r.RetryTokens = 10
	}
	if r.RetryTokenRatio <= 0 {
		r.RetryTokenRatio = 0.1
	}
	if r.MaxInFlight <= 0 {
		r.MaxInFlight = 64
	}
	if r.Rand == nil {
		r.Rand = rand.Float64
	}
	b := &r.Breaker
	if b.ConsecutiveFailures == 0 {
		b.ConsecutiveFailures = 5
	}
	if b.FailureRatio <= 0 {
		b.FailureRatio = 0.5
	}
	if b.MinRequests == 0 {
		b.MinRequests = 20
	}
	def(&b.Window, 10*time.Second)
	def(&b.OpenFor, 30*time.Second)
	if b.Probes == 0 {
		b.Probes = 3
	}
	return &resilience{
		Resilience: r,
		now:        now,
		inFlight:   make(chan struct{}, r.MaxInFlight),
		budget:     retryBudget{max: r.RetryTokens, tokens: r.RetryTokens, ratio: r.RetryTokenRatio},
		breakers:   make(map[string]*breaker),
	}
}

// breaker is one endpoint family's circuit breaker.
type breaker struct {
	cb *gobreaker.CircuitBreaker[struct{}]
	// openedAt is when the breaker last opened, in Unix nanoseconds;
	// written from OnStateChange, which runs under gobreaker's lock, so it
	// is an atomic and nothing there calls back into the breaker.
	openedAt atomic.Int64
	openFor  time.Duration
	now      func() time.Time
}

// breaker returns the breaker of an endpoint family.
func (r *resilience) breaker(family string) *breaker {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.breakers[family]; ok {
		return b
	}
	s := r.Breaker
	b := &breaker{openFor: s.OpenFor, now: r.now}
	b.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         family,
		MaxRequests:  s.Probes,
		Interval:     s.Window,
		BucketPeriod: s.Window / 10,
		Timeout:      s.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			// The ratio is of the attempts counted: Requests holds those
			// left out (429s, callers' cancellations) and those still
			// under way too, which would water it down.
			counted := c.TotalSuccesses + c.TotalFailures
			return c.ConsecutiveFailures >= s.ConsecutiveFailures ||
				counted >= s.MinRequests && float64(c.TotalFailures) >= s.FailureRatio*float64(counted)
		},
		OnStateChange: func(_ string, _, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				b.openedAt.Store(r.now().UnixNano())
			}
		},
		// Attempts reach the breaker classified (see guardedAttempt).
		IsSuccessful: func(err error) bool { return !Classify(err).breakerFailure() },
		IsExcluded:   func(err error) bool { return Classify(err).breakerExcluded() },
	})
	r.breakers[family] = b
	return b
}

// BreakerState reports the state of the breaker of the family of
// operation, such as "GET /goals/{id}/": "closed", "half-open" or "open".
func (c *Client) BreakerState(operation string) string {
	_, path, _ := strings.Cut(operation, " ")
	family, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return c.res.breaker(family).cb.State().String()
}

// retryAfter is how long until an open breaker lets probes through.
func (b *breaker) retryAfter() time.Duration {
	left := b.openFor - b.now().Sub(time.Unix(0, b.openedAt.Load()))
	return max(left, 0)
}

// retryBudget is gRPC's retry throttling: retries stop while the bucket is
// at or below half, so an outage cannot multiply load.
type retryBudget struct {
	mu                 sync.Mutex
	max, tokens, ratio float64
}

func (b *retryBudget) success() {
	b.mu.Lock()
	b.tokens = min(b.max, b.tokens+b.ratio)
	b.mu.Unlock()
}

// failure takes a token for a failed attempt and reports whether a retry
// is still allowed.
func (b *retryBudget) failure() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = max(0, b.tokens-1)
	return b.tokens > b.max/2
}

// retryVerdict is what becomes of a failed attempt.
type retryVerdict int

const (
	// final: the failure is not worth another attempt, or none is left.
	final retryVerdict = iota
	// retry: another attempt follows after the wait.
	retry
	// budgetSpent: worth another attempt, but the retry budget is spent.
	budgetSpent
)

// retryWait decides whether attempt n (from 1) of cl, which failed with
// err and outcome, is retried, and after how long. It never plans a wait
// past ctx's deadline, and every failure it could retry draws on the retry
// budget.
func (r *resilience) retryWait(ctx context.Context, cl call, n int, outcome Outcome, err error) (time.Duration, retryVerdict) {
	if !outcome.retryable(cl.op) {
		return 0, final
	}
	wait := r.backoff(n)
	if outcome == OutcomeRateLimited {
		// Once, and only when the upstream said how long.
		var se *StatusError
		if !errors.As(err, &se) || n > 1 || se.RetryAfter <= 0 || se.RetryAfter > r.MaxRetryAfter {
			return 0, final
		}
		wait = se.RetryAfter
	}
	switch {
	case !r.budget.failure():
		return 0, budgetSpent
	case n >= r.MaxAttempts || ctx.Err() != nil:
		return 0, final
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
		return 0, final
	}
	return wait, retry
}

// backoff is the full-jitter wait after attempt n.
func (r *resilience) backoff(n int) time.Duration {
	ceiling := min(r.BackoffMax, r.BackoffBase<<(n-1))
	return time.Duration(r.Rand() * float64(ceiling))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
