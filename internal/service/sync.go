package service

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/upstream"
)

// Syncs turn the upstream's delta filters (delta_start on modified_on)
// into a change feed. The upstream's clock and the facade's are not
// trusted to agree, nor is modified_on's granularity known, so:
//
//   - A pass reads what changed since the watermark's high mark minus
//     syncMargin, and drops what the watermark says was delivered already
//     at that boundary (by id and modified_on). A change may arrive twice.
//     Pages are offsets: an item that leaves a page already read while a
//     pass runs (deleted, or reordered) moves the items after it back by
//     one, and the one that crosses into the page already read is missed
//     by that pass, as by an export in the same case. Items only repeat
//     when the collection grows, which the dedup window absorbs.
//   - The high mark is the upstream's own clock when a pass began (the
//     Date of its first answer), never the facade's.
//
// Delta filters only select items that still exist: deletions are not
// seen. An export of ids reconciles them.

// Defaults of syncs.
const (
	// syncMargin is how far before the high mark each pass reads again:
	// the upstream's clock granularity (Date has whole seconds) and the
	// time a write takes to show in its lists.
	syncMargin = 30 * time.Second
	// maxBoundary bounds the delivered items a watermark remembers; past
	// it the oldest are forgotten, which can only repeat an item.
	maxBoundary = 256
	// watermarkTTL is how long a watermark opens: a consumer may come
	// back after days.
	watermarkTTL = 30 * 24 * time.Hour
	// DefaultPollInterval and MinPollInterval bound how often a following
	// sync polls the upstream.
	DefaultPollInterval = 30 * time.Second
	MinPollInterval     = 5 * time.Second
	// followerBuffer is how many batches a follower may fall behind its
	// shared poller before it is ended with its resume watermark.
	followerBuffer   = 16
	watermarkPurpose = "betterworks.v1 sync watermark v1"
)

// watermark is where a sync stands.
type watermark struct {
	// high is the upstream's clock when the last complete pass began;
	// zero before the first. The next pass reads from high-syncMargin.
	high time.Time
	// seen lists delivered items modified at or after high-syncMargin:
	// the next pass drops them.
	seen []itemKey
}

func (w watermark) marshal() []byte {
	b := binary.AppendUvarint(nil, uint64(max(w.high.UnixMicro(), 0)))
	b = binary.AppendUvarint(b, uint64(len(w.seen)))
	for _, k := range w.seen {
		b = binary.AppendUvarint(b, uint64(k.id))
		b = binary.AppendUvarint(b, uint64(max(k.modified.UnixMicro(), 0)))
	}
	return b
}

func (w *watermark) unmarshal(b []byte) bool {
	read := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<62 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	high, ok := read()
	if !ok {
		return false
	}
	count, ok := read()
	if !ok || count > maxBoundary {
		return false
	}
	w.high = microsOrZero(high)
	w.seen = make([]itemKey, count)
	for i := range w.seen {
		id, ok1 := read()
		mod, ok2 := read()
		if !ok1 || !ok2 {
			return false
		}
		w.seen[i] = itemKey{id: int64(id), modified: microsOrZero(mod)}
	}
	return len(b) == 0
}

func microsOrZero(v uint64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(int64(v)).UTC()
}

// version is an item key usable as a map key: an instant's location and
// monotonic reading must not tell two equal instants apart.
type version [2]int64

func (k itemKey) version() version { return version{k.id, k.modified.UnixMicro()} }

// delivered returns the set of the watermark's boundary.
func (w watermark) delivered() map[version]struct{} {
	set := make(map[version]struct{}, len(w.seen))
	for _, k := range w.seen {
		set[k.version()] = struct{}{}
	}
	return set
}

// with returns a watermark at high whose boundary holds the latest
// maxBoundary of keys modified at or after high-syncMargin, each once.
func with(high time.Time, keys []itemKey) watermark {
	from := high.Add(-syncMargin)
	kept := make([]itemKey, 0, min(len(keys), 2*maxBoundary))
	for _, k := range keys {
		if !k.modified.Before(from) {
			kept = append(kept, k)
		}
	}
	slices.SortFunc(kept, func(a, b itemKey) int { return b.modified.Compare(a.modified) })
	out := watermark{high: high}
	seen := make(map[version]struct{}, min(len(kept), maxBoundary))
	for _, k := range kept {
		if len(out.seen) == maxBoundary {
			break
		}
		if _, dup := seen[k.version()]; !dup {
			seen[k.version()] = struct{}{}
			out.seen = append(out.seen, k)
		}
	}
	return out
}

// watermarkSealer seals and opens the watermarks of one caller's syncs of
// one collection with one filter.
type watermarkSealer struct {
	sealer  *seal.Sealer
	binding []string
}

