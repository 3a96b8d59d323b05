package sandbox

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPagination(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	const null = "<null>"
	tests := []struct {
		name        string
		path        string
		wantResults int
		wantMore    any
		wantNext    string
	}{
		{"users_default_size_10", "/users/", 10, true, "/api/v1/users/?size=10&page=2"},
		{"users_size_clamped_to_20", "/users/?size=50", 20, true, "/api/v1/users/?size=20&page=2"},
		{"groups_size_clamped_to_100", "/groups/?size=1000", 6, false, null},
		{"departments_default_20", "/departments/?include_deactivated=true", 14, false, null},
		{"next_url_carries_filters", "/users/?deactivated=0&locale=en&size=5", 5, true, "/api/v1/users/?deactivated=0&locale=en&size=5&page=2"},
		{"page_two", "/users/?size=5&page=2", 5, true, "/api/v1/users/?size=5&page=3"},
		{"last_page", "/users/?deactivated=1&size=5&page=2", 3, false, null},
		{"beyond_last_page", "/users/?size=20&page=99", 0, false, null},
		{"goal_filter_more_is_a_string", "/goals/filter/?size=2", 2, "true", "/api/v1/goals/filter/?size=2&page=2"},
		{"goal_filter_last_page_more_false", "/goals/filter/?size=100&page=99", 0, "false", null},
		{"report_runs_default_15", "/report_runs/", 12, false, null},
		{"hashtags_ordered_page", "/hashtags/?size=2", 2, true, "/api/v1/hashtags/?size=2&page=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans := api.get(RoleSuperAdmin, tt.path)
			ans.wantStatus(t, "GET "+tt.path, http.StatusOK)
			var p page
			ans.decode(t, &p)
			if len(p.Results) != tt.wantResults {
				t.Errorf("GET %s: %d results, want %d", tt.path, len(p.Results), tt.wantResults)
			}
			if p.More != tt.wantMore {
				t.Errorf("GET %s: more = %#v, want %#v", tt.path, p.More, tt.wantMore)
			}
			if got := orNull(p.NextURL); got != tt.wantNext {
				t.Errorf("GET %s: nextUrl = %s, want %s", tt.path, got, tt.wantNext)
			}
		})
	}
}

func orNull(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func TestPaginationRejectsBadValues(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	tests := []struct {
		query     string
		wantField string
	}{
		{"size=abc", "size"},
		{"size=0", "size"},
		{"size=-3", "size"},
		{"page=0", "page"},
		{"page=x", "page"},
		{"page=1.5", "page"},
	}
	for _, tt := range tests {
		for _, path := range []string{"/users/", "/goals/filter/", "/departments/", "/hashtags/"} {
			t.Run(path+"?"+tt.query, func(t *testing.T) {
				t.Parallel()
				ans := api.get(RoleSuperAdmin, path+"?"+tt.query)
				ans.wantStatus(t, "GET "+path+"?"+tt.query, http.StatusBadRequest)
				if _, ok := ans.object(t)[tt.wantField]; !ok {
					t.Errorf("body %s does not name %q", ans.body, tt.wantField)
				}
			})
		}
	}
}

// TestNextURLWalksEveryItemOnce follows nextUrl from the first page to the
// last and checks that every item comes exactly once, in id order.
func TestNextURLWalksEveryItemOnce(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	tests := []struct {
		first string
		total int
	}{
		{"/users/?size=7", api.sb.st.users.len()},
		{"/goals/filter/?size=33", api.sb.st.goals.len()},
		{"/recognitions/?size=40&hashtag=teamwork", -1},
	}
	for _, tt := range tests {
		t.Run(tt.first, func(t *testing.T) {
			t.Parallel()
			var ids []int64
			path := tt.first
			for range 1000 {
				ans := api.get(RoleSuperAdmin, path)
				ans.wantStatus(t, "GET "+path, http.StatusOK)
				var p page
				ans.decode(t, &p)
				ids = append(ids, p.ids()...)
				if p.NextURL == nil {
					break
				}
				path = strings.TrimPrefix(*p.NextURL, apiPrefix)
			}
			if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
				t.Errorf("ids are not strictly increasing: %v", ids)
			}
			if tt.total >= 0 && len(ids) != tt.total {
				t.Errorf("walked %d items, want %d", len(ids), tt.total)
			}
			if len(ids) == 0 {
				t.Errorf("walked no items")
			}
		})
	}
}

func TestListEnvelopes(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	for _, path := range []string{"/departments/?size=2&page=3", "/groups/?size=2&page=3"} {
		got := api.get(RoleSuperAdmin, path).object(t)
		if got["page"] != float64(3) || got["num_pages"] == nil {
			t.Errorf("GET %s: page = %v, num_pages = %v; want page 3 and a page count", path, got["page"], got["num_pages"])
		}
	}
	var list []any
	api.get(RoleSuperAdmin, fmt.Sprintf("/goals/%d/assessments/", api.sb.Fixtures().UserNumericKeyResultID)).decode(t, &list)
	if len(list) != 2 {
		t.Errorf("assessments: got %d items in a bare array, want 2", len(list))
	}
}

// TestPageWhere checks the page cutter of the large lists, with and
// without a selection, at the edges of the list.
func TestPageWhere(t *testing.T) {
	t.Parallel()
	items := []int{1, 2, 3, 4, 5, 6, 7}
	odd := func(n int) bool { return n%2 == 1 }
	tests := []struct {
		name     string
		page     pageReq
		keep     func(int) bool
		want     []int
		wantMore bool
	}{
		{"all_first", pageReq{page: 1, size: 3}, nil, []int{1, 2, 3}, true},
		{"all_last_full", pageReq{page: 1, size: 7}, nil, []int{1, 2, 3, 4, 5, 6, 7}, false},
		{"all_last_short", pageReq{page: 3, size: 3}, nil, []int{7}, false},
		{"all_beyond", pageReq{page: 4, size: 3}, nil, []int{}, false},
		{"all_overflowing_page", pageReq{page: math.MaxInt, size: 20}, nil, []int{}, false},
		{"odd_first", pageReq{page: 1, size: 2}, odd, []int{1, 3}, true},
		{"odd_last_full", pageReq{page: 2, size: 2}, odd, []int{5, 7}, false},
		{"odd_beyond", pageReq{page: 3, size: 2}, odd, []int{}, false},
		{"odd_overflowing_page", pageReq{page: math.MaxInt, size: 20}, odd, []int{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, more := pageWhere(items, tt.page, tt.keep)
			if diff := cmp.Diff(tt.want, got); diff != "" || more != tt.wantMore {
				t.Errorf("pageWhere(%+v) more = %v, want %v; items (-want +got):\n%s", tt.page, more, tt.wantMore, diff)
			}
		})
	}
}
