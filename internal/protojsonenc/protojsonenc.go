// Package protojsonenc writes protobuf messages in the proto3 JSON mapping
// as protojson.MarshalOptions{}.Marshal does, with a small fraction of its
// allocations.
//
// The output is protojson's with protojson's defaults: lowerCamelCase
// field names (or json_name), populated fields only, in declaration order,
// 64-bit integers as quoted decimals, enums by name (the
// (pb.enumvalue.json) name when set, the number when the number has no
// name), bytes in standard base64 with padding, floats as protojson
// formats them ("NaN", "Infinity", "-Infinity", exponents below 1e-6 and
// from 1e21), strings with only ", \ and control characters escaped (<, >,
// & and U+2028 as they are), map entries in key order, unknown fields
// dropped, and the special forms of Timestamp, Duration, the wrappers,
// Struct, Value and ListValue. It never writes the random spaces protojson
// adds to keep callers from depending on its bytes, so the same message
// always encodes to the same compact bytes.
//
// It walks messages with protoreflect, as protojson does, but writes
// straight into the caller's buffer: what it allocates is what reflection
// allocates to hand over a list or a map (once per such field), and the
// sorted keys of a map.
//
// What it does not encode itself, it hands to protojson for the whole
// message: google.protobuf.Any (its payload needs a type resolver),
// google.protobuf.FieldMask, messages that can carry extensions, and
// every message protojson refuses (invalid UTF-8, a Timestamp or Duration
// out of range, a Value with no kind or a non-finite number, missing
// required fields). Those calls cost protojson's allocations and give
// protojson's output and protojson's error, word for word.
package protojsonenc

import (
	"encoding/base64"
	"errors"
	"slices"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/jsonenumvalueoptionspb"
)

// errProtojson sends a message to protojson: it holds something this
// package leaves to protojson, or something protojson refuses.
var errProtojson = errors.New("protojsonenc: left to protojson")

// MarshalAppend appends the JSON encoding of m to b and returns the
// result. A nil m, or a nil pointer to a message, encodes as a message
// with no field set. On error, it returns what protojson returns (see the
// package doc).
func MarshalAppend(b []byte, m proto.Message) ([]byte, error) {
	if m == nil {
		return append(b, '{', '}'), nil
	}
	out, err := appendMessage(b, m.ProtoReflect())
	if err == nil && proto.CheckInitialized(m) == nil {
		return out, nil
	}
	return protojson.MarshalOptions{}.MarshalAppend(b, m)
}

// Marshal returns the JSON encoding of m, as MarshalAppend(nil, m).
func Marshal(m proto.Message) ([]byte, error) {
	return MarshalAppend(nil, m)
}