func (h *handler) watermarks(caller, collection string, digest [sha256.Size]byte) watermarkSealer {
	settings := h.pageKeys
	settings.TTL = watermarkTTL
	return watermarkSealer{sealer: seal.New(watermarkPurpose, settings), binding: []string{caller, collection, string(digest[:])}}
}

func (s watermarkSealer) seal(w watermark) string { return s.sealer.Seal(w.marshal(), s.binding...) }

func (s watermarkSealer) open(token string) (watermark, error) {
	var w watermark
	if token == "" {
		return w, nil
	}
	payload, err := s.sealer.Open(token, s.binding...)
	if err != nil || !w.unmarshal(payload) {
		return w, rpcerr.New(connect.CodeInvalidArgument,
			errors.New("watermark: not issued by this API to this caller for a sync or export with this filter, altered or expired"),
			rpcerr.ReasonWatermarkInvalid, nil)
	}
	return w, nil
}

// syncBatch is one message of a sync, for the RPC to wrap.
type syncBatch[P any] struct {
	items     []P
	watermark string
	caughtUp  bool
}

// syncPass reads every page of what changed since w, sends the items not
// delivered before in batches (one a page) with the watermark after each,
// and returns the watermark after the pass. A pass that fails returns the
// watermark of its last batch sent. Its memory is bounded whatever the
// number of changes: the boundary keeps maxBoundary keys, and repeats
// within the pass are found over the last pages.
func syncPass[T, P any](ctx context.Context, c collection[T, P], token upstream.Token, w watermark, ahead int, deliver func(items []P, after watermark) error) (watermark, error) {
	var since time.Time
	if !w.high.IsZero() {
		since = w.high.Add(-syncMargin)
	}
	size := int(c.filter.GetPageSize())
	if size == 0 {
		size = maxPageSize(c.filter.ProtoReflect().Descriptor())
	}
	prior := w.delivered()
	recent := newRecentKeys[version](ahead + dedupExtraPages)
	var began, latest time.Time
	// boundary holds the keys delivered so far that a watermark may
	// need: those of w, and the latest of this pass.
	boundary := slices.Clone(w.seen)
	mid := w
	for n := 1; n <= maxPage; n++ {
		page, err := c.list(ctx, token, upstream.PageRequest{Page: n, Size: size}, since)
		if err != nil {
			return mid, err
		}
		if n == 1 {
			began = page.Served
		}
		recent.nextPage()
		items := make([]P, 0, len(page.Results))
		for i := range page.Results {
			k := c.key(&page.Results[i])
			if _, dup := prior[k.version()]; dup || !recent.add(k.version()) {
				continue
			}
			latest = later(latest, k.modified)
			boundary = append(boundary, k)
			items = append(items, c.convert(&page.Results[i]))
		}
		// Until the pass ends, resuming reads it again from w's mark; the
		// boundary drops what this pass sent, as far as it holds.
		mid = with(w.high, boundary)
		boundary = mid.seen
		if len(items) > 0 {
			if err := deliver(items, mid); err != nil {
				return mid, err
			}
		}
		if !page.More || len(page.Results) == 0 {
			break
		}
	}
	if began.IsZero() {
		// No Date from the upstream: the latest change seen is the best
		// reading of its clock.
		began = later(w.high, latest)
	}
	return with(later(began, w.high), boundary), nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// syncStream serves a Sync RPC: a pass from the request's watermark, the
// caught-up marker, and with follow, the shared poller's changes as they
// come, each poll ending with a caught-up marker. It returns with the
// watermark of the last message sent in its error's ErrorInfo (metadata
// watermark) when it cannot go on.
func syncStream[T, P any](ctx context.Context, h *handler, c collection[T, P], watermarkToken string, follow bool, interval *durationpb.Duration, send func(syncBatch[P]) error) error {
	token, err := callerToken(ctx)
	if err != nil {
		return err
	}
	caller, _ := auth.CallerFrom(ctx)
	digest := deltaFilterDigest(c.filter)
	sealer := h.watermarks(caller.Name, c.name, digest)
	w, err := sealer.open(watermarkToken)
	if err != nil {
		return err
	}
	last := w // the watermark of the last message sent
	fail := func(err error) error {
		if ctx.Err() != nil {
			return contextError(ctx)
		}
		var cerr *connect.Error
		if !errors.As(err, &cerr) {
			cerr = connectError(ctx, h.logger, err)
		}
		return rpcerr.WithMetadata(cerr, "watermark", sealer.seal(last))
	}

	var sub *subscription[P]
	if follow {
		// Subscribed before the first pass, which keeps a shared poller
		// running; the follower gets its polls once start says where its
		// own pass began (see start).
		every := cmp.Or(interval.AsDuration(), DefaultPollInterval)
		sub = subscribe(h.pollers, pollerKey{token: token.ID(), collection: c.name, digest: digest}, every, func(ctx context.Context, w watermark, deliver func([]P, watermark) error) (watermark, error) {
			return syncPass(ctx, c, token, w, h.exportAhead, deliver)
		})
		defer sub.leave()
	}
	w, err = syncPass(ctx, c, token, w, h.exportAhead, func(items []P, after watermark) error {
		last = after
		return sendError(ctx, send(syncBatch[P]{items: items, watermark: sealer.seal(after)}))
	})
	if err != nil {
		return fail(err)
	}
	last = w
	if err := send(syncBatch[P]{watermark: sealer.seal(w), caughtUp: true}); err != nil {
		return sendError(ctx, err)
	}
	if !follow {
		return nil
	}
	sub.start(w)
	for {
		ev, err := sub.next(ctx)
		if err != nil {
			return fail(err)
		}
		last = ev.after
		if err := send(syncBatch[P]{items: ev.items, watermark: sealer.seal(ev.after), caughtUp: ev.caughtUp}); err != nil {
			return sendError(ctx, err)
		}
	}
}

// Shared polling: followers of one collection with one filter and one
// Betterworks token share one poll loop per replica, so the upstream's
// load does not grow with followers.

// pollerKey names a shared poller. token is the token's limiter key (a
// hash), never the token.
type pollerKey struct {
	token, collection string
	digest            [sha256.Size]byte
}

// pollers holds the shared pollers of a replica.
type pollers struct {
	mu sync.Mutex
	m  map[pollerKey]any // *poller[P] of the collection's P
}

// pollEvent is what a poller hands each follower: a batch, or the
// caught-up marker after a poll, with the watermark after it.
type pollEvent[P any] struct {
	items    []P
	after    watermark
	caughtUp bool
	// pass counts the poller's passes; a follower receives only passes
	// that began after it started.
	pass int
	// err ends the followers: the upstream refused the poll.
	err error
}

// poller is one shared poll loop.
type poller[P any] struct {
	key  pollerKey
	pass func(context.Context, watermark, func([]P, watermark) error) (watermark, error)
	// retune tells run that every changed.
	retune chan struct{}

	mu sync.Mutex
	// every is the shortest interval of the started followers: one that
	// asks for a shorter one gets it, and the others get polls more often
	// than they asked, at no more cost to the upstream than that follower
	// would make alone.
	every    time.Duration
	subs     map[*subscription[P]]struct{}
	started  bool
	passes   int // passes begun
	cancel   context.CancelFunc
	registry *pollers
	// from is where the next pass reads from. capped says followers
	// started since the last pass began, the earliest of them from
	// ceiling: that pass, which they do not receive, must not move from
	// past ceiling when it ends (see start).
	from    watermark
	capped  bool
	ceiling time.Time
}

// subscription is one follower's place at a poller.
type subscription[P any] struct {
	p      *poller[P]
	events chan pollEvent[P]
	// from is the first pass the follower receives: 0 until it started,
	// and none before.
	from int
	// every is the poll interval the follower asked for.
	every time.Duration
	// lagged is closed when the follower fell behind its buffer.
	lagged chan struct{}
	once   sync.Once
}

// subscribe joins the poller of key, making it if there is none.
func subscribe[P any](reg *pollers, key pollerKey, every time.Duration, pass func(context.Context, watermark, func([]P, watermark) error) (watermark, error)) *subscription[P] {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	p, ok := reg.m[key].(*poller[P])
	if !ok {
		p = &poller[P]{key: key, pass: pass, retune: make(chan struct{}, 1), subs: make(map[*subscription[P]]struct{}), registry: reg}
		reg.m[key] = p
	}
	s := &subscription[P]{p: p, every: every, events: make(chan pollEvent[P], followerBuffer), lagged: make(chan struct{})}
	p.mu.Lock()
	p.subs[s] = struct{}{}
	p.mu.Unlock()
	return s
}

// start is called when the follower caught up with its own first pass,
// whose watermark is w: from then on the follower receives the passes of
// the poller that begin after this call, the poller polls at least as
// often as the follower asked, and it starts from w if it runs for no
// other follower yet.
//
// Until start the follower receives nothing, so it cannot lag while its
// own pass runs, however long that is. The polls it does not receive
// lose it nothing:
//
//   - Its first pass delivered what changed before w.high, the upstream's
//     clock when that pass began; what changed after w.high-syncMargin
//     is read by any pass from a mark at or before w.high (the margin
//     absorbs the clock's granularity and the pass's own length).
//   - The poller's passes run one after the other, each from the mark
//     the one before ended with, or an earlier one: start only moves the
//     mark back, and a poll that fails leaves it.
//   - So it is enough that the first pass the follower receives, the next
//     to begin, reads from a mark at or before w.high. Between passes,
//     the mark moves back to w.high when it is later. While a pass is
//     under way (the follower missed its first batches, so it does not
//     receive it), that pass would end by moving the mark to its own
//     beginning, which may be after w.high, and what changed in between
//     on pages the follower's pass had read already would be missed: the
//     ceiling keeps the mark at or before w.high.
//
// The other followers then get repeats, never a loss.
func (s *subscription[P]) start(w watermark) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	s.from = p.passes + 1
	switch {
	case len(p.subs) == 0:
	case !p.started:
		p.started, p.from, p.every = true, w, s.every
		ctx, cancel := context.WithCancel(context.Background())
		p.cancel = cancel
		go p.run(ctx)
	default:
		if s.every < p.every {
			p.every = s.every
			p.tune()
		}
		if w.high.Before(p.from.high) {
			p.from = watermark{high: w.high}
		}
		if !p.capped || w.high.Before(p.ceiling) {
			p.capped, p.ceiling = true, w.high
		}
	}
}

