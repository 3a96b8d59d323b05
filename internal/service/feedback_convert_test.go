package service

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// This file converts the reference's Feedback, Recognitions and Hashtags
// examples (the upstream package's testdata/feedback/, recognitions/ and
// hashtags/) from the upstream types to the contract's messages, and checks
// every field.

func feedbackStrings(s ...string) *structpb.Value {
	values := make([]*structpb.Value, len(s))
	for i, v := range s {
		values[i] = structpb.NewStringValue(v)
	}
	return structpb.NewListValue(&structpb.ListValue{Values: values})
}

func feedbackNumbers(n ...float64) *structpb.Value {
	values := make([]*structpb.Value, len(n))
	for i, v := range n {
		values[i] = structpb.NewNumberValue(v)
	}
	return structpb.NewListValue(&structpb.ListValue{Values: values})
}

// wantFeedbackTemplateProto is the template of the list and get examples.
func wantFeedbackTemplateProto() *betterworksv1.FeedbackTemplate {
	return &betterworksv1.FeedbackTemplate{
		Id:      96,
		Uuid:    "3a5c9865-ea2b-4726-ae78-9e613a089536",
		Type:    betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_SCHEDULED,
		Name:    "<Feedback Name>",
		Enabled: false,
		Cycles: []*betterworksv1.FeedbackCycle{{
			Id:                      95,
			Uuid:                    "e1de836e-7ed6-496d-967c-c574c02fa021",
			CycleStart:              "2020-01-16",
			SelectionEnd:            "2020-01-18",
			FeedbackStart:           "2020-01-19",
			CycleEnd:                "2020-01-21",
			GracePeriodEnd:          "2021-01-31",
			EnableAnytimeNomination: true,
		}},
		Created:         convEpoch(1579043174, 0),
		Updated:         convEpoch(1591862820, 0),
		CreatedOn:       convAt(2020, time.January, 14, 23, 6, 14, 732630),
		ModifiedOn:      convAt(2021, time.July, 15, 6, 21, 58, 681106),
		QuestionsLocked: false,
		Questions: []*betterworksv1.FeedbackTemplateQuestion{
			{
				Id:         41,
				Uuid:       "cd617ecd-9e56-4151-99c0-5d0b261d89de",
				TemplateId: 96,
				Type:       betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_TEXT,
				Text:       "<Question Text>",
				Options:    nil,
				Order:      0,
				Mandatory:  true,
			},
			{
				Id:         42,
				Uuid:       "afd0bfd5-217f-4a13-ab83-6443effe85af",
				TemplateId: 96,
				Type:       betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_MULTIPLE_CHOICE,
				Text:       "<Question Text>",
				Options:    feedbackStrings("Vanilla", "Chocolate", "Strawberry"),
				Order:      1,
				Mandatory:  true,
			},
			{
				Id:         43,
				Uuid:       "6ed8d302-700d-48d2-90d1-5793fd1f117b",
				TemplateId: 96,
				Type:       betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_RATING,
				Text:       "<Question Text>",
				Options:    feedbackNumbers(1, 2, 3),
				Order:      2,
				Mandatory:  true,
			},
		},
		AllowedEmployees: []*betterworksv1.UserRef{
			convUser(1, "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e"),
			convUser(2, "c9895fac-69f9-41ee-832d-e9f1c18ef422"),
		},
		AllowedProviders: []*betterworksv1.UserRef{
			convUser(3, "245fdc59-bfe9-464e-9763-44cd71f324ca"),
			convUser(4, "c9f9f8e1-f8c8-4f0e-b9c6-f8f8f8f8f8f8"),
		},
		NotifyCycleStarted:              true,
		NotifyFeedbackReminder:          false,
		NotifyFeedbackRequested:         true,
		EmployeeCanChoose:               true,
		EmployeeCanView:                 true,
		EmployeeSeeIdentity:             true,
		ManagerCanChoose:                true,
		ManagerCanView:                  true,
		ManagerSeeIdentity:              true,
		SkipLevelCanView:                false,
		SkipLevelSeeIdentity:            false,
		SkipLevelManagersLevel:          betterworksv1.FeedbackSkipLevel_FEEDBACK_SKIP_LEVEL_NONE,
		DefaultProviderType:             betterworksv1.FeedbackProviderType_FEEDBACK_PROVIDER_TYPE_CLASSIC_360,
		DefaultProvidersLimit:           6,
		DefaultProvidersIncludesManager: true,
		DefaultProvidersIncludesDirects: true,
		DefaultProvidersIncludesPeers:   true,
		SummaryVisibleEmployee:          true,
		SummaryVisibleManager:           true,
		HoldFeedback:                    false,
	}
}

