package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDeltaFilters creates users at known instants, well after the seeded
// data, and checks the delta filter rules of the reference's text.
func TestDeltaFilters(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2030, 1, 4, 23, 59, 59, 0, time.UTC))
	api := newTestAPI(t, Config{Seed: 1, Now: clock.Now})
	create := func(name string, at time.Time) {
		clock.Advance(at.Sub(clock.Now()))
		body := fmt.Sprintf(`{"users": [{"email": %q, "first_name": %q, "last_name": "Delta"}]}`, name+"@"+orgDomain, name)
		api.send(RoleSuperAdmin, "POST", "/users/bulk/", body).wantStatus(t, "bulk "+name, http.StatusOK)
	}
	create("d", time.Date(2030, 1, 4, 23, 59, 59, 0, time.UTC))           // last second of the 4th
	create("a", time.Date(2030, 1, 5, 0, 0, 0, 0, time.UTC))              // first instant of the 5th
	create("b", time.Date(2030, 1, 5, 23, 59, 59, 500_000_000, time.UTC)) // within the last second of the 5th
	create("c", time.Date(2030, 1, 6, 0, 0, 0, 0, time.UTC))              // first instant of the 6th

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"date_only_start_from_midnight", "delta_start=2030-01-05", []string{"a", "b", "c"}},
		{"date_only_end_through_235959", "delta_start=2030-01-01&delta_end=2030-01-05", []string{"d", "a", "b"}},
		{"both_bounds_inclusive_same_day", "delta_start=2030-01-05&delta_end=2030-01-05", []string{"a", "b"}},
		{"time_without_zone_is_utc", "delta_start=2030-01-05T00:00:00", []string{"a", "b", "c"}},
		{"zone_offset", "delta_start=2030-01-05T01:00:00%2B02:00", []string{"d", "a", "b", "c"}},
		{"unencoded_plus_reads_as_plus", "delta_start=2030-01-05T01:00:00+02:00", []string{"d", "a", "b", "c"}},
		{"negative_offset", "delta_end=2030-01-05T12:00:00-06:00&delta_start=2030-01-01", []string{"d", "a"}},
		{"z_zone_with_millis", "delta_start=2030-01-05T23:59:59.600Z", []string{"c"}},
		{"end_instant_inclusive", "delta_start=2030-01-01&delta_end=2030-01-05T00:00:00Z", []string{"d", "a"}},
		{"end_second_inclusive", "delta_start=2030-01-05&delta_end=2030-01-05T23:59:59Z", []string{"a", "b"}},
		{"start_after_end_selects_nothing", "delta_start=2030-01-06&delta_end=2030-01-05", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p page
			ans := api.get(RoleSuperAdmin, "/users/?size=20&"+tt.query)
			ans.wantStatus(t, tt.query, http.StatusOK)
			ans.decode(t, &p)
			var got []string
			for _, r := range p.Results {
				got = append(got, r["first_name"].(string))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET /users/?%s (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestDeltaFiltersRejectBadFormats(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 1})
	fx := api.sb.Fixtures()
	endpoints := []string{
		"/users/?size=5", "/groups/?size=5", "/teams/?size=5", "/hashtags/?size=5", "/recognitions/?size=5",
		"/goals/filter/?size=5", "/feedback/requests/?size=5",
		fmt.Sprintf("/conversations/?deployment_id=%d", fx.DeploymentID),
		fmt.Sprintf("/feedback/?cycle_id=%d", fx.FeedbackCycleID),
	}
	bad := []string{"2030/01/05", "05-01-2030", "2030-01-05T25:00:00", "yesterday", "2030-1-5", "2030-01-05 10:00"}
	for _, e := range endpoints {
		for _, v := range bad {
			for _, param := range []string{"delta_start", "delta_end"} {
				t.Run(e+" "+param+"="+v, func(t *testing.T) {
					t.Parallel()
					ans := api.get(RoleSuperAdmin, e+"&"+param+"="+url.QueryEscape(v))
					ans.wantStatus(t, e, http.StatusBadRequest)
					if _, ok := ans.object(t)[param]; !ok {
						t.Errorf("body %s does not name %s", ans.body, param)
					}
				})
			}
		}
	}
}

// TestSeededDataIgnoresTheClock checks that delta filters over seeded data
// give the same answer whatever the clock says, since seeded times derive
// from the seed's reference instant.
func TestSeededDataIgnoresTheClock(t *testing.T) {
	t.Parallel()
	early := newTestAPI(t, Config{Seed: 5, Now: func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }})
	late := newTestAPI(t, Config{Seed: 5, Now: func() time.Time { return time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC) }})
	ref := early.sb.ReferenceTime()
	if !ref.Equal(late.sb.ReferenceTime()) {
		t.Fatalf("ReferenceTime differs between clocks: %v, %v", ref, late.sb.ReferenceTime())
	}
	start := ref.AddDate(0, -6, 0).Format(time.DateOnly)
	for _, path := range []string{"/goals/filter/?delta_start=" + start, "/users/?delta_start=" + start, "/recognitions/?delta_start=" + start} {
		a, b := early.listAll(RoleSuperAdmin, path), late.listAll(RoleSuperAdmin, path)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("GET %s differs between clocks (-early +late):\n%s", path, diff)
		}
		if len(a) == 0 {
			t.Errorf("GET %s selected nothing", path)
		}
		all := early.listAll(RoleSuperAdmin, path[:len(path)-len("?delta_start=")-len(start)])
		if len(a) >= len(all) {
			t.Errorf("GET %s selected %d of %d items; the filter should cut some", path, len(a), len(all))
		}
	}
}
