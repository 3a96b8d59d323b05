package service

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"testing"
	"time"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/upstream"
)

// issued is the instant the page tokens of these tests are sealed at.
var issued = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// pagingHandler returns a handler whose page tokens are sealed with key
// at the clock now.
func pagingHandler(key seal.Key, now time.Time) *handler {
	h := newHandler(Config{PageTokens: seal.Settings{Keys: []seal.Key{key}, Now: func() time.Time { return now }}})
	return &h
}

// as returns a context of the authenticated caller name.
func as(ctx context.Context, name string) context.Context {
	return auth.WithCaller(ctx, &auth.Caller{Name: name, Token: upstream.NewToken("t")})
}

func TestPageTokenRoundTrip(t *testing.T) {
	t.Parallel()
	h, ctx := pagingHandler(seal.GenerateKey(), issued), as(t.Context(), "alice")
	req := &betterworksv1.ListGoalsRequest{PageSize: 25, GoalName: "growth"}
	first, err := h.pageRequest(ctx, req)
	if err != nil {
		t.Fatalf("pageRequest(first) error = %v", err)
	}
	if first.page != (upstream.PageRequest{Page: 1, Size: 25}) {
		t.Errorf("first page = %+v, want page 1 size 25", first.page)
	}
	if got := first.next(false); got != "" {
		t.Errorf("next(more=false) = %q, want empty", got)
	}

	// A later call may carry another page_size: the listing's size holds.
	req.PageToken, req.PageSize = first.next(true), 5
	second, err := h.pageRequest(ctx, req)
	if err != nil {
		t.Fatalf("pageRequest(second) error = %v", err)
	}
	if second.page != (upstream.PageRequest{Page: 2, Size: 25}) || !second.before.IsZero() {
		t.Errorf("second page = %+v before %v, want page 2 size 25 and no time cursor", second.page, second.before)
	}

	last := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	req.PageToken = second.nextBefore(true, last)
	third, err := h.pageRequest(ctx, req)
	if err != nil {
		t.Fatalf("pageRequest(third) error = %v", err)
	}
	if !third.before.Equal(last) || third.page.Page != 3 {
		t.Errorf("third page = %+v before %v, want page 3 before %v", third.page, third.before, last)
	}
	if n := len(req.PageToken); n > 48 {
		t.Errorf("time cursor token is %d characters, want a compact one (<= 48)", n)
	}
}

func TestPageTokenRejects(t *testing.T) {
	t.Parallel()
	key := seal.GenerateKey()
	h, ctx := pagingHandler(key, issued), as(t.Context(), "alice")
	req := &betterworksv1.ListGoalsRequest{GoalName: "growth"}
	first, err := h.pageRequest(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	good := first.next(true)
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	altered := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x20
		return base64.RawURLEncoding.EncodeToString(b)
	}
	// authentic seals payload as this API would, for alice and req: what
	// a holder of the key could make, and issuing must never make.
	authentic := func(payload ...uint64) string {
		var b []byte
		for _, v := range payload {
			b = binary.AppendUvarint(b, v)
		}
		return first.sealer.Seal(b, first.binding[:]...)
	}
	tests := []struct {
		name    string
		handler *handler
		ctx     context.Context
		req     pagedRequest
		token   string
	}{
		{"not_base64", h, ctx, req, "!!!"},
		{"plain_digest", h, ctx, req, plainDigestToken(req, 2, 65536)},
		{"first_byte_altered", h, ctx, req, altered(0)},
		{"middle_byte_altered", h, ctx, req, altered(len(raw) / 2)},
		{"last_byte_altered", h, ctx, req, altered(len(raw) - 1)},
		{"truncated", h, ctx, req, good[:len(good)-2]},
		{"other_filters", h, ctx, &betterworksv1.ListGoalsRequest{GoalName: "other"}, good},
		{"other_request_type", h, ctx, &betterworksv1.SearchGoalsRequest{}, good},
		{"other_caller", h, as(t.Context(), "bob"), req, good},
		{"other_key", pagingHandler(seal.GenerateKey(), issued), ctx, req, good},
		{"expired", pagingHandler(key, issued.Add(seal.DefaultTTL)), ctx, req, good},
		{"page_one", h, ctx, req, authentic(1, 10)},
		{"page_beyond_bound", h, ctx, req, authentic(maxPage+1, 10)},
		{"size_beyond_contract", h, ctx, req, authentic(2, 101)},
		{"size_of_the_attack", h, ctx, req, authentic(2, 65536)},
		{"no_size", h, ctx, req, authentic(2)},
		{"zero_time_cursor", h, ctx, req, authentic(2, 10, 0)},
		{"trailing_value", h, ctx, req, authentic(2, 10, 1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.handler.pageRequest(tt.ctx, &pagedWithToken{tt.req, tt.token})
			if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
				t.Errorf("pageRequest() code = %v, want %v (err: %v)", got, connect.CodeInvalidArgument, err)
			}
			if got := rpcerr.Reason(err); got != rpcerr.ReasonPageTokenInvalid {
				t.Errorf("pageRequest() reason = %q, want %q", got, rpcerr.ReasonPageTokenInvalid)
			}
		})
	}
}

