package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/idempotency"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/upstream"
)

// Idempotent writes (AIP-155). Every write RPC takes an optional
// request_id; with one, the facade applies the request at most once per
// caller and request_id while the record lasts, and answers every retry
// with the first answer:
//
//   - A retry of a finished request gets the recorded answer, or error,
//     without an upstream call.
//   - A duplicate that arrives while the first attempt runs waits for it
//     (on this replica: woken when it ends; across replicas: by polling
//     the shared record) and gets the same answer.
//   - The same request_id with another request is INVALID_ARGUMENT,
//     REQUEST_ID_REUSED.
//   - An attempt that failed with nothing applied (refused by the
//     facade, invalid, answered 4xx or 429, connection refused) leaves
//     the record open: a retry of the same request is applied afresh, and
//     may succeed where it failed (a goal no longer locked); another
//     request is still refused. An error after a write was applied (a
//     later step failed) is recorded and replayed like an answer.
//   - An attempt whose write was sent with no answer (timeout, dropped
//     connection, 5xx, the caller gone) leaves the record uncertain. A
//     retry looks for the write's effect upstream by its natural key
//     (recoveries below) and returns what it finds, or applies the
//     request when nothing is there. A request without a natural key is
//     refused with ABORTED, OUTCOME_UNKNOWN: only the caller can tell
//     whether to send it again, under a new request_id.
//
// A replica that dies mid-call leaves the record pending; past its lease
// a retry treats the outcome as unknown.

// Reasons of the errors of idempotent writes.
const (
	// ReasonRequestIDReused: the request_id was first sent with another
	// request.
	ReasonRequestIDReused = "REQUEST_ID_REUSED"
	// ReasonOutcomeUnknown: an earlier attempt with this request_id may
	// have been applied, and nothing upstream can tell.
	ReasonOutcomeUnknown = "OUTCOME_UNKNOWN"
	// ReasonRequestIDsUnavailable: the store of request_ids could not be
	// reached, so the request was not applied.
	ReasonRequestIDsUnavailable = "REQUEST_IDS_UNAVAILABLE"
	// ReasonRequestIDsFull: the in-process store of request_ids is at
	// its bound, or the caller at its share of it, so the request was
	// not applied.
	ReasonRequestIDsFull = "REQUEST_IDS_FULL"
)

// ReplayedHeader is set to "true" on an answer that was not applied by
// this call but taken from an earlier attempt with the same request_id.
const ReplayedHeader = "Idempotency-Replayed"

// Defaults of RequestIDs.
const (
	// DefaultRequestIDTTL is how long a request_id is remembered.
	DefaultRequestIDTTL = 24 * time.Hour
	// maxLease bounds how long a pending record is presumed alive; a
	// call's deadline is usually shorter and then bounds it.
	maxLease = 5 * time.Minute
	// leaseGrace is added to a call's deadline: its owner may still be
	// recording the answer.
	leaseGrace = 5 * time.Second
	// recordTimeout bounds recording an outcome after the call ends,
	// also when the caller went away.
	recordTimeout = 2 * time.Second
	// Polls of a record another replica owns.
	pollFirst, pollMax = 10 * time.Millisecond, 250 * time.Millisecond
	// recoverySkew widens the window in which a natural-key lookup takes
	// a resource for the first attempt's: the upstream's Date header has
	// whole seconds.
	recoverySkew = 2 * time.Second
)

