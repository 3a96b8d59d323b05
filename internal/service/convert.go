package service

import (
	"encoding/json"
	"expvar"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// unknownEnumValues counts upstream strings that no enum of the contract
// knows, by enum name. Such values map to the enum's UNSPECIFIED zero rather
// than failing the call.
var unknownEnumValues = expvar.NewMap("bwfacade_unknown_enum_values")

// UnknownEnumValues returns how many upstream strings no enum of the
// contract knew, by enum name, since the process started.
func UnknownEnumValues() map[string]int64 {
	counts := make(map[string]int64)
	unknownEnumValues.Do(func(kv expvar.KeyValue) {
		if n, ok := kv.Value.(*expvar.Int); ok {
			counts[kv.Key] = n.Value()
		}
	})
	return counts
}

// enumMapping maps the upstream's strings for one closed set to an enum.
type enumMapping[E ~int32] struct {
	name     string
	toEnum   map[string]E
	toString map[E]string
}

func newEnumMapping[E ~int32](name string, pairs map[string]E) enumMapping[E] {
	m := enumMapping[E]{name: name, toEnum: pairs, toString: make(map[E]string, len(pairs))}
	for s, e := range pairs {
		if _, dup := m.toString[e]; !dup {
			m.toString[e] = s
		}
	}
	return m
}

// enum returns the value for s; an empty s is the zero value, an unknown s
// is the zero value and is counted.
func (m enumMapping[E]) enum(s string) E {
	if s == "" {
		return 0
	}
	e, ok := m.toEnum[s]
	if !ok {
		unknownEnumValues.Add(m.name, 1)
	}
	return e
}

// upstream returns the upstream string for e, or "" for the zero value.
func (m enumMapping[E]) upstream(e E) string { return m.toString[e] }

// timestamp converts an upstream instant; the zero Time (absent, null or
// invalid upstream value) is nil.
func timestamp(t upstream.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t.Time)
}

func userRef(u *upstream.UserRef) *betterworksv1.UserRef {
	if u == nil {
		return nil
	}
	return &betterworksv1.UserRef{Id: u.ID, Uuid: u.UUID, Name: u.Name}
}

func pictureURIs(p *upstream.PictureURIs) *betterworksv1.PictureUris {
	if p == nil {
		return nil
	}
	return &betterworksv1.PictureUris{Small: p.Small, Medium: p.Medium}
}

// groupRefToProto converts an embedded group; nil (null upstream) stays
// nil.
func groupRefToProto(g *upstream.GroupRef) *betterworksv1.GroupRef {
	if g == nil {
		return nil
	}
	return &betterworksv1.GroupRef{
		Id:          g.ID,
		Uuid:        g.UUID,
		Name:        g.Name,
		ParentId:    g.ParentID,
		PictureUris: pictureURIs(g.PictureURIs),
		IsActive:    g.IsActive,
		IsTeam:      g.IsTeam,
	}
}

// convertAll converts every item with f.
func convertAll[T, P any](items []T, f func(*T) P) []P {
	if len(items) == 0 {
		return nil
	}
	out := make([]P, len(items))
	for i := range items {
		out[i] = f(&items[i])
	}
	return out
}

// jsonValue converts an upstream JSON value whose type varies (an answer
// that is text, a number or a list) to a Value that keeps that type. An
// absent or null value is nil.
func jsonValue(raw json.RawMessage) *structpb.Value {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	v := new(structpb.Value)
	if err := protojson.Unmarshal(raw, v); err != nil {
		// The upstream client decoded raw as JSON already; protojson
		// refuses only what no Value can hold.
		return nil
	}
	return v
}

// jsonStruct converts an upstream JSON object, keeping every key. An
// absent, null or non-object value is nil.
func jsonStruct(raw json.RawMessage) *structpb.Struct {
	v := jsonValue(raw)
	if v == nil {
		return nil
	}
	return v.GetStructValue()
}
