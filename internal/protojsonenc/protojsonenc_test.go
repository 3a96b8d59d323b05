package protojsonenc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/protojsonenc"
)

// seedsPerType is how many filled messages each type gets.
const seedsPerType = 40

// contractTypes returns every message type of the contract
// (package betterworks.v1, nested messages included) and every message
// type their fields reach, the well-known types among them, sorted by
// name.
func contractTypes(t testing.TB) []protoreflect.MessageType {
	t.Helper()
	_ = betterworksv1.File_betterworks_v1_goal_service_proto // registers the package's files
	seen := map[protoreflect.FullName]bool{}
	var walk func(md protoreflect.MessageDescriptor)
	walk = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] {
			return
		}
		seen[md.FullName()] = true
		for i := range md.Messages().Len() {
			if nested := md.Messages().Get(i); !nested.IsMapEntry() {
				walk(nested)
			}
		}
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			if fd.IsMap() {
				fd = fd.MapValue()
			}
			if fd.Message() != nil {
				walk(fd.Message())
			}
		}
	}
	files := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("betterworks.v1", func(fd protoreflect.FileDescriptor) bool {
		files++
		for i := range fd.Messages().Len() {
			walk(fd.Messages().Get(i))
		}
		return true
	})
	if files < 6 {
		t.Fatalf("found %d files of betterworks.v1, want the 6 of the contract at least", files)
	}
	var types []protoreflect.MessageType
	for name := range seen {
		if name.Parent() == "google.protobuf" && !slices.Contains([]protoreflect.Name{"Timestamp", "Duration", "Struct", "Value", "ListValue"}, name.Name()) {
			t.Errorf("the contract uses %s: check that its JSON form is covered", name)
		}
		mt, err := protoregistry.GlobalTypes.FindMessageByName(name)
		if err != nil {
			t.Fatalf("FindMessageByName(%s) error = %v", name, err)
		}
		types = append(types, mt)
	}
	slices.SortFunc(types, func(a, b protoreflect.MessageType) int {
		return cmpString(string(a.Descriptor().FullName()), string(b.Descriptor().FullName()))
	})
	return types
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wellKnownTypes are the well-known types with a JSON form of their own,
// used or not by the contract: the ones this package leaves to protojson
// (Any, FieldMask) must come out the same too.
var wellKnownTypes = []proto.Message{
	&timestamppb.Timestamp{}, &durationpb.Duration{}, &emptypb.Empty{},
	&structpb.Struct{}, &structpb.Value{}, &structpb.ListValue{},
	&wrapperspb.BoolValue{}, &wrapperspb.Int32Value{}, &wrapperspb.Int64Value{},
	&wrapperspb.UInt32Value{}, &wrapperspb.UInt64Value{}, &wrapperspb.FloatValue{},
	&wrapperspb.DoubleValue{}, &wrapperspb.StringValue{}, &wrapperspb.BytesValue{},
	&anypb.Any{}, &fieldmaskpb.FieldMask{},
}

// anyPayloads are what the filler packs in an Any: a contract message
// (the Any takes its fields) and well-known types (the Any takes their
// JSON form as "value").
var anyPayloads = []proto.Message{
	&betterworksv1.Goal{}, &betterworksv1.UserRef{}, &timestamppb.Timestamp{},
	&structpb.Value{}, &structpb.Struct{}, &wrapperspb.StringValue{}, &emptypb.Empty{},
}

// TestMarshalMatchesProtojsonOnTheContract fills every message type of
// the contract many times and checks each against protojson.
func TestMarshalMatchesProtojsonOnTheContract(t *testing.T) {
	t.Parallel()
	for _, mt := range contractTypes(t) {
		t.Run(string(mt.Descriptor().FullName()), func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(seedsPerType) {
				m := mt.New()
				newFiller(seed).fill(m, 0)
				got := checkMatchesProtojson(t, m.Interface(), protojson.UnmarshalOptions{})
				// The contract needs nothing left to protojson.
				checkOwn(t, m.Interface(), got)
			}
		})
	}
}

func TestMarshalMatchesProtojsonOnWellKnownTypes(t *testing.T) {
	t.Parallel()
	for _, wkt := range wellKnownTypes {
		name := wkt.ProtoReflect().Descriptor().Name()
		own := name != "Any" && name != "FieldMask"
		t.Run(string(name), func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(seedsPerType) {
				m := wkt.ProtoReflect().New()
				f := newFiller(seed)
				f.anyPayloads = anyPayloads
				f.fill(m, 0)
				got := checkMatchesProtojson(t, m.Interface(), protojson.UnmarshalOptions{})
				if own {
					checkOwn(t, m.Interface(), got)
				}
			}
		})
	}
}

// checkMatchesProtojson checks that Marshal(m) is protojson.Marshal(m)
// but for protojson's insignificant spaces, that it is valid JSON which
// protojson reads back as m, and that both fail alike. It returns
// Marshal's output.
func checkMatchesProtojson(t *testing.T, m proto.Message, read protojson.UnmarshalOptions) []byte {
	t.Helper()
	got, back := checkSameAsProtojson(t, m, read)
	if back != nil && !proto.Equal(m, back) { // proto.Equal, unlike cmp, holds NaN equal to NaN
		t.Fatalf("protojson.Unmarshal(Marshal()) differs from the message (-sent +read):\n%s",
			cmp.Diff(m, back, protocmp.Transform()))
	}
	return got
}