// RequestIDs configures idempotent writes. A zero field selects the
// default documented on it.
type RequestIDs struct {
	// Store keeps the records. Nil means an in-process store of
	// idempotency.DefaultMemoryBytes, which a retry landing on another
	// replica does not see: give replicas a shared (Redis) store.
	Store idempotency.Store
	// TTL is how long a request_id is remembered. Zero means
	// DefaultRequestIDTTL.
	TTL time.Duration
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// requestIDs is the state of idempotent writes shared by the services.
type requestIDs struct {
	store  idempotency.Store
	ttl    time.Duration
	now    func() time.Time
	logger *slog.Logger

	// waiting wakes the duplicates of a key waiting on this replica when
	// its attempt here ends.
	mu      sync.Mutex
	waiting map[string]*waiters
	// fullLogged is when a full store was last logged (Unix
	// nanoseconds): at most once a minute, however many writes it
	// refuses.
	fullLogged atomic.Int64
}

// fullLogInterval spaces the warnings of a full store of request_ids.
const fullLogInterval = time.Minute

// waiters are the duplicates of a key waiting on this replica.
type waiters struct {
	wake chan struct{}
	n    int
}

func newRequestIDs(cfg RequestIDs, logger *slog.Logger) *requestIDs {
	r := &requestIDs{store: cfg.Store, ttl: cfg.TTL, now: cfg.Now, logger: logger, waiting: make(map[string]*waiters)}
	if r.store == nil {
		store, err := idempotency.NewMemory(idempotency.MemoryConfig{})
		if err != nil {
			panic(err) // the default options are valid
		}
		r.store = store
	}
	if r.ttl <= 0 {
		r.ttl = DefaultRequestIDTTL
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// idempotentRequest is a write request with a request_id.
type idempotentRequest interface {
	proto.Message
	GetRequestId() string
}

// recovery looks upstream for the effect of a write whose first attempt
// began at since (by this replica's clock) and whose outcome is unknown.
// found=false means the write did not land: it is applied now.
type recovery[Res proto.Message] func(ctx context.Context, token upstream.Token, since time.Time) (res Res, found bool, err error)

// reapply is the recovery of an upsert: its rows name what they change
// by natural key (an e-mail, a department name), so applying it again
// finds what the first attempt made and sets the same values; nothing is
// created twice.
func reapply[Res proto.Message](context.Context, upstream.Token, time.Time) (Res, bool, error) {
	var zero Res
	return zero, false, nil
}

// once applies req with apply at most once per caller and request_id.
// find looks for the effect of an attempt whose outcome is unknown; nil
// means the request has no natural key.
func once[Res proto.Message](ctx context.Context, h *handler, req idempotentRequest, apply func(context.Context) (Res, error), find recovery[Res]) (Res, error) {
	var zero Res
	id := req.GetRequestId()
	if id == "" {
		return apply(ctx)
	}
	caller, ok := auth.CallerFrom(ctx)
	if !ok || caller.Token.IsZero() {
		return zero, connect.NewError(connect.CodeUnauthenticated, errNoCaller)
	}
	id = strings.ToLower(id)
	if note := idempotency.NoteFrom(ctx); note != nil {
		note.RequestID = id
	}
	r := h.requestIDs
	c := &idempotentCall[Res]{
		r:     r,
		key:   caller.Name + "/" + id,
		id:    id,
		token: caller.Token,
		fp:    fingerprint(req),
		owner: newOwner(),
	}
	return c.run(ctx, apply, find)
}

// idempotentCall is one call of once.
type idempotentCall[Res proto.Message] struct {
	r     *requestIDs
	key   string
	id    string
	token upstream.Token
	fp    []byte
	// owner names this call in the records it owns.
	owner string
}

func (c *idempotentCall[Res]) run(ctx context.Context, apply func(context.Context) (Res, error), find recovery[Res]) (Res, error) {
	var zero Res
	r := c.r
	wait := pollFirst
	for {
		now := r.now()
		mine := idempotency.Record{Fingerprint: c.fp, State: idempotency.StatePending, Owner: c.owner, Lease: lease(ctx, now), Since: now}
		existing, err := r.store.Claim(ctx, c.key, mine, r.ttl)
		if errors.Is(err, idempotency.ErrFull) || errors.Is(err, idempotency.ErrScopeFull) {
			return zero, c.full(ctx, err)
		}
		if err != nil {
			// The claim may have landed with its answer lost: give the
			// key back, as nothing was applied, so that the retry the
			// error asks for applies at once instead of finding an
			// orphaned claim and then an unknown outcome.
			c.giveBack(ctx, idempotency.Record{Fingerprint: c.fp, State: idempotency.StateOpen, Since: now})
			return zero, c.storeError(ctx, err)
		}
		if existing == nil {
			return c.apply(ctx, mine, apply)
		}
		if string(existing.Fingerprint) != string(c.fp) {
			return zero, c.reused()
		}
		recovering := false
		switch {
		case existing.State == idempotency.StateDone:
			return c.replay(ctx, existing)
		case existing.State == idempotency.StatePending && existing.Lease.After(now):
			if err := c.wait(ctx, min(wait, existing.Lease.Sub(now))); err != nil {
				return zero, err
			}
			wait = min(2*wait, pollMax)
			continue
		case existing.State == idempotency.StateOpen:
			// Nothing was applied: apply afresh.
		default:
			// Uncertain, or pending past its lease: the write may have
			// landed, and must be looked for first.
			if find == nil {
				return zero, c.unknown()
			}
			mine.Since, recovering = existing.Since, true
		}
		// Own the key before touching the upstream.
		took, err := r.store.Swap(ctx, c.key, existing.Owner, mine, r.ttl)
		if err != nil {
			c.giveBack(ctx, *existing) // as it was, if the swap landed
			return zero, c.storeError(ctx, err)
		}
		if !took {
			continue // another retry took it first
		}
		if recovering {
			return c.recover(ctx, mine, apply, find)
		}
		return c.apply(ctx, mine, apply)
	}
}

// apply runs the request, owning the key, and records its outcome.
func (c *idempotentCall[Res]) apply(ctx context.Context, mine idempotency.Record, apply func(context.Context) (Res, error)) (Res, error) {
	defer c.r.wake(c.key)
	wctx, writes := upstream.WithWriteLog(ctx)
	res, err := apply(wctx)
	done := mine
	done.Lease = time.Time{}
	switch {
	case err == nil:
		done = answered(mine, res)
	case writes.Effect() == upstream.EffectNone:
		done.State = idempotency.StateOpen
	case writes.Effect() == upstream.EffectApplied:
		done.State = idempotency.StateDone
		done.Status = encodeStatus(err)
	default:
		done.State = idempotency.StateUncertain
	}
	c.record(ctx, done)
	return res, err
}

// recover looks for the effect of an earlier attempt, owning the key,
// and applies the request when there is none.
func (c *idempotentCall[Res]) recover(ctx context.Context, mine idempotency.Record, apply func(context.Context) (Res, error), find recovery[Res]) (Res, error) {
	res, found, err := find(ctx, c.token, mine.Since)
	if err != nil {
		defer c.r.wake(c.key)
		back := mine
		back.State, back.Lease = idempotency.StateUncertain, time.Time{}
		c.record(ctx, back)
		var zero Res
		return zero, connectError(ctx, c.r.logger, err)
	}
	if !found {
		return c.apply(ctx, mine, apply)
	}
	defer c.r.wake(c.key)
	c.record(ctx, answered(mine, res))
	markReplayed(ctx)
	return res, nil
}

// answered returns mine done with res as its answer.
func answered(mine idempotency.Record, res proto.Message) idempotency.Record {
	done := mine
	done.State, done.Lease = idempotency.StateDone, time.Time{}
	b, err := proto.Marshal(res)
	if err != nil {
		// Cannot happen for a message a handler built; were it to, the
		// record must not claim an answer it cannot replay.
		done.State = idempotency.StateUncertain
	}
	done.Response = b
	return done
}

// replay answers from a done record.
func (c *idempotentCall[Res]) replay(ctx context.Context, rec *idempotency.Record) (Res, error) {
	var zero Res
	markReplayed(ctx)
	if rec.Status != nil {
		return zero, decodeStatus(rec.Status)
	}
	res := zero.ProtoReflect().Type().New().Interface().(Res)
	if err := proto.Unmarshal(rec.Response, res); err != nil {
		return zero, c.storeError(ctx, fmt.Errorf("%w: %w", idempotency.ErrCorrupt, err))
	}
	return res, nil
}

// wait sleeps for d, or until an attempt of the key on this replica
// ends, or ctx ends.
func (c *idempotentCall[Res]) wait(ctx context.Context, d time.Duration) error {
	woken, leave := c.r.waiter(c.key)
	defer leave()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-woken:
	case <-t.C:
	case <-ctx.Done():
		return connect.NewError(connect.CodeOf(ctx.Err()), fmt.Errorf("waiting for the first attempt with request_id %s: %w", c.id, ctx.Err()))
	}
	return nil
}

// record replaces the key's record, which this call owns, with rec,
// even when the caller went away: the outcome must outlive it. A failure
// is logged; the record then stays pending until its lease ends, and a
// retry treats the outcome as unknown.
func (c *idempotentCall[Res]) record(ctx context.Context, rec idempotency.Record) {
	took, err := c.swapOwn(ctx, rec)
	switch {
	case err != nil:
		c.r.logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: could not record an outcome; retries will find it unknown",
			slog.String("request_id", c.id), slog.Any("error", err))
	case !took:
		// Another attempt took the key over (this one's lease ended, or
		// the store lost the record): its outcome is the one kept.
		c.r.logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: the record was taken over before this outcome was recorded; it is not kept",
			slog.String("request_id", c.id))
	}
}

