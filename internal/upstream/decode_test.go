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
