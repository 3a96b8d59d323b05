package protojsonenc

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
)

// errInvalidUTF8 is left to protojson, whose error names the field.
var errInvalidUTF8 = errors.New("protojsonenc: invalid UTF-8")

// appendString appends s as a JSON string, escaped as protojson escapes:
// ", \ and the control characters below U+0020 only (\b \f \n \r \t by
// name, others as \u00XX in lower-case hex); everything else, <, > and &
// and U+2028 included, as it is. Invalid UTF-8 is an error.
func appendString(b []byte, s string) ([]byte, error) {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return b, errInvalidUTF8
			}
			b = append(b, s[i:i+n]...)
			i += n
			continue
		}
		// Copy the run of ASCII bytes that need no escape in one append.
		j := i
		for j < len(s) && s[j] < utf8.RuneSelf && s[j] >= ' ' && s[j] != '"' && s[j] != '\\' {
			j++
		}
		if j > i {
			b = append(b, s[i:j]...)
			i = j
			continue
		}
		b = append(b, '\\')
		switch c {
		case '"', '\\':
			b = append(b, c)
		case '\b':
			b = append(b, 'b')
		case '\f':
			b = append(b, 'f')
		case '\n':
			b = append(b, 'n')
		case '\r':
			b = append(b, 'r')
		case '\t':
			b = append(b, 't')
		default:
			const hex = "0123456789abcdef"
			b = append(b, 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
	}
	return append(b, '"'), nil
}

// appendFloat appends f as protojson writes a float of bitSize bits: the
// strings "NaN", "Infinity" and "-Infinity" for the values JSON numbers
// cannot hold, otherwise the shortest decimal that reads back as f, in
// exponent form below 1e-6 and from 1e21 (as encoding/json does), with a
// one-digit negative exponent kept to one digit (1e-7, not 1e-07).
func appendFloat(b []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bitSize == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bitSize == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bitSize)
	if format == 'e' {
		// strconv writes e-07; JSON readers and protojson prefer e-7.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func appendInt(b []byte, n int64) []byte   { return strconv.AppendInt(b, n, 10) }
func appendUint(b []byte, n uint64) []byte { return strconv.AppendUint(b, n, 10) }
