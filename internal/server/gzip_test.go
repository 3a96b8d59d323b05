package server_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
)

// BenchmarkGzipLevels compresses a page of 100 goals, as the facade
// answers ListGoals, at gzip's default and fastest levels; the reported
// ratio is compressed size over raw size.
func BenchmarkGzipLevels(b *testing.B) {
	st := facadetest.Start(b, facadetest.Options{})
	resp, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(b.Context(), &betterworksv1.ListGoalsRequest{PageSize: 100})
	if err != nil {
		b.Fatal(err)
	}
	page, err := proto.Marshal(resp)
	if err != nil {
		b.Fatal(err)
	}
	for _, level := range []int{gzip.DefaultCompression, gzip.BestSpeed} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			var out bytes.Buffer
			w, _ := gzip.NewWriterLevel(&out, level)
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				out.Reset()
				w.Reset(&out)
				_, _ = w.Write(page)
				_ = w.Close()
			}
			b.ReportMetric(float64(out.Len())/float64(len(page)), "ratio")
		})
	}
}
