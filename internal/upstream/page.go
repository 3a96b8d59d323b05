package upstream

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// PageRequest selects one page of a list endpoint. A zero field leaves the
// parameter out, so the upstream applies its own default.
type PageRequest struct {
	// Page is the 1-based page number.
	Page int
	// Size is the number of results per page. Each endpoint has its own
	// default and maximum (see the reference); callers cap it first.
	Size int
}

func (p PageRequest) encode(q url.Values) {
	if p.Page > 0 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	if p.Size > 0 {
		q.Set("size", strconv.Itoa(p.Size))
	}
}

// Page is one page of a list endpoint.
type Page[T any] struct {
	// Results holds the page's items, in the upstream's order.
	Results []T
	// More reports whether a later page exists. The upstream sends it as a
	// boolean or as the string "true"; both decode here.
	More bool
	// NextURL is the upstream's link to the next page, kept for diagnostics
	// only: the client never follows it, since it could name another host.
	NextURL string
	// NumPages is the number of pages, or 0 when the upstream does not say.
	NumPages int
	// Number is the page's 1-based number, or 0 when the upstream does not say.
	Number int
	// Served is when the upstream answered, by its own clock (the
	// response's Date header, to the second); zero when it sent none. It
	// is the clock modified_on values are compared with.
	Served time.Time
}

// setServed records the response's Date.
func (p *Page[T]) setServed(t time.Time) { p.Served = t }

// served is an answer that records when the upstream sent it.
type served interface{ setServed(time.Time) }

type pageJSON[T any] struct {
	Results  []T      `json:"results"`
	More     flexBool `json:"more"`
	NextURL  string   `json:"nextUrl"`
	NextURL2 string   `json:"nextURL"`
	NumPages int      `json:"num_pages"`
	Page     int      `json:"page"`
	// served is when the upstream answered (see Page.Served).
	served time.Time
}

// setServed records the response's Date.
func (p *pageJSON[T]) setServed(t time.Time) { p.served = t }

// UnmarshalJSON implements json.Unmarshaler.
func (p *Page[T]) UnmarshalJSON(b []byte) error {
	var raw pageJSON[T]
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	p.set(&raw)
	return nil
}

func (p *Page[T]) set(raw *pageJSON[T]) {
	next := raw.NextURL
	if next == "" {
		next = raw.NextURL2
	}
	*p = Page[T]{
		Served:   p.Served,
		Results:  raw.Results,
		More:     bool(raw.More),
		NextURL:  next,
		NumPages: raw.NumPages,
		Number:   raw.Page,
	}
}

// flexBool is a boolean the upstream may send as true, "true", "True" or
// "yes"; anything else, including null, is false.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(bytes.ToLower(bytes.Trim(b, `"`))) {
	case "true", "yes", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}
