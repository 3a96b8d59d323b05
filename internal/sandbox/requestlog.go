package sandbox

import (
	"maps"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Request is one request as it reached the sandbox, so that tests can prove
// what reached the upstream, and what never did. It never holds the API
// token: the Authorization header is not recorded.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the request path as sent, such as "/api/v1/goals/42/".
	Path string
	// Endpoint is the template the request matched, such as
	// "GET /goals/{id}/", or "" for an unknown path or a method the path
	// does not allow.
	Endpoint string
	// Query is the parsed query string.
	Query url.Values
	// Body holds at most the first 64 KiB of the request body.
	Body []byte
	// RequestID is the X-Request-Id header, or "".
	RequestID string
	// UserAgent is the User-Agent header, or "".
	UserAgent string
	// Traceparent is the W3C traceparent header, or "".
	Traceparent string
	// Canceled reports that the request's context ended before the
	// sandbox answered (during a fault's latency, or while answering).
	Canceled bool
	// Status is the status of the answer, or 0 when none was sent because
	// the request was canceled first.
	Status int
	// Dropped reports that a Drop fault closed the connection instead of
	// sending the answer of Status.
	Dropped bool
	// At is when the request arrived, by Config.Now.
	At time.Time
}

const (
	// requestLogLimit bounds the log: it keeps the most recent requests,
	// so a long-running demo server does not grow without bound.
	requestLogLimit = 10000
	// requestLogBodyLimit bounds the body kept for each request.
	requestLogBodyLimit = 64 << 10
)

// requestLog is a ring of the latest requests, a count per endpoint and
// a count of dropped answers per endpoint. It is safe for concurrent use.
type requestLog struct {
	mu      sync.Mutex
	entries []Request // ring of at most requestLogLimit
	start   int       // index of the oldest entry once the ring is full
	counts  map[string]int
	dropped map[string]int
}

// add logs r and counts its endpoint.
func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts, l.dropped = map[string]int{}, map[string]int{}
	}
	l.counts[r.Endpoint]++
	if r.Dropped {
		l.dropped[r.Endpoint]++
	}
	if len(l.entries) < requestLogLimit {
		l.entries = append(l.entries, r)
		return
	}
	l.entries[l.start] = r
	l.start = (l.start + 1) % requestLogLimit
}

// Requests returns the logged requests, oldest first: every request the
// sandbox handled, including those it refused or a fault answered, up to
// the latest 10,000. A request is logged just before its answer is written,
// so a client holding an answer finds its request here. A request whose
// client gave up is logged when the sandbox notices; to assert on it, wait
// for the handler to finish (httptest.Server.Close waits for all of them).
func (s *Sandbox) Requests() []Request {
	l := &s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.entries))
	out = append(out, l.entries[l.start:]...)
	out = append(out, l.entries[:l.start]...)
	for i := range out {
		out[i].Query = maps.Clone(out[i].Query)
		out[i].Body = slices.Clone(out[i].Body)
	}
	return out
}

// ResetRequests empties the request log and the counts behind Count and
// CountDropped.
func (s *Sandbox) ResetRequests() {
	l := &s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
	l.start = 0
	l.counts, l.dropped = nil, nil
}

// Count returns how many requests matched endpoint (a template such as
// "GET /goals/{id}/") since New or the last ResetRequests. Unlike
// Requests it is not bounded by the log's size. Count("") counts the
// requests that matched no endpoint.
func (s *Sandbox) Count(endpoint string) int {
	l := &s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[endpoint]
}

// CountDropped returns how many requests matching endpoint a Drop fault
// answered by closing the connection (their Request.Dropped is set) since
// New or the last ResetRequests. Like Count, it is not bounded by the
// log's size.
func (s *Sandbox) CountDropped(endpoint string) int {
	l := &s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped[endpoint]
}