func feedbackCycle17(uuid string) *betterworksv1.FeedbackCycle {
	return &betterworksv1.FeedbackCycle{
		Id:                      17,
		Uuid:                    uuid,
		CycleStart:              "2021-04-17",
		SelectionEnd:            "2021-04-19",
		FeedbackStart:           "2021-04-20",
		CycleEnd:                "2021-05-06",
		GracePeriodEnd:          "2021-05-31",
		EnableAnytimeNomination: true,
	}
}

func wantFeedbackProtos() []*betterworksv1.Feedback {
	scheduled := betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_SCHEDULED
	return []*betterworksv1.Feedback{
		{
			Id:          83,
			Uuid:        "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
			Name:        "<Feedback Name>",
			CycleId:     17,
			Cycle:       feedbackCycle17("069d22d0-edbe-4640-a310-bcd736541aff"),
			ForUser:     convUser(12, "9d77d732-0f99-4e12-bfe2-85f17916000a"),
			RequestedBy: convUser(13, "5aae0d03-18e7-4f26-a9c3-e70045982614"),
			Created:     convEpoch(1620121371, 0),
			CreatedBy:   convUser(13, "9d77d732-0f99-4ej8-bfe2-85f17916000a"),
			Updated:     convEpoch(1620121381, 0),
			Responses: []*betterworksv1.FeedbackAnswer{
				{
					Id:         10,
					Uuid:       "ff831534-3c4e-4737-9c32-0d5b5f252005",
					Question:   "<Question Text>",
					QuestionId: 67,
					Type:       betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_TEXT,
					FeedbackId: 83,
					Answer:     structpb.NewStringValue("<Answer Text>"),
				},
				{
					Id:              11,
					Uuid:            "978b2fc9-b545-4c6e-9a4b-de96f96b8b8c",
					Question:        "<Question Text>",
					QuestionId:      70,
					QuestionOptions: feedbackNumbers(1, 2, 3),
					Type:            betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_SCALE,
					FeedbackId:      83,
					Answer:          structpb.NewNumberValue(3),
					HideNumbers:     true,
				},
				{
					Id:              12,
					Question:        "<Question Text>",
					QuestionId:      71,
					QuestionOptions: feedbackNumbers(1, 2, 3, 4),
					Type:            betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_RATING,
					FeedbackId:      83,
					Answer:          structpb.NewNumberValue(2),
				},
				{
					Id:              13,
					Question:        "<Question Text>",
					QuestionId:      72,
					QuestionOptions: feedbackStrings("A", "B"),
					Type:            betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_MULTIPLE_CHOICE,
					FeedbackId:      83,
					Answer:          feedbackStrings("B"),
				},
			},
			CreatedOn:           convAt(2022, time.March, 16, 17, 28, 48, 103015),
			ModifiedOn:          convAt(2022, time.March, 16, 17, 28, 50, 173265),
			EmployeeCanView:     true,
			ManagerCanView:      true,
			EmployeeSeeIdentity: true,
			ManagerSeeIdentity:  true,
			HoldFeedback:        false,
			Status:              betterworksv1.FeedbackStatus_FEEDBACK_STATUS_SUBMITTED,
			TemplateName:        "<Feedback Name>",
			TemplateType:        scheduled,
		},
		{
			Id:          84,
			Uuid:        "5745bc82-1dbb-48f6-a8c0-d9ec66c116cf",
			Name:        "<Feedback Name>",
			CycleId:     17,
			Cycle:       feedbackCycle17("fcf5e435-f3f9-478d-8970-3d10eb4e5a52"),
			ForUser:     convUser(12, "e9194faa-4497-4a8c-a744-31330fd49dde"),
			RequestedBy: convUser(16, "ff4cddb4-819c-4686-9925-851a0f97ff42"),
			Created:     convEpoch(1620121372, 0),
			CreatedBy:   convUser(14, "48f581b7-3efc-4cba-bdd6-0e21964c2910"),
			Updated:     convEpoch(1620121381, 0),
			Responses: []*betterworksv1.FeedbackAnswer{{
				Id:         11,
				Uuid:       "ca532749-803e-4ef6-8bee-b34c976bbb72",
				Question:   "<Question Text>",
				QuestionId: 70,
				Type:       betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_TEXT,
				FeedbackId: 84,
				Answer:     structpb.NewStringValue("<Answer Text>"),
			}},
			CreatedOn:           convAt(2019, time.January, 1, 12, 0, 0, 123456),
			ModifiedOn:          convAt(2019, time.January, 2, 12, 0, 0, 123456),
			EmployeeCanView:     true,
			ManagerCanView:      true,
			EmployeeSeeIdentity: false,
			ManagerSeeIdentity:  true,
			Status:              betterworksv1.FeedbackStatus_FEEDBACK_STATUS_ANSWERING,
			TemplateName:        "<Feedback Name>",
			TemplateType:        scheduled,
		},
	}
}

