package auth_test

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/authn"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/upstream"
)

func TestStoreAuthenticates(t *testing.T) {
	t.Parallel()
	key, oldKey, otherKey, revokedKey := auth.GenerateKey(), auth.GenerateKey(), auth.GenerateKey(), auth.GenerateKey()
	const getGoal, createGoal = "/betterworks.v1.GoalService/GetGoal", "/betterworks.v1.GoalService/CreateGoal"
	registry, err := auth.NewRegistry([]string{getGoal, createGoal},
		&auth.Caller{
			Name: "reporting", Token: upstream.NewToken("tok"),
			KeyHashes:        []auth.KeyHash{auth.HashKey(key), auth.HashKey(oldKey)},
			ClientIdentities: []string{"spiffe://example.com/reporting", "CN=reporting,O=Example"},
			Methods:          []string{getGoal},
		},
		&auth.Caller{Name: "other", Token: upstream.NewToken("tok2"), KeyHashes: []auth.KeyHash{auth.HashKey(otherKey)}},
		&auth.Caller{Name: "retired", KeyHashes: []auth.KeyHash{auth.HashKey(revokedKey)}, Revoked: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	handler := authn.NewMiddleware(auth.NewStore(registry).AuthFunc()).Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := auth.CallerFrom(r.Context())
		w.Header().Set("Caller", caller.Name)
	}))
	cert := func(uri, subject string) *tls.ConnectionState {
		leaf := &x509.Certificate{Subject: pkix.Name{CommonName: subject, Organization: []string{"Example"}}}
		if uri != "" {
			u, _ := url.Parse(uri)
			leaf.URIs = []*url.URL{u}
		}
		return &tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}, VerifiedChains: [][]*x509.Certificate{{leaf}}}
	}
	tests := []struct {
		name       string
		procedure  string
		header     string
		tls        *tls.ConnectionState
		wantCaller string
		wantStatus int
		wantMsg    string
	}{
		{"bearer", getGoal, "Bearer " + key, nil, "reporting", http.StatusOK, ""},
		{"second_key_during_rotation", getGoal, "Bearer " + oldKey, nil, "reporting", http.StatusOK, ""},
		{"scheme_any_case", getGoal, "bearer " + key, nil, "reporting", http.StatusOK, ""},
		{"every_method_when_unrestricted", createGoal, "Bearer " + otherKey, nil, "other", http.StatusOK, ""},
		{"unguarded_procedure_needs_only_a_caller", "/grpc.health.v1.Health/Check", "Bearer " + key, nil, "reporting", http.StatusOK, ""},
		{"method_not_allowed", createGoal, "Bearer " + key, nil, "", http.StatusForbidden, `caller \"reporting\" may not call ` + createGoal},
		{"unknown_key", getGoal, "Bearer " + auth.GenerateKey(), nil, "", http.StatusUnauthorized, "unknown caller key"},
		{"revoked", getGoal, "Bearer " + revokedKey, nil, "", http.StatusUnauthorized, `caller \"retired\" is revoked`},
		{"no_header", getGoal, "", nil, "", http.StatusUnauthorized, "missing credentials"},
		{"basic_scheme", getGoal, "Basic " + key, nil, "", http.StatusUnauthorized, "malformed Authorization header"},
		{"bearer_without_key", getGoal, "Bearer ", nil, "", http.StatusUnauthorized, "malformed Authorization header"},
		{"key_without_scheme", getGoal, key, nil, "", http.StatusUnauthorized, "malformed Authorization header"},
		{"certificate_uri", getGoal, "", cert("spiffe://example.com/reporting", "unrelated"), "reporting", http.StatusOK, ""},
		{"certificate_subject", getGoal, "", cert("", "reporting"), "reporting", http.StatusOK, ""},
		{"certificate_and_its_key", getGoal, "Bearer " + key, cert("spiffe://example.com/reporting", ""), "reporting", http.StatusOK, ""},
		{"certificate_of_nobody", getGoal, "", cert("spiffe://example.com/nobody", "nobody"), "", http.StatusUnauthorized, "the client certificate names no caller"},
		{"certificate_and_another_key", getGoal, "Bearer " + otherKey, cert("spiffe://example.com/reporting", ""), "", http.StatusUnauthorized, "different callers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, tt.procedure, nil)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", tt.header)
			req.TLS = tt.tls
			rec := httptest.NewRecorder()

			handler.ServeHTTP(rec, req)

			if got := rec.Header().Get("Caller"); got != tt.wantCaller || rec.Code != tt.wantStatus {
				t.Errorf("caller %q, status %d; want %q, %d", got, rec.Code, tt.wantCaller, tt.wantStatus)
			}
			if !strings.Contains(rec.Body.String(), tt.wantMsg) {
				t.Errorf("body = %s, want it to contain %q", rec.Body, tt.wantMsg)
			}
			if k := strings.TrimPrefix(tt.header, "Bearer "); len(k) > 8 && strings.Contains(rec.Body.String(), k) {
				t.Errorf("body = %s, shows the key", rec.Body)
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
