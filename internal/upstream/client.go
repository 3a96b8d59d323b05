package upstream

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/metric"
)

// maxErrorBody bounds what is read of a non-2xx answer.
const maxErrorBody = 64 << 10

// Defaults of Config.
const (
	DefaultUserAgent        = "bwfacade/1 (+https://github.com/bwfacade/facade)"
	DefaultMaxResponseBytes = 8 << 20
)

// Config configures a Client. A zero field selects the default documented on it.
type Config struct {
	// BaseURL is the API root, such as "https://app.betterworks.com/api/v1/"
	// or the preview environment's. Required. A missing trailing slash is added.
	BaseURL string
	// HTTPClient sends requests. Nil means a client from NewHTTPClient.
	HTTPClient *http.Client
	// UserAgent is sent with every request. Empty means DefaultUserAgent.
	UserAgent string
	// MaxResponseBytes caps every response body. Zero means
	// DefaultMaxResponseBytes (8 MiB).
	MaxResponseBytes int64
	// Now is the client's clock: it reads Retry-After dates, measures
	// limiter waits and times open breakers. Nil means time.Now. Deadlines
	// and timers are real.
	Now func() time.Time
	// Resilience configures pacing, retries, the circuit breakers and the
	// bound on requests in flight.
	Resilience Resilience
	// Telemetry configures traces and metrics.
	Telemetry Telemetry
	// Cache keeps GET answers for the calls whose context asks for it
	// (WithCacheTTL). Nil means no cache.
	Cache Cache
	// NoCoalescing makes every GET its own request, even when an identical
	// one with the same token is in flight; for baselines.
	NoCoalescing bool
	// Files configures the fetching of report files (OpenReportFile).
	Files Files
}

// Client calls the Betterworks REST API. It is safe for concurrent use; each
// call carries the token of the caller it is made for.
type Client struct {
	baseURL   string // absolute, ending in "/"
	http      *http.Client
	userAgent string
	maxBody   int64
	now       func() time.Time
	res       *resilience
	metrics   instruments
	tel       *httpTelemetry
	cache     Cache
	coalesce  bool
	flights   flights
	writes    writeCounts
	files     files
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("upstream: base URL is required")
	}
	raw := cfg.BaseURL
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	base, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("upstream: base URL: %w", err)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("upstream: base URL %q must not have a query or fragment", cfg.BaseURL)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("upstream: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c := &Client{
		baseURL:   base.String(),
		http:      cfg.HTTPClient,
		userAgent: cfg.UserAgent,
		maxBody:   cfg.MaxResponseBytes,
		now:       now,
		res:       newResilience(cfg.Resilience, now),
		cache:     cfg.Cache,
		coalesce:  !cfg.NoCoalescing,
		files:     newFiles(cfg.Files, base),
	}
	if c.http == nil {
		c.http = NewHTTPClient()
	}
	if c.tel, err = newHTTPTelemetry(cfg.Telemetry); err != nil {
		return nil, fmt.Errorf("upstream: metrics: %w", err)
	}
	if c.metrics, err = newInstruments(cfg.Telemetry.meterProvider(), c.res); err != nil {
		return nil, fmt.Errorf("upstream: metrics: %w", err)
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	return c, nil
}

