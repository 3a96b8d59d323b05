package upstream

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every printed form of a Token shows.
const redacted = "[redacted]"

// Token is a Betterworks API token. It carries the permissions of the
// Betterworks user it belongs to. Printing, formatting or logging a Token,
// with any verb and also inside another value, shows "[redacted]"; only the
// client's request path reads the raw value.
type Token struct {
	// value is behind a pointer so that even fmt's reflection over a struct
	// holding a Token in an unexported field prints an address, not the
	// secret.
	value *tokenValue
}

type tokenValue struct {
	raw string
	// key names the token in rate limiters: a hash, never the token.
	key string
}

// NewToken wraps a raw API token.
func NewToken(raw string) Token {
	if raw == "" {
		return Token{}
	}
	sum := sha256.Sum256([]byte(raw))
	return Token{value: &tokenValue{raw: raw, key: "token:" + hex.EncodeToString(sum[:16])}}
}

// limiterKey names the token in rate limiters and logs of them: the first
// 128 bits of its SHA-256, so the token cannot be recovered from it.
func (t Token) limiterKey() string {
	if t.value == nil {
		return ""
	}
	return t.value.key
}

// ID names the token without revealing it, for grouping the work done
// with one token: the first 128 bits of its SHA-256, in hex.
func (t Token) ID() string { return t.limiterKey() }

// IsZero reports whether t holds no token.
func (t Token) IsZero() bool { return t.value == nil }

// Equal reports whether t and u hold the same token, comparing in
// constant time.
func (t Token) Equal(u Token) bool {
	return t.IsZero() == u.IsZero() && subtle.ConstantTimeCompare([]byte(t.raw()), []byte(u.raw())) == 1
}

// raw returns the token for the Authorization header.
func (t Token) raw() string {
	if t.value == nil {
		return ""
	}
	return t.value.raw
}

// String implements fmt.Stringer without revealing the token.
func (Token) String() string { return redacted }

// GoString implements fmt.GoStringer without revealing the token.
func (Token) GoString() string { return "upstream.Token{" + redacted + "}" }

// Format implements fmt.Formatter: every verb, %d and %x included, shows
// "[redacted]".
func (Token) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue implements slog.LogValuer without revealing the token.
func (Token) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText keeps the token out of JSON and text encodings.
func (Token) MarshalText() ([]byte, error) { return []byte(redacted), nil }
