package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/upstream"
)

// slowBody is the body a slow caller sends: the declared length, and one
// byte per tick once the headers are out.
const (
	slowBodyLength = 1000
	slowBodyTick   = 50 * time.Millisecond
)

// slowPost sends, as slowRequest, a POST of procedure as Connect with a
// protobuf body. An empty key sends none.
func slowPost(t *testing.T, baseURL, procedure, key string) net.Conn {
	t.Helper()
	header := "Content-Type: application/proto\r\n"
	if key != "" {
		header += "Authorization: Bearer " + key + "\r\n"
	}
	return slowRequest(t, baseURL, http.MethodPost, procedure, header)
}

// slowRequest opens a connection to the facade at baseURL and sends a
// request over HTTP/1.1 with the given method, path and header lines
// (each ending in CRLF) and a body of slowBodyLength bytes, of which it
// then sends one byte per slowBodyTick until the server closes the
// connection or the test ends.
func slowRequest(t *testing.T, baseURL, method, path, header string) net.Conn {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := new(net.Dialer).DialContext(t.Context(), "tcp", u.Host)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n%s", method, path, u.Host, slowBodyLength, header)
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatalf("write headers: %v", err)
	}
	go func() {
		ticker := time.NewTicker(slowBodyTick)
		defer ticker.Stop()
		for range slowBodyLength {
			select {
			case <-t.Context().Done():
				return
			case <-ticker.C:
			}
			if _, err := conn.Write([]byte{0}); err != nil {
				return // the server closed the connection
			}
		}
	}()
	return conn
}

// answer reads the answer on conn and then waits for the server to close
// the connection, within the given time. It returns the answer, with its
// body read, and when the connection was closed.
func answer(conn net.Conn, within time.Duration) (*http.Response, time.Time, error) {
	if err := conn.SetReadDeadline(time.Now().Add(within)); err != nil {
		return nil, time.Time{}, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("no answer within %v: %w", within, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("read answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	// The server closes: EOF, or a reset if it closed with bytes of ours
	// unread.
	if _, err := br.ReadByte(); err == nil || isTimeout(err) {
		return nil, time.Time{}, fmt.Errorf("connection still open %v after the request (read: %v)", within, err)
	}
	return resp, time.Now(), nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestRefusalClosesWithoutReadingTheBody sends requests that the facade
// refuses before their body is read, each with a body that trickles in,
// and expects each answered and its connection closed at once, long
// before the body (50 s) or the body deadline (1 min) could end.
func TestRefusalClosesWithoutReadingTheBody(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{
		BodyReadTimeout: time.Minute,
		// One call, then none for an hour.
		Callers: func(sb *sandbox.Sandbox) *auth.Store {
			registry, err := auth.NewRegistry(nil, &auth.Caller{
				Name:      "thrifty",
				Token:     tokenOf(sb, sandbox.RoleUser),
				KeyHashes: []auth.KeyHash{auth.HashKey(thriftyKey)},
				Quota:     auth.Quota{Rate: 1.0 / 3600, Burst: 1},
			}, &auth.Caller{
				Name:      "user",
				Token:     tokenOf(sb, sandbox.RoleUser),
				KeyHashes: []auth.KeyHash{auth.HashKey(userKey)},
			})
			if err != nil {
				t.Fatal(err)
			}
			return auth.NewStore(registry)
		},
	})
	spend := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, facadetest.ClientOptions(facadetest.Connect, thriftyKey)...)
	if _, err := spend.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1"}); connect.CodeOf(err) == connect.CodeResourceExhausted {
		t.Fatalf("GetGoal() error = %v, want the one call of the quota", err)
	}
	tests := []struct {
		name       string
		procedure  string
		key        string
		wantStatus int
	}{
		{"no_key", betterworksv1connect.GoalServiceGetGoalProcedure, "", http.StatusUnauthorized},
		{"unknown_key", betterworksv1connect.GoalServiceGetGoalProcedure, "bwf_NOTAKEY", http.StatusUnauthorized},
		{"over_quota", betterworksv1connect.GoalServiceGetGoalProcedure, thriftyKey, http.StatusTooManyRequests},
		{"unknown_procedure", "/betterworks.v1.GoalService/Nope", userKey, http.StatusNotFound},
		{"unknown_path", "/nowhere", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn := slowPost(t, st.URL, tt.procedure, tt.key)

			resp, _, err := answer(conn, 10*time.Second)

			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || !resp.Close {
				t.Errorf("answer = %s, Connection: close %v; want %d, Connection: close", resp.Status, resp.Close, tt.wantStatus)
			}
		})
	}
}

