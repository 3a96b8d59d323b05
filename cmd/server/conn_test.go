package main

import (
	"bufio"

	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// slowBody opens a connection to addr and sends a GetGoal whose 1000-byte
// body it then sends one byte every 50 ms, until the server closes the
// connection or the test ends. An empty key sends none.
func slowBody(t *testing.T, addr, key string) net.Conn {
	t.Helper()
	conn, err := new(net.Dialer).DialContext(t.Context(), "tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	head := "POST /betterworks.v1.GoalService/GetGoal HTTP/1.1\r\nHost: facade\r\nContent-Type: application/proto\r\nContent-Length: 1000\r\n"
	if key != "" {
		head += "Authorization: Bearer " + key + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatalf("write headers: %v", err)
	}
	go func() {
		for range 1000 {
			select {
			case <-t.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{0}); err != nil {
				return
			}
		}
	}()
	return conn
}

// TestRunShutsDownWithSlowBodiesOpen stops the server while callers hold
// connections whose bodies trickle in: shutdown ends once the body
// deadline has cut them, well within the grace.
func TestRunShutsDownWithSlowBodiesOpen(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	url, key, _, stop := startDemo(t, map[string]string{"BWFACADE_BODY_READ_TIMEOUT": timeout.String()})
	addr := strings.TrimPrefix(url, "http://")
	for i := range 50 {
		if i%2 == 0 {
			slowBody(t, addr, key)
		} else {
			slowBody(t, addr, "")
		}
	}

	start := time.Now()
	err := stop()
	took := time.Since(start)

	if err != nil {
		t.Errorf("run() after stop = %v, want nil", err)
	}
	// Generous for -race; the grace is 20 s.
	if took > timeout+3*time.Second {
		t.Errorf("shutdown took %v with slow bodies open, want about the body deadline %v", took, timeout)
	}
}

// TestRunBoundsConnectionsPerPeer configures two connections per peer:
// a third from the same address is closed unanswered.
func TestRunBoundsConnectionsPerPeer(t *testing.T) {
	t.Parallel()
	url, _, _, _ := startDemo(t, map[string]string{"BWFACADE_MAX_CONNECTIONS_PER_PEER": "2"})
	addr := strings.TrimPrefix(url, "http://")
	var answered []bool
	for range 3 {
		conn, err := new(net.Dialer).DialContext(t.Context(), "tcp", addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = fmt.Fprintf(conn, "GET /grpc.health.v1.Health/Check?encoding=json&message={} HTTP/1.1\r\nHost: facade\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			_ = resp.Body.Close()
		}
		answered = append(answered, err == nil)
	}
	if diff := cmp.Diff([]bool{true, true, false}, answered); diff != "" {
		t.Errorf("connections answered mismatch (-want +got):\n%s", diff)
	}
}
