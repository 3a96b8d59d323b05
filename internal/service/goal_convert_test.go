package service

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// This file converts the reference's Goals examples (the upstream
// package's testdata/goals/) from the upstream types to the contract's
// messages, and checks every field.

// convGroup218 is the owner group of the get, search and check-in examples.
func convGroup218() *betterworksv1.GroupRef {
	return &betterworksv1.GroupRef{
		Id:          218,
		Uuid:        "5eb928a2-34f8-4d1f-8ef1-f8a7b600e774",
		Name:        "<Group Name>",
		ParentId:    719,
		PictureUris: convPictures(),
		IsActive:    false,
		IsTeam:      false,
	}
}

// convTeam is an owner team of the examples. Their modified_on is the
// impossible "2021-26-10T21:19:18.391311Z", so it is unset.
func convTeam(id int64, uuid string) *betterworksv1.TeamRef {
	return &betterworksv1.TeamRef{
		Id:          id,
		Uuid:        uuid,
		Name:        "<Team Name>",
		PictureUris: convPictures(),
		IsActive:    false,
		CreatedOn:   convAt(2021, time.November, 10, 21, 28, 29, 610217),
		ModifiedOn:  nil,
	}
}

func wantGetGoalProto() *betterworksv1.Goal {
	return &betterworksv1.Goal{
		Id:          115,
		Uuid:        "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Name:        "<Goal Name>",
		Description: "<Goal Description>",
		IsKeyResult: false,
		Start:       "2016-06-21",
		End:         "2016-06-28",
		Measurement: &betterworksv1.GoalMeasurement{
			Progress:   1.0,
			Initial:    proto.Float64(0),
			Target:     proto.Float64(100),
			Unit:       "Percent",
			Done:       false,
			LowerLimit: proto.Float64(1),
			LowerMid:   proto.Float64(25),
			UpperLimit: proto.Float64(110),
			UpperMid:   proto.Float64(105),
			Current:    proto.Float64(78),
			Updated:    convEpoch(1501239228, 920303),
			UpdatedBy:  convUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
			Type:       betterworksv1.MeasurementType_MEASUREMENT_TYPE_MANUAL_PROGRESS,
			Expected:   proto.Float64(1),
			Condition:  betterworksv1.GoalCondition_GOAL_CONDITION_GREEN,
			IsBinary:   false,
			IsNumeric:  true,
		},
		Owner: &betterworksv1.GoalOwner{
			User:  convUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
			Group: convGroup218(),
			Team:  convTeam(123, "a837d70f-cecb-4ea1-835b-1316c04e8317"),
		},
		Parent: &betterworksv1.GoalRef{Id: 34, Uuid: "646d0cbd-f47c-4d14-a6d0-cb9c62b4c68c", Name: "<Goal Name>"},
		Children: []*betterworksv1.GoalRef{
			{Id: 116, Uuid: "6cabcd2d-57e1-492b-9d2a-9ff6cc001e04", Name: "<Goal Name>"},
		},
		Updated:     convEpoch(1453420800, 0),
		UpdatedBy:   convUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
		Visibility:  betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
		Integration: "JIRA",
		Stats: &betterworksv1.GoalStats{
			Comments:     1,
			Cheers:       1,
			Nudges:       1,
			Views:        5,
			LastAssessed: convEpoch(1467091175, 817682),
		},
		Categories: []*betterworksv1.GoalCategoryRef{
			{Id: 1, Uuid: "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80", Name: "<Category Name>"},
		},
		AttributeType:   betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_COMMITTED,
		AttributeScope:  betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_BUSINESS,
		Created:         convEpoch(1453420800, 0),
		CreatedBy:       convUser(25, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
		LastCheckedin:   convEpoch(1467115788, 350479),
		LastCheckedinBy: convUser(4, "16534a8a-d12f-47a8-94bf-7307728bee12"),
		CreatedOn:       convAt(2021, time.July, 19, 16, 2, 11, 394597),
		ModifiedOn:      convAt(2021, time.November, 28, 10, 53, 48, 920303),
	}
}

func wantUpdateGoalProto() *betterworksv1.Goal {
	const user2 = "38e75a89-7fd7-48db-aead-b08560c30e9a"
	return &betterworksv1.Goal{
		Id:          1,
		Uuid:        "cfd64af5-ec10-40c3-b8c2-0f1f7518af6a",
		Name:        "<Goal Name>",
		Description: "<Updated Goal Description>",
		IsKeyResult: false,
		Start:       "2022-09-21",
		End:         "2022-12-21",
		Measurement: &betterworksv1.GoalMeasurement{
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
			Updated:    convEpoch(1664306544, 276585),
			UpdatedBy:  convUser(2, user2),
			Type:       betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS,
			Expected:   proto.Float64(0.09),
			Condition:  betterworksv1.GoalCondition_GOAL_CONDITION_GREEN,
			IsBinary:   true,
			IsNumeric:  false,
		},
		Owner:  &betterworksv1.GoalOwner{User: convUser(2, user2), Group: nil, Team: nil},
		Parent: nil,
		Children: []*betterworksv1.GoalRef{
			{
				Id:         3,
				Uuid:       "75ebe19a-ce6e-499e-8124-908bb2ef0f4a",
				Name:       "<Key Result Name>",
				ModifiedOn: convAt(2022, time.September, 21, 16, 42, 30, 752327),
			},
			{
				Id:         2,
				Uuid:       "78db7f7e-c07d-4b74-b3b2-0d92aa812095",
				Name:       "<Updated Key Result Name>",
				ModifiedOn: convAt(2022, time.September, 29, 18, 55, 2, 550704),
			},
		},
		Updated:     convEpoch(1664477702, 414093),
		UpdatedBy:   convUser(2, user2),
		Visibility:  betterworksv1.GoalVisibility_GOAL_VISIBILITY_PRIVATE,
		Integration: "",
		Stats: &betterworksv1.GoalStats{
			Comments:     0,
			Cheers:       0,
			Nudges:       0,
			Views:        1,
			LastAssessed: nil,
		},
		Categories:      nil,
		AttributeType:   betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
		AttributeScope:  betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		Created:         convEpoch(1663778550, 364967),
		CreatedBy:       convUser(2, user2),
		LastCheckedin:   convEpoch(1664306544, 276585),
		LastCheckedinBy: convUser(2, user2),
		CreatedOn:       convAt(2022, time.September, 21, 16, 42, 30, 389180),
		ModifiedOn:      convAt(2022, time.September, 29, 18, 55, 2, 533659),
	}
}

// wantCreateGoalProto is what a goal can read of the create example, which
// shows a department.
func wantCreateGoalProto() *betterworksv1.Goal {
	return &betterworksv1.Goal{
		Id:         29,
		Uuid:       "c5886095-2b1a-4ec5-b18e-5e84cfc5416e",
		Name:       "<Department Name>",
		Parent:     &betterworksv1.GoalRef{Id: 27, Uuid: "0183dff0-d2ae-4b7f-841e-538ede550f09", Name: "<Department Name>"},
		CreatedOn:  convAt(2021, time.December, 13, 20, 43, 5, 85133),
		ModifiedOn: convAt(2021, time.December, 13, 20, 43, 5, 85290),
	}
}

func wantSearchGoalProto() *betterworksv1.Goal {
	const user11 = "4d71e697-dbd0-48a2-99f6-84ca1a9764db"
	return &betterworksv1.Goal{
		Id:          153,
		Uuid:        "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Name:        "<Goal Name>",
		Description: "<Goal Description>",
		IsKeyResult: false,
		Start:       "2016-01-21",
		End:         "2016-02-21",
		Measurement: &betterworksv1.GoalMeasurement{
			Progress:   0.5,
			Initial:    proto.Float64(0),
			Target:     proto.Float64(100),
			Unit:       "Percent",
			Done:       false,
			LowerLimit: proto.Float64(80),
			LowerMid:   proto.Float64(40),
			UpperLimit: proto.Float64(100),
			UpperMid:   proto.Float64(50),
			Current:    proto.Float64(25),
			Updated:    convEpoch(1474465620, 44385),
			UpdatedBy:  convUser(11, user11),
			Type:       betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS,
			Expected:   proto.Float64(1),
			Condition:  betterworksv1.GoalCondition_GOAL_CONDITION_YELLOW,
			IsBinary:   true,
			IsNumeric:  false,
		},
		Owner: &betterworksv1.GoalOwner{
			User:  convUser(11, user11),
			Group: convGroup218(),
			Team:  convTeam(123, "a837d70f-cecb-4ea1-835b-1316c04e8317"),
		},
		Parent: &betterworksv1.GoalRef{Id: 34, Uuid: "646d0cbd-f47c-4d14-a6d0-cb9c62b4c68c", Name: "<Goal Name>"},
		Children: []*betterworksv1.GoalRef{
			{Id: 154, Uuid: "94431760-47fb-464d-9003-b985d7f14afb", Name: "<Goal Name>"},
		},
		Updated:     convEpoch(1453420800, 0),
		UpdatedBy:   convUser(21, user11),
		Visibility:  betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
		Integration: "Google Sheets",
		Stats: &betterworksv1.GoalStats{
			Comments:     3,
			Cheers:       1,
			Nudges:       0,
			Views:        7,
			LastAssessed: convEpoch(1490781811, 178752),
		},
		Categories: []*betterworksv1.GoalCategoryRef{
			{Id: 123, Uuid: "60e97d78-cc6a-4bb3-8067-9bbcef5ecd80", Name: "<Category Name>"},
		},
		AttributeType:   betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_ASPIRATIONAL,
		AttributeScope:  betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_DEVELOPMENTAL,
		Created:         convEpoch(1474463786, 123895),
		CreatedBy:       convUser(11, user11),
		LastCheckedin:   convEpoch(1474465620, 44385),
		LastCheckedinBy: convUser(11, user11),
		CreatedOn:       convAt(2019, time.January, 1, 12, 0, 0, 123456),
		ModifiedOn:      convAt(2020, time.January, 2, 12, 0, 0, 123456),
	}
}

// wantCheckInGoalProto is the check-in example: user references without
// uuid, no attributes, no created_on or modified_on.
func wantCheckInGoalProto() *betterworksv1.Goal {
	user3 := &betterworksv1.UserRef{Id: 3, Name: "<First Name> <Last Name>"}
	return &betterworksv1.Goal{
		Id:          29,
		Uuid:        "",
		Name:        "<Goal Name>",
		Description: "<Goal Description>",
		IsKeyResult: true,
		Start:       "2016-01-21",
		End:         "2016-02-21",
		Measurement: &betterworksv1.GoalMeasurement{
			Progress:   0.4,
			Initial:    proto.Float64(0),
			Target:     proto.Float64(10),
			Unit:       "u",
			Done:       false,
			LowerLimit: proto.Float64(8),
			LowerMid:   proto.Float64(4),
			UpperLimit: proto.Float64(10),
			UpperMid:   proto.Float64(5),
			Current:    proto.Float64(4),
			Updated:    convEpoch(1453507200, 0),
			UpdatedBy:  user3,
			Type:       betterworksv1.MeasurementType_MEASUREMENT_TYPE_NUMERIC,
			Expected:   proto.Float64(10),
			Condition:  betterworksv1.GoalCondition_GOAL_CONDITION_GREEN,
			IsBinary:   false,
			IsNumeric:  true,
		},
		Owner: &betterworksv1.GoalOwner{
			User:  user3,
			Group: convGroup218(),
			Team:  convTeam(577, "9d4ed2a0-cf74-4cdc-92ea-2466d7e364ac"),
		},
		Parent: &betterworksv1.GoalRef{Id: 28, Name: "<Goal Name>"},
		Children: []*betterworksv1.GoalRef{
			{Id: 215, Uuid: "0434ff99-9382-4684-b9ce-0e80ce4eb1f9", Name: "<Goal Name>"},
		},
		Updated:     convEpoch(1453507200, 0),
		UpdatedBy:   user3,
		Visibility:  betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
		Integration: "Udemy",
		Stats: &betterworksv1.GoalStats{
			Comments:     1,
			Cheers:       5,
			Nudges:       1,
			Views:        5,
			LastAssessed: convEpoch(1470611529, 151352),
		},
		Categories: []*betterworksv1.GoalCategoryRef{
			{Id: 3, Uuid: "e190931c-22da-4cc8-bce0-026a9c914b34", Name: "<Category Name>"},
		},
		AttributeType:   betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
		AttributeScope:  betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		Created:         convEpoch(1453420800, 0),
		CreatedBy:       user3,
		LastCheckedin:   convEpoch(1453507200, 0),
		LastCheckedinBy: user3,
		CreatedOn:       nil,
		ModifiedOn:      nil,
	}
}

func wantCommentProtos() []*betterworksv1.GoalComment {
	const user14 = "918f07df-9428-4b13-a0aa-b5f457777f99"
	return []*betterworksv1.GoalComment{
		{
			Id:      16470,
			Uuid:    "95b1b1da-769e-4820-bc07-d2d500d75112",
			Created: convEpoch(1637642408, 871543),
			Edited:  convEpoch(1639135101, 131713),
			Text:    "<Comment Text>",
			Author:  convUser(557, "245fdc59-bfe9-464e-9763-44cd71f324ca"),
			Goal:    &betterworksv1.GoalRef{Id: 151, Uuid: "05394ead-c667-43c0-84b2-29c3b97dedfb", Name: "<Goal Name>"},
			GoalOwner: &betterworksv1.GoalOwner{
				User: convUser(14, user14),
				Group: &betterworksv1.GroupRef{
					Id:          639,
					Uuid:        "476a21bb-1f8e-4bcf-a276-8b128baa45fc",
					Name:        "<Group Name>",
					ParentId:    117,
					PictureUris: convPictures(),
					IsActive:    true,
					IsTeam:      false,
				},
				Team: convTeam(577, "9d4ed2a0-cf74-4cdc-92ea-2466d7e364ac"),
			},
			IsKeyResult: true,
		},
		{
			Id:      13076,
			Uuid:    "05a04285-23c0-4d18-a45a-2c7df64e8c92",
			Created: convEpoch(1601032583, 618398),
			Edited:  convEpoch(1639135101, 131713),
			Text:    "<Comment Text>",
			Author:  convUser(661, "245fdc59-bfe9-464e-9763-44cd71f324ca"),
			Goal:    &betterworksv1.GoalRef{Id: 227, Uuid: "3bce3d2a-8068-49e6-b96a-9b8dce4394ee", Name: "<Goal Name>"},
			GoalOwner: &betterworksv1.GoalOwner{
				User: convUser(14, user14),
				Group: &betterworksv1.GroupRef{
					Id:          218,
					Uuid:        "0ad10986-a96e-480d-868b-26604886e8d6",
					Name:        "<Group Name>",
					ParentId:    719,
					PictureUris: convPictures(),
					IsActive:    false,
					IsTeam:      false,
				},
				Team: convTeam(306, "6046f513-093c-41fe-a03b-417dd039ab50"),
			},
			IsKeyResult: true,
		},
	}
}

func wantAssessmentProtos() []*betterworksv1.GoalAssessment {
	return []*betterworksv1.GoalAssessment{
		{
			Id:        5,
			Uuid:      "d0b8b3bb-927d-4b20-b9fc-a7bfcc4a1413",
			Created:   convEpoch(1647371191, 628856),
			Edited:    convEpoch(1659135101, 131713),
			CreatedBy: convUser(117, "f2f248c2-b486-452d-b78b-178faba3127a"),
			GoalId:    12345,
			Comment:   "<Comment Text>",
			Score:     0.75,
		},
		{
			Id:        6,
			Uuid:      "ee175165-b5b9-49ee-b293-9c632bb7ee8e",
			Created:   convEpoch(1647371191, 628856),
			Edited:    convEpoch(1659135101, 131713),
			CreatedBy: convUser(117, "9986837a-513d-4ad5-b3f9-a1beea3783cb"),
			GoalId:    12345,
			Comment:   "<Comment Text>",
			Score:     1.0,
		},
	}
}

func wantCategoryProtos() []*betterworksv1.GoalCategory {
	return []*betterworksv1.GoalCategory{{
		Id:          1,
		Name:        "Goal Category 1",
		Updated:     convEpoch(1664310650, 420348),
		UpdatedById: 2,
		Created:     convEpoch(1664310650, 420348),
		CreatedById: 2,
	}}
}

func TestGoalExamplesToProto(t *testing.T) {
	t.Parallel()
	checkExamples(t, []exampleCase{
		{section: "goals", fixture: "get_goal.json", convert: convertExample(goalToProto), want: wantGetGoalProto()},
		{section: "goals", fixture: "update_goal.json", convert: convertExample(goalToProto), want: wantUpdateGoalProto()},
		{section: "goals", fixture: "create_goal.json", convert: convertExample(goalToProto), want: wantCreateGoalProto()},
		{section: "goals", fixture: "checkin_goal.json", convert: convertExample(goalToProto), want: wantCheckInGoalProto()},
		{
			section: "goals", fixture: "search_goals.json",
			convert: convertExamplePage(goalToProto),
			want:    []*betterworksv1.Goal{wantSearchGoalProto()},
		},
		{
			section: "goals", fixture: "list_goal_comments.json",
			convert: convertExamplePage(commentToProto),
			want:    wantCommentProtos(),
		},
		{
			section: "goals", fixture: "list_goal_assessments.json",
			convert: func(t *testing.T, s, f string) any {
				return convertAll(sectionExample[[]upstream.Assessment](t, s, f), assessmentToProto)
			},
			want: wantAssessmentProtos(),
		},
		{
			section: "goals", fixture: "search_goal_categories.json",
			convert: convertExamplePage(categoryToProto),
			want:    wantCategoryProtos(),
		},
	})
}

// TestGoalToProtoEnums maps every upstream string of the goal's closed sets,
// and unknown ones to UNSPECIFIED.
func TestGoalToProtoEnums(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   upstream.Goal
		want *betterworksv1.Goal
	}{
		{
			name: "public",
			in:   upstream.Goal{Visibility: "public"},
			want: &betterworksv1.Goal{Visibility: betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC},
		},
		{
			name: "private",
			in:   upstream.Goal{Visibility: "private"},
			want: &betterworksv1.Goal{Visibility: betterworksv1.GoalVisibility_GOAL_VISIBILITY_PRIVATE},
		},
		{
			name: "unknown_visibility",
			in:   upstream.Goal{Visibility: "Public"},
			want: &betterworksv1.Goal{Visibility: betterworksv1.GoalVisibility_GOAL_VISIBILITY_UNSPECIFIED},
		},
		{
			name: "avgofprogress_red",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "avgofprogress", Condition: "red"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type:      betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS,
				Condition: betterworksv1.GoalCondition_GOAL_CONDITION_RED,
			}},
		},
		{
			name: "sumofcurrent_yellow",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "sumofcurrent", Condition: "yellow"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type:      betterworksv1.MeasurementType_MEASUREMENT_TYPE_SUM_OF_CURRENT,
				Condition: betterworksv1.GoalCondition_GOAL_CONDITION_YELLOW,
			}},
		},
		{
			name: "sumofrange_green",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "sumofrange", Condition: "green"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type:      betterworksv1.MeasurementType_MEASUREMENT_TYPE_SUM_OF_RANGE,
				Condition: betterworksv1.GoalCondition_GOAL_CONDITION_GREEN,
			}},
		},
		{
			name: "manualprogress",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "manualprogress"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type: betterworksv1.MeasurementType_MEASUREMENT_TYPE_MANUAL_PROGRESS,
			}},
		},
		{
			name: "binary",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "binary"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type: betterworksv1.MeasurementType_MEASUREMENT_TYPE_BINARY,
			}},
		},
		{
			name: "numeric",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "numeric"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type: betterworksv1.MeasurementType_MEASUREMENT_TYPE_NUMERIC,
			}},
		},
		{
			name: "range",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "range"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type: betterworksv1.MeasurementType_MEASUREMENT_TYPE_RANGE,
			}},
		},
		{
			name: "unknown_type_and_condition",
			in:   upstream.Goal{Measurement: &upstream.Measurement{Type: "weightedprogress", Condition: "blue"}},
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Type:      betterworksv1.MeasurementType_MEASUREMENT_TYPE_UNSPECIFIED,
				Condition: betterworksv1.GoalCondition_GOAL_CONDITION_UNSPECIFIED,
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := goalToProto(&tt.in)
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("goalToProto() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGoalToProtoAttributes maps attribute ids (the enums' numbers) and
// names; an id or name the enum does not define is UNSPECIFIED.
func TestGoalToProtoAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		attribute upstream.Attribute
		wantType  betterworksv1.GoalAttributeType
		wantScope betterworksv1.GoalAttributeScope
	}{
		{
			name: "null", attribute: upstream.Attribute{},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
		{
			name: "id_1", attribute: upstream.Attribute{ID: 1},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_COMMITTED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_BUSINESS,
		},
		{
			name: "id_2", attribute: upstream.Attribute{ID: 2},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_ASPIRATIONAL,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_PERSONAL,
		},
		{
			name: "id_3", attribute: upstream.Attribute{ID: 3},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_DEVELOPMENTAL,
		},
		{
			name: "id_4", attribute: upstream.Attribute{ID: 4},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
		{
			name: "id_negative", attribute: upstream.Attribute{ID: -1},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
		{
			// 1<<32 + 1 would be 1 if truncated to 32 bits.
			name: "id_over_int32", attribute: upstream.Attribute{ID: math.MaxUint32 + 2},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
		{
			// -(1<<32) + 1 would be 1 if truncated to 32 bits.
			name: "id_under_int32", attribute: upstream.Attribute{ID: -math.MaxUint32},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
		{
			name: "name_committed", attribute: upstream.Attribute{Name: "committed"},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_COMMITTED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
		{
			name: "name_aspirational", attribute: upstream.Attribute{Name: "aspirational"},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_ASPIRATIONAL,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
		{
			name: "name_business", attribute: upstream.Attribute{Name: "business"},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_BUSINESS,
		},
		{
			name: "name_personal", attribute: upstream.Attribute{Name: "personal"},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_PERSONAL,
		},
		{
			name: "name_developmental", attribute: upstream.Attribute{Name: "developmental"},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_DEVELOPMENTAL,
		},
		{
			name: "name_unknown", attribute: upstream.Attribute{Name: "stretch"},
			wantType:  betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_UNSPECIFIED,
			wantScope: betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_UNSPECIFIED,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := goalToProto(&upstream.Goal{AttributeType: tt.attribute, AttributeScope: tt.attribute})
			want := &betterworksv1.Goal{AttributeType: tt.wantType, AttributeScope: tt.wantScope}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("goalToProto() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnknownEnumValuesAreCounted checks that an upstream string no enum
// knows is counted under the enum's name.
func TestUnknownEnumValuesAreCounted(t *testing.T) {
	t.Parallel()
	names := []string{"GoalVisibility", "MeasurementType", "GoalCondition", "GoalAttributeType", "GoalAttributeScope"}
	before := make(map[string]int64)
	for _, name := range names {
		before[name] = unknownEnumCount(name)
	}

	goalToProto(&upstream.Goal{
		Visibility:     "internal",
		Measurement:    &upstream.Measurement{Type: "weighted", Condition: "blue"},
		AttributeType:  upstream.Attribute{ID: 9},
		AttributeScope: upstream.Attribute{Name: "global"},
	})

	// Other tests count too, so the counts grow by at least one.
	var stale []string
	for _, name := range names {
		if unknownEnumCount(name) < before[name]+1 {
			stale = append(stale, name)
		}
	}
	if len(stale) > 0 {
		t.Errorf("unknown enum values not counted for %q", stale)
	}
}

// TestGoalToProtoAbsentParts checks that missing upstream parts stay unset.
func TestGoalToProtoAbsentParts(t *testing.T) {
	t.Parallel()
	checkProtos(t, []protoCase{
		{name: "nil_goal", got: goalToProto(nil), want: (*betterworksv1.Goal)(nil)},
		{name: "empty_goal", got: goalToProto(&upstream.Goal{}), want: &betterworksv1.Goal{}},
		{
			name: "owner_without_parts",
			got:  goalToProto(&upstream.Goal{Owner: &upstream.GoalOwner{}}),
			want: &betterworksv1.Goal{Owner: &betterworksv1.GoalOwner{}},
		},
		{
			name: "parts_without_pictures_or_times",
			got: goalToProto(&upstream.Goal{Owner: &upstream.GoalOwner{
				Group: &upstream.GroupRef{ID: 1},
				Team:  &upstream.TeamRef{ID: 2, CreatedOn: upstream.Time{Invalid: true}},
			}}),
			want: &betterworksv1.Goal{Owner: &betterworksv1.GoalOwner{
				Group: &betterworksv1.GroupRef{Id: 1},
				Team:  &betterworksv1.TeamRef{Id: 2},
			}},
		},
		{
			name: "measurement_without_numbers",
			got:  goalToProto(&upstream.Goal{Measurement: &upstream.Measurement{}, Stats: &upstream.GoalStats{}}),
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{}, Stats: &betterworksv1.GoalStats{}},
		},
		{
			name: "measurement_with_zero_numbers",
			got: goalToProto(&upstream.Goal{Measurement: &upstream.Measurement{
				Initial: new(float64), Target: new(float64), LowerLimit: new(float64), LowerMid: new(float64),
				UpperLimit: new(float64), UpperMid: new(float64), Current: new(float64), Expected: new(float64),
			}}),
			want: &betterworksv1.Goal{Measurement: &betterworksv1.GoalMeasurement{
				Initial: proto.Float64(0), Target: proto.Float64(0), LowerLimit: proto.Float64(0), LowerMid: proto.Float64(0),
				UpperLimit: proto.Float64(0), UpperMid: proto.Float64(0), Current: proto.Float64(0), Expected: proto.Float64(0),
			}},
		},
		{name: "empty_comment", got: commentToProto(&upstream.Comment{}), want: &betterworksv1.GoalComment{}},
		{name: "empty_assessment", got: assessmentToProto(&upstream.Assessment{}), want: &betterworksv1.GoalAssessment{}},
		{
			name: "invalid_category_times",
			got:  categoryToProto(&upstream.Category{ID: 4, Updated: upstream.Time{Invalid: true}}),
			want: &betterworksv1.GoalCategory{Id: 4},
		},
	})
}

// TestMeasurementOfReadsEveryWrite holds the four write messages to the
// measurement fields measurementOf reads by name: a renamed or retyped
// field in the contract fails here, not silently upstream.
func TestMeasurementOfReadsEveryWrite(t *testing.T) {
	t.Parallel()
	want := upstream.MeasurementWrite{
		Target: new(12.5), Initial: new(0.5),
		LowerLimit: new(int64(1)), LowerMid: new(int64(2)), UpperMid: new(int64(3)), UpperLimit: new(int64(4)),
		AutoTarget: new(true),
	}
	for _, msg := range []proto.Message{
		&betterworksv1.CreateGoalRequest{
			Target: want.Target, Initial: want.Initial, AutoTarget: want.AutoTarget,
			LowerLimit: want.LowerLimit, LowerMid: want.LowerMid, UpperMid: want.UpperMid, UpperLimit: want.UpperLimit,
		},
		&betterworksv1.KeyResultInput{
			Target: want.Target, Initial: want.Initial, AutoTarget: want.AutoTarget,
			LowerLimit: want.LowerLimit, LowerMid: want.LowerMid, UpperMid: want.UpperMid, UpperLimit: want.UpperLimit,
		},
		&betterworksv1.UpdateGoalRequest{
			Target: want.Target, Initial: want.Initial, AutoTarget: want.AutoTarget,
			LowerLimit: want.LowerLimit, LowerMid: want.LowerMid, UpperMid: want.UpperMid, UpperLimit: want.UpperLimit,
		},
		&betterworksv1.KeyResultChange{
			Target: want.Target, Initial: want.Initial, AutoTarget: want.AutoTarget,
			LowerLimit: want.LowerLimit, LowerMid: want.LowerMid, UpperMid: want.UpperMid, UpperLimit: want.UpperLimit,
		},
	} {
		name := msg.ProtoReflect().Descriptor().Name()
		if diff := cmp.Diff(want, measurementOf(msg)); diff != "" {
			t.Errorf("measurementOf(%s) mismatch (-want +got):\n%s", name, diff)
		}
		if got := measurementOf(msg.ProtoReflect().Type().New().Interface()); got != (upstream.MeasurementWrite{}) {
			t.Errorf("measurementOf(empty %s) = %+v, want nothing set", name, got)
		}
	}
}

// TestGoalToProtoAllocatesOneBlock converts the reference's goal, whose
// children and categories fit the goal's block, in one allocation: the
// messages of a page of goals are most of its allocations.
func TestGoalToProtoAllocatesOneBlock(t *testing.T) {
	// Not parallel: AllocsPerRun counts the whole process's allocations.
	g := sectionExample[upstream.Goal](t, "goals", "get_goal.json")
	if n := testing.AllocsPerRun(100, func() { goalToProto(&g) }); n != 1 {
		t.Errorf("goalToProto() allocates %v times, want 1", n)
	}
}
