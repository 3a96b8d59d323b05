package upstream

import (
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// decodeOptions decode the upstream's bodies with encoding/json's
// semantics (case-insensitive names, legacy UnmarshalJSON methods,
// duplicate names and invalid UTF-8 tolerated) through the encoding/json/v2
// implementation, which decodes a goal about 40 % faster
// (BenchmarkDecode).
var decodeOptions = jsonv1.DefaultOptionsV1()

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
