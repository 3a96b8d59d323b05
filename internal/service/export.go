package service

import (
	"context"
	"encoding/binary"
	"errors"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/upstream"
)

// Exports and syncs stream whole collections. Both walk upstream pages
// with the caller's token, so the token's pace (package upstream) bounds
// them like any other call; an export fetches several pages ahead so that
// the upstream's latency hides behind the pace.

// Defaults of the streams.
const (
	// dedupExtraPages is how many pages beyond those fetched ahead an
	// export remembers the ids of, to drop an item an offset page shows
	// again after the collection shifted.
	dedupExtraPages = 2
	// exportPurpose seals resume tokens; its payload layout is
	// exportCursor's.
	exportPurpose = "betterworks.v1 export resume token v1"
)

// collection is one paged upstream listing with the caller's filters
// applied, as its list, export and sync RPCs share it.
type collection[T, P any] struct {
	// name tells the collection apart in tokens, such as "users".
	name string
	// filter is the list request whose filters apply; its page_size sets
	// the size of the upstream pages.
	filter pagedRequest
	// list fetches one page. A non-zero since replaces the filters'
	// modified_after (the upstream's delta_start).
	list func(ctx context.Context, token upstream.Token, page upstream.PageRequest, since time.Time) (*upstream.Page[T], error)
	// convert turns an item into its message.
	convert func(*T) P
	// key identifies an item and its version.
	key func(*T) itemKey
}

// itemKey identifies one version of an item: its id and when it was last
// modified.
type itemKey struct {
	id       int64
	modified time.Time
}

// exportCursor is where an export stands after a message: what a resume
// token carries.
type exportCursor struct {
	next, size   int   // the next upstream page and the pages' size
	pages, items int64 // delivered so far
	began        time.Time
}

func (c exportCursor) marshal() []byte {
	b := binary.AppendUvarint(nil, uint64(c.next))
	b = binary.AppendUvarint(b, uint64(c.size))
	b = binary.AppendUvarint(b, uint64(c.pages))
	b = binary.AppendUvarint(b, uint64(c.items))
	return binary.AppendUvarint(b, uint64(max(c.began.UnixMicro(), 0)))
}

func (c *exportCursor) unmarshal(b []byte) bool {
	var v [5]uint64
	for i := range v {
		n := 0
		v[i], n = binary.Uvarint(b)
		if n <= 0 {
			return false
		}
		b = b[n:]
	}
	if len(b) != 0 || v[0] < 2 || v[0] > maxPage || v[4] > 1<<62 {
		return false
	}
	c.next, c.size, c.pages, c.items = int(v[0]), int(v[1]), int64(v[2]), int64(v[3])
	c.began = time.UnixMicro(int64(v[4])).UTC()
	return true
}

// exportMessage is one message of an export, for the RPC to wrap.
type exportMessage[P any] struct {
	items    []P
	progress *betterworksv1.ExportProgress
	// resume is the resume token; empty on the last message.
	resume string
	// watermark is set on the last message of a collection with delta
	// filters.
	watermark string
}

