package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/bwfacade/facade/internal/protojsonenc"
	"github.com/bwfacade/facade/internal/rpcerr"
)

// The facade decodes requests strictly: a JSON request that names a field
// or an enum value the contract does not know is refused, not read as if
// the name were absent. A misspelled filter ({"riks": ...}) would
// otherwise widen the answer silently. Binary protobuf keeps proto3's
// rules: unknown fields and unknown enum numbers are legal on that wire
// (an older facade reading a newer client) and stay accepted.
//
// connect-go wraps a codec's error in a fresh *connect.Error, without
// details, and reads a unary request before any interceptor runs. So the
// codecs do not fail: they leave the message empty, with the refusal in an
// unknown field (refusalField), and newMalformedRequests, which every
// handler runs before validation, turns it into an INVALID_ARGUMENT with
// its ErrorInfo and BadRequest.

// refusalField is the field number under which a codec leaves a
// google.rpc.BadRequest.FieldViolation describing why it could not decode
// a request. Numbers 19000 to 19999 are reserved for the protobuf
// implementation, so no field of the contract can ever take it.
const refusalField protowire.Number = 19999

// codecs returns the handler options that register the facade's codecs
// for "proto", "json" and "json; charset=utf-8". They marshal as
// connect-go's defaults do: the JSON codec writes protojson's output,
// without its random spaces, through protojsonenc.
func codecs() connect.HandlerOption {
	return connect.WithHandlerOptions(
		connect.WithCodec(protoCodec{}),
		connect.WithCodec(jsonCodec{name: "json"}),
		connect.WithCodec(jsonCodec{name: "json; charset=utf-8"}),
	)
}

// protoCodec is connect-go's binary protobuf codec, except that a message
// it cannot parse is refused with an ErrorInfo (see refusalField).
type protoCodec struct{}

func (protoCodec) Name() string { return "proto" }

func (protoCodec) Marshal(message any) ([]byte, error) {
	return protoCodec{}.MarshalAppend(nil, message)
}

func (protoCodec) MarshalAppend(dst []byte, message any) ([]byte, error) {
	m, ok := message.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", message)
	}
	return proto.MarshalOptions{}.MarshalAppend(dst, m)
}

func (protoCodec) MarshalStable(message any) ([]byte, error) {
	m, ok := message.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", message)
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

func (protoCodec) IsBinary() bool { return true }

func (protoCodec) Unmarshal(data []byte, message any) error {
	m, ok := message.(proto.Message)
	if !ok {
		return fmt.Errorf("%T is not a protobuf message", message)
	}
	if err := proto.Unmarshal(data, m); err != nil {
		refuse(m, &errdetails.BadRequest_FieldViolation{Description: "malformed protobuf request: " + protoErrorText(err)})
	}
	return nil
}

// jsonCodec is connect-go's protobuf JSON codec, except that it refuses
// unknown field names and enum value names (connect-go's discards them),
// with an ErrorInfo naming the field (see refusalField), and that it
// writes responses with protojsonenc: protojson's JSON, compact, at a
// small fraction of protojson's allocations. Requests are read with
// protojson.
type jsonCodec struct{ name string }

func (c jsonCodec) Name() string { return c.name }

func (c jsonCodec) Marshal(message any) ([]byte, error) {
	return c.MarshalAppend(nil, message)
}

func (jsonCodec) MarshalAppend(dst []byte, message any) ([]byte, error) {
	m, ok := message.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", message)
	}
	return protojsonenc.MarshalAppend(dst, m)
}

// MarshalStable compacts the output of Marshal: it is compact already
// unless protojsonenc left the message to protojson, whose whitespace
// varies.
func (c jsonCodec) MarshalStable(message any) ([]byte, error) {
	data, err := c.Marshal(message)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, err
	}
	return compact.Bytes(), nil
}

func (jsonCodec) IsBinary() bool { return false }

