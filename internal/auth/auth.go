// Package auth authenticates the facade's callers and decides what each may
// call. Every internal caller presents its own key (Authorization: Bearer
// <key>) or a client certificate, and is mapped to the Betterworks API
// token it may use and to the methods it is allowed.
//
// Keys are kept only as SHA-256 hashes and compared in constant time. A
// Registry is immutable; a Store holds the current one and swaps in a new
// one atomically when the callers file changes.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"connectrpc.com/authn"
	"connectrpc.com/connect"

	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/upstream"
)

// KeyPrefix starts every caller key, so a leaked key is easy to recognise
// in a secret scanner.
const KeyPrefix = "bwf_"

// KeyHash is the SHA-256 hash of a caller key.
type KeyHash [sha256.Size]byte

// Quota is a caller's inbound request quota. The zero Quota selects the
// facade's default.
type Quota struct {
	// Rate is the sustained rate in requests per second.
	Rate float64
	// Burst is how many requests may arrive at once.
	Burst int
}

// Caller is an internal caller of the facade.
type Caller struct {
	// Name identifies the caller in logs and metrics.
	Name string
	// Token is the Betterworks API token the caller's calls use.
	Token upstream.Token
	// KeyHashes are the hashes of the caller's keys. Two at once let a
	// key be rotated without downtime.
	KeyHashes []KeyHash
	// ClientIdentities name the caller in a client certificate: a URI SAN
	// (such as spiffe://example.com/billing) or the subject's
	// distinguished name (such as CN=billing,O=Example).
	ClientIdentities []string
	// Methods lists the procedures ("/betterworks.v1.GoalService/GetGoal")
	// the caller may call. Nil allows every method.
	Methods []string
	// Quota is the caller's inbound quota.
	Quota Quota
	// Revoked callers are refused as if unknown, with a message saying so.
	Revoked bool

	allowed map[string]struct{}
}

// LogValue implements slog.LogValuer: the name only, never the token.
func (c *Caller) LogValue() slog.Value { return slog.StringValue(c.Name) }

// Allowed reports whether the caller may call procedure.
func (c *Caller) Allowed(procedure string) bool {
	if c.allowed == nil {
		return true
	}
	_, ok := c.allowed[procedure]
	return ok
}

// Registry maps credentials to callers. It is immutable and safe for
// concurrent use.
type Registry struct {
	callers    []*Caller
	keys       []keyEntry
	identities map[string]*Caller
	// guarded lists the procedures whose callers need an allowance; other
	// procedures (reflection, health) need only authentication.
	guarded map[string]struct{}
	// files are the files the registry was read from, with a digest of
	// their contents, so a Store can tell when to reload.
	files  []string
	digest [sha256.Size]byte
}

type keyEntry struct {
	hash   KeyHash
	caller *Caller
}

