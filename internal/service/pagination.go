package service

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bwfacade/facade/internal/upstream"
)

// Page tokens (AIP-158) are opaque to callers. Inside, a token holds the
// upstream page to fetch next, the page size of the listing and a digest of
// the request's filters, so a token reused with other filters is rejected.
// The upstream's nextUrl is never followed: the facade asks for the next
// page number itself.
//
// Endpoints that page by time instead (goal comments take latest_time, and
// ignore page) carry the creation time of the page's last item, and the
// next page asks for what came before it.
//
// Layout before base64url: version (1 byte), page (uvarint), size (uvarint),
// the first 8 bytes of the SHA-256 of the request with its paging fields
// cleared, and for time cursors the instant in Unix microseconds (uvarint).
const (
	pageTokenVersion = 1
	digestLen        = 8
)

var errBadPageToken = errors.New("page_token is not a token this API issued")

// cursor is a decoded page position of one listing.
type cursor struct {
	page   upstream.PageRequest
	digest [digestLen]byte
	// before is the time cursor: fetch items created strictly before it.
	// Zero for page-number listings and first pages.
	before time.Time
}

// pageRequest resolves the page_size and page_token of a list request. The
// first call of a listing fetches upstream page 1 with page_size (0 leaves
// the size to the upstream); later calls fetch the page their token names,
// with the listing's first size, whatever page_size they carry, so pages
// never overlap or skip.
func pageRequest(req proto.Message, pageSize int32, pageToken string) (cursor, error) {
	c := cursor{digest: filterDigest(req)}
	if pageToken == "" {
		c.page = upstream.PageRequest{Page: 1, Size: int(pageSize)}
		return c, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(pageToken)
	if err != nil || len(raw) < 1+2+digestLen || raw[0] != pageTokenVersion {
		return cursor{}, invalidPageToken(errBadPageToken)
	}
	rest := raw[1:]
	page, n := binary.Uvarint(rest)
	if n <= 0 || page < 2 || page > 1<<20 {
		return cursor{}, invalidPageToken(errBadPageToken)
	}
	rest = rest[n:]
	size, n := binary.Uvarint(rest)
	if n <= 0 || size > 1<<16 {
		return cursor{}, invalidPageToken(errBadPageToken)
	}
	rest = rest[n:]
	if len(rest) < digestLen {
		return cursor{}, invalidPageToken(errBadPageToken)
	}
	if [digestLen]byte(rest[:digestLen]) != c.digest {
		return cursor{}, invalidPageToken(errors.New("page_token belongs to a listing with other filters"))
	}
	c.page = upstream.PageRequest{Page: int(page), Size: int(size)}
	if rest = rest[digestLen:]; len(rest) > 0 {
		micros, n := binary.Uvarint(rest)
		if n != len(rest) || micros == 0 || micros > 1<<62 {
			return cursor{}, invalidPageToken(errBadPageToken)
		}
		c.before = time.UnixMicro(int64(micros)).UTC()
	}
	return c, nil
}

// next returns the token of the page after c, or "" when more is false.
func (c cursor) next(more bool) string {
	if !more {
		return ""
	}
	return c.token(time.Time{})
}

// nextBefore returns the token of the time-cursor page after c, whose last
// item was created at last, or "" when more is false or last is unknown.
func (c cursor) nextBefore(more bool, last time.Time) string {
	if !more || last.UnixMicro() <= 0 {
		return ""
	}
	return c.token(last)
}

func (c cursor) token(before time.Time) string {
	buf := make([]byte, 0, 1+3*binary.MaxVarintLen64+digestLen)
	buf = append(buf, pageTokenVersion)
	buf = binary.AppendUvarint(buf, uint64(c.page.Page+1))
	buf = binary.AppendUvarint(buf, uint64(c.page.Size))
	buf = append(buf, c.digest[:]...)
	if !before.IsZero() {
		buf = binary.AppendUvarint(buf, uint64(before.UnixMicro()))
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

// filterDigest hashes the request's type and every field but page_size and
// page_token.
func filterDigest(req proto.Message) [digestLen]byte {
	m := proto.Clone(req).ProtoReflect()
	fields := m.Descriptor().Fields()
	for _, name := range []protoreflect.Name{"page_size", "page_token"} {
		if fd := fields.ByName(name); fd != nil {
			m.Clear(fd)
		}
	}
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m.Interface())
	h := sha256.New()
	h.Write([]byte(m.Descriptor().FullName()))
	h.Write(b)
	var d [digestLen]byte
	copy(d[:], h.Sum(nil))
	return d
}

func invalidPageToken(err error) *connect.Error {
	return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("page_token: %w", err))
}
