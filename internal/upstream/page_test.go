package upstream

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file tests the request path every client method shares (client.go,
// errors.go, token.go, page.go, time.go, query.go, date.go) against real
// HTTP servers.

// TestPageDecoding decodes list pages through the request path, with every
// shape of "more" and of the next link the upstream sends.
func TestPageDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want *Page[Category]
	}{
		{
			name: "more_true",
			body: `{"results": [{"id": 1, "name": "a"}], "more": true, "nextUrl": "/api/v1/goals/categories/search/?page=2"}`,
			want: &Page[Category]{
				Results: []Category{{ID: 1, Name: "a"}},
				More:    true,
				NextURL: "/api/v1/goals/categories/search/?page=2",
			},
		},
		{name: "more_string_true", body: `{"results": [], "more": "true"}`, want: &Page[Category]{Results: []Category{}, More: true}},
		{name: "more_string_True", body: `{"results": [], "more": "True"}`, want: &Page[Category]{Results: []Category{}, More: true}},
		{name: "more_string_yes", body: `{"results": [], "more": "yes"}`, want: &Page[Category]{Results: []Category{}, More: true}},
		{name: "more_false", body: `{"results": [], "more": false}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "more_string_false", body: `{"results": [], "more": "false"}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "more_null", body: `{"results": [], "more": null}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "more_absent", body: `{"results": []}`, want: &Page[Category]{Results: []Category{}, More: false}},
		{name: "results_null", body: `{"results": null, "more": false}`, want: &Page[Category]{}},
		{
			name: "nextURL_spelling",
			body: `{"results": [], "more": true, "nextURL": "/api/v1/goals/categories/search/?page=3"}`,
			want: &Page[Category]{Results: []Category{}, More: true, NextURL: "/api/v1/goals/categories/search/?page=3"},
		},
		{
			name: "both_spellings_prefer_nextUrl",
			body: `{"results": [], "more": true, "nextUrl": "/first", "nextURL": "/second"}`,
			want: &Page[Category]{Results: []Category{}, More: true, NextURL: "/first"},
		},
		{
			name: "page_numbers",
			body: `{"results": [], "more": true, "num_pages": 4, "page": 2}`,
			want: &Page[Category]{Results: []Category{}, More: true, NumPages: 4, Number: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", tt.body))

			got, err := fake.client(t, Config{}).SearchGoalCategories(t.Context(), NewToken("t"), "", PageRequest{})

			if err != nil {
				t.Fatalf("SearchGoalCategories() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, goalTimeOpt, ignoreServed); diff != "" {
				t.Errorf("SearchGoalCategories() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageRequestQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		page PageRequest
		want url.Values
	}{
		{name: "zero", page: PageRequest{}, want: url.Values{}},
		{name: "page_only", page: PageRequest{Page: 4}, want: url.Values{"page": {"4"}}},
		{name: "size_only", page: PageRequest{Size: 20}, want: url.Values{"size": {"20"}}},
		{name: "both", page: PageRequest{Page: 1, Size: 1}, want: url.Values{"page": {"1"}, "size": {"1"}}},
		{name: "negative", page: PageRequest{Page: -2, Size: -1}, want: url.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": []}`))

			if _, err := fake.client(t, Config{}).SearchGoalCategories(t.Context(), NewToken("t"), "", tt.page); err != nil {
				t.Fatalf("SearchGoalCategories() error = %v", err)
			}

			if diff := cmp.Diff(tt.want, goalQuery(t, fake)); diff != "" {
				t.Errorf("SearchGoalCategories() query mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// ignoreServed leaves Page.Served, the test server's own clock, out of
// comparisons; TestPageServedIsTheUpstreamsDate checks it.
var ignoreServed = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && sf.Name() == "Served"
}, cmp.Ignore())

// TestPageServedIsTheUpstreamsDate reads a page's Served from the Date
// the upstream answered with, its own clock, whatever the facade's says.
func TestPageServedIsTheUpstreamsDate(t *testing.T) {
	t.Parallel()
	date := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Date", date.Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"results": [], "more": false}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListHashtags(t.Context(), NewToken("t"), HashtagFilter{}, PageRequest{})
	if err != nil {
		t.Fatalf("ListHashtags() error = %v", err)
	}
	if !page.Served.Equal(date) {
		t.Errorf("Page.Served = %v, want the answer's Date %v", page.Served, date)
	}
}