// swapOwn replaces the key's record with rec if this call owns it, even
// when the caller went away, within recordTimeout.
func (c *idempotentCall[Res]) swapOwn(ctx context.Context, rec idempotency.Record) (bool, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	return c.r.store.Swap(rctx, c.key, c.owner, rec, c.r.ttl)
}

// giveBack puts rec back at the key if this call's claim of it landed
// although the store's answer was lost, even when the caller went away.
// It is best effort: the store just failed, and if it fails again the
// claim stays until its lease ends, as before.
func (c *idempotentCall[Res]) giveBack(ctx context.Context, rec idempotency.Record) {
	if took, err := c.swapOwn(ctx, rec); took {
		c.r.logger.LogAttrs(ctx, slog.LevelInfo, "idempotency: gave back a claim whose answer was lost", slog.String("request_id", c.id))
	} else if err != nil {
		c.r.logger.LogAttrs(ctx, slog.LevelDebug, "idempotency: could not give back a claim", slog.String("request_id", c.id), slog.Any("error", err))
	}
}

func (c *idempotentCall[Res]) reused() error {
	cerr := rpcerr.New(connect.CodeInvalidArgument,
		fmt.Errorf("request_id %s was first sent with another request; send a new request with a new request_id", c.id),
		ReasonRequestIDReused, map[string]string{"request_id": c.id})
	rpcerr.Add(cerr, &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{
		Field:       "request_id",
		Description: "already used for another request",
		Reason:      ReasonRequestIDReused,
	}}})
	return cerr
}

