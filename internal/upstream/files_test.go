package upstream

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestOpenReportFileSendsNoToken fetches a file from an allowed host: the
// request carries no Authorization header, and the body is capped.
func TestOpenReportFileSendsNoToken(t *testing.T) {
	t.Parallel()
	var authorization atomic.Value
	authorization.Store("unset")
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authorization.Store(r.Header.Get("Authorization"))
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/report.xlsx", http.StatusFound)
			return
		}
		// Flushed, so that no Content-Length announces the size: the
		// limit must hold while reading.
		_, _ = w.Write([]byte(strings.Repeat("x", 50)))
		w.(http.Flusher).Flush()
		_, _ = w.Write([]byte(strings.Repeat("x", 50)))
	}))
	t.Cleanup(files.Close)
	c, err := New(Config{BaseURL: files.URL + "/api/v1/", Files: Files{MaxBytes: 64}})
	if err != nil {
		t.Fatal(err)
	}

	f, err := c.OpenReportFile(t.Context(), NewToken("secret-token"), files.URL+"/moved")
	if err != nil {
		t.Fatalf("OpenReportFile() error = %v", err)
	}
	_, err = io.ReadAll(f.Body)
	f.Close()

	if got := authorization.Load(); got != "" {
		t.Errorf("the file host received Authorization %q, want none", got)
	}
	if !errors.Is(err, ErrFileTooLarge) {
		t.Errorf("reading 100 bytes with a 64-byte limit: error = %v, want ErrFileTooLarge", err)
	}
}

// TestReportFileIsNoOperationOfTheReference keeps the catalog the
// reference's: the download of a result link is not among Operations.
func TestReportFileIsNoOperationOfTheReference(t *testing.T) {
	t.Parallel()
	if slices.Contains(Operations(), opReportFile) {
		t.Errorf("Operations() lists %s, which the reference does not define", opReportFile)
	}
	if opReportFile.Family() != "report_files" || opReportFile.Writes() {
		t.Errorf("%s: family %q, writes %v; want its own breaker family, a read", opReportFile, opReportFile.Family(), opReportFile.Writes())
	}
}

// TestImpatientCallersDoNotOpenTheFileBreaker asks a slow file host for a
// file ten times with deadlines shorter than its answer: the callers'
// deadlines, not the host, end those requests, so the breaker stays
// closed and the next caller, with time to wait, gets the file.
func TestImpatientCallersDoNotOpenTheFileBreaker(t *testing.T) {
	t.Parallel()
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(300 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte("PK"))
	}))
	t.Cleanup(files.Close)
	c, err := New(Config{BaseURL: files.URL + "/api/v1/"})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		_, err := c.OpenReportFile(ctx, NewToken("t"), files.URL+"/report.xlsx")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("OpenReportFile() with a 20 ms deadline: error = %v, want context.DeadlineExceeded", err)
		}
	}

	f, err := c.OpenReportFile(t.Context(), NewToken("t"), files.URL+"/report.xlsx")

	if err != nil {
		t.Fatalf("OpenReportFile() after the impatient callers: error = %v, want the file", err)
	}
	f.Close()
}