// checkSameAsProtojson is checkMatchesProtojson for messages the JSON
// mapping may not carry whole (a NullValue of another number than 0 reads
// back as 0): it checks that protojson reads Marshal's output as it reads
// its own, and returns the output and what protojson read.
func checkSameAsProtojson(t *testing.T, m proto.Message, read protojson.UnmarshalOptions) ([]byte, proto.Message) {
	t.Helper()
	got, err := protojsonenc.Marshal(m)
	want, wantErr := protojson.Marshal(m)
	if err != nil || wantErr != nil {
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("Marshal(%v) error = %v, want protojson's %v", m, err, wantErr)
		}
		return nil, nil
	}
	if !json.Valid(got) {
		t.Fatalf("Marshal(%v) = %s, not valid JSON", m, got)
	}
	if c, w := compact(t, got), compact(t, want); !bytes.Equal(c, w) {
		t.Fatalf("Marshal() =\n%s\nwant protojson's\n%s\nfor %v", c, w, m)
	}
	back := m.ProtoReflect().New().Interface()
	if err := read.Unmarshal(got, back); err != nil {
		t.Fatalf("protojson.Unmarshal(Marshal()) error = %v; JSON: %s", err, got)
	}
	viaProtojson := m.ProtoReflect().New().Interface()
	if err := read.Unmarshal(want, viaProtojson); err != nil {
		t.Fatalf("protojson.Unmarshal(protojson.Marshal()) error = %v", err)
	}
	if !proto.Equal(back, viaProtojson) {
		t.Fatalf("protojson reads Marshal()'s output and its own differently:\n%s\n%s", got, want)
	}
	return got, back
}

// checkOwn checks that this package wrote got, Marshal's output for m,
// itself (had protojson written it, the comparisons with protojson would
// prove nothing) and compact. A nil got, for a message protojson refuses,
// passes.
func checkOwn(t *testing.T, m proto.Message, got []byte) {
	t.Helper()
	if got == nil {
		return
	}
	own, err := protojsonenc.MarshalOwn(m)
	if err != nil {
		t.Fatalf("Marshal(%v) left the message to protojson", m)
	}
	if !bytes.Equal(own, got) || !isCompact(got) {
		t.Fatalf("Marshal() = %s, want its own compact %s", got, own)
	}
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("json.Compact(%s) error = %v", b, err)
	}
	return buf.Bytes()
}

func isCompact(b []byte) bool {
	var buf bytes.Buffer
	return json.Compact(&buf, b) == nil && bytes.Equal(buf.Bytes(), b)
}

// TestMarshalFailsAsProtojson sends what protojson refuses: each must
// fail with protojson's own error.
func TestMarshalFailsAsProtojson(t *testing.T) {
	t.Parallel()
	ts := func(secs int64, nanos int32) *timestamppb.Timestamp {
		return &timestamppb.Timestamp{Seconds: secs, Nanos: nanos}
	}
	tests := []struct {
		name string
		m    proto.Message
	}{
		{"invalid_utf8_string", &betterworksv1.Goal{Name: "bad \xff byte"}},
		{"invalid_utf8_truncated_rune", &betterworksv1.Goal{Description: "cut \xe2\x82"}},
		{"invalid_utf8_nested", &betterworksv1.ListGoalsResponse{Goals: []*betterworksv1.Goal{{}, {Owner: &betterworksv1.GoalOwner{User: &betterworksv1.UserRef{Name: "\xc0"}}}}}},
		{"invalid_utf8_struct_key", &structpb.Struct{Fields: map[string]*structpb.Value{"\xff": structpb.NewNullValue()}}},
		{"invalid_utf8_string_value", structpb.NewStringValue("\xfe")},
		{"invalid_utf8_wrapper", wrapperspb.String("\x80")},
		{"timestamp_before_year_1", &betterworksv1.Goal{Updated: ts(-62135596801, 0)}},
		{"timestamp_after_year_9999", &betterworksv1.Goal{Created: ts(253402300800, 0)}},
		{"timestamp_nanos_negative", &betterworksv1.Goal{Updated: ts(0, -1)}},
		{"timestamp_nanos_too_large", &betterworksv1.Goal{Updated: ts(0, 1e9)}},
		{"duration_too_long", &durationpb.Duration{Seconds: 315576000001}},
		{"duration_too_negative", &durationpb.Duration{Seconds: -315576000001}},
		{"duration_nanos_too_large", &durationpb.Duration{Nanos: 1e9}},
		{"duration_signs_differ", &durationpb.Duration{Seconds: 1, Nanos: -1}},
		{"value_without_kind", &structpb.Value{}},
		{"value_nan", structpb.NewNumberValue(math.NaN())},
		{"value_infinity", structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewNumberValue(math.Inf(-1))}})},
		{"any_unresolvable", &anypb.Any{TypeUrl: "type.googleapis.com/no.such.Message"}},
		{"any_value_without_type", &anypb.Any{Value: []byte{1}}},
		{"field_mask_irreversible", &fieldmaskpb.FieldMask{Paths: []string{"fooBar"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, wantErr := protojson.Marshal(tt.m)
			if wantErr == nil {
				t.Fatalf("protojson.Marshal(%v) error = nil; the case tests nothing", tt.m)
			}
			got, err := protojsonenc.Marshal(tt.m)
			if err == nil || err.Error() != wantErr.Error() {
				t.Errorf("Marshal(%v) = %s, error %v; want protojson's error %v", tt.m, got, err, wantErr)
			}
		})
	}
}