// leave removes the follower; the last one out stops the poller.
func (s *subscription[P]) leave() {
	p := s.p
	p.registry.mu.Lock()
	defer p.registry.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.subs, s)
	if len(p.subs) > 0 {
		if s.from != 0 && s.every == p.every {
			p.every = p.shortest()
			p.tune()
		}
		return
	}
	if p.cancel != nil {
		p.cancel()
	}
	if p.registry.m[p.key] == any(p) {
		delete(p.registry.m, p.key)
	}
}

// next returns the follower's next event; call it after start.
func (s *subscription[P]) next(ctx context.Context) (pollEvent[P], error) {
	for {
		select {
		case ev := <-s.events:
			if ev.err != nil {
				return pollEvent[P]{}, ev.err
			}
			return ev, nil
		case <-s.lagged:
			return pollEvent[P]{}, connect.NewError(connect.CodeResourceExhausted,
				errors.New("this follower fell too far behind its poller; resume from the watermark in the error's details"))
		case <-ctx.Done():
			return pollEvent[P]{}, ctx.Err()
		}
	}
}

// shortest returns the shortest interval of the started followers, or
// p.every when none is left.
func (p *poller[P]) shortest() time.Duration {
	every := time.Duration(0)
	for s := range p.subs {
		if s.from != 0 && (every == 0 || s.every < every) {
			every = s.every
		}
	}
	return cmp.Or(every, p.every)
}