// NewHTTPClient returns the HTTP client the upstream calls use by default:
// dial 2 s, TLS handshake 5 s, 32 idle connections per host (Go's default
// of 2 throttles a proxy), HTTP/2 when the server offers it, and redirects
// refused (a redirect could carry the token to another host).
func NewHTTPClient() *http.Client {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// call is one upstream request.
type call struct {
	op *Operation
	// id fills the braces of op's template, if it has any.
	id string
	// query holds the query parameters; nil means none.
	query url.Values
	// body is encoded as JSON when non-nil.
	body any
	// rawURL is the request URL once a read has made it (Client.url);
	// empty, each attempt makes it.
	rawURL string
}

// do performs cl with token and decodes a 2xx body into out (nil to discard
// it). Every upstream request of the package goes through here, and
// through the resilience chain: each attempt waits for the token's turn
// (the first may use one prepaid, WithPrepaidTurn), takes a slot among
// the requests in flight and passes the endpoint family's circuit
// breaker; a failed attempt of an idempotent call is retried after a
// backoff while the retry budget and the deadline allow. A write is sent
// once, and again only when its connection was refused.
func (c *Client) do(ctx context.Context, token Token, cl call, out any) error {
	if token.IsZero() {
		return fmt.Errorf("%s: %w", cl.op, ErrNoToken)
	}
	var body []byte
	if cl.body != nil {
		var err error
		body, err = json.Marshal(cl.body)
		if err != nil {
			return fmt.Errorf("%s: %w: %w", cl.op, ErrInvalidRequest, err)
		}
	}
	if !cl.op.Writes() {
		return c.read(ctx, token, cl, out)
	}
	ans, err := c.exchange(ctx, token, cl, body)
	if o := Classify(err); !o.Refused() && o != OutcomeInvalid && o != OutcomeNeverSent {
		// A write that may have reached the upstream may change any read
		// of its family made with this token: reads under way are not
		// stored nor joined, and stored ones are dropped, even past the
		// caller's deadline (the cache bounds its own calls).
		scope := cacheScope(token, cl.op)
		c.writes.add(scope)
		c.flights.forget(scope)
		if c.cache != nil {
			c.cache.Drop(context.WithoutCancel(ctx), scope.String())
		}
	}
	if err != nil {
		return err
	}
	defer ans.release()
	if err := ans.decode(cl, out); err != nil {
		if writes := writeLogFrom(ctx); writes != nil {
			// Applied, most likely, but what was made cannot be told.
			writes.record(OutcomeMalformed)
		}
		return err
	}
	return nil
}

// exchange sends cl until an attempt succeeds or no retry is left, and
// returns the 2xx answer.
func (c *Client) exchange(ctx context.Context, token Token, cl call, body []byte) (*answer, error) {
	endpoint := cl.op.tel.endpoint
	for n := 1; ; n++ {
		outcome, ans, err := c.guardedAttempt(ctx, token, cl, body, n)
		if err == nil {
			c.res.budget.success()
			return ans, nil
		}
		if outcome.Refused() {
			c.metrics.refusals.Add(ctx, 1, endpoint, metric.WithAttributes(attrReason.String(outcome.String())))
		}
		wait, verdict := c.res.retryWait(ctx, cl, n, outcome, err)
		if verdict == budgetSpent {
			c.metrics.budgetExhausted.Add(ctx, 1, endpoint)
		}
		if verdict != retry || sleep(ctx, wait) != nil {
			return nil, err
		}
		c.metrics.retries.Add(ctx, 1, endpoint)
	}
}

// guardedAttempt makes one attempt behind the token's pace, the bound on
// requests in flight and the circuit breaker, and classifies its outcome.
func (c *Client) guardedAttempt(ctx context.Context, token Token, cl call, body []byte, n int) (Outcome, *answer, error) {
	r := c.res
	waited, err := c.pace(ctx, token, cl)
	if err != nil {
		return Classify(err), nil, err
	}
	info := &attemptInfo{op: cl.op, number: n, limiterWait: waited, breaker: "disabled"}
	select {
	case r.inFlight <- struct{}{}:
		defer func() { <-r.inFlight }()
	default:
		return OutcomeOverloaded, nil, &RefusedError{Endpoint: cl.op.name, Cause: ErrOverloaded}
	}
	timeout := r.WriteTimeout
	if cl.op.idempotent() {
		timeout = r.AttemptTimeout
	}
	attemptCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var ans *answer
	var writes *WriteLog
	if cl.op.Writes() {
		writes = writeLogFrom(ctx)
	}
	run := func() (struct{}, error) {
		var err error
		ans, err = c.attempt(attemptCtx, info, token, cl, body)
		if err != nil && ctx.Err() != nil {
			// The caller's own deadline or cancellation ended the
			// attempt: that says nothing of the upstream's health, and
			// an impatient caller must not open the breaker for all.
			err = &classified{err: err, outcome: OutcomeCanceled}
		} else {
			err = classify(err)
		}
		if writes != nil {
			writes.record(Classify(err))
		}
		return struct{}{}, err
	}
	if r.Breaker.Disabled {
		_, err = run()
	} else {
		b := r.breaker(cl.op.family)
		info.breaker = b.cb.State().String()
		_, err = b.cb.Execute(run)
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			return OutcomeCircuitOpen, nil, &RefusedError{Endpoint: cl.op.name, Cause: ErrCircuitOpen, RetryAfter: b.retryAfter()}
		}
	}
	if err == nil {
		return OutcomeOK, ans, nil
	}
	var cerr *classified
	if !errors.As(err, &cerr) {
		return OutcomeOK, ans, nil
	}
	if cerr.outcome == OutcomeRateLimited && r.Limiter != nil {
		// The upstream's limit is the token's, whoever calls with it.
		var se *StatusError
		errors.As(cerr.err, &se)
		pause := se.RetryAfter
		if pause <= 0 {
			pause = r.DefaultPause
		}
		r.Limiter.Pause(ctx, token.limiterKey(), c.now().Add(min(pause, r.MaxRetryAfter)))
	}
	return cerr.outcome, nil, cerr.err
}

