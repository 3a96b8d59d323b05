package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes the sandbox misbehave on purpose, the way a real upstream or
// a proxy in front of it does: slow answers, error statuses, rate limiting,
// HTML error pages. A zero field selects the default documented on it.
//
// Faults act before authentication and routing, like a proxy: a fault on
// "" answers even requests with a bad token or an unknown path.
type Fault struct {
	// Endpoint is an endpoint template such as "GET /goals/{id}/", one of
	// Endpoints(). "" matches every request, including unknown paths.
	Endpoint string
	// Latency is added before answering. The wait ends early when the
	// request's context is canceled; the request log then records
	// Canceled and no answer is sent.
	Latency time.Duration
	// Status, when not 0, is sent instead of the real answer, with Body or
	// else a JSON body {"detail": "<status text>"}. 0 answers normally.
	Status int
	// Rate is the share of matching requests the fault applies to, with
	// 0 < Rate <= 1. 0 (or any value outside that range) means always. The draws come from a random
	// source seeded by Config.Seed and the fault's position, reset by
	// SetFaults, so a sequence of requests meets the same faults every run.
	Rate float64
	// RetryAfter is the value of a Retry-After header sent with Status
	// (seconds, or an HTTP date). "" sends none. It is ignored when Status is 0.
	RetryAfter string
	// Body is sent with Status instead of the default JSON error, for
	// example an HTML page from a proxy or a JSON error of another shape.
	// Its Content-Type is text/html when it starts with "<",
	// application/json when it is a JSON object or array, else text/plain.
	// "" sends the default.
	Body string
	// Location is sent as the Location header with Status, for a
	// redirect (a 3xx Status) to somewhere else. "" sends none.
	Location string
	// Times limits the fault to the first Times requests it applies to.
	// 0 means unlimited.
	Times int
	// Drop answers the request as usual, applying a write, and then
	// closes the connection instead of sending the answer: the client
	// cannot tell whether its write landed. A Status takes precedence.
	Drop bool
}

// activeFault is a Fault with its random source and use count.
type activeFault struct {
	Fault
	rng     *rand.Rand
	applied int
}

// faultSet holds the active faults. It is safe for concurrent use.
type faultSet struct {
	seed   uint64
	mu     sync.Mutex
	faults []*activeFault
}

// set replaces the active faults.
func (fs *faultSet) set(faults []Fault) {
	active := make([]*activeFault, len(faults))
	for i, f := range faults {
		active[i] = &activeFault{Fault: f, rng: rand.New(rand.NewPCG(fs.seed, 0xfa017+uint64(i)))}
	}
	fs.mu.Lock()
	fs.faults = active
	fs.mu.Unlock()
}

// outcome is what the faults decided for one request.
type outcome struct {
	latency time.Duration
	fault   *Fault // the fault whose Status answers, or nil
	// drop closes the connection in place of the real answer.
	drop bool
}

// decide draws the faults that apply to a request on endpoint. Faults are
// taken in order: the latencies of all that apply add up, and the first
// that applies with a Status answers.
func (fs *faultSet) decide(endpoint string) outcome {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var out outcome
	for _, f := range fs.faults {
		if f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		if f.Times > 0 && f.applied >= f.Times {
			continue
		}
		if f.Rate > 0 && f.Rate < 1 && f.rng.Float64() >= f.Rate {
			continue
		}
		f.applied++
		out.latency += f.Latency
		if f.Status != 0 && out.fault == nil {
			answer := f.Fault
			out.fault = &answer
		}
		out.drop = out.drop || f.Drop
	}
	return out
}

