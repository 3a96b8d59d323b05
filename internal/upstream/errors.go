package upstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors of the client. They are wrapped with the endpoint
// template, so errors.Is finds them.
var (
	// ErrMalformedResponse means the upstream answered 2xx with a body that
	// is not the JSON the endpoint documents.
	ErrMalformedResponse = errors.New("malformed upstream response")
	// ErrResponseTooLarge means the body exceeded Config.MaxResponseBytes.
	ErrResponseTooLarge = errors.New("upstream response too large")
	// ErrInvalidRequest means the request could not be encoded for the
	// upstream (for example a date that is not YYYY-MM-DD). Nothing was sent.
	ErrInvalidRequest = errors.New("invalid upstream request")
	// ErrNoToken means the call carried no upstream token. Nothing was sent.
	ErrNoToken = errors.New("no upstream token")
)

// maxMessageLen bounds the upstream's own words kept in a StatusError.
const maxMessageLen = 512

// StatusError is a non-2xx answer from Betterworks.
type StatusError struct {
	// StatusCode is the HTTP status the upstream answered.
	StatusCode int
	// Endpoint is the endpoint template, such as "GET /goals/{id}/": never
	// a URL with ids, never a token.
	Endpoint string
	// Message is the upstream's own explanation, truncated to 512 bytes.
	// It comes from "detail", "error", "message" or "errors" in a JSON body,
	// or from the first line of a plain-text body.
	Message string
	// FieldErrors holds per-field messages of a validation answer such as
	// {"name": ["This field is required."]}, keyed by the upstream's field
	// name. Nil when the body had none.
	FieldErrors map[string][]string
	// RetryAfter is the wait the upstream asked for in Retry-After (seconds
	// or an HTTP date); zero when absent.
	RetryAfter time.Duration
	// RequestID is the X-Request-Id the client sent with the request.
	RequestID string
}

func (e *StatusError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s: betterworks answered %d", e.Endpoint, e.StatusCode)
	}
	return fmt.Sprintf("%s: betterworks answered %d: %s", e.Endpoint, e.StatusCode, e.Message)
}

// newStatusError reads what it can from a non-2xx answer. body is already
// bounded by the caller.
func newStatusError(endpoint string, resp *http.Response, body []byte, requestID string, now time.Time) *StatusError {
	e := &StatusError{
		StatusCode: resp.StatusCode,
		Endpoint:   endpoint,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
		RequestID:  requestID,
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case len(body) == 0:
		e.Message = http.StatusText(resp.StatusCode)
	case json.Valid(body):
		e.Message, e.FieldErrors = decodeErrorBody(body)
	case mediaType == "text/html" || strings.HasPrefix(strings.TrimSpace(string(body)), "<"):
		// A proxy's error page: its markup helps nobody.
		e.Message = http.StatusText(resp.StatusCode) + " (non-JSON body)"
	default:
		line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
		e.Message = line
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.Message = truncate(e.Message, maxMessageLen)
	return e
}

// decodeErrorBody reads the error shapes the upstream uses: {"detail": ...},
// {"error": ...}, {"message": ...}, {"errors": ...} and per-field maps
// {"field": ["message", ...]}, as well as a bare string or list.
func decodeErrorBody(body []byte) (string, map[string][]string) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return strings.Join(flattenMessages(v), "; "), nil
	}
	for _, key := range []string{"detail", "error", "message", "errors", "non_field_errors"} {
		if msg, ok := obj[key]; ok {
			if nested, ok := msg.(map[string]any); ok && key == "errors" {
				fields := fieldErrors(nested)
				return summarizeFields(fields), fields
			}
			return strings.Join(flattenMessages(msg), "; "), nil
		}
	}
	fields := fieldErrors(obj)
	return summarizeFields(fields), fields
}

func fieldErrors(obj map[string]any) map[string][]string {
	if len(obj) == 0 {
		return nil
	}
	fields := make(map[string][]string, len(obj))
	for name, msg := range obj {
		fields[name] = flattenMessages(msg)
	}
	return fields
}

func summarizeFields(fields map[string][]string) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, name+": "+strings.Join(fields[name], " "))
	}
	return strings.Join(parts, "; ")
}

func flattenMessages(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, item := range v {
			out = append(out, flattenMessages(item)...)
		}
		return out
	case map[string]any:
		return []string{summarizeFields(fieldErrors(v))}
	default:
		b, _ := json.Marshal(v)
		return []string{string(b)}
	}
}

// parseRetryAfter reads Retry-After as delay seconds or an HTTP date. A
// missing, malformed or past value is zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil || !at.After(now) {
		return 0
	}
	return at.Sub(now)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
