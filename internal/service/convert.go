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
func timestamp(t upstream.Time) *timestamppb.Timestamp { return (*refBlock)(nil).timestamp(t) }

func userRef(u *upstream.UserRef) *betterworksv1.UserRef { return (*refBlock)(nil).userRef(u) }

func pictureURIs(p *upstream.PictureURIs) *betterworksv1.PictureUris {
	return (*refBlock)(nil).pictureURIs(p)
}

// groupRefToProto converts an embedded group; nil (null upstream) stays
// nil.
func groupRefToProto(g *upstream.GroupRef) *betterworksv1.GroupRef {
	return (*refBlock)(nil).groupRef(g)
}

// refBlock holds the small messages one converted value refers to (user
// and group references, pictures, timestamps) in one block, allocated with
// the value: each would otherwise be an allocation of its own. Past a
// kind's slots, and for a nil *refBlock, a message is allocated alone.
// The messages live as long as the value, which holds them. The slots fit
// most goals: a goal refers to four or five users, six to nine instants,
// and its owner's group and team, each with its pictures.
type refBlock struct {
	users    [5]betterworksv1.UserRef
	times    [8]timestamppb.Timestamp
	pictures [2]betterworksv1.PictureUris
	groups   [1]betterworksv1.GroupRef
	// n counts the slots used, by kind: users, times, pictures, groups.
	n [4]int
}

// slot returns the next free message of slots, whose count is *used, or a
// new message once they are all used.
func slot[M any](slots []M, used *int) *M {
	if *used == len(slots) {
		return new(M)
	}
	*used++
	return &slots[*used-1]
}

func (b *refBlock) timestamp(t upstream.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	if b == nil {
		return setTimestamp(new(timestamppb.Timestamp), t)
	}
	return setTimestamp(slot(b.times[:], &b.n[1]), t)
}

// setTimestamp sets ts to t as timestamppb.New does, and returns it; for
// the zero Time it returns nil.
func setTimestamp(ts *timestamppb.Timestamp, t upstream.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	ts.Seconds, ts.Nanos = t.Unix(), int32(t.Nanosecond())
	return ts
}

func (b *refBlock) userRef(u *upstream.UserRef) *betterworksv1.UserRef {
	if u == nil {
		return nil
	}
	var out *betterworksv1.UserRef
	if b == nil {
		out = new(betterworksv1.UserRef)
	} else {
		out = slot(b.users[:], &b.n[0])
	}
	out.Id, out.Uuid, out.Name = u.ID, u.UUID, u.Name
	return out
}

func (b *refBlock) pictureURIs(p *upstream.PictureURIs) *betterworksv1.PictureUris {
	if p == nil {
		return nil
	}
	var out *betterworksv1.PictureUris
	if b == nil {
		out = new(betterworksv1.PictureUris)
	} else {
		out = slot(b.pictures[:], &b.n[2])
	}
	out.Small, out.Medium = p.Small, p.Medium
	return out
}

func (b *refBlock) groupRef(g *upstream.GroupRef) *betterworksv1.GroupRef {
	if g == nil {
		return nil
	}
	var out *betterworksv1.GroupRef
	if b == nil {
		out = new(betterworksv1.GroupRef)
	} else {
		out = slot(b.groups[:], &b.n[3])
	}
	out.Id = g.ID
	out.Uuid = g.UUID
	out.Name = g.Name
	out.ParentId = g.ParentID
	out.PictureUris = b.pictureURIs(g.PictureURIs)
	out.IsActive = g.IsActive
	out.IsTeam = g.IsTeam
	return out
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

// convertInto converts every item into a message that set fills, the
// messages in block and the slice in ptrs when they have room for them,
// else in new ones: two allocations at most, where convertAll makes one
// per item and one more.
func convertInto[T, M any](items []T, block []M, ptrs []*M, set func(*M, *T)) []*M {
	if len(items) == 0 {
		return nil
	}
	block, ptrs = room(block, len(items)), room(ptrs, len(items))
	for i := range items {
		set(&block[i], &items[i])
		ptrs[i] = &block[i]
	}
	return ptrs
}

// room returns the first n elements of s, capped so that an append does
// not reach past them, or a new slice of n when s is too short.
func room[T any](s []T, n int) []T {
	if n <= len(s) {
		return s[:n:n]
	}
	return make([]T, n)
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
