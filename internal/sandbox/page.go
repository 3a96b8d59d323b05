package sandbox

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Pagination follows the reference: page is 1-based, size is the number of
// results per page, and each endpoint has its own default and maximum.
//
//   - A size above the maximum is clamped to it, silently.
//   - A page or size that is not an integer, or is below 1, answers 400 with
//     {"page": [...]} or {"size": [...]}. An empty value (page=) means the default.
//   - A page beyond the last answers 200 with empty results, more false and
//     nextUrl null (the sandbox's reading; the reference does not say).
//   - nextUrl is a path relative to the host, like the reference's
//     "/api/v1/groups/?size=1&page=2": every other query parameter of the
//     request (the filters, sorted by name), then size, then page. It is null
//     when more is false.
//   - num_pages is at least 1, even for an empty list, as Django's paginator says.

// pageLimits are an endpoint's default and maximum page size.
type pageLimits struct {
	def, max int
}

var (
	// limitsDefault applies where the reference states no sizes.
	limitsDefault = pageLimits{def: 20, max: 100}
	// limitsUsers is List Users: "default=10, maximum=20, minimum=1".
	limitsUsers = pageLimits{def: 10, max: 20}
	// limitsComments is Goal Comments: "maximum and default value is 10".
	limitsComments = pageLimits{def: 10, max: 10}
	// limitsReportRuns is List Report Runs: "default 15"; the maximum is unstated.
	limitsReportRuns = pageLimits{def: 15, max: 100}
)

// pageReq is a parsed page selection.
type pageReq struct {
	page, size int
}

// parsePage reads page and size from q.
func parsePage(q url.Values, lim pageLimits) (pageReq, *apiError) {
	p := pageReq{page: 1, size: lim.def}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, fieldError("page", "A valid integer greater than or equal to 1 is required.")
		}
		p.page = n
	}
	n, apiErr := parseSize(q, lim)
	p.size = n
	return p, apiErr
}

// parseSize reads size alone, for endpoints that page by cursor.
func parseSize(q url.Values, lim pageLimits) (int, *apiError) {
	v := q.Get("size")
	if v == "" {
		return lim.def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return lim.def, fieldError("size", "A valid integer greater than or equal to 1 is required.")
	}
	return min(n, lim.max), nil
}

// pageOf cuts page p out of items. It reports whether a later page exists
// and how many pages there are.
func pageOf[T any](items []T, p pageReq) (out []T, more bool, numPages int) {
	numPages = max(1, (len(items)+p.size-1)/p.size)
	start := (p.page - 1) * p.size
	if start >= len(items) || start < 0 {
		return []T{}, false, numPages
	}
	end := min(start+p.size, len(items))
	out = make([]T, end-start)
	copy(out, items[start:end])
	return out, end < len(items), numPages
}

// pageWhere cuts page p out of the items that keep selects, in order, and
// reports whether a later page exists. It stops at the first selected item
// after the page, so that a page costs the items up to its end, not the
// whole list, and nothing is sorted per request; a nil keep selects every
// item, and the page costs its own items alone.
func pageWhere[T any](items []T, p pageReq, keep func(T) bool) (out []T, more bool) {
	start := (p.page - 1) * p.size
	if p.page > 1 && start/(p.page-1) != p.size || start < 0 {
		return []T{}, false // overflow: far past the last page
	}
	if keep == nil {
		if start >= len(items) {
			return []T{}, false
		}
		end := min(start+p.size, len(items))
		return slices.Clone(items[start:end]), end < len(items)
	}
	out = make([]T, 0, min(p.size, len(items)))
	seen := 0
	for _, it := range items {
		if !keep(it) {
			continue
		}
		switch {
		case seen < start:
		case len(out) < p.size:
			out = append(out, it)
		default:
			return out, true
		}
		seen++
	}
	return out, false
}

// nextURL is the link to the page after p of path (which starts after
// /api/v1), carrying q's other parameters. It is nil when more is false.
func nextURL(path string, q url.Values, p pageReq, more bool) *string {
	if !more {
		return nil
	}
	u := linkWith(path, q, "size", strconv.Itoa(p.size), "page", strconv.Itoa(p.page+1))
	return &u
}

// linkWith builds "/api/v1"+path with q's parameters other than page, size
// and the keys of extra (sorted by name), then the pairs of extra in order.
func linkWith(path string, q url.Values, extra ...string) string {
	skip := map[string]bool{"page": true, "size": true}
	for i := 0; i < len(extra); i += 2 {
		skip[extra[i]] = true
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		if !skip[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("/api/v1")
	b.WriteString(path)
	sep := byte('?')
	for _, k := range keys {
		for _, v := range q[k] {
			b.WriteByte(sep)
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
			sep = '&'
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		b.WriteByte(sep)
		b.WriteString(extra[i])
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(extra[i+1]))
		sep = '&'
	}
	return b.String()
}

// listJSON is the common list envelope: results, more as a JSON boolean,
// and nextUrl.
type listJSON[T any] struct {
	Results []T     `json:"results"`
	More    bool    `json:"more"`
	NextURL *string `json:"nextUrl"`
}

// numberedListJSON is the envelope of List Admin Groups and List
// Departments, whose examples also carry num_pages and page.
type numberedListJSON[T any] struct {
	More     bool    `json:"more"`
	NextURL  *string `json:"nextUrl"`
	NumPages int     `json:"num_pages"`
	Page     int     `json:"page"`
	Results  []T     `json:"results"`
}

// stringListJSON is the envelope with more as the string "true" or
// "false", as the reference's Pagination section shows it. The sandbox
// sends it on GET /goals/filter/, whose reference entry has no example,
// so that clients meet both shapes the real upstream sends.
type stringListJSON[T any] struct {
	Results []T        `json:"results"`
	More    stringBool `json:"more"`
	NextURL *string    `json:"nextUrl"`
}

// stringBool marshals as "true" or "false".
type stringBool bool

// MarshalJSON implements json.Marshaler.
func (b stringBool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte(`"true"`), nil
	}
	return []byte(`"false"`), nil
}

// listPage pages items (already filtered and ordered) and builds the
// common envelope with conv applied to the page only.
func listPage[M any, J any](path string, q url.Values, p pageReq, items []M, conv func(M) J) listJSON[J] {
	pageItems, more, _ := pageOf(items, p)
	out := make([]J, len(pageItems))
	for i, it := range pageItems {
		out[i] = conv(it)
	}
	return listJSON[J]{Results: out, More: more, NextURL: nextURL(path, q, p, more)}
}
