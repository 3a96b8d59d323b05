package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
)

// testCA issues certificates for tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs tmpl and returns the certificate and key as PEM.
func (ca *testCA) issue(t *testing.T, tmpl *x509.Certificate) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

// clientCert issues a client certificate for uri.
func (ca *testCA) clientCert(t *testing.T, uri string) tls.Certificate {
	t.Helper()
	u, _ := url.Parse(uri)
	certPEM, keyPEM := ca.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "client"},
		URIs:        []*url.URL{u},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestTenantMode runs the server as production does: a callers file,
// TLS with client certificates, an upstream at a URL (the sandbox over
// HTTP), reloads on SIGHUP. It ends by searching everything the server
// logged and every error callers saw for each configured secret.
func TestTenantMode(t *testing.T) {
	sb := sandbox.New(sandbox.Config{})
	upstreamServer := httptest.NewServer(sb)
	t.Cleanup(upstreamServer.Close)

	dir := t.TempDir()
	ca := newTestCA(t, "bwfacade test CA")
	serverCert, serverKey := ca.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "bwfacade"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	files := map[string][]byte{
		"ca.pem": ca.pem, "cert.pem": serverCert, "key.pem": serverKey,
		"token-admin": []byte(sb.Token(sandbox.RoleSuperAdmin) + "\n"),
		"token-user":  []byte(sb.Token(sandbox.RoleUser) + "\n"),
	}
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), string(content))
	}
	writerKey, readerKey, rotatedKey := auth.GenerateKey(), auth.GenerateKey(), auth.GenerateKey()
	pageTokenKey, stagedPageTokenKey := hexKey(t), hexKey(t)
	writeFile(t, filepath.Join(dir, "page-token-keys"), "# signs\n"+pageTokenKey+"\n# staged\n"+stagedPageTokenKey+"\n")
	callers := func(readerKeys ...string) string {
		hashes := make([]string, len(readerKeys))
		for i, k := range readerKeys {
			hashes[i] = auth.HashKeyHex(k)
		}
		return fmt.Sprintf(`# callers of the facade
callers:
  - name: goal-writer
    key_sha256: [%s]
    token_file: %s
    allow: ["*"]
  - name: dashboard
    key_sha256: [%s]
    token_file: %s
    allow: [betterworks.v1.GoalService]
    read_only: true
  - name: mtls-service
    client_identities: [spiffe://example.test/mtls-service]
    token_file: %s
    allow: [betterworks.v1.GoalService]
    read_only: true
`, auth.HashKeyHex(writerKey), filepath.Join(dir, "token-admin"), strings.Join(hashes, ", "),
			filepath.Join(dir, "token-user"), filepath.Join(dir, "token-user"))
	}
	callersFile := filepath.Join(dir, "callers.yaml")
	writeFile(t, callersFile, callers(readerKey))

	env := map[string]string{
		"BWFACADE_ADDR":               "127.0.0.1:0",
		"BWFACADE_UPSTREAM_URL":       upstreamServer.URL + "/api/v1/",
		"BWFACADE_CALLERS_FILE":       callersFile,
		"BWFACADE_TLS_CERT_FILE":      filepath.Join(dir, "cert.pem"),
		"BWFACADE_TLS_KEY_FILE":       filepath.Join(dir, "key.pem"),
		"BWFACADE_TLS_CLIENT_CA_FILE": filepath.Join(dir, "ca.pem"),

		"BWFACADE_PAGE_TOKEN_KEYS_FILE": filepath.Join(dir, "page-token-keys"),
	}
	logs := &logtest.Buffer{}
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, logs, ready) }()
	var baseURL string
	select {
	case addr := <-ready:
		baseURL = "https://" + addr.String()
	case err := <-done:
		cancel()
		t.Fatalf("run() error = %v\n%s", err, logs)
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.pem)
	client := func(key string, certs ...tls.Certificate) betterworksv1connect.GoalServiceClient {
		httpClient := &http.Client{Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: roots, Certificates: certs},
			ForceAttemptHTTP2: true,
		}}
		opts := []connect.ClientOption{connect.WithGRPC()}
		if key != "" {
			opts = append(opts, connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
				return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
					req.Header().Set("Authorization", "Bearer "+key)
					return next(ctx, req)
				}
			})))
		}
		return betterworksv1connect.NewGoalServiceClient(httpClient, baseURL, opts...)
	}
	goal := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(sb.Fixtures().UserGoalID)}
	private := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(sb.Fixtures().OtherPrivateGoalID)}
	var seen []string // every error a caller saw
	expect := func(what string, err error, want connect.Code) {
		t.Helper()
		if err != nil {
			seen = append(seen, err.Error())
		}
		if got := connect.CodeOf(err); err == nil && want != 0 || err != nil && got != want {
			t.Errorf("%s: error = %v, want code %v", what, err, want)
		}
	}

	_, err := client("", ca.clientCert(t, "spiffe://example.test/mtls-service")).GetGoal(t.Context(), goal)
	expect("mTLS caller, no key", err, 0)
	_, err = client("", ca.clientCert(t, "spiffe://example.test/mtls-service")).GetGoal(t.Context(), private)
	expect("mTLS caller maps to the plain user's token", err, connect.CodeNotFound)
	_, err = client("", ca.clientCert(t, "spiffe://example.test/stranger")).GetGoal(t.Context(), goal)
	expect("certificate naming no caller", err, connect.CodeUnauthenticated)
	_, err = client("").GetGoal(t.Context(), goal)
	expect("no certificate and no key", err, connect.CodeUnauthenticated)
	_, err = client("", newTestCA(t, "another CA").clientCert(t, "spiffe://example.test/mtls-service")).GetGoal(t.Context(), goal)
	if err == nil {
		t.Error("a certificate from an unknown CA was accepted")
	}
	_, err = client(writerKey).GetGoal(t.Context(), private)
	expect("writer (super admin token) reads the private goal", err, 0)
	_, err = client(readerKey).GetGoal(t.Context(), goal)
	expect("dashboard reads", err, 0)
	_, err = client(readerKey).DeleteGoal(t.Context(), &betterworksv1.DeleteGoalRequest{GoalId: goal.GetGoalId()})
	expect("dashboard writes", err, connect.CodePermissionDenied)
	_, err = client(writerKey).UpdateGoal(t.Context(), &betterworksv1.UpdateGoalRequest{GoalId: goal.GetGoalId(), Name: new("Renamed by the writer")})
	expect("writer writes", err, 0)

	// A page token works for the caller it was issued to, and no other.
	first, err := client(writerKey).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 2})
	expect("writer lists goals", err, 0)
	_, err = client(writerKey).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 2, PageToken: first.GetNextPageToken()})
	expect("writer's second page", err, 0)
	_, err = client(readerKey).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 2, PageToken: first.GetNextPageToken()})
	expect("dashboard with the writer's page token", err, connect.CodeInvalidArgument)

	// Rotation: the new key joins on SIGHUP.
	writeFile(t, callersFile, callers(readerKey, rotatedKey))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rotated key to work after SIGHUP", func() bool {
		_, err := client(rotatedKey).GetGoal(t.Context(), goal)
		return err == nil
	})
	// A bad file on SIGHUP is rejected; the callers stay.
	writeFile(t, callersFile, "callers:\n  - name: dashboard\n    key_sha256: [oops]\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bad file to be rejected", func() bool {
		return strings.Contains(logs.String(), "callers file rejected")
	})
	_, err = client(readerKey).GetGoal(t.Context(), goal)
	expect("dashboard after a rejected file", err, 0)

	for _, want := range []string{`"caller":"mtls-service"`, `"msg":"audit","caller":"goal-writer","procedure":"/betterworks.v1.GoalService/UpdateGoal"`, `"outcome":"ok"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s", want)
		}
	}
	secrets := []string{writerKey, readerKey, rotatedKey, sb.Token(sandbox.RoleSuperAdmin), sb.Token(sandbox.RoleUser), pageTokenKey, stagedPageTokenKey}
	everything := logs.String() + strings.Join(seen, "\n")
	for _, secret := range secrets {
		if strings.Contains(everything, secret) {
			t.Errorf("a configured secret (%.6s…) appears in the logs or errors", secret)
		}
	}
	if len(seen) < 4 || len(logs.String()) < 1000 {
		t.Errorf("searched %d errors and %d bytes of logs; the run was too small to prove anything", len(seen), len(logs.String()))
	}
}

// TestTenantReplicasSharePageTokens: replicas configured with the same
// page token keys take each other's tokens, in any order of the keys; a
// replica without the signing key refuses them.
func TestTenantReplicasSharePageTokens(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Config{})
	upstreamServer := httptest.NewServer(sb)
	t.Cleanup(upstreamServer.Close)
	dir := t.TempDir()
	callerKey := auth.GenerateKey()
	writeFile(t, filepath.Join(dir, "token"), sb.Token(sandbox.RoleSuperAdmin)+"\n")
	writeFile(t, filepath.Join(dir, "callers.yaml"), `callers:
  - name: lister
    key_sha256: [`+auth.HashKeyHex(callerKey)+`]
    token_file: `+filepath.Join(dir, "token")+`
    allow: [betterworks.v1.GoalService]
`)
	current, staged := hexKey(t), hexKey(t)
	writeFile(t, filepath.Join(dir, "keys"), current+"\n"+staged+"\n")
	replica := func(keys map[string]string) betterworksv1connect.GoalServiceClient {
		env := map[string]string{
			"BWFACADE_ADDR":         "127.0.0.1:0",
			"BWFACADE_UPSTREAM_URL": upstreamServer.URL + "/api/v1/",
			"BWFACADE_CALLERS_FILE": filepath.Join(dir, "callers.yaml"),
		}
		for k, v := range keys {
			env[k] = v
		}
		ctx, cancel := context.WithCancel(t.Context())
		ready, done := make(chan net.Addr, 1), make(chan error, 1)
		go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, io.Discard, ready) }()
		t.Cleanup(func() {
			cancel()
			<-done
		})
		select {
		case addr := <-ready:
			return betterworksv1connect.NewGoalServiceClient(h2cClient(), "http://"+addr.String(), connect.WithGRPC(),
				connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
					return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
						req.Header().Set("Authorization", "Bearer "+callerKey)
						return next(ctx, req)
					}
				})))
		case err := <-done:
			t.Fatalf("run() error = %v", err)
		}
		return nil
	}
	fromFile := replica(map[string]string{"BWFACADE_PAGE_TOKEN_KEYS_FILE": filepath.Join(dir, "keys")})
	fromEnv := replica(map[string]string{"BWFACADE_PAGE_TOKEN_KEYS": staged + "," + current})
	without := replica(map[string]string{"BWFACADE_PAGE_TOKEN_KEYS": staged})

	first, err := fromFile.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 2})
	if err != nil || first.GetNextPageToken() == "" {
		t.Fatalf("ListGoals(first page) = %v, %v; want a page and a next_page_token", first, err)
	}
	next := &betterworksv1.ListGoalsRequest{PageSize: 2, PageToken: first.GetNextPageToken()}
	if _, err := fromEnv.ListGoals(t.Context(), next); err != nil {
		t.Errorf("ListGoals(second page) on a replica holding the key second: error = %v", err)
	}
	if _, err := without.ListGoals(t.Context(), next); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("ListGoals(second page) on a replica without the key: error = %v, want invalid_argument", err)
	}
}

// hexKey returns a new page token key as hex, as `openssl rand -hex 32`
// writes it.
func hexKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// waitFor polls cond until it holds, for at most 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestREADMECallersExampleLoads keeps README.md's callers file valid.
func TestREADMECallersExampleLoads(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\n# /etc/bwfacade/callers.yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no callers file example")
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	writeFile(t, tokenFile, "token\n")
	path := filepath.Join(t.TempDir(), "callers.yaml")
	writeFile(t, path, strings.ReplaceAll(example, "/run/secrets/bw-dashboard", tokenFile))
	getenv := func(k string) string {
		if k == "BW_TOKEN_HR_SYNC" {
			return "token"
		}
		return ""
	}
	registry, err := auth.LoadFile(path, auth.LoadOptions{Methods: server.Methods(), Getenv: getenv})
	if err != nil {
		t.Fatalf("README's callers file: %v", err)
	}
	if n := len(registry.Callers()); n != 3 {
		t.Errorf("README's callers file has %d callers, want 3", n)
	}
}
