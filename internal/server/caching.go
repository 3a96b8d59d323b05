package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/bwfacade/facade/internal/upstream"
)

// Reads that cost less, as callers see them. The upstream client shares
// identical concurrent reads and, for the methods given a TTL
// (Config.CacheTTL), answers from its cache; here each such RPC learns its
// TTL, and an answer taken from the cache says how old it is (Age, in
// seconds). Connect GET reads, which browsers send, also get an ETag; a
// request whose If-None-Match holds it is answered 304 Not Modified,
// without a body. With a TTL the answer may be kept privately
// (Cache-Control: private, max-age=TTL); without one it must be
// revalidated (private, no-cache).

// checkCacheTTL refuses TTLs of unknown or writing methods.
func checkCacheTTL(ttls map[string]time.Duration) error {
	methods := Methods()
	for procedure, ttl := range ttls {
		readOnly, ok := methods[procedure]
		switch {
		case !ok:
			return fmt.Errorf("server: CacheTTL names %s, which the contract does not have", procedure)
		case !readOnly:
			return fmt.Errorf("server: CacheTTL names %s, which has side effects: only reads are cached", procedure)
		case ttl < 0:
			return fmt.Errorf("server: CacheTTL of %s is negative", procedure)
		}
	}
	return nil
}

// newCaching returns the interceptor that gives each read its cache TTL
// and reports the age of an answer taken from the cache.
func newCaching(ttls map[string]time.Duration) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			ttl := ttls[req.Spec().Procedure]
			if ttl <= 0 {
				return next(ctx, req)
			}
			age := new(upstream.CacheAge)
			resp, err := next(upstream.WithCacheAge(upstream.WithCacheTTL(ctx, ttl), age), req)
			if err != nil {
				return resp, err
			}
			if a, used := age.Load(); used {
				resp.Header().Set("Age", strconv.Itoa(int(a/time.Second)))
			}
			if req.HTTPMethod() == http.MethodGet {
				resp.Header().Set("Cache-Control", "private, max-age="+strconv.Itoa(int(ttl/time.Second)))
			}
			return resp, nil
		}
	}
}

// withETags answers Connect GET reads with an ETag, and 304 Not Modified
// when the request's If-None-Match holds it. The answer is buffered (it
// is bounded by MaxResponseBytes) to be hashed. Every GET answer varies
// by Authorization: a browser's cache, which private allows, must not
// give one key's answer to a page calling with another.
func withETags(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		rec := &bufferedResponse{header: make(http.Header), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Add("Vary", "Authorization")
		if rec.status != http.StatusOK {
			w.WriteHeader(rec.status)
			_, _ = w.Write(rec.body.Bytes())
			return
		}
		sum := sha256.Sum256(rec.body.Bytes())
		etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
		w.Header().Set("ETag", etag)
		if w.Header().Get("Cache-Control") == "" {
			w.Header().Set("Cache-Control", "private, no-cache")
		}
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			for _, h := range []string{"Content-Length", "Content-Type", "Content-Encoding"} {
				w.Header().Del(h)
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// etagMatches reports whether an If-None-Match header holds etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatches(header, etag string) bool {
	for candidate := range strings.SplitSeq(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == etag || candidate == "*" {
			return true
		}
	}
	return false
}

// bufferedResponse holds an answer until it is complete.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
