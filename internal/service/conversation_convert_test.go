package service

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// This file converts the reference's Conversations examples (the upstream
// package's testdata/conversations/) from the upstream types to the
// contract's messages, and checks every field.

// wantConversationTemplateProto is the template of the list and get examples, which
// differ only in these values.
func wantConversationTemplateProto(id, employeeID, groupID int64, midcycleDays, overdueDays int32) *betterworksv1.ConversationTemplate {
	creator := convUser(67, "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc")
	both := []betterworksv1.ConversationRole{
		betterworksv1.ConversationRole_CONVERSATION_ROLE_EMPLOYEE,
		betterworksv1.ConversationRole_CONVERSATION_ROLE_MANAGER,
	}
	return &betterworksv1.ConversationTemplate{
		Id:                      id,
		Uuid:                    "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Type:                    betterworksv1.ConversationType_CONVERSATION_TYPE_SCHEDULED,
		Name:                    "<Conversation Template Name>",
		Description:             "<Conversation Template Description>",
		Enabled:                 false,
		RequireMarkedAsMet:      true,
		OnlyManagersCanInitiate: false,
		AllowedEmployees: []*betterworksv1.ConversationTemplateEmployee{
			{Id: employeeID, Name: "<First Name> <Last Name>", IsActive: true, Email: "<Email>"},
		},
		AllowedGroups:                            []int64{groupID},
		IsGoalCreationEnabled:                    true,
		HrqEnabled:                               true,
		HrqIsConcurrent:                          false,
		HrqNotificationOnStart:                   false,
		HrqNotificationOnDue:                     false,
		NotificationOnStart:                      true,
		NotificationOnEnd:                        true,
		NotificationMidcycleDays:                 midcycleDays,
		NotificationOverdueDays:                  overdueDays,
		SuperAdminPermission:                     betterworksv1.ConversationPermission_CONVERSATION_PERMISSION_CAN_ONLY_VIEW,
		HrAdminPermission:                        betterworksv1.ConversationPermission_CONVERSATION_PERMISSION_CAN_ONLY_VIEW,
		SkipLevelManagersPermission:              betterworksv1.ConversationPermission_CONVERSATION_PERMISSION_NO_ACCESS,
		SkipLevelManagersLevel:                   betterworksv1.ConversationSkipLevel_CONVERSATION_SKIP_LEVEL_NONE,
		MatrixManagerEnabled:                     true,
		MatrixManagerCanSeeResponses:             true,
		MatrixManagerCanSeeDirectReportResponses: true,
		Deployments: []*betterworksv1.ConversationDeployment{{
			Id:          25,
			Uuid:        "8c9e0068-ea7d-409f-87f2-fd67b9jl2638",
			Name:        "<Conversation Name>",
			Description: "<Conversation Description>",
			Cycles: []*betterworksv1.ConversationCycle{
				{
					Id:             40,
					Uuid:           "bff67539-249e-516d-84c3-c026da93372d",
					Role:           betterworksv1.ConversationRole_CONVERSATION_ROLE_MANAGER,
					Stage:          betterworksv1.ConversationCycleStage_CONVERSATION_CYCLE_STAGE_PRIMARY,
					Start:          "2020-11-26",
					End:            "2021-03-06",
					LockOnShare:    true,
					LockDate:       "2021-02-28",
					ReviewEnd:      "2021-01-31",
					SubmitEnd:      "2021-02-06",
					GracePeriodEnd: "2021-02-10",
				},
				{
					Id:             41,
					Uuid:           "c4c84b58-e38d-436c-920a-eee60d9af648",
					Role:           betterworksv1.ConversationRole_CONVERSATION_ROLE_EMPLOYEE,
					Stage:          betterworksv1.ConversationCycleStage_CONVERSATION_CYCLE_STAGE_PRIMARY,
					Start:          "2020-11-26",
					End:            "2021-03-06",
					LockOnShare:    false,
					LockDate:       "",
					ReviewEnd:      "2021-01-31",
					SubmitEnd:      "2021-02-06",
					GracePeriodEnd: "2021-02-10",
				},
			},
		}},
		Participants:    both,
		HrqParticipants: both,
		Created:         convEpoch(1606266306, 0),
		CreatedBy:       creator,
		Updated:         convEpoch(1606266306, 0),
		UpdatedBy:       creator,
		CreatedOn:       convAt(2020, time.November, 26, 17, 6, 6, 0),
		ModifiedOn:      convAt(2020, time.November, 26, 17, 6, 6, 0),
	}
}

