package sandbox

import (
	"strconv"
	"time"
)

// The reference shows instants and dates in four shapes, chosen per field.
// Each type below marshals one of them; the zero time marshals as null, so a
// nullable field is simply a zero time.
//
//	epochTime  1601361643.726711                   created, updated, last_edited, shared_on...
//	rfcTime    "2022-01-18T18:43:01.859716Z"        created_on, modified_on (most resources)
//	milliTime  "2020-11-26T17:06:06.000Z"           conversation templates' created_on/modified_on
//	spaceTime  "2022-03-10 15:37:30.756187+00:00"   conversations' created_on/modified_on
//	isoDate    "2016-06-28"                         start, end and other calendar dates
//
// Every value is written in UTC with microsecond precision at most, the
// precision of the upstream's database.

// epochTime marshals as Unix seconds with a fractional part, like Python's
// repr of a float: 1606266306.0 or 1617389428.763803.
type epochTime time.Time

// MarshalJSON implements json.Marshaler.
func (t epochTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	return appendEpoch(nil, tt), nil
}

// appendEpoch appends t as Unix seconds with at most six decimals and at
// least one, so that the value always reads as a float.
func appendEpoch(b []byte, t time.Time) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, float64(t.UnixMicro())/1e6, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, '.', '0')
}

// epochSeconds is t as Unix seconds with microseconds, the number appendEpoch writes.
func epochSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// rfcTime marshals as RFC 3339 in UTC with microseconds and a Z.
type rfcTime time.Time

// MarshalJSON implements json.Marshaler.
func (t rfcTime) MarshalJSON() ([]byte, error) {
	return appendLayout(time.Time(t), `"2006-01-02T15:04:05.000000Z"`), nil
}

// milliTime marshals as RFC 3339 in UTC with milliseconds and a Z.
type milliTime time.Time

// MarshalJSON implements json.Marshaler.
func (t milliTime) MarshalJSON() ([]byte, error) {
	return appendLayout(time.Time(t), `"2006-01-02T15:04:05.000Z"`), nil
}

// spaceTime marshals as Python's str of an aware datetime: a space between
// date and time, microseconds and a numeric offset (+00:00).
type spaceTime time.Time

// MarshalJSON implements json.Marshaler.
func (t spaceTime) MarshalJSON() ([]byte, error) {
	return appendLayout(time.Time(t), `"2006-01-02 15:04:05.000000-07:00"`), nil
}

// isoDate marshals a calendar date as YYYY-MM-DD.
type isoDate time.Time

// MarshalJSON implements json.Marshaler.
func (t isoDate) MarshalJSON() ([]byte, error) {
	return appendLayout(time.Time(t), `"2006-01-02"`), nil
}

// appendLayout formats t in UTC with layout, or null for the zero time.
func appendLayout(t time.Time, layout string) []byte {
	if t.IsZero() {
		return []byte("null")
	}
	return t.UTC().AppendFormat(make([]byte, 0, len(layout)+8), layout)
}

// day returns the calendar date of t in UTC, as midnight UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
