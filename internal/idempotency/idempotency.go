// Package idempotency keeps what the facade knows of each idempotent
// write: the request_id a caller sent with it, the request's
// fingerprint, and, once known, the answer, for a day by default. A
// retry with the same request_id is then answered from here instead of
// being applied again (AIP-155).
//
// The records live in process ([Memory]) or in Redis ([Redis]), so that
// a retry landing on another replica is recognised. A record moves
// through three states:
//
//	pending    an attempt owns the key and is applying the request; its
//	           lease says until when it is presumed alive
//	done       the answer (or the error) is known and is replayed
//	uncertain  a write was sent and its fate is unknown: a retry must
//	           look for its effect upstream before anything else
//	open       an attempt failed with nothing applied: the request_id
//	           stays bound to its request, and a retry applies it afresh
//
// Every change but the first (Claim) names the owner it expects, so a
// slow attempt whose key was taken over cannot overwrite the new owner's
// record. The package stores bytes; what they mean is internal/service's.
package idempotency

import (
	"context"
	"errors"
	"time"
)

// State is where a request stands.
type State uint8

// The states of a Record.
const (
	StatePending State = iota + 1
	StateDone
	StateUncertain
	StateOpen
)

func (s State) String() string {
	switch s {
	case StatePending:
		return "pending"
	case StateDone:
		return "done"
	case StateUncertain:
		return "uncertain"
	case StateOpen:
		return "open"
	}
	return "invalid"
}

// Record is what is kept of one request_id.
type Record struct {
	// Fingerprint identifies the request: the same request_id with
	// another fingerprint is another request, refused.
	Fingerprint []byte
	State       State
	// Owner names the attempt that owns a pending record, and the last
	// attempt that changed any other.
	Owner string
	// Lease is when a pending record's owner is presumed gone: a
	// replica that died mid-call leaves its record pending, and past
	// the lease its write's fate is unknown.
	Lease time.Time
	// Since is when the first attempt began: an effect found upstream
	// must be younger.
	Since time.Time
	// Response is a done record's answer; Status its error instead.
	// Both are opaque here.
	Response, Status []byte
}

// Store keeps Records by key. Implementations are safe for concurrent
// use; every method is atomic with respect to the others.
type Store interface {
	// Claim stores rec at key, expiring after ttl, unless key holds a
	// record; it then returns that record and stores nothing. It
	// returns nil when rec was stored. A store may refuse a claim past a
	// bound of key's scope (ErrScopeFull) or of its own (ErrFull).
	Claim(ctx context.Context, key string, rec Record, ttl time.Duration) (*Record, error)
	// Swap replaces key's record with rec, expiring after ttl, if key's
	// record has owner. It reports whether it did.
	Swap(ctx context.Context, key, owner string, rec Record, ttl time.Duration) (bool, error)
	// Get returns key's record, or nil when there is none.
	Get(ctx context.Context, key string) (*Record, error)
}

// ErrCorrupt means a stored record could not be read.
var ErrCorrupt = errors.New("idempotency: stored record is corrupt")

// ErrScopeFull means the key's scope (the part of a key before its first
// '/', the caller in the facade's keys) holds, or has written within a
// time to live, as many bytes of records as a scope may, so the store
// took no new claim of it. Nothing was stored: the request must not be
// applied.
var ErrScopeFull = errors.New("idempotency: the share of the store of request_ids this caller may hold is full")

// Note carries what the audit log says of an idempotent write: the
// request_id, and whether the answer was replayed rather than applied.
// The audit interceptor puts one in the call's context; the service fills
// it.
type Note struct {
	RequestID string
	// Replayed: the answer came from the record of an earlier attempt, or
	// from the effect of an earlier attempt found upstream.
	Replayed bool
}

type noteKey struct{}

// WithNote returns ctx carrying a new Note.
func WithNote(ctx context.Context) (context.Context, *Note) {
	n := new(Note)
	return context.WithValue(ctx, noteKey{}, n), n
}

// NoteFrom returns ctx's Note, or nil.
func NoteFrom(ctx context.Context) *Note {
	n, _ := ctx.Value(noteKey{}).(*Note)
	return n
}
