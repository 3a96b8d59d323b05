package service_test

import (
	"encoding/base64"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/seal"
	"github.com/bwfacade/facade/internal/service"
)

// tokenIssued is the clock of the facades that issue page tokens here.
var tokenIssued = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// replica starts a facade (with its own sandbox) whose page tokens use
// keys, at the fixed instant now: one replica of a deployment.
func replica(t *testing.T, now time.Time, keys ...seal.Key) *facadetest.Stack {
	t.Helper()
	return facadetest.Start(t, facadetest.Options{PageTokens: seal.Settings{Keys: keys, Now: func() time.Time { return now }}})
}

// issuePageToken lists goals, two a page, with filters req on st as the
// caller with role, and returns the token of the second page.
func issuePageToken(t *testing.T, st *facadetest.Stack, role sandbox.Role, req *betterworksv1.ListGoalsRequest) string {
	t.Helper()
	req.PageSize = 2
	resp, err := st.Goals(facadetest.Connect, role).ListGoals(t.Context(), req)
	if err != nil {
		t.Fatalf("ListGoals(first page) error = %v", err)
	}
	if resp.GetNextPageToken() == "" {
		t.Fatal("ListGoals(first page) has no next_page_token")
	}
	return resp.GetNextPageToken()
}

// TestPageTokensRefusedBeforeUpstream: a page token that was not issued
// by a replica holding one of the keys, to this caller, for these filters,
// within the last 24 hours, is INVALID_ARGUMENT with reason
// PAGE_TOKEN_INVALID, and the upstream sees no request.
func TestPageTokensRefusedBeforeUpstream(t *testing.T) {
	t.Parallel()
	current, retired := seal.GenerateKey(), seal.GenerateKey()
	issuer := replica(t, tokenIssued, current)
	all := func() *betterworksv1.ListGoalsRequest { return &betterworksv1.ListGoalsRequest{} }
	token := issuePageToken(t, issuer, sandbox.RoleSuperAdmin, all())
	byRetiredKey := issuePageToken(t, replica(t, tokenIssued, retired), sandbox.RoleSuperAdmin, all())
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("next_page_token %q is not base64url: %v", token, err)
	}
	raw[len(raw)/2] ^= 0x01
	altered := base64.RawURLEncoding.EncodeToString(raw)

	tests := []struct {
		name     string
		protocol facadetest.Protocol
		now      time.Time
		role     sandbox.Role
		req      *betterworksv1.ListGoalsRequest
		token    string
	}{
		// The attack on digests without a key: page 2 of 65536 goals.
		{"forged_connect", facadetest.Connect, tokenIssued, sandbox.RoleSuperAdmin, all(), service.PlainDigestToken(all(), 2, 65536)},
		{"forged_grpc", facadetest.GRPC, tokenIssued, sandbox.RoleSuperAdmin, all(), service.PlainDigestToken(all(), 2, 65536)},
		{"forged_grpcweb", facadetest.GRPCWeb, tokenIssued, sandbox.RoleSuperAdmin, all(), service.PlainDigestToken(all(), 2, 65536)},
		{"altered_byte", facadetest.Connect, tokenIssued, sandbox.RoleSuperAdmin, all(), altered},
		{"expired", facadetest.GRPC, tokenIssued.Add(24 * time.Hour), sandbox.RoleSuperAdmin, all(), token},
		{"foreign_caller", facadetest.Connect, tokenIssued, sandbox.RoleAdmin, all(), token},
		{"other_filters", facadetest.Connect, tokenIssued, sandbox.RoleSuperAdmin, &betterworksv1.ListGoalsRequest{GoalName: "growth"}, token},
		{"retired_key", facadetest.GRPCWeb, tokenIssued, sandbox.RoleSuperAdmin, all(), byRetiredKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := replica(t, tt.now, current)
			tt.req.PageSize, tt.req.PageToken = 2, tt.token

			_, err := st.Goals(tt.protocol, tt.role).ListGoals(t.Context(), tt.req)

			wantUpstreamError(t, "ListGoals()", err, connect.CodeInvalidArgument, rpcerr.ReasonPageTokenInvalid)
			if !containsText(err, "page_token") {
				t.Errorf("ListGoals() error = %v, want one naming page_token", err)
			}
			if n := len(st.Sandbox.Requests()); n != 0 {
				t.Errorf("sandbox saw %d requests, want 0: a refused page token must not reach the upstream", n)
			}
		})
	}
}

// TestPageTokensOpenOnEveryReplicaDuringRotation: a token issued by one
// replica opens on another that holds its key, first or second, and the
// upstream is asked for the page the token names.
func TestPageTokensOpenOnEveryReplicaDuringRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := seal.GenerateKey(), seal.GenerateKey()
	tests := []struct {
		name          string
		issuerKeys    []seal.Key
		verifierKeys  []seal.Key
		verifierClock time.Time
	}{
		{"same_key", []seal.Key{oldKey}, []seal.Key{oldKey}, tokenIssued},
		{"new_key_listed_second", []seal.Key{newKey, oldKey}, []seal.Key{oldKey, newKey}, tokenIssued},
		{"old_key_listed_second", []seal.Key{oldKey}, []seal.Key{newKey, oldKey}, tokenIssued},
		{"a_second_before_expiry", []seal.Key{oldKey}, []seal.Key{oldKey}, tokenIssued.Add(24*time.Hour - time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := &betterworksv1.ListGoalsRequest{}
			req.PageToken = issuePageToken(t, replica(t, tokenIssued, tt.issuerKeys...), sandbox.RoleSuperAdmin, req)
			st := replica(t, tt.verifierClock, tt.verifierKeys...)

			if _, err := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin).ListGoals(t.Context(), req); err != nil {
				t.Fatalf("ListGoals(second page) error = %v", err)
			}

			q := lastQuery(st, "GET /goals/filter/")
			if got := q.Get("page") + "/" + q.Get("size"); got != "2/2" {
				t.Errorf("upstream page/size = %s, want 2/2", got)
			}
		})
	}
}
