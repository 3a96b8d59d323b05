package service

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/upstream"
)

// connectError turns an upstream outcome into a Connect error, following
// the error table of DESIGN.md, with the ErrorInfo of every error that
// comes from the upstream client. It reads the client's own classification
// (upstream.Classify), and is the only code that knows both HTTP statuses
// and Connect codes. A token the upstream rejects is also logged as an
// alert: only an operator can fix it.
func connectError(ctx context.Context, logger *slog.Logger, err error) *connect.Error {
	switch {
	// Report files: refusals of the link, or of what its host sent.
	case errors.Is(err, upstream.ErrFileHostNotAllowed):
		return withInfo(connect.CodeFailedPrecondition, err, "REPORT_HOST_NOT_ALLOWED")
	case errors.Is(err, upstream.ErrFileRedirect):
		return withInfo(connect.CodeFailedPrecondition, err, "REPORT_REDIRECT_REFUSED")
	case errors.Is(err, upstream.ErrFileTooLarge):
		return withInfo(connect.CodeFailedPrecondition, err, "REPORT_FILE_TOO_LARGE")
	case errors.Is(err, upstream.ErrFileSizeMismatch):
		return withInfo(connect.CodeUnavailable, err, "REPORT_FILE_TRUNCATED")
	}
	switch outcome := upstream.Classify(err); {
	case outcome.Refused():
		var refused *upstream.RefusedError
		errors.As(err, &refused)
		return refusedError(outcome, refused)
	case outcome == upstream.OutcomeCanceled:
		return withInfo(connect.CodeCanceled, err, "CANCELED")
	case outcome == upstream.OutcomeMalformed:
		return withInfo(connect.CodeInternal, err, "UPSTREAM_MALFORMED_RESPONSE")
	case outcome == upstream.OutcomeInvalid && errors.Is(err, upstream.ErrNoToken):
		return withInfo(connect.CodeUnauthenticated, err, "NO_UPSTREAM_TOKEN")
	case outcome == upstream.OutcomeInvalid:
		return withInfo(connect.CodeInvalidArgument, err, "INVALID_UPSTREAM_REQUEST")
	case outcome == upstream.OutcomeLost && errors.Is(err, context.DeadlineExceeded):
		// The caller's deadline passed: by its context, or by the clock
		// when a shared request's timer, set to the same instant, fired
		// first.
		if deadline, ok := ctx.Deadline(); ctx.Err() != nil || ok && !time.Now().Before(deadline) {
			return withInfo(connect.CodeDeadlineExceeded, err, "DEADLINE_EXCEEDED")
		}
		// The upstream timed out within our caller's deadline.
		return withInfo(connect.CodeUnavailable, err, "UPSTREAM_TIMEOUT")
	}
	var statusErr *upstream.StatusError
	if !errors.As(err, &statusErr) { // connection refused or reset, DNS, TLS
		return withInfo(connect.CodeUnavailable, err, "UPSTREAM_UNAVAILABLE")
	}
	code, reason := classifyStatus(statusErr.StatusCode)
	cerr := rpcerr.New(code, errors.New(statusMessage(statusErr)), reason, map[string]string{
		"upstream_endpoint":   statusErr.Endpoint,
		"upstream_status":     strconv.Itoa(statusErr.StatusCode),
		"upstream_request_id": statusErr.RequestID,
	})
	if len(statusErr.FieldErrors) > 0 {
		rpcerr.Add(cerr, fieldViolations(statusErr.FieldErrors))
	}
	rpcerr.RetryAfter(cerr, statusErr.RetryAfter)
	if statusErr.StatusCode == 401 { // see classifyStatus
		caller := "unknown"
		if c, ok := auth.CallerFrom(ctx); ok {
			caller = c.Name
		}
		logger.LogAttrs(ctx, slog.LevelError, "upstream rejected the caller's Betterworks token; an operator must replace it",
			slog.String("alert", "UPSTREAM_TOKEN_REJECTED"),
			slog.String("caller", caller),
			slog.String("endpoint", statusErr.Endpoint))
	}
	return cerr
}

// refusedError maps a call the upstream client refused without sending:
// the breaker is open or too many requests are in flight (UNAVAILABLE), or
// the token's turn comes after the caller's deadline (RESOURCE_EXHAUSTED).
// Each says when to come back where the client knows.
func refusedError(outcome upstream.Outcome, e *upstream.RefusedError) *connect.Error {
	code, reason := connect.CodeUnavailable, "UPSTREAM_CIRCUIT_OPEN"
	switch outcome {
	case upstream.OutcomeTokenRateLimited:
		code, reason = connect.CodeResourceExhausted, "UPSTREAM_TOKEN_RATE_LIMITED"
	case upstream.OutcomeOverloaded:
		reason = "UPSTREAM_OVERLOADED"
	}
	cerr := rpcerr.New(code, e, reason, map[string]string{"upstream_endpoint": e.Endpoint})
	return rpcerr.RetryAfter(cerr, e.RetryAfter)
}

// upstreamNotFound reports whether err is the upstream's answer that what
// was asked for does not exist.
func upstreamNotFound(err error) bool {
	var se *upstream.StatusError
	if !errors.As(err, &se) {
		return false
	}
	code, _ := classifyStatus(se.StatusCode)
	return code == connect.CodeNotFound
}

// classifyStatus maps an upstream HTTP status to a Connect code and an
// ErrorInfo reason. Literals, so it reads like the table in DESIGN.md.
func classifyStatus(status int) (connect.Code, string) {
	switch status {
	case 400, 422:
		return connect.CodeInvalidArgument, "UPSTREAM_INVALID_ARGUMENT"
	case 401: // our caller is authenticated; its upstream token is not
		return connect.CodeFailedPrecondition, "UPSTREAM_TOKEN_REJECTED"
	case 403:
		return connect.CodePermissionDenied, "UPSTREAM_PERMISSION_DENIED"
	case 404:
		return connect.CodeNotFound, "UPSTREAM_NOT_FOUND"
	case 409:
		return connect.CodeAborted, "UPSTREAM_CONFLICT"
	case 429:
		return connect.CodeResourceExhausted, "UPSTREAM_RATE_LIMITED"
	case 500:
		return connect.CodeInternal, "UPSTREAM_INTERNAL"
	case 501:
		return connect.CodeUnimplemented, "UPSTREAM_UNIMPLEMENTED"
	case 502, 503, 504:
		return connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE"
	}
	switch {
	case status >= 300 && status < 400: // redirects are refused
		return connect.CodeInternal, "UPSTREAM_REDIRECT"
	case status >= 400 && status < 500:
		return connect.CodeFailedPrecondition, "UPSTREAM_REJECTED"
	default:
		return connect.CodeUnavailable, "UPSTREAM_UNAVAILABLE"
	}
}

// statusMessage is what the caller reads: the upstream's own words where it
// gave some, without the status line, which ErrorInfo carries.
func statusMessage(e *upstream.StatusError) string {
	if e.Message == "" {
		return "betterworks answered " + strconv.Itoa(e.StatusCode)
	}
	return "betterworks: " + e.Message
}

func withInfo(code connect.Code, err error, reason string) *connect.Error {
	return rpcerr.New(code, err, reason, nil)
}

// fieldViolations turns the upstream's per-field messages into a
// BadRequest detail. Field names are the upstream's.
func fieldViolations(fields map[string][]string) *errdetails.BadRequest {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	br := &errdetails.BadRequest{}
	for _, name := range names {
		for _, msg := range fields[name] {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
				Field:       name,
				Description: msg,
			})
		}
	}
	return br
}
