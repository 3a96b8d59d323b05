package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bwfacade/facade/internal/rpcerr"
)

// DefaultBodyReadTimeout is how long a request body of one message may take
// to arrive when Config.BodyReadTimeout is zero. A message of the largest
// size allowed (4 MiB) needs 4 s at 8 Mbit/s.
const DefaultBodyReadTimeout = 5 * time.Second

// DefaultReflectionStreamLifetime bounds a reflection stream when
// Config.ReflectionStreamLifetime is zero.
const DefaultReflectionStreamLifetime = time.Minute

// bodies governs the reading of request bodies, which only the RPC
// handlers do. A response written before a request reaches its handler (a
// refusal by authentication, quota or the router) ends the exchange
// without reading the body; a body of one message (a unary or
// server-streaming RPC's) must arrive within timeout.
type bodies struct {
	timeout time.Duration
	// oneMessage maps every procedure ("/grpc.health.v1.Health/Check") to
	// whether its request is one message, whose body then has a deadline.
	// A server-streaming RPC's is: its answers stream, its request does
	// not. Bodies of client-streaming procedures have none.
	oneMessage map[string]bool
}

// newBodies returns the bodies of services' procedures, as resolver
// describes them; timeout zero means DefaultBodyReadTimeout.
func newBodies(timeout time.Duration, resolver layered, services []string) (bodies, error) {
	if timeout <= 0 {
		timeout = DefaultBodyReadTimeout
	}
	b := bodies{timeout: timeout, oneMessage: make(map[string]bool)}
	for _, name := range services {
		d, err := resolver.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			return bodies{}, fmt.Errorf("server: service %s: %w", name, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return bodies{}, fmt.Errorf("server: %s is not a service", name)
		}
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			b.oneMessage["/"+name+"/"+string(md.Name())] = !md.IsStreamingClient()
		}
	}
	return b, nil
}

// guard wraps the whole handler h: whatever answers a request before a
// handler that read wraps has taken it answers without reading its body,
// and, over HTTP/1, closes the connection. net/http would otherwise read
// up to 256 KiB of the unread body before sending the answer, at whatever
// pace the caller sends it. Over HTTP/2 the stream is reset once answered;
// the connection stays.
func (bodies) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.ProtoMajor != 1 {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(&refusalWriter{ResponseWriter: w}, r)
	})
}

// read wraps an RPC handler h, which reads request bodies: a body of one
// message that does not arrive within the timeout fails with
// DEADLINE_EXCEEDED. A request for a procedure bodies does not know stays
// a refusal: h answers it without reading its body.
func (b bodies) read(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		oneMessage, known := b.oneMessage[r.URL.Path]
		if !known {
			h.ServeHTTP(w, r)
			return
		}
		if rw, ok := w.(*refusalWriter); ok {
			w = rw.ResponseWriter // from here on, answers are answers
		}
		if !oneMessage || r.ContentLength == 0 {
			h.ServeHTTP(w, r)
			return
		}
		if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(b.timeout)); err != nil {
			h.ServeHTTP(w, r) // a ResponseWriter without deadlines: not net/http's
			return
		}
		r = r.WithContext(r.Context()) // a shallow copy, whose Body is ours to set
		r.Body = &deadlineBody{ReadCloser: r.Body, timeout: b.timeout}
		h.ServeHTTP(w, r)
	})
}

// refusalWriter is the ResponseWriter of a request that no RPC handler
// has taken yet: any answer is a refusal.
type refusalWriter struct {
	http.ResponseWriter
	refused bool
}

func (w *refusalWriter) WriteHeader(code int) {
	w.refuse()
	w.ResponseWriter.WriteHeader(code)
}

func (w *refusalWriter) Write(p []byte) (int, error) {
	w.refuse()
	return w.ResponseWriter.Write(p)
}

func (w *refusalWriter) Flush() {
	w.refuse()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach net/http's ResponseWriter.
func (w *refusalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// refuse makes net/http close the connection after the answer instead of
// reading the rest of the body first (Connection: close), and fail at once
// the read of up to 256 KiB it makes when the handler returns (a read
// deadline in the past).
func (w *refusalWriter) refuse() {
	if w.refused {
		return
	}
	w.refused = true
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w.ResponseWriter).SetReadDeadline(time.Now())
}

// deadlineBody is a request body read under a deadline. The deadline
// ends with the body: at its end, net/http clears it (HTTP/1, whose
// background read of the connection would otherwise fail when it passes)
// or stops reading (HTTP/2), so a handler may take longer.
type deadlineBody struct {
	io.ReadCloser
	timeout time.Duration
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, rpcerr.New(connect.CodeDeadlineExceeded,
			fmt.Errorf("the request body did not arrive within %v", b.timeout), "REQUEST_BODY_TIMEOUT", nil)
	}
	return n, err
}

// withStreamLifetime ends h's HTTP/2 streams lifetime after they begin
// (zero means DefaultReflectionStreamLifetime), however the caller sends
// or reads: its reads of the request and writes of the answer fail from
// then on, and the stream is reset. Over HTTP/1 a deadline would outlive
// the request on its connection, and the handler refuses streams there
// anyway, so h is left as it is.
func withStreamLifetime(h http.Handler, lifetime time.Duration) http.Handler {
	if lifetime <= 0 {
		lifetime = DefaultReflectionStreamLifetime
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			end := time.Now().Add(lifetime)
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(end)
			_ = rc.SetWriteDeadline(end)
		}
		h.ServeHTTP(w, r)
	})
}
