package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file tests the goal types against every example body of the Goals
// section of the reference (testdata/goals/), and the requests the goal
// client methods send. The fixtures are the reference's bodies with only
// their JSON syntax fixed: trailing commas in update_goal_request,
// search_goals, list_goal_comments and checkin_goal, and the missing comma
// between the two objects of list_goal_assessments. The impossible
// "2021-26-10T21:19:18.391311Z" is kept: it must decode to an invalid Time
// without failing its body.

// goalTimeOpt shows a Time as its instant, zone and validity, so a diff
// reads well and a non-UTC or imprecise instant fails.
var goalTimeOpt = cmp.Transformer("Time", func(t Time) string {
	return fmt.Sprintf("%s %s invalid=%t", t.Format(time.RFC3339Nano), t.Location(), t.Invalid)
})

// goalFixture reads testdata/goals/name.
func goalFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "goals", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// goalEpoch is the Time an epoch float sec.micro decodes to.
func goalEpoch(sec, micro int64) Time {
	return Time{Time: time.Unix(sec, micro*1000).UTC()}
}

// goalAt is the Time an RFC 3339 instant in UTC decodes to.
func goalAt(year int, month time.Month, day, hour, minute, second, micro int) Time {
	return Time{Time: time.Date(year, month, day, hour, minute, second, micro*1000, time.UTC)}
}

// goalImpossible is what "2021-26-10T21:19:18.391311Z" decodes to.
var goalImpossible = Time{Invalid: true}

func goalPtr[T any](v T) *T { return &v }