// feedbackRequestUser is a full user of the feedback request example; the
// fields that differ between them are arguments.
func feedbackRequestUser(id int64, uuid string, manager *betterworksv1.UserRef, department *betterworksv1.DepartmentRef, employeeID string, custom ...string) *betterworksv1.User {
	return &betterworksv1.User{
		Id:            id,
		Uuid:          uuid,
		FirstName:     "<First Name>",
		PreferredName: "<Preferred Name>",
		LastName:      "<Last Name>",
		Name:          "<First Name> <Last Name>",
		Email:         "<Email>",
		IsActive:      true,
		Title:         "<Title>",
		Manager:       manager,
		Department:    department,
		Phone:         "<Phone Number>",
		About:         "<About Text>",
		Locale:        betterworksv1.UserLocale_USER_LOCALE_EN,
		EmployeeId:    employeeID,
		Attributes:    &structpb.Struct{Fields: map[string]*structpb.Value{"on_leave": structpb.NewBoolValue(false)}},
		CustomValues:  map[string]string{custom[0]: "<Custom Text>", custom[1]: "<Custom Text>"},
	}
}

func wantFeedbackRequestProtos() []*betterworksv1.FeedbackRequest {
	dept3 := &betterworksv1.DepartmentRef{Id: 3, Uuid: "5330cc44-b90d-4a05-ae3b-329128e2f6b6", Name: "<Department Name>"}
	dept4 := &betterworksv1.DepartmentRef{Id: 4, Uuid: "2c249239-bcba-4900-a164-fcc211942eb1", Name: "<Department Name>"}

	from := feedbackRequestUser(184, "8b04af57-a65d-4fe3-8b94-078bad2e0030",
		convUser(487, "623406e0-54f2-407f-84db-d41561cddb83"), dept3, "23", "custom_01", "custom_02")
	from.DeactivatedOn = convAt(2021, time.December, 31, 19, 20, 13, 616730)
	from.DeactivationDate = "2021-12-31"
	from.CreatedOn = convAt(2021, time.November, 10, 21, 28, 48, 951160)
	from.ModifiedOn = convAt(2022, time.January, 14, 3, 0, 2, 95716)

	forUser := feedbackRequestUser(519, "d44906e5-7dbc-46f5-b312-5f35937f8cd3",
		convUser(589, ""), dept3, "24", "custom_03", "custom_04")
	forUser.CreatedOn = convAt(2021, time.November, 10, 21, 28, 48, 951160)
	forUser.ModifiedOn = convAt(2021, time.December, 8, 0, 48, 23, 249611)
	forUser.Attributes.Fields["preferred_name"] = structpb.NewStringValue("<Preferred Name>")

	requester := feedbackRequestUser(387801, "54740921-7031-40d3-bji6-fb798ddf763d",
		convUser(129, "f4b989ab-3323-4ead-b2a5-95228ec1b721"), dept4, "2341242", "custom_05", "custom_06")
	requester.IsActive = false
	requester.Phone, requester.About = "", ""
	requester.IsSuperAdmin = true
	requester.CreatedOn = convAt(2021, time.December, 21, 4, 54, 45, 790728)
	requester.ModifiedOn = convAt(2022, time.March, 16, 4, 39, 0, 252944)

	creator := feedbackRequestUser(519, "286dc269-89fc-4b55-97f2-cfab29b0aad6",
		convUser(589, "e30afc69-1e50-4993-af1d-ddc1f1e3798e"), dept4, "513", "custom_07", "custom_08")

	return []*betterworksv1.FeedbackRequest{{
		Id:   3877,
		Uuid: "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Cycle: &betterworksv1.FeedbackCycle{
			Id:                      2207,
			Uuid:                    "7f98b0b2-e31d-425a-8966-332353cecde3",
			CycleStart:              "2022-02-15",
			SelectionEnd:            "2022-02-17",
			FeedbackStart:           "2022-02-18",
			CycleEnd:                "2022-02-28",
			GracePeriodEnd:          "2022-04-22",
			EnableAnytimeNomination: true,
		},
		AdhocCycle: &betterworksv1.FeedbackAdhocCycle{
			Id:                1014,
			TemplateId:        2662,
			TemplateName:      "<Template Name>",
			TemplateQuestions: []string{"Question One", "Question Two", "Question Three"},
			QuestionsLocked:   false,
		},
		FromUser:        from,
		ForUser:         forUser,
		RequestedBy:     requester,
		FeedbackId:      1811,
		FeedbackUuid:    "5cf610b3-830c-41f4-8a4d-5f770fb489ca",
		Question:        "<Question Text>",
		Declined:        nil,
		CanViewFeedback: true,
		HoldFeedback:    false,
		Created:         convEpoch(1633811615, 591184),
		CreatedBy:       creator,
		Status:          0,
		TemplateId:      7,
		TemplateUuid:    "d02f4eb0-8a2c-4880-b76f-db6bbb8f607d",
		Expired:         nil,
		CreatedOn:       convAt(2019, time.January, 1, 12, 0, 0, 123456),
		ModifiedOn:      convAt(2019, time.January, 2, 12, 0, 0, 123456),
		CustomNote:      "<Note Text>",
	}}
}

