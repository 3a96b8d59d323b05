package service

import (
	"encoding/base64"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

func TestPageTokenRoundTrip(t *testing.T) {
	t.Parallel()
	req := &betterworksv1.ListGoalsRequest{PageSize: 25, GoalName: "growth"}
	first, err := pageRequest(req, req.GetPageSize(), "")
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
	second, err := pageRequest(req, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		t.Fatalf("pageRequest(second) error = %v", err)
	}
	if second.page != (upstream.PageRequest{Page: 2, Size: 25}) || !second.before.IsZero() {
		t.Errorf("second page = %+v before %v, want page 2 size 25 and no time cursor", second.page, second.before)
	}

	last := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	req.PageToken = second.nextBefore(true, last)
	third, err := pageRequest(req, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		t.Fatalf("pageRequest(third) error = %v", err)
	}
	if !third.before.Equal(last) || third.page.Page != 3 {
		t.Errorf("third page = %+v before %v, want page 3 before %v", third.page, third.before, last)
	}
}

func TestPageTokenRejects(t *testing.T) {
	t.Parallel()
	req := &betterworksv1.ListGoalsRequest{GoalName: "growth"}
	first, err := pageRequest(req, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	good := first.next(true)
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	tamper := func(f func([]byte) []byte) string {
		return base64.RawURLEncoding.EncodeToString(f(append([]byte(nil), raw...)))
	}
	tests := []struct {
		name  string
		req   pagedRequest
		token string
	}{
		{"not_base64", req, "!!!"},
		{"other_version", req, tamper(func(b []byte) []byte { b[0] = 9; return b })},
		{"page_one", req, tamper(func(b []byte) []byte { b[1] = 1; return b })},
		{"truncated_digest", req, tamper(func(b []byte) []byte { return b[:len(b)-1] })},
		{"trailing_garbage", req, tamper(func(b []byte) []byte { return append(b, 0x80) })},
		{"other_filters", &betterworksv1.ListGoalsRequest{GoalName: "other"}, good},
		{"other_request_type", &betterworksv1.SearchGoalsRequest{}, good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pageRequest(tt.req, 0, tt.token)
			if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
				t.Errorf("pageRequest(%s) code = %v, want %v (err: %v)", tt.name, got, connect.CodeInvalidArgument, err)
			}
		})
	}
}
