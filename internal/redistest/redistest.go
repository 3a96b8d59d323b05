// Package redistest runs private redis-server processes for tests: each
// on its own loopback port, with nothing saved to disk, stoppable and
// restartable on the same port to test what happens while Redis is down.
// The redis-server binary must be on PATH (Debian: apt-get install
// redis-server; make test installs it).
package redistest

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a private redis-server process on a fixed port, so it
// can be stopped and started again.
type Server struct {
	tb   testing.TB
	path string
	addr string

	mu  sync.Mutex
	cmd *exec.Cmd
	out bytes.Buffer
}

// Start starts a redis-server for tb and stops it when tb ends.
func Start(tb testing.TB) *Server {
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
	s := &Server{tb: tb, path: path, addr: addr}
	tb.Cleanup(s.Stop)
	s.Start()
	return s
}

// Start starts the server (again, after Stop) and returns once it answers PING.
func (s *Server) Start() {
	s.tb.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	cmd := exec.Command(s.path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	s.mu.Lock()
	s.out.Reset()
	cmd.Stdout, cmd.Stderr = &s.out, &s.out
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
		client := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1, DialerRetries: 1})
		defer client.Close()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if err = client.Ping(context.Background()).Err(); err == nil {
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
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		DialerRetries:         1,
	})
	s.tb.Cleanup(func() { _ = client.Close() })
	return client
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }
