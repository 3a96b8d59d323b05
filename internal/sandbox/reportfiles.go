package sandbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
)

// Report files. A succeeded run's result.url points at the sandbox itself,
// outside the API:
//
//	/files/report_runs/{id}/{filename}?expires={unix seconds}&signature={hex}
//
// on the scheme and host the run was read through, so that a client that
// reaches the API reaches the file. The link is signed (HMAC-SHA256 of the
// path and expiry under a key derived from the seed) like an S3 pre-signed
// URL, and served without an API token. It answers as S3 does: the
// spreadsheet with 200 until result.expires_on (by Config.Now), then 403
// with an XML body (Code AccessDenied, "Request has expired"); a bad or
// missing signature is 403 SignatureDoesNotMatch, an unknown run or name
// 404 NoSuchKey. Faults apply, named FilesEndpoint.
//
// The file is a real .xlsx written with excelize's stream writer: one
// sheet, a header row, then one row per seeded object the report is about
// (goals, people), or exactly ReportRunConfig.Rows rows, cycling through
// them. It is written at the first download and kept with its run.

// FilesEndpoint names downloads of report files in the request log
// (Request.Endpoint, Count) and in faults (Fault.Endpoint). It is not an
// operation of the API, so Endpoints does not list it.
const FilesEndpoint = "GET /files/report_runs/{id}/{name}"

// filesPrefix is the path report files live under.
const filesPrefix = "/files/report_runs/"

// xlsxType is the media type of report files.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// reportFile is a run's spreadsheet, written once.
type reportFile struct {
	once sync.Once
	data []byte
	err  error
}

// fileSigner signs the links of report files.
type fileSigner struct{ key []byte }

func newFileSigner(seed int64) fileSigner {
	sum := sha256.Sum256([]byte("sandbox report files " + strconv.FormatInt(seed, 10)))
	return fileSigner{key: sum[:]}
}

func (f fileSigner) sign(path string, expires int64) string {
	mac := hmac.New(sha256.New, f.key)
	mac.Write([]byte(path + "\n" + strconv.FormatInt(expires, 10)))
	return hex.EncodeToString(mac.Sum(nil))
}

// fileURL returns the signed link of a run's file, on base (scheme and
// host).
func (f fileSigner) fileURL(base string, id int64, filename string, expires time.Time) string {
	path := filesPrefix + itoa(id) + "/" + filename
	exp := expires.Unix()
	return base + path + "?expires=" + strconv.FormatInt(exp, 10) + "&signature=" + f.sign(path, exp)
}

// requestBase returns Config.FilesURL, or else the scheme and host r
// reached the sandbox on.
func (s *Sandbox) requestBase(r *http.Request) string {
	if s.filesURL != "" {
		return s.filesURL
	}
	if r == nil || r.Host == "" {
		return "http://sandbox.invalid"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// s3Error writes an S3-style XML error.
func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, message)
}

// statusHook calls before with the status just before writing it.
type statusHook struct {
	http.ResponseWriter
	before func(status int)
}

func (h *statusHook) WriteHeader(status int) {
	if h.before != nil {
		h.before(status)
		h.before = nil
	}
	h.ResponseWriter.WriteHeader(status)
}

