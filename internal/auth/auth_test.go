package auth_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"connectrpc.com/authn"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/upstream"
)

func TestRegistryAuthenticatesByKeyHash(t *testing.T) {
	t.Parallel()
	key := auth.GenerateKey()
	reporting := &auth.Caller{Name: "reporting", Token: upstream.NewToken("tok")}
	registry := auth.NewRegistry(
		auth.Entry{KeyHash: auth.HashKey(key), Caller: reporting},
		auth.Entry{KeyHash: auth.HashKey(auth.GenerateKey()), Caller: &auth.Caller{Name: "other"}},
	)
	tests := []struct {
		name       string
		header     string
		want       *auth.Caller
		wantStatus int
	}{
		{"bearer", "Bearer " + key, reporting, http.StatusOK},
		{"scheme_any_case", "bearer " + key, reporting, http.StatusOK},
		{"unknown_key", "Bearer " + auth.GenerateKey(), nil, http.StatusUnauthorized},
		{"no_header", "", nil, http.StatusUnauthorized},
		{"basic_scheme", "Basic " + key, nil, http.StatusUnauthorized},
		{"bearer_without_key", "Bearer ", nil, http.StatusUnauthorized},
		{"key_without_scheme", key, nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got *auth.Caller
			handler := authn.NewMiddleware(registry.AuthFunc()).Wrap(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got, _ = auth.CallerFrom(r.Context())
			}))
			req := httptest.NewRequest(http.MethodPost, "/betterworks.v1.GoalService/GetGoal", nil)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", tt.header)
			rec := httptest.NewRecorder()

			handler.ServeHTTP(rec, req)

			if got != tt.want {
				t.Errorf("caller = %v, want %v", got, tt.want)
			}
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	a, b := auth.GenerateKey(), auth.GenerateKey()
	if a == b {
		t.Error("GenerateKey() returned the same key twice")
	}
	if !regexp.MustCompile(`^bwf_[A-Z2-7]{26}$`).MatchString(a) {
		t.Errorf("GenerateKey() = %q, want bwf_ and 26 base32 characters (130 bits)", a)
	}
	if got, want := auth.HashKeyHex("bwf_example"), "fc58964812078c8dbab24616a9b4fbf0bc7c02ba13ba7c099c0777cad61bb145"; got != want {
		t.Errorf("HashKeyHex() = %q, want the SHA-256 %q", got, want)
	}
}
