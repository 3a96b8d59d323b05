package clienttest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bwfacade/facade/internal/clienttest"
)

// root is the repository root, from this package's directory.
const root = "../.."

// Shared by the tests: the facade's binary and one facade running it, and
// one static server for the page.
var (
	serverBinary string
	facade       *clienttest.Facade
	// pages serves web/dist, the built example page, on another origin
	// than the facade's. The facade allows pageOrigin only.
	pages      *httptest.Server
	pageOrigin string
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "clienttest:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	// Building buf and grpcurl with an empty build cache takes minutes on
	// two cores; `make test` builds them before.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	tmp, err := os.MkdirTemp("", "clienttest")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	serverBinary, err = clienttest.Build(ctx, root, "./cmd/server", tmp)
	if err != nil {
		return 0, err
	}
	// Build the tools the walkthrough runs with `go tool` once, here, so
	// that no command of it spends its timeout compiling.
	for _, tool := range []string{"grpcurl", "buf"} {
		if _, err := clienttest.Tool(ctx, root, tool); err != nil {
			return 0, err
		}
	}

	pages = httptest.NewServer(http.FileServer(http.Dir(filepath.Join(root, "web", "dist"))))
	defer pages.Close()
	pageOrigin = pages.URL // http://127.0.0.1:port
	facade, err = clienttest.Start(ctx, serverBinary, map[string]string{"BWFACADE_CORS_ORIGINS": pageOrigin})
	if err != nil {
		return 0, err
	}
	code := m.Run()
	if err := facade.Stop(); err != nil {
		return code, fmt.Errorf("stop facade: %w", err)
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "facade log:\n%s", facade.Logs())
	}
	return code, nil
}