func wantRecognitionProtos() []*betterworksv1.Recognition {
	return []*betterworksv1.Recognition{{
		Id:      1,
		Uuid:    "da266b72-0958-4497-94f1-dfc3353211ef",
		Author:  convUser(2, "dd63efb9-3e2d-4ca8-96a7-8b8741cac679"),
		ForUser: convUser(3, "209024d3-4cce-4b4f-bc84-f252548e505c"),
		ForGroup: &betterworksv1.GroupRef{
			Id:   567,
			Uuid: "d4c01b9c-5db3-46b3-a502-49b6e30c39e1",
			Name: "<Group Name>",
		},
		MentionedUsers: []*betterworksv1.UserRef{convUser(4, "209024d3-4cce-4b4f-bc84-f252548e505c")},
		Hashtags:       []*betterworksv1.Hashtag{{Name: "<Hashtag Name>", Id: 123}},
		Source: &betterworksv1.RecognitionSource{
			Comment: &betterworksv1.GoalComment{
				Id:      16449,
				Uuid:    "9a906c67-81a7-45a0-b755-3815d96e68ac",
				Created: convEpoch(1637215829, 973811),
				Edited:  convEpoch(1556701767, 922609),
				Text:    "<Comment Text>",
				Author:  convUser(655, "0ce3ecc2-f135-44e3-8cec-cc03fd2d2eb0"),
				Goal:    &betterworksv1.GoalRef{Id: 7476, Uuid: "7466a63f-6ac4-44dc-8504-fb4e124cadb1", Name: "<Goal Name>"},
				GoalOwner: &betterworksv1.GoalOwner{
					User: convUser(308, "17d19537-639d-4ebe-b2b0-0efa93aec6cc"),
					Group: &betterworksv1.GroupRef{
						Id:          1526,
						Uuid:        "3beb1bab-1493-420a-b5be-e1d14a11352f",
						Name:        "<Group Name>",
						ParentId:    12661,
						PictureUris: convPictures(),
						IsActive:    true,
						IsTeam:      true,
					},
					Team: &betterworksv1.TeamRef{
						Id:          103,
						Uuid:        "d4c01b9c-5db3-46b3-a502-49b6e30c39e1",
						Name:        "<Team Name>",
						PictureUris: convPictures(),
						IsActive:    true,
					},
				},
				IsKeyResult: true,
			},
			Shoutout: &betterworksv1.RecognitionShoutout{
				Id:          1,
				Uuid:        "86d70b94-ef3e-459e-8aba-21287385f3c4",
				ForUserId:   3,
				ForUserName: "<First Name> <Last Name>",
				AuthorId:    2,
				AuthorName:  "<First Name> <Last Name>",
				Text:        "<Shoutout Text>",
				Created:     convEpoch(1647247458, 122404),
				Edited:      convEpoch(1647957458, 625401),
			},
		},
		Created:    convEpoch(1647247458, 122404),
		CreatedOn:  convAt(2021, time.February, 28, 5, 20, 48, 265430),
		ModifiedOn: convAt(2021, time.February, 28, 5, 20, 48, 265469),
	}}
}