// TestPageTokenSizeBoundIsTheContracts: a token may carry the largest
// page_size the request's contract allows, and no more.
func TestPageTokenSizeBoundIsTheContracts(t *testing.T) {
	t.Parallel()
	h, ctx := pagingHandler(seal.GenerateKey(), issued), as(t.Context(), "alice")
	tests := []struct {
		req  pagedRequest
		want int
	}{
		{&betterworksv1.ListGoalsRequest{}, 100},
		{&betterworksv1.ListGoalCommentsRequest{GoalId: "1"}, 10},
		{&betterworksv1.ListUsersRequest{}, 20},
	}
	for _, tt := range tests {
		name := string(tt.req.ProtoReflect().Descriptor().Name())
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := maxPageSize(tt.req.ProtoReflect().Descriptor()); got != tt.want {
				t.Fatalf("maxPageSize(%s) = %d, want %d", name, got, tt.want)
			}
			first, err := h.pageRequest(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			first.page.Size = tt.want
			if _, err := h.pageRequest(ctx, &pagedWithToken{tt.req, first.next(true)}); err != nil {
				t.Errorf("pageRequest(size %d) error = %v, want nil", tt.want, err)
			}
			first.page.Size = tt.want + 1
			if _, err := h.pageRequest(ctx, &pagedWithToken{tt.req, first.next(true)}); connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("pageRequest(size %d) error = %v, want invalid_argument", tt.want+1, err)
			}
		})
	}
}

// TestEveryPageSizeIsBounded: every paged request of the contract bounds
// its page_size, so maxPageSize never falls back to a guess.
func TestEveryPageSizeIsBounded(t *testing.T) {
	t.Parallel()
	var unbounded, paged []string
	protoregistry.GlobalFiles.RangeFilesByPackage("betterworks.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Messages().Len() {
			md := fd.Messages().Get(i)
			if md.Fields().ByName("page_token") == nil {
				continue
			}
			paged = append(paged, string(md.Name()))
			if size := md.Fields().ByName("page_size"); size == nil || !hasUpperBound(size) {
				unbounded = append(unbounded, string(md.Name()))
			}
		}
		return true
	})
	if len(paged) < 15 {
		t.Errorf("found %d paged requests, want every list request of the contract: %v", len(paged), paged)
	}
	if diff := cmp.Diff([]string(nil), unbounded); diff != "" {
		t.Errorf("requests whose page_size has no lte or lt rule (-want +got):\n%s", diff)
	}
}

// hasUpperBound reports whether fd, an int32 field, has a protovalidate
// lte or lt rule.
func hasUpperBound(fd protoreflect.FieldDescriptor) bool {
	rules, _ := proto.GetExtension(fd.Options(), validate.E_Field).(*validate.FieldRules)
	return rules.GetInt32().HasLte() || rules.GetInt32().HasLt()
}

// pagedWithToken is req with its page_token replaced.
type pagedWithToken struct {
	pagedRequest
	token string
}

func (p *pagedWithToken) GetPageToken() string { return p.token }
