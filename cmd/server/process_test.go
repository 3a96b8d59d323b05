package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/logtest"
)

// serverProcessEnv, set to 1, makes the test binary run the server
// instead of the tests (see TestMain), so that a test can run servers as
// processes of their own: read their stderr, signal them, run several.
const serverProcessEnv = "BWFACADE_TEST_SERVER_PROCESS"

// serverStartTimeout bounds how long a server process may take to log
// "serving".
const serverStartTimeout = 30 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(serverProcessEnv) == "1" {
		if err := run(context.Background(), nil, os.Getenv, os.Stdout, nil); err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverProcess is the server running in a process of its own: this test
// binary, run again by startServerProcess.
type serverProcess struct {
	name   string
	cmd    *exec.Cmd
	logs   logtest.Buffer // stdout: the log
	stderr logtest.Buffer

	serving chan string   // receives the address once, then is closed
	exited  chan struct{} // closed once the process has exited
	exitErr error         // cmd.Wait's, once exited is closed

	addrOnce sync.Once
	addr     string
}

// startServerProcess starts the server as a process with no BWFACADE_ or
// OTEL_ variables of this one's but env (NAME=value each), logging JSON
// on a loopback port of its choosing, and returns without waiting; Addr
// waits. The process is killed when t ends; its log is in t's output if t
// failed.
func startServerProcess(t *testing.T, name string, env ...string) *serverProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BWFACADE_") && !strings.HasPrefix(kv, "OTEL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, serverProcessEnv+"=1", "BWFACADE_ADDR=127.0.0.1:0", "BWFACADE_LOG_FORMAT=json")
	cmd.Env = append(cmd.Env, env...)
	p := &serverProcess{name: name, cmd: cmd, serving: make(chan string, 1), exited: make(chan struct{})}
	cmd.Stderr = &p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server %s: %v", name, err)
	}
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for scanner.Scan() {
			p.logs.Write(append(scanner.Bytes(), '\n'))
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(scanner.Bytes(), &line) == nil && line.Msg == "serving" {
				p.serving <- line.Addr
				close(p.serving)
			}
		}
		// Wait closes stdout: read it all first.
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("server %s log:\n%s\nstderr:\n%s", name, p.logs.String(), p.stderr.String())
		}
	})
	return p
}

// Addr waits until the server serves and returns its address.
func (p *serverProcess) Addr(t *testing.T) string {
	t.Helper()
	select {
	case addr, ok := <-p.serving:
		if ok {
			p.addrOnce.Do(func() { p.addr = addr })
		}
	case <-p.exited:
		t.Fatalf("server %s exited before serving: %v\n%s\nstderr:\n%s", p.name, p.exitErr, p.logs.String(), p.stderr.String())
	case <-time.After(serverStartTimeout):
		t.Fatalf("server %s did not serve within %v:\n%s", p.name, serverStartTimeout, p.logs.String())
	}
	return p.addr
}

// URL waits until the server serves and returns its base URL.
func (p *serverProcess) URL(t *testing.T) string { return "http://" + p.Addr(t) }

// Terminate sends SIGTERM.
func (p *serverProcess) Terminate(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM server %s: %v", p.name, err)
	}
}

// Wait waits at most timeout for the process to exit and returns its exit
// error; it fails t if the process is still running.
func (p *serverProcess) Wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-p.exited:
		return p.exitErr
	case <-time.After(timeout):
		t.Fatalf("server %s still runs after %v", p.name, timeout)
		return nil
	}
}

// Lines returns the log lines whose msg is msg, decoded.
func (p *serverProcess) Lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(p.logs.String()) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Errorf("server %s log line %q is not JSON: %v", p.name, line, err)
			continue
		}
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// demoGoals waits until the demo server serves and returns a GoalService
// client over gRPC with the demo caller key from its log.
func (p *serverProcess) demoGoals(t *testing.T) betterworksv1connect.GoalServiceClient {
	t.Helper()
	addr := p.Addr(t)
	demoKey := regexp.MustCompile(`"demo_caller_key":"(bwf_[A-Z0-9]+)"`)
	waitFor(t, "the demo key in the log", func() bool { return demoKey.MatchString(p.logs.String()) })
	key := demoKey.FindStringSubmatch(p.logs.String())[1]
	return betterworksv1connect.NewGoalServiceClient(h2cClient(), "http://"+addr, facadetest.ClientOptions(facadetest.GRPC, key)...)
}

// TestHangupWhileDrainingIsHarmless sends SIGHUP, as a reloader of the
// callers file would, while the server drains a call: the server
// finishes the call and exits 0, as without it.
func TestHangupWhileDrainingIsHarmless(t *testing.T) {
	t.Parallel()
	server := startServerProcess(t, "demo", "BWFACADE_SANDBOX_FAULTS=GET /goals/filter/:latency=2s")
	client := server.demoGoals(t)
	call := make(chan error, 1)
	go func() {
		_, err := client.ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 1})
		call <- err
	}()
	time.Sleep(500 * time.Millisecond) // the call waits on the sandbox
	server.Terminate(t)
	waitFor(t, "the drain to begin", func() bool { return strings.Contains(server.logs.String(), "shutting down") })

	if err := server.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}

	if err := <-call; err != nil {
		t.Errorf("ListGoals() under way at SIGTERM and SIGHUP: %v, want its answer", err)
	}
	if err := server.Wait(t, shutdownGrace+5*time.Second); err != nil {
		t.Errorf("server exit = %v, want 0", err)
	}
}

// TestDrainEndsAFollowingSyncWithItsStatus follows a sync, which never
// ends on its own, then stops the server: the stream ends with a status
// before the grace is over, and the server exits 0.
func TestDrainEndsAFollowingSyncWithItsStatus(t *testing.T) {
	t.Parallel()
	server := startServerProcess(t, "demo")
	client := server.demoGoals(t)
	stream, err := client.SyncGoals(t.Context(), &betterworksv1.SyncGoalsRequest{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if !stream.Receive() {
		t.Fatalf("following SyncGoals ended before its first message: %v", stream.Err())
	}
	start := time.Now()

	server.Terminate(t)

	for stream.Receive() {
	}
	if code := connect.CodeOf(stream.Err()); code != connect.CodeCanceled {
		t.Errorf("the following sync ended with %v, want canceled: a status, not a cut connection", stream.Err())
	}
	if err := server.Wait(t, shutdownGrace+5*time.Second); err != nil {
		t.Errorf("server exit = %v, want 0", err)
	}
	if took := time.Since(start); took > shutdownGrace {
		t.Errorf("the server stopped %v after SIGTERM, want within its grace %v", took, shutdownGrace)
	}
}
