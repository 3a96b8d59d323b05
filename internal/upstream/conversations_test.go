package upstream

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file tests the conversation, feedback, recognition, hashtag and
// report types against every example body of those sections of the
// reference (testdata/<section>/), and the requests their client methods
// send.

func wantConversationDeployments() []ConversationDeployment {
	return []ConversationDeployment{{
		ID:          25,
		UUID:        "8c9e0068-ea7d-409f-87f2-fd67b9jl2638",
		Name:        "<Conversation Name>",
		Description: "<Conversation Description>",
		Cycles: []ConversationCycle{
			{
				ID:             40,
				UUID:           "bff67539-249e-516d-84c3-c026da93372d",
				Role:           "manager",
				Stage:          "primary",
				Start:          "2020-11-26",
				End:            "2021-03-06",
				LockOnShare:    true,
				LockDate:       "2021-02-28",
				ReviewEnd:      "2021-01-31",
				SubmitEnd:      "2021-02-06",
				GracePeriodEnd: "2021-02-10",
			},
			{
				ID:             41,
				UUID:           "c4c84b58-e38d-436c-920a-eee60d9af648",
				Role:           "employee",
				Stage:          "primary",
				Start:          "2020-11-26",
				End:            "2021-03-06",
				LockOnShare:    false,
				LockDate:       "",
				ReviewEnd:      "2021-01-31",
				SubmitEnd:      "2021-02-06",
				GracePeriodEnd: "2021-02-10",
			},
		},
	}}
}

// wantConversationTemplate is the template of both template examples,
// which differ only in the arguments.
func wantConversationTemplate(id, employeeID, groupID int64, midcycle, overdue int) ConversationTemplate {
	editor := &UserRef{ID: 67, UUID: "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc", Name: "<First Name> <Last Name>"}
	return ConversationTemplate{
		ID:                      id,
		UUID:                    "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Type:                    "scheduled",
		Name:                    "<Conversation Template Name>",
		Description:             "<Conversation Template Description>",
		Enabled:                 false,
		RequireMarkedAsMet:      true,
		OnlyManagersCanInitiate: false,
		AllowedEmployees: []ConversationTemplateEmployee{
			{ID: employeeID, Name: "<First Name> <Last Name>", IsActive: true, Email: "<Email>"},
		},
		AllowedGroups:                            []int64{groupID},
		IsGoalCreationEnabled:                    true,
		HRQEnabled:                               true,
		HRQIsConcurrent:                          false,
		HRQNotificationOnStart:                   false,
		HRQNotificationOnDue:                     false,
		NotificationOnStart:                      true,
		NotificationOnEnd:                        true,
		NotificationMidcycleDays:                 midcycle,
		NotificationOverdueDays:                  overdue,
		SuperAdminPermission:                     "can_only_view",
		HRAdminPermission:                        "can_only_view",
		SkipLevelManagersPermission:              "no_access",
		SkipLevelManagersLevel:                   "none",
		MatrixManagerEnabled:                     true,
		MatrixManagerCanSeeResponses:             true,
		MatrixManagerCanSeeDirectReportResponses: true,
		Deployments:                              wantConversationDeployments(),
		Participants:                             []string{"employee", "manager"},
		HRQParticipants:                          []string{"employee", "manager"},
		Created:                                  engagementEpoch(1606266306, 0),
		CreatedBy:                                editor,
		Updated:                                  engagementEpoch(1606266306, 0),
		UpdatedBy:                                editor,
		CreatedOn:                                engagementAt(2020, 11, 26, 17, 6, 6, 0),
		ModifiedOn:                               engagementAt(2020, 11, 26, 17, 6, 6, 0),
	}
}

