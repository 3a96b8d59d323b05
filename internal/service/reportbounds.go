package service

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html/charset"
)

// Bounds of the spreadsheets ReadReportRows reads. excelize keeps in
// memory every part of a workbook but the worksheets and the shared
// strings larger than sheetInMemory, which it unpacks to temporary files;
// it parses some of those parts into structures many times their size
// (styles up to 70 times); it indexes the shared strings in memory (40 to
// 70 bytes each, whatever their length); and it reads a row whole, with
// every shared string a cell names and what number formats add. A file of
// a few KiB may hold any of that in gigabytes. checkSpreadsheet measures
// all of it before excelize opens the file, from the zip's directory and
// one pass over each part, and refuses a file over any bound: a call
// holds at most about 100 MiB of memory and 600 MiB of temporary files
// (the download, the unpacked parts, the shared strings' text).
const (
	// sheetInMemory is the largest worksheet or shared strings part
	// (uncompressed XML) excelize keeps in memory
	// (Options.UnzipXMLSizeLimit); larger ones are unpacked to temporary
	// files and read from there.
	sheetInMemory = 256 << 10
	// maxPartInMemory bounds every other part (styles, theme, media,
	// whatever its name): excelize keeps them all in memory.
	maxPartInMemory = 256 << 10
	// maxInMemory bounds the parts kept in memory together.
	maxInMemory = 1 << 20
	// maxUnzipped bounds the uncompressed size of all parts together
	// (Options.UnzipSizeLimit): what one call may unpack.
	maxUnzipped = 256 << 20
	// maxDirectoryRead bounds what archive/zip reads to find and list the
	// parts, which it holds at about 300 bytes each: at most about
	// 20,000 parts.
	maxDirectoryRead = 2 << 20
	// maxSharedStrings bounds the shared strings excelize indexes in
	// memory.
	maxSharedStrings = 1_000_000
	// maxXMLToken bounds an XML token (a run of text, a comment): the XML
	// decoder holds one whole. maxXMLTag bounds a start tag, and
	// maxXMLDepth how deep elements nest: the decoder holds every open
	// element's tag.
	maxXMLToken = 1 << 20
	maxXMLTag   = 64 << 10
	maxXMLDepth = 32
	// maxCellXML bounds the XML of a cell and of a shared string. A cell
	// holds at most 32,767 characters; 1 MiB leaves room for markup and
	// escapes.
	maxCellXML = 1 << 20
	// maxRowValues bounds the values of a row as excelize reads it:
	// shared strings resolved, number formats applied. ReadReportRows
	// reads each row twice, as shown and as stored.
	maxRowValues = 8 << 20
)

// sharedStringsPath is where excelize reads the shared strings.
const sharedStringsPath = "xl/sharedStrings.xml"

// tooLargeError is a spreadsheet over one of the bounds.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string { return e.msg }

func tooLarge(format string, args ...any) error {
	return &tooLargeError{msg: fmt.Sprintf(format, args...)}
}

// sizeText formats n bytes for a refusal.
func sizeText(n uint64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatUint(n>>20, 10) + " MiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatUint(n>>10, 10) + " KiB"
	}
	return strconv.FormatUint(n, 10) + " bytes"
}

// partKey is the name excelize files a zip entry under: backslashes read
// as slashes, and the content types and shared strings found whatever
// their case.
func partKey(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	switch strings.ToLower(name) {
	case "[content_types].xml":
		return "[Content_Types].xml"
	case strings.ToLower(sharedStringsPath):
		return sharedStringsPath
	}
	return name
}

// unpacked reports whether excelize unpacks the part to a temporary file
// rather than keeping it in memory.
func unpacked(f *zip.File) bool {
	if f.UncompressedSize64 <= sheetInMemory {
		return false
	}
	key := partKey(f.Name)
	return key == sharedStringsPath ||
		strings.HasPrefix(strings.ToLower(key), "xl/worksheets/sheet") && !f.FileInfo().IsDir()
}

