package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
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

// TestWritesMoveModifiedOn makes each write of the API at a known instant
// and reads the objects it changed back: their modified_on is that
// instant, so that delta filters see every write.
func TestWritesMoveModifiedOn(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 3, 4, 5, 6, 7, 123456000, time.UTC)
	wantModified := at.Format("2006-01-02T15:04:05.000000Z")
	goalPath := func(id int64) string { return fmt.Sprintf("/goals/%d/", id) }
	userPath := func(id int64) string { return fmt.Sprintf("/users/%d/", id) }
	fromAnswer := func(path func(int64) string) func(map[string]any) string {
		return func(ans map[string]any) string { return path(idOf(ans)) }
	}
	tests := []struct {
		name   string
		method string
		path   func(fx Fixtures, sb *Sandbox) string
		body   func(fx Fixtures, sb *Sandbox) string
		// changed returns what to read back, given the write's answer: a
		// path to GET, or "department:<name>" (departments have no GET).
		changed func(fx Fixtures, sb *Sandbox, ans map[string]any) []string
	}{
		{"goal_create", "POST", func(Fixtures, *Sandbox) string { return "/goals/" },
			func(_ Fixtures, sb *Sandbox) string { return createGoalBody(sb.UserFor(RoleUser).ID, "public") },
			func(_ Fixtures, _ *Sandbox, ans map[string]any) []string { return []string{fromAnswer(goalPath)(ans)} }},
		{"goal_update", "PUT", func(fx Fixtures, _ *Sandbox) string { return goalPath(fx.UserGoalID) },
			func(fx Fixtures, _ *Sandbox) string {
				return fmt.Sprintf(`{"description": "New words", "key_results": [{"id": %d, "name": "Renamed"}]}`, fx.UserBinaryKeyResultID)
			},
			func(fx Fixtures, _ *Sandbox, _ map[string]any) []string {
				return []string{goalPath(fx.UserGoalID), goalPath(fx.UserBinaryKeyResultID)}
			}},
		{"goal_checkin", "POST", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/goals/%d/checkin/", fx.UserNumericKeyResultID)
		},
			func(Fixtures, *Sandbox) string { return `{"value": 55}` },
			func(fx Fixtures, _ *Sandbox, _ map[string]any) []string {
				return []string{goalPath(fx.UserNumericKeyResultID), goalPath(fx.UserGoalID)}
			}},
		{"department_create", "POST", func(Fixtures, *Sandbox) string { return "/departments/" },
			func(Fixtures, *Sandbox) string { return `{"name": "Moonshots"}` },
			func(Fixtures, *Sandbox, map[string]any) []string { return []string{"department:Moonshots"} }},
		{"department_update", "PUT", func(fx Fixtures, _ *Sandbox) string { return fmt.Sprintf("/departments/%d/", fx.EmptyDepartmentID) },
			func(Fixtures, *Sandbox) string { return `{"name": "Special Projects Renamed"}` },
			func(Fixtures, *Sandbox, map[string]any) []string {
				return []string{"department:Special Projects Renamed"}
			}},
		{"department_deactivate", "POST", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/departments/%d/deactivate/", fx.EmptyDepartmentID)
		}, func(Fixtures, *Sandbox) string { return "" },
			func(Fixtures, *Sandbox, map[string]any) []string { return []string{"department:Special Projects"} }},
		{"department_reactivate", "POST", func(fx Fixtures, _ *Sandbox) string {
			return fmt.Sprintf("/departments/%d/reactivate/", fx.DeactivatedDepartmentID)
		}, func(Fixtures, *Sandbox) string { return "" },
			func(Fixtures, *Sandbox, map[string]any) []string { return []string{"department:Facilities"} }},
		{"department_bulk", "POST", func(Fixtures, *Sandbox) string { return "/departments/bulk/" },
			func(Fixtures, *Sandbox) string {
				return `{"departments": [{"name": "Moonshots"}, {"name": "Special Projects", "parent": "Moonshots"}]}`
			},
			func(Fixtures, *Sandbox, map[string]any) []string {
				return []string{"department:Moonshots", "department:Special Projects"}
			}},
		{"user_bulk_update", "POST", func(Fixtures, *Sandbox) string { return "/users/bulk/" },
			func(_ Fixtures, sb *Sandbox) string {
				u := sb.UserFor(RoleUser)
				return fmt.Sprintf(`{"users": [{"email": %q, "first_name": "Leo", "last_name": "Changed"}]}`, u.Email)
			},
			func(_ Fixtures, sb *Sandbox, _ map[string]any) []string {
				return []string{userPath(sb.UserFor(RoleUser).ID)}
			}},
		{"user_bulk_create", "POST", func(Fixtures, *Sandbox) string { return "/users/bulk/" },
			func(Fixtures, *Sandbox) string {
				return `{"users": [{"email": "new.hire@` + orgDomain + `", "first_name": "New", "last_name": "Hire"}]}`
			},
			func(Fixtures, *Sandbox, map[string]any) []string {
				return []string{"/users/new.hire@" + orgDomain + "/"}
			}},
		{"role_assignment", "PUT", func(Fixtures, *Sandbox) string { return "/users/roles/" },
			func(_ Fixtures, sb *Sandbox) string {
				return fmt.Sprintf(`{"roles": [{"role": "admin", "user_id": %d}]}`, sb.UserFor(RoleUser).ID)
			},
			func(_ Fixtures, sb *Sandbox, _ map[string]any) []string {
				return []string{userPath(sb.UserFor(RoleUser).ID)}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock(at)
			api := newTestAPI(t, Config{Seed: 1, Now: clock.Now})
			fx := api.sb.Fixtures()

			ans := api.send(RoleSuperAdmin, tt.method, tt.path(fx, api.sb), tt.body(fx, api.sb))

			if ans.status != http.StatusOK && ans.status != http.StatusCreated {
				t.Fatalf("%s status = %d; body: %s", tt.name, ans.status, ans.body)
			}
			var written map[string]any
			_ = json.Unmarshal(ans.body, &written) // some writes answer counts, not the object
			for _, path := range tt.changed(fx, api.sb, written) {
				if got := modifiedOn(t, api, path); got != wantModified {
					t.Errorf("after %s, %s modified_on = %v, want %s", tt.name, path, got, wantModified)
				}
			}
		})
	}
}

