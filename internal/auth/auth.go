// Package auth authenticates the facade's callers: each internal caller
// presents its own key (Authorization: Bearer <key>) and is mapped to the
// Betterworks API token it may use. Keys are kept only as SHA-256 hashes.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"strings"

	"connectrpc.com/authn"

	"github.com/bwfacade/facade/internal/upstream"
)

// KeyPrefix starts every caller key, so a leaked key is easy to recognise
// in a secret scanner.
const KeyPrefix = "bwf_"

// Caller is an authenticated internal caller.
type Caller struct {
	// Name identifies the caller in logs and metrics.
	Name string
	// Token is the Betterworks API token the caller's calls use.
	Token upstream.Token
}

// LogValue implements slog.LogValuer: the name only, never the token.
func (c *Caller) LogValue() slog.Value { return slog.StringValue(c.Name) }

// Entry registers one caller under the SHA-256 hash of its key.
type Entry struct {
	// KeyHash is HashKey of the caller's key.
	KeyHash [sha256.Size]byte
	// Caller is who the key belongs to.
	Caller *Caller
}

// Registry maps key hashes to callers. It is immutable and safe for
// concurrent use.
type Registry struct {
	entries []Entry
}

// NewRegistry returns a registry of entries.
func NewRegistry(entries ...Entry) *Registry {
	return &Registry{entries: append([]Entry(nil), entries...)}
}

// Authenticate returns the caller whose key is key. It compares the key's
// hash with every registered hash in constant time, so timing reveals
// nothing about which hashes exist.
func (r *Registry) Authenticate(key string) (*Caller, bool) {
	sum := HashKey(key)
	var found *Caller
	for i := range r.entries {
		if subtle.ConstantTimeCompare(sum[:], r.entries[i].KeyHash[:]) == 1 {
			found = r.entries[i].Caller
		}
	}
	return found, found != nil
}

// AuthFunc returns the authentication function for connectrpc.com/authn's
// middleware: a request without a valid bearer key is rejected with
// CodeUnauthenticated before any other work.
func (r *Registry) AuthFunc() authn.AuthFunc {
	return func(_ context.Context, req authn.Request) (any, error) {
		scheme, key, ok := strings.Cut(req.Header().Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
			return nil, authn.Errorf("missing bearer key: send Authorization: Bearer <caller key>")
		}
		caller, ok := r.Authenticate(strings.TrimSpace(key))
		if !ok {
			return nil, authn.Errorf("unknown caller key")
		}
		return caller, nil
	}
}

// CallerFrom returns the caller the authentication middleware put in ctx.
func CallerFrom(ctx context.Context) (*Caller, bool) {
	c, ok := authn.GetInfo(ctx).(*Caller)
	return c, ok && c != nil
}

// WithCaller returns a copy of ctx carrying c, as the middleware does.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return authn.SetInfo(ctx, c)
}

// GenerateKey returns a new caller key: KeyPrefix and 130 bits of
// randomness.
func GenerateKey() string {
	return KeyPrefix + rand.Text()
}

// HashKey returns the SHA-256 hash under which key is registered.
func HashKey(key string) [sha256.Size]byte {
	return sha256.Sum256([]byte(key))
}

// HashKeyHex returns HashKey(key) in hex, the form configuration files use.
func HashKeyHex(key string) string {
	sum := HashKey(key)
	return hex.EncodeToString(sum[:])
}
