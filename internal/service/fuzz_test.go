package service

import (
	"testing"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
)

// FuzzPageToken: a caller's page_token is either one this API issued for
// the same filters, or INVALID_ARGUMENT; never a panic or a page below 2.
func FuzzPageToken(f *testing.F) {
	req := &betterworksv1.ListGoalsRequest{GoalName: "growth"}
	first, err := pageRequest(req, 20, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(first.next(true))
	f.Add(first.nextBefore(true, first.before.AddDate(2020, 0, 0)))
	f.Add("AQ")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, token string) {
		cur, err := pageRequest(req, 20, token)
		switch {
		case err != nil && connect.CodeOf(err) != connect.CodeInvalidArgument:
			t.Errorf("pageRequest(%q) code = %v, want invalid_argument", token, connect.CodeOf(err))
		case err == nil && token != "" && cur.page.Page < 2:
			t.Errorf("pageRequest(%q) page = %d, want >= 2", token, cur.page.Page)
		}
	})
}