// NewRegistry returns a registry of callers. Callers are copied; a name,
// key hash or client identity used twice is an error. guarded lists the
// procedures a caller's Methods restrict; a caller with nil Methods may
// call them all.
func NewRegistry(guarded []string, callers ...*Caller) (*Registry, error) {
	r := &Registry{identities: make(map[string]*Caller), guarded: make(map[string]struct{}, len(guarded))}
	for _, p := range guarded {
		r.guarded[p] = struct{}{}
	}
	names := make(map[string]bool, len(callers))
	hashes := make(map[KeyHash]string)
	var errs []error
	for _, in := range callers {
		c := *in
		if names[c.Name] {
			errs = append(errs, fmt.Errorf("caller %q is listed twice", c.Name))
		}
		names[c.Name] = true
		if c.Methods != nil {
			c.allowed = make(map[string]struct{}, len(c.Methods))
			for _, m := range c.Methods {
				c.allowed[m] = struct{}{}
			}
		}
		for _, h := range c.KeyHashes {
			if other, dup := hashes[h]; dup {
				errs = append(errs, fmt.Errorf("caller %q: key hash %x… is also a key of caller %q", c.Name, h[:4], other))
			}
			hashes[h] = c.Name
			r.keys = append(r.keys, keyEntry{hash: h, caller: &c})
		}
		for _, id := range c.ClientIdentities {
			if other, dup := r.identities[id]; dup {
				errs = append(errs, fmt.Errorf("caller %q: client identity %q is also caller %q's", c.Name, id, other.Name))
			}
			r.identities[id] = &c
		}
		r.callers = append(r.callers, &c)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// Callers returns the registered callers.
func (r *Registry) Callers() []*Caller { return r.callers }

// byKey returns the caller whose key is key. It compares the key's hash
// with every registered hash in constant time, so timing reveals nothing
// about which hashes exist.
func (r *Registry) byKey(key string) *Caller {
	sum := HashKey(key)
	var found *Caller
	for i := range r.keys {
		if subtle.ConstantTimeCompare(sum[:], r.keys[i].hash[:]) == 1 {
			found = r.keys[i].caller
		}
	}
	return found
}

// byCertificate returns the caller a verified client certificate names,
// or nil, and whether a verified certificate was presented at all. The
// leaf's URI SANs are tried first, then its subject.
func (r *Registry) byCertificate(state *tls.ConnectionState) (caller *Caller, presented bool) {
	if state == nil || len(state.VerifiedChains) == 0 || len(state.VerifiedChains[0]) == 0 {
		return nil, false
	}
	leaf := state.VerifiedChains[0][0]
	for _, u := range leaf.URIs {
		if c, ok := r.identities[u.String()]; ok {
			return c, true
		}
	}
	return r.identities[leaf.Subject.String()], true
}

// authenticate names the caller of req and checks it may call the
// request's procedure. Its errors carry the code to answer with and never
// the credential. A request with more than one Authorization header is
// malformed: which one a proxy or a server reads differs, so none is
// trusted.
func (r *Registry) authenticate(req authn.Request) (*Caller, error) {
	return r.authenticateWith(req.Header(), req.TLS(), req.Procedure())
}

// authenticateWith authenticates a call of procedure with these request
// headers and TLS state.
func (r *Registry) authenticateWith(h http.Header, state *tls.ConnectionState, procedure string) (*Caller, error) {
	certCaller, hasCert := r.byCertificate(state)
	header := h.Get("Authorization")
	var caller *Caller
	switch {
	case len(h.Values("Authorization")) > 1:
		return nil, unauthenticated("CALLER_KEY_MALFORMED", "malformed Authorization header: send one Authorization: Bearer <caller key>")
	case header != "":
		scheme, key, ok := strings.Cut(header, " ")
		key = strings.TrimSpace(key)
		if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
			return nil, unauthenticated("CALLER_KEY_MALFORMED", "malformed Authorization header: send Authorization: Bearer <caller key>")
		}
		if caller = r.byKey(key); caller == nil {
			return nil, unauthenticated("CALLER_KEY_UNKNOWN", "unknown caller key")
		}
		if certCaller != nil && certCaller != caller {
			return nil, unauthenticated("CALLER_CREDENTIALS_CONFLICT", "the caller key and the client certificate name different callers")
		}
	case certCaller != nil:
		caller = certCaller
	case hasCert:
		return nil, unauthenticated("CLIENT_CERTIFICATE_UNKNOWN", "the client certificate names no caller")
	default:
		return nil, unauthenticated("CALLER_KEY_MISSING", "missing credentials: send Authorization: Bearer <caller key>")
	}
	if caller.Revoked {
		return nil, unauthenticated("CALLER_REVOKED", fmt.Sprintf("caller %q is revoked", caller.Name))
	}
	if _, guarded := r.guarded[procedure]; guarded && !caller.Allowed(procedure) {
		return nil, rpcerr.New(connect.CodePermissionDenied, fmt.Errorf("caller %q may not call %s", caller.Name, procedure), "METHOD_NOT_ALLOWED", map[string]string{"caller": caller.Name, "procedure": procedure})
	}
	return caller, nil
}

// unauthenticated is a refusal of the caller's credentials; it never
// holds them.
func unauthenticated(reason, msg string) *connect.Error {
	return rpcerr.New(connect.CodeUnauthenticated, errors.New(msg), reason, nil)
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
func HashKey(key string) KeyHash {
	return sha256.Sum256([]byte(key))
}

// HashKeyHex returns HashKey(key) in hex, the form the callers file uses.
func HashKeyHex(key string) string {
	sum := HashKey(key)
	return hex.EncodeToString(sum[:])
}
