package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sony/gobreaker/v2"
)

// Report files. A succeeded report run links its file (result.url): a
// signed link that expires (result.expires_on), not an operation of the
// API. The client fetches it through its own resilience chain (the token's
// pace, the bound on requests in flight, a breaker of its own family) but
// under rules of its own:
//
//   - Only from the hosts of Files.Hosts, by default the API root's host.
//     A link elsewhere is refused before anything is sent.
//   - Without the caller's token: the link is signed, so the token is
//     never sent, not even to a trusted host.
//   - Redirects are followed only within the link's own scheme and host,
//     at most maxFileRedirects of them; one to another host is refused
//     without contacting it.
//   - At most Files.MaxBytes, announced (Content-Length) or read, and
//     within Files.Timeout from the first request to the last byte.

// Defaults of Files.
const (
	DefaultMaxFileBytes = 64 << 20
	DefaultFileTimeout  = 2 * time.Minute
	// maxFileRedirects bounds the redirects followed within a host.
	maxFileRedirects = 3
)

// Refusals of report files: the client refused to fetch, or to go on
// fetching, a result link.
var (
	// ErrFileHostNotAllowed means the link, or a redirect, names a host
	// Files.Hosts does not list; nothing was sent to it.
	ErrFileHostNotAllowed = errors.New("report file host not allowed")
	// ErrFileRedirect means the file's host redirected to another host,
	// or too many times; the redirect was not followed.
	ErrFileRedirect = errors.New("report file redirect refused")
	// ErrFileTooLarge means the file is over Files.MaxBytes.
	ErrFileTooLarge = errors.New("report file too large")
	// ErrFileSizeMismatch means the body did not match its Content-Length.
	ErrFileSizeMismatch = errors.New("report file size differs from its Content-Length")
	// ErrFileLinkExpired means the file's host refused the link with 403,
	// 404 or 410, as hosts of signed links answer one that expired or was
	// withdrawn. The error also holds the StatusError.
	ErrFileLinkExpired = errors.New("report file link refused by its host")
)

// Files configures the fetching of report files. A zero field selects the
// default documented on it.
type Files struct {
	// Hosts lists the hosts (host or host:port, as in a URL; compared
	// without regard to case) report files may be fetched from. Empty
	// means the API root's host alone.
	Hosts []string
	// MaxBytes bounds a file; zero means DefaultMaxFileBytes (64 MiB).
	MaxBytes int64
	// Timeout bounds a download from its first request to its last byte;
	// zero means DefaultFileTimeout (2 minutes).
	Timeout time.Duration
}

// opReportFile names report file downloads in errors, spans and metrics.
// It is no operation of the API's reference, so it is not declared in the
// catalog (Operations): the link comes from a run's result, whole.
var opReportFile = &Operation{
	method:   http.MethodGet,
	template: "{result.url}",
	name:     "GET {report_runs result.url}",
	family:   "report_files",
	idAt:     -1,
	tel:      newOpTelemetry("GET {report_runs result.url}"),
}

// ReportFileOperation returns the name report file downloads carry in
// errors, spans and metrics, "GET {report_runs result.url}".
func ReportFileOperation() string { return opReportFile.name }

// File is a report file being downloaded. Close it.
type File struct {
	// ContentType is the Content-Type the host sent, or "".
	ContentType string
	// Size is the Content-Length the host announced, or -1.
	Size int64
	// Body reads the file: at most the client's Files.MaxBytes, and
	// exactly Size when Size is known; reading past either fails with
	// ErrFileTooLarge or ErrFileSizeMismatch.
	Body io.Reader

	body   io.ReadCloser
	cancel context.CancelFunc
}

// Close ends the download and releases its connection.
func (f *File) Close() error {
	err := f.body.Close()
	f.cancel()
	return err
}

// files is a Client's report file settings, defaults filled.
type files struct {
	hosts    []string // lower case
	maxBytes int64
	timeout  time.Duration
}

func newFiles(f Files, base *url.URL) files {
	out := files{maxBytes: f.MaxBytes, timeout: f.Timeout}
	if out.maxBytes <= 0 {
		out.maxBytes = DefaultMaxFileBytes
	}
	if out.timeout <= 0 {
		out.timeout = DefaultFileTimeout
	}
	hosts := f.Hosts
	if len(hosts) == 0 {
		hosts = []string{base.Host}
	}
	for _, h := range hosts {
		out.hosts = append(out.hosts, strings.ToLower(strings.TrimSpace(h)))
	}
	return out
}

// allowed reports whether u may be fetched: http or https, no user
// information, and a host of the list.
func (f files) allowed(u *url.URL) bool {
	return (u.Scheme == "https" || u.Scheme == "http") && u.User == nil &&
		slices.Contains(f.hosts, strings.ToLower(u.Host))
}