// serveFile serves GET and HEAD of a report file; it reports the status
// it answered.
func (s *Sandbox) serveFile(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return http.StatusMethodNotAllowed
	}
	rest := strings.TrimPrefix(r.URL.Path, filesPrefix)
	idText, name, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	q := r.URL.Query()
	expires, expErr := strconv.ParseInt(q.Get("expires"), 10, 64)
	if expErr != nil || !hmac.Equal([]byte(s.signer.sign(r.URL.Path, expires)), []byte(q.Get("signature"))) {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return http.StatusForbidden
	}
	now := s.now()
	if !now.Before(time.Unix(expires, 0)) {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return http.StatusForbidden
	}
	s.mu.RLock()
	var run *reportRun
	if err == nil {
		run = s.st.reportRuns.get(id)
	}
	var status, filename string
	if run != nil {
		status, _ = run.state(now)
		filename = run.filename()
	}
	s.mu.RUnlock()
	if run == nil || status != "succeeded" || name != filename {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return http.StatusNotFound
	}
	data, err := s.reportFileData(run)
	if err != nil {
		s3Error(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		return http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
	return http.StatusOK
}

// reportFileData returns run's spreadsheet, writing it the first time.
func (s *Sandbox) reportFileData(run *reportRun) ([]byte, error) {
	run.file.once.Do(func() {
		s.mu.RLock()
		sheet := s.st.reportSheet(canonicalReport(run.report), run.template)
		s.mu.RUnlock()
		rows := s.reportRows
		if rows <= 0 {
			rows = len(sheet.rows)
		}
		run.file.data, run.file.err = writeSheet(sheet, rows)
	})
	return run.file.data, run.file.err
}

// sheetData is a report's columns and the seeded rows it cycles through.
type sheetData struct {
	header []string
	rows   [][]any
}

// reportSheet returns the columns of kind (canonical) and a row per seeded
// object it is about.
func (st *store) reportSheet(kind string, template int64) sheetData {
	deptName := func(id int64) string {
		if d := st.departments.get(id); d != nil {
			return d.name
		}
		return ""
	}
	userName := func(id int64) string {
		if u := st.users.get(id); u != nil {
			return u.name()
		}
		return ""
	}
	var out sheetData
	switch kind {
	case "all_goals", "all_goals_and_milestones":
		out.header = []string{"Goal ID", "Name", "Owner", "Key result", "Progress", "Start", "End", "Updated"}
		for _, g := range st.goals.all() {
			if g.isKR && kind == "all_goals" {
				continue
			}
			out.rows = append(out.rows, []any{g.id, g.name, userName(g.ownerUser), g.isKR, g.m.progress, day(g.start), day(g.end), g.updated})
		}
	case "conversation_adoption", "feedback_adoption":
		out.header = []string{"User ID", "Name", "Department", "Template ID", "Completed", "Last activity"}
		for i, u := range st.users.all() {
			out.rows = append(out.rows, []any{u.id, u.name(), deptName(u.departmentID), template, i%3 != 0, u.modifiedOn})
		}
	case "conversation_answers", "feedback_answers":
		out.header = []string{"User ID", "Name", "Template ID", "Question", "Answer", "Answered on"}
		for i, u := range st.users.all() {
			out.rows = append(out.rows, []any{u.id, u.name(), template, "How did the last quarter go?", answers[i%len(answers)], u.modifiedOn})
		}
	case "recognition":
		out.header = []string{"Recognition ID", "From", "To", "Created"}
		for _, r := range st.recognitions.all() {
			to := userName(r.forUser)
			if r.forUser == 0 {
				to = deptName(r.forGroup)
			}
			out.rows = append(out.rows, []any{r.id, userName(r.authorID), to, r.created})
		}
	default: // user_activity
		out.header = []string{"User ID", "Name", "Email", "Department", "Active", "Last modified"}
		for _, u := range st.users.all() {
			out.rows = append(out.rows, []any{u.id, u.name(), u.email, deptName(u.departmentID), u.active, u.modifiedOn})
		}
	}
	return out
}

var answers = []string{"Well: we shipped what we planned.", "Mixed; hiring took longer than hoped.", "We missed the launch date by two weeks."}

// writeSheet writes an .xlsx of sheet's header and n rows, cycling through
// sheet's rows; times are written as dates (yyyy-mm-dd hh:mm:ss).
func writeSheet(sheet sheetData, n int) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const name = "Report"
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	format := "yyyy-mm-dd hh:mm:ss"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	header := make([]any, len(sheet.header))
	for i, h := range sheet.header {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	if len(sheet.rows) == 0 {
		n = 0
	}
	values := make([]any, len(sheet.header))
	for i := range n {
		src := sheet.rows[i%len(sheet.rows)]
		for j, v := range src {
			if t, ok := v.(time.Time); ok {
				v = excelize.Cell{StyleID: dateStyle, Value: t.UTC()}
			}
			values[j] = v
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return nil, err
		}
		if err := sw.SetRow(cell, values); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
