package sandbox

import (
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
)

// ident is a reference to an object as a caller wrote it: an integer id or
// a UUID. Exactly one of the fields is set.
type ident struct {
	id   int64
	uuid string // lower case
}

// parseIdent reads s as a positive integer id or, when allowUUID is set, a
// UUID in its 8-4-4-4-12 form. The reference's own UUIDs hold letters
// beyond f ("b9jl2638"), so any letter or digit is accepted in the groups.
func parseIdent(s string, allowUUID bool) (ident, bool) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ident{id: id}, id > 0
	}
	if allowUUID && looksLikeUUID(s) {
		return ident{uuid: strings.ToLower(s)}, true
	}
	return ident{}, false
}

// looksLikeUUID reports whether s has the 8-4-4-4-12 shape of a UUID.
func looksLikeUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// newUUID draws a version 4 UUID from r, so that seeded objects keep their
// UUIDs from run to run.
func newUUID(r *rand.Rand) string {
	var b [16]byte
	x, y := r.Uint64(), r.Uint64()
	for i := range 8 {
		b[i] = byte(x >> (8 * i))
		b[8+i] = byte(y >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// itoa formats n in base 10.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
