package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Reads that cost less. Every caller of a Betterworks token shares that
// token's pace, so the client makes identical reads cost one request:
//
//   - Coalescing: identical concurrent GETs made with one token (same
//     operation, path and query, which url.Values encodes in one order)
//     share one upstream request, with its retries. Never across tokens:
//     two tokens may see different things. A caller that goes away leaves
//     the shared request to the others; the last one out cancels it. The
//     shared request keeps the first caller's deadline.
//   - Caching (Config.Cache, off by default): a GET answer is kept for the
//     time the call's context asks (WithCacheTTL), per token. A write made
//     through the client drops the cached reads of its endpoint family for
//     that token.

// Cache keeps GET answers per token. Keys and scopes never hold a token:
// a scope is a hash of the token and an endpoint family. Implementations
// must be safe for concurrent use; a failing cache is a miss.
type Cache interface {
	// Get returns the body stored under key in scope and when it was
	// stored, unless it expired or scope was dropped since.
	Get(ctx context.Context, scope, key string) (body []byte, stored time.Time, ok bool)
	// Set stores body under key in scope for ttl, as read at stored (when
	// the read began). It must not keep body, which the client reuses: it
	// copies what it stores. A cache shared by replicas refuses a body
	// read before scope's last Drop, on any replica.
	Set(ctx context.Context, scope, key string, body []byte, stored time.Time, ttl time.Duration)
	// Drop forgets every answer of scope.
	Drop(ctx context.Context, scope string)
}

type cacheTTLKey struct{}

// WithCacheTTL returns a copy of ctx whose GETs may be answered from the
// client's cache when their answer is at most ttl old, and stored there
// for ttl. Without it, or with a ttl of zero, nothing is read from or
// written to the cache.
func WithCacheTTL(ctx context.Context, ttl time.Duration) context.Context {
	return context.WithValue(ctx, cacheTTLKey{}, ttl)
}

func cacheTTL(ctx context.Context) time.Duration {
	ttl, _ := ctx.Value(cacheTTLKey{}).(time.Duration)
	return ttl
}

// tokenFamily is a cache scope: the work of one token on one endpoint
// family. It is a pair, not a string, so that a read makes no string of
// it unless it uses the cache.
type tokenFamily struct{ token, family string }

// cacheScope is the cache scope of op's family for token.
func cacheScope(token Token, op *Operation) tokenFamily {
	return tokenFamily{token: token.ID(), family: op.family}
}

// String returns the scope as the Cache sees it: the token's ID and the
// family, such as "token:0123…:goals".
func (s tokenFamily) String() string { return s.token + ":" + s.family }

// flightKey names a shared GET: its token and its URL.
type flightKey struct{ token, url string }

// answer is a 2xx answer: its body, in a pooled buffer, and when the
// upstream sent it. Coalesced callers share one; the last to release it
// returns the buffer to the pool.
type answer struct {
	body   *bytes.Buffer
	status int
	served time.Time
	refs   atomic.Int32
	// limited bounds the reading of the body; it lives here, in a pooled
	// answer, so that the reading allocates nothing of its own.
	limited io.LimitedReader
}

// release gives up one reference to a; the last returns it to the pool.
func (a *answer) release() {
	if a.refs.Add(-1) == 0 {
		putAnswer(a)
	}
}

// decode decodes a's body into out; nil out discards it.
func (a *answer) decode(cl call, out any) error {
	if out == nil {
		return nil
	}
	data := a.body.Bytes()
	// A null would decode to the zero value: a goal of id 0, or an empty
	// last page that ends a walk as if the collection were whole.
	switch trimmed := bytes.TrimSpace(data); {
	case len(trimmed) == 0:
		return fmt.Errorf("%s: %w: empty body (status %d)", cl.op, ErrMalformedResponse, a.status)
	case string(trimmed) == "null":
		return fmt.Errorf("%s: %w: null body (status %d)", cl.op, ErrMalformedResponse, a.status)
	}
	if err := decodeJSON(data, out); err != nil {
		return fmt.Errorf("%s: %w: %w", cl.op, ErrMalformedResponse, err)
	}
	if s, ok := out.(served); ok && !a.served.IsZero() {
		s.setServed(a.served)
	}
	return nil
}