// pace takes the token's turn prepaid in ctx (WithPrepaidTurn) if it is
// still unused, or else waits for the token's turn, as long as the call's
// deadline allows, and refuses at once when the turn would come later. It
// returns how long it waited.
func (c *Client) pace(ctx context.Context, token Token, cl call) (time.Duration, error) {
	r := c.res
	if r.Limiter == nil {
		return 0, nil
	}
	endpoint := cl.op.tel.endpoint
	key := token.limiterKey()
	if turn, ok := ctx.Value(prepaidTurnKey{}).(PrepaidTurn); ok && turn.Use(key) {
		c.metrics.limiterWait.Record(ctx, 0, endpoint)
		return 0, nil
	}
	maxWait := time.Duration(math.MaxInt64)
	if deadline, ok := ctx.Deadline(); ok {
		maxWait = time.Until(deadline)
	}
	start := c.now()
	ok, retryAfter, err := r.Limiter.Wait(ctx, key, maxWait)
	waited := c.now().Sub(start)
	c.metrics.limiterWait.Record(ctx, waited.Seconds(), endpoint)
	switch {
	case err != nil:
		return waited, fmt.Errorf("%s: %w", cl.op, err)
	case !ok:
		return waited, &RefusedError{Endpoint: cl.op.name, Cause: ErrTokenRateLimited, RetryAfter: retryAfter}
	}
	return waited, nil
}

