package server_test

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/logtest"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// TestRefusedCallsDoNotFloodTheLog refuses thousands of calls from four
// loopback addresses (each over several connections, so several ports)
// with two reasons, and checks that only the first lines of each
// (reason, host) are logged, that the key table bounds them when the
// addresses outnumber it, that the metric counts every refusal, and that
// after the interval one line counts those left out and refusals are
// logged again.
func TestRefusedCallsDoNotFloodTheLog(t *testing.T) {
	t.Parallel()
	const (
		peers       = 4 // 127.0.0.1 to 127.0.0.4
		callsPerKey = 250
		perKey      = 3
		interval    = time.Minute
	)
	keys := map[string]string{"CALLER_KEY_MISSING": "", "CALLER_KEY_UNKNOWN": auth.GenerateKey()}
	const total = peers * 2 * callsPerKey
	tests := []struct {
		name          string
		maxKeys       int
		wantLines     int
		wantUntracked int64
	}{
		{name: "every_key_tracked", maxKeys: 0, wantLines: peers * 2 * perKey, wantUntracked: 0},
		{name: "key_table_full", maxKeys: 3, wantLines: 3 * perKey, wantUntracked: (peers*2 - 3) * callsPerKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs logtest.Buffer
			clock := newFakeClock()
			reader := sdkmetric.NewManualReader()
			st := facadetest.Start(t, facadetest.Options{
				Logger:    slog.New(slog.NewJSONHandler(&logs, nil)),
				Refusals:  server.RefusalLog{Interval: interval, PerKey: perKey, MaxKeys: tt.maxKeys, Now: clock.Now},
				Telemetry: server.Telemetry{Telemetry: upstream.Telemetry{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))}},
			})

			var wg sync.WaitGroup
			var unexpected atomic.Int64
			for p := range peers {
				httpClient := peerClient(p + 1)
				for _, key := range keys {
					client := betterworksv1connect.NewGoalServiceClient(httpClient, st.URL, facadetest.ClientOptions(facadetest.Connect, key)...)
					for range 5 { // workers, so several connections per peer
						wg.Go(func() {
							for range callsPerKey / 5 {
								_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1"})
								if connect.CodeOf(err) != connect.CodeUnauthenticated {
									unexpected.Add(1)
								}
							}
						})
					}
				}
			}
			wg.Wait()
			if n := unexpected.Load(); n > 0 {
				t.Fatalf("%d of %d calls were not refused as unauthenticated", n, total)
			}

			lines := logLines(t, logs.String())
			if got := countMsg(lines, "refused"); got != tt.wantLines {
				t.Errorf("%d refused calls wrote %d refused lines, want %d", total, got, tt.wantLines)
			}
			if got := countMsg(lines, "refused calls not logged"); got != 0 {
				t.Errorf("%d lines counting refusals not logged within the interval, want 0", got)
			}
			want := map[string]int64{"CALLER_KEY_MISSING": total / 2, "CALLER_KEY_UNKNOWN": total / 2}
			if diff := cmp.Diff(want, refusalCounts(t, reader)); diff != "" {
				t.Errorf("bwfacade.refusals by reason mismatch (-want +got):\n%s", diff)
			}

			// After the interval: one line counts what was left out, and
			// the next refusal is logged again.
			clock.Advance(interval)
			_, err := betterworksv1connect.NewGoalServiceClient(peerClient(1), st.URL).GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1"})
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("GetGoal() without a key code = %v, want %v", connect.CodeOf(err), connect.CodeUnauthenticated)
			}
			after := logLines(t, logs.String())[len(lines):]
			wantAfter := []logLine{
				{Msg: "refused calls not logged", Suppressed: int64(total - tt.wantLines), Untracked: tt.wantUntracked},
				{Msg: "refused", Reason: "CALLER_KEY_MISSING", Host: "127.0.0.1"},
			}
			if diff := cmp.Diff(wantAfter, after); diff != "" {
				t.Errorf("lines after the interval mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestQuotaRefusalsAreSampledAndCounted checks that calls over a
// caller's quota are logged like other refusals: the first lines, with
// the caller, and every one counted.
func TestQuotaRefusalsAreSampledAndCounted(t *testing.T) {
	t.Parallel()
	var logs logtest.Buffer
	reader := sdkmetric.NewManualReader()
	st := facadetest.Start(t, facadetest.Options{
		Logger:       slog.New(slog.NewJSONHandler(&logs, nil)),
		DefaultQuota: auth.Quota{Rate: 0.001, Burst: 1},
		Refusals:     server.RefusalLog{Now: newFakeClock().Now},
		Telemetry:    server.Telemetry{Telemetry: upstream.Telemetry{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))}},
	})
	client := st.Goals(facadetest.GRPC, sandbox.RoleUser)
	const calls = 100
	refused := 0
	for range calls {
		_, err := client.GetGoal(t.Context(), &betterworksv1.GetGoalRequest{GoalId: "1"})
		if connect.CodeOf(err) == connect.CodeResourceExhausted {
			refused++
		}
	}
	if refused != calls-1 {
		t.Fatalf("%d of %d calls refused, want all but the burst of 1", refused, calls)
	}

	var got []logLine
	for _, l := range logLines(t, logs.String()) {
		if l.Msg == "refused" {
			got = append(got, l)
		}
	}
	line := logLine{Msg: "refused", Reason: "CALLER_QUOTA_EXCEEDED", Host: "127.0.0.1", Caller: sandbox.RoleUser.String()}
	if diff := cmp.Diff([]logLine{line, line, line}, got); diff != "" {
		t.Errorf("refused lines mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int64{"CALLER_QUOTA_EXCEEDED": calls - 1}, refusalCounts(t, reader)); diff != "" {
		t.Errorf("bwfacade.refusals by reason mismatch (-want +got):\n%s", diff)
	}
}

// fakeClock is a clock that moves only when told.
type fakeClock struct{ nanos atomic.Int64 }

func newFakeClock() *fakeClock {
	c := new(fakeClock)
	c.nanos.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.nanos.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.nanos.Add(int64(d)) }

// peerClient is an HTTP/1.1 client whose connections come from the
// loopback address 127.0.0.n.
func peerClient(n int) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(n))}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 8}}
}

