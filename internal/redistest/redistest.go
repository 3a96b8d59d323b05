// Package redistest runs private redis-server processes for tests: each
// on its own loopback port, with nothing saved to disk, stoppable and
// restartable on the same port to test what happens while Redis is down.
// The redis-server binary must be on PATH (Debian: apt-get install
// redis-server; make test installs it).
package redistest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bwfacade/facade/internal/logtest"
)

// Server is a private redis-server process on a fixed port, so it
// can be stopped and started again.
type Server struct {
	tb   testing.TB
	path string
	addr string
	args []string
	// conf is a configuration file given first on the command line, as
	// redis-server asks; "" is none.
	conf string
	// tls, when set, is how clients reach a server that speaks TLS only.
	tls *tls.Config

	mu  sync.Mutex
	cmd *exec.Cmd
	out *logtest.Buffer // the process writes it while a test may read it
}

// Start starts a redis-server for tb and stops it when tb ends.
func Start(tb testing.TB) *Server { return start(tb) }

// StartWith starts a redis-server with args added to its command line,
// such as "--requirepass", "secret".
func StartWith(tb testing.TB, args ...string) *Server { return start(tb, args...) }

// start starts a redis-server with args added to its command line.
func start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server is not on PATH; install it (apt-get install redis-server, brew install redis) to run the Redis tests: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		tb.Fatalf("free port %s: %v", addr, err)
	}
	s := &Server{tb: tb, path: path, addr: addr, args: args}
	tb.Cleanup(s.Stop)
	s.Start()
	return s
}

// Start starts the server (again, after Stop) and returns once it answers PING.
func (s *Server) Start() {
	s.tb.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	args := append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, s.args...)
	if s.conf != "" {
		args = append([]string{s.conf}, args...)
	}
	cmd := exec.Command(s.path, args...)
	s.mu.Lock()
	s.out = new(logtest.Buffer)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	s.mu.Unlock()
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("start redis-server: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()

	// Wait for the port first: go-redis logs every refused dial.
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var conn net.Conn
		if conn, err = net.DialTimeout("tcp", s.addr, time.Second); err == nil {
			_ = conn.Close()
			break
		}
	}
	if err == nil {
		client := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1, DialerRetries: 1, TLSConfig: s.tls})
		defer client.Close()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			// A server that asks for a password answers too.
			if err = client.Ping(context.Background()).Err(); err == nil || strings.HasPrefix(err.Error(), "NOAUTH") {
				return
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tb.Fatalf("redis-server on %s does not answer PING: %v\n%s", s.addr, err, s.out.String())
}

// Stop kills the server and waits for it to exit.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Client returns a client of s that fails fast while s is down.
func (s *Server) Client() *redis.Client {
	client := redis.NewClient(&redis.Options{
		Addr:                  s.addr,
		TLSConfig:             s.tls,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		DialerRetries:         1,
	})
	s.tb.Cleanup(func() { _ = client.Close() })
	return client
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// CPUTime returns the CPU time the server has used since it started, user
// and system, as it reports them (INFO cpu, from getrusage).
func (s *Server) CPUTime(ctx context.Context, client redis.UniversalClient) (time.Duration, error) {
	info, err := client.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, err
	}
	var total time.Duration
	found := 0
	for line := range strings.Lines(info) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (name != "used_cpu_sys" && name != "used_cpu_user") {
			continue
		}
		secs, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, fmt.Errorf("redis INFO cpu: %s: %w", name, err)
		}
		total += time.Duration(secs * float64(time.Second))
		found++
	}
	if found != 2 {
		return 0, errors.New("redis INFO cpu: used_cpu_sys or used_cpu_user missing")
	}
	return total, nil
}

// StartTLS starts a redis-server for tb that speaks TLS only, with the PEM
// certificate and key in certFile and keyFile; clients trust roots.
func StartTLS(tb testing.TB, certFile, keyFile string, roots *x509.CertPool) *Server {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server is not on PATH: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	s := &Server{tb: tb, path: path, addr: addr, tls: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, args: []string{
		"--port", "0", "--tls-port", port, "--tls-cert-file", certFile, "--tls-key-file", keyFile,
		"--tls-ca-cert-file", certFile, "--tls-auth-clients", "no",
	}}
	tb.Cleanup(s.Stop)
	s.Start()
	return s
}

// StartSentinel starts a Redis Sentinel for tb that watches master under
// the name master, and returns its address once it knows the master.
func StartSentinel(tb testing.TB, master *Server, name string) string {
	tb.Helper()
	host, port, _ := net.SplitHostPort(master.Addr())
	conf := filepath.Join(tb.TempDir(), "sentinel.conf")
	// Sentinel rewrites its file: it must be writable.
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("sentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %s 5000\n", name, host, port, name)), 0o600); err != nil {
		tb.Fatal(err)
	}
	path, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server is not on PATH: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := &Server{tb: tb, path: path, addr: addr, conf: conf, args: []string{"--sentinel"}}
	tb.Cleanup(s.Stop)
	s.Start()
	client := redis.NewSentinelClient(&redis.Options{Addr: addr})
	defer client.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got, err := client.GetMasterAddrByName(context.Background(), name).Result(); err == nil && len(got) == 2 && got[1] == port {
			return addr
		}
	}
	tb.Fatalf("the sentinel on %s does not know master %s", addr, name)
	return ""
}

// StartCluster starts a Redis Cluster of n masters (n >= 3) for tb, with
// the slots spread over them by redis-cli, and returns their addresses
// once the cluster is ok. redis-cli must be on PATH (Debian's redis-tools,
// which redis-server depends on).
func StartCluster(tb testing.TB, n int) []string {
	tb.Helper()
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		tb.Fatalf("redis-cli is not on PATH: %v", err)
	}
	dir := tb.TempDir()
	var addrs []string
	for i := range n {
		s := start(tb, "--cluster-enabled", "yes", "--cluster-config-file", fmt.Sprintf("%s/nodes-%d.conf", dir, i), "--cluster-node-timeout", "2000")
		addrs = append(addrs, s.Addr())
	}
	args := append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	// Every node must see the cluster ok, with every node known, before a
	// test runs: a node the slot map has not reached yet answers
	// CLUSTERDOWN, and a client routed to it falls back.
	var clients []*redis.Client
	for _, addr := range addrs {
		client := redis.NewClient(&redis.Options{Addr: addr})
		defer client.Close()
		clients = append(clients, client)
	}
	ready := func() bool {
		for _, client := range clients {
			info, err := client.ClusterInfo(context.Background()).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d\r", n)) {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ready() {
			return addrs
		}
	}
	tb.Fatalf("the cluster of %v is not ok on every node", addrs)
	return nil
}
