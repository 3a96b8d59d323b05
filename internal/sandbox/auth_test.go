package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	sb := api.sb
	tests := []struct {
		name       string
		header     string
		wantStatus int
		wantDetail string
	}{
		{name: "missing", header: "", wantStatus: 401, wantDetail: msgNoCredential},
		{name: "other_scheme", header: "Bearer " + sb.Token(RoleSuperAdmin), wantStatus: 401, wantDetail: msgNoCredential},
		{name: "empty_token", header: "APIToken ", wantStatus: 401, wantDetail: msgNoCredential},
		{name: "unknown", header: "APIToken bwsbx_0000000000000000000000000000000000000000", wantStatus: 401, wantDetail: "Invalid token."},
		{name: "revoked", header: "APIToken " + sb.RevokedToken(), wantStatus: 401, wantDetail: "API key has been revoked."},
		{name: "deactivated_user", header: "APIToken " + sb.TokenFor(sb.Fixtures().DeactivatedUserID), wantStatus: 401, wantDetail: "User inactive or deleted."},
		{name: "valid", header: "APIToken " + sb.Token(RoleUser), wantStatus: 200, wantDetail: "<nil>"},
		{name: "scheme_any_case", header: "apitoken " + sb.Token(RoleUser), wantStatus: 200, wantDetail: "<nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), "GET", api.srv.URL+"/api/v1/users/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", tt.header)
			resp, err := api.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			ans := answer{status: resp.StatusCode, header: resp.Header, body: readAll(t, resp)}
			if ans.status != tt.wantStatus {
				t.Fatalf("GET /users/ status = %d, want %d: %s", ans.status, tt.wantStatus, ans.body)
			}
			body = ans.object(t)
			if got := fmt.Sprint(body["detail"]); got != tt.wantDetail {
				t.Errorf("detail = %q, want %q", got, tt.wantDetail)
			}
			if got := ans.header.Get("WWW-Authenticate") != ""; got != (tt.wantStatus == 401) {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tt.wantStatus == 401)
			}
		})
	}
}

func TestTokensAreDeterministicAndBelongToTheirRole(t *testing.T) {
	t.Parallel()
	a, b, c := New(Config{Seed: 3}), New(Config{Seed: 3}), New(Config{Seed: 4})
	for _, role := range []Role{RoleSuperAdmin, RoleAdmin, RoleHRAdmin, RoleUser} {
		if a.Token(role) != b.Token(role) {
			t.Errorf("Token(%v) differs between two sandboxes with seed 3", role)
		}
		if a.Token(role) == c.Token(role) {
			t.Errorf("Token(%v) is the same for seeds 3 and 4", role)
		}
		if got := a.UserFor(role).Role; got != role {
			t.Errorf("UserFor(%v).Role = %v", role, got)
		}
	}
	api := newTestAPI(t, Config{Seed: 3})
	for _, role := range []Role{RoleSuperAdmin, RoleAdmin, RoleHRAdmin, RoleUser} {
		u := api.sb.UserFor(role)
		got := api.get(role, fmt.Sprintf("/users/%d/", u.ID)).object(t)
		flags := map[Role]string{RoleSuperAdmin: "is_super_admin", RoleAdmin: "is_admin", RoleHRAdmin: "is_group_admin"}
		if f := flags[role]; f != "" && got[f] != true {
			t.Errorf("user %d of %v: %s = %v, want true", u.ID, role, f, got[f])
		}
		if got["email"] != u.Email {
			t.Errorf("user %d email = %v, want %v", u.ID, got["email"], u.Email)
		}
	}
}

func TestRequestLogNeverHoldsTokens(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	for _, role := range []Role{RoleSuperAdmin, RoleUser} {
		api.get(role, "/goals/filter/?size=1")
		api.send(role, "POST", "/goals/1/checkin/", `{"value": 1}`)
	}
	api.do(api.sb.RevokedToken(), "GET", "/users/", "")
	for _, r := range api.sb.Requests() {
		dump := fmt.Sprintf("%+v %s", r, r.Body)
		for _, role := range []Role{RoleSuperAdmin, RoleUser} {
			if strings.Contains(dump, api.sb.Token(role)) {
				t.Errorf("request log entry holds a token: %s %s", r.Method, r.Path)
			}
		}
		if strings.Contains(dump, api.sb.RevokedToken()) {
			t.Errorf("request log entry holds the revoked token: %s %s", r.Method, r.Path)
		}
	}
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatalf("read body: %v", err)
	}
	return buf.Bytes()
}
