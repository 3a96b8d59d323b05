package upstream

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// This file tests the request path every client method shares (client.go,
// errors.go, token.go, page.go, time.go, query.go, date.go) against real
// HTTP servers.

func TestParseUSDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		want     string
		wantJSON string
	}{
		{in: "2022-08-01", want: "08/01/2022", wantJSON: `"08/01/2022"`},
		{in: "2022-12-31", want: "12/31/2022", wantJSON: `"12/31/2022"`},
		{in: "2024-02-29", want: "02/29/2024", wantJSON: `"02/29/2024"`},
		{in: "0999-01-05", want: "01/05/0999", wantJSON: `"01/05/0999"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseUSDate(tt.in)
			if err != nil {
				t.Fatalf("ParseUSDate(%q) error = %v", tt.in, err)
			}
			got, err := json.Marshal(d)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if d.String() != tt.want || string(got) != tt.wantJSON {
				t.Errorf("ParseUSDate(%q) = %s (JSON %s), want %s (JSON %s)", tt.in, d, got, tt.want, tt.wantJSON)
			}
		})
	}
}

func TestParseUSDateRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "2023-02-29", "2022-13-01", "2022-00-10", "2022-04-31", "08/01/2022", "2022-8-1", "2022-08-01T00:00:00Z", " 2022-08-01"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseUSDate(in)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
				t.Errorf("ParseUSDate(%q) error = %v, want an error naming the input", in, err)
			}
		})
	}
}