func TestDecodeListConversationTemplates(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[ConversationTemplate]](t, "conversations/list_conversation_templates.json")
	want := Page[ConversationTemplate]{
		Results: []ConversationTemplate{wantConversationTemplate(47, 1234, 2070, 3, 5)},
		More:    true,
		NextURL: "/api/v1/conversations/templates/?size=1&page=2",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeGetConversationTemplate(t *testing.T) {
	t.Parallel()
	got := engagementDecode[ConversationTemplate](t, "conversations/get_conversation_template.json")
	want := wantConversationTemplate(41, 1511, 371, 2, 2)
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded template mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeListConversations(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[Conversation]](t, "conversations/list_conversations.json")
	name := "<First Name> <Last Name>"
	textAnswer := func(id int64, uuid string, created Time, createdOn, modifiedOn Time) ConversationAnswer {
		return ConversationAnswer{
			ID:              id,
			UUID:            uuid,
			Type:            "text",
			Question:        "<Question Text>",
			QuestionOptions: engagementRaw(`null`),
			Answer:          engagementRaw(`"<Answer Text>"`),
			Created:         created,
			Updated:         created,
			CreatedOn:       createdOn,
			ModifiedOn:      modifiedOn,
		}
	}
	want := Page[Conversation]{
		Results: []Conversation{{
			ID:           1,
			UUID:         "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
			Type:         "scheduled",
			Name:         "<Conversation Name>",
			Description:  "",
			DeploymentID: 111,
			Manager:      &UserRef{ID: 33, UUID: "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc", Name: name},
			Employee:     &UserRef{ID: 40, UUID: "1aac7892-fd6f-4e89-88d6-2c7ae4657681", Name: name},
			Contributors: []ConversationContributor{
				{
					User:     &UserRef{ID: 53, UUID: "c4c84b58-e38d-436c-920a-eee60d9af648", Name: name},
					Status:   "shared",
					Response: engagementPtr("<Response Text>"),
				},
				{
					User:     &UserRef{ID: 54, UUID: "30304c36-c481-47ae-8966-d39229ed87e9", Name: name},
					Status:   "answering",
					Response: nil,
				},
			},
			Start:       "2021-04-26",
			End:         "2021-04-28",
			MarkedAsMet: "not_met",
			ManagerResponse: &ConversationQuestionnaire{
				ID:            27,
				UUID:          "c4c84b58-e38d-436c-920a-eee60d9af648",
				Name:          name,
				Description:   "<Description Text>",
				SharedOn:      engagementEpoch(1647848875, 409886),
				SubmittedOn:   engagementEpoch(1650014212, 357601),
				UnlockedUntil: engagementEpoch(1660014212, 357601),
				Responses: []ConversationAnswer{{
					ID:              12345,
					UUID:            "2b3535c4-17e1-422b-9e13-93e373f23f72",
					Type:            "multiple_choice",
					QuestionID:      25196,
					Question:        "Q1",
					QuestionOptions: engagementRaw(`["Option 1","Option 2","Option 3","Option 4"]`),
					Answer:          engagementRaw(`"<Answer Text>"`),
					LockDate:        "",
					Created:         engagementEpoch(1646926650, 753365),
					Updated:         engagementEpoch(1646926650, 753365),
					CreatedOn:       engagementAt(2022, 3, 10, 15, 37, 30, 756187),
					ModifiedOn:      engagementAt(2022, 3, 10, 15, 37, 30, 756248),
				}},
				Updated:    engagementEpoch(1619290862, 0),
				UpdatedBy:  &UserRef{ID: 11, UUID: "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc", Name: name},
				Created:    engagementEpoch(1619290862, 0),
				CreatedBy:  &UserRef{ID: 11, UUID: "e83461a4-fa06-4014-80d3-e3e6cc3c1ccc", Name: name},
				CreatedOn:  engagementAt(2022, 3, 10, 15, 37, 30, 704686),
				ModifiedOn: engagementAt(2022, 3, 10, 15, 37, 30, 704731),
			},
			EmployeeResponse: &ConversationQuestionnaire{
				ID:            276,
				UUID:          "d3c85b43-7dd7-4f32-9b12-820688f77b9e",
				Name:          name,
				Description:   "",
				SharedOn:      engagementEpoch(1647848875, 409886),
				SubmittedOn:   engagementEpoch(1640014212, 357601),
				UnlockedUntil: engagementEpoch(1650014212, 357601),
				Responses: []ConversationAnswer{
					textAnswer(13847334, "3c32dd12-dd42-4fdf-81cf-75e82d763d8e", engagementEpoch(1619290863, 0),
						engagementAt(2022, 3, 10, 15, 37, 30, 811117), engagementAt(2022, 3, 10, 15, 37, 30, 811170)),
					{
						ID:              13847335,
						UUID:            "33249065-e170-4cf7-92ba-441b7c62ab52",
						Type:            "rating",
						Question:        "<question>",
						QuestionOptions: engagementRaw(`[1,2,3,4]`),
						Answer:          engagementRaw(`"<Answer Text>"`),
						Created:         engagementEpoch(1619290863, 0),
						Updated:         engagementEpoch(1619290863, 0),
						CreatedOn:       engagementAt(2022, 3, 10, 15, 37, 30, 811117),
						ModifiedOn:      engagementAt(2022, 3, 10, 15, 37, 30, 811170),
					},
				},
				Updated:    engagementEpoch(1619290862, 0),
				UpdatedBy:  &UserRef{ID: 11, UUID: "bf27a23e-e69b-4b94-9d73-a8436714136c", Name: name},
				Created:    engagementEpoch(1619290862, 0),
				CreatedBy:  &UserRef{ID: 11, UUID: "bf27a23e-e69b-4b94-9d73-a8436714136c", Name: name},
				CreatedOn:  engagementAt(2022, 3, 10, 15, 37, 30, 785382),
				ModifiedOn: engagementAt(2022, 3, 10, 15, 37, 30, 785433),
			},
			PostEmployeeResponse: &ConversationQuestionnaire{
				ID:            31,
				UUID:          "ba9c7a6f-2658-4c9b-8bfa-2b699f2249c5",
				Name:          name,
				SharedOn:      engagementEpoch(1647848875, 409886),
				SubmittedOn:   engagementEpoch(1650014212, 357601),
				UnlockedUntil: engagementEpoch(1660014212, 357601),
				Responses: []ConversationAnswer{
					textAnswer(14, "3c32dd12-dd42-7z1f-81cf-75e82d763d8e", engagementEpoch(1619290862, 0),
						engagementAt(2022, 3, 10, 15, 37, 30, 785382), engagementAt(2022, 3, 10, 15, 37, 30, 785433)),
				},
				Updated:    engagementEpoch(1619290862, 0),
				UpdatedBy:  &UserRef{ID: 11, UUID: "fad590a1-e751-40ab-a9e4-94e809099b0e", Name: name},
				Created:    engagementEpoch(1619290862, 0),
				CreatedBy:  &UserRef{ID: 11, UUID: "fad590a1-e751-40ab-a9e4-94e809099b0e", Name: name},
				CreatedOn:  engagementAt(2022, 3, 10, 15, 37, 30, 785382),
				ModifiedOn: engagementAt(2022, 3, 10, 15, 37, 30, 785433),
			},
			PostManagerResponse: &ConversationQuestionnaire{
				ID:            3101916,
				UUID:          "dccc2954-7c89-4391-bc96-15681d7828dc",
				Name:          name,
				SharedOn:      engagementEpoch(1629914212, 357601),
				SubmittedOn:   engagementEpoch(1630014212, 357601),
				UnlockedUntil: engagementEpoch(1640014212, 357601),
				Responses: []ConversationAnswer{
					textAnswer(14724707, "6e13161d-88af-4094-b80d-cb223bf70436", engagementEpoch(1619290862, 0),
						engagementAt(2022, 3, 10, 15, 37, 30, 785382), engagementAt(2022, 3, 10, 15, 37, 30, 785433)),
				},
				Updated:    engagementEpoch(1619290862, 0),
				UpdatedBy:  &UserRef{ID: 3, UUID: "1016f966-c64d-46f6-8fb9-c1145cf04306", Name: name},
				Created:    engagementEpoch(1619290862, 0),
				CreatedBy:  &UserRef{ID: 1, UUID: "28cc30ed-e8c6-4052-837f-d2dedb220378", Name: name},
				CreatedOn:  engagementAt(2022, 3, 10, 15, 37, 30, 785382),
				ModifiedOn: engagementAt(2022, 3, 10, 15, 37, 30, 785433),
			},
			EmployeeSubmitEnd:                "2021-04-01",
			ManagerSubmitEnd:                 "2021-04-02",
			GracePeriodEnd:                   "2021-04-10",
			EmployeeReviewEnd:                "2021-04-11",
			ManagerReviewEnd:                 "2021-04-12",
			ManagerStatus:                    "post_hr_not_started",
			EmployeeStatus:                   "not_started",
			EmployeeNotes:                    "<Employee Notes Text>",
			EmployeeNotesUpdated:             engagementEpoch(1671290862, 0),
			ManagerNotes:                     "<Manager Notes Text>",
			ManagerNotesUpdated:              engagementEpoch(1699290862, 0),
			PostManagerQuestionnairePending:  true,
			PostEmployeeQuestionnairePending: true,
			Created:                          engagementEpoch(1619290862, 0),
			CreatedBy:                        &UserRef{ID: 11, UUID: "bf27a23e-e69b-4b94-9d73-a8436714136c", Name: name},
			CreatedOn:                        engagementAt(2022, 3, 29, 9, 2, 29, 622155),
			ModifiedOn:                       engagementAt(2022, 3, 29, 9, 2, 29, 707286),
		}},
		More:    true,
		NextURL: "/api/v1/conversations/?deployment_id=111&size=1&page=2",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}
