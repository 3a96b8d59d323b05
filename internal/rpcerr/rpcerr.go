// Package rpcerr builds the facade's Connect errors with their details
// (AIP-193): every error carries a google.rpc.ErrorInfo with an
// UPPER_SNAKE reason in one domain, and, where waiting helps, a RetryInfo.
// Package service maps upstream outcomes to these; packages auth and
// server use them for refusals of their own.
package rpcerr

import (
	"errors"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Domain is the ErrorInfo domain of every error of the facade.
const Domain = "betterworks.com"

// ReasonInvalidRequest is the reason of a request refused by validation,
// with its field violations.
const ReasonInvalidRequest = "INVALID_REQUEST"

// ReasonPageTokenInvalid is the reason of a page_token refused before any
// upstream call: malformed, altered, expired, or issued to another caller,
// for other filters or under a key the server no longer holds. The caller
// starts the listing again without a token.
const ReasonPageTokenInvalid = "PAGE_TOKEN_INVALID"

// ReasonRequestMalformed is the reason of a request that could not be
// decoded: not JSON or protobuf, or JSON naming a field or an enum value
// the contract does not know.
const ReasonRequestMalformed = "REQUEST_MALFORMED"

// ReasonResumeTokenInvalid is the reason of an export's resume_token
// refused before any upstream call: malformed, altered, expired, or issued
// to another caller or for another filter.
const ReasonResumeTokenInvalid = "RESUME_TOKEN_INVALID"

// ReasonWatermarkInvalid is the reason of a sync's watermark refused
// before any upstream call, for the same causes.
const ReasonWatermarkInvalid = "WATERMARK_INVALID"

// WithMetadata returns cerr with key set to value in the metadata of its
// ErrorInfo, adding an ErrorInfo of reason UNSPECIFIED when it has none.
func WithMetadata(cerr *connect.Error, key, value string) *connect.Error {
	out := connect.NewError(cerr.Code(), cerr.Unwrap())
	found := false
	for _, d := range cerr.Details() {
		if v, err := d.Value(); err == nil {
			if info, ok := v.(*errdetails.ErrorInfo); ok && !found {
				info = proto.CloneOf(info)
				if info.Metadata == nil {
					info.Metadata = make(map[string]string)
				}
				info.Metadata[key] = value
				Add(out, info)
				found = true
				continue
			}
		}
		out.AddDetail(d)
	}
	if !found {
		Add(out, &errdetails.ErrorInfo{Reason: "UNSPECIFIED", Domain: Domain, Metadata: map[string]string{key: value}})
	}
	for k, v := range cerr.Meta() {
		out.Meta()[k] = v
	}
	return out
}

// New returns a Connect error with code, err's message and an ErrorInfo of
// reason with metadata (empty values are left out).
func New(code connect.Code, err error, reason string, metadata map[string]string) *connect.Error {
	cerr := connect.NewError(code, err)
	md := make(map[string]string, len(metadata))
	for k, v := range metadata {
		if v != "" {
			md[k] = v
		}
	}
	Add(cerr, &errdetails.ErrorInfo{Reason: reason, Domain: Domain, Metadata: md})
	return cerr
}

// RetryAfter adds a RetryInfo saying when to try again; a non-positive d
// adds nothing.
func RetryAfter(cerr *connect.Error, d time.Duration) *connect.Error {
	if d > 0 {
		Add(cerr, &errdetails.RetryInfo{RetryDelay: durationpb.New(d)})
	}
	return cerr
}

// Reason returns the reason of err's ErrorInfo, or "" when err carries
// none.
func Reason(err error) string {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return ""
	}
	for _, d := range cerr.Details() {
		if v, derr := d.Value(); derr == nil {
			if info, ok := v.(*errdetails.ErrorInfo); ok {
				return info.GetReason()
			}
		}
	}
	return ""
}

// Add adds a detail message to cerr.
func Add(cerr *connect.Error, msg proto.Message) {
	if detail, err := connect.NewErrorDetail(msg); err == nil {
		cerr.AddDetail(detail)
	}
}
