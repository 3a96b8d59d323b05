package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"github.com/xuri/excelize/v2"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/upstream"
)

// Report files: DownloadReportRun passes a succeeded run's file on in
// chunks; ReadReportRows parses it with excelize's streaming row reader.

// Limits of report files.
const (
	// downloadChunk is the most file bytes a DownloadReportRun message holds.
	downloadChunk = 64 << 10
	// defaultRowsPerMessage and maxRowBatchBytes end a ReadReportRows
	// message: at so many rows, or once its cells hold about 1 MiB.
	defaultRowsPerMessage = 500
	maxRowBatchBytes      = 1 << 20
	// maxCellsPerRow bounds the cells of a row; more are dropped and the
	// row marked truncated.
	maxCellsPerRow = 1024
	// maxCellBytes bounds a cell's text; longer text is cut at a
	// character boundary and the cell marked truncated. Spreadsheet
	// applications hold at most 32,767 characters in a cell.
	maxCellBytes = 32 << 10
	// maxRowBytes bounds the text of a row; the cells after are dropped
	// and the row marked truncated, so that a message of one row stays
	// under the server's 8 MiB message limit.
	maxRowBytes = 4 << 20
)

// ReportReads bounds the ReadReportRows calls of a process. A zero field
// selects the default documented on it.
type ReportReads struct {
	// Max is how many calls may read a spreadsheet at once: from the
	// download of its file to the end of its rows. Zero means
	// DefaultReportReads.
	Max int
	// Wait bounds how long a call waits for its turn, within its own
	// deadline; a call whose turn does not come by then is refused with
	// RESOURCE_EXHAUSTED, REPORT_READS_BUSY. Zero means 10 s.
	Wait time.Duration
}

// DefaultReportReads is ReportReads.Max by default: each read may hold
// about 100 MiB of memory and 600 MiB of temporary files at worst (see
// checkSpreadsheet), so that two fit in the deployment's 512 MiB memory
// limit beside the caches, and in its 2 GiB /tmp.
const DefaultReportReads = 2

func (r ReportReads) withDefaults() ReportReads {
	if r.Max <= 0 {
		r.Max = DefaultReportReads
	}
	if r.Wait <= 0 {
		r.Wait = 10 * time.Second
	}
	return r
}

// readTurn waits for the turn of a ReadReportRows call, and returns the
// function that ends it.
func (s *ReportService) readTurn(ctx context.Context, id string) (func(), error) {
	done := func() { <-s.reads }
	select {
	case s.reads <- struct{}{}:
		return done, nil
	default:
	}
	wait := time.NewTimer(s.readWait)
	defer wait.Stop()
	select {
	case s.reads <- struct{}{}:
		return done, nil
	case <-ctx.Done():
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err()
		}
	case <-wait.C:
	}
	cerr := rpcerr.New(connect.CodeResourceExhausted,
		fmt.Errorf("report run %s: %d reads of report rows are under way on this replica, the most it runs at once; try again shortly", id, cap(s.reads)),
		ReasonReportReadsBusy, map[string]string{"report_run_id": id})
	return nil, rpcerr.RetryAfter(cerr, s.readWait)
}

// openResult reads run id and opens its file: the run must have
// succeeded and its link must not have expired by the upstream's clock.
func (s *ReportService) openResult(ctx context.Context, token upstream.Token, id string) (*upstream.ReportRunResult, *upstream.File, error) {
	run, err := s.upstream.GetReportRun(ctx, token, id)
	if err != nil {
		return nil, nil, s.upstreamError(ctx, err)
	}
	res := run.Result
	if run.Status != upstream.ReportRunSucceeded || res == nil || res.URL == "" {
		return nil, nil, notFinished(id, reportRunToProto(run))
	}
	if !run.Served.IsZero() && !res.ExpiresOn.IsZero() && !run.Served.Before(res.ExpiresOn.Time) {
		return nil, nil, resultExpired(id, fmt.Errorf("report run %s: its result expired at %s", id, res.ExpiresOn.UTC().Format("2006-01-02T15:04:05Z")))
	}
	f, err := s.upstream.OpenReportFile(ctx, token, res.URL)
	if err != nil {
		if errors.Is(err, upstream.ErrFileLinkExpired) {
			return nil, nil, resultExpired(id, fmt.Errorf("report run %s: %w", id, err))
		}
		return nil, nil, s.upstreamError(ctx, err)
	}
	return res, f, nil
}

// resultExpired is FAILED_PRECONDITION, REPORT_RESULT_EXPIRED.
func resultExpired(id string, err error) *connect.Error {
	return rpcerr.New(connect.CodeFailedPrecondition, fmt.Errorf("%w; run the report again", err),
		ReasonReportResultExpired, map[string]string{"report_run_id": id})
}

