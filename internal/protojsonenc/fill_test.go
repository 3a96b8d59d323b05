package protojsonenc_test

import (
	"math"
	"math/rand/v2"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// filler sets the fields of messages to random values that the proto3
// JSON mapping can carry, drawn often from the values encoders get wrong.
// The same seed fills the same values.
type filler struct {
	r        *rand.Rand
	maxDepth int
	// anyPayloads are messages an Any may carry; they must be in
	// protoregistry.GlobalTypes for protojson to resolve them.
	anyPayloads []proto.Message
}

func newFiller(seed uint64) *filler {
	return &filler{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), maxDepth: 4}
}

// fill sets some fields of m (each with probability 3/4, one member of
// each oneof), nested messages down to maxDepth.
func (f *filler) fill(m protoreflect.Message, depth int) {
	md := m.Descriptor()
	if md.FullName().Parent() == "google.protobuf" && f.fillWellKnown(m, depth) {
		return
	}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			continue
		}
		if f.r.IntN(4) == 0 {
			continue
		}
		f.setField(m, fd, depth)
	}
	oneofs := md.Oneofs()
	for i := range oneofs.Len() {
		od := oneofs.Get(i)
		if od.IsSynthetic() || f.r.IntN(5) == 0 {
			continue
		}
		f.setField(m, od.Fields().Get(f.r.IntN(od.Fields().Len())), depth)
	}
}

func (f *filler) setField(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) {
	isMessage := fd.Message() != nil && !fd.IsMap()
	switch {
	case fd.IsMap():
		mp := m.Mutable(fd).Map()
		for range f.count(depth) {
			k := f.scalar(fd.MapKey()).MapKey()
			if fd.MapValue().Message() != nil {
				v := mp.NewValue()
				f.fill(v.Message(), depth+1)
				mp.Set(k, v)
			} else {
				mp.Set(k, f.scalar(fd.MapValue()))
			}
		}
	case fd.IsList():
		list := m.Mutable(fd).List()
		for range f.count(depth) {
			if isMessage {
				v := list.NewElement()
				f.fill(v.Message(), depth+1)
				list.Append(v)
			} else {
				list.Append(f.scalar(fd))
			}
		}
	case isMessage:
		if depth >= f.maxDepth {
			return
		}
		v := m.NewField(fd)
		f.fill(v.Message(), depth+1)
		m.Set(fd, v)
	default:
		m.Set(fd, f.scalar(fd))
	}
}

// count is how many entries a list or map gets: none to a few, fewer
// deeper down.
func (f *filler) count(depth int) int {
	if depth >= f.maxDepth {
		return 0
	}
	return f.r.IntN(5 - depth%5)
}

func (f *filler) scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(f.r.IntN(2) == 0)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(f.string())
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(f.bytes())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(pick(f, []int32{0, 1, -1, math.MaxInt32, math.MinInt32, int32(f.r.Uint32())}))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(pick(f, []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 53, 1<<53 + 1, int64(f.r.Uint64())}))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(pick(f, []uint32{0, 1, math.MaxUint32, f.r.Uint32()}))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(pick(f, []uint64{0, 1, math.MaxUint64, 1<<53 + 1, f.r.Uint64()}))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(pick(f, []float32{
			0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
			math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-6, 9.99999e-7, 1e21, 9.999999e20,
			0.1, 1.5, 100, -3.25e-10, math.Float32frombits(f.r.Uint32()), f.r.Float32() * 1e6,
		}))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(f.double())
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		if !fd.Enum().IsClosed() && fd.Enum().FullName() != "google.protobuf.NullValue" && f.r.IntN(6) == 0 {
			// Numbers without a name, which open enums keep. (NullValue
			// is null whatever its number.)
			return protoreflect.ValueOfEnum(pick(f, []protoreflect.EnumNumber{-1, 12345, math.MaxInt32, math.MinInt32}))
		}
		return protoreflect.ValueOfEnum(values.Get(f.r.IntN(values.Len())).Number())
	}
	panic("filler: no scalar of kind " + fd.Kind().String())
}

func (f *filler) double() float64 {
	return pick(f, []float64{
		0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1e-6, 9.999999999999999e-7,
		1e21, 9.999999999999999e20, 1e-7, 1.5e300, 0.1, 0.3, 2.5, -17, 1 << 53, 123456789.125,
		math.Float64frombits(f.r.Uint64()), f.r.Float64(), f.r.NormFloat64() * 1e9,
	})
}

// finiteDouble is a double for google.protobuf.Value, which has no
// JSON form for NaN and the infinities.
func (f *filler) finiteDouble() float64 {
	for {
		if d := f.double(); !math.IsNaN(d) && !math.IsInf(d, 0) {
			return d
		}
	}
}