// OpenReportFile starts downloading the report file at rawURL, a succeeded
// run's result.url, on behalf of token: the call waits for the token's
// turn, as every call does, but the token itself is never sent. It returns
// once the host has answered 2xx with a file within the size limit; a
// non-2xx answer is a *StatusError (403, 404 and 410 are how file hosts
// answer expired links). The download ends, at the latest, at
// Files.Timeout or when ctx ends.
func (c *Client) OpenReportFile(ctx context.Context, token Token, rawURL string) (*File, error) {
	op := opReportFile
	if token.IsZero() {
		return nil, fmt.Errorf("%s: %w", op, ErrNoToken)
	}
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() {
		return nil, fmt.Errorf("%s: %w: not an absolute URL", op, ErrFileHostNotAllowed)
	}
	if !c.files.allowed(u) {
		return nil, fmt.Errorf("%s: %w: %s", op, ErrFileHostNotAllowed, safeHost(u))
	}
	cl := call{op: op}
	if _, err := c.pace(ctx, token, cl); err != nil {
		return nil, err
	}
	select {
	case c.res.inFlight <- struct{}{}:
		// Held until the answer's headers are in: a slow reader must not
		// hold a slot for its whole download.
		defer func() { <-c.res.inFlight }()
	default:
		return nil, &RefusedError{Endpoint: op.name, Cause: ErrOverloaded}
	}
	dctx, cancel := context.WithTimeout(ctx, c.files.timeout)
	// Spans and metrics name the download by the operation, never by the
	// link, whose query is its signature.
	info := &attemptInfo{op: op, number: 1, breaker: "disabled"}
	var resp *http.Response
	var span trace.Span
	run := func() (struct{}, error) {
		var err error
		resp, span, err = c.fileRequest(dctx, info, u)
		if err != nil && ctx.Err() != nil {
			// The caller's deadline or cancellation, not the host, ended
			// the request: the breaker leaves it out (see guardedAttempt).
			return struct{}{}, &classified{err: err, outcome: OutcomeCanceled}
		}
		return struct{}{}, classify(err)
	}
	if c.res.Breaker.Disabled {
		_, err = run()
	} else {
		b := c.res.breaker(op.family)
		_, err = b.cb.Execute(run)
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			cancel()
			return nil, &RefusedError{Endpoint: op.name, Cause: ErrCircuitOpen, RetryAfter: b.retryAfter()}
		}
	}
	var cerr *classified
	if errors.As(err, &cerr) {
		err = cerr.err
	}
	if err != nil {
		cancel()
		return nil, err
	}
	// The download's span lasts until the file is closed.
	f := &File{ContentType: resp.Header.Get("Content-Type"), Size: resp.ContentLength, body: resp.Body, cancel: func() { span.End(); cancel() }}
	if f.Size > c.files.maxBytes {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w: %d bytes announced, at most %d", op, ErrFileTooLarge, f.Size, c.files.maxBytes)
	}
	f.Body = &limitedBody{r: resp.Body, left: c.files.maxBytes, size: f.Size, max: c.files.maxBytes}
	return f, nil
}

// fileRequest sends the GET for u, following redirects within u's scheme
// and host, and returns the 2xx answer, open, with its span, which the
// caller ends. Each request of the chain is a span, described by info.
func (c *Client) fileRequest(ctx context.Context, info *attemptInfo, u *url.URL) (*http.Response, trace.Span, error) {
	op := opReportFile
	for hops := 0; ; hops++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w: %w", op, ErrInvalidRequest, stripURL(err))
		}
		// No Authorization: the link is signed, and the token is the
		// caller's key to the whole API.
		req.Header.Set("User-Agent", c.userAgent)
		countAttempt(ctx)
		span := c.tel.start(req, info)
		began := time.Now()
		resp, err := c.http.Do(req)
		c.tel.answered(span, req, op, began, resp, err)
		if err != nil {
			span.End()
			return nil, nil, fmt.Errorf("%s: %w", op, stripURL(err))
		}
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode <= 299:
			return resp, span, nil
		case resp.StatusCode >= 300 && resp.StatusCode <= 399 && resp.Header.Get("Location") != "":
			_ = resp.Body.Close()
			span.End()
			next, err := u.Parse(resp.Header.Get("Location"))
			if err != nil || next.Scheme != u.Scheme || !strings.EqualFold(next.Host, u.Host) || next.User != nil {
				return nil, nil, fmt.Errorf("%s: %w: to another host", op, ErrFileRedirect)
			}
			if hops >= maxFileRedirects {
				return nil, nil, fmt.Errorf("%s: %w: more than %d redirects", op, ErrFileRedirect, maxFileRedirects)
			}
			u = next
		default:
			data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			_ = resp.Body.Close()
			span.End()
			se := newStatusError(op.name, resp, data, "", c.now())
			if s := resp.StatusCode; s == http.StatusForbidden || s == http.StatusNotFound || s == http.StatusGone {
				return nil, nil, fmt.Errorf("%w (%d): %w", ErrFileLinkExpired, s, se)
			}
			return nil, nil, se
		}
	}
}

// safeHost names u's host for an error: never its path or query, which
// carry the link's signature.
func safeHost(u *url.URL) string {
	if u.Host == "" {
		return "(no host)"
	}
	return strconv.Quote(u.Host)
}

// limitedBody reads at most max bytes, and exactly size when size >= 0.
type limitedBody struct {
	r         io.Reader
	left      int64
	read      int64
	size, max int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		// One byte more tells a file of exactly max bytes from a longer one.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%s: %w: over %d bytes", opReportFile, ErrFileTooLarge, b.max)
		}
		return 0, b.end(err)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	b.read += int64(n)
	return n, b.end(err)
}

// end checks the end of the body, or wraps a read error.
func (b *limitedBody) end(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF) && b.size >= 0 && b.read != b.size:
		return fmt.Errorf("%s: %w: %d of %d bytes", opReportFile, ErrFileSizeMismatch, b.read, b.size)
	case errors.Is(err, io.EOF):
		return io.EOF
	}
	return fmt.Errorf("%s: read: %w", opReportFile, stripURL(err))
}