// read performs the GET cl from the cache, a shared request or its own.
func (c *Client) read(ctx context.Context, token Token, cl call, out any) error {
	rawURL, err := c.url(cl)
	if err != nil {
		return err
	}
	cl.rawURL = rawURL
	ttl := cacheTTL(ctx)
	scope := cacheScope(token, cl.op)
	cached := ttl > 0 && c.cache != nil
	var scopeName string
	if cached {
		scopeName = scope.String()
		if body, stored, ok := c.cache.Get(ctx, scopeName, rawURL); ok {
			if age := c.now().Sub(stored); age <= ttl {
				c.metrics.saved.Add(ctx, 1, cl.op.tel.endpoint, savedCached)
				noteAge(ctx, age)
				ans := &answer{body: bytes.NewBuffer(body), status: 200}
				return ans.decode(cl, out)
			}
		}
	}
	// A write of the scope made through this client while the read is
	// under way may have changed its answer: the answer is then not
	// stored. One made through another replica drops the scope in the
	// shared cache, which then refuses answers read before the drop:
	// each is stored as of when its read began.
	writes := c.writes.count(scope)
	began := c.now()
	var ans *answer
	var shared bool
	if c.coalesce {
		ans, shared, err = c.flights.do(ctx, scope, flightKey{token: token.ID(), url: rawURL}, func(ctx context.Context) (*answer, error) {
			return c.exchange(ctx, token, cl, nil)
		})
		if shared {
			c.metrics.saved.Add(ctx, 1, cl.op.tel.endpoint, savedCoalesced)
		}
	} else {
		ans, err = c.exchange(ctx, token, cl, nil)
	}
	if err != nil {
		return err
	}
	defer ans.release()
	if err := ans.decode(cl, out); err != nil {
		return err
	}
	if cached && !shared && c.writes.count(scope) == writes {
		// The caller whose request it was stores the answer, once. Ages
		// are the facade's to tell: by its clock, not the upstream's,
		// counted from when the read began.
		c.cache.Set(ctx, scopeName, rawURL, ans.body.Bytes(), began, ttl)
		// A write of the scope that counted itself between the check and
		// the store may have dropped the scope before the store: drop it
		// again, so that the answer, perhaps older than the write, is
		// never served. A write counted after this check drops it itself.
		if c.writes.count(scope) != writes {
			c.cache.Drop(context.WithoutCancel(ctx), scopeName)
		}
	}
	return nil
}

// flights are the shared GETs in flight, by token and URL.
type flights struct {
	mu sync.Mutex
	m  map[flightKey]*flight
}

// forget lets the flights of scope finish without new waiters: a write
// of the scope came after they began, and reads after it must see it.
func (f *flights) forget(scope tokenFamily) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for key, fl := range f.m {
		if fl.scope == scope {
			delete(f.m, key)
		}
	}
}

// writeCounts counts the writes made through the client per cache scope.
type writeCounts struct {
	mu sync.Mutex
	n  map[tokenFamily]uint64
}

func (w *writeCounts) count(scope tokenFamily) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n[scope]
}

func (w *writeCounts) add(scope tokenFamily) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == nil {
		w.n = make(map[tokenFamily]uint64)
	}
	w.n[scope]++
}

// flight is one shared GET.
type flight struct {
	scope   tokenFamily
	done    chan struct{}
	ans     *answer
	err     error
	waiters int  // callers still waiting, the leader included; -1 once finished
	leader  bool // the caller who started the flight still waits for it
	ctx     *fetchContext
	cancel  context.CancelFunc
}

// fetchContext is a flight's fetch context. It keeps the leader's values
// (its trace) but not its cancellation, which is the last waiter's to
// make, and its deadline is the latest of its waiters': a caller with
// more time who joins gives the fetch that time, for its attempts, its
// retries and its wait for a turn, instead of failing with the leader's.
// The waiters' own deadlines end it: when the last one passes, its
// waiter leaves and cancels the fetch.
type fetchContext struct {
	context.Context // the cancellable context of the fetch
	mu              sync.Mutex
	deadline        time.Time
	bounded         bool // false once a waiter without a deadline joins
}

func newFetchContext(leader context.Context) (*fetchContext, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(leader))
	c := &fetchContext{Context: ctx}
	c.deadline, c.bounded = leader.Deadline()
	return c, cancel
}

// Deadline implements context.Context.
func (c *fetchContext) Deadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadline, c.bounded
}