// tune tells run that p.every changed; p.mu is held.
func (p *poller[P]) tune() {
	select {
	case p.retune <- struct{}{}:
	default: // run has yet to read an earlier change, and reads this one
	}
}

// run polls every p.every from p.from until ctx ends.
func (p *poller[P]) run(ctx context.Context) {
	p.mu.Lock()
	every := p.every
	p.mu.Unlock()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.retune:
			p.mu.Lock()
			changed := p.every != every
			every = p.every
			p.mu.Unlock()
			if changed {
				t.Reset(every)
			}
			continue
		case <-t.C:
		}
		p.mu.Lock()
		p.passes++
		n, from := p.passes, p.from
		p.capped = false
		p.mu.Unlock()
		next, err := p.pass(ctx, from, func(items []P, after watermark) error {
			p.broadcast(pollEvent[P]{items: items, after: after, pass: n})
			return nil
		})
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && upstream.Classify(err) == upstream.OutcomeRejected:
			// The upstream refuses the poll (the token was revoked, say):
			// another tick would fare no better. Followers end with it.
			p.broadcast(pollEvent[P]{err: err, pass: n})
			continue
		case err != nil:
			// A poll that may pass is tried again at the next tick, from
			// where it started; followers keep waiting.
			continue
		}
		p.mu.Lock()
		if p.capped && p.ceiling.Before(next.high) {
			p.from = watermark{high: p.ceiling}
		} else {
			p.from = next
		}
		p.mu.Unlock()
		p.broadcast(pollEvent[P]{after: next, caughtUp: true, pass: n})
	}
}

// broadcast hands ev to every started follower that receives its pass;
// one whose buffer is full is ended.
func (p *poller[P]) broadcast(ev pollEvent[P]) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for s := range p.subs {
		if s.from == 0 || ev.pass < s.from {
			continue // not started yet, or a pass that began before
		}
		select {
		case s.events <- ev:
		default:
			s.once.Do(func() { close(s.lagged) })
		}
	}
}
