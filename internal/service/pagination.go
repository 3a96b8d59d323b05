package service

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/upstream"
)

// Page tokens (AIP-158) are opaque to callers. A token is sealed (package
// seal: HMAC-SHA256 under the server's page token keys, with an expiry)
// and holds the upstream page to fetch next and the page size of the
// listing. It is bound to the caller it was issued to and to a digest of
// the request's filters, so it opens for no other caller and no other
// filters, and nobody without a key can make or change one. The upstream's
// nextUrl is never followed: the facade asks for the next page number
// itself.
//
// Endpoints that page by time instead (goal comments take latest_time, and
// ignore page) carry the creation time of the page's last item, and the
// next page asks for what came before it.
//
// Payload: page (uvarint), size (uvarint), and for time cursors the
// instant in Unix microseconds (uvarint). Changing it means changing
// pageTokenPurpose, so that tokens of the old layout no longer open.
const pageTokenPurpose = "betterworks.v1 page token v1"

const (
	// maxPage bounds the page number a token may name: a million pages,
	// far beyond any listing. A listing that reaches it ends there.
	maxPage = 1 << 20
	// fallbackMaxPageSize bounds the page size of a request message whose
	// page_size field declares no upper bound; every message of the
	// contract declares one (see TestEveryPageSizeIsBounded).
	fallbackMaxPageSize = 100
)

var (
	errBadPageToken     = errors.New("not issued by this API to this caller for a listing with these filters, or altered")
	errExpiredPageToken = errors.New("expired; start the listing again without a token")
)

// cursor is a decoded page position of one listing, and what it takes to
// issue the token of the next position.
type cursor struct {
	page upstream.PageRequest
	// before is the time cursor: fetch items created strictly before it.
	// Zero for page-number listings and first pages.
	before time.Time

	sealer  *seal.Sealer
	binding [2]string // caller name, filter digest
}

// pageRequest resolves the page_size and page_token of a list request of
// the caller in ctx. The first call of a listing fetches upstream page 1
// with page_size (0 leaves the size to the upstream); later calls fetch the
// page their token names, with the listing's first size, whatever
// page_size they carry, so pages never overlap or skip. A token that does
// not open, or whose values exceed the request's bounds, is
// INVALID_ARGUMENT with reason PAGE_TOKEN_INVALID.
func (h *handler) pageRequest(ctx context.Context, req pagedRequest) (cursor, error) {
	caller, ok := auth.CallerFrom(ctx)
	if !ok {
		return cursor{}, connect.NewError(connect.CodeUnauthenticated, errNoCaller)
	}
	digest := filterDigest(req)
	c := cursor{sealer: h.pages, binding: [2]string{caller.Name, string(digest[:])}}
	if req.GetPageToken() == "" {
		c.page = upstream.PageRequest{Page: 1, Size: int(req.GetPageSize())}
		return c, nil
	}
	payload, err := h.pages.Open(req.GetPageToken(), c.binding[:]...)
	switch {
	case errors.Is(err, seal.ErrExpired):
		return cursor{}, invalidPageToken(errExpiredPageToken)
	case err != nil:
		return cursor{}, invalidPageToken(errBadPageToken)
	}
	// The values are authentic; they are checked all the same, so that a
	// leaked key or a bug in issuing cannot send the upstream more than
	// the contract allows.
	page, n := binary.Uvarint(payload)
	if n <= 0 || page < 2 || page > maxPage {
		return cursor{}, invalidPageToken(errBadPageToken)
	}
	payload = payload[n:]
	size, n := binary.Uvarint(payload)
	if n <= 0 || size > uint64(maxPageSize(req.ProtoReflect().Descriptor())) {
		return cursor{}, invalidPageToken(errBadPageToken)
	}
	c.page = upstream.PageRequest{Page: int(page), Size: int(size)}
	if payload = payload[n:]; len(payload) > 0 {
		micros, n := binary.Uvarint(payload)
		if n != len(payload) || micros == 0 || micros > 1<<62 {
			return cursor{}, invalidPageToken(errBadPageToken)
		}
		c.before = time.UnixMicro(int64(micros)).UTC()
	}
	return c, nil
}

