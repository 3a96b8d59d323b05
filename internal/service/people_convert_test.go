package service

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// This file converts the reference's examples of the Users, Departments,
// Teams and Admin Groups sections (the upstream package's testdata/users,
// departments, teams and groups) from the upstream types to the contract's
// messages and checks every field; and converts requests built from the
// contract to the upstream payloads and compares them with the reference's
// example request bodies.

// wantExampleUserProto is the user of the reference's user examples, which
// differ only in id and uuid.
func wantExampleUserProto(id int64, uuid string) *betterworksv1.User {
	return &betterworksv1.User{
		Id:               id,
		Uuid:             uuid,
		FirstName:        "<First Name>",
		PreferredName:    "<Preferred Name>",
		LastName:         "<Last Name>",
		Name:             "<First Name> <Last Name>",
		Email:            "<Email Address>",
		IsActive:         true,
		DeactivatedOn:    nil,
		DeactivationDate: "",
		Title:            "<Title>",
		Manager:          &betterworksv1.UserRef{Id: 12346, Uuid: "e8acd60c-6770-4606-950a-b031243f32d7", Name: "<First Name> <Last Name>"},
		Department:       &betterworksv1.DepartmentRef{Id: 177, Uuid: "e0870840-4c8e-4a1b-b067-e151b4f146eb", Name: "<Department Name>"},
		Phone:            "<Phone Number>",
		About:            "<About Text>",
		Locale:           betterworksv1.UserLocale_USER_LOCALE_EN,
		IsGoalmaster:     false,
		IsSuperAdmin:     true,
		IsAdmin:          false,
		IsGroupAdmin:     false,
		EmployeeId:       "<Employee ID>",
		CreatedOn:        convAt(2019, time.January, 1, 12, 0, 0, 123456),
		ModifiedOn:       convAt(2019, time.January, 2, 12, 0, 0, 123456),
		Attributes: &structpb.Struct{Fields: map[string]*structpb.Value{
			"location": structpb.NewStringValue("San Francisco, California"),
			"on_leave": structpb.NewBoolValue(false),
		}},
		CustomValues: map[string]string{"custom_property": "<Custom Property Text>"},
		CanView:      nil,
	}
}

func wantRoleAssignmentProtos() []*betterworksv1.RoleAssignment {
	return []*betterworksv1.RoleAssignment{
		{
			Id:         1,
			Uuid:       "2841e4d3-3d30-467e-b3c1-3b8272303c8a",
			Role:       betterworksv1.UserRole_USER_ROLE_ADMIN,
			AdminSince: convEpoch(1453420800, 0),
			ManagedDepartments: []*betterworksv1.DepartmentRef{
				{Id: 17, Uuid: "093d1993-ffd3-40fa-9fc9-0df6ad71aa82", Name: "<Department Name>"},
				{Id: 20, Uuid: "78bd36d4-c5b4-43e9-9d7e-af08becb48d8", Name: "<Department Name>"},
			},
			ManagedAdminGroups: []*betterworksv1.AdminGroupRef{
				{Id: 333, Uuid: "f07dea65-1fbe-4579-997f-42aecf7224da", Name: "<Group Name>"},
			},
			Name: "<First Name> <Last Name>",
		},
		{
			Id:         2,
			Uuid:       "7116ecdb-79a5-4de1-bf08-bebafd191315",
			Role:       betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN,
			AdminSince: convEpoch(1642403601, 0),
			ManagedDepartments: []*betterworksv1.DepartmentRef{
				{Id: 115, Uuid: "dede516c-383d-4582-b7cd-aab35c3bcc9a", Name: "<Department Name>"},
			},
			ManagedAdminGroups: []*betterworksv1.AdminGroupRef{
				{Id: 181, Uuid: "507db6a6-3f37-4aa4-8abe-31e8176f8b7a", Name: "<Group Name>"},
			},
			Name: "<First Name> <Last Name>",
		},
	}
}

