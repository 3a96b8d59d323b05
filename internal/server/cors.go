package server

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/bwfacade/facade/internal/service"

	connectcors "connectrpc.com/cors"
	"github.com/rs/cors"
)

// CORSMaxAge is how long, in seconds, a browser may cache the answer to a
// preflight request. Chromium caps it at 2 hours, Firefox at 24.
const CORSMaxAge = 2 * 60 * 60

// withCORS lets browser pages from the origins allowOrigin accepts call h
// over Connect and gRPC-Web (CORS). A nil allowOrigin returns h unchanged,
// so no cross-origin page may call: a browser then refuses to hand the
// answer to the page. An origin that allowOrigin refuses gets no CORS
// headers.
//
// Preflight requests are answered here and never reach h, so they need no
// caller key. Pages send the key as the Authorization header, never as a
// cookie: credentialed CORS stays off.
func withCORS(h http.Handler, allowOrigin func(origin string) bool) http.Handler {
	if allowOrigin == nil {
		return h
	}
	return cors.New(cors.Options{
		AllowOriginFunc: allowOrigin,
		AllowedMethods:  connectcors.AllowedMethods(),
		AllowedHeaders:  append(connectcors.AllowedHeaders(), "Authorization"),
		// Grpc-Status, Grpc-Message and Grpc-Status-Details-Bin: gRPC-Web
		// answers carry an error and its details in headers when the call
		// fails before any message. Age says how old a cached read is;
		// Idempotency-Replayed that a write's answer is an earlier one's.
		ExposedHeaders: append(connectcors.ExposedHeaders(), "Age", service.ReplayedHeader),
		MaxAge:         CORSMaxAge,
	}).Handler(h)
}

// AllowOrigins returns an origin check for CORS that accepts exactly the
// origins given, such as "https://app.example.com" (scheme, host and
// port as a browser sends them in the Origin header).
func AllowOrigins(origins ...string) func(origin string) bool {
	allowed := slices.Clone(origins)
	return func(origin string) bool { return slices.Contains(allowed, origin) }
}

// IsLoopbackOrigin is the origin check of demo mode: it accepts pages
// served over http from localhost or 127.0.0.1 on any port, such as
// "http://localhost:5173", so that a page in development can call a
// facade on the same machine.
func IsLoopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || origin != u.Scheme+"://"+u.Host {
		return false
	}
	host := u.Hostname()
	return host == "localhost" || host == "127.0.0.1"
}
