package service

import (
	"testing"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/seal"
)

// FuzzPageToken: a caller's page_token is either one this API issued to
// that caller for the same filters, or INVALID_ARGUMENT; never a panic, a
// page below 2 or a size above the contract's.
func FuzzPageToken(f *testing.F) {
	h := pagingHandler(seal.GenerateKey(), issued)
	ctx := as(f.Context(), "alice")
	req := &betterworksv1.ListGoalsRequest{GoalName: "growth", PageSize: 20}
	first, err := h.pageRequest(ctx, req)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(first.next(true))
	f.Add(first.nextBefore(true, issued))
	f.Add(plainDigestToken(req, 2, 65536))
	f.Add("AQ")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, token string) {
		cur, err := h.pageRequest(ctx, &pagedWithToken{req, token})
		switch {
		case err != nil && connect.CodeOf(err) != connect.CodeInvalidArgument:
			t.Errorf("pageRequest(%q) code = %v, want invalid_argument", token, connect.CodeOf(err))
		case err == nil && token != "" && (cur.page.Page < 2 || cur.page.Size > 100):
			t.Errorf("pageRequest(%q) page = %+v, want page >= 2 and size <= 100", token, cur.page)
		}
	})
}