// modifiedOn reads the modified_on of what ref names: a path to GET, or
// "department:<name>", found in the list of departments.
func modifiedOn(t *testing.T, api *testAPI, ref string) any {
	t.Helper()
	name, isDepartment := strings.CutPrefix(ref, "department:")
	if !isDepartment {
		ans := api.get(RoleSuperAdmin, ref)
		ans.wantStatus(t, "GET "+ref, http.StatusOK)
		return ans.object(t)["modified_on"]
	}
	var p page
	api.get(RoleSuperAdmin, "/departments/?include_deactivated=true&size=100").decode(t, &p)
	for _, d := range p.Results {
		if d["name"] == name {
			return d["modified_on"]
		}
	}
	t.Fatalf("no department named %q", name)
	return nil
}

// TestDeltaFormatsOnEveryCollection checks every value shape the
// reference's "Delta Filters" section allows on every collection that
// takes delta filters. Each case's bounds are computed here from a pivot
// instant, a seeded item's modified_on in the middle of the collection,
// and the items the sandbox selects must be those whose modified_on lies
// within them.
func TestDeltaFormatsOnEveryCollection(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, Config{Seed: 3})
	fx := api.sb.Fixtures()
	collections := []string{
		"/users/", "/teams/?type=allteams", "/groups/", "/hashtags/", "/recognitions/", "/goals/filter/",
		"/feedback/requests/",
		fmt.Sprintf("/conversations/?deployment_id=%d", fx.DeploymentID),
		fmt.Sprintf("/feedback/?cycle_id=%d", fx.FeedbackCycleID),
	}
	plus0530, minus0800 := time.FixedZone("", 5*3600+1800), time.FixedZone("", -8*3600)
	endOf := func(t time.Time, d time.Duration) time.Time { return t.Truncate(d).Add(d - time.Microsecond) }
	type bounds struct{ from, to time.Time }
	tests := []struct {
		name  string
		query func(pivot time.Time) string
		want  func(pivot time.Time) bounds
	}{
		{"date_start_from_midnight",
			func(p time.Time) string { return "delta_start=" + p.Format(time.DateOnly) },
			func(p time.Time) bounds { return bounds{from: day(p)} }},
		{"date_end_through_end_of_day",
			func(p time.Time) string { return "delta_end=" + p.Format(time.DateOnly) },
			func(p time.Time) bounds { return bounds{to: day(p).Add(24*time.Hour - time.Microsecond)} }},
		{"date_time_start_without_zone_is_utc",
			func(p time.Time) string { return "delta_start=" + p.Format("2006-01-02T15:04:05") },
			func(p time.Time) bounds { return bounds{from: p.Truncate(time.Second)} }},
		{"date_time_end_without_zone_through_its_second",
			func(p time.Time) string { return "delta_end=" + p.Format("2006-01-02T15:04:05") },
			func(p time.Time) bounds { return bounds{to: endOf(p, time.Second)} }},
		{"date_time_start_minutes",
			func(p time.Time) string { return "delta_start=" + p.Format("2006-01-02T15:04") },
			func(p time.Time) bounds { return bounds{from: p.Truncate(time.Minute)} }},
		{"date_time_end_millis_z",
			func(p time.Time) string { return "delta_end=" + p.Format("2006-01-02T15:04:05.000Z") },
			func(p time.Time) bounds { return bounds{to: endOf(p, time.Millisecond)} }},
		{"date_time_start_offset",
			func(p time.Time) string {
				return "delta_start=" + url.QueryEscape(p.In(plus0530).Format("2006-01-02T15:04:05-07:00"))
			},
			func(p time.Time) bounds { return bounds{from: p.Truncate(time.Second)} }},
		{"date_time_end_offset_without_colon",
			func(p time.Time) string { return "delta_end=" + p.In(minus0800).Format("2006-01-02T15:04:05-0700") },
			func(p time.Time) bounds { return bounds{to: endOf(p, time.Second)} }},
		{"date_range",
			func(p time.Time) string {
				return "delta_start=" + p.AddDate(0, -3, 0).Format(time.DateOnly) + "&delta_end=" + p.Format(time.DateOnly)
			},
			func(p time.Time) bounds {
				return bounds{from: day(p.AddDate(0, -3, 0)), to: day(p).Add(24*time.Hour - time.Microsecond)}
			}},
	}
	for _, path := range collections {
		all := listRecords(t, api, path)
		if len(all) < 3 {
			t.Fatalf("GET %s: %d items, too few to cut", path, len(all))
		}
		modified := make([]time.Time, len(all))
		for i, r := range all {
			modified[i] = parseModifiedOn(t, r["modified_on"])
		}
		sorted := slices.SortedFunc(slices.Values(modified), time.Time.Compare)
		pivot := sorted[len(sorted)/2]
		for _, tt := range tests {
			t.Run(path+" "+tt.name, func(t *testing.T) {
				t.Parallel()
				b := tt.want(pivot)
				var want []int64
				for i, r := range all {
					if (b.from.IsZero() || !modified[i].Before(b.from)) && (b.to.IsZero() || !modified[i].After(b.to)) {
						want = append(want, idOf(r))
					}
				}
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}

				got := api.listAll(RoleSuperAdmin, path+sep+tt.query(pivot))

				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("GET %s%s%s (-want +got):\n%s", path, sep, tt.query(pivot), diff)
				}
			})
		}
	}
}

// listRecords fetches every page of path as the super admin.
func listRecords(t *testing.T, api *testAPI, path string) []map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var out []map[string]any
	for n := 1; ; n++ {
		ans := api.get(RoleSuperAdmin, fmt.Sprintf("%s%ssize=100&page=%d", path, sep, n))
		ans.wantStatus(t, path, http.StatusOK)
		var p page
		ans.decode(t, &p)
		out = append(out, p.Results...)
		if p.More != true && p.More != "true" {
			return out
		}
	}
}

// parseModifiedOn reads a modified_on in any of the reference's shapes of
// an instant: RFC 3339, or Python's str of an aware datetime.
func parseModifiedOn(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999-07:00"} {
		if at, err := time.Parse(layout, s); err == nil {
			return at.UTC()
		}
	}
	t.Fatalf("modified_on %v is not an instant", v)
	return time.Time{}
}
