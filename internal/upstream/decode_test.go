package upstream

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file tests the conversation, feedback, recognition, hashtag and
// report types against every example body of those sections of the
// reference (testdata/<section>/), and the requests their client methods
// send.

// engagementJSON compares raw JSON by meaning, so a fixture's indentation
// does not matter.
var engagementJSON = cmp.Comparer(func(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	return cmp.Equal(va, vb)
})

// engagementDecode reads testdata/name and decodes it into a T.
func engagementDecode[T any](t *testing.T, name string) T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	var got T
	if err := decodeJSON(data, &got); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return got
}

// engagementAt is an instant in UTC with microseconds.
func engagementAt(year, month, day, hour, minute, second, micro int) Time {
	return Time{Time: time.Date(year, time.Month(month), day, hour, minute, second, micro*1000, time.UTC)}
}

// engagementEpoch is an epoch instant in seconds and microseconds.
func engagementEpoch(sec, micro int64) Time {
	return Time{Time: time.Unix(sec, micro*1000).UTC()}
}

func engagementRaw(s string) json.RawMessage { return json.RawMessage(s) }

func engagementPtr[T any](v T) *T { return &v }

// TestDecodeMatchesNamesAsEncodingJSON: names match whatever their case,
// as encoding/json matched them, but not without their underscores.
func TestDecodeMatchesNamesAsEncodingJSON(t *testing.T) {
	t.Parallel()
	var g Goal
	if err := decodeJSON([]byte(`{"CREATED_BY": {"Name": "Ana"}, "IsKeyResult": true, "is_KEY_result": false, "Measurement": {"Progress": 0.5}}`), &g); err != nil {
		t.Fatal(err)
	}
	if g.CreatedBy == nil || g.CreatedBy.Name != "Ana" || g.Measurement == nil || g.Measurement.Progress != 0.5 {
		t.Errorf("decoded %+v: want created_by and measurement matched whatever their case", g)
	}
	var h Goal
	if err := decodeJSON([]byte(`{"IsKeyResult": true, "createdby": {"name": "Ana"}}`), &h); err != nil {
		t.Fatal(err)
	}
	if h.IsKeyResult || h.CreatedBy != nil {
		t.Errorf("decoded %+v: want names without their underscores unmatched", h)
	}
}
