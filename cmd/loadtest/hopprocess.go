package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// hopStartTimeout bounds how long the hop process may take to announce
// its servers (a race-instrumented binary starts slowly).
const hopStartTimeout = 30 * time.Second

// hopStopTimeout is how long the hop process may take to exit once told
// to, before it is killed.
const hopStopTimeout = 5 * time.Second

// hopProcess is the load generator's handle on a running hop process.
type hopProcess struct {
	hopAnnouncement
	cmd     *exec.Cmd
	stdin   io.Closer
	control *http.Client
}

// hopConfig configures startHop.
type hopConfig struct {
	// sandboxURL is the sandbox's root, "http://127.0.0.1:port".
	sandboxURL string
	// token is the Betterworks token of the facade's one caller; key is
	// that caller's key.
	token, key string
	// cpu, when pin is set, is the CPU the hop process runs on (taskset).
	cpu int
	pin bool
	// tuning changes the facade's pace and look-ahead; zero is the
	// sweep's facade.
	tuning facadeTuning
	// telemetry is the facade's telemetry mode (-telemetry).
	telemetry string
}

// startHop runs this program again as the hop process and waits for its
// announcement. The hop process's standard output (the facade's access
// log) goes to the null device, so that logging costs what it costs in
// production, a write per call; its standard error is this process's.
func startHop(ctx context.Context, cfg hopConfig) (*hopProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("hop process: %w", err)
	}
	name, args := exe, []string{hopCommand}
	if cfg.pin {
		name, args = "taskset", append([]string{"--cpu-list", strconv.Itoa(cfg.cpu), exe}, args...)
	}
	// Not CommandContext: stop ends the process, gently first.
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(),
		envSandboxURL+"="+cfg.sandboxURL,
		envToken+"="+cfg.token,
		envCallerKey+"="+cfg.key)
	if cfg.tuning.pace > 0 {
		cmd.Env = append(cmd.Env, envPace+"="+strconv.FormatFloat(cfg.tuning.pace, 'g', -1, 64))
	}
	if cfg.tuning.cacheTTL > 0 {
		cmd.Env = append(cmd.Env, envCacheTTL+"="+cfg.tuning.cacheTTL.String())
	}
	if cfg.telemetry != "" {
		cmd.Env = append(cmd.Env, envTelemetry+"="+cfg.telemetry)
	}
	if cfg.tuning.ahead > 0 {
		cmd.Env = append(cmd.Env, envAhead+"="+strconv.Itoa(cfg.tuning.ahead))
	}
	cmd.Stderr = os.Stderr
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("hop process: %w", err)
	}
	defer readyR.Close()
	cmd.ExtraFiles = []*os.File{readyW}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		readyW.Close()
		return nil, fmt.Errorf("hop process: %w", err)
	}
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		return nil, fmt.Errorf("hop process: %w", err)
	}
	h := &hopProcess{cmd: cmd, stdin: stdin, control: &http.Client{Timeout: 10 * time.Second}}
	deadline := time.Now().Add(hopStartTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := readyR.SetReadDeadline(deadline); err != nil {
		return nil, errors.Join(fmt.Errorf("hop process: %w", err), h.stop())
	}
	if err := json.NewDecoder(readyR).Decode(&h.hopAnnouncement); err != nil {
		return nil, errors.Join(fmt.Errorf("hop process did not start: %w", err), h.stop())
	}
	return h, nil
}

// pid returns the hop process's id.
func (h *hopProcess) pid() int { return h.cmd.Process.Pid }

// usage returns the hop process's usage now; with gc, it first collects
// garbage.
func (h *hopProcess) usage(ctx context.Context, gc bool) (usage, error) {
	url := h.ControlURL + usagePath
	if gc {
		url += "?gc=1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usage{}, err
	}
	resp, err := h.control.Do(req)
	if err != nil {
		return usage{}, fmt.Errorf("hop usage: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return usage{}, fmt.Errorf("hop usage: %s", resp.Status)
	}
	var u usage
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
		return usage{}, fmt.Errorf("hop usage: %w", err)
	}
	return u, nil
}

// stop ends the hop process: it closes its standard input, which the hop
// process takes as the order to exit, and kills it if it has not within
// hopStopTimeout.
func (h *hopProcess) stop() error {
	h.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- h.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(hopStopTimeout):
		_ = h.cmd.Process.Kill()
		<-done
		return errors.New("hop process: killed after not exiting in time")
	}
}
