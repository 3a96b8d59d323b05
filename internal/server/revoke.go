package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/rpcerr"
)

// streamingProcedures returns the server-streaming procedures of
// services, as resolver describes them: the calls that may outlive a
// reload of the callers.
func streamingProcedures(resolver layered, services []string) (map[string]bool, error) {
	streams := make(map[string]bool)
	for _, name := range services {
		d, err := resolver.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			return nil, fmt.Errorf("server: service %s: %w", name, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return nil, fmt.Errorf("server: %s is not a service", name)
		}
		for i := range sd.Methods().Len() {
			if md := sd.Methods().Get(i); md.IsStreamingServer() {
				streams["/"+name+"/"+string(md.Name())] = true
			}
		}
	}
	return streams, nil
}

// revocable wraps h, behind authentication, so that a stream of one of
// streams (a following sync may run for days) ends when a reload of
// callers takes its caller's right to it away: its key or caller revoked
// or removed, or the procedure no longer allowed. The stream then fails
// with the refusal a new call would get (see withRevocations).
func revocable(callers *auth.Store, streams map[string]bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		procedure := r.URL.Path
		caller, ok := auth.CallerFrom(r.Context())
		if !streams[procedure] || !ok {
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		// The credentials of the call, copied: the handler owns r.
		header := http.Header{"Authorization": append([]string(nil), r.Header.Values("Authorization")...)}
		go watchCaller(ctx, cancel, callers, caller, header, r, procedure)
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// watchCaller authenticates the call again at each reload of callers,
// until ctx ends, and cancels it with the refusal once caller may no
// longer make it. The first check comes at once: a reload may have come
// between the call's authentication and the watch.
func watchCaller(ctx context.Context, cancel context.CancelCauseFunc, callers *auth.Store, caller *auth.Caller, header http.Header, r *http.Request, procedure string) {
	for {
		swapped := callers.Swapped()
		now, err := callers.Reauthenticate(header, r.TLS, procedure)
		if err == nil && now.Name != caller.Name {
			err = rpcerr.New(connect.CodeUnauthenticated, errors.New("the caller key now names another caller"), "CALLER_KEY_UNKNOWN", nil)
		}
		if err != nil {
			var refusal *connect.Error
			if !errors.As(err, &refusal) {
				refusal = connect.NewError(connect.CodeUnauthenticated, err)
			}
			cancel(revoked{refusal})
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-swapped:
		}
	}
}

// revoked is the cause with which watchCaller ends a call: the refusal.
type revoked struct{ refusal *connect.Error }

func (r revoked) Error() string { return r.refusal.Error() }

// withRevocations returns the interceptor that makes a stream revocable
// ended fail with the refusal that ended it, not with a cancellation.
func withRevocations() connect.Interceptor { return revocations{} }

type revocations struct{}

func (revocations) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc { return next }

func (revocations) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (revocations) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		var r revoked
		if err != nil && ctx.Err() != nil && errors.As(context.Cause(ctx), &r) {
			return r.refusal
		}
		return err
	}
}
