package service_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/service"
	"github.com/bwfacade/facade/internal/upstream"
)

// manualClock is a sandbox clock tests move by hand.
type manualClock struct{ ns atomic.Int64 }

func newManualClock() *manualClock {
	c := &manualClock{}
	c.ns.Store(time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *manualClock) Now() time.Time            { return time.Unix(0, c.ns.Load()).UTC() }
func (c *manualClock) Advance(d time.Duration)   { c.ns.Add(int64(d)) }
func (c *manualClock) sandbox() func() time.Time { return c.Now }

// finishedRun creates a run and moves the sandbox's clock past its end.
func finishedRun(t *testing.T, st *facadetest.Stack, clock *manualClock) (id, link string) {
	t.Helper()
	id = createRun(t, st)
	clock.Advance(time.Minute)
	got, err := st.Reports(facadetest.Connect, sandbox.RoleSuperAdmin).GetReportRun(t.Context(), &betterworksv1.GetReportRunRequest{ReportRunId: id})
	if err != nil {
		t.Fatal(err)
	}
	return id, got.GetReportRun().GetResult().GetUrl()
}

// download reads a whole DownloadReportRun stream.
func download(t *testing.T, st *facadetest.Stack, id string) (*betterworksv1.ReportFile, []byte, error) {
	t.Helper()
	stream, err := st.Reports(facadetest.GRPC, sandbox.RoleSuperAdmin).DownloadReportRun(t.Context(), &betterworksv1.DownloadReportRunRequest{ReportRunId: id})
	if err != nil {
		return nil, nil, err
	}
	defer stream.Close()
	var file *betterworksv1.ReportFile
	var data bytes.Buffer
	for stream.Receive() {
		if f := stream.Msg().GetFile(); f != nil {
			file = f
		}
		data.Write(stream.Msg().GetData())
	}
	return file, data.Bytes(), stream.Err()
}

// TestDownloadReportRunPassesTheFileOn downloads a run's file through the
// facade: the bytes are the sandbox's, in chunks of at most 64 KiB.
func TestDownloadReportRunPassesTheFileOn(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox(), ReportRuns: sandbox.ReportRunConfig{Rows: 5000}}})
	id, link := finishedRun(t, st, clock)

	file, got, err := download(t, st, id)
	if err != nil {
		t.Fatalf("DownloadReportRun() error = %v", err)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if !bytes.Equal(got, want) || len(want) < 64<<10 {
		t.Errorf("downloaded %d bytes, the sandbox serves %d (equal: %v); want the same file, over one chunk", len(got), len(want), bytes.Equal(got, want))
	}
	wantFile := &betterworksv1.ReportFile{
		Filename:    "UserActivity-" + id + ".xlsx",
		ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Size:        int64(len(want)),
	}
	if diff := cmp.Diff(wantFile, file, protocmp.Transform()); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
}