func (jsonCodec) Unmarshal(data []byte, message any) error {
	m, ok := message.(proto.Message)
	if !ok {
		return fmt.Errorf("%T is not a protobuf message", message)
	}
	if len(data) == 0 {
		refuse(m, &errdetails.BadRequest_FieldViolation{Description: "malformed JSON request: empty body; send {} for an empty message"})
		return nil
	}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(data, m); err != nil {
		refuse(m, jsonViolation(err))
	}
	return nil
}

var (
	unknownField = regexp.MustCompile(`unknown field "([^"]*)"`)
	invalidValue = regexp.MustCompile(`invalid value for \w+ field (\w+): `)
)

// jsonViolation describes a protojson decoding error, naming the field
// when the error does.
func jsonViolation(err error) *errdetails.BadRequest_FieldViolation {
	text := protoErrorText(err)
	v := &errdetails.BadRequest_FieldViolation{Description: "malformed JSON request: " + text}
	if m := unknownField.FindStringSubmatch(text); m != nil {
		v.Field = m[1]
	} else if m := invalidValue.FindStringSubmatch(text); m != nil {
		v.Field = m[1]
	}
	return v
}

// protoErrorText is err's text without the "proto: " prefix, which the
// protobuf module writes with a space or a no-break space at random.
func protoErrorText(err error) string {
	text := err.Error()
	if rest, ok := strings.CutPrefix(text, "proto:"); ok {
		return strings.TrimLeft(rest, " \u00a0")
	}
	return text
}

// refuse empties m and leaves v in its unknown fields, for
// newMalformedRequests.
func refuse(m proto.Message, v *errdetails.BadRequest_FieldViolation) {
	proto.Reset(m)
	b, _ := proto.Marshal(v) // a message of two strings always marshals
	raw := protowire.AppendTag(nil, refusalField, protowire.BytesType)
	raw = protowire.AppendBytes(raw, b)
	m.ProtoReflect().SetUnknown(raw)
}

// refusal returns the violation a codec left in m, if any.
func refusal(m proto.Message) (*errdetails.BadRequest_FieldViolation, bool) {
	raw := m.ProtoReflect().GetUnknown()
	for len(raw) > 0 {
		num, typ, n := protowire.ConsumeTag(raw)
		if n < 0 {
			return nil, false
		}
		raw = raw[n:]
		if num == refusalField && typ == protowire.BytesType {
			b, n := protowire.ConsumeBytes(raw)
			if n < 0 {
				return nil, false
			}
			v := new(errdetails.BadRequest_FieldViolation)
			if err := proto.Unmarshal(b, v); err != nil {
				return nil, false
			}
			return v, true
		}
		n = protowire.ConsumeFieldValue(num, typ, raw)
		if n < 0 {
			return nil, false
		}
		raw = raw[n:]
	}
	return nil, false
}

// newMalformedRequests returns an interceptor that refuses a request its
// codec could not decode with INVALID_ARGUMENT, an ErrorInfo of reason
// REQUEST_MALFORMED (metadata "field" when the field is known) and, when
// the field is known, a google.rpc.BadRequest naming it.
func newMalformedRequests() connect.Interceptor {
	return interceptor{
		unary: func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				if err := malformed(req.Any()); err != nil {
					return nil, err
				}
				return next(ctx, req)
			}
		},
		// A stream's messages are read inside the handler: each is
		// checked as it is received.
		stream: func(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
			return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
				return next(ctx, checkedConn{conn})
			}
		},
	}
}

// checkedConn refuses a received message its codec could not decode.
type checkedConn struct{ connect.StreamingHandlerConn }

func (c checkedConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	return malformed(msg)
}

// malformed returns the refusal a codec left in msg, or nil.
func malformed(msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil
	}
	v, refused := refusal(m)
	if !refused {
		return invalidTimestamps(m)
	}
	cerr := rpcerr.New(connect.CodeInvalidArgument, errors.New(v.GetDescription()),
		rpcerr.ReasonRequestMalformed, map[string]string{"field": v.GetField()})
	if v.GetField() != "" {
		rpcerr.Add(cerr, &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{v}})
	}
	return cerr
}
