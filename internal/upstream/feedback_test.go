package upstream

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file tests the conversation, feedback, recognition, hashtag and
// report types against every example body of those sections of the
// reference (testdata/<section>/), and the requests their client methods
// send.

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