// TestDownloadReportRunRefusals refuses links it must not follow, each
// with its reason, and fetches nothing from a foreign host.
func TestDownloadReportRunRefusals(t *testing.T) {
	t.Parallel()
	var foreignHits atomic.Int64
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		foreignHits.Add(1)
		_, _ = w.Write([]byte("PK not what you asked for"))
	}))
	t.Cleanup(foreign.Close)
	s3Expired := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`
	tests := []struct {
		name string
		// filesURL points the sandbox's links elsewhere.
		filesURL string
		files    upstream.Files
		faults   []sandbox.Fault
		// after moves the sandbox's clock once the run has finished.
		after      time.Duration
		wantCode   connect.Code
		wantReason string
		// wantFetches is how often the sandbox served the file.
		wantFetches int
	}{
		{name: "link_to_foreign_host", filesURL: foreign.URL, wantCode: connect.CodeFailedPrecondition, wantReason: "REPORT_HOST_NOT_ALLOWED"},
		{name: "host_not_listed", files: upstream.Files{Hosts: []string{"files.example.test"}}, wantCode: connect.CodeFailedPrecondition, wantReason: "REPORT_HOST_NOT_ALLOWED"},
		{
			name:     "redirect_to_foreign_host",
			faults:   []sandbox.Fault{{Endpoint: sandbox.FilesEndpoint, Status: http.StatusFound, Location: foreign.URL + "/f.xlsx"}},
			wantCode: connect.CodeFailedPrecondition, wantReason: "REPORT_REDIRECT_REFUSED", wantFetches: 1,
		},
		{name: "too_large", files: upstream.Files{MaxBytes: 1 << 10}, wantCode: connect.CodeFailedPrecondition, wantReason: "REPORT_FILE_TOO_LARGE", wantFetches: 1},
		{name: "expired", after: 25 * time.Hour, wantCode: connect.CodeFailedPrecondition, wantReason: service.ReasonReportResultExpired},
		{
			name:     "expired_at_the_host",
			faults:   []sandbox.Fault{{Endpoint: sandbox.FilesEndpoint, Status: http.StatusForbidden, Body: s3Expired}},
			wantCode: connect.CodeFailedPrecondition, wantReason: service.ReasonReportResultExpired, wantFetches: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newManualClock()
			st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox(), FilesURL: tt.filesURL}, ReportFiles: tt.files})
			id, _ := finishedRun(t, st, clock)
			clock.Advance(tt.after)
			st.Sandbox.SetFaults(tt.faults...)
			before := foreignHits.Load()

			_, _, err := download(t, st, id)

			if connect.CodeOf(err) != tt.wantCode || rpcerr.Reason(err) != tt.wantReason {
				t.Errorf("DownloadReportRun() error = %v (reason %q), want %v, %s", err, rpcerr.Reason(err), tt.wantCode, tt.wantReason)
			}
			if n := st.Sandbox.Count(sandbox.FilesEndpoint); n != tt.wantFetches {
				t.Errorf("the sandbox served the file %d times, want %d", n, tt.wantFetches)
			}
			if n := foreignHits.Load() - before; n != 0 {
				t.Errorf("the foreign host was asked %d times, want never", n)
			}
		})
	}
}

// TestDownloadReportRunCutShortFails downloads from a file host that
// drops the connection partway through the body, with and without a
// declared length: the stream must fail, not end as if the file were
// whole.
func TestDownloadReportRunCutShortFails(t *testing.T) {
	t.Parallel()
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("content_length_%t", declared), func(t *testing.T) {
			t.Parallel()
			host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if declared {
					w.Header().Set("Content-Length", "200000")
				}
				_, _ = w.Write(bytes.Repeat([]byte("x"), 100000))
				http.NewResponseController(w).Flush()
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					_ = conn.Close()
				}
			}))
			t.Cleanup(host.Close)
			clock := newManualClock()
			st := facadetest.Start(t, facadetest.Options{
				Sandbox:     sandbox.Config{Now: clock.sandbox(), FilesURL: host.URL},
				ReportFiles: upstream.Files{Hosts: []string{strings.TrimPrefix(host.URL, "http://")}},
			})
			id, _ := finishedRun(t, st, clock)

			_, got, err := download(t, st, id)

			if connect.CodeOf(err) != connect.CodeUnavailable {
				t.Errorf("DownloadReportRun() = %d bytes, error %v; want unavailable: the file was cut short", len(got), err)
			}
		})
	}
}

// TestDownloadReportRunBeforeTheEnd asks for the file of a pending run.
func TestDownloadReportRunBeforeTheEnd(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox()}})
	id := createRun(t, st)

	_, _, err := download(t, st, id)

	if connect.CodeOf(err) != connect.CodeFailedPrecondition || rpcerr.Reason(err) != service.ReasonReportNotFinished {
		t.Errorf("DownloadReportRun() error = %v (reason %q), want FailedPrecondition, %s", err, rpcerr.Reason(err), service.ReasonReportNotFinished)
	}
}

// readRows reads a whole ReadReportRows stream, keeping its header, the
// first rows up to keep, and a count of the rest.
func readRows(t *testing.T, st *facadetest.Stack, id string, keep int) (header []string, rows []*betterworksv1.ReportRow, count int, messages int, err error) {
	t.Helper()
	stream, err := st.Reports(facadetest.GRPC, sandbox.RoleSuperAdmin).ReadReportRows(t.Context(), &betterworksv1.ReadReportRowsRequest{ReportRunId: id})
	if err != nil {
		return nil, nil, 0, 0, err
	}
	defer stream.Close()
	for stream.Receive() {
		messages++
		if h := stream.Msg().GetHeader(); h != nil {
			header = h
		}
		for _, r := range stream.Msg().GetRows() {
			if count < keep {
				rows = append(rows, r)
			}
			count++
		}
	}
	return header, rows, count, messages, stream.Err()
}

// TestReadReportRowsTypesCells reads a user activity report: ids are
// numbers, names text, the active flag a boolean, the last change a date.
func TestReadReportRowsTypesCells(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox(), ReportRuns: sandbox.ReportRunConfig{Rows: 1200}}})
	id, _ := finishedRun(t, st, clock)

	header, rows, count, messages, err := readRows(t, st, id, 5)

	if err != nil {
		t.Fatalf("ReadReportRows() error = %v", err)
	}
	if diff := cmp.Diff([]string{"User ID", "Name", "Email", "Department", "Active", "Last modified"}, header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if count != 1200 || messages != 3 {
		t.Errorf("%d rows in %d messages, want 1200 in 3 (500 a message)", count, messages)
	}
	first := rows[0]
	cells := first.GetCells()
	if first.GetNumber() != 2 || len(cells) != 6 {
		t.Fatalf("first row = %v, want row 2 with 6 cells", first)
	}
	if cells[0].GetNumberValue() <= 0 || cells[1].GetStringValue() == "" || !strings.Contains(cells[2].GetStringValue(), "@") ||
		cells[4].GetValue() == nil || cells[5].GetDateValue().AsTime().Year() < 2020 {
		t.Errorf("first row's cells = %v; want a number, text, an e-mail, text, a boolean and a date", cells)
	}
	if _, isBool := cells[4].GetValue().(*betterworksv1.ReportCell_BoolValue); !isBool {
		t.Errorf("Active = %v, want a boolean", cells[4])
	}
}

// TestReadReportRowsRefusesOtherFiles serves something that is not a
// spreadsheet in place of the report.
func TestReadReportRowsRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox()}})
	id, _ := finishedRun(t, st, clock)
	st.Sandbox.SetFaults(sandbox.Fault{Endpoint: sandbox.FilesEndpoint, Status: http.StatusOK, Body: "id,name\n1,Ada\n"})

	_, _, _, _, err := readRows(t, st, id, 0)

	if connect.CodeOf(err) != connect.CodeFailedPrecondition || rpcerr.Reason(err) != service.ReasonReportNotSpreadsheet {
		t.Errorf("ReadReportRows() error = %v (reason %q), want FailedPrecondition, %s", err, rpcerr.Reason(err), service.ReasonReportNotSpreadsheet)
	}
}

// TestReadReportRowsStreamsInBoundedMemory reads a 100,000-row report
// (4,000 under the race detector, which slows XML decoding tenfold) while
// sampling the heap of this process, which runs the facade: its peak
// stays within 32 MiB of its level before the call.
func TestReadReportRowsStreamsInBoundedMemory(t *testing.T) {
	// Not parallel: the heap of other tests would be measured too.
	rows := 100_000
	if raceEnabled {
		rows = 4_000
	}
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox(), ReportRuns: sandbox.ReportRunConfig{Rows: rows}}})
	id, link := finishedRun(t, st, clock)
	// The sandbox writes the file at its first download, in this process:
	// write it before measuring.
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	size, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	idle := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
		}
	})
	start := time.Now()
	_, _, count, messages, err := readRows(t, st, id, 0)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()

	if err != nil || count != rows {
		t.Fatalf("ReadReportRows() = %d rows, error %v; want %d", count, err, rows)
	}
	growth := int64(peak.Load()) - int64(idle)
	t.Logf("%d rows (%d bytes of .xlsx) in %d messages in %v; heap idle %.1f MiB, peak %.1f MiB, growth %.1f MiB",
		rows, size, messages, elapsed, float64(idle)/(1<<20), float64(peak.Load())/(1<<20), float64(growth)/(1<<20))
	if growth > 32<<20 {
		t.Errorf("the heap grew %.1f MiB while reading, want at most 32 MiB", float64(growth)/(1<<20))
	}
}

// xlsxPart is a part of a crafted spreadsheet: head, unit n times, then
// tail.
type xlsxPart struct {
	name             string
	head, unit, tail string
	n                int
	// corrupt stores the part as deflated data that does not inflate.
	corrupt bool
	// declared, when not 0, is the part's size as the zip's directory
	// records it: the data is head alone, stored uncompressed. archive/zip
	// would refuse to read past head; what is checked is the record.
	declared uint64
	// stored stores the part uncompressed.
	stored bool
}

// craftXLSX zips parts, in their order, into a spreadsheet. Repeated
// units are written as they are compressed, never held whole.
func craftXLSX(t *testing.T, parts ...xlsxPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if p.corrupt {
			// A deflate block of the reserved type 3.
			w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CompressedSize64: 4, UncompressedSize64: 100})
			if err == nil {
				_, err = w.Write([]byte{0xff, 0xff, 0xff, 0xff})
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if p.declared != 0 {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Store, CompressedSize64: uint64(len(p.head)), UncompressedSize64: p.declared})
			if err == nil {
				_, err = io.WriteString(w, p.head)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		method := zip.Deflate
		if p.stored {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		chunk := ""
		if p.unit != "" {
			chunk = strings.Repeat(p.unit, max(1, (64<<10)/len(p.unit)))
		}
		_, _ = io.WriteString(w, p.head)
		for left := p.n; left > 0; {
			k := min(left, len(chunk)/max(1, len(p.unit)))
			_, _ = io.WriteString(w, chunk[:k*len(p.unit)])
			left -= k
		}
		_, _ = io.WriteString(w, p.tail)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The parts of a workbook of one sheet, xl/worksheets/sheet1.xml, that
// may use shared strings.
const (
	xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	xlsxRels         = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	xlsxWorkbook     = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>`
	xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	xlsxMain         = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
)

