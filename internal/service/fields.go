package service

import (
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/upstream"
)

// dateFields parses the YYYY-MM-DD dates of one request into the upstream's
// write form, collecting a field violation for each date that does not
// exist (the contract's pattern admits 2023-02-31).
type dateFields struct {
	violations []*errdetails.BadRequest_FieldViolation
}

func (d *dateFields) parse(field, iso string) upstream.USDate {
	date, err := upstream.ParseUSDate(iso)
	if err != nil {
		d.violations = append(d.violations, &errdetails.BadRequest_FieldViolation{Field: field, Description: err.Error()})
	}
	return date
}

func (d *dateFields) parseOptional(field, iso string) *upstream.USDate {
	if iso == "" {
		return nil
	}
	date := d.parse(field, iso)
	return &date
}

func (d *dateFields) parsePtr(field string, iso *string) *upstream.USDate {
	if iso == nil {
		return nil
	}
	date := d.parse(field, *iso)
	return &date
}

// err returns INVALID_ARGUMENT with every violation, or nil.
func (d *dateFields) err() error {
	if len(d.violations) == 0 {
		return nil
	}
	cerr := connect.NewError(connect.CodeInvalidArgument, errors.New(d.violations[0].GetField()+": "+d.violations[0].GetDescription()))
	addDetail(cerr, &errdetails.BadRequest{FieldViolations: d.violations})
	return cerr
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
