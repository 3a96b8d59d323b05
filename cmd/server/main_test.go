package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/logtest"
)

// startDemo runs the server in demo mode with env and returns its address,
// the logged demo key, the log, and a stop function that returns run's error.
func startDemo(t *testing.T, env map[string]string) (string, string, *logtest.Buffer, func() error) {
	t.Helper()
	env["BWFACADE_ADDR"] = "127.0.0.1:0"
	logs := &logtest.Buffer{}
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, logs, ready) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("run() error = %v\n%s", err, logs)
	}
	key := regexp.MustCompile(`demo_caller_key=(bwf_[A-Z0-9]+)`).FindStringSubmatch(logs.String())
	if key == nil {
		cancel()
		t.Fatalf("no demo_caller_key in the log:\n%s", logs)
	}
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	scheme := "http://"
	if env["BWFACADE_TLS_CERT_FILE"] != "" {
		scheme = "https://"
	}
	return scheme + addr.String(), key[1], logs, stop
}

func h2cClient() *http.Client {
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: protocols}}
}

func TestRunDemoModeServesWithTheLoggedKey(t *testing.T) {
	t.Parallel()
	url, key, logs, stop := startDemo(t, map[string]string{})
	if !strings.Contains(logs.String(), "grpcurl -plaintext -H 'authorization: Bearer "+key) ||
		!strings.Contains(logs.String(), strings.TrimPrefix(url, "http://")+" betterworks.v1.GoalService/ListGoals") {
		t.Errorf("log has no grpcurl command with the key:\n%s", logs)
	}
	client := betterworksv1connect.NewGoalServiceClient(h2cClient(), url, connect.WithGRPC(),
		connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+key)
				return next(ctx, req)
			}
		})))
	resp, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 3})
	if err != nil {
		t.Fatalf("ListGoals() error = %v", err)
	}
	if len(resp.GetGoals()) != 3 {
		t.Errorf("ListGoals() = %d goals, want 3", len(resp.GetGoals()))
	}

	health, err := http.Post(url+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	body, _ := io.ReadAll(health.Body)
	health.Body.Close()
	if !strings.Contains(string(body), "SERVING") {
		t.Errorf("health check = %s, want SERVING", body)
	}
	if err := stop(); err != nil {
		t.Errorf("run() after stop = %v, want nil", err)
	}
}

// TestRunDemoModeScalesTheSandbox checks that BWFACADE_SANDBOX_SCALE
// reaches the embedded sandbox: its first scaled user exists, and no user
// beyond the scale's count.
func TestRunDemoModeScalesTheSandbox(t *testing.T) {
	t.Parallel()
	url, key, _, _ := startDemo(t, map[string]string{"BWFACADE_SANDBOX_SCALE": "users=2000,goals=600"})
	client := betterworksv1connect.NewPeopleServiceClient(h2cClient(), url, connect.WithGRPC(),
		connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+key)
				return next(ctx, req)
			}
		})))
	// Scaled users take ids from 1,000,001, one per user beyond the demo's
	// (about 300), so 2,000 users in all stop well before 1,002,000.
	for id, want := range map[string]connect.Code{"1000001": 0, "1002000": connect.CodeNotFound} {
		_, err := client.GetUser(t.Context(), &betterworksv1.GetUserRequest{UserId: id})
		if got := connect.CodeOf(err); err != nil && got != want || err == nil && want != 0 {
			t.Errorf("GetUser(%s) error = %v, want code %v", id, err, want)
		}
	}
}

func TestReflectionListsServicesWithComments(t *testing.T) {
	t.Parallel()
	url, _, _, _ := startDemo(t, map[string]string{})
	stream := grpcreflect.NewClient(h2cClient(), url).NewStream(t.Context())
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatalf("ListServices() error = %v", err)
	}
	got := map[string]bool{}
	for _, n := range names {
		got[string(n)] = true
	}
	for _, want := range []string{
		"betterworks.v1.GoalService", "betterworks.v1.PeopleService", "betterworks.v1.ConversationService",
		"betterworks.v1.FeedbackService", "betterworks.v1.ReportService",
		"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
	} {
		if !got[want] {
			t.Errorf("ListServices() = %v, missing %s", names, want)
		}
	}
	files, err := stream.FileContainingSymbol("betterworks.v1.GoalService")
	if err != nil {
		t.Fatalf("FileContainingSymbol() error = %v", err)
	}
	if !hasComment(files, "GetGoal returns one goal") {
		t.Error("reflection answers descriptors without the contract's comments; grpcurl describe would show none")
	}
	// grpcurl resolves the health service through reflection too.
	if _, err := stream.FileContainingSymbol("grpc.health.v1.Health"); err != nil {
		t.Errorf("FileContainingSymbol(grpc.health.v1.Health) error = %v", err)
	}
}

func hasComment(files []*descriptorpb.FileDescriptorProto, text string) bool {
	for _, f := range files {
		for _, loc := range f.GetSourceCodeInfo().GetLocation() {
			if strings.Contains(loc.GetLeadingComments(), text) {
				return true
			}
		}
	}
	return false
}

func TestRunDrainsInFlightCallsOnShutdown(t *testing.T) {
	t.Parallel()
	// A Betterworks stand-in that holds GET /goals/filter/ until released,
	// so the call is provably in flight when shutdown begins.
	arrived, release := make(chan struct{}), make(chan struct{})
	upstreamServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "APIToken tenant-token" {
			http.Error(w, `{"detail":"Invalid token."}`, http.StatusUnauthorized)
			return
		}
		close(arrived)
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"results":[{"id":7,"name":"Drained"}],"more":false,"nextUrl":null}`)
	}))
	t.Cleanup(upstreamServer.Close)

	key := "bwf_drain-test-key"
	dir := t.TempDir()
	tokenFile, callersFile := filepath.Join(dir, "token"), filepath.Join(dir, "callers.yaml")
	writeFile(t, tokenFile, "tenant-token\n")
	writeFile(t, callersFile, `callers:
  - name: drain-test
    key_sha256: [`+auth.HashKeyHex(key)+`]
    token_file: `+tokenFile+`
    allow: [betterworks.v1.GoalService]
    read_only: true
