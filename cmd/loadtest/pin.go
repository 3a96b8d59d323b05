package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Pinning records where the two processes were placed, as obtained, not as
// asked: the CPUs each process's threads may run on, read back from /proc.
type Pinning struct {
	// Method is "taskset", or "none" with the reason.
	Method string `json:"method"`
	// LoadGenCPUs and HopCPUs list the CPUs allowed to the load generator
	// (sandbox, clients) and to the hop process (facade, bare proxy), such
	// as "1" or "0-1"; "unknown" when /proc could not tell. HopCPUs is ""
	// and HopGOMAXPROCS 0 when no hop process ran.
	LoadGenCPUs string `json:"loadgen_cpus"`
	HopCPUs     string `json:"hop_cpus"`
	// LoadGenGOMAXPROCS and HopGOMAXPROCS are the processes' GOMAXPROCS.
	LoadGenGOMAXPROCS int `json:"loadgen_gomaxprocs"`
	HopGOMAXPROCS     int `json:"hop_gomaxprocs"`
}

// cpuPlan is the CPUs the processes are to run on.
type cpuPlan struct {
	hop, loadGen int
}

// planPinning decides whether to pin: with want, taskset in PATH, and at
// least two CPUs allowed to this process, the hop process gets the first
// allowed CPU and the load generator the second. Otherwise it returns
// ok false and why.
func planPinning(want bool) (plan cpuPlan, ok bool, why string) {
	if !want {
		return plan, false, "none (-pin=false)"
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return plan, false, "none (no taskset)"
	}
	allowed, err := allowedCPUs("self")
	if err != nil {
		return plan, false, fmt.Sprintf("none (%v)", err)
	}
	cpus, err := parseCPUList(allowed)
	if err != nil || len(cpus) < 2 {
		return plan, false, fmt.Sprintf("none (CPUs allowed: %s)", allowed)
	}
	return cpuPlan{hop: cpus[0], loadGen: cpus[1]}, true, "taskset"
}

// pinSelf moves every thread of this process to cpu and sets GOMAXPROCS
// to 1; threads started later inherit the affinity.
func pinSelf(cpu int) error {
	out, err := exec.Command("taskset", "--all-tasks", "--cpu-list", "--pid", strconv.Itoa(cpu), strconv.Itoa(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset: %w: %s", err, strings.TrimSpace(string(out)))
	}
	runtime.GOMAXPROCS(1)
	return nil
}

// allowedCPUs returns the CPUs the threads of process pid ("self" for
// this one) may run on, as a list like "0-1" or, when threads differ, the
// distinct lists joined by "+".
func allowedCPUs(pid string) (string, error) {
	statuses, err := filepath.Glob(filepath.Join("/proc", pid, "task", "*", "status"))
	if err != nil || len(statuses) == 0 {
		return "", errors.New("no /proc")
	}
	var lists []string
	for _, path := range statuses {
		list, err := cpusAllowedList(path)
		if err != nil {
			continue // the thread ended since the glob
		}
		if !slices.Contains(lists, list) {
			lists = append(lists, list)
		}
	}
	if len(lists) == 0 {
		return "", errors.New("no Cpus_allowed_list in /proc")
	}
	slices.Sort(lists)
	return strings.Join(lists, "+"), nil
}

// cpusAllowedList returns the Cpus_allowed_list of a /proc status file.
func cpusAllowedList(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s: no Cpus_allowed_list", path)
}

// parseCPUList reads a Linux CPU list such as "0-3,8,10-11" into CPU
// numbers in ascending order.
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		first, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("CPU list %q: %w", s, err)
		}
		last := first
		if isRange {
			if last, err = strconv.Atoi(hi); err != nil || last < first {
				return nil, fmt.Errorf("CPU list %q: bad range %q", s, part)
			}
		}
		for c := first; c <= last; c++ {
			cpus = append(cpus, c)
		}
	}
	slices.Sort(cpus)
	return slices.Compact(cpus), nil
}