// conversationSpaced is the timestamp of a "2022-03-10 15:37:30.756187+00:00"
// instant of the conversation example.
func conversationSpaced(day, hour, minute, second, micro int) *timestamppb.Timestamp {
	return convAt(2022, time.March, day, hour, minute, second, micro)
}

// wantConversationTextAnswer is a free-text answer of the conversation example, whose
// created_on and modified_on are given as microseconds past 15:37:30 on
// 2022-03-10.
func wantConversationTextAnswer(id int64, uuid, question string, created int64, createdMicro, modifiedMicro int) *betterworksv1.ConversationAnswer {
	return &betterworksv1.ConversationAnswer{
		Id:              id,
		Uuid:            uuid,
		Type:            betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_TEXT,
		Question:        question,
		QuestionOptions: nil,
		Answer:          structpb.NewStringValue("<Answer Text>"),
		Created:         convEpoch(created, 0),
		Updated:         convEpoch(created, 0),
		CreatedOn:       conversationSpaced(10, 15, 37, 30, createdMicro),
		ModifiedOn:      conversationSpaced(10, 15, 37, 30, modifiedMicro),
	}
}

// wantQuestionnaire holds the fields every response block of the conversation
// example shares: created and updated at 1619290862.0.
func wantQuestionnaire(id int64, uuid, description string, by, updatedBy *betterworksv1.UserRef) *betterworksv1.ConversationQuestionnaire {
	return &betterworksv1.ConversationQuestionnaire{
		Id:          id,
		Uuid:        uuid,
		Name:        "<First Name> <Last Name>",
		Description: description,
		Updated:     convEpoch(1619290862, 0),
		UpdatedBy:   updatedBy,
		Created:     convEpoch(1619290862, 0),
		CreatedBy:   by,
	}
}

