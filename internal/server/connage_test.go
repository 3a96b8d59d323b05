package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// roundRobin is an L4 balancer: each new TCP connection goes to the next
// backend, as a Kubernetes Service's does. It closes when t ends.
func roundRobin(t *testing.T, backends []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var next atomic.Int64
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			backend := backends[int(next.Add(1)-1)%len(backends)]
			go func() {
				defer in.Close()
				out, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer out.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(out, in); done <- struct{}{} }()
				go func() { _, _ = io.Copy(in, out); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestAgedConnectionsSpreadOverReplicas calls three replicas through an L4
// balancer with one gRPC client, whose HTTP/2 connection would stick to
// one replica: with ageing, its calls reach every replica.
func TestAgedConnectionsSpreadOverReplicas(t *testing.T) {
	t.Parallel()
	for _, aged := range []bool{false, true} {
		t.Run(fmt.Sprintf("aged=%v", aged), func(t *testing.T) {
			t.Parallel()
			var age server.ConnAge
			if aged {
				age = server.ConnAge{Max: 200 * time.Millisecond, Grace: time.Second}
			}
			// Each replica has its own sandbox, seeded alike; one caller key
			// maps to the super admin's token on every one.
			key := auth.GenerateKey()
			callers := func(sb *sandbox.Sandbox) *auth.Store {
				registry, err := auth.NewRegistry(nil, &auth.Caller{
					Name: "dashboard", Token: upstream.NewToken(sb.Token(sandbox.RoleSuperAdmin)), KeyHashes: []auth.KeyHash{auth.HashKey(key)},
				})
				if err != nil {
					t.Fatal(err)
				}
				return auth.NewStore(registry)
			}
			var replicas []*facadetest.Stack
			var backends []string
			for range 3 {
				st := facadetest.Start(t, facadetest.Options{ConnAge: age, Callers: callers})
				u, err := url.Parse(st.URL)
				if err != nil {
					t.Fatal(err)
				}
				replicas = append(replicas, st)
				backends = append(backends, u.Host)
			}
			client := betterworksv1connect.NewGoalServiceClient(replicas[0].HTTPClient, roundRobin(t, backends),
				facadetest.ClientOptions(facadetest.GRPC, key)...)
			goalID := fmt.Sprint(replicas[0].Sandbox.Fixtures().UserGoalID)
			ctx := t.Context()
			for range 40 {
				if _, err := client.GetGoal(ctx, &betterworksv1.GetGoalRequest{GoalId: goalID}); err != nil {
					t.Fatalf("GetGoal() error = %v", err)
				}
				time.Sleep(25 * time.Millisecond)
			}
			reached := 0
			var counts []int
			for _, st := range replicas {
				n := st.Sandbox.Count("GET /goals/{id}/")
				counts = append(counts, n)
				if n > 0 {
					reached++
				}
			}
			switch {
			case aged && reached < 3:
				t.Errorf("with ageing, calls reached %d of 3 replicas (%v), want all", reached, counts)
			case !aged && reached != 1:
				t.Errorf("without ageing, calls reached %d of 3 replicas (%v); the test needs a client that sticks to one", reached, counts)
			}
			t.Logf("calls per replica: %v", counts)
		})
	}
}

// TestAgedConnectionEndsLongCallsAfterItsGrace holds a following sync on a
// connection past its age and grace: the stream ends, Canceled, so that
// the connection closes and the client opens another.
func TestAgedConnectionEndsLongCallsAfterItsGrace(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{ConnAge: server.ConnAge{Max: 200 * time.Millisecond, Grace: 300 * time.Millisecond}})
	client := st.Goals(facadetest.GRPC, sandbox.RoleSuperAdmin)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	start := time.Now()
	stream, err := client.SyncGoals(ctx, &betterworksv1.SyncGoalsRequest{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	for stream.Receive() {
	}
	if code := connect.CodeOf(stream.Err()); code != connect.CodeCanceled {
		t.Errorf("following SyncGoals ended with %v, want Canceled after the connection's grace", stream.Err())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the stream lasted %v, want it ended about the connection's age and grace", took)
	}
}
