package upstream

import (
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// decodeOptions decode the upstream's bodies with the encoding/json/v2
// implementation, keeping what encoding/json tolerated that an upstream
// may send: names matched without regard to case (as strings.EqualFold,
// underscores included), duplicate names (the last wins) and invalid
// UTF-8 (replaced). The rest of encoding/json's legacy semantics concern
// encoding, or values the client's types do not have, and cost a goal
// page 14 % of its decoding (BenchmarkDecode).
var decodeOptions = jsonv2.JoinOptions(
	jsonv2.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// decodeJSON decodes an upstream body into out.
func decodeJSON(data []byte, out any) error {
	return jsonv2.Unmarshal(data, out, decodeOptions)
}

// UnmarshalJSONFrom implements encoding/json/v2's UnmarshalerFrom, so that
// a page decodes in one pass: its UnmarshalJSON, which encoding/json
// calls, makes the decoder read the whole body twice.
func (p *Page[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var raw pageJSON[T]
	if err := jsonv2.UnmarshalDecode(dec, &raw); err != nil {
		return err
	}
	p.set(&raw)
	return nil
}
