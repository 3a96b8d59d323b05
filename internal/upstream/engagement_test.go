package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file tests the conversation, feedback, recognition, hashtag and
// report types against every example body of those sections of the
// reference (testdata/<section>/), and the requests their client methods
// send.

// engagementJSON compares raw JSON by meaning, so a fixture's indentation
// does not matter.
var engagementJSON = cmp.Comparer(func(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	return cmp.Equal(va, vb)
})

// engagementDecode reads testdata/name and decodes it into a T.
func engagementDecode[T any](t *testing.T, name string) T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	var got T
	if err := decodeJSON(data, &got); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return got
}

// engagementAt is an instant in UTC with microseconds.
func engagementAt(year, month, day, hour, minute, second, micro int) Time {
	return Time{Time: time.Date(year, time.Month(month), day, hour, minute, second, micro*1000, time.UTC)}
}

// engagementEpoch is an epoch instant in seconds and microseconds.
func engagementEpoch(sec, micro int64) Time {
	return Time{Time: time.Unix(sec, micro*1000).UTC()}
}

func engagementRaw(s string) json.RawMessage { return json.RawMessage(s) }

func engagementPtr[T any](v T) *T { return &v }

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

func wantFeedbackTemplate() FeedbackTemplate {
	name := "<First Name> <Last Name>"
	return FeedbackTemplate{
		ID:      96,
		UUID:    "3a5c9865-ea2b-4726-ae78-9e613a089536",
		Type:    "scheduled",
		Name:    "<Feedback Name>",
		Enabled: false,
		Cycles: []FeedbackCycle{{
			ID:                      95,
			UUID:                    "e1de836e-7ed6-496d-967c-c574c02fa021",
			CycleStart:              "2020-01-16",
			SelectionEnd:            "2020-01-18",
			FeedbackStart:           "2020-01-19",
			CycleEnd:                "2020-01-21",
			GracePeriodEnd:          "2021-01-31",
			EnableAnytimeNomination: true,
		}},
		Created:         engagementEpoch(1579043174, 0),
		Updated:         engagementEpoch(1591862820, 0),
		CreatedOn:       engagementAt(2020, 1, 14, 23, 6, 14, 732630),
		ModifiedOn:      engagementAt(2021, 7, 15, 6, 21, 58, 681106),
		QuestionsLocked: false,
		Questions: []FeedbackTemplateQuestion{
			{
				ID:          41,
				UUID:        "cd617ecd-9e56-4151-99c0-5d0b261d89de",
				TemplateID:  96,
				Type:        "text",
				Text:        "<Question Text>",
				Options:     engagementRaw(`null`),
				HideNumbers: false,
				Order:       0,
				Mandatory:   true,
			},
			{
				ID:          42,
				UUID:        "afd0bfd5-217f-4a13-ab83-6443effe85af",
				TemplateID:  96,
				Type:        "multiple_choice",
				Text:        "<Question Text>",
				Options:     engagementRaw(`["Vanilla","Chocolate","Strawberry"]`),
				HideNumbers: false,
				Order:       1,
				Mandatory:   true,
			},
			{
				ID:          43,
				UUID:        "6ed8d302-700d-48d2-90d1-5793fd1f117b",
				TemplateID:  96,
				Type:        "rating",
				Text:        "<Question Text>",
				Options:     engagementRaw(`[1,2,3]`),
				HideNumbers: false,
				Order:       2,
				Mandatory:   true,
			},
		},
		AllowedEmployees: []UserRef{
			{ID: 1, UUID: "ca3c10c3-7c3c-4d69-9f56-f2511d17bd1e", Name: name},
			{ID: 2, UUID: "c9895fac-69f9-41ee-832d-e9f1c18ef422", Name: name},
		},
		AllowedProviders: []UserRef{
			{ID: 3, UUID: "245fdc59-bfe9-464e-9763-44cd71f324ca", Name: name},
			{ID: 4, UUID: "c9f9f8e1-f8c8-4f0e-b9c6-f8f8f8f8f8f8", Name: name},
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
		SkipLevelManagersLevel:          "none",
		DefaultProviderType:             "classic_360",
		DefaultProvidersLimit:           6,
		DefaultProvidersIncludesManager: true,
		DefaultProvidersIncludesDirects: true,
		DefaultProvidersIncludesPeers:   true,
		SummaryVisibleEmployee:          true,
		SummaryVisibleManager:           true,
		HoldFeedback:                    false,
	}
}

func TestDecodeListFeedbackTemplates(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[FeedbackTemplate]](t, "feedback/list_feedback_templates.json")
	want := Page[FeedbackTemplate]{
		Results: []FeedbackTemplate{wantFeedbackTemplate()},
		More:    true,
		NextURL: "/api/v1/feedback/templates/?size=1&page=2",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeGetFeedbackTemplate(t *testing.T) {
	t.Parallel()
	got := engagementDecode[FeedbackTemplate](t, "feedback/get_feedback_template.json")
	if diff := cmp.Diff(wantFeedbackTemplate(), got, engagementJSON); diff != "" {
		t.Errorf("decoded template mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeListFeedback(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[Feedback]](t, "feedback/list_feedback.json")
	name := "<First Name> <Last Name>"
	cycle := func(uuid string) *FeedbackCycle {
		return &FeedbackCycle{
			ID:                      17,
			UUID:                    uuid,
			CycleStart:              "2021-04-17",
			SelectionEnd:            "2021-04-19",
			FeedbackStart:           "2021-04-20",
			CycleEnd:                "2021-05-06",
			GracePeriodEnd:          "2021-05-31",
			EnableAnytimeNomination: true,
		}
	}
	want := Page[Feedback]{
		Results: []Feedback{
			{
				ID:          83,
				UUID:        "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
				Name:        "<Feedback Name>",
				CycleID:     17,
				Cycle:       cycle("069d22d0-edbe-4640-a310-bcd736541aff"),
				ForUser:     &UserRef{ID: 12, UUID: "9d77d732-0f99-4e12-bfe2-85f17916000a", Name: name},
				RequestedBy: &UserRef{ID: 13, UUID: "5aae0d03-18e7-4f26-a9c3-e70045982614", Name: name},
				Created:     engagementEpoch(1620121371, 0),
				CreatedBy:   &UserRef{ID: 13, UUID: "9d77d732-0f99-4ej8-bfe2-85f17916000a", Name: name},
				Updated:     engagementEpoch(1620121381, 0),
				Responses: []FeedbackAnswer{
					{
						ID:              10,
						UUID:            "ff831534-3c4e-4737-9c32-0d5b5f252005",
						Question:        "<Question Text>",
						QuestionID:      67,
						QuestionOptions: engagementRaw(`null`),
						Type:            "text",
						FeedbackID:      83,
						Answer:          engagementRaw(`"<Answer Text>"`),
						HideNumbers:     false,
					},
					{
						ID:              11,
						UUID:            "978b2fc9-b545-4c6e-9a4b-de96f96b8b8c",
						Question:        "<Question Text>",
						QuestionID:      70,
						QuestionOptions: engagementRaw(`[1,2,3]`),
						Type:            "scale",
						FeedbackID:      83,
						Answer:          engagementRaw(`3`),
						HideNumbers:     true,
					},
					{
						ID:              12,
						Question:        "<Question Text>",
						QuestionID:      71,
						QuestionOptions: engagementRaw(`[1,2,3,4]`),
						Type:            "rating",
						FeedbackID:      83,
						Answer:          engagementRaw(`2`),
						HideNumbers:     false,
					},
					{
						ID:              13,
						Question:        "<Question Text>",
						QuestionID:      72,
						QuestionOptions: engagementRaw(`["A","B"]`),
						Type:            "multiple_choice",
						FeedbackID:      83,
						Answer:          engagementRaw(`["B"]`),
						HideNumbers:     false,
					},
				},
				CreatedOn:           engagementAt(2022, 3, 16, 17, 28, 48, 103015),
				ModifiedOn:          engagementAt(2022, 3, 16, 17, 28, 50, 173265),
				EmployeeCanView:     true,
				ManagerCanView:      true,
				EmployeeSeeIdentity: true,
				ManagerSeeIdentity:  true,
				HoldFeedback:        false,
				Status:              "submitted",
				TemplateName:        "<Feedback Name>",
				TemplateType:        "scheduled",
			},
			{
				ID:          84,
				UUID:        "5745bc82-1dbb-48f6-a8c0-d9ec66c116cf",
				Name:        "<Feedback Name>",
				CycleID:     17,
				Cycle:       cycle("fcf5e435-f3f9-478d-8970-3d10eb4e5a52"),
				ForUser:     &UserRef{ID: 12, UUID: "e9194faa-4497-4a8c-a744-31330fd49dde", Name: name},
				RequestedBy: &UserRef{ID: 16, UUID: "ff4cddb4-819c-4686-9925-851a0f97ff42", Name: name},
				Created:     engagementEpoch(1620121372, 0),
				CreatedBy:   &UserRef{ID: 14, UUID: "48f581b7-3efc-4cba-bdd6-0e21964c2910", Name: name},
				Updated:     engagementEpoch(1620121381, 0),
				Responses: []FeedbackAnswer{{
					ID:              11,
					UUID:            "ca532749-803e-4ef6-8bee-b34c976bbb72",
					Question:        "<Question Text>",
					QuestionID:      70,
					QuestionOptions: engagementRaw(`null`),
					Type:            "text",
					FeedbackID:      84,
					Answer:          engagementRaw(`"<Answer Text>"`),
					HideNumbers:     false,
				}},
				EmployeeCanView:     true,
				ManagerCanView:      true,
				EmployeeSeeIdentity: false,
				ManagerSeeIdentity:  true,
				HoldFeedback:        false,
				Status:              "answering",
				TemplateName:        "<Feedback Name>",
				TemplateType:        "scheduled",
				CreatedOn:           engagementAt(2019, 1, 1, 12, 0, 0, 123456),
				ModifiedOn:          engagementAt(2019, 1, 2, 12, 0, 0, 123456),
			},
		},
		More:    true,
		NextURL: "/api/v1/feedback/?for_user_id=12&size=1&page=2",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeListFeedbackRequests(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[FeedbackRequest]](t, "feedback/list_feedback_requests.json")
	name := "<First Name> <Last Name>"
	dept3 := &DepartmentRef{ID: 3, UUID: "5330cc44-b90d-4a05-ae3b-329128e2f6b6", Name: "<Department Name>"}
	dept4 := &DepartmentRef{ID: 4, UUID: "2c249239-bcba-4900-a164-fcc211942eb1", Name: "<Department Name>"}
	want := Page[FeedbackRequest]{
		Results: []FeedbackRequest{{
			ID:   3877,
			UUID: "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
			Cycle: &FeedbackCycle{
				ID:                      2207,
				UUID:                    "7f98b0b2-e31d-425a-8966-332353cecde3",
				CycleStart:              "2022-02-15",
				SelectionEnd:            "2022-02-17",
				FeedbackStart:           "2022-02-18",
				CycleEnd:                "2022-02-28",
				GracePeriodEnd:          "2022-04-22",
				EnableAnytimeNomination: true,
			},
			AdhocCycle: &FeedbackAdhocCycle{
				ID:                1014,
				TemplateID:        2662,
				TemplateName:      "<Template Name>",
				TemplateQuestions: []string{"Question One", "Question Two", "Question Three"},
				QuestionsLocked:   false,
			},
			FromUser: &User{
				ID:               184,
				UUID:             "8b04af57-a65d-4fe3-8b94-078bad2e0030",
				FirstName:        "<First Name>",
				PreferredName:    "<Preferred Name>",
				LastName:         "<Last Name>",
				Name:             name,
				Email:            "<Email>",
				IsActive:         true,
				DeactivatedOn:    engagementAt(2021, 12, 31, 19, 20, 13, 616730),
				DeactivationDate: "2021-12-31",
				Title:            "<Title>",
				Manager:          &UserRef{ID: 487, UUID: "623406e0-54f2-407f-84db-d41561cddb83", Name: name},
				Department:       dept3,
				Phone:            "<Phone Number>",
				About:            "<About Text>",
				Locale:           "en",
				EmployeeID:       "23",
				CreatedOn:        engagementAt(2021, 11, 10, 21, 28, 48, 951160),
				ModifiedOn:       engagementAt(2022, 1, 14, 3, 0, 2, 95716),
				Attributes:       engagementRaw(`{"on_leave": false}`),
				CustomValues:     map[string]string{"custom_01": "<Custom Text>", "custom_02": "<Custom Text>"},
			},
			ForUser: &User{
				ID:            519,
				UUID:          "d44906e5-7dbc-46f5-b312-5f35937f8cd3",
				FirstName:     "<First Name>",
				PreferredName: "<Preferred Name>",
				LastName:      "<Last Name>",
				Name:          name,
				Email:         "<Email>",
				IsActive:      true,
				Title:         "<Title>",
				Manager:       &UserRef{ID: 589, Name: name},
				Department:    dept3,
				Phone:         "<Phone Number>",
				About:         "<About Text>",
				Locale:        "en",
				EmployeeID:    "24",
				CreatedOn:     engagementAt(2021, 11, 10, 21, 28, 48, 951160),
				ModifiedOn:    engagementAt(2021, 12, 8, 0, 48, 23, 249611),
				Attributes:    engagementRaw(`{"preferred_name": "<Preferred Name>", "on_leave": false}`),
				CustomValues:  map[string]string{"custom_03": "<Custom Text>", "custom_04": "<Custom Text>"},
			},
			RequestedBy: &User{
				ID:            387801,
				UUID:          "54740921-7031-40d3-bji6-fb798ddf763d",
				FirstName:     "<First Name>",
				PreferredName: "<Preferred Name>",
				LastName:      "<Last Name>",
				Name:          name,
				Email:         "<Email>",
				IsActive:      false,
				Title:         "<Title>",
				Manager:       &UserRef{ID: 129, UUID: "f4b989ab-3323-4ead-b2a5-95228ec1b721", Name: name},
				Department:    dept4,
				Locale:        "en",
				IsSuperAdmin:  true,
				EmployeeID:    "2341242",
				CreatedOn:     engagementAt(2021, 12, 21, 4, 54, 45, 790728),
				ModifiedOn:    engagementAt(2022, 3, 16, 4, 39, 0, 252944),
				Attributes:    engagementRaw(`{"on_leave": false}`),
				CustomValues:  map[string]string{"custom_05": "<Custom Text>", "custom_06": "<Custom Text>"},
			},
			FeedbackID:      1811,
			FeedbackUUID:    "5cf610b3-830c-41f4-8a4d-5f770fb489ca",
			Question:        "<Question Text>",
			Declined:        nil,
			CanViewFeedback: true,
			HoldFeedback:    false,
			Created:         engagementEpoch(1633811615, 591184),
			CreatedBy: &User{
				ID:            519,
				UUID:          "286dc269-89fc-4b55-97f2-cfab29b0aad6",
				FirstName:     "<First Name>",
				PreferredName: "<Preferred Name>",
				LastName:      "<Last Name>",
				Name:          name,
				Email:         "<Email>",
				IsActive:      true,
				Title:         "<Title>",
				Manager:       &UserRef{ID: 589, UUID: "e30afc69-1e50-4993-af1d-ddc1f1e3798e", Name: name},
				Department:    dept4,
				Phone:         "<Phone Number>",
				About:         "<About Text>",
				Locale:        "en",
				EmployeeID:    "513",
				Attributes:    engagementRaw(`{"on_leave": false}`),
				CustomValues:  map[string]string{"custom_07": "<Custom Text>", "custom_08": "<Custom Text>"},
			},
			Status:       0,
			TemplateID:   7,
			TemplateUUID: "d02f4eb0-8a2c-4880-b76f-db6bbb8f607d",
			Expired:      engagementRaw(`null`),
			CreatedOn:    engagementAt(2019, 1, 1, 12, 0, 0, 123456),
			ModifiedOn:   engagementAt(2019, 1, 2, 12, 0, 0, 123456),
			CustomNote:   "<Note Text>",
		}},
		More:    true,
		NextURL: "/api/v1/feedback/requests/?size=1&page=2",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeListRecognitions(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[Recognition]](t, "recognitions/list_recognitions.json")
	name := "<First Name> <Last Name>"
	pictures := &PictureURIs{Small: "<URL>", Medium: "<URL>"}
	want := Page[Recognition]{
		Results: []Recognition{{
			ID:       1,
			UUID:     "da266b72-0958-4497-94f1-dfc3353211ef",
			Author:   &UserRef{ID: 2, UUID: "dd63efb9-3e2d-4ca8-96a7-8b8741cac679", Name: name},
			ForUser:  &UserRef{ID: 3, UUID: "209024d3-4cce-4b4f-bc84-f252548e505c", Name: name},
			ForGroup: &GroupRef{ID: 567, UUID: "d4c01b9c-5db3-46b3-a502-49b6e30c39e1", Name: "<Group Name>"},
			MentionedUsers: []UserRef{
				{ID: 4, UUID: "209024d3-4cce-4b4f-bc84-f252548e505c", Name: name},
			},
			Hashtags: []Hashtag{{Name: "<Hashtag Name>", ID: 123}},
			Source: &RecognitionSource{
				Comment: &Comment{
					ID:      16449,
					UUID:    "9a906c67-81a7-45a0-b755-3815d96e68ac",
					Created: engagementEpoch(1637215829, 973811),
					Edited:  engagementEpoch(1556701767, 922609),
					Text:    "<Comment Text>",
					Author:  &UserRef{ID: 655, UUID: "0ce3ecc2-f135-44e3-8cec-cc03fd2d2eb0", Name: name},
					Goal:    &GoalRef{ID: 7476, UUID: "7466a63f-6ac4-44dc-8504-fb4e124cadb1", Name: "<Goal Name>"},
					GoalOwner: &GoalOwner{
						User: &UserRef{ID: 308, UUID: "17d19537-639d-4ebe-b2b0-0efa93aec6cc", Name: name},
						Group: &GroupRef{
							ID:          1526,
							UUID:        "3beb1bab-1493-420a-b5be-e1d14a11352f",
							Name:        "<Group Name>",
							ParentID:    12661,
							PictureURIs: pictures,
							IsActive:    true,
							IsTeam:      true,
						},
						Team: &TeamRef{
							ID:          103,
							UUID:        "d4c01b9c-5db3-46b3-a502-49b6e30c39e1",
							Name:        "<Team Name>",
							PictureURIs: pictures,
							IsActive:    true,
						},
					},
					IsKeyResult: true,
				},
				Shoutout: &RecognitionShoutout{
					ID:          1,
					UUID:        "86d70b94-ef3e-459e-8aba-21287385f3c4",
					ForUserID:   3,
					ForUserName: name,
					AuthorID:    2,
					AuthorName:  name,
					Text:        "<Shoutout Text>",
					Created:     engagementEpoch(1647247458, 122404),
					Edited:      engagementEpoch(1647957458, 625401),
				},
			},
			Created:    engagementEpoch(1647247458, 122404),
			CreatedOn:  engagementAt(2021, 2, 28, 5, 20, 48, 265430),
			ModifiedOn: engagementAt(2021, 2, 28, 5, 20, 48, 265469),
		}},
		More:    true,
		NextURL: "/api/v1/recognitions/?size=1&page=2",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

// TestDecodeRecognitionFragments decodes the two partial examples that
// show a recognition for a user and for a group.
func TestDecodeRecognitionFragments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want Recognition
	}{
		{
			name: "for_user",
			file: "recognitions/recognition_for_user.json",
			want: Recognition{
				ForUser: &UserRef{ID: 3, UUID: "e32cb269-c910-4152-a813-af60500b5ef4", Name: "<First Name> <Last Name>"},
			},
		},
		{
			name: "for_group",
			file: "recognitions/recognition_for_group.json",
			want: Recognition{
				ForGroup: &GroupRef{
					ID:          1,
					UUID:        "cc233f9c-d1fd-4d1f-a06e-6b294aee3f10",
					Name:        "<Group Name>",
					ParentID:    154,
					PictureURIs: &PictureURIs{Small: "<URL>", Medium: "<URL>"},
					IsActive:    true,
					IsTeam:      false,
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := engagementDecode[Recognition](t, tt.file)
			if diff := cmp.Diff(tt.want, got, engagementJSON); diff != "" {
				t.Errorf("decoded recognition mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeListHashtags(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[Hashtag]](t, "hashtags/list_hashtags.json")
	want := Page[Hashtag]{
		Results: []Hashtag{
			{
				Name:       "apple",
				ID:         2,
				CreatedOn:  engagementAt(2021, 11, 30, 21, 39, 35, 337214),
				ModifiedOn: engagementAt(2021, 11, 30, 21, 39, 35, 916945),
			},
			{
				Name:       "banana",
				ID:         1,
				CreatedOn:  engagementAt(2022, 1, 25, 6, 34, 42, 581663),
				ModifiedOn: engagementAt(2022, 1, 25, 6, 34, 42, 581733),
			},
		},
		More:    true,
		NextURL: "/api/v1/hashtags/?size=2&page=2",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

// wantSucceededReportRun is the run of the list and get examples.
func wantSucceededReportRun(id int64) ReportRun {
	return ReportRun{
		ID:        id,
		Report:    "conversation_answer",
		Created:   engagementEpoch(1617389428, 763803),
		CreatedBy: &UserRef{ID: 22, Name: "User One"},
		Status:    ReportRunSucceeded,
		Parameters: &ReportRunParameters{
			Template:  1234,
			DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
		},
		Finished: engagementEpoch(1617389431, 97175),
		Error:    engagementRaw(`null`),
		Result: &ReportRunResult{
			Created:   engagementEpoch(1617389431, 96469),
			ExpiresOn: engagementEpoch(1617475831, 93870),
			Filename:  "ConversationAnswersExample.xlsx",
			Type:      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			URL:       "<url>",
		},
	}
}

func TestDecodeListReportRuns(t *testing.T) {
	t.Parallel()
	got := engagementDecode[Page[ReportRun]](t, "reports/list_report_runs.json")
	want := Page[ReportRun]{
		Results: []ReportRun{wantSucceededReportRun(1000), wantSucceededReportRun(1001)},
		More:    false,
		NextURL: "",
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded page mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeGetReportRun(t *testing.T) {
	t.Parallel()
	got := engagementDecode[ReportRun](t, "reports/get_report_run.json")
	if diff := cmp.Diff(wantSucceededReportRun(1000), got, engagementJSON); diff != "" {
		t.Errorf("decoded run mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeCreateReportRun(t *testing.T) {
	t.Parallel()
	got := engagementDecode[ReportRun](t, "reports/create_report_run.json")
	want := ReportRun{
		ID:        1000,
		Report:    ReportConversationAnswers,
		Created:   engagementEpoch(1617646407, 70280),
		CreatedBy: &UserRef{ID: 22, Name: "User One"},
		Status:    ReportRunPending,
		Parameters: &ReportRunParameters{
			Template:  1234,
			DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
		},
		Finished: Time{},
		Error:    engagementRaw(`null`),
		Result:   nil,
	}
	if diff := cmp.Diff(want, got, engagementJSON); diff != "" {
		t.Errorf("decoded run mismatch (-want +got):\n%s", diff)
	}
}

// TestCreateReportRunRequestMatchesExample decodes the example request and
// checks that the payload type encodes back to the same JSON.
func TestCreateReportRunRequestMatchesExample(t *testing.T) {
	t.Parallel()
	want := CreateReportRunRequest{
		Report: ReportConversationAnswers,
		Parameters: ReportRunParameters{
			Template:  1234,
			DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"},
		},
	}
	got := engagementDecode[CreateReportRunRequest](t, "reports/create_report_run_request.json")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded request mismatch (-want +got):\n%s", diff)
	}

	encoded, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join("testdata", "reports", "create_report_run_request.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(json.RawMessage(example), json.RawMessage(encoded), engagementJSON); diff != "" {
		t.Errorf("encoded request differs from the example (-example +encoded):\n%s", diff)
	}
}

func TestCanonicalReportName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{in: "conversation_answer", want: ReportConversationAnswers},
		{in: "conversation_answers", want: ReportConversationAnswers},
		{in: "feedback_answer", want: ReportFeedbackAnswers},
		{in: "feedback_answers", want: ReportFeedbackAnswers},
		{in: "all_goals", want: ReportAllGoals},
		{in: "something_new", want: "something_new"},
	}
	for _, tt := range tests {
		if got := CanonicalReportName(tt.in); got != tt.want {
			t.Errorf("CanonicalReportName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// engagementRequest is what the fake upstream saw.
type engagementRequest struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

// TestEngagementClientRequests checks the method, path, query and body
// each client method sends.
func TestEngagementClientRequests(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	start := time.Date(2021, 1, 1, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	end := time.Date(2021, 1, 31, 23, 59, 59, 0, time.UTC)
	tests := []struct {
		name string
		call func(context.Context, *Client) error
		want engagementRequest
	}{
		{
			name: "list_conversation_templates",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversationTemplates(ctx, NewToken("t"),
					ConversationTemplateFilter{Type: "adhoc", Enabled: &no}, PageRequest{Page: 2, Size: 5})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/conversations/templates/",
				Query:  url.Values{"type": {"adhoc"}, "enabled": {"false"}, "page": {"2"}, "size": {"5"}},
			},
		},
		{
			name: "get_conversation_template",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetConversationTemplate(ctx, NewToken("t"), "e98d4f17-99c5-418a-ac70-f1fe27c739f7")
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/conversations/templates/e98d4f17-99c5-418a-ac70-f1fe27c739f7/",
				Query:  url.Values{},
			},
		},
		{
			name: "list_conversations",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversations(ctx, NewToken("t"), ConversationFilter{
					DeploymentID: "111", ManagerID: "33", EmployeeID: 40, DeltaStart: start, DeltaEnd: end,
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/conversations/",
				Query: url.Values{
					"deployment_id": {"111"}, "manager_id": {"33"}, "employee_id": {"40"},
					"delta_start": {"2021-01-01T07:00:00Z"}, "delta_end": {"2021-01-31T23:59:59Z"},
				},
			},
		},
		{
			name: "list_feedback_templates",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedbackTemplates(ctx, NewToken("t"), FeedbackTemplateFilter{Type: "adhoc_give"}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/templates/",
				Query:  url.Values{"type": {"adhoc_give"}},
			},
		},
		{
			name: "get_feedback_template",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetFeedbackTemplate(ctx, NewToken("t"), "96")
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/templates/96",
				Query:  url.Values{},
			},
		},
		{
			name: "list_feedback",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedback(ctx, NewToken("t"), FeedbackFilter{ForUserID: "12", DeltaEnd: end}, PageRequest{Size: 1})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/",
				Query:  url.Values{"for_user_id": {"12"}, "delta_end": {"2021-01-31T23:59:59Z"}, "size": {"1"}},
			},
		},
		{
			name: "list_feedback_requests",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedbackRequests(ctx, NewToken("t"), FeedbackRequestFilter{
					Cycle: "2207", FromUser: "184", ForUser: "519",
					Declined: &no, Questions: &yes, IsOpen: &yes, IsAdhoc: &no,
					DeltaStart: start, DeltaEnd: end,
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/feedback/requests/",
				Query: url.Values{
					"cycle": {"2207"}, "from_user": {"184"}, "for_user": {"519"},
					"declined": {"false"}, "questions": {"true"}, "is_open": {"true"}, "is_adhoc": {"false"},
					"delta_start": {"2021-01-01T07:00:00Z"}, "delta_end": {"2021-01-31T23:59:59Z"},
				},
			},
		},
		{
			name: "list_recognitions",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListRecognitions(ctx, NewToken("t"), RecognitionFilter{
					StartDate: "2021-01-01", EndDate: "2021-01-31", ForUserID: 3, ForGroupID: 567,
					Hashtag: "apple", DeltaStart: start,
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/recognitions/",
				Query: url.Values{
					"start_date": {"2021-01-01"}, "end_date": {"2021-01-31"},
					"for_user_id": {"3"}, "for_group_id": {"567"}, "hashtag": {"apple"},
					"delta_start": {"2021-01-01T07:00:00Z"},
				},
			},
		},
		{
			name: "list_hashtags",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListHashtags(ctx, NewToken("t"), HashtagFilter{DeltaEnd: end}, PageRequest{Page: 2, Size: 2})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/hashtags/",
				Query:  url.Values{"delta_end": {"2021-01-31T23:59:59Z"}, "page": {"2"}, "size": {"2"}},
			},
		},
		{
			name: "list_report_runs",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListReportRuns(ctx, NewToken("t"), ReportRunFilter{
					Report: ReportConversationAnswers, Template: 1234, Created: "2021-04-02",
				}, PageRequest{})
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/report_runs/",
				Query:  url.Values{"report": {"conversation_answers"}, "template": {"1234"}, "created": {"2021-04-02"}},
			},
		},
		{
			name: "get_report_run",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.GetReportRun(ctx, NewToken("t"), "1000")
				return err
			},
			want: engagementRequest{
				Method: http.MethodGet,
				Path:   "/api/v1/report_runs/1000/",
				Query:  url.Values{},
			},
		},
		{
			name: "create_report_run",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateReportRun(ctx, NewToken("t"), CreateReportRunRequest{
					Report:     ReportAllGoals,
					Parameters: ReportRunParameters{DateRange: ReportDateRange{Start: "2021-01-01", End: "2021-01-31"}},
				})
				return err
			},
			want: engagementRequest{
				Method: http.MethodPost,
				Path:   "/api/v1/report_runs/",
				Query:  url.Values{},
				Body:   `{"report":"all_goals","parameters":{"date_range":{"start":"2021-01-01","end":"2021-01-31"}}}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seen := make(chan engagementRequest, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				seen <- engagementRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body)}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{}`)
			}))
			t.Cleanup(srv.Close)
			client, err := New(Config{BaseURL: srv.URL + "/api/v1/", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}

			if err := tt.call(t.Context(), client); err != nil {
				t.Fatalf("call failed: %v", err)
			}

			if diff := cmp.Diff(tt.want, <-seen); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEngagementClientRejectsIncompleteFilters checks that filters the
// upstream would refuse fail before anything is sent.
func TestEngagementClientRejectsIncompleteFilters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(context.Context, *Client) error
	}{
		{
			name: "conversations_without_deployment",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversations(ctx, NewToken("t"), ConversationFilter{ManagerID: "33"}, PageRequest{})
				return err
			},
		},
		{
			name: "feedback_without_user_or_cycle",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListFeedback(ctx, NewToken("t"), FeedbackFilter{}, PageRequest{})
				return err
			},
		},
		{
			name: "recognitions_with_start_only",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListRecognitions(ctx, NewToken("t"), RecognitionFilter{StartDate: "2021-01-01"}, PageRequest{})
				return err
			},
		},
		{
			name: "report_run_without_report",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateReportRun(ctx, NewToken("t"), CreateReportRunRequest{})
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				t.Error("the upstream was called")
				w.WriteHeader(http.StatusInternalServerError)
			}))
			t.Cleanup(srv.Close)
			client, err := New(Config{BaseURL: srv.URL + "/api/v1/", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}

			err = tt.call(t.Context(), client)

			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("error = %v, want ErrInvalidRequest", err)
			}
		})
	}
}