// string is one of the strings encoders get wrong, or random text.
func (f *filler) string() string {
	special := []string{
		"", "goal", "Q3 revenue: +12% (was 9%)",
		"héllo wörld ✓ 日本語 🎯", "\x00\x01\x07\b\t\n\v\f\r\x1b\x1f", "\x7f",
		"\u2028\u2029", `<script>alert("x&y")</script>`, `back\slash "quoted" /slash/`,
		"\uFFFD replacement char", "\U0010FFFF", "tab\tand\nnewline",
		strings.Repeat("long text ", 50),
	}
	if f.r.IntN(3) > 0 {
		return special[f.r.IntN(len(special))]
	}
	var sb strings.Builder
	for range f.r.IntN(12) {
		switch f.r.IntN(4) {
		case 0:
			sb.WriteRune(rune(f.r.IntN(0x80))) // any ASCII, control characters included
		case 1:
			sb.WriteRune(rune(0x80 + f.r.IntN(0x780))) // two bytes
		case 2:
			r := rune(0x800 + f.r.IntN(0xF800)) // three bytes, no surrogates
			if r >= 0xD800 && r <= 0xDFFF {
				r = 'x'
			}
			sb.WriteRune(r)
		default:
			sb.WriteRune(rune(0x10000 + f.r.IntN(0x100000))) // four bytes
		}
	}
	return sb.String()
}

// bytes is empty or of a random length, so that every padding shows.
func (f *filler) bytes() []byte {
	b := make([]byte, f.r.IntN(20))
	for i := range b {
		b[i] = byte(f.r.Uint32())
	}
	return b
}

// fillWellKnown fills the well-known types whose JSON forms limit their
// values, and reports whether it did.
func (f *filler) fillWellKnown(m protoreflect.Message, depth int) bool {
	fields := m.Descriptor().Fields()
	set := func(number protoreflect.FieldNumber, v protoreflect.Value) { m.Set(fields.ByNumber(number), v) }
	switch m.Descriptor().Name() {
	case "Timestamp":
		set(1, protoreflect.ValueOfInt64(pick(f, []int64{
			-62135596800, 253402300799, 0, -1, 1700000000, 951782400, // 2000-02-29
			-62135596800 + f.r.Int64N(253402300799+62135596800+1),
		})))
		set(2, protoreflect.ValueOfInt32(f.nanos()))
	case "Duration":
		secs := pick(f, []int64{0, 1, 315576000000, 59, 3600, f.r.Int64N(315576000000 + 1)})
		nanos := f.nanos()
		if f.r.IntN(2) == 0 {
			secs, nanos = -secs, -nanos
		}
		set(1, protoreflect.ValueOfInt64(secs))
		set(2, protoreflect.ValueOfInt32(nanos))
	case "Value":
		f.fillValue(m, depth)
	case "Any":
		if len(f.anyPayloads) == 0 || f.r.IntN(4) == 0 {
			return true // an empty Any is {}
		}
		payload := proto.Clone(f.anyPayloads[f.r.IntN(len(f.anyPayloads))])
		f.fill(payload.ProtoReflect(), depth+1)
		// Deterministic, as protojson packs what it reads: Any compares
		// by its bytes, and map entries come in random order otherwise.
		a := new(anypb.Any)
		if err := anypb.MarshalFrom(a, payload, proto.MarshalOptions{Deterministic: true}); err != nil {
			panic(err)
		}
		proto.Merge(m.Interface(), a)
	case "FieldMask":
		list := m.Mutable(fields.ByNumber(1)).List()
		for range f.r.IntN(4) {
			list.Append(protoreflect.ValueOfString(pick(f, []string{"id", "display_name", "owner.user_id", "a_b.c_d"})))
		}
	default:
		return false
	}
	return true
}

// nanos is a valid nanosecond count, often with 3 or 6 trailing zeros.
func (f *filler) nanos() int32 {
	return pick(f, []int32{0, 1, 999999999, 500000000, 123000000, 123456000, f.r.Int32N(1e9)})
}

// fillValue sets one kind of a google.protobuf.Value; structs and lists
// end at maxDepth.
func (f *filler) fillValue(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	kind := f.r.IntN(6)
	if depth >= f.maxDepth {
		kind %= 4
	}
	switch kind {
	case 0:
		m.Set(fields.ByName("null_value"), protoreflect.ValueOfEnum(0))
	case 1:
		m.Set(fields.ByName("number_value"), protoreflect.ValueOfFloat64(f.finiteDouble()))
	case 2:
		m.Set(fields.ByName("string_value"), protoreflect.ValueOfString(f.string()))
	case 3:
		m.Set(fields.ByName("bool_value"), protoreflect.ValueOfBool(f.r.IntN(2) == 0))
	case 4:
		fd := fields.ByName("struct_value")
		v := m.NewField(fd)
		f.fill(v.Message(), depth+1)
		m.Set(fd, v)
	default:
		fd := fields.ByName("list_value")
		v := m.NewField(fd)
		f.fill(v.Message(), depth+1)
		m.Set(fd, v)
	}
}

func pick[T any](f *filler, values []T) T {
	return values[f.r.IntN(len(values))]
}