// Keys of the callers of TestRefusalClosesWithoutReadingTheBody.
const (
	thriftyKey = "bwf_THRIFTYCALLERKEY"
	userKey    = "bwf_USERCALLERKEY"
)

// tokenOf returns the upstream token of the sandbox's user with role.
func tokenOf(sb *sandbox.Sandbox, role sandbox.Role) upstream.Token {
	return upstream.NewToken(sb.Token(role))
}

// p99 returns the 99th percentile of latencies.
func p99(latencies []time.Duration) time.Duration {
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	return sorted[(len(sorted)*99+99)/100-1]
}

// getGoalLatencies times n GetGoal calls, one after another.
func getGoalLatencies(t *testing.T, client betterworksv1connect.GoalServiceClient, goalID string, n int) []time.Duration {
	t.Helper()
	latencies := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: goalID}); err != nil {
			t.Fatalf("GetGoal() error = %v", err)
		}
		latencies = append(latencies, time.Since(start))
	}
	return latencies
}

// TestSlowBodiesEndAtTheBodyDeadline holds many connections whose bodies
// trickle in, half of them with a key, half without: each must be
// answered and closed within the body deadline, and a caller's GetGoal
// meanwhile must stay about as fast as on an idle server.
func TestSlowBodiesEndAtTheBodyDeadline(t *testing.T) {
	t.Parallel()
	const (
		timeout = 500 * time.Millisecond
		slack   = 2 * time.Second // generous, for -race on a busy machine
		slow    = 100
		calls   = 50
	)
	st := facadetest.Start(t, facadetest.Options{BodyReadTimeout: timeout})
	key := st.Key(sandbox.RoleUser)
	client := st.Goals(facadetest.Connect, sandbox.RoleUser)
	goalID := fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)
	idle := p99(getGoalLatencies(t, client, goalID, calls))

	var wg sync.WaitGroup
	for i := range slow {
		callerKey, wantStatus, wantBody := "", http.StatusUnauthorized, `"code":"unauthenticated"`
		if keyed := i%2 == 0; keyed {
			callerKey, wantStatus, wantBody = key, http.StatusGatewayTimeout, "REQUEST_BODY_TIMEOUT"
		}
		start := time.Now()
		conn := slowPost(t, st.URL, betterworksv1connect.GoalServiceGetGoalProcedure, callerKey)
		wg.Go(func() {
			resp, closed, err := answer(conn, timeout+slack)
			if err != nil {
				t.Errorf("key %t: %v", callerKey != "", err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != wantStatus || !strings.Contains(string(body), wantBody) {
				t.Errorf("key %t: answer = %s %s, want %d with %s", callerKey != "", resp.Status, body, wantStatus, wantBody)
			}
			if took := closed.Sub(start); callerKey != "" && took < timeout {
				t.Errorf("key: closed after %v, before the body deadline %v", took, timeout)
			}
		})
	}
	loaded := p99(getGoalLatencies(t, client, goalID, calls))
	wg.Wait()

	t.Logf("GetGoal p99: idle %v, beside %d slow bodies %v", idle, slow, loaded)
	if loaded > 2*idle+250*time.Millisecond {
		t.Errorf("GetGoal p99 beside slow bodies = %v, want about the idle server's %v", loaded, idle)
	}
}

// TestSlowBodyOfOneMessageEndsAtTheBodyDeadline sends, over HTTP/1.1,
// the one request message of server-streaming procedures slowly: the open
// health Watch, without a key, and a keyed ExportUsers. Their answers
// stream, their requests do not: each body must arrive within the body
// deadline, as a unary call's.
func TestSlowBodyOfOneMessageEndsAtTheBodyDeadline(t *testing.T) {
	t.Parallel()
	const (
		timeout = 300 * time.Millisecond
		slack   = 2 * time.Second
	)
	st := facadetest.Start(t, facadetest.Options{BodyReadTimeout: timeout})
	tests := []struct {
		name      string
		procedure string
		key       string
	}{
		{"health_watch_without_key", "/grpc.health.v1.Health/Watch", ""},
		{"export_with_key", betterworksv1connect.PeopleServiceExportUsersProcedure, st.Key(sandbox.RoleSuperAdmin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			header := "Content-Type: application/connect+proto\r\n"
			if tt.key != "" {
				header += "Authorization: Bearer " + tt.key + "\r\n"
			}
			start := time.Now()
			conn := slowRequest(t, st.URL, http.MethodPost, tt.procedure, header)

			resp, closed, err := answer(conn, timeout+slack)

			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), "deadline_exceeded") {
				t.Errorf("answer = %s %s, want the stream ended with deadline_exceeded", resp.Status, body)
			}
			if took := closed.Sub(start); took < timeout {
				t.Errorf("closed after %v, before the body deadline %v", took, timeout)
			}
		})
	}
}