func wantConversationProto() *betterworksv1.Conversation {
	manager := wantQuestionnaire(27, "c4c84b58-e38d-436c-920a-eee60d9af648", "<Description Text>",
		convUser(11, "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc"), convUser(11, "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc"))
	manager.SharedOn = convEpoch(1647848875, 409886)
	manager.SubmittedOn = convEpoch(1650014212, 357601)
	manager.UnlockedUntil = convEpoch(1660014212, 357601)
	manager.Responses = []*betterworksv1.ConversationAnswer{{
		Id:         12345,
		Uuid:       "2b3535c4-17e1-422b-9e13-93e373f23f72",
		Type:       betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_MULTIPLE_CHOICE,
		QuestionId: 25196,
		Question:   "Q1",
		QuestionOptions: structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
			structpb.NewStringValue("Option 1"), structpb.NewStringValue("Option 2"),
			structpb.NewStringValue("Option 3"), structpb.NewStringValue("Option 4"),
		}}),
		Answer:     structpb.NewStringValue("<Answer Text>"),
		LockDate:   "",
		Created:    convEpoch(1646926650, 753365),
		Updated:    convEpoch(1646926650, 753365),
		CreatedOn:  conversationSpaced(10, 15, 37, 30, 756187),
		ModifiedOn: conversationSpaced(10, 15, 37, 30, 756248),
	}}
	manager.CreatedOn = conversationSpaced(10, 15, 37, 30, 704686)
	manager.ModifiedOn = conversationSpaced(10, 15, 37, 30, 704731)

	employeeUser := convUser(11, "bf27a23e-e69b-4b94-9d73-a8436714136c")
	employee := wantQuestionnaire(276, "d3c85b43-7dd7-4f32-9b12-820688f77b9e", "", employeeUser, employeeUser)
	employee.SharedOn = convEpoch(1647848875, 409886)
	employee.SubmittedOn = convEpoch(1640014212, 357601)
	employee.UnlockedUntil = convEpoch(1650014212, 357601)
	rating := wantConversationTextAnswer(13847335, "33249065-e170-4cf7-92ba-441b7c62ab52", "<question>", 1619290863, 811117, 811170)
	rating.Type = betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_RATING
	rating.QuestionOptions = structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
		structpb.NewNumberValue(1), structpb.NewNumberValue(2), structpb.NewNumberValue(3), structpb.NewNumberValue(4),
	}})
	employee.Responses = []*betterworksv1.ConversationAnswer{
		wantConversationTextAnswer(13847334, "3c32dd12-dd42-4fdf-81cf-75e82d763d8e", "<Question Text>", 1619290863, 811117, 811170),
		rating,
	}
	employee.CreatedOn = conversationSpaced(10, 15, 37, 30, 785382)
	employee.ModifiedOn = conversationSpaced(10, 15, 37, 30, 785433)

	postEmployeeUser := convUser(11, "fad590a1-e751-40ab-a9e4-94e809099b0e")
	postEmployee := wantQuestionnaire(31, "ba9c7a6f-2658-4c9b-8bfa-2b699f2249c5", "", postEmployeeUser, postEmployeeUser)
	postEmployee.SharedOn = convEpoch(1647848875, 409886)
	postEmployee.SubmittedOn = convEpoch(1650014212, 357601)
	postEmployee.UnlockedUntil = convEpoch(1660014212, 357601)
	postEmployee.Responses = []*betterworksv1.ConversationAnswer{
		wantConversationTextAnswer(14, "3c32dd12-dd42-7z1f-81cf-75e82d763d8e", "<Question Text>", 1619290862, 785382, 785433),
	}
	postEmployee.CreatedOn = conversationSpaced(10, 15, 37, 30, 785382)
	postEmployee.ModifiedOn = conversationSpaced(10, 15, 37, 30, 785433)

	postManager := wantQuestionnaire(3101916, "dccc2954-7c89-4391-bc96-15681d7828dc", "",
		convUser(1, "28cc30ed-e8c6-4052-837f-d2dedb220378"), convUser(3, "1016f966-c64d-46f6-8fb9-c1145cf04306"))
	postManager.SharedOn = convEpoch(1629914212, 357601)
	postManager.SubmittedOn = convEpoch(1630014212, 357601)
	postManager.UnlockedUntil = convEpoch(1640014212, 357601)
	postManager.Responses = []*betterworksv1.ConversationAnswer{
		wantConversationTextAnswer(14724707, "6e13161d-88af-4094-b80d-cb223bf70436", "<Question Text>", 1619290862, 785382, 785433),
	}
	postManager.CreatedOn = conversationSpaced(10, 15, 37, 30, 785382)
	postManager.ModifiedOn = conversationSpaced(10, 15, 37, 30, 785433)

	return &betterworksv1.Conversation{
		Id:           1,
		Uuid:         "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Type:         betterworksv1.ConversationType_CONVERSATION_TYPE_SCHEDULED,
		Name:         "<Conversation Name>",
		Description:  "",
		DeploymentId: 111,
		Manager:      convUser(33, "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc"),
		Employee:     convUser(40, "1aac7892-fd6f-4e89-88d6-2c7ae4657681"),
		Contributors: []*betterworksv1.ConversationContributor{
			{
				User:     convUser(53, "c4c84b58-e38d-436c-920a-eee60d9af648"),
				Status:   betterworksv1.ConversationContributorStatus_CONVERSATION_CONTRIBUTOR_STATUS_SHARED,
				Response: "<Response Text>",
			},
			{
				User:     convUser(54, "30304c36-c481-47ae-8966-d39229ed87e9"),
				Status:   betterworksv1.ConversationContributorStatus_CONVERSATION_CONTRIBUTOR_STATUS_ANSWERING,
				Response: "",
			},
		},
		Start:                            "2021-04-26",
		End:                              "2021-04-28",
		MarkedAsMet:                      betterworksv1.ConversationMetStatus_CONVERSATION_MET_STATUS_NOT_MET,
		ManagerResponse:                  manager,
		EmployeeResponse:                 employee,
		PostEmployeeResponse:             postEmployee,
		PostManagerResponse:              postManager,
		EmployeeSubmitEnd:                "2021-04-01",
		ManagerSubmitEnd:                 "2021-04-02",
		GracePeriodEnd:                   "2021-04-10",
		EmployeeReviewEnd:                "2021-04-11",
		ManagerReviewEnd:                 "2021-04-12",
		ManagerStatus:                    betterworksv1.ConversationParticipantStatus_CONVERSATION_PARTICIPANT_STATUS_POST_HR_NOT_STARTED,
		EmployeeStatus:                   betterworksv1.ConversationParticipantStatus_CONVERSATION_PARTICIPANT_STATUS_NOT_STARTED,
		EmployeeNotes:                    "<Employee Notes Text>",
		EmployeeNotesUpdated:             convEpoch(1671290862, 0),
		ManagerNotes:                     "<Manager Notes Text>",
		ManagerNotesUpdated:              convEpoch(1699290862, 0),
		PostManagerQuestionnairePending:  true,
		PostEmployeeQuestionnairePending: true,
		Created:                          convEpoch(1619290862, 0),
		CreatedBy:                        convUser(11, "bf27a23e-e69b-4b94-9d73-a8436714136c"),
		CreatedOn:                        convAt(2022, time.March, 29, 9, 2, 29, 622155),
		ModifiedOn:                       convAt(2022, time.March, 29, 9, 2, 29, 707286),
	}
}

