package protojsonenc

import (
	"math"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
)

type encodeFunc func([]byte, protoreflect.Message) ([]byte, error)

// wellKnown returns the encoder of the message google.protobuf.<name>
// when its JSON form is special, nil when it is an ordinary message
// (Empty among them: the mapping gives it none).
func wellKnown(name protoreflect.Name) encodeFunc {
	switch name {
	case "Timestamp":
		return appendTimestamp
	case "Duration":
		return appendDuration
	case "BoolValue", "Int32Value", "Int64Value", "UInt32Value", "UInt64Value",
		"FloatValue", "DoubleValue", "StringValue", "BytesValue":
		return appendWrapper
	case "Struct":
		return appendStruct
	case "ListValue":
		return appendListValue
	case "Value":
		return appendValue
	case "Any", "FieldMask":
		return leaveToProtojson
	}
	return nil
}

func leaveToProtojson(b []byte, _ protoreflect.Message) ([]byte, error) {
	return b, errProtojson
}

// The ranges protojson accepts, from the comments of timestamp.proto and
// duration.proto.
const (
	minTimestampSeconds = -62135596800 // 0001-01-01T00:00:00Z
	maxTimestampSeconds = 253402300799 // 9999-12-31T23:59:59Z
	maxDurationSeconds  = 315576000000 // 10,000 years
	maxNanos            = 999999999
)

// appendTimestamp appends m as RFC 3339 in UTC ("Z") with 0, 3, 6 or 9
// fractional digits, the fewest that hold its nanoseconds.
func appendTimestamp(b []byte, m protoreflect.Message) ([]byte, error) {
	fields := m.Descriptor().Fields()
	secs := m.Get(fields.ByNumber(1)).Int()
	nanos := m.Get(fields.ByNumber(2)).Int()
	if secs < minTimestampSeconds || secs > maxTimestampSeconds || nanos < 0 || nanos > maxNanos {
		return b, errProtojson
	}
	b = append(b, '"')
	b = time.Unix(secs, 0).UTC().AppendFormat(b, "2006-01-02T15:04:05")
	b = appendNanos(b, nanos)
	return append(b, 'Z', '"'), nil
}

// appendDuration appends m as seconds with 0, 3, 6 or 9 fractional
// digits and the suffix "s", signed as its seconds and nanos are.
func appendDuration(b []byte, m protoreflect.Message) ([]byte, error) {
	fields := m.Descriptor().Fields()
	secs := m.Get(fields.ByNumber(1)).Int()
	nanos := m.Get(fields.ByNumber(2)).Int()
	if secs < -maxDurationSeconds || secs > maxDurationSeconds ||
		nanos < -maxNanos || nanos > maxNanos ||
		secs > 0 && nanos < 0 || secs < 0 && nanos > 0 {
		return b, errProtojson
	}
	b = append(b, '"')
	if secs < 0 || nanos < 0 {
		b = append(b, '-')
		secs, nanos = -secs, -nanos
	}
	b = appendInt(b, secs)
	b = appendNanos(b, nanos)
	return append(b, 's', '"'), nil
}

// appendNanos appends the fraction of a second that nanos (0 to
// 999,999,999) makes: nothing for 0, else a dot and 3, 6 or 9 digits.
func appendNanos(b []byte, nanos int64) []byte {
	digits := 9
	switch {
	case nanos == 0:
		return b
	case nanos%1e6 == 0:
		nanos, digits = nanos/1e6, 3
	case nanos%1e3 == 0:
		nanos, digits = nanos/1e3, 6
	}
	b = append(b, '.')
	for p := int64(math.Pow10(digits - 1)); p > 0; p /= 10 {
		b = append(b, byte('0'+nanos/p%10))
	}
	return b
}

// appendWrapper appends the value a wrapper holds, as the scalar alone.
func appendWrapper(b []byte, m protoreflect.Message) ([]byte, error) {
	fd := m.Descriptor().Fields().ByNumber(1)
	return appendSingular(b, m.Get(fd), fd)
}

// appendStruct appends m's fields map as a JSON object.
func appendStruct(b []byte, m protoreflect.Message) ([]byte, error) {
	fd := m.Descriptor().Fields().ByNumber(1)
	return appendMap(b, m.Get(fd).Map(), fd)
}

// appendListValue appends m's values as a JSON array.
func appendListValue(b []byte, m protoreflect.Message) ([]byte, error) {
	fd := m.Descriptor().Fields().ByNumber(1)
	return appendList(b, m.Get(fd).List(), fd)
}

// appendValue appends the kind that m holds as that JSON value. A Value
// that holds none, or a number JSON cannot hold, is protojson's error.
func appendValue(b []byte, m protoreflect.Message) ([]byte, error) {
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("kind"))
	if fd == nil {
		return b, errProtojson
	}
	v := m.Get(fd)
	if fd.Number() == 2 { // number_value
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return b, errProtojson
		}
	}
	return appendSingular(b, v, fd)
}
