package service_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"

	"github.com/bwfacade/facade/internal/facadetest"
)

// This file holds what the end-to-end tests of every service share: a
// stack per wire protocol, the table runners that check codes, readers of
// the requests the sandbox saw, and readers of the details of Connect
// errors.

// forEachProtocol runs f once per wire protocol, each with its own stack so
// the sandbox's request log belongs to that subtest alone.
func forEachProtocol(t *testing.T, f func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol)) {
	t.Helper()
	for _, p := range facadetest.Protocols {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			f(t, facadetest.Start(t, facadetest.Options{}), p)
		})
	}
}

// codeCase is one call and the code it must end with.
type codeCase struct {
	name     string
	call     func() error
	wantCode connect.Code
}

// checkCodes runs every case and checks its code.
func checkCodes(t *testing.T, cases []codeCase) {
	t.Helper()
	for _, tt := range cases {
		if got := connect.CodeOf(tt.call()); got != tt.wantCode {
			t.Errorf("%s: code = %v, want %v", tt.name, got, tt.wantCode)
		}
	}
}

// invalidCase is one call with an invalid request and the field (or rule)
// its error must name.
type invalidCase struct {
	name      string
	call      func() error
	wantField string
}

// refusedBeforeUpstream runs every case and checks that each is refused
// with INVALID_ARGUMENT naming its field, and that none of them reached the
// upstream: st's sandbox must have seen no request at all.
func refusedBeforeUpstream(t *testing.T, st *facadetest.Stack, cases []invalidCase) {
	t.Helper()
	for _, tt := range cases {
		err := tt.call()
		if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
			t.Errorf("%s: code = %v, want %v (err: %v)", tt.name, got, connect.CodeInvalidArgument, err)
		}
		if !containsText(err, tt.wantField) {
			t.Errorf("%s: error %v does not name %q", tt.name, err, tt.wantField)
		}
	}
	if n := len(st.Sandbox.Requests()); n != 0 {
		t.Errorf("sandbox saw %d requests, want 0: invalid requests must not reach the upstream", n)
	}
}

// wantUpstreamError checks that err, returned by the call that what names,
// has wantCode and an ErrorInfo detail with wantReason.
func wantUpstreamError(t *testing.T, what string, err error, wantCode connect.Code, wantReason string) {
	t.Helper()
	if got := connect.CodeOf(err); got != wantCode {
		t.Errorf("%s: code = %v, want %v (err: %v)", what, got, wantCode, err)
	}
	if got := errorInfo(err).GetReason(); got != wantReason {
		t.Errorf("%s: ErrorInfo reason = %q, want %q", what, got, wantReason)
	}
}

// lastQuery returns the query of the last request the sandbox saw at
// endpoint, or nil if it saw none.
func lastQuery(st *facadetest.Stack, endpoint string) url.Values {
	reqs := st.Sandbox.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Endpoint == endpoint {
			return reqs[i].Query
		}
	}
	return nil
}

// wantQuery checks the query of the last request at endpoint.
func wantQuery(t *testing.T, st *facadetest.Stack, endpoint string, want url.Values) {
	t.Helper()
	if got := lastQuery(st, endpoint); got.Encode() != want.Encode() {
		t.Errorf("%s query =\n%s\nwant\n%s", endpoint, got.Encode(), want.Encode())
	}
}

// jsonBody decodes the body of the last request the sandbox saw at endpoint.
func jsonBody(st *facadetest.Stack, endpoint string, out any) error {
	reqs := st.Sandbox.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Endpoint == endpoint {
			return json.Unmarshal(reqs[i].Body, out)
		}
	}
	return fmt.Errorf("sandbox saw no %s", endpoint)
}

// deltaQuery is how an instant reaches the upstream's delta filters.
func deltaQuery(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.999999Z")
}

// isISODay reports whether s is a YYYY-MM-DD day.
func isISODay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// errorDetails returns the details of err that are a T, in order; none if
// err is not a *connect.Error.
func errorDetails[T proto.Message](err error) []T {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return nil
	}
	var details []T
	for _, d := range cerr.Details() {
		if v, derr := d.Value(); derr == nil {
			if detail, ok := v.(T); ok {
				details = append(details, detail)
			}
		}
	}
	return details
}

// firstErrorDetail returns the first detail of err that is a T, or the
// zero T (nil).
func firstErrorDetail[T proto.Message](err error) T {
	var first T
	if details := errorDetails[T](err); len(details) > 0 {
		first = details[0]
	}
	return first
}

// errorInfo returns the ErrorInfo detail of err, or nil.
func errorInfo(err error) *errdetails.ErrorInfo {
	return firstErrorDetail[*errdetails.ErrorInfo](err)
}

// retryDelay returns the RetryInfo delay of err, or 0.
func retryDelay(err error) time.Duration {
	return firstErrorDetail[*errdetails.RetryInfo](err).GetRetryDelay().AsDuration()
}

// fieldViolations returns the field violations of err's BadRequest
// details, in order.
func fieldViolations(err error) []*errdetails.BadRequest_FieldViolation {
	var violations []*errdetails.BadRequest_FieldViolation
	for _, br := range errorDetails[*errdetails.BadRequest](err) {
		violations = append(violations, br.GetFieldViolations()...)
	}
	return violations
}

// containsText reports whether err's message or details mention s.
func containsText(err error, s string) bool {
	if err == nil {
		return false
	}
	for _, d := range errorDetails[proto.Message](err) {
		if strings.Contains(fmt.Sprint(d), s) {
			return true
		}
	}
	return strings.Contains(err.Error(), s)
}
