package server

import (
	"context"
	"net"
	"net/netip"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Default bounds of ConnLimits.
const (
	// DefaultMaxConnections bounds the open connections of a listener.
	DefaultMaxConnections = 4096
	// DefaultMaxConnectionsPerPeer bounds the open connections from one
	// IP address.
	DefaultMaxConnectionsPerPeer = 256
)

// ConnLimits bounds the connections a listener keeps open. A zero field
// selects the default documented on it. Keep Total under the process's
// open file limit (ulimit -n), with room for upstream connections.
type ConnLimits struct {
	// Total bounds the open connections; zero means
	// DefaultMaxConnections.
	Total int
	// PerPeer bounds the open connections from one IP address, loopback
	// included; zero means DefaultMaxConnectionsPerPeer. Behind a proxy
	// that does not keep the caller's address, the proxy is one peer.
	PerPeer int
}

// LimitConnections returns a listener that hands out connections from ln
// while fewer than limits are open. A connection beyond a limit is
// accepted and closed at once, unread, and counted in the metric
// bwfacade.server.connections_refused by the limit it met ("total" or
// "peer"); Accept then waits for the next one. Unlike
// golang.org/x/net/netutil.LimitListener, which stops accepting at its
// limit and so leaves new callers, good and bad alike, waiting in the
// kernel's backlog, a refusal costs the caller a closed connection and the
// server nothing.
func LimitConnections(ln net.Listener, limits ConnLimits, mp metric.MeterProvider) (net.Listener, error) {
	if limits.Total <= 0 {
		limits.Total = DefaultMaxConnections
	}
	if limits.PerPeer <= 0 {
		limits.PerPeer = DefaultMaxConnectionsPerPeer
	}
	l := &limitListener{Listener: ln, limits: limits, peers: make(map[netip.Addr]int)}
	m := mp.Meter("github.com/bwfacade/facade/internal/server")
	var err error
	l.refusals, err = m.Int64Counter("bwfacade.server.connections_refused",
		metric.WithDescription("Connections closed at once because a bound on open connections was met, by bound: total or peer."))
	if err != nil {
		return nil, err
	}
	_, err = m.Int64ObservableUpDownCounter("bwfacade.server.connections_open",
		metric.WithDescription("Connections open on the API listener."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			l.mu.Lock()
			defer l.mu.Unlock()
			o.Observe(int64(l.open))
			return nil
		}))
	if err != nil {
		return nil, err
	}
	return l, nil
}

// limitListener is the listener LimitConnections returns.
type limitListener struct {
	net.Listener
	limits   ConnLimits
	refusals metric.Int64Counter

	mu    sync.Mutex
	open  int
	peers map[netip.Addr]int // open connections by peer; no zero counts
}

// Accept returns the next connection within the limits.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		peer := peerOf(c.RemoteAddr())
		if bound := l.take(peer); bound != "" {
			_ = c.Close()
			l.refusals.Add(context.Background(), 1, metric.WithAttributes(attribute.String("bwfacade.bound", bound)))
			continue
		}
		return &limitedConn{Conn: c, release: sync.OnceFunc(func() { l.release(peer) })}, nil
	}
}

// take counts a connection from peer in, or returns the bound it would
// pass.
func (l *limitListener) take(peer netip.Addr) (bound string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.limits.Total:
		return "total"
	case l.peers[peer] >= l.limits.PerPeer:
		return "peer"
	}
	l.open++
	l.peers[peer]++
	return ""
}

func (l *limitListener) release(peer netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.peers[peer]--; l.peers[peer] <= 0 {
		delete(l.peers, peer)
	}
}

// peerOf returns the IP address of addr; IPv4 in IPv6 as IPv4, anything
// other than TCP as the zero address.
func peerOf(addr net.Addr) netip.Addr {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// limitedConn is a connection counted against the limits until closed.
type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}

// CloseWrite half-closes a TCP connection, as net/http does before closing
// one whose request body it left unread.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
