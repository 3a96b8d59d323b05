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
func newErrorInfo() connect.Interceptor {
	return interceptor{
		unary: func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				resp, err := next(ctx, req)
				return resp, withErrorInfo(err)
			}
		},
		stream: func(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
			return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
				return withErrorInfo(next(ctx, conn))
			}
		},
	}
}

// withErrorInfo gives err an ErrorInfo if it has none.
func withErrorInfo(err error) error {
	if err == nil {
		return nil
	}
	var cerr *connect.Error
	if !errors.As(err, &cerr) || rpcerr.Reason(cerr) != "" {
		return err
	}
	reason := strings.ToUpper(cerr.Code().String())
	if cerr.Code() == connect.CodeInvalidArgument {
		reason = rpcerr.ReasonInvalidRequest
	}
	rpcerr.Add(cerr, &errdetails.ErrorInfo{Reason: reason, Domain: rpcerr.Domain})
	return cerr
}

// interceptor is a connect.Interceptor of handlers made of a unary and a
// streaming wrapper; a nil stream leaves streams alone.
type interceptor struct {
	unary  connect.UnaryInterceptorFunc
	stream func(connect.StreamingHandlerFunc) connect.StreamingHandlerFunc
}

func (i interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc { return i.unary(next) }

func (i interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	if i.stream == nil {
		return next
	}
	return i.stream(next)
}
