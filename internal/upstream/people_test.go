package upstream

import (
	"bytes"
	"encoding/json"
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

// The fixtures under testdata/{users,departments,teams,groups} are the
// reference's example bodies of those sections, with only their JSON syntax
// errors fixed (trailing commas in list_users, list_teams and
// list_role_assignments, a missing comma in assign_roles_request).

// peopleCmpOpts compares json.RawMessage by content, not by whitespace.
var peopleCmpOpts = cmp.Options{
	cmp.Comparer(func(a, b json.RawMessage) bool {
		var ca, cb bytes.Buffer
		if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
			return bytes.Equal(a, b)
		}
		return bytes.Equal(ca.Bytes(), cb.Bytes())
	}),
}

func peopleFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodePeopleFixture[T any](t *testing.T, name string) T {
	t.Helper()
	var v T
	if err := decodeJSON(peopleFixture(t, name), &v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return v
}

// peopleAt is an RFC 3339 instant as Time decodes it.
func peopleAt(s string) Time {
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return Time{Time: parsed.UTC()}
}

// peopleEpoch is an epoch-seconds instant as Time decodes it.
func peopleEpoch(sec, micro int64) Time {
	return Time{Time: time.Unix(sec, micro*1000).UTC()}
}

func peopleCheck[T any](t *testing.T, name string, want T) {
	t.Helper()
	got := decodePeopleFixture[T](t, name)
	if diff := cmp.Diff(want, got, peopleCmpOpts); diff != "" {
		t.Errorf("decode %s mismatch (-want +got):\n%s", name, diff)
	}
}

// wantExampleUser is the user object of the reference's user examples,
// which differ only in id and uuid.
func wantExampleUser(id int64, uuid string) User {
	return User{
		ID:               id,
		UUID:             uuid,
		FirstName:        "<First Name>",
		PreferredName:    "<Preferred Name>",
		LastName:         "<Last Name>",
		Name:             "<First Name> <Last Name>",
		Email:            "<Email Address>",
		IsActive:         true,
		DeactivatedOn:    Time{},
		DeactivationDate: "",
		Title:            "<Title>",
		Manager: &UserRef{
			Name: "<First Name> <Last Name>",
			ID:   12346,
			UUID: "e8acd60c-6770-4606-950a-b031243f32d7",
		},
		Department: &DepartmentRef{
			Name: "<Department Name>",
			ID:   177,
			UUID: "e0870840-4c8e-4a1b-b067-e151b4f146eb",
		},
		Phone:        "<Phone Number>",
		About:        "<About Text>",
		Locale:       "en",
		IsGoalmaster: false,
		IsSuperAdmin: true,
		IsAdmin:      false,
		IsGroupAdmin: false,
		EmployeeID:   "<Employee ID>",
		CreatedOn:    peopleAt("2019-01-01T12:00:00.123456Z"),
		ModifiedOn:   peopleAt("2019-01-02T12:00:00.123456Z"),
		Attributes:   json.RawMessage(`{"location": "San Francisco, California", "on_leave": false}`),
		CustomValues: CustomValues{"custom_property": "<Custom Property Text>"},
	}
}

func TestDecodeUserExamples(t *testing.T) {
	t.Parallel()
	t.Run("get_user", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "users/get_user.json", wantExampleUser(123, "82316b97-7b41-439d-9024-8331272c568c"))
	})
	t.Run("list_users", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "users/list_users.json", Page[User]{
			Results: []User{
				wantExampleUser(123, "82316b97-7b41-439d-9024-8331272c568c"),
				wantExampleUser(456, "5abf75bc-376b-4331-897a-f691622bdc59"),
			},
			More:    true,
			NextURL: "/api/v1/users/?size=2&page=2",
		})
	})
	t.Run("search_users", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "users/search_users.json", Page[User]{
			Results: []User{wantExampleUser(123, "82316b97-7b41-439d-9024-8331272c568c")},
			More:    false,
			NextURL: "",
		})
	})
}

func TestDecodeUserBulkExamples(t *testing.T) {
	t.Parallel()
	t.Run("upsert_users_request", func(t *testing.T) {
		t.Parallel()
		s := func(v string) *string { return &v }
		peopleCheck(t, "users/upsert_users_request.json", UserBulkRequest{
			DryRun: true,
			Users: []UserUpsert{{
				Email:          "<Email Address>",
				FirstName:      "<First Name>",
				LastName:       "<Last Name>",
				EmployeeID:     s("u1_1234"),
				DepartmentName: s("Engineering"),
				Title:          s("Software Engineer"),
				ManagerID:      s("u0_0987"),
				Location:       s("San Francisco"),
				PreferredName:  s("<Preferred Name>"),
				MatrixManager:  s("<Email Address>"),
				Phone:          s("1234567890"),
				Custom01:       s("extra data"),
			}},
		})
	})
	t.Run("upsert_users", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "users/upsert_users.json", UserBulkResult{
			DeactivatedCount: 0,
			ReactivatedCount: 0,
			UpdatedCount:     0,
			DryRun:           true,
			Errors: []UserBulkError{{
				ErrorDetails: []UserBulkErrorDetail{{Description: "betterworks.com is an invalid domain"}},
				Index:        0,
				Processed:    false,
			}},
		})
	})
}

func TestDecodeRoleExamples(t *testing.T) {
	t.Parallel()
	t.Run("assign_roles_request", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "users/assign_roles_request.json", AssignRolesRequest{Roles: []RoleAssignment{
			{Role: UserRoleAdmin, UserID: 9},
			{EmployeeID: "e1234", Role: UserRoleSuperAdmin},
			{Email: "<Email Address>", Role: UserRoleNone},
			{Role: UserRoleSuperAdmin, UserID: 12},
			{Departments: []int64{5, 6}, Role: UserRoleGroupAdmin, UserID: 13},
			{AdminGroups: []int64{7}, Role: UserRoleGroupAdmin, UserID: 14},
		}})
	})
	t.Run("assign_roles", func(t *testing.T) {
		t.Parallel()
		since := peopleEpoch(1453420800, 0)
		var got struct {
			Results []UserRoleAssignment `json:"results"`
		}
		if err := decodeJSON(peopleFixture(t, "users/assign_roles.json"), &got); err != nil {
			t.Fatal(err)
		}
		want := []UserRoleAssignment{
			{AdminSince: Time{}, ID: 5, ManagedDepartments: []DepartmentRef{}, Name: "<First Name> <Last Name>", Role: UserRoleSuperAdmin},
			{AdminSince: since, ID: 10, ManagedDepartments: []DepartmentRef{}, Name: "<First Name> <Last Name>", Role: UserRoleSuperAdmin},
			{AdminSince: since, ID: 12, ManagedDepartments: []DepartmentRef{}, Name: "<First Name> <Last Name>", Role: UserRoleSuperAdmin},
			{AdminSince: since, ID: 9, ManagedDepartments: []DepartmentRef{}, Name: "<First Name> <Last Name>", Role: UserRoleAdmin},
			{
				AdminSince:         since,
				ID:                 13,
				ManagedDepartments: []DepartmentRef{{ID: 5, Name: "A"}, {ID: 6, Name: "B"}},
				Name:               "<First Name> <Last Name>",
				Role:               UserRoleGroupAdmin,
			},
			{
				AdminSince:         since,
				ID:                 14,
				ManagedAdminGroups: []AdminGroupRef{{ID: 7, Name: "A"}},
				Name:               "<First Name> <Last Name>",
				Role:               UserRoleGroupAdmin,
			},
		}
		if diff := cmp.Diff(want, got.Results, peopleCmpOpts); diff != "" {
			t.Errorf("decode assign_roles mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("list_role_assignments", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "users/list_role_assignments.json", Page[UserRoleAssignment]{Results: []UserRoleAssignment{
			{
				ID:         1,
				UUID:       "2841e4d3-3d30-467e-b3c1-3b8272303c8a",
				Role:       UserRoleAdmin,
				AdminSince: peopleEpoch(1453420800, 0),
				ManagedDepartments: []DepartmentRef{
					{Name: "<Department Name>", ID: 17, UUID: "093d1993-ffd3-40fa-9fc9-0df6ad71aa82"},
					{Name: "<Department Name>", ID: 20, UUID: "78bd36d4-c5b4-43e9-9d7e-af08becb48d8"},
				},
				ManagedAdminGroups: []AdminGroupRef{
					{Name: "<Group Name>", ID: 333, UUID: "f07dea65-1fbe-4579-997f-42aecf7224da"},
				},
				Name: "<First Name> <Last Name>",
			},
			{
				ID:         2,
				UUID:       "7116ecdb-79a5-4de1-bf08-bebafd191315",
				Role:       UserRoleSuperAdmin,
				AdminSince: peopleEpoch(1642403601, 0),
				ManagedDepartments: []DepartmentRef{
					{Name: "<Department Name>", ID: 115, UUID: "dede516c-383d-4582-b7cd-aab35c3bcc9a"},
				},
				ManagedAdminGroups: []AdminGroupRef{
					{Name: "<Group Name>", ID: 181, UUID: "507db6a6-3f37-4aa4-8abe-31e8176f8b7a"},
				},
				Name: "<First Name> <Last Name>",
			},
		}})
	})
}

func TestDecodeDepartmentExamples(t *testing.T) {
	t.Parallel()
	created := peopleAt("2021-12-13T20:43:05.085133Z")
	modified := peopleAt("2021-12-13T20:43:05.085290Z")
	id := func(v int64) *int64 { return &v }
	tests := []struct {
		name string
		got  func(t *testing.T) any
		want any
	}{
		{
			name: "departments/list_departments.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[Page[Department]](t, "departments/list_departments.json")
			},
			want: Page[Department]{
				Results: []Department{
					{
						ID:         42,
						UUID:       "c5886095-2b1a-4ec5-b18e-5e84cfc5416e",
						IsActive:   true,
						Name:       "<Department Name>",
						Parent:     nil,
						CreatedOn:  created,
						ModifiedOn: modified,
					},
					{
						ID:         43,
						UUID:       "6552c7de-6497-4474-a6fe-60e76df5b912",
						IsActive:   true,
						Name:       "<Department Name>",
						Parent:     &DepartmentRef{ID: 42, UUID: "0183dff0-d2ae-4b7f-841e-538ede550f09", Name: "<Department Name>"},
						CreatedOn:  created,
						ModifiedOn: modified,
					},
				},
				More:     true,
				NextURL:  "/api/v1/departments/?page=2&size=2",
				NumPages: 2,
				Number:   1,
			},
		},
		{
			name: "departments/create_department_request.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[DepartmentInput](t, "departments/create_department_request.json")
			},
			want: DepartmentInput{Name: "New Department", ParentID: id(27)},
		},
		{
			name: "departments/create_department.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[Department](t, "departments/create_department.json")
			},
			want: Department{
				ID:         29,
				UUID:       "c5886095-2b1a-4ec5-b18e-5e84cfc5416e",
				IsActive:   true,
				Name:       "<Department Name>",
				Parent:     &DepartmentRef{ID: 27, UUID: "0183dff0-d2ae-4b7f-841e-538ede550f09", Name: "<Department Name>"},
				CreatedOn:  created,
				ModifiedOn: modified,
			},
		},
		{
			name: "departments/update_department_request.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[DepartmentInput](t, "departments/update_department_request.json")
			},
			want: DepartmentInput{Name: "A Department", ParentID: id(1)},
		},
		{
			name: "departments/update_department.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[Department](t, "departments/update_department.json")
			},
			want: Department{
				ID:         3,
				UUID:       "c5886095-2b1a-4ec5-b18e-5e84cfc5416e",
				IsActive:   true,
				Name:       "<Department Name>",
				Parent:     &DepartmentRef{ID: 1, UUID: "0183dff0-d2ae-4b7f-841e-538ede550f09", Name: "<Department Name>"},
				CreatedOn:  created,
				ModifiedOn: modified,
			},
		},
		{
			name: "departments/deactivate_department.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[Department](t, "departments/deactivate_department.json")
			},
			want: Department{
				ID:         3,
				UUID:       "c5886095-2b1a-4ec5-b18e-5e84cfc5416e",
				IsActive:   false,
				Name:       "<Deactivated Department Name>",
				Parent:     nil,
				CreatedOn:  created,
				ModifiedOn: modified,
			},
		},
		{
			name: "departments/reactivate_department.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[Department](t, "departments/reactivate_department.json")
			},
			want: Department{
				ID:         3,
				UUID:       "c5886095-2b1a-4ec5-b18e-5e84cfc5416e",
				IsActive:   true,
				Name:       "<Reactivated Department Name>",
				Parent:     nil,
				CreatedOn:  created,
				ModifiedOn: modified,
			},
		},
		{
			name: "departments/upsert_departments_request.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[DepartmentBulkRequest](t, "departments/upsert_departments_request.json")
			},
			want: DepartmentBulkRequest{Departments: []DepartmentUpsert{
				{Name: "Existing Department", Parent: "New Parent Department"},
				{Name: "New Department", Parent: "Existing Department"},
			}},
		},
		{
			name: "departments/upsert_departments.json",
			got: func(t *testing.T) any {
				return decodePeopleFixture[DepartmentBulkResult](t, "departments/upsert_departments.json")
			},
			want: DepartmentBulkResult{Created: 1, Updated: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.got(t), peopleCmpOpts); diff != "" {
				t.Errorf("decode %s mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestDecodeTeamExamples(t *testing.T) {
	t.Parallel()
	t.Run("list_teams", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "teams/list_teams.json", Page[Team]{
			Results: []Team{
				{
					ID:          123,
					UUID:        "b44c61c8-f0c7-45f6-b569-65f12952089c",
					Name:        "<Team Name>",
					PictureURIs: PictureURIs{Small: "<URL>", Medium: "<URL>"},
					IsActive:    true,
					CreatedOn:   peopleAt("2021-11-10T21:28:29.610217Z"),
					ModifiedOn:  peopleAt("2021-11-10T21:28:29.610217Z"),
					Members: []UserRef{
						{Name: "<First Name> <Last Name>", ID: 1, UUID: "4a92af5c-fb73-44c1-a834-f7f6857701ec"},
						{Name: "<First Name> <Last Name>", ID: 2, UUID: "5b4386e9-18b4-44a2-8172-0e934b7a3f48"},
					},
				},
				{
					ID:          456,
					UUID:        "281f534b-d5ca-4f5f-8d75-2dfacd9b3886",
					Name:        "<Team Name>",
					PictureURIs: PictureURIs{Small: "<URL>", Medium: "<URL>"},
					IsActive:    true,
					CreatedOn:   peopleAt("2021-11-15T06:25:34.695089Z"),
					ModifiedOn:  peopleAt("2022-03-07T20:37:49.572230Z"),
					Members: []UserRef{
						{Name: "<First Name> <Last Name>", ID: 3, UUID: "0ffdddc3-ed9b-4c26-90e9-d0d7d331bf79"},
						{Name: "<First Name> <Last Name>", ID: 4, UUID: "25884fc5-ceef-41c5-bf60-02f89a4b3cc2"},
					},
				},
			},
			More:    true,
			NextURL: "/api/v1/teams/?type=myteams&size=2&page=2",
		})
	})
	t.Run("get_team", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "teams/get_team.json", Team{
			ID:          123,
			UUID:        "659a21e1-4cb7-4ef8-a94e-7d63a56de3a3",
			Name:        "<Team Name>",
			PictureURIs: PictureURIs{Small: "<URI>", Medium: "<URI>"},
			IsActive:    true,
			CreatedOn:   peopleAt("2021-11-10T21:28:29.610217Z"),
			ModifiedOn:  peopleAt("2021-11-10T21:28:29.610217Z"),
			Members: []UserRef{
				{Name: "<First Name> <Last Name>", ID: 1, UUID: "cb96dbdc-c996-40ab-9648-2cef1f508998"},
				{Name: "<First Name> <Last Name>", ID: 2, UUID: "e36707ce-6054-4da7-ba03-ccbd4706653d"},
			},
		})
	})
}

// wantExampleAdminGroup is the admin group of the reference's examples; the
// list example repeats created_on and modified_on, and the last of each
// (the same values as in the get example) wins.
func wantExampleAdminGroup(attributeValueUUID string) AdminGroup {
	return AdminGroup{
		ID:            327,
		UUID:          "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Name:          "<Admin Group Name>",
		IsActive:      true,
		TemplateUsage: true,
		LastEdited:    peopleEpoch(1601361643, 726711),
		LastEditedBy: &UserRef{
			ID:   308,
			UUID: "12ebee06-2595-4471-976a-01321f3de805",
			Name: "<First Name> <Last Name>",
		},
		MemberCount: 544,
		Attributes: []AdminGroupAttribute{{
			Operation: "exclude",
			Property:  "custom-01",
			Value:     json.RawMessage(`[{"id": 197, "uuid": "` + attributeValueUUID + `", "name": "<First Name> <Last Name>"}]`),
		}},
		AdditionalMembers: []UserRef{
			{ID: 28, UUID: "e98d4f17-99c5-418a-ac70-f1fe27c739f7", Name: "<First Name> <Last Name>"},
			{ID: 34, UUID: "ac190e12-1d78-4bf3-b3fc-f26ce21471af", Name: "<First Name> <Last Name>"},
		},
		CreatedOn:  peopleAt("2022-01-18T18:43:01.859716Z"),
		ModifiedOn: peopleAt("2022-01-18T18:43:01.859791Z"),
	}
}