func (c *idempotentCall[Res]) unknown() error {
	return rpcerr.New(connect.CodeAborted,
		fmt.Errorf("an earlier attempt with request_id %s may have been applied and its outcome is unknown; this request has no key to look its effect up by: check, then send it again with a new request_id if it is still needed", c.id),
		ReasonOutcomeUnknown, map[string]string{"request_id": c.id})
}

func (c *idempotentCall[Res]) storeError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return connect.NewError(connect.CodeOf(ctxErr), ctxErr)
	}
	c.r.logger.LogAttrs(ctx, slog.LevelError, "idempotency: store unreachable", slog.Any("error", err))
	return rpcerr.New(connect.CodeUnavailable,
		errors.New("the store of request_ids is unreachable, so the request was not applied; retry with the same request_id"),
		ReasonRequestIDsUnavailable, map[string]string{"request_id": c.id})
}

// full is the refusal of a request whose request_id the in-process
// store had no room to remember (err is idempotency.ErrFull, or
// ErrScopeFull when the caller holds its whole share): applied now, a
// retry of it could be applied again.
func (c *idempotentCall[Res]) full(ctx context.Context, err error) error {
	what := "the store of request_ids is full"
	if errors.Is(err, idempotency.ErrScopeFull) {
		what = "this caller holds as many request_ids as it may"
	} else if now, last := c.r.now().UnixNano(), c.r.fullLogged.Load(); now-last >= int64(fullLogInterval) && c.r.fullLogged.CompareAndSwap(last, now) {
		c.r.logger.LogAttrs(ctx, slog.LevelWarn, "idempotency: the store of request_ids is full, and refuses new ones; raise BWFACADE_REQUEST_ID_MAX_BYTES or set BWFACADE_REDIS_URL")
	}
	return rpcerr.New(connect.CodeResourceExhausted,
		fmt.Errorf("%s, so the request was not applied; retry later with the same request_id", what),
		ReasonRequestIDsFull, map[string]string{"request_id": c.id})
}

