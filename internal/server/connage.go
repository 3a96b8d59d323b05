package server

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Connection ageing. An HTTP/2 connection sticks to the replica it opened
// on, and a Service that balances connections (L4) never moves a
// long-lived gRPC client after a scale-up. So the facade ages connections
// out, as gRPC servers do with MAX_CONNECTION_AGE: past its age, the next
// answer on a connection says "Connection: close", which Go's server turns
// into a GOAWAY over HTTP/2 (calls in flight finish; new ones open a new
// connection, possibly to another replica) and a close after the answer
// over HTTP/1.1. A connection still busy a grace period later (a
// following stream, say) has its calls canceled and is closed.

// ConnAge configures connection ageing. The zero value ages nothing.
type ConnAge struct {
	// Max is a connection's age after which it is asked to close. Zero
	// turns ageing off.
	Max time.Duration
	// Jitter spreads connections' ages below Max by up to this fraction
	// of it, so that connections opened together do not all close
	// together. Zero means 0.1; it is capped at 0.5.
	Jitter float64
	// Grace is how long calls may go on after Max before they are
	// canceled. Zero means 1 minute.
	Grace time.Duration
}

// connAging ages a server's connections.
type connAging struct {
	cfg ConnAge
	// timers cancel the connections' calls after their grace, until the
	// connection closes first.
	mu     sync.Mutex
	timers map[net.Conn]*time.Timer
}

type connDeadlineKey struct{}

// connCloseDelay is how long after canceling a connection's calls, at the
// end of its grace, the connection is closed: time for them to send
// their status.
const connCloseDelay = time.Second

// ageConnections makes srv age its connections as cfg says.
func ageConnections(srv *http.Server, cfg ConnAge) {
	if cfg.Max <= 0 {
		return
	}
	if cfg.Jitter <= 0 {
		cfg.Jitter = 0.1
	}
	cfg.Jitter = min(cfg.Jitter, 0.5)
	if cfg.Grace <= 0 {
		cfg.Grace = time.Minute
	}
	a := &connAging{cfg: cfg, timers: make(map[net.Conn]*time.Timer)}
	srv.ConnContext = a.connContext
	srv.ConnState = a.connState
	srv.Handler = a.wrap(srv.Handler)
}

// connContext gives each connection its deadline and the cancellation
// its grace ends in.
func (a *connAging) connContext(ctx context.Context, c net.Conn) context.Context {
	age := time.Duration(float64(a.cfg.Max) * (1 - a.cfg.Jitter*rand.Float64()))
	ctx, cancel := context.WithCancel(context.WithValue(ctx, connDeadlineKey{}, time.Now().Add(age)))
	a.mu.Lock()
	// Past the grace the calls still on the connection are canceled, and
	// they end with their status; a moment later the connection is
	// closed, so that no new call starts on a canceled context (a client
	// sees a transport failure, and retries elsewhere).
	a.timers[c] = time.AfterFunc(age+a.cfg.Grace, func() {
		cancel()
		time.AfterFunc(connCloseDelay, func() { _ = c.Close() })
	})
	a.mu.Unlock()
	return ctx
}

// connState forgets a closed connection's timer.
func (a *connAging) connState(c net.Conn, state http.ConnState) {
	if state != http.StateClosed && state != http.StateHijacked {
		return
	}
	a.mu.Lock()
	t := a.timers[c]
	delete(a.timers, c)
	a.mu.Unlock()
	if t != nil {
		t.Stop()
	}
}

// wrap asks a connection past its age to close after this answer.
func (a *connAging) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if deadline, ok := r.Context().Value(connDeadlineKey{}).(time.Time); ok && time.Now().After(deadline) {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