// fetch performs cl and decodes its answer into a new T.
func fetch[T any](ctx context.Context, c *Client, token Token, cl call) (*T, error) {
	var out T
	if err := c.do(ctx, token, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// fetchPage performs the list call cl for page and decodes its answer into
// a new Page. Its results decode into room made for the size asked for,
// instead of growing their slice one doubling at a time; and the body
// decodes as the page's JSON form, not through Page's UnmarshalJSONFrom,
// whose nested decode would check the whole body a second time.
func fetchPage[T any](ctx context.Context, c *Client, token Token, cl call, page PageRequest) (*Page[T], error) {
	raw := new(pageJSON[T])
	if page.Size > 0 {
		raw.Results = make([]T, 0, min(page.Size, maxReservedResults))
	}
	if err := c.do(ctx, token, cl, raw); err != nil {
		return nil, err
	}
	out := new(Page[T])
	out.set(raw)
	out.Served = raw.served
	return out, nil
}

// maxReservedResults bounds the room fetchPage makes, so that a page asked
// far larger than the upstream sends costs no large empty slice; a larger
// page grows past it.
const maxReservedResults = 200

// attempt sends one HTTP request, described by info, and reads its 2xx
// answer, or returns the error its answer or its failure makes.
func (c *Client) attempt(ctx context.Context, info *attemptInfo, token Token, cl call, body []byte) (*answer, error) {
	rawURL, err := c.url(cl)
	if err != nil {
		return nil, err
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.op.method, rawURL, reader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", cl.op, ErrInvalidRequest, stripURL(err))
	}
	requestID := rand.Text()
	info.requestID = requestID
	countAttempt(ctx)
	// The values share one array, capped so that an append to one never
	// runs into the next: the headers cost one allocation, not one each.
	// The keys are in canonical form, as Header.Set would make them.
	values := []string{"APIToken " + token.raw(), "application/json", c.userAgent, requestID, "application/json"}
	req.Header["Authorization"] = values[0:1:1]
	req.Header["Accept"] = values[1:2:2]
	req.Header["User-Agent"] = values[2:3:3]
	req.Header["X-Request-Id"] = values[3:4:4]
	if body != nil {
		req.Header["Content-Type"] = values[4:5:5]
	}

	// The span lasts until the body is read.
	span := c.tel.start(req, info)
	defer span.End()
	began := time.Now()
	resp, err := c.http.Do(req)
	c.tel.answered(span, req, cl.op, began, resp, err)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cl.op, stripURL(err))
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// An error answer is read only as far as its explanation goes; a
		// huge one must not hide the status.
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, newStatusError(cl.op.name, resp, data, requestID, c.now())
	}
	ans := newAnswer(resp.StatusCode)
	buf := ans.body
	if resp.ContentLength > 0 && resp.ContentLength <= c.maxBody {
		buf.Grow(int(resp.ContentLength))
	}
	ans.limited = io.LimitedReader{R: resp.Body, N: c.maxBody + 1}
	_, err = buf.ReadFrom(&ans.limited)
	ans.limited.R = nil
	if err != nil {
		ans.release()
		return nil, fmt.Errorf("%s: read body: %w", cl.op, stripURL(err))
	}
	if int64(buf.Len()) > c.maxBody {
		ans.release()
		return nil, fmt.Errorf("%s: %w (over %d bytes)", cl.op, ErrResponseTooLarge, c.maxBody)
	}
	if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		ans.served = date
	}
	return ans, nil
}

// url returns cl's request URL. The path's id is escaped (see
// pathSegment), and joining strings keeps every segment as written: no
// dot-segment cleaning. url.Values encodes its keys in order, so identical
// requests have identical URLs.
func (c *Client) url(cl call) (string, error) {
	if cl.rawURL != "" {
		return cl.rawURL, nil
	}
	var query string
	if len(cl.query) > 0 {
		query = cl.query.Encode()
	}
	rawURL, err := cl.op.url(c.baseURL, cl.id, query)
	if err != nil {
		return "", fmt.Errorf("%s: %w: no id", cl.op, err)
	}
	return rawURL, nil
}

// answers recycles answers with the buffers their bodies are read into;
// decoding copies what it keeps, so an answer is free once every caller
// sharing it has decoded it and released it.
var answers = sync.Pool{New: func() any { return &answer{body: new(bytes.Buffer)} }}

// maxPooledBuffer keeps rare huge buffers out of the pool.
const maxPooledBuffer = 1 << 20

// newAnswer returns an empty answer from the pool, with one reference.
func newAnswer(status int) *answer {
	a := answers.Get().(*answer)
	a.status = status
	a.refs.Store(1)
	return a
}

// putAnswer returns a released answer to the pool.
func putAnswer(a *answer) {
	if a.body.Cap() > maxPooledBuffer {
		return
	}
	a.body.Reset()
	a.served = time.Time{}
	answers.Put(a)
}

// stripURL removes the request URL (which carries ids and query values)
// from a transport error, keeping its cause for errors.Is and errors.As.
func stripURL(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// pathSegment escapes one path segment, such as an id. Unlike
// url.PathEscape alone it also escapes the dot segments "." and "..", so an
// id can never climb out of its endpoint's path.
func pathSegment(s string) string {
	switch s {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(s)
}
