package auth

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/authn"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Store holds the current Registry. Each call reads the registry once, at
// authentication, and keeps that caller for its whole life; a reload swaps
// the pointer atomically, so no call ever sees a half-loaded registry and
// in-flight calls finish with the caller they started with. A long call
// may ask again at each swap (Swapped, Reauthenticate), so that a revoked
// caller's streams end.
type Store struct {
	current atomic.Pointer[Registry]
	// load reads the registry afresh; nil for a static store.
	load   func() (*Registry, error)
	logger *slog.Logger
	// reloading serializes reloads, so an older read never replaces a
	// newer one.
	reloading sync.Mutex
	// reloads counts reloads by outcome; nil for a static store.
	reloads metric.Int64Counter
	// swapped is closed when a reload swaps the registry, and replaced.
	swapped atomic.Pointer[chan struct{}]
}

// NewStore returns a store that always holds r.
func NewStore(r *Registry) *Store {
	s := &Store{logger: slog.New(slog.DiscardHandler)}
	s.current.Store(r)
	return s
}

// OpenFile reads the callers file at path (see LoadFile) and returns a
// store that can reload it. An invalid file is an error here, at start;
// later, Reload keeps the previous registry instead.
func OpenFile(path string, opts LoadOptions, logger *slog.Logger) (*Store, error) {
	s := &Store{logger: logger, load: func() (*Registry, error) { return LoadFile(path, opts) }}
	mp := opts.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	reloads, err := mp.Meter("github.com/bwfacade/facade/internal/auth").Int64Counter("bwfacade.callers.reloads",
		metric.WithDescription("Reloads of the callers file, by outcome: ok or rejected."))
	if err != nil {
		return nil, err
	}
	s.reloads = reloads
	r, err := s.load()
	if err != nil {
		return nil, err
	}
	s.current.Store(r)
	logLoaded(logger, "callers loaded", path, r)
	return s, nil
}

// Registry returns the current registry.
func (s *Store) Registry() *Registry { return s.current.Load() }

// Swapped returns a channel closed when a reload next swaps the registry.
func (s *Store) Swapped() <-chan struct{} {
	for {
		if ch := s.swapped.Load(); ch != nil {
			return *ch
		}
		ch := make(chan struct{})
		s.swapped.CompareAndSwap(nil, &ch)
	}
}

// Reauthenticate authenticates a call of procedure under way, with its
// request's headers and TLS state, against the current registry, as at
// its start: a stream that outlives a reload asks whether its caller
// still may, so that revoking a key or a caller ends its streams too.
func (s *Store) Reauthenticate(header http.Header, state *tls.ConnectionState, procedure string) (*Caller, error) {
	return s.Registry().authenticateWith(header, state, procedure)
}

// Reload reads the callers file again and swaps it in if it is valid. An
// invalid file is logged and returned as an error, and the previous
// registry stays. Reload on a static store does nothing.
func (s *Store) Reload() error {
	if s.load == nil {
		return nil
	}
	s.reloading.Lock()
	defer s.reloading.Unlock()
	r, err := s.load()
	if err != nil {
		s.reloads.Add(context.Background(), 1, metric.WithAttributes(attribute.String("outcome", "rejected")))
		s.logger.Error("callers file rejected; the previous callers stay in force", slog.Any("error", err))
		return err
	}
	s.reloads.Add(context.Background(), 1, metric.WithAttributes(attribute.String("outcome", "ok")))
	s.current.Store(r)
	if ch := s.swapped.Swap(nil); ch != nil {
		close(*ch)
	}
	logLoaded(s.logger, "callers reloaded", r.files[0], r)
	return nil
}

// Watch reloads the registry whenever the contents of a file it was read
// from (the callers file and token files) change, checking every interval
// until ctx ends. Contents are compared, not modification times, so
// replacing a file through a symlink swap, as Kubernetes does, is seen.
func (s *Store) Watch(ctx context.Context, interval time.Duration) {
	if s.load == nil {
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		r := s.Registry()
		if digest, err := digestFiles(r.files); err == nil && digest == r.digest {
			continue
		}
		_ = s.Reload() // Reload logs its outcome.
	}
}

// AuthFunc returns the authentication function for connectrpc.com/authn's
// middleware. A request without valid credentials is refused with
// CodeUnauthenticated, and a caller calling a method it is not allowed
// with CodePermissionDenied, before any other work.
func (s *Store) AuthFunc() authn.AuthFunc {
	return func(_ context.Context, req authn.Request) (any, error) {
		return s.Registry().authenticate(req)
	}
}

func logLoaded(logger *slog.Logger, msg, path string, r *Registry) {
	revoked := 0
	for _, c := range r.callers {
		if c.Revoked {
			revoked++
		}
	}
	logger.Info(msg, slog.String("file", path), slog.Int("callers", len(r.callers)), slog.Int("revoked", revoked))
}

// digestFiles reads files and digests them as LoadFile does.
func digestFiles(paths []string) ([sha256.Size]byte, error) {
	contents := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		contents[i] = b
	}
	return digest(paths, contents), nil
}