// wait sleeps for d or until ctx ends. It reports whether the whole wait passed.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// faultReply is the answer of a fault with a Status.
func faultReply(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Location != "" {
		w.Header().Set("Location", f.Location)
	}
	if f.Body == "" {
		writeReply(w, detailError(f.Status, http.StatusText(f.Status)).reply())
		return
	}
	body := strings.TrimSpace(f.Body)
	ctype := "text/plain; charset=utf-8"
	switch {
	case strings.HasPrefix(body, "<"):
		ctype = "text/html; charset=utf-8"
	case strings.HasPrefix(body, "{") || strings.HasPrefix(body, "["):
		if json.Valid([]byte(body)) {
			ctype = "application/json"
		}
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
}

// ParseFaults reads faults from their compact text form, for configuration
// files and environment variables. The grammar:
//
//	spec   = [ fault *( ";" fault ) ]
//	fault  = target ":" option *( "," option )
//	target = "*" / METHOD " " TEMPLATE      ; "*" is Endpoint ""; else one of Endpoints() or FilesEndpoint
//	option = key "=" value
//	key    = "status" / "latency" / "rate" / "retry_after" / "body" / "location" / "times" / "drop"
//
// status is an HTTP status (100-599); latency a Go duration ("50ms", "2s");
// rate a number in (0, 1]; retry_after a Retry-After value; body the raw
// body; location a Location header (for a redirect); times a count >= 0. Values are percent-decoded, so a body or an
// HTTP date carries ",", ";" and ":" as %2C, %3B and %3A. Spaces around
// separators are ignored; an empty spec means no faults. Example:
//
//	GET /goals/{id}/:status=503,rate=0.5;*:latency=50ms;POST /goals/:status=429,retry_after=2,times=1
func ParseFaults(spec string) ([]Fault, error) {
	var out []Fault
	known := append(Endpoints(), FilesEndpoint)
	for i, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		target, options, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("fault %d %q: want target:options", i+1, part)
		}
		var f Fault
		target = strings.Join(strings.Fields(target), " ")
		switch {
		case target == "*":
		case slices.Contains(known, target):
			f.Endpoint = target
		default:
			return nil, fmt.Errorf("fault %d: unknown endpoint %q", i+1, target)
		}
		if err := f.parseOptions(options); err != nil {
			return nil, fmt.Errorf("fault %d (%s): %w", i+1, target, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// parseOptions reads the comma-separated options of one fault spec.
func (f *Fault) parseOptions(options string) error {
	seen := map[string]bool{}
	for _, opt := range strings.Split(options, ",") {
		key, raw, ok := strings.Cut(strings.TrimSpace(opt), "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return fmt.Errorf("option %q: want key=value", opt)
		}
		if seen[key] {
			return fmt.Errorf("option %q given twice", key)
		}
		seen[key] = true
		value, err := url.PathUnescape(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("option %s: %w", key, err)
		}
		if err := f.setOption(key, value); err != nil {
			return fmt.Errorf("option %s=%q: %w", key, value, err)
		}
	}
	return nil
}

// errOutOfRange reports an option value outside its allowed range.
var errOutOfRange = errors.New("out of range")

// setOption sets the field key names from value.
func (f *Fault) setOption(key, value string) error {
	switch key {
	case "status":
		n, err := strconv.Atoi(value)
		if err != nil {
			return err
		}
		if n < 100 || n > 599 {
			return errOutOfRange
		}
		f.Status = n
	case "latency":
		d, err := time.ParseDuration(value)
		if err != nil {
			return err
		}
		if d < 0 {
			return errOutOfRange
		}
		f.Latency = d
	case "rate":
		r, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return err
		}
		if r <= 0 || r > 1 {
			return errOutOfRange
		}
		f.Rate = r
	case "retry_after":
		if value == "" {
			return errors.New("empty")
		}
		f.RetryAfter = value
	case "body":
		f.Body = value
	case "location":
		if value == "" {
			return errors.New("empty")
		}
		f.Location = value
	case "times":
		n, err := strconv.Atoi(value)
		if err != nil {
			return err
		}
		if n < 0 {
			return errOutOfRange
		}
		f.Times = n
	case "drop":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return err
		}
		f.Drop = b
	default:
		return errors.New("unknown option")
	}
	return nil
}