// TestSlowBodyOverHTTP2 sends a body that trickles in over h2c: refused,
// the stream is answered at once; taken, it ends at the body deadline.
func TestSlowBodyOverHTTP2(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	st := facadetest.Start(t, facadetest.Options{BodyReadTimeout: time.Hour})
	quick := facadetest.Start(t, facadetest.Options{BodyReadTimeout: timeout})
	tests := []struct {
		name       string
		st         *facadetest.Stack
		key        string
		wantStatus int
	}{
		{"no_key", st, "", http.StatusUnauthorized},
		{"keyed", quick, quick.Key(sandbox.RoleUser), http.StatusGatewayTimeout},
	}
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	h2c := &http.Client{Transport: &http.Transport{Protocols: protocols}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, trickle := io.Pipe()
			t.Cleanup(func() { _ = trickle.Close() })
			go func() {
				for range slowBodyLength {
					if _, err := trickle.Write([]byte{0}); err != nil {
						return
					}
					time.Sleep(slowBodyTick)
				}
			}()
			ctx, cancel := context.WithTimeout(t.Context(), timeout+2*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, tt.st.URL+betterworksv1connect.GoalServiceGetGoalProcedure, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/proto")
			if tt.key != "" {
				req.Header.Set("Authorization", "Bearer "+tt.key)
			}

			resp, err := h2c.Do(req)

			if err != nil {
				t.Fatalf("POST error = %v, want an answer within %v", err, timeout+2*time.Second)
			}
			defer resp.Body.Close()
			if resp.ProtoMajor != 2 || resp.StatusCode != tt.wantStatus {
				t.Errorf("POST = %s %s, want HTTP/2 %d", resp.Proto, resp.Status, tt.wantStatus)
			}
		})
	}
}

// TestBodyDeadlineEndsWithTheBody calls over HTTP/1.1 with an upstream
// slower than the body deadline: once the body is in, the deadline no
// longer applies, and the call succeeds.
func TestBodyDeadlineEndsWithTheBody(t *testing.T) {
	t.Parallel()
	const timeout = 100 * time.Millisecond
	st := facadetest.Start(t, facadetest.Options{
		BodyReadTimeout: timeout,
		Sandbox:         sandbox.Config{Faults: []sandbox.Fault{{Endpoint: getGoalEndpoint, Latency: 4 * timeout}}},
	})
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	http1 := &http.Client{Transport: &http.Transport{Protocols: protocols}}
	client := betterworksv1connect.NewGoalServiceClient(http1, st.URL, facadetest.ClientOptions(facadetest.Connect, st.Key(sandbox.RoleUser))...)

	_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(st.Sandbox.Fixtures().UserGoalID)})

	if err != nil {
		t.Errorf("GetGoal() error = %v, want the goal", err)
	}
}

// TestReflectionStreamEndsAtItsLifetime keeps a reflection stream open,
// as grpcurl would for a moment and a stranger for ever: it answers within
// its lifetime, and not after.
func TestReflectionStreamEndsAtItsLifetime(t *testing.T) {
	t.Parallel()
	// Long enough for the first answer on a loaded machine.
	const lifetime = 2 * time.Second
	st := facadetest.Start(t, facadetest.Options{ReflectionStreamLifetime: lifetime})
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	h2c := &http.Client{Transport: &http.Transport{Protocols: protocols}}
	stream := grpcreflect.NewClient(h2c, st.URL, connect.WithGRPC()).NewStream(t.Context())
	defer stream.Close()
	if names, err := stream.ListServices(); err != nil || len(names) == 0 {
		t.Fatalf("ListServices() = %v, %v; want the services", names, err)
	}

	time.Sleep(lifetime + 500*time.Millisecond)
	names, err := stream.ListServices()

	if err == nil {
		t.Errorf("ListServices() past the stream's lifetime = %v, want the stream ended", names)
	}
}