func appendMessage(b []byte, m protoreflect.Message) ([]byte, error) {
	md := m.Descriptor()
	if md.ExtensionRanges().Len() > 0 {
		return b, errProtojson // extensions and MessageSets
	}
	if name := md.FullName(); name.Parent() == "google.protobuf" {
		if encode := wellKnown(name.Name()); encode != nil {
			return encode(b, m)
		}
	}
	b = append(b, '{')
	fields := md.Fields()
	first := true
	for i := range fields.Len() {
		// Declaration order, as protojson's order.IndexNameFieldOrder;
		// Has is protojson's "populated": set for a field with presence,
		// non-zero (-0.0 included) for one without, non-empty for a list
		// or map.
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		var err error
		if b, err = appendString(b, fd.JSONName()); err != nil {
			return b, err
		}
		b = append(b, ':')
		switch {
		case fd.IsList():
			b, err = appendList(b, m.Get(fd).List(), fd)
		case fd.IsMap():
			b, err = appendMap(b, m.Get(fd).Map(), fd)
		default:
			b, err = appendSingular(b, m.Get(fd), fd)
		}
		if err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendSingular appends v, one value of fd (a singular field, or one
// element of a list or map).
func appendSingular(b []byte, v protoreflect.Value, fd protoreflect.FieldDescriptor) ([]byte, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if v.Bool() {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case protoreflect.StringKind:
		return appendString(b, v.String())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return appendInt(b, v.Int()), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return appendUint(b, v.Uint()), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		b = append(b, '"')
		b = appendInt(b, v.Int())
		return append(b, '"'), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		b = append(b, '"')
		b = appendUint(b, v.Uint())
		return append(b, '"'), nil
	case protoreflect.FloatKind:
		return appendFloat(b, v.Float(), 32), nil
	case protoreflect.DoubleKind:
		return appendFloat(b, v.Float(), 64), nil
	case protoreflect.BytesKind:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"'), nil
	case protoreflect.EnumKind:
		return appendEnum(b, v.Enum(), fd.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return appendMessage(b, v.Message())
	}
	return b, errProtojson // a kind this version does not know
}

// appendEnum appends n by its JSON name, or as a number when it has none.
// google.protobuf.NullValue is always null.
func appendEnum(b []byte, n protoreflect.EnumNumber, ed protoreflect.EnumDescriptor) ([]byte, error) {
	if ed.FullName() == "google.protobuf.NullValue" {
		return append(b, "null"...), nil
	}
	vd := ed.Values().ByNumber(n)
	if vd == nil {
		return appendInt(b, int64(n)), nil
	}
	name := string(vd.Name())
	if custom, ok := enumValueJSONName(vd); ok {
		name = custom
	}
	// A custom name is not checked for valid UTF-8 anywhere; protojson
	// writes the part before the fault and no error, so it gets this
	// message.
	b, err := appendString(b, name)
	if err != nil {
		return b, errProtojson
	}
	return b, nil
}

// enumValueJSONName returns the (pb.enumvalue.json).string option of vd,
// as protojson reads it: through reflection, so that it also works for
// options that are not generated Go types.
func enumValueJSONName(vd protoreflect.EnumValueDescriptor) (string, bool) {
	opts := vd.Options()
	if opts == nil || !opts.ProtoReflect().IsValid() {
		return "", false
	}
	v := opts.ProtoReflect().Get(jsonenumvalueoptionspb.E_Json.TypeDescriptor())
	if !v.IsValid() {
		return "", false
	}
	jm, ok := v.Interface().(protoreflect.Message)
	if !ok {
		return "", false
	}
	fd := jm.Descriptor().Fields().ByNumber(1) // string
	if fd == nil || fd.IsList() || fd.Kind() != protoreflect.StringKind || !jm.Has(fd) {
		return "", false
	}
	return jm.Get(fd).String(), true
}

func appendList(b []byte, list protoreflect.List, fd protoreflect.FieldDescriptor) ([]byte, error) {
	b = append(b, '[')
	for i := range list.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendSingular(b, list.Get(i), fd); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendMap appends the entries of mp ordered as protojson orders them:
// false before true, numbers ascending, strings by bytes.
func appendMap(b []byte, mp protoreflect.Map, fd protoreflect.FieldDescriptor) ([]byte, error) {
	keys := make([]protoreflect.MapKey, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	keyKind := fd.MapKey().Kind()
	slices.SortFunc(keys, func(x, y protoreflect.MapKey) int { return compareKeys(x, y, keyKind) })
	b = append(b, '{')
	vd := fd.MapValue()
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendMapKey(b, k, keyKind); err != nil {
			return b, err
		}
		b = append(b, ':')
		if b, err = appendSingular(b, mp.Get(k), vd); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func compareKeys(x, y protoreflect.MapKey, kind protoreflect.Kind) int {
	switch kind {
	case protoreflect.BoolKind:
		switch {
		case x.Bool() == y.Bool():
			return 0
		case y.Bool():
			return -1
		}
		return 1
	case protoreflect.StringKind:
		return compare(x.String(), y.String())
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return compare(x.Uint(), y.Uint())
	}
	return compare(x.Int(), y.Int())
}

func compare[T int64 | uint64 | string](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// appendMapKey appends k as a JSON object name: map keys are always
// strings in JSON, whatever their protobuf kind.
func appendMapKey(b []byte, k protoreflect.MapKey, kind protoreflect.Kind) ([]byte, error) {
	switch kind {
	case protoreflect.StringKind:
		return appendString(b, k.String())
	case protoreflect.BoolKind:
		if k.Bool() {
			return append(b, `"true"`...), nil
		}
		return append(b, `"false"`...), nil
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		b = append(b, '"')
		b = appendUint(b, k.Uint())
		return append(b, '"'), nil
	}
	b = append(b, '"')
	b = appendInt(b, k.Int())
	return append(b, '"'), nil
}