func TestConversationExamplesToProto(t *testing.T) {
	t.Parallel()
	checkExamples(t, []exampleCase{
		{
			section: "conversations", fixture: "list_conversation_templates.json",
			convert: convertExamplePage(conversationTemplateToProto),
			want:    []*betterworksv1.ConversationTemplate{wantConversationTemplateProto(47, 1234, 2070, 3, 5)},
		},
		{
			section: "conversations", fixture: "get_conversation_template.json",
			convert: convertExample(conversationTemplateToProto),
			want:    wantConversationTemplateProto(41, 1511, 371, 2, 2),
		},
		{
			section: "conversations", fixture: "list_conversations.json",
			convert: convertExamplePage(conversationToProto),
			want:    []*betterworksv1.Conversation{wantConversationProto()},
		},
	})
}

// TestConversationAnswersKeepTheirType converts answers that are text, a
// number, a list or null, as the upstream may send them.
func TestConversationAnswersKeepTheirType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		options     string
		answer      string
		wantOptions *structpb.Value
		wantAnswer  *structpb.Value
	}{
		{name: "text", options: `null`, answer: `"Shipped it"`, wantAnswer: structpb.NewStringValue("Shipped it")},
		{
			name: "rating", options: `[1, 2, 3]`, answer: `3`,
			wantOptions: structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
				structpb.NewNumberValue(1), structpb.NewNumberValue(2), structpb.NewNumberValue(3),
			}}),
			wantAnswer: structpb.NewNumberValue(3),
		},
		{
			name: "list", options: `["a", "b"]`, answer: `["a", "b"]`,
			wantOptions: structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("a"), structpb.NewStringValue("b")}}),
			wantAnswer:  structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("a"), structpb.NewStringValue("b")}}),
		},
		{name: "unanswered", options: `null`, answer: `null`},
		{name: "absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := upstream.ConversationAnswer{QuestionOptions: json.RawMessage(tt.options), Answer: json.RawMessage(tt.answer)}
			got := conversationAnswerToProto(&in)
			want := &betterworksv1.ConversationAnswer{QuestionOptions: tt.wantOptions, Answer: tt.wantAnswer}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("conversationAnswerToProto() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConversationUnknownEnumValues maps values the contract does not know
// to UNSPECIFIED and counts them, and absent values to UNSPECIFIED
// without counting.
func TestConversationUnknownEnumValues(t *testing.T) {
	t.Parallel()
	before := unknownEnumCount("ConversationParticipantStatus")

	got := conversationToProto(&upstream.Conversation{
		Type:          "",
		ManagerStatus: "on_hold",
		Contributors:  []upstream.ConversationContributor{{Status: "declined"}},
	})

	want := &betterworksv1.Conversation{Contributors: []*betterworksv1.ConversationContributor{{}}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("conversationToProto() mismatch (-want +got):\n%s", diff)
	}
	if after := unknownEnumCount("ConversationParticipantStatus"); after <= before {
		t.Errorf("unknown ConversationParticipantStatus count = %d, want more than %d", after, before)
	}
}
