// Package seal authenticates small opaque tokens that the facade hands to
// its callers and later takes back, such as page tokens: a token opens only
// with a key of the server that sealed it, for the purpose and binding it
// was sealed for, before it expires. Tokens are signed, not encrypted: a
// caller who decodes one can read its payload but cannot change it.
//
// A token is the base64url (unpadded) encoding of
//
//	version (1 byte, 1) | expiry (uvarint, Unix seconds) | payload | tag (16 bytes)
//
// where tag is HMAC-SHA256, truncated to 16 bytes, over the purpose, the
// binding values and everything before the tag. The binding (who the token
// was issued to, what it was issued for) is authenticated but not carried,
// so it costs no bytes and shows nothing.
package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// DefaultTTL is how long a token opens after it is sealed when
// Settings.TTL is zero.
const DefaultTTL = 24 * time.Hour

const (
	version = 1
	tagLen  = 16
)

// Errors of Open. Both mean the token must not be used; ErrExpired is only
// returned for a token that is authentic in every other way, so a caller
// may be told to start over.
var (
	ErrInvalid = errors.New("token is malformed, altered, or sealed for another purpose, binding or key")
	ErrExpired = errors.New("token has expired")
)

// Settings configures a Sealer. A zero field selects the default documented
// on it.
type Settings struct {
	// Keys seal and open tokens: the first seals, every one opens, so a
	// new key can be listed second on every replica before it moves first,
	// and the old one removed once its tokens have expired: those of the
	// longest TTL of any purpose sealed with the same keys. Required.
	Keys []Key
	// TTL is how long a token opens after it is sealed. Zero means
	// DefaultTTL.
	TTL time.Duration
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Sealer seals and opens the tokens of one purpose. It is safe for
// concurrent use.
type Sealer struct {
	purpose string
	keys    []Key
	ttl     time.Duration
	now     func() time.Time
}

// New returns the Sealer of purpose, such as "page v1". Tokens of one
// purpose never open under another, so a purpose names both the use and
// the layout of the payload: changing the layout means changing the
// purpose. New panics if s.Keys is empty, as a Sealer cannot seal without a
// key; constructors that take Settings from their callers check first.
func New(purpose string, s Settings) *Sealer {
	if len(s.Keys) == 0 {
		panic("seal: New needs at least one key")
	}
	sl := &Sealer{purpose: purpose, keys: append([]Key(nil), s.Keys...), ttl: s.TTL, now: s.Now}
	if sl.ttl <= 0 {
		sl.ttl = DefaultTTL
	}
	if sl.now == nil {
		sl.now = time.Now
	}
	return sl
}

// TTL is how long a token opens after it is sealed.
func (s *Sealer) TTL() time.Duration { return s.ttl }

// Seal returns a token that carries payload and opens, with the same
// binding values in the same order, until the TTL has passed.
func (s *Sealer) Seal(payload []byte, binding ...string) string {
	expiry := s.now().Add(s.ttl).Unix()
	buf := make([]byte, 0, 1+binary.MaxVarintLen64+len(payload)+tagLen)
	buf = append(buf, version)
	buf = binary.AppendUvarint(buf, uint64(max(expiry, 0)))
	buf = append(buf, payload...)
	buf = append(buf, s.tag(s.keys[0], buf, binding)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Open returns the payload of token if one of the keys sealed it for this
// purpose and binding and it has not expired; otherwise it returns
// ErrInvalid or ErrExpired. Its errors never quote the token.
func (s *Sealer) Open(token string, binding ...string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 1+1+tagLen || raw[0] != version {
		return nil, ErrInvalid
	}
	signed, tag := raw[:len(raw)-tagLen], raw[len(raw)-tagLen:]
	authentic := false
	for _, k := range s.keys {
		if hmac.Equal(tag, s.tag(k, signed, binding)) {
			authentic = true
			break
		}
	}
	if !authentic {
		return nil, ErrInvalid
	}
	expiry, n := binary.Uvarint(signed[1:])
	if n <= 0 || expiry > 1<<40 {
		return nil, ErrInvalid
	}
	if !s.now().Before(time.Unix(int64(expiry), 0)) {
		return nil, ErrExpired
	}
	return signed[1+n:], nil
}

// tag is the truncated HMAC of the purpose, the binding and signed, each
// length-prefixed so that no two inputs share an encoding.
func (s *Sealer) tag(k Key, signed []byte, binding []string) []byte {
	mac := hmac.New(sha256.New, k.b)
	var n [binary.MaxVarintLen64]byte
	write := func(b []byte) {
		mac.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
		mac.Write(b)
	}
	write([]byte(s.purpose))
	mac.Write(n[:binary.PutUvarint(n[:], uint64(len(binding)))])
	for _, b := range binding {
		write([]byte(b))
	}
	write(signed)
	return mac.Sum(nil)[:tagLen]
}