// export streams every page of c to send, fetching up to
// Config.ExportAhead pages ahead within the token's pace, from the start or from where
// resumeToken left off. A page that still fails after the client's
// retries ends the export with its error, whose ErrorInfo carries the
// resume token of the last message sent (metadata resume_token). When the
// caller goes, ctx ends and so do the upstream requests in flight.
func export[T, P any](ctx context.Context, h *handler, c collection[T, P], resumeToken string, withWatermark bool, send func(exportMessage[P]) error) error {
	token, err := callerToken(ctx)
	if err != nil {
		return err
	}
	caller, _ := auth.CallerFrom(ctx)
	digest := filterDigest(c.filter)
	binding := []string{caller.Name, c.name, string(digest[:])}
	sealer := seal.New(exportPurpose, h.pageKeys)

	cur := exportCursor{next: 1, size: int(c.filter.GetPageSize())}
	if cur.size == 0 {
		cur.size = maxPageSize(c.filter.ProtoReflect().Descriptor())
	}
	if resumeToken != "" {
		payload, err := sealer.Open(resumeToken, binding...)
		if err != nil || !cur.unmarshal(payload) || cur.size > maxPageSize(c.filter.ProtoReflect().Descriptor()) {
			return rpcerr.New(connect.CodeInvalidArgument,
				errors.New("resume_token: not issued by this API to this caller for an export with this filter, altered or expired"),
				rpcerr.ReasonResumeTokenInvalid, nil)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fetch := func(ctx context.Context, n int) (*upstream.Page[T], error) {
		return c.list(ctx, token, upstream.PageRequest{Page: n, Size: cur.size}, time.Time{})
	}
	// The first page comes alone: it may be the last, or say how many
	// there are, and a page fetched for nothing costs a turn of the
	// token's pace.
	var pages *pipeline[T]
	seen := newRecentKeys[int64](h.exportAhead + dedupExtraPages)
	for n := cur.next; ; n++ {
		var page *upstream.Page[T]
		if pages == nil {
			page, err = fetch(ctx, n)
		} else {
			page, err = pages.next(ctx)
			if errors.Is(err, errPipelineDone) {
				// Page 1 said how many pages there were, and the
				// collection grew since: fetch on, one at a time.
				page, err = fetch(ctx, n)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return contextError(ctx)
			}
			cerr := connectError(ctx, h.logger, err)
			if cur.pages == 0 {
				return cerr
			}
			return rpcerr.WithMetadata(cerr, "resume_token", sealer.Seal(cur.marshal(), binding...))
		}
		if cur.began.IsZero() {
			cur.began = page.Served
		}
		last := !page.More || len(page.Results) == 0 || n >= maxPage || page.NumPages > 0 && n >= page.NumPages
		switch {
		case pages == nil && !last:
			pages = fetchAhead(ctx, n+1, h.exportAhead, fetch)
			if page.NumPages > 0 {
				pages.stop(page.NumPages)
			}
		case pages != nil && last:
			pages.stop(n)
		}
		items := make([]P, 0, len(page.Results))
		seen.nextPage()
		for i := range page.Results {
			if seen.add(c.key(&page.Results[i]).id) {
				items = append(items, c.convert(&page.Results[i]))
			}
		}
		cur.next, cur.pages, cur.items = n+1, cur.pages+1, cur.items+int64(len(items))
		msg := exportMessage[P]{
			items:    items,
			progress: &betterworksv1.ExportProgress{Pages: cur.pages, Items: cur.items, TotalPages: int64(page.NumPages)},
		}
		switch {
		case !last:
			msg.resume = sealer.Seal(cur.marshal(), binding...)
		case withWatermark && !hasModifiedRange(c.filter):
			msg.watermark = h.watermarks(caller.Name, c.name, deltaFilterDigest(c.filter)).seal(watermark{high: cur.began})
		}
		if err := send(msg); err != nil {
			return sendError(ctx, err)
		}
		if last {
			return nil
		}
	}
}

// contextError is the error of a stream whose caller went away or whose
// deadline passed: Canceled or DeadlineExceeded, not Unknown.
func contextError(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return connect.NewError(connect.CodeDeadlineExceeded, ctx.Err())
	}
	return connect.NewError(connect.CodeCanceled, ctx.Err())
}

// sendError is the error of a message a stream could not send: the
// caller's leaving, when it left.
func sendError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return contextError(ctx)
	}
	return err
}

// errPipelineDone is next's error when the pipeline started every page up
// to the last it was told of.
var errPipelineDone = errors.New("no page left in the pipeline")

// pipeline fetches numbered pages ahead of the one its consumer takes,
// each in its own goroutine, and hands them over in order. Beyond the page
// its consumer waits for, at most ahead pages are in flight or waiting to
// be taken; after stop, no page past the last is started.
type pipeline[T any] struct {
	results chan chan pageResult[T]
	last    atomic.Int64
}

type pageResult[T any] struct {
	page *upstream.Page[T]
	err  error
}

// fetchAhead starts fetching pages first, first+1, ... with fetch, until
// ctx ends or stop names the last page.
func fetchAhead[T any](ctx context.Context, first, ahead int, fetch func(context.Context, int) (*upstream.Page[T], error)) *pipeline[T] {
	p := &pipeline[T]{results: make(chan chan pageResult[T], ahead-1)}
	p.last.Store(maxPage)
	go func() {
		defer close(p.results)
		for n := first; int64(n) <= p.last.Load(); n++ {
			ch := make(chan pageResult[T], 1)
			go func() {
				page, err := fetch(ctx, n)
				ch <- pageResult[T]{page, err}
			}()
			select {
			case p.results <- ch:
			case <-ctx.Done():
				return
			}
		}
	}()
	return p
}

// next returns the next page in order.
func (p *pipeline[T]) next(ctx context.Context) (*upstream.Page[T], error) {
	select {
	case ch, ok := <-p.results:
		if !ok {
			return nil, errPipelineDone
		}
		select {
		case r := <-ch:
			return r.page, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stop says that page n is the last: no later page is started. Those
// already started end with the pipeline's ctx.
func (p *pipeline[T]) stop(n int) { p.last.Store(int64(n)) }

// recentKeys remembers the keys of the last pages, to drop an item shown
// again by an offset page that shifted. Its memory is that of a few pages
// whatever the collection's size.
type recentKeys[K comparable] struct {
	pages []map[K]struct{}
	at    int
}

func newRecentKeys[K comparable](pages int) *recentKeys[K] {
	return &recentKeys[K]{pages: make([]map[K]struct{}, pages)}
}

// nextPage forgets the oldest page's keys.
func (r *recentKeys[K]) nextPage() {
	r.at = (r.at + 1) % len(r.pages)
	r.pages[r.at] = make(map[K]struct{})
}

// add records k for the current page and reports whether it is new.
func (r *recentKeys[K]) add(k K) bool {
	for _, keys := range r.pages {
		if _, dup := keys[k]; dup {
			return false
		}
	}
	r.pages[r.at][k] = struct{}{}
	return true
}
