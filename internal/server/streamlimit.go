package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
)

// DefaultMaxStreamsPerCaller bounds the streams one caller may have open
// at once when Config.MaxStreamsPerCaller is zero.
const DefaultMaxStreamsPerCaller = 64

// ReasonTooManyStreams is the ErrorInfo reason of a stream refused
// because its caller has as many open as it may.
const ReasonTooManyStreams = "TOO_MANY_STREAMS"

// streamLimit bounds the server-streaming calls (exports, syncs, report
// rows) each caller has open at once on this replica. A stream may run
// for hours, a following sync for days, each polling the upstream with
// the caller's token: without a bound one caller could hold any number,
// and keep the token's pace busy for everyone sharing it.
type streamLimit struct {
	max     int
	streams map[string]string // procedures that stream (Streams)
	errors  *connect.ErrorWriter
	refused *refusals

	mu   sync.Mutex
	open map[string]int // by caller name; no entry for none
}

func newStreamLimit(limit int, streams map[string]string, errors *connect.ErrorWriter, refused *refusals) *streamLimit {
	if limit <= 0 {
		limit = DefaultMaxStreamsPerCaller
	}
	return &streamLimit{max: limit, streams: streams, errors: errors, refused: refused, open: make(map[string]int)}
}

// wrap refuses a stream whose caller has max open, with
// RESOURCE_EXHAUSTED, before its body is read; unary calls pass.
func (l *streamLimit) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, ok := auth.CallerFrom(r.Context())
		if _, stream := l.streams[r.URL.Path]; !stream || !ok {
			next.ServeHTTP(w, r)
			return
		}
		if !l.take(caller.Name) {
			cerr := rpcerr.New(connect.CodeResourceExhausted,
				fmt.Errorf("caller %q has %d streams open, as many as it may: end one, or wait for one to end", caller.Name, l.max),
				ReasonTooManyStreams, map[string]string{"caller": caller.Name})
			rpcerr.Add(cerr, &errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{
				Subject:     "caller:" + caller.Name,
				Description: fmt.Sprintf("%d streams open at once", l.max),
			}}})
			l.refused.record(r.Context(), r.URL.Path, r.RemoteAddr, cerr, slog.String("caller", caller.Name))
			_ = l.errors.Write(w, r, cerr)
			return
		}
		defer l.give(caller.Name)
		next.ServeHTTP(w, r)
	})
}

// take counts a stream of caller open, unless it has max.
func (l *streamLimit) take(caller string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[caller] >= l.max {
		return false
	}
	l.open[caller]++
	return true
}

// give counts a stream of caller ended.
func (l *streamLimit) give(caller string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[caller]--; l.open[caller] <= 0 {
		delete(l.open, caller)
	}
}