// sheetPart is the sheet, whose sheetData holds head, unit n times, then
// tail.
func sheetPart(head, unit string, n int, tail string) xlsxPart {
	return xlsxPart{
		name: "xl/worksheets/sheet1.xml",
		head: `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + xlsxMain + `><sheetData>` + head,
		unit: unit, n: n,
		tail: tail + `</sheetData></worksheet>`,
	}
}

// sharedStringsPart is the shared strings: head, unit n times, tail.
func sharedStringsPart(head, unit string, n int, tail string) xlsxPart {
	return xlsxPart{name: "xl/sharedStrings.xml", head: `<sst ` + xlsxMain + `>` + head, unit: unit, n: n, tail: tail + `</sst>`}
}

// workbookParts returns the parts of a workbook whose one sheet is sheet,
// then extra.
func workbookParts(sheet xlsxPart, extra ...xlsxPart) []xlsxPart {
	return append([]xlsxPart{
		{name: "[Content_Types].xml", head: xlsxContentTypes},
		{name: "_rels/.rels", head: xlsxRels},
		{name: "xl/workbook.xml", head: xlsxWorkbook},
		{name: "xl/_rels/workbook.xml.rels", head: xlsxWorkbookRels},
		sheet,
	}, extra...)
}

// serveFile makes the sandbox serve data as every run's file.
func serveFile(st *facadetest.Stack, data []byte) {
	st.Sandbox.SetFaults(sandbox.Fault{Endpoint: sandbox.FilesEndpoint, Status: http.StatusOK, Body: string(data)})
}

// TestReadReportRowsLeavesNoTemporaryFiles reads spreadsheets whose sheet
// excelize unpacks to a temporary file before it fails on a later part:
// one that does not inflate (excelize returns no workbook) and styles it
// cannot read (it returns the workbook with the error); and one it reads
// whole. Nothing is left in the temporary directory after any of them.
func TestReadReportRowsLeavesNoTemporaryFiles(t *testing.T) {
	// Not parallel: TMPDIR is the process's.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox()}})
	id, _ := finishedRun(t, st, clock)
	// 2 MiB of XML, over what excelize keeps in memory.
	sheet := sheetPart("", `<row><c t="inlineStr"><is><t>cell</t></is></c></row>`, 40_000, "")
	tests := []struct {
		name       string
		parts      []xlsxPart
		wantReason string
		wantRows   int
	}{
		{name: "part_that_does_not_inflate", parts: workbookParts(sheet, xlsxPart{name: "docProps/app.xml", corrupt: true}), wantReason: service.ReasonReportNotSpreadsheet},
		{
			name:       "styles_it_cannot_read",
			parts:      workbookParts(sheet, xlsxPart{name: "xl/styles.xml", head: `<styleSheet ` + xlsxMain + `><numFmts count="many"/></styleSheet>`}),
			wantReason: service.ReasonReportNotSpreadsheet,
		},
		{name: "read_whole", parts: workbookParts(sheet), wantRows: 39_999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serveFile(st, craftXLSX(t, tt.parts...))

			_, _, count, _, err := readRows(t, st, id, 0)

			if rpcerr.Reason(err) != tt.wantReason || count != tt.wantRows || (err == nil) != (tt.wantReason == "") {
				t.Errorf("ReadReportRows() = %d rows, error %v (reason %q); want %d rows, reason %q", count, err, rpcerr.Reason(err), tt.wantRows, tt.wantReason)
			}
			left, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range left {
				t.Errorf("left in the temporary directory: %s", e.Name())
				_ = os.RemoveAll(filepath.Join(tmp, e.Name()))
			}
		})
	}
}

// TestReadReportRowsLargeHeaderGoesAlone reads a sheet whose header and
// first row each hold 4 MiB of text, to a caller that takes no
// compression: together they would pass the server's 8 MiB message
// limit, so the header is sent alone.
func TestReadReportRowsLargeHeaderGoesAlone(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox()}})
	id, _ := finishedRun(t, st, clock)
	cell := `<c t="inlineStr"><is><t>` + strings.Repeat("a", 32<<10) + `</t></is></c>`
	row := `<row>` + strings.Repeat(cell, 130) + `</row>`
	serveFile(st, craftXLSX(t, workbookParts(sheetPart(row+row, "", 0, ""))...))
	opts := append(facadetest.ClientOptions(facadetest.GRPC, st.Key(sandbox.RoleSuperAdmin)), connect.WithAcceptCompression("gzip", nil, nil))
	client := betterworksv1connect.NewReportServiceClient(st.HTTPClient, st.URL, opts...)

	stream, err := client.ReadReportRows(t.Context(), &betterworksv1.ReadReportRowsRequest{ReportRunId: id})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var got []string
	for stream.Receive() {
		got = append(got, fmt.Sprintf("%d header cells, %d rows", len(stream.Msg().GetHeader()), len(stream.Msg().GetRows())))
	}

	if err := stream.Err(); err != nil {
		t.Fatalf("ReadReportRows() error = %v", err)
	}
	// 4 MiB of a row's text is 128 cells of 32 KiB.
	if diff := cmp.Diff([]string{"128 header cells, 0 rows", "0 header cells, 1 rows"}, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

// TestReadReportRowsRefusesSpreadsheetsOverBounds serves small files that
// unpack to more than the facade reads: each is refused before excelize
// opens it, FAILED_PRECONDITION, REPORT_TOO_LARGE_TO_READ, with the bound
// it passes; and one within every bound is read.
func TestReadReportRowsRefusesSpreadsheetsOverBounds(t *testing.T) {
	t.Parallel()
	text := func(n int) string { return strings.Repeat("a", n) }
	inline := func(n int) string { return `<c t="inlineStr"><is><t>` + text(n) + `</t></is></c>` }
	sharedRef := `<c t="s"><v>1</v></c>`
	// The shared strings: a short one, then one of 64 KiB.
	sharedStrings := sharedStringsPart(`<si><t>short</t></si><si><t>`+text(64<<10)+`</t></si>`, "", 0, "")
	header := `<row r="1">` + inline(6) + `</row>`
	tests := []struct {
		name  string
		parts []xlsxPart
		// want is in the refusal's message; "" reads the file.
		want string
	}{
		{
			name:  "within_every_bound",
			parts: workbookParts(sheetPart(header, `<row>`+strings.Repeat(`<c t="s"><v>0</v></c>`, 59)+sharedRef+`</row>`, 100, ""), sharedStrings),
		},
		{
			// The 0.5 MiB file of 512 MiB in a part that excelize would
			// hold in memory.
			name:  "media_of_512_MiB",
			parts: workbookParts(sheetPart(header, "", 0, ""), xlsxPart{name: "xl/media/blob.bin", head: "PNG", declared: 512 << 20}),
			want:  "its parts unpack to over 256 MiB",
		},
		{
			name:  "part_in_memory_over_256_KiB",
			parts: workbookParts(sheetPart(header, "", 0, ""), xlsxPart{name: "xl/media/blob.bin", unit: "\x00", n: 300 << 10}),
			want:  "part xl/media/blob.bin unpacks to 300 KiB, over 256 KiB",
		},
		{
			name: "parts_in_memory_over_1_MiB",
			parts: workbookParts(sheetPart(header, "", 0, ""),
				xlsxPart{name: "xl/media/1.bin", unit: "1", n: 250 << 10}, xlsxPart{name: "xl/media/2.bin", unit: "2", n: 250 << 10},
				xlsxPart{name: "xl/media/3.bin", unit: "3", n: 250 << 10}, xlsxPart{name: "xl/media/4.bin", unit: "4", n: 250 << 10},
				xlsxPart{name: "xl/media/5.bin", unit: "5", n: 250 << 10}),
			want: "the parts read into memory unpack to over 1 MiB",
		},
		{
			// 25,000 parts: excelize would hold each.
			name: "list_of_parts_over_2_MiB",
			parts: func() []xlsxPart {
				parts := workbookParts(sheetPart(header, "", 0, ""))
				for i := range 25_000 {
					parts = append(parts, xlsxPart{name: fmt.Sprintf("xl/media/%064d", i), stored: true})
				}
				return parts
			}(),
			want: "its list of parts is over 2 MiB",
		},
		{
			// Excelize indexes every shared string in memory, whatever
			// its length: 1,000,001 empty ones in 5 MB of XML.
			name:  "shared_strings_over_a_million",
			parts: workbookParts(sheetPart(header, "", 0, ""), sharedStringsPart("", "<si/>", 1_000_001, "")),
			want:  "its shared strings are over 1000000",
		},
		{
			// 160 cells naming the shared string of 64 KiB: 10 MiB of
			// values from 3 KiB of XML.
			name:  "row_of_shared_strings_over_8_MiB",
			parts: workbookParts(sheetPart(header+`<row r="2">`+strings.Repeat(sharedRef, 160)+`</row>`, "", 0, ""), sharedStrings),
			want:  "part xl/worksheets/sheet1.xml holds a row whose values, as read, are over 8 MiB",
		},
		{
			// Rows numbered alike are one row to excelize's reader: 20 of
			// 640 KiB each.
			name:  "rows_numbered_alike_over_8_MiB",
			parts: workbookParts(sheetPart(header, `<row r="2">`+strings.Repeat(sharedRef, 10)+`</row>`, 20, ""), sharedStrings),
			want:  "part xl/worksheets/sheet1.xml holds a row whose values, as read, are over 8 MiB",
		},
		{
			// A number format of 32 text placeholders repeats a text of
			// 300 KiB 32 times.
			name: "number_format_repeating_text",
			parts: workbookParts(sheetPart(header+`<row r="2"><c r="A2" s="1" t="inlineStr"><is><t>`+text(300<<10)+`</t></is></c></row>`, "", 0, ""),
				xlsxPart{name: "xl/styles.xml", head: `<styleSheet ` + xlsxMain + `><numFmts count="1"><numFmt numFmtId="164" formatCode="` + strings.Repeat("@", 32) + `"/></numFmts>` +
					`<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>`}),
			want: "part xl/worksheets/sheet1.xml holds a row whose values, as read, are over 8 MiB",
		},
		{
			name:  "cell_over_1_MiB",
			parts: workbookParts(sheetPart(header+`<row r="2">`+inline(1<<20)+`</row>`, "", 0, "")),
			want:  "part xl/worksheets/sheet1.xml holds a cell or shared string over 1 MiB of XML",
		},
		{
			name:  "elements_nested_too_deep",
			parts: workbookParts(sheetPart(header+strings.Repeat("<x>", 40)+strings.Repeat("</x>", 40), "", 0, "")),
			want:  "part xl/worksheets/sheet1.xml nests XML elements over 32 deep",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newManualClock()
			st := facadetest.Start(t, facadetest.Options{Sandbox: sandbox.Config{Now: clock.sandbox()}})
			id, _ := finishedRun(t, st, clock)
			serveFile(st, craftXLSX(t, tt.parts...))

			header, _, count, _, err := readRows(t, st, id, 0)

			if tt.want == "" {
				if err != nil || len(header) != 1 || count != 100 {
					t.Errorf("ReadReportRows() = header %d cells, %d rows, error %v; want 1 cell, 100 rows", len(header), count, err)
				}
				return
			}
			if connect.CodeOf(err) != connect.CodeFailedPrecondition || rpcerr.Reason(err) != service.ReasonReportTooLargeToRead || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadReportRows() = %d rows, error %v (reason %q); want FailedPrecondition, %s, %q", count, err, rpcerr.Reason(err), service.ReasonReportTooLargeToRead, tt.want)
			}
		})
	}
}

// TestReadReportRowsTakesTurns reads with room for one read at a time:
// while one waits for its file, another is refused RESOURCE_EXHAUSTED,
// REPORT_READS_BUSY, without fetching anything; once the first ends, a
// third reads.
func TestReadReportRowsTakesTurns(t *testing.T) {
	t.Parallel()
	file := craftXLSX(t, workbookParts(sheetPart(`<row><c t="inlineStr"><is><t>name</t></is></c></row>`, `<row><c><v>1</v></c></row>`, 10, ""))...)
	arrived, release := make(chan struct{}), make(chan struct{})
	var fetches atomic.Int64
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetches.Add(1) == 1 {
			// The first read holds its turn until released.
			w.Header().Set("Content-Length", fmt.Sprint(len(file)))
			_, _ = w.Write(file[:100])
			http.NewResponseController(w).Flush()
			close(arrived)
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		} else {
			_, _ = w.Write(file[:100])
		}
		_, _ = w.Write(file[100:])
	}))
	t.Cleanup(host.Close)
	clock := newManualClock()
	st := facadetest.Start(t, facadetest.Options{
		Sandbox:     sandbox.Config{Now: clock.sandbox(), FilesURL: host.URL},
		ReportFiles: upstream.Files{Hosts: []string{strings.TrimPrefix(host.URL, "http://")}},
		ReportReads: service.ReportReads{Max: 1, Wait: time.Millisecond},
	})
	id, _ := finishedRun(t, st, clock)
	type result struct {
		count int
		err   error
	}
	first := make(chan result, 1)
	go func() {
		_, _, count, _, err := readRows(t, st, id, 0)
		first <- result{count, err}
	}()
	<-arrived

	_, _, _, _, busy := readRows(t, st, id, 0)
	close(release)
	got := <-first
	_, _, count, _, err := readRows(t, st, id, 0)

	if connect.CodeOf(busy) != connect.CodeResourceExhausted || rpcerr.Reason(busy) != service.ReasonReportReadsBusy {
		t.Errorf("ReadReportRows() during another = error %v (reason %q), want ResourceExhausted, %s", busy, rpcerr.Reason(busy), service.ReasonReportReadsBusy)
	}
	if got.err != nil || got.count != 10 || err != nil || count != 10 {
		t.Errorf("ReadReportRows() = %d rows, error %v, and after it %d rows, error %v; want 10 rows each", got.count, got.err, count, err)
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("the file was fetched %d times, want 2: not for the read refused", n)
	}
}