// next returns the token of the page after c, or "" when more is false.
func (c cursor) next(more bool) string {
	if !more || c.page.Page >= maxPage {
		return ""
	}
	return c.token(time.Time{})
}

// nextBefore returns the token of the time-cursor page after c, whose last
// item was created at last, or "" when more is false or last is unknown.
func (c cursor) nextBefore(more bool, last time.Time) string {
	if !more || last.UnixMicro() <= 0 || c.page.Page >= maxPage {
		return ""
	}
	return c.token(last)
}

func (c cursor) token(before time.Time) string {
	buf := make([]byte, 0, 3*binary.MaxVarintLen64)
	buf = binary.AppendUvarint(buf, uint64(c.page.Page+1))
	buf = binary.AppendUvarint(buf, uint64(c.page.Size))
	if !before.IsZero() {
		buf = binary.AppendUvarint(buf, uint64(before.UnixMicro()))
	}
	return c.sealer.Seal(buf, c.binding[:]...)
}

// filterDigest hashes the request's type and every field but page_size and
// page_token.
func filterDigest(req proto.Message) [sha256.Size]byte {
	return digestWithout(req, "page_size", "page_token")
}

// deltaFilterDigest hashes the request's type and its filters but paging
// and the modified range, which a sync's filter may not set: an export
// issues a watermark only when its filter sets no range either
// (hasModifiedRange), having read all a sync starts from.
func deltaFilterDigest(req proto.Message) [sha256.Size]byte {
	return digestWithout(req, "page_size", "page_token", "modified_after", "modified_before")
}

// hasModifiedRange reports whether the filter req sets modified_after or
// modified_before: an export of such a filter reads only the items
// modified in that range, so no sync may start from the moment it began.
func hasModifiedRange(req proto.Message) bool {
	m := req.ProtoReflect()
	for _, name := range []protoreflect.Name{"modified_after", "modified_before"} {
		if fd := m.Descriptor().Fields().ByName(name); fd != nil && m.Has(fd) {
			return true
		}
	}
	return false
}

// digestWithout hashes the request's type and every field but those named.
func digestWithout(req proto.Message, skip ...protoreflect.Name) [sha256.Size]byte {
	m := proto.Clone(req).ProtoReflect()
	fields := m.Descriptor().Fields()
	for _, name := range skip {
		if fd := fields.ByName(name); fd != nil {
			m.Clear(fd)
		}
	}
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m.Interface())
	h := sha256.New()
	h.Write([]byte(m.Descriptor().FullName()))
	h.Write([]byte{0})
	h.Write(b)
	return [sha256.Size]byte(h.Sum(nil))
}

// maxPageSizes caches maxPageSize by message name.
var maxPageSizes sync.Map // protoreflect.FullName -> int

// maxPageSize returns the largest page_size the contract allows in a
// message of md: the bound of its page_size field's protovalidate rule
// (lte, or lt less one), or fallbackMaxPageSize when it declares none.
func maxPageSize(md protoreflect.MessageDescriptor) int {
	if v, ok := maxPageSizes.Load(md.FullName()); ok {
		return v.(int)
	}
	limit := fallbackMaxPageSize
	if fd := md.Fields().ByName("page_size"); fd != nil {
		rules, _ := proto.GetExtension(fd.Options(), validate.E_Field).(*validate.FieldRules)
		switch r := rules.GetInt32(); {
		case r.HasLte():
			limit = int(r.GetLte())
		case r.HasLt():
			limit = int(r.GetLt()) - 1
		}
	}
	limit = max(limit, 0)
	maxPageSizes.Store(md.FullName(), limit)
	return limit
}

func invalidPageToken(err error) *connect.Error {
	return rpcerr.New(connect.CodeInvalidArgument, fmt.Errorf("page_token: %w", err), rpcerr.ReasonPageTokenInvalid, nil)
}
