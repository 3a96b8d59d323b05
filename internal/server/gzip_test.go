package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	kgzip "github.com/klauspost/compress/gzip"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
)

// BenchmarkGzipLevels compresses a page of 100 goals, as the facade
// answers ListGoals, with the standard library's gzip and klauspost's
// (which the facade uses), at the default and fastest levels; the
// reported ratio is compressed size over raw size.
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
	type writer interface {
		io.WriteCloser
		Reset(io.Writer)
	}
	impls := []struct {
		name string
		new  func(level int) writer
	}{
		{"stdlib", func(level int) writer { w, _ := gzip.NewWriterLevel(io.Discard, level); return w }},
		{"klauspost", func(level int) writer { w, _ := kgzip.NewWriterLevel(io.Discard, level); return w }},
	}
	for _, impl := range impls {
		for _, level := range []int{gzip.DefaultCompression, gzip.BestSpeed} {
			b.Run(fmt.Sprintf("%s/level=%d", impl.name, level), func(b *testing.B) {
				var out bytes.Buffer
				w := impl.new(level)
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
}

// gzipBomb returns a body of at most size bytes that inflates to about
// a thousand times as much: gzip members of a mebibyte of zeros, one after
// another, as gzip readers accept them.
func gzipBomb(tb testing.TB, size int) []byte {
	tb.Helper()
	var member bytes.Buffer
	w, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if _, err := w.Write(make([]byte, 1<<20)); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), size/member.Len())
}

// bombCompressor "compresses" every message into the same gzip bomb, so
// that a generated client sends the bomb, correctly framed, over any
// protocol.
type bombCompressor struct {
	bomb []byte
	w    io.Writer
}

func (c *bombCompressor) Write(p []byte) (int, error) { return len(p), nil }
func (c *bombCompressor) Close() error {
	_, err := c.w.Write(c.bomb)
	return err
}
func (c *bombCompressor) Reset(w io.Writer) { c.w = w }

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestGzipBombStopsAtTheMessageLimit sends a 1 MiB gzip body that
// inflates to 1 GiB, over every protocol, to a method bounded at 1 MiB and
// to a bulk one bounded at 4 MiB. The facade must stop inflating at the
// limit: the refusal says so, and costs little CPU. Not parallel: it
// reads the process's CPU time.
func TestGzipBombStopsAtTheMessageLimit(t *testing.T) {
	st := facadetest.Start(t, facadetest.Options{})
	bomb := gzipBomb(t, server.MaxRequestBytes)
	tests := []struct {
		name  string
		limit int
		call  func(context.Context, []connect.ClientOption) error
	}{
		{"GetGoal", server.MaxRequestBytes, func(ctx context.Context, opts []connect.ClientOption) error {
			_, err := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, opts...).
				GetGoal(ctx, &betterworksv1.GetGoalRequest{GoalId: "1"})
			return err
		}},
		{"UpsertUsers", server.MaxBulkRequestBytes, func(ctx context.Context, opts []connect.ClientOption) error {
			_, err := betterworksv1connect.NewPeopleServiceClient(st.HTTPClient, st.URL, opts...).
				UpsertUsers(ctx, &betterworksv1.UpsertUsersRequest{DryRun: true})
			return err
		}},
	}
	const rounds = 3
	var spent time.Duration
	bombs := 0
	for _, tt := range tests {
		for _, p := range facadetest.Protocols {
			t.Run(tt.name+"/"+string(p), func(t *testing.T) {
				opts := append(facadetest.ClientOptions(p, st.Key(sandbox.RoleSuperAdmin)),
					connect.WithAcceptCompression("gzip",
						func() connect.Decompressor { return new(gzip.Reader) },
						func() connect.Compressor { return &bombCompressor{bomb: bomb} }),
					connect.WithSendCompression("gzip"))
				wantMessage := fmt.Sprintf("larger than configured max %d", tt.limit)
				for range rounds {
					start := cpuTime(t)
					err := tt.call(t.Context(), opts)
					spent += cpuTime(t) - start
					bombs++

					if connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), wantMessage) {
						t.Fatalf("%s() error = %v, want resource_exhausted saying %q", tt.name, err, wantMessage)
					}
					if !strings.Contains(err.Error(), server.ErrInflateLimit.Error()) {
						t.Fatalf("%s() error = %v, want inflation stopped at the limit (%v)", tt.name, err, server.ErrInflateLimit)
					}
				}
			})
		}
	}
	perBomb := spent / time.Duration(max(bombs, 1))
	t.Logf("CPU per bomb, client and server: %v (%d bombs of %d bytes)", perBomb, bombs, len(bomb))
	// Inflating the whole gigabyte costs about 200 ms; stopping at the
	// limit, about 5 ms, most of it moving the mebibyte sent. The bound is
	// generous for a busy machine; the race detector's twentyfold slowdown
	// is beyond it, and the refusals' words show the stop there.
	if perBomb > 50*time.Millisecond && !raceEnabled {
		t.Errorf("CPU per bomb = %v, want well under the 200 ms a full inflation costs", perBomb)
	}
}

// TestProbesTakeSmallMessagesOnly sends health and reflection, open
// without a key, messages over their 4 KiB bound: as sent, and as a small
// gzip body inflating far past it. Each is refused at the bound.
func TestProbesTakeSmallMessagesOnly(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	wantMessage := fmt.Sprintf("larger than configured max %d", server.MaxProbeRequestBytes)
	large := make([]byte, 64<<10)
	check := func(t *testing.T, body []byte, encoding string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, st.URL+"/grpc.health.v1.Health/Check", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/proto")
		if encoding != "" {
			req.Header.Set("Content-Encoding", encoding)
		}
		resp, err := st.HTTPClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(got), wantMessage) {
			t.Errorf("Check = %s %s, want 429 (resource_exhausted) saying %q", resp.Status, got, wantMessage)
		}
	}
	t.Run("health_check", func(t *testing.T) { check(t, large, "") })
	t.Run("health_check_gzip_bomb", func(t *testing.T) { check(t, gzipBomb(t, 64<<10), "gzip") })
	t.Run("reflection", func(t *testing.T) {
		// A bytes field 1 is a reflection request's host on the wire.
		protocols := new(http.Protocols)
		protocols.SetUnencryptedHTTP2(true)
		h2c := &http.Client{Transport: &http.Transport{Protocols: protocols}}
		client := connect.NewClient[wrapperspb.BytesValue, wrapperspb.BytesValue](h2c,
			st.URL+"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", connect.WithGRPC())
		stream := client.CallBidiStream(t.Context())
		defer stream.CloseResponse()
		if err := stream.Send(wrapperspb.Bytes(large)); err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("Send() error = %v", err)
		}
		_ = stream.CloseRequest()
		_, err := stream.Receive()
		if connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), wantMessage) {
			t.Errorf("Receive() error = %v, want resource_exhausted saying %q", err, wantMessage)
		}
	})
}
