package upstream

import "log/slog"

// Token is a Betterworks API token. It carries the permissions of the
// Betterworks user it belongs to. Printing, formatting or logging a Token
// shows "[redacted]"; only the client's request path reads the raw value.
type Token struct{ value string }

// NewToken wraps a raw API token.
func NewToken(raw string) Token { return Token{value: raw} }

// IsZero reports whether t holds no token.
func (t Token) IsZero() bool { return t.value == "" }

// String implements fmt.Stringer without revealing the token.
func (Token) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer without revealing the token.
func (Token) GoString() string { return "upstream.Token{[redacted]}" }

// LogValue implements slog.LogValuer without revealing the token.
func (Token) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText keeps the token out of JSON and text encodings.
func (Token) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }
