package upstream

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file tests the conversation, feedback, recognition, hashtag and
// report types against every example body of those sections of the
// reference (testdata/<section>/), and the requests their client methods
// send.

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