// DownloadReportRun implements betterworksv1connect.ReportServiceHandler.
func (s *ReportService) DownloadReportRun(ctx context.Context, req *betterworksv1.DownloadReportRunRequest, stream *connect.ServerStream[betterworksv1.DownloadReportRunResponse]) error {
	token, err := callerToken(ctx)
	if err != nil {
		return err
	}
	res, f, err := s.openResult(ctx, token, req.GetReportRunId())
	if err != nil {
		return err
	}
	defer f.Close()
	ctype := res.Type
	if ctype == "" {
		ctype = f.ContentType
	}
	err = stream.Send(&betterworksv1.DownloadReportRunResponse{File: &betterworksv1.ReportFile{Filename: res.Filename, ContentType: ctype, Size: f.Size}})
	if err != nil {
		return err
	}
	buf := make([]byte, downloadChunk)
	for {
		n, err := io.ReadFull(f.Body, buf)
		if n > 0 {
			// Send marshals before it returns, so buf is free again.
			if err := stream.Send(&betterworksv1.DownloadReportRunResponse{Data: buf[:n]}); err != nil {
				return err
			}
		}
		// io.ReadFull's own io.EOF and io.ErrUnexpectedEOF, compared as
		// such, end the file; a body cut short fails with an error that
		// wraps io.ErrUnexpectedEOF, which fails the call.
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return nil
		case err != nil:
			return s.upstreamError(ctx, err)
		}
	}
}

// ReadReportRows implements betterworksv1connect.ReportServiceHandler.
func (s *ReportService) ReadReportRows(ctx context.Context, req *betterworksv1.ReadReportRowsRequest, stream *connect.ServerStream[betterworksv1.ReadReportRowsResponse]) error {
	token, err := callerToken(ctx)
	if err != nil {
		return err
	}
	id := req.GetReportRunId()
	done, err := s.readTurn(ctx, id)
	if err != nil {
		return err
	}
	defer done()
	_, f, err := s.openResult(ctx, token, id)
	if err != nil {
		return err
	}
	// The file and whatever excelize unpacks go to a directory of this
	// call's own, removed when the call ends: excelize cannot remove the
	// files of a workbook it fails to open, and returns none to close.
	dir, err := os.MkdirTemp("", "bwfacade-report-")
	if err != nil {
		f.Close()
		return connect.NewError(connect.CodeInternal, fmt.Errorf("report run %s: a temporary directory: %w", id, err))
	}
	defer os.RemoveAll(dir)
	path, err := s.saveFile(ctx, id, f, dir)
	if err != nil {
		return err
	}
	book, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: sheetInMemory, UnzipSizeLimit: maxUnzipped, TmpDir: dir})
	if book != nil {
		// Also when err is set: excelize returns the workbook with the
		// error of a part it read after unpacking the sheets.
		defer book.Close()
	}
	if err != nil {
		return notSpreadsheet(id, err)
	}
	// excelize holds what it reads of the file, in memory or unpacked.
	_ = os.Remove(path)
	sheets := book.GetSheetList()
	if len(sheets) == 0 {
		return notSpreadsheet(id, errors.New("no sheet"))
	}
	// Two readers of one sheet in step: one gives the values as the sheet
	// shows them (dates formatted, booleans TRUE and FALSE), the other as
	// stored, and the pair tells the types apart.
	shown, err := book.Rows(sheets[0])
	if err != nil {
		return notSpreadsheet(id, err)
	}
	defer shown.Close()
	stored, err := book.Rows(sheets[0])
	if err != nil {
		return notSpreadsheet(id, err)
	}
	defer stored.Close()

	limit := int(req.GetRowsPerMessage())
	if limit == 0 {
		limit = defaultRowsPerMessage
	}
	var (
		msg    = &betterworksv1.ReadReportRowsResponse{}
		bytes  int
		header = true
		number int64
	)
	flush := func() error {
		if len(msg.Rows) == 0 && msg.Header == nil {
			return nil
		}
		err := stream.Send(msg)
		msg, bytes = &betterworksv1.ReadReportRowsResponse{}, 0
		return err
	}
	for shown.Next() && stored.Next() {
		number++
		texts, err := shown.Columns()
		if err != nil {
			return notSpreadsheet(id, err)
		}
		raws, err := stored.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return notSpreadsheet(id, err)
		}
		if len(texts) == 0 {
			continue
		}
		row, size := readRow(number, texts, raws)
		if header {
			header = false
			for _, c := range row.GetCells() {
				msg.Header = append(msg.Header, cellText(c))
			}
			if msg.Header == nil {
				msg.Header = []string{}
			}
			// The header counts toward the message's size; one of about
			// 1 MiB or more goes alone, so that a message stays within
			// the server's limit whatever the rows after it hold.
			if bytes = size; bytes >= maxRowBatchBytes {
				if err := flush(); err != nil {
					return err
				}
			}
			continue
		}
		msg.Rows = append(msg.Rows, row)
		if bytes += size; len(msg.Rows) >= limit || bytes >= maxRowBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := shown.Error(); err != nil {
		return notSpreadsheet(id, err)
	}
	return flush()
}

