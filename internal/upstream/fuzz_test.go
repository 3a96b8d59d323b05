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

// FuzzParseRFC3339: the fast path of Time reads only what ParseTime reads,
// and reads it alike.
func FuzzParseRFC3339(f *testing.F) {
	for _, seed := range []string{
		"2021-07-19T16:02:11.394597Z", "2022-03-10 15:37:30.756187+00:00", "2022-03-10 17:37:30+02:00",
		"2020-11-26T17:06:06.000Z", "2021-07-19T18:02:11.394597+02:00", "2021-07-19T16:02:11.1234567891Z",
		"2021-07-19T16:02:11,5Z", "2021-07-19t16:02:11Z", "2021-07-19T24:00:00Z", "2016-12-31T23:59:60Z",
		"2021-02-29T00:00:00Z", "2021-07-19T16:02:11+23:59", "2021-07-19T16:02:11+24:00", "2021-07-19 6:02:11Z",
		"2022-03-10 15:37:30.756187", "2016-06-28", "2021-26-10T21:19:18.391311Z", "0000-01-01T00:00:00Z",
		"2022-03-10  15:37:30Z", "2022-03-10 15:37:30.123456789123456789-07:00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseRFC3339([]byte(s))
		if !ok {
			return
		}
		want, wantOK := ParseTime(s)
		if !wantOK || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseRFC3339(%q) = %v, want ParseTime's %v, %t (in UTC)", s, got, want, wantOK)
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
