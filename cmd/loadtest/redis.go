package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisStartTimeout bounds how long redis-server may take to answer PING.
const redisStartTimeout = 10 * time.Second

// redisServer is a redis-server child process on a free loopback port
// that saves nothing to disk.
type redisServer struct {
	addr string
	cmd  *exec.Cmd
	out  *bytes.Buffer // its output, read only after it exits
}

// startRedis starts the redis-server at path and returns once it answers
// PING.
func startRedis(ctx context.Context, path string) (*redisServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("redis-server: find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return nil, fmt.Errorf("redis-server: %w", err)
	}
	_, port, _ := net.SplitHostPort(addr)
	// Not CommandContext: stop ends it, also after ctx ends.
	cmd := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	r := &redisServer{addr: addr, cmd: cmd, out: new(bytes.Buffer)}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redis-server: %w", err)
	}
	if err := r.waitReady(ctx); err != nil {
		_ = r.stop()
		return nil, fmt.Errorf("redis-server on %s: %w\n%s", addr, err, r.out)
	}
	return r, nil
}

// waitReady waits until the server answers PING. It dials the port
// first, since go-redis logs every refused dial.
func (r *redisServer) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, redisStartTimeout)
	defer cancel()
	var dialer net.Dialer
	for {
		conn, err := dialer.DialContext(ctx, "tcp", r.addr)
		if err == nil {
			_ = conn.Close()
			break
		}
		if ctx.Err() != nil {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
	client := r.client()
	defer client.Close()
	for {
		err := client.Ping(ctx).Err()
		if err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// client returns a new client of the server, bounded by its callers'
// deadlines as the facade's own clients are.
func (r *redisServer) client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: r.addr, ContextTimeoutEnabled: true})
}

// stop kills the server and waits for it to exit.
func (r *redisServer) stop() error {
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("redis-server: %w", err)
	}
	_ = r.cmd.Wait() // killed: its exit status says so
	return nil
}
