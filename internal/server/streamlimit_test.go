package server_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
)

// TestStreamsPerCallerAreBounded: a caller with as many streams open as
// it may is refused one more, RESOURCE_EXHAUSTED TOO_MANY_STREAMS, while
// another caller still opens its own; once one of the first caller's
// streams ends, it may open another.
func TestStreamsPerCallerAreBounded(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{MaxStreamsPerCaller: 2})
	follow := func(ctx context.Context, role sandbox.Role) error {
		stream, err := st.Goals(facadetest.GRPC, role).SyncGoals(ctx, &betterworksv1.SyncGoalsRequest{Follow: true})
		if err != nil {
			return err
		}
		if !stream.Receive() {
			return stream.Err()
		}
		return nil
	}
	first, endFirst := context.WithCancel(t.Context())
	defer endFirst()
	for _, ctx := range []context.Context{first, t.Context()} {
		if err := follow(ctx, sandbox.RoleSuperAdmin); err != nil {
			t.Fatalf("following SyncGoals within the bound: %v", err)
		}
	}

	err := follow(t.Context(), sandbox.RoleSuperAdmin)

	if connect.CodeOf(err) != connect.CodeResourceExhausted || rpcerr.Reason(err) != server.ReasonTooManyStreams {
		t.Fatalf("a third stream: error = %v, want RESOURCE_EXHAUSTED %s", err, server.ReasonTooManyStreams)
	}
	if err := follow(t.Context(), sandbox.RoleUser); err != nil {
		t.Errorf("another caller's stream: %v, want it open", err)
	}
	endFirst()
	// The stream's end reaches the server a moment later.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := follow(t.Context(), sandbox.RoleSuperAdmin)
		if err == nil {
			break
		}
		if rpcerr.Reason(err) != server.ReasonTooManyStreams || time.Now().After(deadline) {
			t.Fatalf("a stream once one ended: %v, want it open", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