`)
	env := map[string]string{
		"BWFACADE_ADDR":            "127.0.0.1:0",
		"BWFACADE_UPSTREAM_URL":    upstreamServer.URL + "/api/v1/",
		"BWFACADE_CALLERS_FILE":    callersFile,
		"BWFACADE_PAGE_TOKEN_KEYS": strings.Repeat("d1", 32),
	}
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, io.Discard, ready) }()
	var addr string
	select {
	case a := <-ready:
		addr = a.String()
	case err := <-done:
		t.Fatalf("run() error = %v", err)
	}

	client := betterworksv1connect.NewGoalServiceClient(h2cClient(), "http://"+addr, connect.WithGRPC(),
		connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+key)
				return next(ctx, req)
			}
		})))
	result := make(chan *betterworksv1.ListGoalsResponse, 1)
	callErr := make(chan error, 1)
	go func() {
		resp, err := client.ListGoals(context.Background(), &betterworksv1.ListGoalsRequest{PageSize: 1})
		result <- resp
		callErr <- err
	}()
	<-arrived

	cancel() // as SIGTERM does
	// Shutdown has begun once the listener refuses new connections.
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		runtime.Gosched()
	}
	close(release)

	if err := <-callErr; err != nil {
		t.Fatalf("in-flight ListGoals() error = %v, want it drained to success", err)
	}
	if goals := (<-result).GetGoals(); len(goals) != 1 || goals[0].GetName() != "Drained" {
		t.Errorf("in-flight ListGoals() = %v, want the upstream's answer", goals)
	}
	if err := <-done; err != nil {
		t.Errorf("run() after shutdown = %v, want nil", err)
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"url_without_callers", map[string]string{"BWFACADE_UPSTREAM_URL": "https://app.betterworks.com/api/v1/"}, "BWFACADE_CALLERS_FILE"},
		{"missing_callers_file", map[string]string{
			"BWFACADE_UPSTREAM_URL": "https://app.betterworks.com/api/v1/", "BWFACADE_CALLERS_FILE": "/nonexistent/callers.yaml", "BWFACADE_PAGE_TOKEN_KEYS": strings.Repeat("d1", 32),
		}, "BWFACADE_CALLERS_FILE"},
		{"url_without_page_token_keys", map[string]string{"BWFACADE_UPSTREAM_URL": "https://app.betterworks.com/api/v1/", "BWFACADE_CALLERS_FILE": "c.yaml"}, "BWFACADE_PAGE_TOKEN_KEYS"},
		{"missing_page_token_keys_file", map[string]string{"BWFACADE_PAGE_TOKEN_KEYS_FILE": "/nonexistent/page-token-keys"}, "BWFACADE_PAGE_TOKEN_KEYS_FILE"},
		{"short_page_token_key", map[string]string{"BWFACADE_PAGE_TOKEN_KEYS": "d1d1"}, "BWFACADE_PAGE_TOKEN_KEYS: key 1"},
		{"relative_url", map[string]string{"BWFACADE_UPSTREAM_URL": "app.betterworks.com", "BWFACADE_CALLERS_FILE": "c.yaml"}, "not an absolute"},
		{"bad_hash", map[string]string{"BWFACADE_DEMO_KEY_SHA256": "abc"}, "64 hex digits"},
		{"tls_half", map[string]string{"BWFACADE_TLS_CERT_FILE": "c.pem"}, "go together"},
		{"bad_faults", map[string]string{"BWFACADE_SANDBOX_FAULTS": "GET /x:status=abc"}, "BWFACADE_SANDBOX_FAULTS"},
		{"bad_scale", map[string]string{"BWFACADE_SANDBOX_SCALE": "users=many"}, "BWFACADE_SANDBOX_SCALE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(t.Context(), nil, func(k string) string { return tt.env[k] }, io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run() error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestKeygenPrintsKeyAndHash(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"keygen"}, func(string) string { return "" }, &out, nil); err != nil {
		t.Fatalf("keygen error = %v", err)
	}
	if !regexp.MustCompile(`(?m)^caller key .*: bwf_[A-Z0-9]{26}\n.*key_sha256.*\n  - [0-9a-f]{64}\n$`).MatchString(out.String()) {
		t.Errorf("keygen output = %q", out.String())
	}
}

func TestRunServesTLSWithHTTP2(t *testing.T) {
	t.Parallel()
	certPEM, keyPEM := selfSignedCert(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	url, key, _, _ := startDemo(t, map[string]string{"BWFACADE_TLS_CERT_FILE": certFile, "BWFACADE_TLS_KEY_FILE": keyFile})

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	httpClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}}
	client := betterworksv1connect.NewGoalServiceClient(httpClient, url, connect.WithGRPC(),
		connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+key)
				return next(ctx, req)
			}
		})))
	resp, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 1})
	if err != nil {
		t.Fatalf("ListGoals() over TLS error = %v", err)
	}
	if len(resp.GetGoals()) != 1 {
		t.Errorf("ListGoals() over TLS = %d goals, want 1", len(resp.GetGoals()))
	}
}

// selfSignedCert returns a PEM certificate and key for 127.0.0.1.
func selfSignedCert(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "bwfacade test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