// TestMarshalAppendKeepsPrefix checks that MarshalAppend appends, on
// both its own path and protojson's.
func TestMarshalAppendKeepsPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    proto.Message
		want string
	}{
		{"own", &betterworksv1.UserRef{Id: 7, Name: "Ada"}, `prefix:{"id":"7","name":"Ada"}`},
		{"nil", nil, `prefix:{}`},
		{"nil_pointer", (*betterworksv1.UserRef)(nil), `prefix:{}`},
		{"nil_timestamp", (*timestamppb.Timestamp)(nil), `prefix:"1970-01-01T00:00:00Z"`},
		{"left_to_protojson", &fieldmaskpb.FieldMask{Paths: []string{"a_b"}}, `prefix:"aB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := protojsonenc.MarshalAppend([]byte("prefix:"), tt.m)
			if err != nil || string(got) != tt.want {
				t.Errorf("MarshalAppend(prefix:, %v) = %s, %v; want %s", tt.m, got, err, tt.want)
			}
			viaProtojson, err := protojson.Marshal(tt.m)
			if err != nil || "prefix:"+string(compact(t, viaProtojson)) != tt.want {
				t.Errorf("protojson.Marshal(%v) = %s, %v; the case expects %s", tt.m, viaProtojson, err, tt.want)
			}
		})
	}
}

// TestMarshalWritesProtojsonForms pins a few forms by hand, so that a
// change in protojson's output shows here and not only as a mismatch.
func TestMarshalWritesProtojsonForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    proto.Message
		want string
	}{
		{"int64_quoted_enum_named", &betterworksv1.Goal{Id: -9007199254740993, Visibility: betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC},
			`{"id":"-9007199254740993","visibility":"GOAL_VISIBILITY_PUBLIC"}`},
		{"enum_unknown_number", &betterworksv1.Goal{Visibility: 99}, `{"visibility":99}`},
		{"json_names_declaration_order", &betterworksv1.Goal{IsKeyResult: true, Id: 1, LastCheckedinBy: &betterworksv1.UserRef{}},
			`{"id":"1","isKeyResult":true,"lastCheckedinBy":{}}`},
		{"escapes", &betterworksv1.UserRef{Name: "a\"b\\c\n\x01\x1f<>&\u2028\x7f"}, `{"name":"a\"b\\c\n\u0001\u001f<>&` + "\u2028\x7f" + `"}`},
		{"optional_zero_emitted", &betterworksv1.GoalMeasurement{Target: proto.Float64(0)}, `{"target":0}`},
		{"floats", &betterworksv1.GoalMeasurement{Progress: math.Copysign(0, -1), Initial: proto.Float64(1e21), Current: proto.Float64(1e-7), Expected: proto.Float64(math.Inf(-1))},
			`{"progress":-0,"initial":1e+21,"current":1e-7,"expected":"-Infinity"}`},
		{"float_plain", &betterworksv1.GoalMeasurement{Progress: 0.000001, Target: proto.Float64(123456789012345680000)},
			`{"progress":0.000001,"target":123456789012345680000}`},
		{"timestamp_fractions", &betterworksv1.GoalStats{LastAssessed: &timestamppb.Timestamp{Seconds: 951782400, Nanos: 120000000}},
			`{"lastAssessed":"2000-02-29T00:00:00.120Z"}`},
		{"timestamp_bounds", &betterworksv1.GoalRef{ModifiedOn: &timestamppb.Timestamp{Seconds: -62135596800, Nanos: 1}},
			`{"modifiedOn":"0001-01-01T00:00:00.000000001Z"}`},
		{"duration_negative_fraction", &durationpb.Duration{Nanos: -1500000}, `"-0.001500s"`},
		{"duration_whole", &durationpb.Duration{Seconds: 3600}, `"3600s"`},
		{"struct_sorted", &structpb.Struct{Fields: map[string]*structpb.Value{"b": structpb.NewNullValue(), "a": structpb.NewBoolValue(true), "B": structpb.NewNumberValue(2.5)}},
			`{"B":2.5,"a":true,"b":null}`},
		{"wrapper_zero", wrapperspb.Int64(0), `"0"`},
		{"bytes_padded", wrapperspb.Bytes([]byte{0xfb, 0xff}), `"+/8="`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := protojsonenc.Marshal(tt.m)
			if err != nil || string(got) != tt.want {
				t.Errorf("Marshal(%v) = %s, %v; want %s", tt.m, got, err, tt.want)
			}
		})
	}
}
