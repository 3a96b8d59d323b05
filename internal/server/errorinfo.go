package server

import (
	"context"
	"errors"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bwfacade/facade/internal/rpcerr"
)

// newErrorInfo returns an interceptor that gives every error that reaches
// a caller a google.rpc.ErrorInfo: errors the handlers and package auth
// build carry theirs; the validation interceptor's do not, and get the
// reason INVALID_REQUEST; anything else gets its code's name.
func newErrorInfo() connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			resp, err := next(ctx, req)
			var cerr *connect.Error
			if err == nil || !errors.As(err, &cerr) || rpcerr.Reason(cerr) != "" {
				return resp, err
			}
			reason := strings.ToUpper(cerr.Code().String())
			if cerr.Code() == connect.CodeInvalidArgument {
				reason = rpcerr.ReasonInvalidRequest
			}
			rpcerr.Add(cerr, &errdetails.ErrorInfo{Reason: reason, Domain: rpcerr.Domain})
			return resp, cerr
		}
	}
}
