package protojsonenc_test

import (
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// FuzzMarshal reads the input as the binary encoding of a contract
// message (the first byte picks the type) and checks Marshal against
// protojson on whatever that decodes to. Without -fuzz it runs the seeds:
// filled messages of every contract type.
func FuzzMarshal(f *testing.F) {
	types := contractTypes(f)
	for i, mt := range types {
		for seed := range uint64(3) {
			m := mt.New()
			newFiller(seed).fill(m, 0)
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m.Interface())
			if err != nil {
				f.Fatalf("proto.Marshal(%v) error = %v", m, err)
			}
			f.Add(append([]byte{byte(i)}, b...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		m := types[int(data[0])%len(types)].New().Interface()
		// Unknown fields are dropped: JSON has no place for them.
		if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data[1:], m); err != nil {
			return // invalid UTF-8 among others: no message to encode
		}
		got, _ := checkSameAsProtojson(t, m, protojson.UnmarshalOptions{})
		checkOwn(t, m, got)
	})
}
