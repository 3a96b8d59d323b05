package main

import (
	"net/http/httputil"
	"net/url"

	"github.com/bwfacade/facade/internal/upstream"
)

// newBareProxy returns the bare hop: an httputil.ReverseProxy to target
// that only forwards, with a buffer pool and the facade's upstream
// transport (upstream.NewHTTPClient), so that the facade and the bare hop
// reach the sandbox alike and differ only in what the facade does.
func newBareProxy(target *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:    func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:  upstream.NewHTTPClient().Transport,
		BufferPool: newBufferPool(bufferPoolSize),
	}
}

// Sizes of the proxy's buffer pool.
const (
	// proxyBufferBytes is the size of one buffer: io.Copy's default.
	proxyBufferBytes = 32 << 10
	// bufferPoolSize bounds the idle buffers kept: one per concurrent
	// response is enough for any run of the harness.
	bufferPoolSize = 1024
)

// bufferPool is an httputil.BufferPool: a bounded free list of buffers of
// proxyBufferBytes. Unlike a sync.Pool of slices, it allocates nothing to
// take a buffer back.
type bufferPool chan []byte

// newBufferPool returns a pool that keeps at most n idle buffers.
func newBufferPool(n int) bufferPool { return make(bufferPool, n) }

// Get returns an idle buffer, or a new one when none is idle.
func (p bufferPool) Get() []byte {
	select {
	case b := <-p:
		return b
	default:
		return make([]byte, proxyBufferBytes)
	}
}

// Put keeps b for a later Get, or drops it when the pool is full.
func (p bufferPool) Put(b []byte) {
	select {
	case p <- b[:cap(b)]:
	default:
	}
}
