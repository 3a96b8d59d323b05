package service_test

import (
	"fmt"
	"testing"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
)

// The benchmarks run the whole stack: generated client, facade server,
// upstream client and sandbox over loopback HTTP. Allocations include both
// servers and the client, all in this process.

func BenchmarkGetGoal(b *testing.B) {
	for _, p := range facadetest.Protocols {
		b.Run(string(p), func(b *testing.B) {
			st := facadetest.Start(b, facadetest.Options{})
			client := st.Goals(p, sandbox.RoleSuperAdmin)
			first, err := client.ListGoals(b.Context(), &betterworksv1.ListGoalsRequest{PageSize: 1})
			if err != nil || len(first.GetGoals()) != 1 {
				b.Fatalf("ListGoals() = %v, error %v", first, err)
			}
			req := &betterworksv1.GetGoalRequest{GoalId: fmt.Sprint(first.GetGoals()[0].GetId())}
			if _, err := client.GetGoal(b.Context(), req); err != nil {
				b.Fatalf("GetGoal() error = %v", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.GetGoal(b.Context(), req); err != nil {
					b.Fatalf("GetGoal() error = %v", err)
				}
			}
		})
	}
}

func BenchmarkListGoals(b *testing.B) {
	for _, size := range []int32{20, 100} {
		b.Run(fmt.Sprintf("page_size=%d", size), func(b *testing.B) {
			st := facadetest.Start(b, facadetest.Options{})
			client := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin)
			req := &betterworksv1.ListGoalsRequest{PageSize: size}
			resp, err := client.ListGoals(b.Context(), req)
			if err != nil || len(resp.GetGoals()) != int(size) {
				b.Fatalf("ListGoals() = %d goals, error %v; want %d", len(resp.GetGoals()), err, size)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.ListGoals(b.Context(), req); err != nil {
					b.Fatalf("ListGoals() error = %v", err)
				}
			}
		})
	}
}
