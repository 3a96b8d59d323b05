package server_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/bwfacade/facade/internal/server"
)

// dialFrom opens a connection to addr from the loopback address from
// (127.0.0.2 is another peer than 127.0.0.1) and reports whether the
// server answers a request on it; the connection stays open when it does.
func dialFrom(t *testing.T, from, addr string) (net.Conn, bool) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	conn, err := d.DialContext(t.Context(), "tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: facade\r\n\r\n"); err != nil {
		return conn, false // refused before we wrote
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return conn, false // closed unanswered: EOF or reset
	}
	_ = resp.Body.Close()
	return conn, true
}

func TestLimitConnectionsRefusesBeyondTheBounds(t *testing.T) {
	t.Parallel()
	reader := sdkmetric.NewManualReader()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limited, err := server.LimitConnections(ln, server.ConnLimits{Total: 3, PerPeer: 2}, sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	if err != nil {
		t.Fatalf("LimitConnections() error = %v", err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = server.NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), slog.New(slog.DiscardHandler))
	ts.Listener = limited
	ts.Start()
	t.Cleanup(ts.Close)
	addr := ln.Addr().String()

	steps := []struct {
		from   string
		answer bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.1", true},
		{"127.0.0.1", false}, // a third from one peer
		{"127.0.0.2", true},
		{"127.0.0.3", false}, // a fourth in all
	}
	var first net.Conn
	for i, step := range steps {
		conn, answered := dialFrom(t, step.from, addr)
		if answered != step.answer {
			t.Fatalf("connection %d from %s answered = %t, want %t", i+1, step.from, answered, step.answer)
		}
		if i == 0 {
			first = conn
		}
	}
	refused, open := connectionMetrics(t, reader)
	if diff := cmp.Diff(map[string]int64{"total": 1, "peer": 1}, refused); diff != "" || open != 3 {
		t.Errorf("connections open = %d, want 3; refused by bound mismatch (-want +got):\n%s", open, diff)
	}

	// A connection closed frees its place, once the server has seen it
	// close.
	_ = first.Close()
	for {
		if _, answered := dialFrom(t, "127.0.0.1", addr); answered {
			break
		}
		select {
		case <-t.Context().Done():
			t.Fatal("no place for 127.0.0.1 after it closed a connection")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// connectionMetrics returns the connections refused, by bound, and open,
// as reader last saw them.
func connectionMetrics(t *testing.T, reader *sdkmetric.ManualReader) (refused map[string]int64, open int64) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	refused = map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, _ := m.Data.(metricdata.Sum[int64])
			for _, dp := range sum.DataPoints {
				switch m.Name {
				case "bwfacade.server.connections_refused":
					bound, _ := dp.Attributes.Value("bwfacade.bound")
					refused[bound.AsString()] += dp.Value
				case "bwfacade.server.connections_open":
					open = dp.Value
				}
			}
		}
	}
	return refused, open
}

// TestHTTP2SettingsBoundAConnection reads the SETTINGS the server opens an
// HTTP/2 connection with (h2c, prior knowledge): its bounds on streams
// and frames are the facade's, not net/http's looser defaults.
func TestHTTP2SettingsBoundAConnection(t *testing.T) {
	t.Parallel()
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = server.NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), slog.New(slog.DiscardHandler))
	ts.Start()
	t.Cleanup(ts.Close)
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	// The client preface, then an empty SETTINGS frame.
	if _, err := io.WriteString(conn, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"); err != nil {
		t.Fatal(err)
	}
	// The server's first frame is its SETTINGS: a 9-byte header (length,
	// type 4, flags, stream 0), then 6 bytes per setting (id, value).
	header := make([]byte, 9)
	if _, err := io.ReadFull(conn, header); err != nil {
		t.Fatalf("read the server's first frame: %v", err)
	}
	length := int(header[0])<<16 | int(header[1])<<8 | int(header[2])
	if header[3] != 4 || length%6 != 0 {
		t.Fatalf("first frame: type %d, length %d; want SETTINGS (4), a multiple of 6", header[3], length)
	}
	payload := make([]byte, length)
	if _, err := io.ReadFull(conn, payload); err != nil {
		t.Fatal(err)
	}
	got := map[uint16]uint32{}
	for p := payload; len(p) >= 6; p = p[6:] {
		got[uint16(p[0])<<8|uint16(p[1])] = uint32(p[2])<<24 | uint32(p[3])<<16 | uint32(p[4])<<8 | uint32(p[5])
	}
	const (
		settingMaxConcurrentStreams = 0x3
		settingMaxFrameSize         = 0x5
		settingMaxHeaderListSize    = 0x6
	)
	want := map[uint16]uint32{
		settingMaxConcurrentStreams: server.MaxConcurrentStreams,
		settingMaxFrameSize:         server.MaxReadFrameSize,
	}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("SETTINGS 0x%x = %d, want %d", id, got[id], v)
		}
	}
	// The header list is bounded too, by MaxHeaderBytes (net/http adds
	// its own slack for HPACK's per-field overhead).
	if n := got[settingMaxHeaderListSize]; n == 0 || n > 2*server.MaxHeaderBytes {
		t.Errorf("SETTINGS MAX_HEADER_LIST_SIZE = %d, want at most about MaxHeaderBytes (%d)", n, server.MaxHeaderBytes)
	}
}
