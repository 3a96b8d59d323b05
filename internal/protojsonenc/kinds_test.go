package protojsonenc_test

import (
	"embed"
	"io"
	"testing"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/jsonenumvalueoptionspb"

	"github.com/bwfacade/facade/internal/protojsonenc"
)

//go:embed testdata/*.proto
var testProtos embed.FS

// compileTestProtos compiles testdata/kinds.proto and legacy.proto into
// file descriptors, the well-known types and the JSON enum value option
// resolved to the ones linked into this binary.
func compileTestProtos(t *testing.T) *protoregistry.Files {
	t.Helper()
	optionFile := jsonenumvalueoptionspb.File_google_protobuf_json_enumvalue_options_proto
	compiler := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(protocompile.CompositeResolver{
			&protocompile.SourceResolver{Accessor: func(path string) (io.ReadCloser, error) {
				return testProtos.Open("testdata/" + path)
			}},
			protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
				if path == optionFile.Path() {
					return protocompile.SearchResult{Desc: optionFile}, nil
				}
				return protocompile.SearchResult{}, protoregistry.NotFound
			}),
		}),
	}
	compiled, err := compiler.Compile(t.Context(), "kinds.proto", "legacy.proto")
	if err != nil {
		t.Fatalf("compile test protos: %v", err)
	}
	files := new(protoregistry.Files)
	for _, f := range compiled {
		if err := files.RegisterFile(f); err != nil {
			t.Fatalf("register %s: %v", f.Path(), err)
		}
	}
	return files
}

func messageDescriptor(t *testing.T, files *protoregistry.Files, name protoreflect.FullName) protoreflect.MessageDescriptor {
	t.Helper()
	d, err := files.FindDescriptorByName(name)
	if err != nil {
		t.Fatalf("FindDescriptorByName(%s) error = %v", name, err)
	}
	return d.(protoreflect.MessageDescriptor)
}

// TestMarshalMatchesProtojsonOnEveryKind fills dynamic messages of every
// field kind and shape (testdata/kinds.proto and legacy.proto) and checks
// each against protojson.
func TestMarshalMatchesProtojsonOnEveryKind(t *testing.T) {
	t.Parallel()
	files := compileTestProtos(t)
	tests := []struct {
		name protoreflect.FullName
		own  bool // whether this package writes it, not protojson
	}{
		{"protojsonenc.test.Kinds", true},
		{"protojsonenc.test.LeftToProtojson", false},
		{"protojsonenc.legacy.Legacy", true},
		{"protojsonenc.legacy.WithRequired", true}, // a quarter of the seeds leave the required field unset: protojson's error
		{"protojsonenc.legacy.Extendable", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.name), func(t *testing.T) {
			t.Parallel()
			md := messageDescriptor(t, files, tt.name)
			for seed := range uint64(2 * seedsPerType) {
				m := dynamicpb.NewMessage(md)
				f := newFiller(seed)
				f.anyPayloads = anyPayloads
				f.maxDepth = 2 // Kinds nests itself in four fields
				f.fill(m, 0)
				got := checkMatchesProtojson(t, m, protojson.UnmarshalOptions{})
				if tt.own {
					checkOwn(t, m, got)
				}
			}
		})
	}
}

// TestMarshalLeavesExtensionsToProtojson checks a message with extensions
// set, which protojson writes by their full names.
func TestMarshalLeavesExtensionsToProtojson(t *testing.T) {
	t.Parallel()
	files := compileTestProtos(t)
	m := dynamicpb.NewMessage(messageDescriptor(t, files, "protojsonenc.legacy.Extendable"))
	m.Set(m.Descriptor().Fields().ByName("base"), protoreflect.ValueOfString("b"))
	note, err := files.FindDescriptorByName("protojsonenc.legacy.ext_note")
	if err != nil {
		t.Fatal(err)
	}
	m.Set(dynamicpb.NewExtensionType(note.(protoreflect.ExtensionDescriptor)).TypeDescriptor(), protoreflect.ValueOfString("n"))

	got := checkMatchesProtojson(t, m, protojson.UnmarshalOptions{Resolver: dynamicpb.NewTypes(files)})

	if want := `{"base":"b","[protojsonenc.legacy.ext_note]":"n"}`; string(compact(t, got)) != want {
		t.Errorf("Marshal() = %s, want %s", got, want)
	}
}