// waiter returns a channel closed when the attempt of key on this
// replica ends, and the function to call when done waiting: the last
// waiter to leave forgets the key, whose attempt may run on another
// replica and never end here.
func (r *requestIDs) waiter(key string) (<-chan struct{}, func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.waiting[key]
	if !ok {
		w = &waiters{wake: make(chan struct{})}
		r.waiting[key] = w
	}
	w.n++
	return w.wake, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if w.n--; w.n == 0 && r.waiting[key] == w {
			delete(r.waiting, key)
		}
	}
}

// wake wakes the duplicates of key waiting on this replica.
func (r *requestIDs) wake(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if w, ok := r.waiting[key]; ok {
		close(w.wake)
		delete(r.waiting, key)
	}
}

// fingerprint identifies req, its request_id aside: its type and its
// deterministic encoding.
func fingerprint(req idempotentRequest) []byte {
	m := proto.Clone(req)
	fields := m.ProtoReflect().Descriptor().Fields()
	m.ProtoReflect().Clear(fields.ByName("request_id"))
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	h := sha256.New()
	h.Write([]byte(m.ProtoReflect().Descriptor().FullName()))
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil)
}

// lease is until when an attempt beginning now is presumed alive: its
// deadline and a grace, at most maxLease.
func lease(ctx context.Context, now time.Time) time.Time {
	end := now.Add(maxLease)
	if deadline, ok := ctx.Deadline(); ok && deadline.Add(leaseGrace).Before(end) {
		end = deadline.Add(leaseGrace)
	}
	return end
}

// newOwner returns a random name for an attempt.
func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// markReplayed notes, for the audit log and the caller, that the answer
// was not applied by this call.
func markReplayed(ctx context.Context) {
	if note := idempotency.NoteFrom(ctx); note != nil {
		note.Replayed = true
	}
	if info, ok := connect.CallInfoForHandlerContext(ctx); ok {
		info.ResponseHeader().Set(ReplayedHeader, "true")
	}
}

// encodeStatus records err as a google.rpc.Status.
func encodeStatus(err error) []byte {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		cerr = connect.NewError(connect.CodeUnknown, err)
	}
	st := &status.Status{Code: int32(cerr.Code()), Message: cerr.Message()}
	for _, d := range cerr.Details() {
		st.Details = append(st.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
	}
	b, _ := proto.Marshal(st)
	return b
}

// decodeStatus returns the error encodeStatus recorded.
func decodeStatus(b []byte) error {
	st := new(status.Status)
	if err := proto.Unmarshal(b, st); err != nil || st.GetCode() == 0 {
		return connect.NewError(connect.CodeInternal, idempotency.ErrCorrupt)
	}
	cerr := connect.NewError(connect.Code(st.GetCode()), errors.New(st.GetMessage()))
	for _, a := range st.GetDetails() {
		if d, err := connect.NewErrorDetail(a); err == nil {
			cerr.AddDetail(d)
		}
	}
	return cerr
}