func goalUSDate(t *testing.T, iso string) USDate {
	t.Helper()
	d, err := ParseUSDate(iso)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func goalUser(id int64, uuid string) *UserRef {
	return &UserRef{ID: id, UUID: uuid, Name: "<First Name> <Last Name>"}
}

func goalPictures() *PictureURIs {
	return &PictureURIs{Small: "<URL>", Medium: "<URL>"}
}

// goalGroup218 is the owner group of the get, search and check-in examples.
func goalGroup218() *GroupRef {
	return &GroupRef{
		ID:          218,
		UUID:        "5eb928a2-34f8-4d1f-8ef1-f8a7b600e774",
		Name:        "<Group Name>",
		ParentID:    719,
		PictureURIs: goalPictures(),
		IsActive:    false,
		IsTeam:      false,
	}
}

// goalTeam is an owner team of the examples; all of them were created at
// the same instant and carry the impossible modified_on.
func goalTeam(id int64, uuid string) *TeamRef {
	return &TeamRef{
		ID:          id,
		UUID:        uuid,
		Name:        "<Team Name>",
		PictureURIs: goalPictures(),
		IsActive:    false,
		CreatedOn:   goalAt(2021, time.November, 10, 21, 28, 29, 610217),
		ModifiedOn:  goalImpossible,
	}
}

func wantGetGoal() *Goal {
	return &Goal{
		ID:          115,
		UUID:        "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Name:        "<Goal Name>",
		Description: "<Goal Description>",
		IsKeyResult: false,
		Start:       "2016-06-21",
		End:         "2016-06-28",
		Measurement: &Measurement{
			Progress:   1.0,
			Initial:    goalPtr(0.0),
			Target:     goalPtr(100.0),
			Unit:       "Percent",
			Done:       false,
			LowerLimit: goalPtr(1.0),
			LowerMid:   goalPtr(25.0),
			UpperLimit: goalPtr(110.0),
			UpperMid:   goalPtr(105.0),
			Current:    goalPtr(78.0),
			Updated:    goalEpoch(1501239228, 920303),
			UpdatedBy:  goalUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
			Type:       "manualprogress",
			Expected:   goalPtr(1.0),
			Condition:  "green",
			IsBinary:   false,
			IsNumeric:  true,
		},
		Owner: &GoalOwner{
			User:  goalUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
			Group: goalGroup218(),
			Team:  goalTeam(123, "a837d70f-cecb-4ea1-835b-1316c04e8317"),
		},
		Parent: &GoalRef{ID: 34, UUID: "646d0cbd-f47c-4d14-a6d0-cb9c62b4c68c", Name: "<Goal Name>"},
		Children: []GoalRef{
			{ID: 116, UUID: "6cabcd2d-57e1-492b-9d2a-9ff6cc001e04", Name: "<Goal Name>"},
		},
		Updated:     goalEpoch(1453420800, 0),
		UpdatedBy:   goalUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
		Visibility:  "public",
		Integration: "JIRA",
		Stats: &GoalStats{
			Comments:     1,
			Cheers:       1,
			Nudges:       1,
			Views:        5,
			LastAssessed: goalEpoch(1467091175, 817682),
		},
		Categories: []CategoryRef{
			{ID: 1, UUID: "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80", Name: "<Category Name>"},
		},
		AttributeType:   Attribute{ID: 1},
		AttributeScope:  Attribute{ID: 1},
		Created:         goalEpoch(1453420800, 0),
		CreatedBy:       goalUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
		LastCheckedIn:   goalEpoch(1467115788, 350479),
		LastCheckedInBy: goalUser(4, "16534a8a-d12f-47a8-94bf-7307728bee12"),
		CreatedOn:       goalAt(2021, time.July, 19, 16, 2, 11, 394597),
		ModifiedOn:      goalAt(2021, time.November, 28, 10, 53, 48, 920303),
	}
}

func wantUpdateGoal() *Goal {
	const user2 = "38e75a89-7fd7-48db-aead-b08560c30e9a"
	return &Goal{
		ID:          1,
		UUID:        "cfd64af5-ec10-40c3-b8c2-0f1f7518af6a",
		Name:        "<Goal Name>",
		Description: "<Updated Goal Description>",
		IsKeyResult: false,
		Start:       "2022-09-21",
		End:         "2022-12-21",
		Measurement: &Measurement{
			Progress:   0.2,
			Initial:    nil,
			Target:     nil,
			Unit:       "",
			Done:       false,
			LowerLimit: nil,
			LowerMid:   nil,
			UpperLimit: nil,
			UpperMid:   nil,
			Current:    nil,
			Updated:    goalEpoch(1664306544, 276585),
			UpdatedBy:  goalUser(2, user2),
			Type:       "avgofprogress",
			Expected:   goalPtr(0.09),
			Condition:  "green",
			IsBinary:   true,
			IsNumeric:  false,
		},
		Owner:  &GoalOwner{User: goalUser(2, user2), Group: nil, Team: nil},
		Parent: nil,
		Children: []GoalRef{
			{
				ID:         3,
				UUID:       "75ebe19a-ce6e-499e-8124-908bb2ef0f4a",
				Name:       "<Key Result Name>",
				ModifiedOn: goalAt(2022, time.September, 21, 16, 42, 30, 752327),
			},
			{
				ID:         2,
				UUID:       "78db7f7e-c07d-4b74-b3b2-0d92aa812095",
				Name:       "<Updated Key Result Name>",
				ModifiedOn: goalAt(2022, time.September, 29, 18, 55, 2, 550704),
			},
		},
		Updated:     goalEpoch(1664477702, 414093),
		UpdatedBy:   goalUser(2, user2),
		Visibility:  "private",
		Integration: "",
		Stats: &GoalStats{
			Comments:     0,
			Cheers:       0,
			Nudges:       0,
			Views:        1,
			LastAssessed: Time{},
		},
		Categories:      []CategoryRef{},
		AttributeType:   Attribute{},
		AttributeScope:  Attribute{},
		Created:         goalEpoch(1663778550, 364967),
		CreatedBy:       goalUser(2, user2),
		LastCheckedIn:   goalEpoch(1664306544, 276585),
		LastCheckedInBy: goalUser(2, user2),
		CreatedOn:       goalAt(2022, time.September, 21, 16, 42, 30, 389180),
		ModifiedOn:      goalAt(2022, time.September, 29, 18, 55, 2, 533659),
	}
}

// wantCreateGoal is the create example's body, which shows a department
// (see the reference README): what a goal can read of it.
func wantCreateGoal() *Goal {
	return &Goal{
		ID:         29,
		UUID:       "c5886095-2b1a-4ec5-b18e-5e84cfc5416e",
		Name:       "<Department Name>",
		Parent:     &GoalRef{ID: 27, UUID: "0183dff0-d2ae-4b7f-841e-538ede550f09", Name: "<Department Name>"},
		CreatedOn:  goalAt(2021, time.December, 13, 20, 43, 5, 85133),
		ModifiedOn: goalAt(2021, time.December, 13, 20, 43, 5, 85290),
	}
}

func wantSearchGoals() *Page[Goal] {
	const user11 = "4d71e697-dbd0-48a2-99f6-84ca1a9764db"
	return &Page[Goal]{
		Results: []Goal{{
			ID:          153,
			UUID:        "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
			Name:        "<Goal Name>",
			Description: "<Goal Description>",
			IsKeyResult: false,
			Start:       "2016-01-21",
			End:         "2016-02-21",
			Measurement: &Measurement{
				Progress:   0.5,
				Initial:    goalPtr(0.0),
				Target:     goalPtr(100.0),
				Unit:       "Percent",
				Done:       false,
				LowerLimit: goalPtr(80.0),
				LowerMid:   goalPtr(40.0),
				UpperLimit: goalPtr(100.0),
				UpperMid:   goalPtr(50.0),
				Current:    goalPtr(25.0),
				Updated:    goalEpoch(1474465620, 44385),
				UpdatedBy:  goalUser(11, user11),
				Type:       "avgofprogress",
				Expected:   goalPtr(1.0),
				Condition:  "yellow",
				IsBinary:   true,
				IsNumeric:  false,
			},
			Owner: &GoalOwner{
				User:  goalUser(11, user11),
				Group: goalGroup218(),
				Team:  goalTeam(123, "a837d70f-cecb-4ea1-835b-1316c04e8317"),
			},
			Parent: &GoalRef{ID: 34, UUID: "646d0cbd-f47c-4d14-a6d0-cb9c62b4c68c", Name: "<Goal Name>"},
			Children: []GoalRef{
				{ID: 154, UUID: "94431760-47fb-464d-9003-b985d7f14afb", Name: "<Goal Name>"},
			},
			Updated:     goalEpoch(1453420800, 0),
			UpdatedBy:   goalUser(21, user11),
			Visibility:  "public",
			Integration: "Google Sheets",
			Stats: &GoalStats{
				Comments:     3,
				Cheers:       1,
				Nudges:       0,
				Views:        7,
				LastAssessed: goalEpoch(1490781811, 178752),
			},
			Categories: []CategoryRef{
				{ID: 123, UUID: "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80", Name: "<Category Name>"},
			},
			AttributeType:   Attribute{ID: 2},
			AttributeScope:  Attribute{ID: 3},
			Created:         goalEpoch(1474463786, 123895),
			CreatedBy:       goalUser(11, user11),
			LastCheckedIn:   goalEpoch(1474465620, 44385),
			LastCheckedInBy: goalUser(11, user11),
			CreatedOn:       goalAt(2019, time.January, 1, 12, 0, 0, 123456),
			ModifiedOn:      goalAt(2020, time.January, 2, 12, 0, 0, 123456),
		}},
		More:     true,
		NextURL:  "/api/v1/goals/search/?q=needle&page=2&size=1",
		NumPages: 0,
		Number:   0,
	}
}

func wantSearchGoalCategories() *Page[Category] {
	return &Page[Category]{
		Results: []Category{{
			ID:          1,
			Name:        "Goal Category 1",
			Updated:     goalEpoch(1664310650, 420348),
			UpdatedByID: 2,
			Created:     goalEpoch(1664310650, 420348),
			CreatedByID: 2,
		}},
		More:    true,
		NextURL: "/api/v1/goals/categories/search/?size=1&page=2&q=category",
	}
}

func wantListGoalComments() *Page[Comment] {
	const user14 = "918f07df-9428-4b13-a0aa-b5f457777f99"
	return &Page[Comment]{
		Results: []Comment{
			{
				ID:      16470,
				UUID:    "95b1b1da-769e-4820-bc07-d2d500d75112",
				Created: goalEpoch(1637642408, 871543),
				Edited:  goalEpoch(1639135101, 131713),
				Text:    "<Comment Text>",
				Author:  goalUser(557, "245fdc59-bfe9-464e-9763-44cd71f324ca"),
				Goal:    &GoalRef{ID: 151, UUID: "05394ead-c667-43c0-84b2-29c3b97dedfb", Name: "<Goal Name>"},
				GoalOwner: &GoalOwner{
					User: goalUser(14, user14),
					Group: &GroupRef{
						ID:          639,
						UUID:        "476a21bb-1f8e-4bcf-a276-8b128baa45fc",
						Name:        "<Group Name>",
						ParentID:    117,
						PictureURIs: goalPictures(),
						IsActive:    true,
						IsTeam:      false,
					},
					Team: goalTeam(577, "9d4ed2a0-cf74-4cdc-92ea-2466d7e364ac"),
				},
				IsKeyResult: true,
			},
			{
				ID:      13076,
				UUID:    "05a04285-23c0-4d18-a45a-2c7df64e8c92",
				Created: goalEpoch(1601032583, 618398),
				Edited:  goalEpoch(1639135101, 131713),
				Text:    "<Comment Text>",
				Author:  goalUser(661, "245fdc59-bfe9-464e-9763-44cd71f324ca"),
				Goal:    &GoalRef{ID: 227, UUID: "3bce3d2a-8068-49e6-b96a-9b8dce4394ee", Name: "<Goal Name>"},
				GoalOwner: &GoalOwner{
					User: goalUser(14, user14),
					Group: &GroupRef{
						ID:          218,
						UUID:        "0ad10986-a96e-480d-868b-26604886e8d6",
						Name:        "<Group Name>",
						ParentID:    719,
						PictureURIs: goalPictures(),
						IsActive:    false,
						IsTeam:      false,
					},
					Team: goalTeam(306, "6046f513-093c-41fe-a03b-417dd039ab50"),
				},
				IsKeyResult: true,
			},
		},
		More:    false,
		NextURL: "",
	}
}

func wantListGoalAssessments() *[]Assessment {
	return &[]Assessment{
		{
			ID:        5,
			UUID:      "d0b8b3bb-927d-4b20-b9fc-a7bfcc4a1413",
			Created:   goalEpoch(1647371191, 628856),
			Edited:    goalEpoch(1659135101, 131713),
			CreatedBy: goalUser(117, "f2f248c2-b486-452d-b78b-178faba3127a"),
			GoalID:    12345,
			Comment:   "<Comment Text>",
			Score:     0.75,
		},
		{
			ID:        6,
			UUID:      "ee175165-b5b9-49ee-b293-9c632bb7ee8e",
			Created:   goalEpoch(1647371191, 628856),
			Edited:    goalEpoch(1659135101, 131713),
			CreatedBy: goalUser(117, "9986837a-513d-4ad5-b3f9-a1beea3783cb"),
			GoalID:    12345,
			Comment:   "<Comment Text>",
			Score:     1.0,
		},
	}
}

// wantCheckInGoal is the check-in example: its user references carry no
// uuid, and it has no attributes, created_on or modified_on.
func wantCheckInGoal() *Goal {
	user3 := &UserRef{ID: 3, Name: "<First Name> <Last Name>"}
	return &Goal{
		ID:          29,
		UUID:        "",
		Name:        "<Goal Name>",
		Description: "<Goal Description>",
		IsKeyResult: true,
		Start:       "2016-01-21",
		End:         "2016-02-21",
		Measurement: &Measurement{
			Progress:   0.4,
			Initial:    goalPtr(0.0),
			Target:     goalPtr(10.0),
			Unit:       "u",
			Done:       false,
			LowerLimit: goalPtr(8.0),
			LowerMid:   goalPtr(4.0),
			UpperLimit: goalPtr(10.0),
			UpperMid:   goalPtr(5.0),
			Current:    goalPtr(4.0),
			Updated:    goalEpoch(1453507200, 0),
			UpdatedBy:  user3,
			Type:       "numeric",
			Expected:   goalPtr(10.0),
			Condition:  "green",
			IsBinary:   false,
			IsNumeric:  true,
		},
		Owner: &GoalOwner{
			User:  user3,
			Group: goalGroup218(),
			Team:  goalTeam(577, "9d4ed2a0-cf74-4cdc-92ea-2466d7e364ac"),
		},
		Parent: &GoalRef{ID: 28, Name: "<Goal Name>"},
		Children: []GoalRef{
			{ID: 215, UUID: "0434ff99-9382-4684-b9ce-0e80ce4eb1f9", Name: "<Goal Name>"},
		},
		Updated:     goalEpoch(1453507200, 0),
		UpdatedBy:   user3,
		Visibility:  "public",
		Integration: "Udemy",
		Stats: &GoalStats{
			Comments:     1,
			Cheers:       5,
			Nudges:       1,
			Views:        5,
			LastAssessed: goalEpoch(1470611529, 151352),
		},
		Categories: []CategoryRef{
			{ID: 3, UUID: "e190931c-22da-4cc8-bce0-026a9c914b34", Name: "<Category Name>"},
		},
		AttributeType:   Attribute{},
		AttributeScope:  Attribute{},
		Created:         goalEpoch(1453420800, 0),
		CreatedBy:       user3,
		LastCheckedIn:   goalEpoch(1453507200, 0),
		LastCheckedInBy: user3,
		CreatedOn:       Time{},
		ModifiedOn:      Time{},
	}
}

func TestDecodeGoalExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		got     any // a pointer to a zero value of the response type
		want    any
	}{
		{fixture: "get_goal.json", got: new(Goal), want: wantGetGoal()},
		{fixture: "update_goal.json", got: new(Goal), want: wantUpdateGoal()},
		{fixture: "create_goal.json", got: new(Goal), want: wantCreateGoal()},
		{fixture: "search_goals.json", got: new(Page[Goal]), want: wantSearchGoals()},
		{fixture: "search_goal_categories.json", got: new(Page[Category]), want: wantSearchGoalCategories()},
		{fixture: "list_goal_comments.json", got: new(Page[Comment]), want: wantListGoalComments()},
		{fixture: "list_goal_assessments.json", got: new([]Assessment), want: wantListGoalAssessments()},
		{fixture: "checkin_goal.json", got: new(Goal), want: wantCheckInGoal()},
		{fixture: "delete_goal.json", got: new(struct{}), want: &struct{}{}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			if err := decodeJSON(goalFixture(t, tt.fixture), tt.got); err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, tt.got, goalTimeOpt); diff != "" {
				t.Errorf("Decode() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeGoalAttribute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want Attribute
	}{
		{body: `1`, want: Attribute{ID: 1}},
		{body: `3`, want: Attribute{ID: 3}},
		{body: `"2"`, want: Attribute{ID: 2}},
		{body: `"committed"`, want: Attribute{Name: "committed"}},
		{body: `"developmental"`, want: Attribute{Name: "developmental"}},
		{body: `null`, want: Attribute{}},
		{body: ` -2 `, want: Attribute{ID: -2}},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			got := Attribute{ID: 99, Name: "stale"} // decoding must reset both fields
			if err := decodeJSON([]byte(tt.body), &got); err != nil {
				t.Fatalf("Decode(%s) error = %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode(%s) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
	// What encoding/json refuses for an int64, the client refuses too.
	for _, body := range []string{`2.5`, `1e3`, `9223372036854775808`, `true`, `{}`} {
		var got Attribute
		if err := decodeJSON([]byte(body), &got); err == nil {
			t.Errorf("Decode(%s) = %+v, want an error", body, got)
		}
		if err := json.Unmarshal([]byte(body), new(int64)); err == nil {
			t.Errorf("encoding/json decodes %s into an int64: the refusal above is not encoding/json's", body)
		}
	}
}

// goalJSON decodes a JSON document into generic values, so two documents
// compare by meaning: key order, spacing and 100.00 versus 100 do not
// matter. A duplicate key keeps its last value, as the upstream's parser
// does.
func goalJSON(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := decodeJSON(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

func TestGoalRequestsMatchExamples(t *testing.T) {
	t.Parallel()
	const owner = "8277ffa7-6e30-4989-8ac2-963160a45e43"
	tests := []struct {
		fixture string
		payload any
		// example adjusts the reference's example where the client
		// deliberately sends another JSON type; most rows leave it as is.
		example func(map[string]any)
	}{
		{
			// The example names the goal twice ("<Goal Name>", then
			// "Goal One") and its key result's unit twice; the last value
			// is the one a JSON parser keeps.
			fixture: "create_goal_request.json",
			payload: &GoalCreate{
				Owner:          Owner{UserID: owner},
				Name:           "Goal One",
				Description:    "<Goal Description>",
				Parent:         "646d0cbd-f47c-4d14-a6d0-cb9c62b4c68c",
				Start:          goalUSDate(t, "2022-08-01"),
				End:            goalUSDate(t, "2022-12-31"),
				Categories:     []string{"123", "456"},
				Visibility:     "public",
				CreationSource: "manual",
				KeyResults: []KeyResultWrite{{
					ID:    "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
					Name:  goalPtr("<Key Result Name>"),
					Owner: &Owner{UserID: owner},
					Start: goalPtr(goalUSDate(t, "2022-08-01")),
					End:   goalPtr(goalUSDate(t, "2022-10-31")),
					Type:  "numeric",
					Unit:  goalPtr("Percent"),
					MeasurementWrite: MeasurementWrite{
						Target:     goalPtr(100.0),
						Initial:    goalPtr(0.0),
						AutoTarget: goalPtr(false),
					},
					AttributeScope: "business",
					AttributeType:  "committed",
				}},
				Type: "manualprogress",
				Unit: "Percent",
				MeasurementWrite: MeasurementWrite{
					Target:     goalPtr(100.0),
					Initial:    goalPtr(10.0),
					LowerLimit: goalPtr[int64](0),
					LowerMid:   goalPtr[int64](30),
					UpperMid:   goalPtr[int64](70),
					UpperLimit: goalPtr[int64](100),
					AutoTarget: goalPtr(false),
				},
				AttributeScope: "business",
				AttributeType:  "committed",
			},
			example: func(map[string]any) {},
		},
		{
			fixture: "update_goal_request.json",
			payload: &GoalUpdate{
				Description: goalPtr("<Updated Goal Description>"),
				KeyResults: []KeyResultWrite{{
					Name: goalPtr("<Updated Key Result Name>"),
					ID:   "2",
				}},
			},
			// Key result ids are "Integer or UUID" and KeyResultWrite.ID
			// is a string, so the example's bare 2 is sent as "2".
			example: func(m map[string]any) {
				m["key_results"].([]any)[0].(map[string]any)["id"] = "2"
			},
		},
		{
			fixture: "checkin_goal_request.json",
			payload: &CheckIn{Value: goalPtr(18.6), Target: goalPtr(30.0)},
			example: func(map[string]any) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			want := goalJSON(t, goalFixture(t, tt.fixture))
			tt.example(want)
			data, err := json.Marshal(tt.payload)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if diff := cmp.Diff(want, goalJSON(t, data)); diff != "" {
				t.Errorf("Marshal() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGoalWritesOmitUnsetFields checks that a partial update sends only what
// it sets, and that a zero but set value is still sent.
func TestGoalWritesOmitUnsetFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload any
		want    string
	}{
		{name: "empty_update", payload: &GoalUpdate{}, want: `{}`},
		{
			name:    "zero_values_set",
			payload: &GoalUpdate{Name: goalPtr(""), MeasurementWrite: MeasurementWrite{Target: goalPtr(0.0), LowerLimit: goalPtr[int64](0), AutoTarget: goalPtr(false)}},
			want:    `{"name":"","target":0,"lower_limit":0,"auto_target":false}`,
		},
		{
			name:    "dates",
			payload: &GoalUpdate{Start: goalPtr(goalUSDate(t, "2022-01-02")), End: goalPtr(goalUSDate(t, "2022-12-31"))},
			want:    `{"start":"01/02/2022","end":"12/31/2022"}`,
		},
		{
			name:    "key_result_delete",
			payload: &GoalUpdate{KeyResults: []KeyResultWrite{{ID: "7", Delete: true}, {Create: true, Name: goalPtr("new")}}},
			want:    `{"key_results":[{"id":"7","delete":true},{"create":true,"name":"new"}]}`,
		},
		{name: "binary_checkin", payload: &CheckIn{Done: goalPtr(true)}, want: `{"done":true}`},
		{name: "zero_checkin", payload: &CheckIn{Value: goalPtr(0.0)}, want: `{"value":0}`},
		{
			name: "minimal_create",
			payload: &GoalCreate{
				Owner: Owner{UserID: "4"}, Name: "n", Start: goalUSDate(t, "2024-02-29"), End: goalUSDate(t, "2024-03-01"),
				Visibility: "private", CreationSource: "default", Type: "avgofprogress",
			},
			want: `{"owner":{"user_id":"4"},"name":"n","start":"02/29/2024","end":"03/01/2024",` +
				`"visibility":"private","creation_source":"default","type":"avgofprogress"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tt.payload)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal() = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestGoalClientRequests sends every goal operation to a fake upstream that
// answers the reference's example, and checks the request it saw and the
// result the method returned.
func TestGoalClientRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		call    func(context.Context, *Client) (any, error)
		want    recordedRequest
		result  any
	}{
		{
			name:    "GetGoal",
			fixture: "get_goal.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetGoal(ctx, NewToken("t"), "115")
			},
			want:   recordedRequest{Method: http.MethodGet, RequestURI: "/api/v1/goals/115/"},
			result: wantGetGoal(),
		},
		{
			name:    "ListGoals",
			fixture: "search_goals.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListGoals(ctx, NewToken("t"), GoalFilter{Risk: "atrisk"}, PageRequest{Page: 2, Size: 1})
			},
			want:   recordedRequest{Method: http.MethodGet, RequestURI: "/api/v1/goals/filter/?page=2&risk=atrisk&size=1"},
			result: wantSearchGoals(),
		},
		{
			name:    "SearchGoals",
			fixture: "search_goals.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SearchGoals(ctx, NewToken("t"), GoalSearch{Query: "needle"}, PageRequest{Size: 2})
			},
			want:   recordedRequest{Method: http.MethodGet, RequestURI: "/api/v1/goals/search/?q=needle&size=2"},
			result: wantSearchGoals(),
		},
		{
			name:    "SearchGoals_all_parameters",
			fixture: "search_goals.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SearchGoals(ctx, NewToken("t"), GoalSearch{
					Query: "need le", Visibility: "private", GoalType: "sumofrange",
					NotDue: true, Current: true, CurrentStale: true, Future: true,
				}, PageRequest{Page: 3})
			},
			want: recordedRequest{
				Method: http.MethodGet,
				RequestURI: "/api/v1/goals/search/?current=true&current_stale=true&future=true&goal_type=sumofrange" +
					"&not_due=true&page=3&q=need+le&visibility=private",
			},
			result: wantSearchGoals(),
		},
		{
			name:    "SearchGoalCategories",
			fixture: "search_goal_categories.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SearchGoalCategories(ctx, NewToken("t"), "category", PageRequest{Page: 1, Size: 1})
			},
			want:   recordedRequest{Method: http.MethodGet, RequestURI: "/api/v1/goals/categories/search/?page=1&q=category&size=1"},
			result: wantSearchGoalCategories(),
		},
		{
			name:    "SearchGoalCategories_no_query",
			fixture: "search_goal_categories.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SearchGoalCategories(ctx, NewToken("t"), "", PageRequest{})
			},
			want:   recordedRequest{Method: http.MethodGet, RequestURI: "/api/v1/goals/categories/search/"},
			result: wantSearchGoalCategories(),
		},
		{
			name:    "ListGoalComments",
			fixture: "list_goal_comments.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListGoalComments(ctx, NewToken("t"), "151", CommentFilter{Type: "starred"}, PageRequest{Size: 10})
			},
			want:   recordedRequest{Method: http.MethodGet, RequestURI: "/api/v1/goals/151/comments?size=10&type=starred"},
			result: wantListGoalComments(),
		},
		{
			name:    "ListGoalAssessments",
			fixture: "list_goal_assessments.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				got, err := c.ListGoalAssessments(ctx, NewToken("t"), "12345")
				return &got, err
			},
			want:   recordedRequest{Method: http.MethodGet, RequestURI: "/api/v1/goals/12345/assessments/"},
			result: wantListGoalAssessments(),
		},
		{
			name:    "CreateGoal",
			fixture: "create_goal.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateGoal(ctx, NewToken("t"), &GoalCreate{
					Owner: Owner{UserID: "25"}, Name: "n", Start: goalUSDate(t, "2022-08-01"), End: goalUSDate(t, "2022-12-31"),
					Visibility: "public", CreationSource: "manual", Type: "manualprogress", Unit: "Percent",
				})
			},
			want: recordedRequest{
				Method: http.MethodPost, RequestURI: "/api/v1/goals/", ContentType: "application/json",
				Body: `{"owner":{"user_id":"25"},"name":"n","start":"08/01/2022","end":"12/31/2022",` +
					`"visibility":"public","creation_source":"manual","type":"manualprogress","unit":"Percent"}`,
			},
			result: wantCreateGoal(),
		},
		{
			name:    "UpdateGoal",
			fixture: "update_goal.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UpdateGoal(ctx, NewToken("t"), "cfd64af5-ec10-40c3-b8c2-0f1f7518af6a", &GoalUpdate{Visibility: "private"})
			},
			want: recordedRequest{
				Method: http.MethodPut, RequestURI: "/api/v1/goals/cfd64af5-ec10-40c3-b8c2-0f1f7518af6a/",
				ContentType: "application/json", Body: `{"visibility":"private"}`,
			},
			result: wantUpdateGoal(),
		},
		{
			name:    "CheckInGoal",
			fixture: "checkin_goal.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CheckInGoal(ctx, NewToken("t"), "12834", &CheckIn{Value: goalPtr(18.6), Target: goalPtr(30.0)})
			},
			want: recordedRequest{
				Method: http.MethodPost, RequestURI: "/api/v1/goals/12834/checkin/",
				ContentType: "application/json", Body: `{"value":18.6,"target":30}`,
			},
			result: wantCheckInGoal(),
		},
		{
			name:    "DeleteGoal",
			fixture: "delete_goal.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.DeleteGoal(ctx, NewToken("t"), "123")
			},
			want:   recordedRequest{Method: http.MethodDelete, RequestURI: "/api/v1/goals/123/"},
			result: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := goalFixture(t, tt.fixture)
			fake := newRecordingUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			})

			got, err := tt.call(t.Context(), fake.client(t, Config{}))

			if err != nil {
				t.Fatalf("%s() error = %v", tt.name, err)
			}
			if diff := cmp.Diff([]recordedRequest{tt.want}, fake.requests(), recordedRequestOpt); diff != "" {
				t.Errorf("%s() request mismatch (-want +got):\n%s", tt.name, diff)
			}
			if diff := cmp.Diff(tt.result, got, goalTimeOpt, ignoreServed); diff != "" {
				t.Errorf("%s() mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

// TestDeleteGoalNoContent checks the documented answer of DELETE: 204 and
// no body.
func TestDeleteGoalNoContent(t *testing.T) {
	t.Parallel()
	fake := newRecordingUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	if err := fake.client(t, Config{}).DeleteGoal(t.Context(), NewToken("t"), "123"); err != nil {
		t.Errorf("DeleteGoal() error = %v", err)
	}
}

// goalQuery returns the query of the one request fake received.
func goalQuery(t *testing.T, fake *recordingUpstream) url.Values {
	t.Helper()
	uris := fake.requestURIs()
	if len(uris) != 1 {
		t.Fatalf("upstream received %d requests, want 1", len(uris))
	}
	u, err := url.ParseRequestURI(uris[0])
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestGoalFilterQuery(t *testing.T) {
	t.Parallel()
	cest := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name   string
		filter GoalFilter
		page   PageRequest
		want   url.Values
	}{
		{name: "none", filter: GoalFilter{}, want: url.Values{}},
		{name: "owner", filter: GoalFilter{Owner: &Relation{ID: "25"}}, want: url.Values{"owner": {"25"}}},
		{
			name:   "owner_direct",
			filter: GoalFilter{Owner: &Relation{ID: "25", Direct: true}},
			want:   url.Values{"owner": {"25"}, "owner__direct": {"yes"}},
		},
		{
			name:   "owner_negate",
			filter: GoalFilter{Owner: &Relation{ID: "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e", Negate: true}},
			want:   url.Values{"owner": {"ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"}, "owner__negate": {"yes"}},
		},
		{
			name:   "aligned_to_goal",
			filter: GoalFilter{AlignedToGoal: &Relation{ID: "34", Direct: true}},
			want:   url.Values{"aligned_to_goal": {"34"}, "aligned_to_goal__direct": {"yes"}},
		},
		{
			name:   "aligned_to_owner",
			filter: GoalFilter{AlignedToOwner: &Relation{ID: "4", Negate: true}},
			want:   url.Values{"aligned_to_owner": {"4"}, "aligned_to_owner__negate": {"yes"}},
		},
		{
			name:   "reports_to",
			filter: GoalFilter{ReportsTo: &Relation{ID: "12", Direct: true, Negate: true}},
			want:   url.Values{"reports_to": {"12"}, "reports_to__direct": {"yes"}, "reports_to__negate": {"yes"}},
		},
		{name: "team_only_yes", filter: GoalFilter{TeamOnly: goalPtr(true)}, want: url.Values{"team_only": {"yes"}}},
		{name: "team_only_no", filter: GoalFilter{TeamOnly: goalPtr(false)}, want: url.Values{"team_only": {"no"}}},
		{name: "group", filter: GoalFilter{Group: goalPtr("218")}, want: url.Values{"group": {"218"}}},
		{name: "no_group", filter: GoalFilter{Group: goalPtr("")}, want: url.Values{"group": {""}}},
		{name: "visibility", filter: GoalFilter{Visibility: "private"}, want: url.Values{"visibility": {"private"}}},
		{name: "permission", filter: GoalFilter{Permission: "can_only_view"}, want: url.Values{"permission": {"can_only_view"}}},
		{name: "following_yes", filter: GoalFilter{Following: goalPtr(true)}, want: url.Values{"following": {"yes"}}},
		{name: "following_no", filter: GoalFilter{Following: goalPtr(false)}, want: url.Values{"following": {"no"}}},
		{
			name:   "categories_union",
			filter: GoalFilter{Categories: []string{"2", "1", "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80"}},
			want:   url.Values{"category": {"2", "1", "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80"}},
		},
		{
			name:   "categories_intersect",
			filter: GoalFilter{Categories: []string{"1", "2"}, CategoryIntersect: true},
			want:   url.Values{"category": {"1", "2"}, "category__intersect": {"yes"}},
		},
		{name: "uncategorized", filter: GoalFilter{Uncategorized: true}, want: url.Values{"category": {""}}},
		{
			name:   "uncategorized_wins_over_categories",
			filter: GoalFilter{Uncategorized: true, Categories: []string{"1"}, CategoryIntersect: true},
			want:   url.Values{"category": {""}},
		},
		{name: "assessed_yes", filter: GoalFilter{Assessed: goalPtr(true)}, want: url.Values{"assessment": {"yes"}}},
		{name: "assessed_no", filter: GoalFilter{Assessed: goalPtr(false)}, want: url.Values{"assessment": {"no"}}},
		{name: "risk", filter: GoalFilter{Risk: "needsattention"}, want: url.Values{"risk": {"needsattention"}}},
		{name: "integration", filter: GoalFilter{Integration: goalPtr("jira")}, want: url.Values{"integration": {"jira"}}},
		{name: "no_integration", filter: GoalFilter{Integration: goalPtr("")}, want: url.Values{"integration": {""}}},
		{name: "unit", filter: GoalFilter{Unit: goalPtr("Percent")}, want: url.Values{"unit": {"Percent"}}},
		{name: "no_unit", filter: GoalFilter{Unit: goalPtr("")}, want: url.Values{"unit": {""}}},
		{name: "top_company_goal_yes", filter: GoalFilter{TopCompanyGoal: goalPtr(true)}, want: url.Values{"top_company_goal": {"yes"}}},
		{name: "top_company_goal_no", filter: GoalFilter{TopCompanyGoal: goalPtr(false)}, want: url.Values{"top_company_goal": {"no"}}},
		{name: "goal_name", filter: GoalFilter{GoalName: "Q3 revenue & growth"}, want: url.Values{"goal_name": {"Q3 revenue & growth"}}},
		{
			name:   "date_range",
			filter: GoalFilter{DateRange: &DateRange{Start: "2022-08-01", End: "2022-12-31"}},
			want:   url.Values{"date_range": {"08/01/2022-12/31/2022"}},
		},
		{
			name:   "date_range_negate",
			filter: GoalFilter{DateRange: &DateRange{Start: "2024-02-29", End: "2024-03-01", Negate: true}},
			want:   url.Values{"date_range": {"02/29/2024-03/01/2024"}, "date_range__negate": {"yes"}},
		},
		{
			name:   "updated_since_negate",
			filter: GoalFilter{UpdatedSince: &DateRange{Start: "2021-01-01", End: "2021-01-31", Negate: true}},
			want:   url.Values{"updated_since": {"01/01/2021-01/31/2021"}, "updated_since__negate": {"yes"}},
		},
		{
			name:   "viewed_by_owner_date",
			filter: GoalFilter{ViewedByOwnerDate: &DateRange{Start: "2023-06-05", End: "2023-06-05"}},
			want:   url.Values{"viewed_by_owner_date": {"06/05/2023-06/05/2023"}},
		},
		{
			name: "delta",
			filter: GoalFilter{
				DeltaStart: time.Date(2022, time.September, 21, 18, 42, 30, 752327999, cest),
				DeltaEnd:   time.Date(2022, time.September, 30, 0, 0, 0, 0, time.UTC),
			},
			want: url.Values{"delta_start": {"2022-09-21T16:42:30.752327Z"}, "delta_end": {"2022-09-30T00:00:00Z"}},
		},
		{
			name:   "delta_start_only",
			filter: GoalFilter{DeltaStart: time.Date(2022, time.January, 2, 3, 4, 5, 0, cest)},
			want:   url.Values{"delta_start": {"2022-01-02T01:04:05Z"}},
		},
		{name: "page", page: PageRequest{Page: 3, Size: 50}, want: url.Values{"page": {"3"}, "size": {"50"}}},
		{name: "page_negative", page: PageRequest{Page: -1, Size: -5}, want: url.Values{}},
		{
			name: "everything",
			filter: GoalFilter{
				Owner:             &Relation{ID: "1", Direct: true},
				AlignedToGoal:     &Relation{ID: "2", Negate: true},
				AlignedToOwner:    &Relation{ID: "3"},
				ReportsTo:         &Relation{ID: "4", Direct: true},
				TeamOnly:          goalPtr(true),
				Group:             goalPtr("5"),
				Visibility:        "public",
				Permission:        "can_edit",
				Following:         goalPtr(false),
				Categories:        []string{"6", "7"},
				CategoryIntersect: true,
				Assessed:          goalPtr(true),
				Risk:              "ontrack",
				Integration:       goalPtr("salesforce"),
				Unit:              goalPtr("USD"),
				TopCompanyGoal:    goalPtr(true),
				GoalName:          "growth",
				DateRange:         &DateRange{Start: "2022-01-01", End: "2022-03-31", Negate: true},
				UpdatedSince:      &DateRange{Start: "2022-02-01", End: "2022-02-28"},
				ViewedByOwnerDate: &DateRange{Start: "2022-03-01", End: "2022-03-02"},
				DeltaStart:        time.Date(2022, time.January, 1, 0, 0, 0, 0, time.UTC),
				DeltaEnd:          time.Date(2022, time.December, 31, 23, 59, 59, 0, time.UTC),
			},
			page: PageRequest{Page: 2, Size: 20},
			want: url.Values{
				"owner": {"1"}, "owner__direct": {"yes"},
				"aligned_to_goal": {"2"}, "aligned_to_goal__negate": {"yes"},
				"aligned_to_owner": {"3"},
				"reports_to":       {"4"}, "reports_to__direct": {"yes"},
				"team_only":  {"yes"},
				"group":      {"5"},
				"visibility": {"public"},
				"permission": {"can_edit"},
				"following":  {"no"},
				"category":   {"6", "7"}, "category__intersect": {"yes"},
				"assessment":       {"yes"},
				"risk":             {"ontrack"},
				"integration":      {"salesforce"},
				"unit":             {"USD"},
				"top_company_goal": {"yes"},
				"goal_name":        {"growth"},
				"date_range":       {"01/01/2022-03/31/2022"}, "date_range__negate": {"yes"},
				"updated_since":        {"02/01/2022-02/28/2022"},
				"viewed_by_owner_date": {"03/01/2022-03/02/2022"},
				"delta_start":          {"2022-01-01T00:00:00Z"},
				"delta_end":            {"2022-12-31T23:59:59Z"},
				"page":                 {"2"},
				"size":                 {"20"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": [], "more": false}`))

			if _, err := fake.client(t, Config{}).ListGoals(t.Context(), NewToken("t"), tt.filter, tt.page); err != nil {
				t.Fatalf("ListGoals() error = %v", err)
			}

			if diff := cmp.Diff(tt.want, goalQuery(t, fake)); diff != "" {
				t.Errorf("ListGoals() query mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGoalFilterRejectsInvalidDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter GoalFilter
	}{
		{name: "impossible_day", filter: GoalFilter{DateRange: &DateRange{Start: "2022-02-30", End: "2022-03-01"}}},
		{name: "us_form", filter: GoalFilter{DateRange: &DateRange{Start: "08/01/2022", End: "2022-12-31"}}},
		{name: "missing_end", filter: GoalFilter{DateRange: &DateRange{Start: "2022-08-01"}}},
		{name: "month_13", filter: GoalFilter{UpdatedSince: &DateRange{Start: "2022-13-01", End: "2022-12-31"}}},
		{name: "timestamp", filter: GoalFilter{ViewedByOwnerDate: &DateRange{Start: "2022-01-01", End: "2022-01-02T00:00:00Z"}}},
		{name: "not_a_leap_year", filter: GoalFilter{ViewedByOwnerDate: &DateRange{Start: "2023-02-29", End: "2023-03-01"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": []}`))

			_, err := fake.client(t, Config{}).ListGoals(t.Context(), NewToken("t"), tt.filter, PageRequest{})

			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("ListGoals() error = %v, want %v", err, ErrInvalidRequest)
			}
			if got := fake.requests(); len(got) != 0 {
				t.Errorf("upstream received %d requests, want none", len(got))
			}
		})
	}
}

func TestCommentFilterQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter CommentFilter
		page   PageRequest
		want   url.Values
	}{
		{name: "none", want: url.Values{}},
		{name: "type", filter: CommentFilter{Type: "private"}, want: url.Values{"type": {"private"}}},
		{
			name:   "latest_time",
			filter: CommentFilter{LatestTime: time.Date(2021, time.November, 23, 4, 40, 8, 871543000, time.UTC)},
			want:   url.Values{"latest_time": {"1637642408.871543"}},
		},
		{
			name:   "latest_time_other_zone_and_nanoseconds",
			filter: CommentFilter{LatestTime: time.Date(2021, time.November, 23, 5, 40, 8, 871543999, time.FixedZone("CET", 3600))},
			want:   url.Values{"latest_time": {"1637642408.871543"}},
		},
		{
			name:   "latest_time_whole_second",
			filter: CommentFilter{LatestTime: time.Unix(1453420800, 0)},
			want:   url.Values{"latest_time": {"1453420800.000000"}},
		},
		{
			name:   "everything",
			filter: CommentFilter{Type: "starred", LatestTime: time.Unix(1601032583, 618398000)},
			page:   PageRequest{Page: 2, Size: 10},
			want:   url.Values{"type": {"starred"}, "latest_time": {"1601032583.618398"}, "page": {"2"}, "size": {"10"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newRecordingUpstream(t, serveBody(http.StatusOK, "application/json", `{"results": []}`))

			if _, err := fake.client(t, Config{}).ListGoalComments(t.Context(), NewToken("t"), "1", tt.filter, tt.page); err != nil {
				t.Fatalf("ListGoalComments() error = %v", err)
			}

			if diff := cmp.Diff(tt.want, goalQuery(t, fake)); diff != "" {
				t.Errorf("ListGoalComments() query mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
