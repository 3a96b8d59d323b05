package upstream

import (
	"net/http"
	"testing"
	"time"
)

// FuzzTimeUnmarshal: no upstream value may fail a body or panic; a value
// either decodes, or is the zero Time (with Invalid for garbage).
func FuzzTimeUnmarshal(f *testing.F) {
	for _, seed := range []string{
		`1601361643.726711`, `"2021-07-19T16:02:11.394597Z"`, `"2022-03-10 15:37:30.756187+00:00"`,
		`"2016-06-28"`, `"2021-26-10T21:19:18.391311Z"`, `null`, `""`, `1e400`, `"\u0032016-06-28"`, `-1`, `[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got Time
		if err := got.UnmarshalJSON(raw); err != nil {
			t.Fatalf("UnmarshalJSON(%q) error = %v, want tolerance", raw, err)
		}
		if got.Invalid && !got.IsZero() {
			t.Errorf("UnmarshalJSON(%q) = %v with Invalid set, want the zero time", raw, got.Time)
		}
		if !got.IsZero() && got.Location() != time.UTC {
			t.Errorf("UnmarshalJSON(%q) location = %v, want UTC", raw, got.Location())
		}
	})
}

// FuzzErrorBody: any error answer becomes a StatusError with its status,
// a bounded message, and no panic.
func FuzzErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"detail":"Not found."}`, `{"name":["This field is required."]}`, `{"errors":{"a":{"b":["c"]}}}`,
		`["x", {"y": 1}]`, `<html>502</html>`, "plain\ntext", ``, `{"detail": null}`, `{"error": [[[]]]}`,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		resp := &http.Response{StatusCode: 418, Header: http.Header{"Content-Type": {contentType}, "Retry-After": {string(body)}}}
		e := newStatusError("GET /x/", resp, body, "rid", time.Unix(0, 0))
		if e.StatusCode != 418 || e.Endpoint != "GET /x/" || len(e.Message) > maxMessageLen+len("…") || e.Message == "" {
			t.Errorf("newStatusError(%q) = %+v", body, e)
		}
		if e.RetryAfter < 0 {
			t.Errorf("RetryAfter = %v, want >= 0", e.RetryAfter)
		}
	})
}

// FuzzPageDecoding: a list body either decodes or fails with an error,
// never a panic.
func FuzzPageDecoding(f *testing.F) {
	for _, seed := range []string{
		`{"results":[{"id":1}],"more":"true","nextUrl":"/x?page=2"}`, `{"results":null,"more":null}`, `[]`, `{"more":{"a":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var p Page[Goal]
		_ = decodeJSON(raw, &p)
	})
}