// TestMarshalWritesTestProtoForms pins the forms of kinds.proto that no
// contract message has.
func TestMarshalWritesTestProtoForms(t *testing.T) {
	t.Parallel()
	files := compileTestProtos(t)
	kinds := messageDescriptor(t, files, "protojsonenc.test.Kinds")
	legacy := messageDescriptor(t, files, "protojsonenc.legacy.Legacy")
	set := func(m *dynamicpb.Message, name protoreflect.Name, v protoreflect.Value) *dynamicpb.Message {
		m.Set(m.Descriptor().Fields().ByName(name), v)
		return m
	}
	// mapOf sets the map field name to the entries of keysAndValues, a
	// key then its value, each a Go value of the field's kinds.
	mapOf := func(name protoreflect.Name, keysAndValues ...any) *dynamicpb.Message {
		m := dynamicpb.NewMessage(kinds)
		mp := m.Mutable(kinds.Fields().ByName(name)).Map()
		for i := 0; i < len(keysAndValues); i += 2 {
			mp.Set(protoreflect.ValueOf(keysAndValues[i]).MapKey(), protoreflect.ValueOf(keysAndValues[i+1]))
		}
		return m
	}
	str := protoreflect.ValueOfString
	tests := []struct {
		name string
		m    proto.Message
		want string
	}{
		{"custom_enum_name", set(dynamicpb.NewMessage(kinds), "f_color", protoreflect.ValueOfEnum(2)), `{"fColor":"green-ish"}`},
		{"negative_enum", set(dynamicpb.NewMessage(kinds), "f_color", protoreflect.ValueOfEnum(-3)), `{"fColor":"COLOR_BLUE"}`},
		{"null_value_field", set(dynamicpb.NewMessage(kinds), "o_null", protoreflect.ValueOfEnum(0)), `{"oNull":null}`},
		{"json_name_escaped", set(dynamicpb.NewMessage(kinds), "custom_name", str("v")), `{"x-Custom Name":"v"}`},
		{"odd_names", set(set(set(dynamicpb.NewMessage(kinds), "field_name_2", protoreflect.ValueOfInt32(1)), "_leading_underscore", protoreflect.ValueOfInt32(2)), "double__underscore", protoreflect.ValueOfInt32(3)),
			`{"fieldName2":1,"LeadingUnderscore":2,"doubleUnderscore":3}`},
		{"declaration_order", set(set(dynamicpb.NewMessage(kinds), "number_3", protoreflect.ValueOfInt32(3)), "declared_late", protoreflect.ValueOfInt32(1)),
			`{"declaredLate":1,"number3":3}`},
		{"float32", set(dynamicpb.NewMessage(kinds), "f_float", protoreflect.ValueOfFloat32(0.1)), `{"fFloat":0.1}`},
		{"float32_exponent", set(dynamicpb.NewMessage(kinds), "f_float", protoreflect.ValueOfFloat32(1e-7)), `{"fFloat":1e-7}`},
		{"uint64_quoted", set(dynamicpb.NewMessage(kinds), "f_fixed64", protoreflect.ValueOfUint64(1<<64-1)), `{"fFixed64":"18446744073709551615"}`},
		{"bool_keys", mapOf("m_bool", true, false, false, true),
			`{"mBool":{"false":true,"true":false}}`},
		{"signed_keys_numeric_order", mapOf("m_sint32", int32(10), 1.0, int32(-2), 2.0, int32(9), 3.0),
			`{"mSint32":{"-2":2,"9":3,"10":1}}`},
		{"unsigned_keys_numeric_order", mapOf("m_fixed32", uint32(1<<32-1), "max", uint32(2), "two"),
			`{"mFixed32":{"2":"two","4294967295":"max"}}`},
		{"string_keys_byte_order", mapOf("m_string", "é", "1", "z", "2", "\n", "3"),
			`{"mString":{"\n":"3","z":"2","é":"1"}}`},
		{"proto2_defaults_when_set", set(dynamicpb.NewMessage(legacy), "id", protoreflect.ValueOfInt32(0)), `{"id":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := protojsonenc.Marshal(tt.m)
			if err != nil || string(got) != tt.want {
				t.Errorf("Marshal() = %s, %v; want %s", got, err, tt.want)
			}
			checkMatchesProtojson(t, tt.m, protojson.UnmarshalOptions{})
		})
	}
}
