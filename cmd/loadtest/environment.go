package main

import (
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Environment records what the numbers were measured on.
type Environment struct {
	// GoVersion is the version of Go the harness was built with.
	GoVersion string `json:"go_version"`
	// Commit is the repository's commit, from the build's VCS stamp or
	// git, with "+dirty" when the tree had changes; "unknown" otherwise.
	Commit string `json:"commit"`
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	// CPUs is the number of CPUs the harness could use when it started,
	// before pinning.
	CPUs int `json:"cpus"`
	// Pinning is where the processes ran.
	Pinning Pinning `json:"pinning"`
	// Facade says how the facade in the hop process is wired.
	Facade string `json:"facade"`
	// LoadAtStart and LoadAtEnd are the machine's 1, 5 and 15 minute load
	// averages (/proc/loadavg) when the run started and ended: other work
	// on the machine shows in the tails.
	LoadAtStart string `json:"load_at_start"`
	LoadAtEnd   string `json:"load_at_end"`
	// StartedAt is when the run started; Seconds how long it took.
	StartedAt time.Time `json:"started_at"`
	Seconds   float64   `json:"seconds"`
}

// newEnvironment records the environment known before the run.
func newEnvironment(o options) Environment {
	return Environment{
		GoVersion:   runtime.Version(),
		Commit:      commit(),
		OS:          runtime.GOOS,
		Arch:        runtime.GOARCH,
		CPUs:        runtime.NumCPU(),
		Facade:      facadeWiring(o.telemetry),
		LoadAtStart: loadAverage(),
		StartedAt:   time.Now().UTC().Truncate(time.Second),
	}
}

// loadAverage returns the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(b)); err == nil && len(fields) >= 3 {
		return strings.Join(fields[:3], " ")
	}
	return "unknown"
}

// commit returns the commit the binary was built from: the build's VCS
// stamp (go build), or else what git says of the working directory (go
// run does not stamp).
func commit() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		var revision, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if revision != "" {
			return shortCommit(revision, modified == "true")
		}
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	return shortCommit(strings.TrimSpace(string(out)), err == nil && len(status) > 0)
}

// shortCommit abbreviates a commit hash and marks a dirty tree.
func shortCommit(hash string, dirty bool) string {
	hash = hash[:min(len(hash), 12)]
	if dirty {
		hash += "+dirty"
	}
	return hash
}