// join moves the deadline on to waiter's, if later.
func (c *fetchContext) join(waiter context.Context) {
	d, ok := waiter.Deadline()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.bounded:
	case !ok:
		c.deadline, c.bounded = time.Time{}, false
	case d.After(c.deadline):
		c.deadline = d
	}
}

// errFlightAborted is the answer of a flight whose fetch panicked.
var errFlightAborted = errors.New("shared upstream read aborted")

// do returns the answer of fetch for key: its own, or that of a flight of
// key already under way, whose answer it then shares (shared is true). The
// answer holds a reference for the caller to release.
//
// The caller who starts a flight (its leader) fetches on its own
// goroutine, in a context that keeps its values (its trace) but not its
// cancellation, with the latest deadline of the waiters (fetchContext): a
// leader who goes away while others wait fetches on for them, and its
// call returns once they have their answer. The last waiter to leave
// cancels the fetch.
func (f *flights) do(ctx context.Context, scope tokenFamily, key flightKey, fetch func(context.Context) (*answer, error)) (ans *answer, shared bool, err error) {
	f.mu.Lock()
	if fl, ok := f.m[key]; ok {
		fl.waiters++
		fl.ctx.join(ctx)
		f.mu.Unlock()
		select {
		case <-fl.done:
			return fl.ans, true, fl.err
		case <-ctx.Done():
			if f.leave(key, fl, false) {
				return nil, true, ctx.Err()
			}
			// The flight finished first, counting this caller in.
			<-fl.done
			return fl.ans, true, fl.err
		}
	}
	fctx, cancel := newFetchContext(ctx)
	fl := &flight{scope: scope, done: make(chan struct{}), waiters: 1, leader: true, ctx: fctx, cancel: cancel}
	if f.m == nil {
		f.m = make(map[flightKey]*flight)
	}
	f.m[key] = fl
	f.mu.Unlock()

	stop := context.AfterFunc(ctx, func() { f.leave(key, fl, true) })
	defer stop()
	if !f.run(fctx, key, fl, fetch) {
		return nil, false, ctx.Err()
	}
	return fl.ans, false, fl.err
}

// leave takes a waiter off fl, unless fl finished; the last one out
// cancels it. It says whether the waiter left.
func (f *flights) leave(key flightKey, fl *flight, leader bool) bool {
	f.mu.Lock()
	if fl.waiters < 0 {
		f.mu.Unlock()
		return false
	}
	fl.waiters--
	if leader {
		fl.leader = false
	}
	last := fl.waiters == 0
	if last && f.m[key] == fl {
		delete(f.m, key)
	}
	f.mu.Unlock()
	if last {
		fl.cancel()
	}
	return true
}

// run fetches the flight's answer and hands it to its waiters, one
// reference each. It says whether the leader still waits, and so holds
// a reference.
func (f *flights) run(ctx context.Context, key flightKey, fl *flight, fetch func(context.Context) (*answer, error)) (leader bool) {
	var ans *answer
	err := errFlightAborted
	defer func() {
		// Also when fetch panics: the waiters get an error, and the key
		// is free for the next read, while the panic goes on.
		fl.cancel()
		f.mu.Lock()
		if f.m[key] == fl {
			delete(f.m, key)
		}
		waiters := fl.waiters
		leader = fl.leader
		fl.waiters = -1 // no one joins or leaves a finished flight
		f.mu.Unlock()
		if err == nil {
			if waiters == 0 {
				ans.release()
			} else {
				ans.refs.Add(int32(waiters - 1))
			}
		}
		fl.ans, fl.err = ans, err
		close(fl.done)
	}()
	ans, err = fetch(ctx)
	return
}

// ageKey carries the age of the oldest cached answer an RPC used.
type ageKey struct{}

// CacheAge records the age of cached answers a call used.
type CacheAge struct {
	mu   sync.Mutex
	age  time.Duration
	used bool
}

// Load returns the age of the oldest cached answer used, and whether one
// was.
func (a *CacheAge) Load() (time.Duration, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.age, a.used
}

// WithCacheAge returns a copy of ctx in which the client records into a
// the age of every answer it takes from its cache.
func WithCacheAge(ctx context.Context, a *CacheAge) context.Context {
	return context.WithValue(ctx, ageKey{}, a)
}

func noteAge(ctx context.Context, age time.Duration) {
	a, ok := ctx.Value(ageKey{}).(*CacheAge)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.age, a.used = max(a.age, age), true
}