func TestFeedbackExamplesToProto(t *testing.T) {
	t.Parallel()
	checkExamples(t, []exampleCase{
		{
			section: "feedback", fixture: "list_feedback_templates.json",
			convert: convertExamplePage(feedbackTemplateToProto),
			want:    []*betterworksv1.FeedbackTemplate{wantFeedbackTemplateProto()},
		},
		{
			section: "feedback", fixture: "get_feedback_template.json",
			convert: convertExample(feedbackTemplateToProto),
			want:    wantFeedbackTemplateProto(),
		},
		{
			section: "feedback", fixture: "list_feedback.json",
			convert: convertExamplePage(feedbackToProto),
			want:    wantFeedbackProtos(),
		},
		{
			section: "feedback", fixture: "list_feedback_requests.json",
			convert: convertExamplePage(feedbackRequestToProto),
			want:    wantFeedbackRequestProtos(),
		},
		{
			section: "recognitions", fixture: "list_recognitions.json",
			convert: convertExamplePage(recognitionToProto),
			want:    wantRecognitionProtos(),
		},
		{
			section: "recognitions", fixture: "recognition_for_group.json",
			convert: convertExample(recognitionToProto),
			want: &betterworksv1.Recognition{ForGroup: &betterworksv1.GroupRef{
				Id:          1,
				Uuid:        "cc233f9c-d1fd-4d1f-a06e-6b294aee3f10",
				Name:        "<Group Name>",
				ParentId:    154,
				PictureUris: convPictures(),
				IsActive:    true,
				IsTeam:      false,
			}},
		},
		{
			section: "recognitions", fixture: "recognition_for_user.json",
			convert: convertExample(recognitionToProto),
			want:    &betterworksv1.Recognition{ForUser: convUser(3, "e32cb269-c910-4152-a813-af60500b5ef4")},
		},
		{
			section: "hashtags", fixture: "list_hashtags.json",
			convert: convertExamplePage(hashtagToProto),
			want: []*betterworksv1.Hashtag{
				{
					Name:       "apple",
					Id:         2,
					CreatedOn:  convAt(2021, time.November, 30, 21, 39, 35, 337214),
					ModifiedOn: convAt(2021, time.November, 30, 21, 39, 35, 916945),
				},
				{
					Name:       "banana",
					Id:         1,
					CreatedOn:  convAt(2022, time.January, 25, 6, 34, 42, 581663),
					ModifiedOn: convAt(2022, time.January, 25, 6, 34, 42, 581733),
				},
			},
		},
	})
}

