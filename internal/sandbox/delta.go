package sandbox

import (
	"net/url"
	"strings"
	"time"
)

// Delta filters (delta_start, delta_end) select objects by their
// modified_on, as the reference's "Delta Filters" section says:
//
//   - Values are ISO 8601: a date YYYY-MM-DD, or a date and time
//     YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional zone (Z, +HH:MM, -HH:MM
//     or +HHMM). A time without a zone is UTC.
//   - A date-only delta_start means 00:00:00 of that day; a date-only
//     delta_end means 23:59:59 of that day.
//   - Both bounds are inclusive. A bound is inclusive at its own precision:
//     delta_end=2019-01-31 includes 23:59:59.999999, delta_end=...T12:00:00
//     includes 12:00:00.5, and delta_end=...T12:00:00.250Z includes
//     12:00:00.250999.
//   - A zone offset's "+" arrives as a space when the caller did not
//     percent-encode it; the sandbox reads the space as "+".
//   - Any other shape answers 400 {"delta_start": ["..."]} naming the parameter.
//   - delta_start after delta_end is not an error; it selects nothing.

// deltaRange is a parsed pair of delta filters. A zero bound is open.
type deltaRange struct {
	from, to time.Time
}

// msgDeltaFormat is the message of a malformed delta filter.
const msgDeltaFormat = "Invalid date format. Use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or YYYY-MM-DDTHH:MM:SS.SSSZ."

// parseDelta reads delta_start and delta_end from q.
func parseDelta(q url.Values) (deltaRange, *apiError) {
	var d deltaRange
	if v := q.Get("delta_start"); v != "" {
		t, ok := parseISOBound(v, false)
		if !ok {
			return d, fieldError("delta_start", msgDeltaFormat)
		}
		d.from = t
	}
	if v := q.Get("delta_end"); v != "" {
		t, ok := parseISOBound(v, true)
		if !ok {
			return d, fieldError("delta_end", msgDeltaFormat)
		}
		d.to = t
	}
	return d, nil
}

// contains reports whether t lies within the range, bounds included.
func (d deltaRange) contains(t time.Time) bool {
	if !d.from.IsZero() && t.Before(d.from) {
		return false
	}
	if !d.to.IsZero() && t.After(d.to) {
		return false
	}
	return true
}

// active reports whether either bound is set.
func (d deltaRange) active() bool { return !d.from.IsZero() || !d.to.IsZero() }

// parseISOBound reads one delta value. For an upper bound (end) the result
// is the last microsecond the value covers at its precision.
func parseISOBound(v string, end bool) (time.Time, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(v), " ", "+")
	if len(v) == len("2006-01-02") {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return time.Time{}, false
		}
		if end {
			t = t.Add(24*time.Hour - time.Microsecond)
		}
		return t, true
	}
	if len(v) < len("2006-01-02T15:04") || v[10] != 'T' {
		return time.Time{}, false
	}
	clock := v[11:]
	precision := time.Minute
	if len(clock) >= 8 && clock[5] == ':' {
		precision = time.Second
	}
	if _, fraction, ok := strings.Cut(clock, "."); ok {
		precision = fractionPrecision(fraction)
	}
	for _, layout := range deltaLayouts {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		t = t.UTC()
		if end {
			t = t.Truncate(precision).Add(precision - time.Microsecond)
		}
		return t, true
	}
	return time.Time{}, false
}

// fractionPrecision is the precision of a fraction of a second as written,
// digits first ("646Z" is milliseconds), never finer than the microsecond
// the sandbox stores.
func fractionPrecision(fraction string) time.Duration {
	precision := time.Second
	for _, c := range fraction {
		if c < '0' || c > '9' || precision == time.Microsecond {
			break
		}
		precision /= 10
	}
	return precision
}

// deltaLayouts are the extended ISO shapes accepted after the date. When
// parsing, Go accepts a fractional second after the seconds field even if
// the layout has none.
var deltaLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
}