// wantAssignedRoleProtos is the answer of the Assign Roles example: no
// uuids, admin_since null for the first user.
func wantAssignedRoleProtos() []*betterworksv1.RoleAssignment {
	name := "<First Name> <Last Name>"
	since := convEpoch(1453420800, 0)
	return []*betterworksv1.RoleAssignment{
		{Id: 5, Role: betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN, AdminSince: nil, Name: name},
		{Id: 10, Role: betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN, AdminSince: since, Name: name},
		{Id: 12, Role: betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN, AdminSince: since, Name: name},
		{Id: 9, Role: betterworksv1.UserRole_USER_ROLE_ADMIN, AdminSince: since, Name: name},
		{
			Id: 13, Role: betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN, AdminSince: since, Name: name,
			ManagedDepartments: []*betterworksv1.DepartmentRef{{Id: 5, Name: "A"}, {Id: 6, Name: "B"}},
		},
		{
			Id: 14, Role: betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN, AdminSince: since, Name: name,
			ManagedAdminGroups: []*betterworksv1.AdminGroupRef{{Id: 7, Name: "A"}},
		},
	}
}

// peopleDepartment is a department of the examples, which all share uuid
// and times.
func peopleDepartment(id int64, uuid, name string, active bool, parent *betterworksv1.DepartmentRef) *betterworksv1.Department {
	return &betterworksv1.Department{
		Id:         id,
		Uuid:       uuid,
		IsActive:   active,
		Name:       name,
		Parent:     parent,
		CreatedOn:  convAt(2021, time.December, 13, 20, 43, 5, 85133),
		ModifiedOn: convAt(2021, time.December, 13, 20, 43, 5, 85290),
	}
}

const peopleDepartmentUUID = "c5886095-2b1a-4ec5-b18e-5e84cfc5416e"

func peopleParent(id int64) *betterworksv1.DepartmentRef {
	return &betterworksv1.DepartmentRef{Id: id, Uuid: "0183dff0-d2ae-4b7f-841e-538ede550f09", Name: "<Department Name>"}
}

func peopleTeam(id int64, uuid, pictures string, created, modified *timestamppb.Timestamp, members ...*betterworksv1.UserRef) *betterworksv1.Team {
	return &betterworksv1.Team{
		Id:          id,
		Uuid:        uuid,
		Name:        "<Team Name>",
		PictureUris: &betterworksv1.PictureUris{Small: pictures, Medium: pictures},
		IsActive:    true,
		CreatedOn:   created,
		ModifiedOn:  modified,
		Members:     members,
	}
}

func wantTeamProtos() (get *betterworksv1.Team, list []*betterworksv1.Team) {
	name := "<First Name> <Last Name>"
	nov10 := convAt(2021, time.November, 10, 21, 28, 29, 610217)
	get = peopleTeam(123, "659a21e1-4cb7-4ef8-a94e-7d63a56de3a3", "<URI>", nov10, nov10,
		&betterworksv1.UserRef{Id: 1, Uuid: "cb96dbdc-c996-40ab-9648-2cef1f508998", Name: name},
		&betterworksv1.UserRef{Id: 2, Uuid: "e36707ce-6054-4da7-ba03-ccbd4706653d", Name: name})
	list = []*betterworksv1.Team{
		peopleTeam(123, "b44c61c8-f0c7-45f6-b569-65f12952089c", "<URL>", nov10, nov10,
			&betterworksv1.UserRef{Id: 1, Uuid: "4a92af5c-fb73-44c1-a834-f7f6857701ec", Name: name},
			&betterworksv1.UserRef{Id: 2, Uuid: "5b4386e9-18b4-44a2-8172-0e934b7a3f48", Name: name}),
		peopleTeam(456, "281f534b-d5ca-4f5f-8d75-2dfacd9b3886", "<URL>",
			convAt(2021, time.November, 15, 6, 25, 34, 695089), convAt(2022, time.March, 7, 20, 37, 49, 572230),
			&betterworksv1.UserRef{Id: 3, Uuid: "0ffdddc3-ed9b-4c26-90e9-d0d7d331bf79", Name: name},
			&betterworksv1.UserRef{Id: 4, Uuid: "25884fc5-ceef-41c5-bf60-02f89a4b3cc2", Name: name}),
	}
	return get, list
}

