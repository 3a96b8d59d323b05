package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
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

// Bounds of what a StatusError keeps of the upstream's words, which reach
// the facade's callers: the upstream's messages are short sentences, so
// anything longer is not meant for them.
const (
	// maxMessageLen bounds Message and each message of FieldErrors, in
	// characters; longer ones are cut on a character boundary and end
	// with "…".
	maxMessageLen = 200
	// maxFieldErrors bounds the fields kept in FieldErrors (the first in
	// name order).
	maxFieldErrors = 20
)

// StatusError is a non-2xx answer from Betterworks.
type StatusError struct {
	// StatusCode is the HTTP status the upstream answered.
	StatusCode int
	// Endpoint is the endpoint template, such as "GET /goals/{id}/": never
	// a URL with ids, never a token.
	Endpoint string
	// Message is the upstream's explanation meant for a client: the
	// string (or strings) of "detail", "error", "message", "errors" or
	// "non_field_errors" in a JSON body, or a summary of its per-field
	// messages; whitespace runs become one space, and it is cut to 200
	// characters. Otherwise, and for an explanation with markup in it, it
	// is the status text ("Bad Request"), followed by " (non-JSON body)"
	// when the body was not JSON: a proxy's HTML page or a crash's text is
	// not meant for a client.
	Message string
	// FieldErrors holds per-field messages of a validation answer such as
	// {"name": ["This field is required."]}, keyed by the upstream's field
	// name, cleaned and cut as Message is; at most 20 fields, whose names
	// look like field names. Nil when the body had none.
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
	switch {
	case len(bytes.TrimSpace(body)) == 0:
	case json.Valid(body):
		e.Message, e.FieldErrors = decodeErrorBody(body)
	default:
		// A proxy's error page, a crash's trace: not meant for a client.
		e.Message = http.StatusText(resp.StatusCode) + " (non-JSON body)"
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
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
		return clientText(strings.Join(flattenMessages(v), "; ")), nil
	}
	for _, key := range []string{"detail", "error", "message", "errors", "non_field_errors"} {
		if msg, ok := obj[key]; ok {
			if nested, ok := msg.(map[string]any); ok && key == "errors" {
				fields := fieldErrors(nested)
				return clientText(summarizeFields(fields)), fields
			}
			return clientText(strings.Join(flattenMessages(msg), "; ")), nil
		}
	}
	fields := fieldErrors(obj)
	return clientText(summarizeFields(fields)), fields
}

// fieldName matches what the upstream's field names look like; other keys
// of a JSON object are not field errors.
var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$`)

// fieldErrors reads a per-field map: the first maxFieldErrors fields, in
// name order, that have a field's name and at least one message.
func fieldErrors(obj map[string]any) map[string][]string {
	names := make([]string, 0, len(obj))
	for name := range obj {
		if fieldName.MatchString(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	fields := make(map[string][]string)
	for _, name := range names {
		if len(fields) == maxFieldErrors {
			break
		}
		var msgs []string
		for _, msg := range flattenMessages(obj[name]) {
			if msg = clientText(msg); msg != "" {
				msgs = append(msgs, msg)
			}
		}
		if len(msgs) > 0 {
			fields[name] = msgs
		}
	}
	if len(fields) == 0 {
		return nil
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
	default: // numbers, booleans: codes, not words for a client
		return nil
	}
}

// markup matches an HTML or XML tag.
var markup = regexp.MustCompile(`<[A-Za-z!/?][^>]*>`)

// clientText is s as a caller may read it: whitespace runs become one
// space, markup makes it "" (the status text stands in), and it is cut to
// maxMessageLen characters.
func clientText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if markup.MatchString(s) {
		return ""
	}
	return truncate(s, maxMessageLen)
}

// retryAfterCeiling is the longest Retry-After read: a longer delay,
// however many digits it has, is read as this one, which no pause or
// RetryInfo outlasts anyway.
const retryAfterCeiling = 24 * time.Hour

// parseRetryAfter reads Retry-After as delay seconds or an HTTP date, at
// most retryAfterCeiling. A missing, malformed or past value is zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	// A number too large for an int64 is read as the largest one.
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case secs < 0:
			return 0
		case secs > int64(retryAfterCeiling/time.Second):
			return retryAfterCeiling
		}
		return time.Duration(secs) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil || !at.After(now) {
		return 0
	}
	return min(at.Sub(now), retryAfterCeiling)
}

// truncate cuts s to n characters, ending it with "…" when it cuts.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}
