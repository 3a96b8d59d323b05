package upstream

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file tests the request path every client method shares (client.go,
// errors.go, token.go, page.go, time.go, query.go, date.go) against real
// HTTP servers.

// TestTimeDecoding decodes every timestamp shape inside a goal, through the
// request path: a bad timestamp must not fail the rest of the body.
func TestTimeDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want Time
	}{
		{name: "epoch_float", raw: `1501239228.920303`, want: goalEpoch(1501239228, 920303)},
		{name: "epoch_float_zero_fraction", raw: `1453420800.0`, want: goalEpoch(1453420800, 0)},
		{name: "epoch_integer", raw: `1453420800`, want: goalEpoch(1453420800, 0)},
		{name: "epoch_rounded_to_microseconds", raw: `1467091175.8176829`, want: goalEpoch(1467091175, 817683)},
		{name: "epoch_exponent", raw: `1.5e9`, want: goalEpoch(1500000000, 0)},
		{name: "epoch_negative", raw: `-1.5`, want: Time{Time: time.Date(1969, time.December, 31, 23, 59, 58, 500000000, time.UTC)}},
		{name: "rfc3339_z", raw: `"2021-07-19T16:02:11.394597Z"`, want: goalAt(2021, time.July, 19, 16, 2, 11, 394597)},
		{name: "rfc3339_offset", raw: `"2021-07-19T18:02:11.394597+02:00"`, want: goalAt(2021, time.July, 19, 16, 2, 11, 394597)},
		{name: "space_offset", raw: `"2022-03-10 15:37:30.756187+00:00"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 756187)},
		{name: "space_offset_whole_seconds", raw: `"2022-03-10 17:37:30+02:00"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 0)},
		{name: "space_no_offset", raw: `"2022-03-10 15:37:30.756187"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 756187)},
		{name: "t_no_offset", raw: `"2022-03-10T15:37:30"`, want: goalAt(2022, time.March, 10, 15, 37, 30, 0)},
		{name: "date", raw: `"2016-06-28"`, want: goalAt(2016, time.June, 28, 0, 0, 0, 0)},
		{name: "null", raw: `null`, want: Time{}},
		{name: "empty_string", raw: `""`, want: Time{}},
		{name: "impossible_date", raw: `"2021-26-10T21:19:18.391311Z"`, want: Time{Invalid: true}},
		{name: "words", raw: `"yesterday"`, want: Time{Invalid: true}},
		{name: "boolean", raw: `true`, want: Time{Invalid: true}},
		{name: "object", raw: `{"at": 1}`, want: Time{Invalid: true}},
		{name: "list", raw: `[1453420800]`, want: Time{Invalid: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"id": 7, "created": ` + tt.raw + `, "name": "after"}`
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", body))

			got, err := fake.client(t, Config{}).GetGoal(t.Context(), NewToken("t"), "7")

			if err != nil {
				t.Fatalf("GetGoal() error = %v", err)
			}
			want := &Goal{ID: 7, Name: "after", Created: tt.want}
			if diff := cmp.Diff(want, got, goalTimeOpt); diff != "" {
				t.Errorf("GetGoal() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTimeEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Time
		want string
	}{
		{name: "zero", in: Time{}, want: `null`},
		{name: "invalid", in: Time{Invalid: true}, want: `null`},
		{name: "utc", in: goalEpoch(1501239228, 920303), want: `"2017-07-28T10:53:48.920303Z"`},
		{
			name: "offset_to_utc",
			in:   Time{Time: time.Date(2021, time.July, 19, 18, 2, 11, 0, time.FixedZone("CEST", 2*3600))},
			want: `"2021-07-19T16:02:11Z"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal() = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestTimeDecodingAllocatesNothing decodes the shapes a goal's instants
// mostly come in without allocating: a page of goals holds hundreds.
func TestTimeDecodingAllocatesNothing(t *testing.T) {
	// Not parallel: AllocsPerRun counts the whole process's allocations.
	for _, raw := range []string{`"2021-07-19T16:02:11.394597Z"`, `"2022-03-10 15:37:30.756187+00:00"`, `1601361643.726711`, `null`} {
		b := []byte(raw)
		var got Time
		if n := testing.AllocsPerRun(100, func() { _ = got.UnmarshalJSON(b) }); n != 0 {
			t.Errorf("UnmarshalJSON(%s) allocates %v times, want 0", raw, n)
		}
	}
}