// wantAdminGroupProto is the admin group of the examples; they differ in
// the uuid of the attribute's value.
func wantAdminGroupProto(valueUUID string) *betterworksv1.AdminGroup {
	name := "<First Name> <Last Name>"
	value, err := structpb.NewValue([]any{map[string]any{"id": 197, "uuid": valueUUID, "name": name}})
	if err != nil {
		panic(err)
	}
	return &betterworksv1.AdminGroup{
		Id:            327,
		Uuid:          "e98d4f17-99c5-418a-ac70-f1fe27c739f7",
		Name:          "<Admin Group Name>",
		IsActive:      true,
		TemplateUsage: true,
		LastEdited:    convEpoch(1601361643, 726711),
		LastEditedBy:  convUser(308, "12ebee06-2595-4471-976a-01321f3de805"),
		MemberCount:   544,
		Attributes: []*betterworksv1.AdminGroupAttribute{
			{Operation: "exclude", Property: "custom-01", Value: value},
		},
		AdditionalMembers: []*betterworksv1.UserRef{
			convUser(28, "e98d4f17-99c5-418a-ac70-f1fe27c739f7"),
			convUser(34, "ac190e12-1d78-4bf3-b3fc-f26ce21471af"),
		},
		CreatedOn:  convAt(2022, time.January, 18, 18, 43, 1, 859716),
		ModifiedOn: convAt(2022, time.January, 18, 18, 43, 1, 859791),
	}
}

func TestPeopleConvertExamplesToProto(t *testing.T) {
	t.Parallel()
	getTeam, listTeams := wantTeamProtos()
	checkExamples(t, []exampleCase{
		{
			section: "users", fixture: "get_user.json",
			convert: convertExample(userToProto),
			want:    wantExampleUserProto(123, "82316b97-7b41-439d-9024-8331272c568c"),
		},
		{
			section: "users", fixture: "list_users.json",
			convert: convertExamplePage(userToProto),
			want: []*betterworksv1.User{
				wantExampleUserProto(123, "82316b97-7b41-439d-9024-8331272c568c"),
				wantExampleUserProto(456, "5abf75bc-376b-4331-897a-f691622bdc59"),
			},
		},
		{
			section: "users", fixture: "search_users.json",
			convert: convertExamplePage(userToProto),
			want:    []*betterworksv1.User{wantExampleUserProto(123, "82316b97-7b41-439d-9024-8331272c568c")},
		},
		{
			section: "users", fixture: "upsert_users.json",
			convert: convertExample(userBulkResultToProto),
			want: &betterworksv1.UpsertUsersResponse{
				DryRun: true,
				Errors: []*betterworksv1.UserUpsertError{{
					ErrorDetails: []*betterworksv1.UserUpsertErrorDetail{{Description: "betterworks.com is an invalid domain"}},
					Index:        0,
					Processed:    false,
				}},
			},
		},
		{
			section: "users", fixture: "list_role_assignments.json",
			convert: convertExamplePage(roleAssignmentToProto),
			want:    wantRoleAssignmentProtos(),
		},
		{
			section: "users", fixture: "assign_roles.json",
			convert: func(t *testing.T, s, f string) any {
				body := sectionExample[struct{ Results []upstream.UserRoleAssignment }](t, s, f)
				return convertAll(body.Results, roleAssignmentToProto)
			},
			want: wantAssignedRoleProtos(),
		},
		{
			section: "departments", fixture: "list_departments.json",
			convert: convertExamplePage(departmentToProto),
			want: []*betterworksv1.Department{
				peopleDepartment(42, peopleDepartmentUUID, "<Department Name>", true, nil),
				peopleDepartment(43, "6552c7de-6497-4474-a6fe-60e76df5b912", "<Department Name>", true, peopleParent(42)),
			},
		},
		{
			section: "departments", fixture: "create_department.json",
			convert: convertExample(departmentToProto),
			want:    peopleDepartment(29, peopleDepartmentUUID, "<Department Name>", true, peopleParent(27)),
		},
		{
			section: "departments", fixture: "update_department.json",
			convert: convertExample(departmentToProto),
			want:    peopleDepartment(3, peopleDepartmentUUID, "<Department Name>", true, peopleParent(1)),
		},
		{
			section: "departments", fixture: "deactivate_department.json",
			convert: convertExample(departmentToProto),
			want:    peopleDepartment(3, peopleDepartmentUUID, "<Deactivated Department Name>", false, nil),
		},
		{
			section: "departments", fixture: "reactivate_department.json",
			convert: convertExample(departmentToProto),
			want:    peopleDepartment(3, peopleDepartmentUUID, "<Reactivated Department Name>", true, nil),
		},
		{
			section: "departments", fixture: "upsert_departments.json",
			convert: convertExample(departmentBulkResultToProto),
			want:    &betterworksv1.UpsertDepartmentsResponse{CreatedCount: 1, UpdatedCount: 1},
		},
		{
			section: "teams", fixture: "get_team.json",
			convert: convertExample(teamToProto),
			want:    getTeam,
		},
		{
			section: "teams", fixture: "list_teams.json",
			convert: convertExamplePage(teamToProto),
			want:    listTeams,
		},
		{
			section: "groups", fixture: "get_admin_group.json",
			convert: convertExample(adminGroupToProto),
			want:    wantAdminGroupProto("f9f8f8f8-f8f8-f8f8-f8f8-f8f8f8f8f8f8"),
		},
		{
			section: "groups", fixture: "list_admin_groups.json",
			convert: convertExamplePage(adminGroupToProto),
			want:    []*betterworksv1.AdminGroup{wantAdminGroupProto("ac1a91-1d78-4bf3-b3fc-f26ce21471af")},
		},
	})
}

