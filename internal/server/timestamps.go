package server

import (
	"errors"
	"fmt"
	"sync"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/bwfacade/facade/internal/rpcerr"
)

// timestampName is google.protobuf.Timestamp's full name.
var timestampName = (&timestamppb.Timestamp{}).ProtoReflect().Descriptor().FullName()

// invalidTimestamps refuses a request holding a Timestamp outside its
// valid range (years 0001 to 9999, nanos within a second), with a field
// violation for each. Protovalidate checks no Timestamp's range, and
// binary protobuf carries any seconds: an instant of the year 31690708
// would reach the upstream as a filter it cannot read, or overflow on the
// way there.
func invalidTimestamps(m proto.Message) error {
	msg := m.ProtoReflect()
	if !mayHoldTimestamps(msg.Descriptor()) {
		return nil
	}
	var violations []*errdetails.BadRequest_FieldViolation
	walkTimestamps(msg, "", func(path string, ts *timestamppb.Timestamp) {
		if err := ts.CheckValid(); err != nil {
			violations = append(violations, &errdetails.BadRequest_FieldViolation{
				Field:       path,
				Description: "not a valid instant: it must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z",
				Reason:      rpcerr.ReasonInvalidRequest,
			})
		}
	})
	if len(violations) == 0 {
		return nil
	}
	first := violations[0]
	cerr := rpcerr.New(connect.CodeInvalidArgument, errors.New(first.GetField()+": "+first.GetDescription()), rpcerr.ReasonInvalidRequest, nil)
	rpcerr.Add(cerr, &errdetails.BadRequest{FieldViolations: violations})
	return cerr
}

// walkTimestamps calls f with each Timestamp set in m and its field path
// after prefix. The walk visits only populated fields, so it is as long
// as the message, which the read limit bounds.
func walkTimestamps(m protoreflect.Message, prefix string, f func(path string, ts *timestamppb.Timestamp)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
			return true
		}
		path := prefix + fd.TextName()
		visit := func(path string, msg protoreflect.Message) {
			if ts, ok := msg.Interface().(*timestamppb.Timestamp); ok {
				f(path, ts)
				return
			}
			if mayHoldTimestamps(msg.Descriptor()) {
				walkTimestamps(msg, path+".", f)
			}
		}
		switch {
		case fd.IsList():
			list := v.List()
			for i := range list.Len() {
				visit(fmt.Sprintf("%s[%d]", path, i), list.Get(i).Message())
			}
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
					visit(fmt.Sprintf("%s[%q]", path, k.String()), mv.Message())
					return true
				})
			}
		default:
			visit(path, v.Message())
		}
		return true
	})
}

// holdsTimestamps caches mayHoldTimestamps by message type.
var holdsTimestamps sync.Map // protoreflect.FullName → bool

// mayHoldTimestamps reports whether a message of type md can hold a
// Timestamp, at any depth: most requests cannot, and are not walked.
func mayHoldTimestamps(md protoreflect.MessageDescriptor) bool {
	if v, ok := holdsTimestamps.Load(md.FullName()); ok {
		return v.(bool)
	}
	v := reachesTimestamp(md, map[protoreflect.FullName]bool{})
	holdsTimestamps.Store(md.FullName(), v)
	return v
}

// reachesTimestamp reports whether md is a Timestamp or has a field whose
// message type reaches one; seen breaks recursive types.
func reachesTimestamp(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	if md.FullName() == timestampName {
		return true
	}
	if seen[md.FullName()] {
		return false
	}
	seen[md.FullName()] = true
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.IsMap() {
			fd = fd.MapValue()
		}
		if fd.Message() != nil && reachesTimestamp(fd.Message(), seen) {
			return true
		}
	}
	return false
}