// saveFile downloads f, which it closes, into dir and checks it against
// the bounds of spreadsheets: the file is read from disk, never held in
// memory whole. It returns the file's path.
func (s *ReportService) saveFile(ctx context.Context, id string, f *upstream.File, dir string) (string, error) {
	defer f.Close()
	file, err := os.CreateTemp(dir, "report-*.xlsx")
	if err != nil {
		return "", connect.NewError(connect.CodeInternal, fmt.Errorf("report run %s: a temporary file: %w", id, err))
	}
	defer file.Close()
	body := &errorRecorder{r: f.Body}
	n, err := io.Copy(file, body)
	switch {
	case body.err != nil: // the download failed, or the file is over the limit
		return "", s.upstreamError(ctx, body.err)
	case err != nil:
		return "", connect.NewError(connect.CodeInternal, fmt.Errorf("report run %s: writing its file: %w", id, err))
	}
	if err := checkSpreadsheet(ctx, file, n); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if tl := (*tooLargeError)(nil); errors.As(err, &tl) {
			return "", rpcerr.New(connect.CodeFailedPrecondition,
				fmt.Errorf("report run %s: its spreadsheet is over what the facade reads: %w; DownloadReportRun serves the file itself", id, err),
				ReasonReportTooLargeToRead, map[string]string{"report_run_id": id})
		}
		return "", notSpreadsheet(id, err)
	}
	return file.Name(), nil
}

// errorRecorder keeps the error, other than io.EOF, that reading r
// ended with.
type errorRecorder struct {
	r   io.Reader
	err error
}

func (e *errorRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		e.err = err
	}
	return n, err
}

// notSpreadsheet is FAILED_PRECONDITION, REPORT_NOT_SPREADSHEET.
func notSpreadsheet(id string, err error) *connect.Error {
	return rpcerr.New(connect.CodeFailedPrecondition,
		fmt.Errorf("report run %s: its file is not an .xlsx spreadsheet: %w", id, err),
		ReasonReportNotSpreadsheet, map[string]string{"report_run_id": id})
}

// readRow types a row's cells from their shown and stored values, within
// the limits on cells and bytes, and returns it with an estimate of its
// size.
func readRow(number int64, texts, raws []string) (*betterworksv1.ReportRow, int) {
	row := &betterworksv1.ReportRow{Number: number}
	size := 0
	for i, text := range texts {
		if i >= maxCellsPerRow || size >= maxRowBytes {
			row.Truncated = true
			break
		}
		raw := ""
		if i < len(raws) {
			raw = raws[i]
		}
		c := typedCell(text, raw)
		row.Cells = append(row.Cells, c)
		size += 16 + len(c.GetStringValue())
	}
	return row, size
}

// dateText matches how number formats show dates and times, such as
// 2025-01-31, 1/31/25, 31.01.2025 or 13:45.
var dateText = regexp.MustCompile(`^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}|(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)`)

// typedCell types one cell. Booleans are stored 1 or 0 and shown TRUE or
// FALSE; dates are stored as serial numbers and shown as dates; numbers
// are stored as numbers in canonical form; everything else is text, as
// shown. Text that is itself a number in canonical form reads as a number.
func typedCell(text, raw string) *betterworksv1.ReportCell {
	switch {
	case text == "" && raw == "":
		return &betterworksv1.ReportCell{}
	case raw == "1" && text == "TRUE", raw == "0" && text == "FALSE":
		return &betterworksv1.ReportCell{Value: &betterworksv1.ReportCell_BoolValue{BoolValue: raw == "1"}}
	}
	if v, ok := canonicalNumber(raw); ok {
		if text != raw && dateText.MatchString(text) {
			if t, err := excelize.ExcelDateToTime(v, false); err == nil {
				return &betterworksv1.ReportCell{Value: &betterworksv1.ReportCell_DateValue{DateValue: timestamppb.New(t.UTC())}}
			}
		}
		return &betterworksv1.ReportCell{Value: &betterworksv1.ReportCell_NumberValue{NumberValue: v}}
	}
	cut := truncateUTF8(text, maxCellBytes)
	return &betterworksv1.ReportCell{Value: &betterworksv1.ReportCell_StringValue{StringValue: cut}, Truncated: len(cut) < len(text)}
}

// canonicalNumber reads s as a number written as spreadsheets store
// numbers: no leading zeros, spaces or signs but minus.
func canonicalNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	for _, form := range []byte{'f', 'E', 'e'} {
		if strconv.FormatFloat(v, form, -1, 64) == s {
			return v, true
		}
	}
	return 0, false
}

// cellText returns a header cell as text.
func cellText(c *betterworksv1.ReportCell) string {
	switch v := c.GetValue().(type) {
	case *betterworksv1.ReportCell_StringValue:
		return v.StringValue
	case *betterworksv1.ReportCell_NumberValue:
		return strconv.FormatFloat(v.NumberValue, 'f', -1, 64)
	case *betterworksv1.ReportCell_BoolValue:
		return strconv.FormatBool(v.BoolValue)
	case *betterworksv1.ReportCell_DateValue:
		return v.DateValue.AsTime().Format("2006-01-02T15:04:05Z")
	}
	return ""
}

// truncateUTF8 returns at most n bytes of s, cut at a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
