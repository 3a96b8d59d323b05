package seal

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// MinKeyBytes is the shortest key accepted: 32 bytes (256 bits), written
// as 64 hex digits.
const MinKeyBytes = 32

// Key is a secret key that seals tokens. Printing or logging it shows
// "[redacted]". The zero Key is not a key; make one with GenerateKey or
// ParseKey.
type Key struct{ b []byte }

// GenerateKey returns a new random key of MinKeyBytes bytes.
func GenerateKey() Key {
	b := make([]byte, MinKeyBytes)
	_, _ = rand.Read(b) // never fails (see crypto/rand.Read)
	return Key{b: b}
}

// ParseKey reads a key written as hex digits (either case), at least
// MinKeyBytes bytes long, such as the output of `openssl rand -hex 32`.
// Its errors never quote the key.
func ParseKey(text string) (Key, error) {
	b, err := hex.DecodeString(text)
	switch {
	case err != nil:
		return Key{}, errors.New("a key is hex digits, such as the output of `openssl rand -hex 32`")
	case len(b) < MinKeyBytes:
		return Key{}, fmt.Errorf("a key needs at least %d bytes (%d hex digits), got %d", MinKeyBytes, 2*MinKeyBytes, len(b))
	}
	return Key{b: b}, nil
}

// ParseKeys reads keys separated by white space or commas, in order (the
// first seals, see Settings.Keys). A line whose first non-blank character
// is '#' is a comment. It fails if there is no key or a key is invalid,
// naming the key by its position (1 for the first), never by its value.
func ParseKeys(text string) ([]Key, error) {
	var keys []Key
	for line := range strings.Lines(text) {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, field := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || strings.ContainsRune(" \t\r\n", r) }) {
			k, err := ParseKey(field)
			if err != nil {
				return nil, fmt.Errorf("key %d: %w", len(keys)+1, err)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no key")
	}
	return keys, nil
}

// ReadKeysFile reads the keys of the file at path with ParseKeys.
func ReadKeysFile(path string) ([]Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseKeys(string(b))
}

// String returns "[redacted]".
func (Key) String() string { return "[redacted]" }

// GoString returns a redacted Go form.
func (Key) GoString() string { return "seal.Key{[redacted]}" }

// LogValue returns "[redacted]".
func (Key) LogValue() slog.Value { return slog.StringValue("[redacted]") }