func TestDecodeAdminGroupExamples(t *testing.T) {
	t.Parallel()
	t.Run("get_admin_group", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "groups/get_admin_group.json", wantExampleAdminGroup("f9f8f8f8-f8f8-f8f8-f8f8-f8f8f8f8f8f8"))
	})
	t.Run("list_admin_groups", func(t *testing.T) {
		t.Parallel()
		peopleCheck(t, "groups/list_admin_groups.json", Page[AdminGroup]{
			Results:  []AdminGroup{wantExampleAdminGroup("ac1a91-1d78-4bf3-b3fc-f26ce21471af")},
			More:     false,
			NextURL:  "/api/v1/groups/?size=1&page=2",
			NumPages: 2,
			Number:   1,
		})
	})
}

func TestDecodeAdminGroupAttributeValueOfAnyShape(t *testing.T) {
	t.Parallel()
	body := `{"id": 1, "attributes": [
		{"operation": "include", "property": "location", "value": ["London", "Paris"]},
		{"operation": "include", "property": "on_leave", "value": true},
		{"operation": "exclude", "property": "custom-02", "value": "Contractor"},
		{"operation": "include", "property": "manager", "value": null}
	]}`
	var got AdminGroup
	if err := decodeJSON([]byte(body), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := []AdminGroupAttribute{
		{Operation: "include", Property: "location", Value: json.RawMessage(`["London", "Paris"]`)},
		{Operation: "include", Property: "on_leave", Value: json.RawMessage(`true`)},
		{Operation: "exclude", Property: "custom-02", Value: json.RawMessage(`"Contractor"`)},
		{Operation: "include", Property: "manager", Value: json.RawMessage(`null`)},
	}
	if diff := cmp.Diff(want, got.Attributes, peopleCmpOpts); diff != "" {
		t.Errorf("attributes mismatch (-want +got):\n%s", diff)
	}
}

func TestCustomValuesKeepEveryKey(t *testing.T) {
	t.Parallel()
	var got CustomValues
	body := `{"text": "a", "number": 12.5, "flag": true, "none": null, "list": [1, "b"]}`
	if err := decodeJSON([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := CustomValues{"text": "a", "number": "12.5", "flag": "true", "none": "", "list": `[1, "b"]`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CustomValues mismatch (-want +got):\n%s", diff)
	}
}

// TestCustomValuesDecodeAsEncodingJSON decodes the values inside a user,
// where the client's decoder reads them in one pass, and checks them
// against what encoding/json makes of the same body through the
// RawMessage reading the values used to have.
func TestCustomValuesDecodeAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, values := range []string{
		`{"a": "x\u00e9\n", "b": -1.5e3, "c": false, "d": null, "e": {"k": [1, 2]}, "f": ""}`,
		`{"dup": "first", "dup": "last"}`,
		`{}`,
		`null`,
	} {
		body := `{"id": 7, "custom_values": ` + values + `, "first_name": "Ann"}`
		var got User
		if err := decodeJSON([]byte(body), &got); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(values), &raw); err != nil {
			t.Fatal(err)
		}
		var want CustomValues
		if raw != nil {
			want = CustomValues{}
			for k, v := range raw {
				var s string
				switch {
				case string(v) == "null":
				case json.Unmarshal(v, &s) == nil:
				default:
					s = string(v)
				}
				want[k] = s
			}
		}
		if diff := cmp.Diff(want, got.CustomValues); diff != "" {
			t.Errorf("custom values of %s (-encoding/json +client):\n%s", values, diff)
		}
		if got.ID != 7 || got.FirstName != "Ann" {
			t.Errorf("the fields around the values decoded as id %d, first name %q", got.ID, got.FirstName)
		}
	}
	for _, values := range []string{`"text"`, `[1]`, `3`, `{"a": }`} {
		var got CustomValues
		if err := decodeJSON([]byte(values), &got); err == nil {
			t.Errorf("decode %s = %v, want an error", values, got)
		}
		if err := json.Unmarshal([]byte(values), &got); err == nil {
			t.Errorf("encoding/json decode %s = %v, want an error", values, got)
		}
	}
}

// peopleRequest is what the fake upstream saw.
type peopleRequest struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

func TestPeopleClientRequests(t *testing.T) {
	t.Parallel()
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2019, 1, 31, 23, 59, 59, 500000000, time.FixedZone("CET", 3600))
	yes, no := true, false
	parent := int64(27)
	tests := []struct {
		name    string
		fixture string
		call    func(t *testing.T, c *Client) error
		want    peopleRequest
	}{
		{
			name:    "GetUser",
			fixture: "users/get_user.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.GetUser(t.Context(), NewToken("t"), "jane@example.com")
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/users/jane@example.com/", Query: url.Values{}},
		},
		{
			name:    "ListUsers",
			fixture: "users/list_users.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.ListUsers(t.Context(), NewToken("t"), UserFilter{
					Department:  "Engineering",
					EmployeeID:  "e1",
					Manager:     "42",
					Deactivated: &no,
					DeltaStart:  start,
					DeltaEnd:    end,
					Locale:      "en_GB",
				}, PageRequest{Page: 2, Size: 20})
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/users/", Query: url.Values{
				"page":        {"2"},
				"size":        {"20"},
				"department":  {"Engineering"},
				"employee_id": {"e1"},
				"manager":     {"42"},
				"deactivated": {"0"},
				"delta_start": {"2019-01-01T00:00:00Z"},
				"delta_end":   {"2019-01-31T22:59:59.5Z"},
				"locale":      {"en_GB"},
			}},
		},
		{
			name:    "SearchUsers",
			fixture: "users/search_users.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.SearchUsers(t.Context(), NewToken("t"), UserSearch{
					Q:             "jan",
					ManagerID:     "42",
					CanViewGoalID: 7,
					Deactivated:   &yes,
				}, PageRequest{})
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/users/search/", Query: url.Values{
				"q":                {"jan"},
				"manager_id":       {"42"},
				"can_view_goal_id": {"7"},
				"deactivated":      {"true"},
			}},
		},
		{
			name:    "UpsertUsers",
			fixture: "users/upsert_users.json",
			call: func(t *testing.T, c *Client) error {
				title := BWNull
				_, err := c.UpsertUsers(t.Context(), NewToken("t"), UserBulkRequest{DryRun: true, Users: []UserUpsert{{
					Email: "a@example.com", FirstName: "A", LastName: "B", Title: &title, OnLeave: &no,
				}}})
				return err
			},
			want: peopleRequest{
				Method: "POST", Path: "/api/v1/users/bulk/", Query: url.Values{},
				Body: `{"dry_run":true,"users":[{"email":"a@example.com","first_name":"A","last_name":"B","title":"BW_NULL","on_leave":false}]}`,
			},
		},
		{
			name:    "ListRoleAssignments",
			fixture: "users/list_role_assignments.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.ListRoleAssignments(t.Context(), NewToken("t"), PageRequest{})
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/users/roles/", Query: url.Values{}},
		},
		{
			name:    "AssignRoles",
			fixture: "users/assign_roles.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.AssignRoles(t.Context(), NewToken("t"), AssignRolesRequest{Roles: []RoleAssignment{
					{UserID: 13, Role: UserRoleGroupAdmin, Departments: []int64{5, 6}},
					{Email: "a@example.com", Role: UserRoleNone},
				}})
				return err
			},
			want: peopleRequest{
				Method: "PUT", Path: "/api/v1/users/roles/", Query: url.Values{},
				Body: `{"roles":[{"user_id":13,"role":"groupadmin","departments":[5,6]},{"email":"a@example.com","role":"none"}]}`,
			},
		},
		{
			name:    "ListDepartments",
			fixture: "departments/list_departments.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.ListDepartments(t.Context(), NewToken("t"), DepartmentFilter{IncludeDeactivated: &yes}, PageRequest{Size: 100})
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/departments/", Query: url.Values{
				"size":                {"100"},
				"include_deactivated": {"true"},
			}},
		},
		{
			name:    "CreateDepartment",
			fixture: "departments/create_department.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.CreateDepartment(t.Context(), NewToken("t"), DepartmentInput{Name: "New Department", ParentID: &parent})
				return err
			},
			want: peopleRequest{
				Method: "POST", Path: "/api/v1/departments/", Query: url.Values{},
				Body: `{"name":"New Department","parent_id":27}`,
			},
		},
		{
			name:    "UpdateDepartment",
			fixture: "departments/update_department.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.UpdateDepartment(t.Context(), NewToken("t"), "3", DepartmentInput{Name: "A Department"})
				return err
			},
			want: peopleRequest{
				Method: "PUT", Path: "/api/v1/departments/3/", Query: url.Values{},
				Body: `{"name":"A Department"}`,
			},
		},
		{
			name:    "DeactivateDepartment",
			fixture: "departments/deactivate_department.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.DeactivateDepartment(t.Context(), NewToken("t"), "c5886095-2b1a-4ec5-b18e-5e84cfc5416e")
				return err
			},
			want: peopleRequest{Method: "POST", Path: "/api/v1/departments/c5886095-2b1a-4ec5-b18e-5e84cfc5416e/deactivate/", Query: url.Values{}},
		},
		{
			name:    "ReactivateDepartment",
			fixture: "departments/reactivate_department.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.ReactivateDepartment(t.Context(), NewToken("t"), "3")
				return err
			},
			want: peopleRequest{Method: "POST", Path: "/api/v1/departments/3/reactivate/", Query: url.Values{}},
		},
		{
			name:    "UpsertDepartments",
			fixture: "departments/upsert_departments.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.UpsertDepartments(t.Context(), NewToken("t"), DepartmentBulkRequest{Departments: []DepartmentUpsert{
					{Name: "Existing Department", Parent: "New Parent Department"},
					{Name: "Top"},
				}})
				return err
			},
			want: peopleRequest{
				Method: "POST", Path: "/api/v1/departments/bulk/", Query: url.Values{},
				Body: `{"departments":[{"name":"Existing Department","parent":"New Parent Department"},{"name":"Top"}]}`,
			},
		},
		{
			name:    "ListTeams",
			fixture: "teams/list_teams.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.ListTeams(t.Context(), NewToken("t"), TeamFilter{Type: TeamTypeAllTeams, DeltaStart: start}, PageRequest{Page: 3})
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/teams/", Query: url.Values{
				"page":        {"3"},
				"type":        {"allteams"},
				"delta_start": {"2019-01-01T00:00:00Z"},
			}},
		},
		{
			name:    "GetTeam",
			fixture: "teams/get_team.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.GetTeam(t.Context(), NewToken("t"), "123")
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/teams/123/", Query: url.Values{}},
		},
		{
			name:    "ListAdminGroups",
			fixture: "groups/list_admin_groups.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.ListAdminGroups(t.Context(), NewToken("t"), AdminGroupFilter{DeltaEnd: end}, PageRequest{Page: 1, Size: 50})
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/groups/", Query: url.Values{
				"page":      {"1"},
				"size":      {"50"},
				"delta_end": {"2019-01-31T22:59:59.5Z"},
			}},
		},
		{
			name:    "GetAdminGroup",
			fixture: "groups/get_admin_group.json",
			call: func(t *testing.T, c *Client) error {
				_, err := c.GetAdminGroup(t.Context(), NewToken("t"), "327")
				return err
			},
			want: peopleRequest{Method: "GET", Path: "/api/v1/groups/327/", Query: url.Values{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := peopleFixture(t, tt.fixture)
			seen := make(chan peopleRequest, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				data, _ := io.ReadAll(r.Body)
				seen <- peopleRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(data)}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			t.Cleanup(srv.Close)
			client, err := New(Config{BaseURL: srv.URL + "/api/v1"})
			if err != nil {
				t.Fatal(err)
			}

			if err := tt.call(t, client); err != nil {
				t.Fatalf("%s() error = %v", tt.name, err)
			}

			got := <-seen
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s() request mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}