// checkSpreadsheet checks the spreadsheet r holds (n bytes) against the
// bounds before excelize opens it. It returns a *tooLargeError for a file
// over a bound, another error for a file excelize would fail to open (not
// a zip, a part that does not inflate or fails its checksum, XML in an
// encoding it does not know), and nil for a file excelize may open.
//
// The sizes it reads from the zip's directory hold: archive/zip fails a
// part that inflates to more than its recorded size. It reads the XML of
// each part as excelize's decoders read it, up to where they would stop at
// an XML error. It stops when ctx ends.
func checkSpreadsheet(ctx context.Context, r io.ReaderAt, n int64) error {
	dir := &directoryReader{r: r, left: maxDirectoryRead}
	zr, err := zip.NewReader(dir, n)
	if dir.over {
		return tooLarge("its list of parts is over %s", sizeText(maxDirectoryRead))
	}
	if err != nil {
		return err
	}
	dir.left = -1 // the parts' data, read in full below
	var (
		keys            = make(map[string]bool, len(zr.File))
		total, inMemory uint64
		sharedStrings   *zip.File
	)
	for _, f := range zr.File {
		key := partKey(f.Name)
		if keys[key] {
			return fmt.Errorf("part %s appears twice", key)
		}
		keys[key] = true
		n := f.UncompressedSize64
		if n > maxUnzipped || total+n > maxUnzipped {
			return tooLarge("its parts unpack to over %s", sizeText(maxUnzipped))
		}
		total += n
		if key == sharedStringsPath {
			sharedStrings = f
		}
		if unpacked(f) {
			continue
		}
		if n > maxPartInMemory {
			return tooLarge("part %s unpacks to %s, over %s", key, sizeText(n), sizeText(maxPartInMemory))
		}
		if inMemory += n; inMemory > maxInMemory {
			return tooLarge("the parts read into memory unpack to over %s", sizeText(maxInMemory))
		}
	}
	// First what bounds a row's values: the shared strings' lengths, and
	// the number formats, which excelize reads from the styles, a part
	// in memory. Then every part is read as the sheet: whichever part
	// the workbook names, excelize reads.
	var b rowBounds
	if sharedStrings != nil {
		if err := scanPart(ctx, sharedStrings, b.scanSharedStrings(!unpacked(sharedStrings))); err != nil {
			return err
		}
	}
	for _, f := range zr.File {
		if !unpacked(f) {
			if err := scanPart(ctx, f, b.scanFormats); err != nil {
				return err
			}
		}
	}
	b.text = max(1, b.textPlaceholders)
	b.cellExtra = 2<<10 + 6*b.formatBytes
	for _, f := range zr.File {
		err := scanPart(ctx, f, func(s *partScan) error {
			return (&rowScan{s: s, b: &b}).run()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// directoryReader reads the zip for archive/zip: at most left bytes,
// while left is not negative.
type directoryReader struct {
	r    io.ReaderAt
	left int64
	over bool
}

var errDirectoryRead = errors.New("the zip's directory is too large")

func (d *directoryReader) ReadAt(p []byte, off int64) (int, error) {
	if d.left < 0 {
		return d.r.ReadAt(p, off)
	}
	if int64(len(p)) > d.left {
		d.over = true
		return 0, errDirectoryRead
	}
	n, err := d.r.ReadAt(p, off)
	d.left -= int64(n)
	return n, err
}

// partScan reads the XML of one part as excelize's decoder reads it,
// within the bounds on tokens, tags, depth and cells.
type partScan struct {
	ctx   context.Context
	name  string
	src   *tokenBudget
	d     *xml.Decoder
	depth int
	// start is the offset where the latest token began.
	start int64
	// cell is the offset where the cell being read began, or -1.
	cell int64
	// tokens counts the tokens read.
	tokens int
}

// scanPart reads part f with scan, then reads the rest of it: a part
// that does not inflate, or fails its checksum, is refused, whatever its
// XML; excelize would read one it failed to unpack into memory.
func scanPart(ctx context.Context, f *zip.File, scan func(*partScan) error) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("part %s: %w", f.Name, err)
	}
	defer rc.Close()
	src := &tokenBudget{r: rc}
	d := xml.NewDecoder(src)
	d.CharsetReader = charset.NewReaderLabel // as excelize decodes
	s := &partScan{ctx: ctx, name: partKey(f.Name), src: src, d: d, cell: -1}
	if err := scan(s); err != nil {
		return err
	}
	if src.err != nil {
		return fmt.Errorf("part %s: %w", s.name, src.err)
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return fmt.Errorf("part %s: %w", s.name, err)
	}
	return nil
}

// next returns the next token, or nil where excelize's decoder stops: at
// the end, or at an XML error (it reads no further).
func (s *partScan) next() (xml.Token, error) {
	if s.tokens++; s.tokens%4096 == 0 && s.ctx.Err() != nil {
		return nil, s.ctx.Err()
	}
	s.start = s.d.InputOffset()
	s.src.left = maxXMLToken + 4<<10 // the decoder reads ahead up to 4 KiB
	tok, err := s.d.Token()
	var syntax *xml.SyntaxError
	switch {
	case s.src.over:
		return nil, tooLarge("part %s holds an XML token over %s", s.name, sizeText(maxXMLToken))
	case s.src.err != nil:
		return nil, fmt.Errorf("part %s: %w", s.name, s.src.err)
	case err == io.EOF, errors.As(err, &syntax):
		return nil, nil
	case err != nil: // such as an encoding it does not know
		return nil, fmt.Errorf("part %s: %w", s.name, err)
	}
	switch tok.(type) {
	case xml.StartElement:
		if s.offset()-s.start > maxXMLTag {
			return nil, tooLarge("part %s holds an XML tag over %s", s.name, sizeText(maxXMLTag))
		}
		if s.depth++; s.depth > maxXMLDepth {
			return nil, tooLarge("part %s nests XML elements over %d deep", s.name, maxXMLDepth)
		}
	case xml.EndElement:
		s.depth--
	}
	if s.cell >= 0 && s.offset()-s.cell > maxCellXML {
		return nil, tooLarge("part %s holds a cell or shared string over %s of XML", s.name, sizeText(maxCellXML))
	}
	return tok, nil
}

// offset is where the latest token ended.
func (s *partScan) offset() int64 { return s.d.InputOffset() }

// text reads the rest of the element just started, and returns its own
// text, as the XML decoder decodes an element into a string.
func (s *partScan) text() (string, error) {
	depth := s.depth
	var text []byte
	for {
		tok, err := s.next()
		if tok == nil || err != nil {
			return string(text), err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if s.depth == depth {
				text = append(text, t...)
			}
		case xml.EndElement:
			if s.depth < depth {
				return string(text), nil
			}
		}
	}
}

// skip reads the rest of the element just started.
func (s *partScan) skip() error {
	depth := s.depth
	for {
		tok, err := s.next()
		if tok == nil || err != nil {
			return err
		}
		if _, end := tok.(xml.EndElement); end && s.depth < depth {
			return nil
		}
	}
}

// tokenBudget reads a part for the XML decoder, at most left bytes
// before the decoder's next token, and keeps the error that reading
// ended with.
type tokenBudget struct {
	r    io.Reader
	left int64
	over bool
	err  error
}

var errTokenTooLarge = errors.New("an XML token is too large")

func (t *tokenBudget) Read(p []byte) (int, error) {
	if t.left <= 0 {
		t.over = true
		return 0, errTokenTooLarge
	}
	if int64(len(p)) > t.left {
		p = p[:t.left]
	}
	n, err := t.r.Read(p)
	t.left -= int64(n)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// rowBounds is what bounds the values of a row.
type rowBounds struct {
	// strings are the shared strings' lengths, by index: those of their
	// XML, which their text does not pass.
	strings []uint32
	// formatBytes is the length of the longest number format;
	// textPlaceholders the most text placeholders (@) in one, each of
	// which repeats a text value.
	formatBytes, textPlaceholders int
	// text multiplies the length of a styled cell's value; cellExtra is
	// added to it, for what a number format adds: the digits of a number
	// (some hundreds of bytes at most) and the format's own text, which
	// excelize may lengthen by rewriting namespaces in it.
	text, cellExtra int
}

// scanSharedStrings notes the length of each shared string in the order
// excelize indexes them: the si elements under the root when it keeps
// the part in memory, else every si not within another. When in memory,
// excelize first rewrites strict namespaces to transitional ones, which
// may lengthen a string: the length is doubled.
func (b *rowBounds) scanSharedStrings(inMemory bool) func(*partScan) error {
	return func(s *partScan) error {
		for {
			tok, err := s.next()
			if tok == nil || err != nil {
				return err
			}
			t, ok := tok.(xml.StartElement)
			if !ok || t.Name.Local != "si" || inMemory && s.depth != 2 {
				continue
			}
			if len(b.strings) == maxSharedStrings {
				return tooLarge("its shared strings are over %d", maxSharedStrings)
			}
			start := s.start
			s.cell = start
			if err := s.skip(); err != nil {
				return err
			}
			s.cell = -1
			n := s.offset() - start
			if inMemory {
				n *= 2
			}
			b.strings = append(b.strings, uint32(n))
		}
	}
}

// scanFormats notes the number formats of a part.
func (b *rowBounds) scanFormats(s *partScan) error {
	for {
		tok, err := s.next()
		if tok == nil || err != nil {
			return err
		}
		t, ok := tok.(xml.StartElement)
		if !ok || t.Name.Local != "numFmt" {
			continue
		}
		for _, a := range t.Attr {
			if strings.HasPrefix(a.Name.Local, "formatCode") {
				b.formatBytes = max(b.formatBytes, len(a.Value))
				b.textPlaceholders = max(b.textPlaceholders, strings.Count(a.Value, "@"))
			}
		}
	}
}

// rowScan follows excelize's row reader over a part as ReadReportRows
// calls it (Rows.Next, then Rows.Columns, row after row; rows.go of
// excelize v2.11.1, whose logic it copies: revisit it with excelize),
// and bounds the values of every row Columns would return instead of
// reading them. Where excelize's logic is not copied the bound only
// grows.
type rowScan struct {
	s               *partScan
	b               *rowBounds
	curRow, seekRow int
	// token is the row element Next read, which Columns takes first.
	token *xml.StartElement
	// stopped is set where excelize's reader fails: rows.err.
	stopped bool
	// rows, when not nil, is given the bound of every row Columns
	// returns, 0 for an empty one.
	rows func(int)
}

// blankColumns bounds what excelize adds to a row for the columns before
// a cell's: up to the last column, XFD, 16,384 empty strings.
const blankColumns = 16384 * 16

func (r *rowScan) run() error {
	for {
		ok, err := r.next()
		if !ok || err != nil {
			return err
		}
		if err := r.columns(); err != nil {
			return err
		}
	}
}

// next follows Rows.Next.
func (r *rowScan) next() (bool, error) {
	if r.stopped {
		return false, nil
	}
	r.seekRow++
	if r.curRow >= r.seekRow {
		return true, nil
	}
	for {
		tok, err := r.s.next()
		if tok == nil || err != nil {
			return false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "row" {
				r.curRow++
				n, _ := attrInt("r", t.Attr)
				if n > excelize.TotalRows {
					r.stopped = true
					return false, nil
				}
				if n != 0 {
					r.curRow = n
				}
				row := xml.CopyToken(t).(xml.StartElement)
				r.token = &row
				return true, nil
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				return false, nil
			}
		}
	}
}

// columns follows Rows.Columns and rowXMLHandler.
func (r *rowScan) columns() error {
	if r.curRow > r.seekRow {
		if r.rows != nil {
			r.rows(0)
		}
		return nil
	}
	row := blankColumns
	if r.rows != nil {
		defer func() { r.rows(row) }()
	}
	for {
		var tok xml.Token
		if r.token != nil {
			tok = *r.token
		} else {
			var err error
			if tok, err = r.s.next(); tok == nil || err != nil {
				return err
			}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "row" {
				n, err := attrInt("r", t.Attr)
				switch {
				case n > excelize.TotalRows:
					r.stopped = true
					return nil
				case n != 0:
					r.curRow = n
				case r.token == nil:
					r.curRow++
				}
				if r.curRow > r.seekRow {
					r.token = nil
					return nil
				}
				if err != nil { // Columns fails, and ReadReportRows with it
					r.stopped = true
					return nil
				}
			}
			if t.Name.Local == "c" {
				n, err := r.cell(t)
				if err != nil {
					return err
				}
				if row += n; row > maxRowValues {
					return tooLarge("part %s holds a row whose values, as read, are over %s", r.s.name, sizeText(maxRowValues))
				}
			}
			r.token = nil
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				return nil
			}
		}
	}
}

// cell follows xlsxC.cellXMLHandler and getValueFrom: it reads a cell and
// returns a bound of its value as shown, and of the empty string excelize
// adds to the row for it.
func (r *rowScan) cell(start xml.StartElement) (int, error) {
	const blank = 32
	var typ string
	styled := false
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "s":
			if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil {
				// excelize reads nothing more of the cell.
				return blank + r.b.cellExtra, nil
			}
			styled = a.Value != "0"
		case "t":
			typ = a.Value
		}
	}
	r.s.cell = r.s.start
	defer func() { r.s.cell = -1 }()
	var v string
	inline := 0
	for {
		tok, err := r.s.next()
		if err != nil {
			return 0, err
		}
		if tok == nil {
			break
		}
		if t, ok := tok.(xml.StartElement); ok {
			from := r.s.start
			switch t.Name.Local {
			case "v":
				v, err = r.s.text()
			case "f":
				err = r.s.skip()
			case "is":
				err = r.s.skip()
				inline += int(r.s.offset() - from)
			}
			if err != nil {
				return 0, err
			}
		}
		if t, ok := tok.(xml.EndElement); ok && t.Name == start.Name {
			break
		}
	}
	value := len(v) + inline
	if typ == "s" && v != "" {
		// As excelize reads the index: one it cannot read is 0.
		if i, _ := strconv.Atoi(strings.TrimSpace(v)); i >= 0 && i < len(r.b.strings) {
			value += int(r.b.strings[i])
		}
	}
	if styled {
		return blank + value*r.b.text + r.b.cellExtra, nil
	}
	return blank + value, nil
}

// attrInt follows excelize's attrValToInt.
func attrInt(name string, attrs []xml.Attr) (n int, err error) {
	for _, a := range attrs {
		if a.Name.Local == name {
			if n, err = strconv.Atoi(a.Value); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
