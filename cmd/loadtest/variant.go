package main

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/upstream"
)

// Names of the variants, as in the report. The first is the baseline of
// every comparison, the second the bare hop.
const (
	variantDirect = "direct"
	variantBare   = "bare"
)

// variant is one way of making the workloads' calls: through the upstream
// client (rest, for the direct and bare variants) or through the facade's
// generated clients (rpc).
type variant struct {
	// name names the variant in the report.
	name string
	// wire says what travels between the load generator and the first
	// server, for the report.
	wire string
	rest *upstream.Client
	rpc  facadeClients
}

// call returns the function that makes one call of w through v; token is
// the Betterworks token of the rest variants.
func (v variant) call(w workload, token upstream.Token) callFunc {
	if v.rest != nil {
		return func(ctx context.Context) error { return w.rest(ctx, v.rest, token) }
	}
	return func(ctx context.Context) error { return w.rpc(ctx, v.rpc) }
}

// newVariants returns the variants, interleaved in this order in every
// round: direct to the sandbox at sandboxURL, then through the bare proxy
// at proxyURL, then the facade at facadeURL over Connect (protobuf, then
// JSON) and gRPC, sending callerKey. Each variant has its own connections.
// The direct variant measures the REST call and its decoding by the
// facade's own client (see restClient), nothing else. The generated clients keep
// their defaults, so they accept gzip, and the facade compresses answers
// over server.CompressMinBytes (pages of goals or users).
func newVariants(sandboxURL, proxyURL, facadeURL, callerKey string) ([]variant, error) {
	direct, err := restClient(sandboxURL)
	if err != nil {
		return nil, err
	}
	bare, err := restClient(proxyURL)
	if err != nil {
		return nil, err
	}
	auth := connect.WithInterceptors(bearer(callerKey))
	return []variant{
		{name: variantDirect, wire: "REST JSON, HTTP/1.1", rest: direct},
		{name: variantBare, wire: "REST JSON through httputil.ReverseProxy, HTTP/1.1", rest: bare},
		{name: "connect-proto", wire: "facade, Connect protobuf, HTTP/1.1", rpc: newFacadeClients(newHTTPClient(false), facadeURL, auth)},
		{name: "connect-json", wire: "facade, Connect JSON, HTTP/1.1", rpc: newFacadeClients(newHTTPClient(false), facadeURL, auth, connect.WithProtoJSON())},
		{name: "grpc", wire: "facade, gRPC, HTTP/2 without TLS (h2c)", rpc: newFacadeClients(newHTTPClient(true), facadeURL, auth, connect.WithGRPC())},
	}, nil
}

// restClient returns an upstream client of the API under root, on its own
// connections: no pacing, no breakers, one attempt per call (a failure is
// counted, not retried) and no bound on calls in flight below maxConns.
func restClient(root string) (*upstream.Client, error) {
	return upstream.New(upstream.Config{
		BaseURL:    root + "/api/v1/",
		HTTPClient: newHTTPClient(false),
		Resilience: upstream.Resilience{
			Breaker:     upstream.BreakerSettings{Disabled: true},
			MaxAttempts: 1,
			MaxInFlight: maxConns,
		},
	})
}

// newHTTPClient returns a client with a connection pool no run exhausts,
// speaking HTTP/1.1, or HTTP/2 without TLS (h2c) with h2c.
func newHTTPClient(h2c bool) *http.Client {
	protocols := new(http.Protocols)
	if h2c {
		protocols.SetUnencryptedHTTP2(true)
	} else {
		protocols.SetHTTP1(true)
	}
	return &http.Client{Transport: &http.Transport{
		Protocols:           protocols,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
	}}
}

// maxConns bounds the idle connections each client keeps, above what the
// largest -concurrency or an open loop's calls in flight need.
const maxConns = 2048

// newFacadeClients returns the generated clients of the facade at baseURL.
func newFacadeClients(client *http.Client, baseURL string, opts ...connect.ClientOption) facadeClients {
	return facadeClients{
		goals:  betterworksv1connect.NewGoalServiceClient(client, baseURL, opts...),
		people: betterworksv1connect.NewPeopleServiceClient(client, baseURL, opts...),
	}
}

// bearer sends key as the caller key of every call.
func bearer(key string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+key)
			return next(ctx, req)
		}
	}
}
