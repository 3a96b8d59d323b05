package upstream

import (
	stdjson "encoding/json"
	"os"
	"path/filepath"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// BenchmarkDecode compares the decoders the client could use on the
// reference's goal bodies: encoding/json; the encoding/json/v2 prototype
// with all of encoding/json's semantics, and with its own but names
// matched without regard to case; and the client's (decodeJSON).
func BenchmarkDecode(b *testing.B) {
	for _, body := range []struct {
		name string
		file string
		into func() any
	}{
		{"goal", "get_goal.json", func() any { return new(Goal) }},
		{"goal_page", "search_goals.json", func() any { return new(Page[Goal]) }},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "goals", body.file))
		if err != nil {
			b.Fatal(err)
		}
		decoders := []struct {
			name   string
			decode func([]byte, any) error
		}{
			{"encoding_json", stdjson.Unmarshal},
			{"jsonv2_v1_options", func(d []byte, v any) error { return jsonv2.Unmarshal(d, v, jsonv1.DefaultOptionsV1()) }},
			{"jsonv2", func(d []byte, v any) error { return jsonv2.Unmarshal(d, v, jsonv2.MatchCaseInsensitiveNames(true)) }},
			{"client", decodeJSON},
		}
		for _, d := range decoders {
			b.Run(body.name+"/"+d.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if err := d.decode(data, body.into()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