// TestFeedbackToProtoEnums maps every upstream string of the feedback
// enums, and an unknown one to UNSPECIFIED.
func TestFeedbackToProtoEnums(t *testing.T) {
	t.Parallel()
	checkProtos(t, []protoCase{
		{
			name: "template_types",
			got: &betterworksv1.ListFeedbackTemplatesResponse{FeedbackTemplates: []*betterworksv1.FeedbackTemplate{
				feedbackTemplateToProto(&upstream.FeedbackTemplate{Type: "scheduled"}),
				feedbackTemplateToProto(&upstream.FeedbackTemplate{Type: "adhoc_give"}),
				feedbackTemplateToProto(&upstream.FeedbackTemplate{Type: "adhoc_request"}),
				feedbackTemplateToProto(&upstream.FeedbackTemplate{Type: "adhoc_manager_request"}),
				feedbackTemplateToProto(&upstream.FeedbackTemplate{Type: "adhoc_request_custom"}),
				feedbackTemplateToProto(&upstream.FeedbackTemplate{Type: "Scheduled"}),
			}},
			want: &betterworksv1.ListFeedbackTemplatesResponse{FeedbackTemplates: []*betterworksv1.FeedbackTemplate{
				{Type: betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_SCHEDULED},
				{Type: betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_GIVE},
				{Type: betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_REQUEST},
				{Type: betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_MANAGER_REQUEST},
				{Type: betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_REQUEST_CUSTOM},
				{Type: betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_UNSPECIFIED},
			}},
		},
		{
			name: "template_closed_sets",
			got: feedbackTemplateToProto(&upstream.FeedbackTemplate{
				SkipLevelManagersLevel: "two",
				DefaultProviderType:    "manager_only",
				Questions: []upstream.FeedbackTemplateQuestion{
					{Type: "text"}, {Type: "multiple_choice"}, {Type: "rating"}, {Type: "scale"}, {Type: "slider"},
				},
			}),
			want: &betterworksv1.FeedbackTemplate{Questions: []*betterworksv1.FeedbackTemplateQuestion{
				{Type: betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_TEXT},
				{Type: betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_MULTIPLE_CHOICE},
				{Type: betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_RATING},
				{Type: betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_SCALE},
				{Type: betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_UNSPECIFIED},
			}},
		},
		{
			name: "feedback_statuses",
			got: &betterworksv1.ListFeedbackResponse{Feedback: []*betterworksv1.Feedback{
				feedbackToProto(&upstream.Feedback{Status: "answering", TemplateType: "adhoc_give"}),
				feedbackToProto(&upstream.Feedback{Status: "submitted"}),
				feedbackToProto(&upstream.Feedback{Status: "released"}),
			}},
			want: &betterworksv1.ListFeedbackResponse{Feedback: []*betterworksv1.Feedback{
				{
					Status:       betterworksv1.FeedbackStatus_FEEDBACK_STATUS_ANSWERING,
					TemplateType: betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_GIVE,
				},
				{Status: betterworksv1.FeedbackStatus_FEEDBACK_STATUS_SUBMITTED},
				{Status: betterworksv1.FeedbackStatus_FEEDBACK_STATUS_UNSPECIFIED},
			}},
		},
	})
}