// TestPeopleConvertRequestsMatchReference builds each write of the
// reference's examples from the contract and checks that the payload sent
// upstream is the example's request body.
func TestPeopleConvertRequestsMatchReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		section, fixture string
		build            func() (any, error)
	}{
		{
			section: "users", fixture: "upsert_users_request.json",
			build: func() (any, error) {
				return userBulkRequest(&betterworksv1.UpsertUsersRequest{
					DryRun: true,
					Users: []*betterworksv1.UserUpsert{{
						Email:             "<Email Address>",
						FirstName:         "<First Name>",
						LastName:          "<Last Name>",
						EmployeeId:        new("u1_1234"),
						DepartmentName:    new("Engineering"),
						Title:             new("Software Engineer"),
						ManagerEmployeeId: new("u0_0987"),
						Location:          new("San Francisco"),
						PreferredName:     new("<Preferred Name>"),
						MatrixManager:     new("<Email Address>"),
						Phone:             new("1234567890"),
						Custom_01:         new("extra data"),
					}},
				}), nil
			},
		},
		{
			section: "users", fixture: "assign_roles_request.json",
			build: func() (any, error) {
				return assignRolesRequest(&betterworksv1.AssignRolesRequest{Roles: []*betterworksv1.RoleAssignmentUpdate{
					{UserId: "9", Role: betterworksv1.UserRole_USER_ROLE_ADMIN},
					{EmployeeId: "e1234", Role: betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN},
					{Email: "<Email Address>", Role: betterworksv1.UserRole_USER_ROLE_NONE},
					{UserId: "12", Role: betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN},
					{UserId: "13", Role: betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN, DepartmentIds: []string{"5", "6"}},
					{UserId: "14", Role: betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN, AdminGroupIds: []string{"7"}},
				}})
			},
		},
		{
			section: "departments", fixture: "create_department_request.json",
			build: func() (any, error) { return departmentInput("New Department", "27") },
		},
		{
			section: "departments", fixture: "update_department_request.json",
			build: func() (any, error) { return departmentInput("A Department", "1") },
		},
		{
			section: "departments", fixture: "upsert_departments_request.json",
			build: func() (any, error) {
				return departmentBulkRequest(&betterworksv1.UpsertDepartmentsRequest{Departments: []*betterworksv1.DepartmentUpsert{
					{Name: "Existing Department", ParentName: "New Parent Department"},
					{Name: "New Department", ParentName: "Existing Department"},
				}}), nil
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.section+"/"+tt.fixture, func(t *testing.T) {
			t.Parallel()
			payload, err := tt.build()
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			want := sectionExample[any](t, tt.section, tt.fixture)
			if diff := cmp.Diff(want, payloadJSON(t, payload)); diff != "" {
				t.Errorf("payload mismatch (-reference +sent):\n%s", diff)
			}
		})
	}
}

