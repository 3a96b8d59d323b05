package upstream

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Time is an instant as Betterworks sends it. The upstream uses four shapes
// for instants, sometimes in one body: epoch seconds as a number
// (1601361643.726711), RFC 3339 ("2021-07-19T16:02:11.394597Z"), a space
// separated form with a numeric offset ("2022-03-10 15:37:30.756187+00:00"),
// and a plain date ("2016-06-28", read as midnight UTC). Time accepts all of
// them. A null, an empty string or a value that is not a valid instant (the
// reference shows "2021-26-10T21:19:18Z") decodes to the zero Time instead of
// failing the whole body; Invalid reports the latter case.
type Time struct {
	time.Time
	// Invalid is true when the upstream sent a value that no known shape
	// could read. The raw value is dropped.
	Invalid bool
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	time.DateOnly,
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	*t = Time{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	if b[0] != '"' {
		secs, err := strconv.ParseFloat(string(b), 64)
		if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
			t.Invalid = true
			return nil
		}
		whole, frac := math.Modf(secs)
		// Round to microseconds: the upstream sends six decimals and a
		// float64 cannot hold more of them exactly.
		nanos := math.Round(frac*1e6) * 1e3
		t.Time = time.Unix(int64(whole), int64(nanos)).UTC()
		return nil
	}
	if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		// No escapes: the common case, without a second decode.
		if parsed, ok := parseRFC3339(b[1 : len(b)-1]); ok {
			t.Time = parsed
			return nil
		}
		t.parse(string(b[1 : len(b)-1]))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		t.Invalid = true
		return nil
	}
	t.parse(s)
	return nil
}

// parse sets t to the instant s holds in any shape ParseTime reads; an
// empty s leaves t zero, and any other s marks t Invalid.
func (t *Time) parse(s string) {
	if s == "" {
		return
	}
	parsed, ok := ParseTime(s)
	if !ok {
		t.Invalid = true
		return
	}
	t.Time = parsed
}

// MarshalJSON implements json.Marshaler as RFC 3339 in UTC, or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// rfc3339Max is the longest RFC 3339 instant: nanoseconds and an offset.
const rfc3339Max = len("2006-01-02T15:04:05.999999999-07:00")

// parseRFC3339 reads, straight from a body's bytes, the shapes most
// instants come in: RFC 3339, and the same with a space for the T. It is
// the first layout of ParseTime's, and the second's with the space, read
// by time.Time's UnmarshalText, which parses RFC 3339 bytes without
// allocating, where time.Parse needs a string. UnmarshalText is stricter
// than time.Parse (two-digit hours, offsets under 24 hours), and what it
// accepts time.Parse reads alike; ok is false for anything else, which
// ParseTime then reads.
func parseRFC3339(b []byte) (t time.Time, ok bool) {
	var spaced [rfc3339Max]byte
	if len(b) > len("2006-01-02") && b[len("2006-01-02")] == ' ' {
		if len(b) > len(spaced) {
			return time.Time{}, false
		}
		n := copy(spaced[:], b)
		spaced[len("2006-01-02")] = 'T'
		b = spaced[:n]
	}
	if t.UnmarshalText(b) != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// ParseTime reads an instant in any of the string shapes Time accepts. A
// value without an offset is read as UTC.
func ParseTime(s string) (time.Time, bool) {
	for _, layout := range timeLayouts {
		if parsed, err := time.Parse(layout, s); err == nil {
			return parsed.UTC(), true
		}
	}
	return time.Time{}, false
}