// logLine is the part of a JSON log line these tests compare.
type logLine struct {
	Msg        string
	Reason     string
	Host       string // the peer's, without its port
	Caller     string
	Suppressed int64
	Untracked  int64
}

func logLines(t *testing.T, text string) []logLine {
	t.Helper()
	var lines []logLine
	for raw := range strings.Lines(text) {
		var l struct {
			Msg        string           `json:"msg"`
			Reason     string           `json:"reason"`
			Peer       string           `json:"peer"`
			Caller     string           `json:"caller"`
			Suppressed int64            `json:"suppressed"`
			ByReason   map[string]int64 `json:"by_reason"`
			Untracked  int64            `json:"from_untracked_peers"`
		}
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q is not JSON: %v", raw, err)
		}
		var byReason int64
		for _, n := range l.ByReason {
			byReason += n
		}
		if byReason != l.Suppressed {
			t.Errorf("log line %q: by_reason adds up to %d, want suppressed", raw, byReason)
		}
		host, _, _ := net.SplitHostPort(l.Peer)
		lines = append(lines, logLine{Msg: l.Msg, Reason: l.Reason, Host: host, Caller: l.Caller, Suppressed: l.Suppressed, Untracked: l.Untracked})
	}
	return lines
}

func countMsg(lines []logLine, msg string) int {
	n := 0
	for _, l := range lines {
		if l.Msg == msg {
			n++
		}
	}
	return n
}

// refusalCounts reads the bwfacade.refusals counter by reason.
func refusalCounts(t *testing.T, reader *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatalf("collect metrics: %v", err)
	}
	counts := make(map[string]int64)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, ok := m.Data.(metricdata.Sum[int64])
			if m.Name != "bwfacade.refusals" || !ok {
				continue
			}
			for _, dp := range sum.DataPoints {
				reason, _ := dp.Attributes.Value("bwfacade.reason")
				counts[reason.AsString()] += dp.Value
			}
		}
	}
	return counts
}