// TestPeopleConvertClearFieldsSendBWNull checks that every UserField a
// caller may name in clear_fields becomes BW_NULL in its own upstream
// field, and that nothing else does.
func TestPeopleConvertClearFieldsSendBWNull(t *testing.T) {
	t.Parallel()
	values := betterworksv1.UserField(0).Descriptor().Values()
	for i := range values.Len() {
		field := betterworksv1.UserField(values.Get(i).Number())
		if field == betterworksv1.UserField_USER_FIELD_UNSPECIFIED {
			continue
		}
		t.Run(field.String(), func(t *testing.T) {
			t.Parallel()
			row := userUpsert(&betterworksv1.UserUpsert{
				Email: "a@acme.example", FirstName: "A", LastName: "B",
				ClearFields: []betterworksv1.UserField{field},
			})
			got := payloadJSON(t, row)
			want := map[string]any{
				"email": "a@acme.example", "first_name": "A", "last_name": "B",
				upstreamUserField(t, field): upstream.BWNull,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("row mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// upstreamUserField is the upstream name a UserField's comment gives, such
// as "custom_01" for USER_FIELD_CUSTOM_01.
func upstreamUserField(t *testing.T, f betterworksv1.UserField) string {
	t.Helper()
	names := map[betterworksv1.UserField]string{
		betterworksv1.UserField_USER_FIELD_EMPLOYEE_ID:         "employee_id",
		betterworksv1.UserField_USER_FIELD_DEPARTMENT_NAME:     "department_name",
		betterworksv1.UserField_USER_FIELD_TITLE:               "title",
		betterworksv1.UserField_USER_FIELD_MANAGER_EMPLOYEE_ID: "manager_id",
		betterworksv1.UserField_USER_FIELD_MANAGER_EMAIL:       "manager_email",
		betterworksv1.UserField_USER_FIELD_PHONE:               "phone",
		betterworksv1.UserField_USER_FIELD_LOCATION:            "location",
		betterworksv1.UserField_USER_FIELD_PREFERRED_NAME:      "preferred_name",
		betterworksv1.UserField_USER_FIELD_MATRIX_MANAGER:      "matrix_manager",
		betterworksv1.UserField_USER_FIELD_LOCALE:              "locale",
		betterworksv1.UserField_USER_FIELD_CUSTOM_01:           "custom_01",
		betterworksv1.UserField_USER_FIELD_CUSTOM_02:           "custom_02",
		betterworksv1.UserField_USER_FIELD_CUSTOM_03:           "custom_03",
		betterworksv1.UserField_USER_FIELD_CUSTOM_04:           "custom_04",
		betterworksv1.UserField_USER_FIELD_CUSTOM_05:           "custom_05",
	}
	name, ok := names[f]
	if !ok {
		t.Fatalf("no upstream name for %v: add it here and to userFieldClears", f)
	}
	return name
}

// TestPeopleConvertUpsertKeepsUnsetFieldsOut checks that a row sends only
// what the caller set, with locale and flags in the upstream's words.
func TestPeopleConvertUpsertKeepsUnsetFieldsOut(t *testing.T) {
	t.Parallel()
	row := userUpsert(&betterworksv1.UserUpsert{
		Email: "a@acme.example", FirstName: "A", LastName: "B",
		Locale: betterworksv1.UserLocale_USER_LOCALE_ZH_HANS, IsActive: new(false), OnLeave: new(true),
		ManagerEmail: new("m@acme.example"), Custom_05: new("x"),
	})
	want := map[string]any{
		"email": "a@acme.example", "first_name": "A", "last_name": "B",
		"locale": "zh_Hans", "is_active": false, "on_leave": true, "manager_email": "m@acme.example", "custom_05": "x",
	}
	if diff := cmp.Diff(want, payloadJSON(t, row)); diff != "" {
		t.Errorf("row mismatch (-want +got):\n%s", diff)
	}
}

// TestPeopleConvertAdminGroupAttributeValueKeepsItsShape decodes attribute
// values of several shapes and checks each keeps its JSON type.
func TestPeopleConvertAdminGroupAttributeValueKeepsItsShape(t *testing.T) {
	t.Parallel()
	body := `{"id": 1, "attributes": [
		{"operation": "include", "property": "location", "value": ["London", "Paris"]},
		{"operation": "include", "property": "on_leave", "value": true},
		{"operation": "exclude", "property": "custom-02", "value": "Contractor"},
		{"operation": "include", "property": "seniority", "value": 3},
		{"operation": "include", "property": "department", "value": {"id": 12, "name": "Sales"}},
		{"operation": "include", "property": "manager", "value": null},
		{"operation": "include", "property": "user"}
	]}`
	var g upstream.AdminGroup
	if err := json.Unmarshal([]byte(body), &g); err != nil {
		t.Fatalf("decode: %v", err)
	}
	mustValue := func(v any) *structpb.Value {
		out, err := structpb.NewValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := &betterworksv1.AdminGroup{Id: 1, Attributes: []*betterworksv1.AdminGroupAttribute{
		{Operation: "include", Property: "location", Value: mustValue([]any{"London", "Paris"})},
		{Operation: "include", Property: "on_leave", Value: mustValue(true)},
		{Operation: "exclude", Property: "custom-02", Value: mustValue("Contractor")},
		{Operation: "include", Property: "seniority", Value: mustValue(3)},
		{Operation: "include", Property: "department", Value: mustValue(map[string]any{"id": 12, "name": "Sales"})},
		{Operation: "include", Property: "manager", Value: nil},
		{Operation: "include", Property: "user", Value: nil},
	}}
	if diff := cmp.Diff(want, adminGroupToProto(&g), protocmp.Transform()); diff != "" {
		t.Errorf("adminGroupToProto() mismatch (-want +got):\n%s", diff)
	}
}

// TestPeopleConvertUserKeepsEveryCustomKey checks that attributes and
// custom values keep every key the upstream sends, whatever its type.
func TestPeopleConvertUserKeepsEveryCustomKey(t *testing.T) {
	t.Parallel()
	body := `{"id": 1, "attributes": {"location": "Paris", "on_leave": true, "seniority": 4, "tags": ["a"], "extra": null},
		"custom_values": {"cost_center": "CC-1", "fte": 0.5, "remote": false, "none": null},
		"deactivation_date": "2024-02-29T00:00:00Z", "locale": "en_GB"}`
	var u upstream.User
	if err := json.Unmarshal([]byte(body), &u); err != nil {
		t.Fatalf("decode: %v", err)
	}
	got := userToProto(&u)
	want := &betterworksv1.User{
		Id: 1,
		Attributes: &structpb.Struct{Fields: map[string]*structpb.Value{
			"location":  structpb.NewStringValue("Paris"),
			"on_leave":  structpb.NewBoolValue(true),
			"seniority": structpb.NewNumberValue(4),
			"tags":      structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("a")}}),
			"extra":     structpb.NewNullValue(),
		}},
		CustomValues:     map[string]string{"cost_center": "CC-1", "fte": "0.5", "remote": "false", "none": ""},
		DeactivationDate: "2024-02-29",
		Locale:           betterworksv1.UserLocale_USER_LOCALE_EN_GB,
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("userToProto() mismatch (-want +got):\n%s", diff)
	}
}

func TestPeopleConvertCalendarDay(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"2016-06-28", "2016-06-28"},
		{"2016-06-28T23:30:00-05:00", "2016-06-28"},
		{"2016-06-28 10:00:00+00:00", "2016-06-28"},
		{"2021-26-10", ""},
		{"06/28/2016", ""},
		{"2016-6-2", ""},
	}
	for _, tt := range tests {
		if got := calendarDay(tt.in); got != tt.want {
			t.Errorf("calendarDay(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPeopleConvertEnums maps every upstream locale and role and back, and
// counts unknown ones.
func TestPeopleConvertEnums(t *testing.T) {
	t.Parallel()
	checkAll := func(t *testing.T, values protoreflect.EnumValueDescriptors, toUpstream func(protoreflect.EnumNumber) string, toEnum func(string) protoreflect.EnumNumber) {
		t.Helper()
		for i := range values.Len() {
			n := values.Get(i).Number()
			if n == 0 {
				continue
			}
			s := toUpstream(n)
			if s == "" {
				t.Errorf("%s has no upstream string", values.Get(i).Name())
				continue
			}
			if back := toEnum(s); back != n {
				t.Errorf("%s -> %q -> %d, want %d", values.Get(i).Name(), s, back, n)
			}
		}
	}
	checkAll(t, betterworksv1.UserLocale(0).Descriptor().Values(),
		func(n protoreflect.EnumNumber) string { return userLocales.upstream(betterworksv1.UserLocale(n)) },
		func(s string) protoreflect.EnumNumber { return protoreflect.EnumNumber(userLocales.enum(s)) })
	checkAll(t, betterworksv1.UserRole(0).Descriptor().Values(),
		func(n protoreflect.EnumNumber) string { return userRoles.upstream(betterworksv1.UserRole(n)) },
		func(s string) protoreflect.EnumNumber { return protoreflect.EnumNumber(userRoles.enum(s)) })
	checkAll(t, betterworksv1.TeamAssociation(0).Descriptor().Values(),
		func(n protoreflect.EnumNumber) string {
			return teamAssociations.upstream(betterworksv1.TeamAssociation(n))
		},
		func(s string) protoreflect.EnumNumber { return protoreflect.EnumNumber(teamAssociations.enum(s)) })

	locales, roles := unknownEnumCount("UserLocale"), unknownEnumCount("UserRole")
	user := userToProto(&upstream.User{Locale: "eo"})
	role := roleAssignmentToProto(&upstream.UserRoleAssignment{Role: "owner"})
	if !proto.Equal(user, &betterworksv1.User{}) || !proto.Equal(role, &betterworksv1.RoleAssignment{}) {
		t.Errorf("unknown locale and role = %v, %v; want UNSPECIFIED", user.GetLocale(), role.GetRole())
	}
	if unknownEnumCount("UserLocale") < locales+1 || unknownEnumCount("UserRole") < roles+1 {
		t.Error("unknown locale or role not counted")
	}
}

func TestPeopleConvertAbsentParts(t *testing.T) {
	t.Parallel()
	checkProtos(t, []protoCase{
		{name: "nil_user", got: userToProto(nil), want: (*betterworksv1.User)(nil)},
		{name: "empty_user", got: userToProto(&upstream.User{}), want: &betterworksv1.User{}},
		{name: "nil_department", got: departmentToProto(nil), want: (*betterworksv1.Department)(nil)},
		{name: "nil_team", got: teamToProto(nil), want: (*betterworksv1.Team)(nil)},
		{name: "empty_team", got: teamToProto(&upstream.Team{}), want: &betterworksv1.Team{}},
		{name: "nil_admin_group", got: adminGroupToProto(nil), want: (*betterworksv1.AdminGroup)(nil)},
		{name: "empty_admin_group", got: adminGroupToProto(&upstream.AdminGroup{}), want: &betterworksv1.AdminGroup{}},
	})
}
