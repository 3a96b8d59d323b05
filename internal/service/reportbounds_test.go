package service

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestRowBoundsCoverExcelize reads random sheets, odd ones included
// (cells in cells, rows in cells, repeated and negative row numbers,
// indexes split by markup, cells outside rows, a second sheetData), with
// excelize's row reader as ReadReportRows reads them, and checks that no
// row it returns holds more than rowScan bounded it to. rowScan copies
// excelize's logic: this fails when an upgrade of excelize changes it.
func TestRowBoundsCoverExcelize(t *testing.T) {
	t.Parallel()
	for seed := range 300 {
		rng := rand.New(rand.NewPCG(uint64(seed), 1))
		pick := func(s ...string) string { return s[rng.IntN(len(s))] }
		text := func(c string) string { return strings.Repeat(c, 4<<10+rng.IntN(4<<10)) }
		var sst strings.Builder
		for range rng.IntN(4) {
			sst.WriteString(`<si><t>` + text("s") + `</t></si>`)
		}
		var sheet strings.Builder
		var elements func(depth int)
		elements = func(depth int) {
			for range rng.IntN(4) {
				open, close := "", ""
				switch rng.IntN(12) {
				case 0, 1:
					open, close = `<row`+pick(``, ` r="1"`, ` r="2"`, ` r="-1"`, ` r="3"`, ` r="x"`)+`>`, `</row>`
				case 2, 3, 4:
					name := pick("c", "x:c")
					open = `<` + name + pick(``, ` t="s"`, ` t="s" s="1"`, ` s="1"`, ` t="inlineStr"`, ` t="str"`, ` t="b"`, ` r="B1"`, ` r="C9" t="s"`, ` s="z"`) + `>`
					close = `</` + name + `>`
				case 5:
					sheet.WriteString(`<v>` + pick("0", "1", " 2 ", "", "abc", "1<!---->2", "-1", "99999999999999999999") + `</v>`)
				case 6:
					sheet.WriteString(`<v>` + pick("0", "1", "2") + `<q>1</q></v>`)
				case 7:
					sheet.WriteString(`<is><t>` + text("i") + `</t><r><t>` + text("r") + `</t></r></is>`)
				case 8:
					sheet.WriteString(`<f>` + text("f") + `</f>`)
				case 9:
					sheet.WriteString(pick(`</sheetData><sheetData>`, `<!-- c -->`, `<![CDATA[z]]>`, `text`, `<row/>`, `<c/>`))
				default:
					open, close = `<y>`, `</y>`
				}
				if open != "" {
					sheet.WriteString(open)
					if depth < 4 {
						elements(depth + 1)
					}
					sheet.WriteString(close)
				}
			}
		}
		for range 1 + rng.IntN(6) {
			elements(0)
		}
		main := `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
		data := zipParts(t, map[string]string{
			"_rels/.rels":                `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
			"xl/workbook.xml":            `<workbook ` + main + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
			"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
			"xl/worksheets/sheet1.xml":   `<worksheet ` + main + ` xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheet.String() + `</sheetData></worksheet>`,
			sharedStringsPath:            `<sst ` + main + `>` + sst.String() + `</sst>`,
			"xl/styles.xml": `<styleSheet ` + main + `><numFmts count="1"><numFmt numFmtId="164" formatCode="` + pick(`@`, `@@@`, `@@@`, `0.00`, `&quot;text&quot;@`, `yyyy-mm-dd`) + `"/></numFmts>` +
				`<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>`,
		})

		bounds, err := rowBoundsOf(t, data)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		book, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		shown, _ := book.Rows("S")
		stored, _ := book.Rows("S")
		for i := 0; shown.Next() && stored.Next(); i++ {
			a, errA := shown.Columns()
			b, errB := stored.Columns(excelize.Options{RawCellValue: true})
			n := max(len(strings.Join(a, "")), len(strings.Join(b, "")))
			// A bound counts excelize's blank columns once per row.
			bound := 0
			if i < len(bounds) && bounds[i] > 0 {
				bound = bounds[i] - blankColumns
			}
			if n > bound {
				t.Errorf("seed %d: row %d holds %d bytes, bounded to %d; sheet %s", seed, i, n, bound, sheet.String())
			}
			if errA != nil || errB != nil {
				break
			}
		}
		_ = book.Close()
	}
}

// zipParts zips parts.
func zipParts(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range parts {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write([]byte(data))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rowBoundsOf returns the bound of every row Columns returns for
// xl/worksheets/sheet1.xml of data, 0 for an empty one.
func rowBoundsOf(t *testing.T, data []byte) ([]int, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var b rowBounds
	files := make(map[string]*zip.File)
	for _, f := range zr.File {
		files[f.Name] = f
		if err := scanPart(t.Context(), f, b.scanFormats); err != nil {
			return nil, err
		}
	}
	if err := scanPart(t.Context(), files[sharedStringsPath], b.scanSharedStrings(true)); err != nil {
		return nil, err
	}
	b.text = max(1, b.textPlaceholders)
	b.cellExtra = 2<<10 + 6*b.formatBytes
	var bounds []int
	err = scanPart(t.Context(), files["xl/worksheets/sheet1.xml"], func(s *partScan) error {
		return (&rowScan{s: s, b: &b, rows: func(n int) { bounds = append(bounds, n) }}).run()
	})
	if err != nil {
		return nil, fmt.Errorf("bounds: %w", err)
	}
	return bounds, nil
}
