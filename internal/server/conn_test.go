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