// TestFeedbackToProtoKeepsJSONTypes checks that answers, options and
// expired keep the JSON type the upstream sent.
func TestFeedbackToProtoKeepsJSONTypes(t *testing.T) {
	t.Parallel()
	checkProtos(t, []protoCase{
		{
			name: "answers",
			got: feedbackToProto(&upstream.Feedback{Responses: []upstream.FeedbackAnswer{
				{Answer: json.RawMessage(`"Keep pairing"`)},
				{Answer: json.RawMessage(`4.5`)},
				{Answer: json.RawMessage(`["Ownership","Craft"]`), QuestionOptions: json.RawMessage(`["Ownership","Craft"]`)},
				{Answer: json.RawMessage(`null`), QuestionOptions: json.RawMessage(`[1,2,3]`)},
				{},
			}}),
			want: &betterworksv1.Feedback{Responses: []*betterworksv1.FeedbackAnswer{
				{Answer: structpb.NewStringValue("Keep pairing")},
				{Answer: structpb.NewNumberValue(4.5)},
				{Answer: feedbackStrings("Ownership", "Craft"), QuestionOptions: feedbackStrings("Ownership", "Craft")},
				{QuestionOptions: feedbackNumbers(1, 2, 3)},
				{},
			}},
		},
		{
			name: "expired_and_questions_as_sent",
			got: &betterworksv1.ListFeedbackRequestsResponse{FeedbackRequests: []*betterworksv1.FeedbackRequest{
				feedbackRequestToProto(&upstream.FeedbackRequest{Expired: json.RawMessage(`1714564800.5`)}),
				feedbackRequestToProto(&upstream.FeedbackRequest{Expired: json.RawMessage(`true`)}),
				feedbackRequestToProto(&upstream.FeedbackRequest{Expired: json.RawMessage(`null`), Declined: new(false)}),
				feedbackRequestToProto(&upstream.FeedbackRequest{Questions: json.RawMessage(`[{"id":401,"type":"text"}]`)}),
			}},
			want: &betterworksv1.ListFeedbackRequestsResponse{FeedbackRequests: []*betterworksv1.FeedbackRequest{
				{Expired: structpb.NewNumberValue(1714564800.5)},
				{Expired: structpb.NewBoolValue(true)},
				{Declined: proto.Bool(false)},
				{Questions: structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
					structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
						"id":   structpb.NewNumberValue(401),
						"type": structpb.NewStringValue("text"),
					}}),
				}})},
			}},
		},
		{
			name: "absent_parts",
			got: &betterworksv1.ListRecognitionsResponse{Recognitions: []*betterworksv1.Recognition{
				recognitionToProto(&upstream.Recognition{}),
				recognitionToProto(&upstream.Recognition{Source: &upstream.RecognitionSource{}}),
			}},
			want: &betterworksv1.ListRecognitionsResponse{Recognitions: []*betterworksv1.Recognition{
				{},
				{Source: &betterworksv1.RecognitionSource{}},
			}},
		},
	})
}

// TestFeedbackRecognitionFilterRejectsUnvalidatedInput checks the filter's
// own checks, which hold even when a request skipped the contract's rules.
func TestFeedbackRecognitionFilterRejectsUnvalidatedInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		req       *betterworksv1.ListRecognitionsRequest
		wantField string
	}{
		{"impossible_date", &betterworksv1.ListRecognitionsRequest{StartDate: "2023-02-29", EndDate: "2023-03-01"}, "start_date"},
		{"user_id_beyond_int64", &betterworksv1.ListRecognitionsRequest{ForUserId: "99999999999999999999"}, "for_user_id"},
		{"group_id_not_integer", &betterworksv1.ListRecognitionsRequest{ForGroupId: "abc"}, "for_group_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := recognitionFilter(tt.req)
			if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
				t.Fatalf("recognitionFilter() code = %v, want %v (err: %v)", got, connect.CodeInvalidArgument, err)
			}
			var cerr *connect.Error
			if !errors.As(err, &cerr) || len(cerr.Details()) == 0 {
				t.Fatalf("recognitionFilter() error %v has no details", err)
			}
			var br *errdetails.BadRequest
			for _, d := range cerr.Details() {
				if v, err := d.Value(); err == nil {
					if b, ok := v.(*errdetails.BadRequest); ok {
						br = b
					}
				}
			}
			if len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != tt.wantField {
				t.Errorf("recognitionFilter() BadRequest = %v, want one violation of %s", br, tt.wantField)
			}
		})
	}
}
