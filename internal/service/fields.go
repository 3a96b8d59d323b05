package service

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/upstream"
)

// fieldParser parses the dates and integer ids of one request into the
// upstream's forms, collecting a field violation for each value that does
// not parse. The contract's patterns admit 2023-02-31 and leave ids as
// strings; this is where they are checked for real, before any upstream
// call, with every problem of the request reported at once.
type fieldParser struct {
	violations []*errdetails.BadRequest_FieldViolation
}

func (p *fieldParser) violation(field, description string) {
	p.violations = append(p.violations, &errdetails.BadRequest_FieldViolation{Field: field, Description: description})
}

// usDate parses a YYYY-MM-DD date into the goal writes' MM/DD/YYYY form.
func (p *fieldParser) usDate(field, iso string) upstream.USDate {
	date, err := upstream.ParseUSDate(iso)
	if err != nil {
		p.violation(field, err.Error())
	}
	return date
}

// optionalUSDate is usDate, or nil (not sent) for "".
func (p *fieldParser) optionalUSDate(field, iso string) *upstream.USDate {
	if iso == "" {
		return nil
	}
	return new(p.usDate(field, iso))
}

// usDatePtr is usDate, or nil (not sent) for an unset field.
func (p *fieldParser) usDatePtr(field string, iso *string) *upstream.USDate {
	if iso == nil {
		return nil
	}
	return new(p.usDate(field, *iso))
}

// isoDate checks that a YYYY-MM-DD date exists and returns it unchanged,
// for the endpoints that take that form; "" (not sent) stays "".
func (p *fieldParser) isoDate(field, iso string) string {
	if iso != "" {
		p.usDate(field, iso)
	}
	return iso
}

// id parses a positive integer id.
func (p *fieldParser) id(field, s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		p.violation(field, fmt.Sprintf("%q is not a positive integer id", s))
		return 0
	}
	return id
}

// optionalID is id, or 0 (not sent) for "".
func (p *fieldParser) optionalID(field, s string) int64 {
	if s == "" {
		return 0
	}
	return p.id(field, s)
}

// ids parses every id of a repeated field; nil for none.
func (p *fieldParser) ids(field string, ss []string) []int64 {
	if len(ss) == 0 {
		return nil
	}
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i] = p.id(fmt.Sprintf("%s[%d]", field, i), s)
	}
	return out
}

// err returns INVALID_ARGUMENT with every violation, or nil.
func (p *fieldParser) err() error {
	if len(p.violations) == 0 {
		return nil
	}
	first := p.violations[0]
	cerr := rpcerr.New(connect.CodeInvalidArgument, errors.New(first.GetField()+": "+first.GetDescription()), rpcerr.ReasonInvalidRequest, nil)
	rpcerr.Add(cerr, &errdetails.BadRequest{FieldViolations: p.violations})
	return cerr
}

// timeOrZero is t as a time.Time; nil (unset) is the zero time, which the
// upstream's filters do not send. A set t at the zero time's own instant,
// 0001-01-01T00:00:00Z, becomes the next nanosecond, which the upstream
// reads alike (it sends microseconds), so that the filter is kept rather
// than dropped.
func timeOrZero(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	at := t.AsTime()
	if at.IsZero() {
		at = at.Add(time.Nanosecond)
	}
	return at
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
