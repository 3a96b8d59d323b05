// Package clienttest holds the end-to-end tests of the facade with the
// clients people use against it: the example page in web/ driven in
// headless Chromium over Connect and gRPC-Web from another origin (CORS),
// and the README's grpcurl and buf curl walkthrough, run as written.
//
// Nothing is in-process: the tests build cmd/server and run it in demo
// mode as a person would, and run the real grpcurl, buf, node and
// Chromium. This file holds what starts them.
package clienttest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/bwfacade/facade/internal/logtest"
)

// startTimeout bounds how long the facade may take to log its address and
// demo key.
const startTimeout = 30 * time.Second

// Facade is the facade's binary running in demo mode.
type Facade struct {
	// Addr is the address it listens on, host:port.
	Addr string
	// Key is the demo caller's key, from its log.
	Key string

	cmd  *exec.Cmd
	logs *logtest.Buffer
	done chan error
}

// Build builds the package in dir pkg of the module at root (such as
// "./cmd/server") into outDir and returns the binary's path.
func Build(ctx context.Context, root, pkg, outDir string) (string, error) {
	out := filepath.Join(outDir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return out, nil
}

// Tool returns the path of the executable of the tool go.mod pins under
// name (`go tool -n name` builds it once and caches it).
func Tool(ctx context.Context, root, name string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", name)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool -n %s: %w\n%s", name, err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out)), nil
}

// DemoDate is the day the facades that Start runs arrange their demo
// organisation around, so that what the tests see of it (goal periods,
// progress) is the same on every day they run.
const DemoDate = "2026-11-20"

// Start runs binary, a build of cmd/server, in demo mode on a loopback
// port with the demo organisation arranged around DemoDate and the
// BWFACADE_* variables in env added to this process's environment, and
// waits until it serves.
func Start(ctx context.Context, binary string, env map[string]string) (*Facade, error) {
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), "BWFACADE_ADDR=127.0.0.1:0", "BWFACADE_LOG_FORMAT=json", "BWFACADE_DEMO_DATE="+DemoDate)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	f := &Facade{cmd: cmd, logs: &logtest.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = f.logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	started := make(chan struct{})
	go func() {
		f.scan(stdout, started)
		f.done <- cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	select {
	case <-started:
		return f, nil
	case err := <-f.done:
		return nil, fmt.Errorf("facade exited before serving: %v\n%s", err, f.Logs())
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-f.done
		return nil, fmt.Errorf("facade did not log its address and demo key within %v\n%s", startTimeout, f.Logs())
	}
}

// scan copies the facade's JSON log lines into f.logs, reading the
// address and demo key from them, and closes started once it has both.
func (f *Facade) scan(r io.Reader, started chan<- struct{}) {
	var addr, key string
	lines := bufio.NewScanner(r)
	lines.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for lines.Scan() {
		f.logs.Write(append(lines.Bytes(), '\n'))
		var entry struct {
			Msg           string `json:"msg"`
			Addr          string `json:"addr"`
			DemoCallerKey string `json:"demo_caller_key"`
		}
		if json.Unmarshal(lines.Bytes(), &entry) != nil {
			continue
		}
		if entry.Msg == "serving" {
			addr = entry.Addr
		}
		if entry.DemoCallerKey != "" {
			key = entry.DemoCallerKey
		}
		if addr != "" && key != "" && f.Addr == "" {
			f.Addr, f.Key = addr, key
			close(started)
		}
	}
}

// URL returns the facade's base URL.
func (f *Facade) URL() string { return "http://" + f.Addr }

// Logs returns what the facade has logged so far.
func (f *Facade) Logs() string { return f.logs.String() }

// Stop sends SIGTERM and waits for the facade to drain and exit.
func (f *Facade) Stop() error {
	if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-f.done:
		return err
	case <-time.After(startTimeout):
		_ = f.cmd.Process.Kill()
		return errors.New("facade did not stop after SIGTERM; killed")
	}
}
