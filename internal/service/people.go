package service

import (
	"context"
	"fmt"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/upstream"
)

// PeopleService implements betterworksv1connect.PeopleServiceHandler.
type PeopleService struct {
	handler
}

var _ betterworksv1connect.PeopleServiceHandler = (*PeopleService)(nil)

// NewPeopleService returns the PeopleService handler for cfg.
func NewPeopleService(cfg Config) *PeopleService {
	return &PeopleService{handler: newHandler(cfg)}
}

// GetUser implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) GetUser(ctx context.Context, req *betterworksv1.GetUserRequest) (*betterworksv1.GetUserResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	user, err := s.upstream.GetUser(ctx, token, req.GetUserId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.GetUserResponse{User: userToProto(user)}, nil
}

func userFilter(req *betterworksv1.ListUsersRequest) upstream.UserFilter {
	filter := upstream.UserFilter{
		Department:  req.GetDepartment(),
		EmployeeID:  req.GetEmployeeId(),
		Manager:     req.GetManagerId(),
		Deactivated: req.Deactivated,
		Locale:      userLocales.upstream(req.GetLocale()),
	}
	filter.DeltaStart, filter.DeltaEnd = timeOrZero(req.GetModifiedAfter()), timeOrZero(req.GetModifiedBefore())
	return filter
}

// ListUsers implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ListUsers(ctx context.Context, req *betterworksv1.ListUsersRequest) (*betterworksv1.ListUsersResponse, error) {
	c, err := s.users(req)
	if err != nil {
		return nil, err
	}
	users, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListUsersResponse{Users: users, NextPageToken: next}, nil
}

// SearchUsers implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) SearchUsers(ctx context.Context, req *betterworksv1.SearchUsersRequest) (*betterworksv1.SearchUsersResponse, error) {
	var fields fieldParser
	search := upstream.UserSearch{
		Q:             req.GetQuery(),
		ManagerID:     req.GetManagerId(),
		CanViewGoalID: fields.optionalID("can_view_goal_id", req.GetCanViewGoalId()),
		Deactivated:   req.Deactivated,
	}
	if err := fields.err(); err != nil {
		return nil, err
	}
	users, next, err := listPage(ctx, &s.handler, req,
		func(ctx context.Context, token upstream.Token, page upstream.PageRequest) (*upstream.Page[upstream.User], error) {
			return s.upstream.SearchUsers(ctx, token, search, page)
		}, userToProto)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.SearchUsersResponse{Users: users, NextPageToken: next}, nil
}

// UpsertUsers implements betterworksv1connect.PeopleServiceHandler. The
// upstream call is a write: it is sent once and never retried. Rows the
// upstream refuses are in the response's errors; the call still succeeds.
func (s *PeopleService) UpsertUsers(ctx context.Context, req *betterworksv1.UpsertUsersRequest) (*betterworksv1.UpsertUsersResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.UpsertUsersResponse, error) {
		return s.upsertUsers(ctx, req)
	}, reapply[*betterworksv1.UpsertUsersResponse])
}

// upsertUsers applies UpsertUsers, once the request_id allows it.
func (s *PeopleService) upsertUsers(ctx context.Context, req *betterworksv1.UpsertUsersRequest) (*betterworksv1.UpsertUsersResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	result, err := s.upstream.UpsertUsers(ctx, token, userBulkRequest(req))
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return userBulkResultToProto(result), nil
}

// userFieldClears says where each UserField lives in an upstream row, so
// that clear_fields can set it to BW_NULL. Every UserField but UNSPECIFIED
// has an entry; the validation rules refuse any other value.
var userFieldClears = map[betterworksv1.UserField]func(*upstream.UserUpsert) **string{
	betterworksv1.UserField_USER_FIELD_EMPLOYEE_ID:         func(u *upstream.UserUpsert) **string { return &u.EmployeeID },
	betterworksv1.UserField_USER_FIELD_DEPARTMENT_NAME:     func(u *upstream.UserUpsert) **string { return &u.DepartmentName },
	betterworksv1.UserField_USER_FIELD_TITLE:               func(u *upstream.UserUpsert) **string { return &u.Title },
	betterworksv1.UserField_USER_FIELD_MANAGER_EMPLOYEE_ID: func(u *upstream.UserUpsert) **string { return &u.ManagerID },
	betterworksv1.UserField_USER_FIELD_MANAGER_EMAIL:       func(u *upstream.UserUpsert) **string { return &u.ManagerEmail },
	betterworksv1.UserField_USER_FIELD_PHONE:               func(u *upstream.UserUpsert) **string { return &u.Phone },
	betterworksv1.UserField_USER_FIELD_LOCATION:            func(u *upstream.UserUpsert) **string { return &u.Location },
	betterworksv1.UserField_USER_FIELD_PREFERRED_NAME:      func(u *upstream.UserUpsert) **string { return &u.PreferredName },
	betterworksv1.UserField_USER_FIELD_MATRIX_MANAGER:      func(u *upstream.UserUpsert) **string { return &u.MatrixManager },
	betterworksv1.UserField_USER_FIELD_LOCALE:              func(u *upstream.UserUpsert) **string { return &u.Locale },
	betterworksv1.UserField_USER_FIELD_CUSTOM_01:           func(u *upstream.UserUpsert) **string { return &u.Custom01 },
	betterworksv1.UserField_USER_FIELD_CUSTOM_02:           func(u *upstream.UserUpsert) **string { return &u.Custom02 },
	betterworksv1.UserField_USER_FIELD_CUSTOM_03:           func(u *upstream.UserUpsert) **string { return &u.Custom03 },
	betterworksv1.UserField_USER_FIELD_CUSTOM_04:           func(u *upstream.UserUpsert) **string { return &u.Custom04 },
	betterworksv1.UserField_USER_FIELD_CUSTOM_05:           func(u *upstream.UserUpsert) **string { return &u.Custom05 },
}

func userBulkRequest(req *betterworksv1.UpsertUsersRequest) upstream.UserBulkRequest {
	users := make([]upstream.UserUpsert, len(req.GetUsers()))
	for i, u := range req.GetUsers() {
		users[i] = userUpsert(u)
	}
	return upstream.UserBulkRequest{DryRun: req.GetDryRun(), Users: users}
}

// userUpsert converts one row. Only clear_fields produces BW_NULL: the
// validation rules refuse the text in every value.
func userUpsert(u *betterworksv1.UserUpsert) upstream.UserUpsert {
	out := upstream.UserUpsert{
		Email:          u.GetEmail(),
		FirstName:      u.GetFirstName(),
		LastName:       u.GetLastName(),
		EmployeeID:     u.EmployeeId,
		DepartmentName: u.DepartmentName,
		Title:          u.Title,
		ManagerID:      u.ManagerEmployeeId,
		ManagerEmail:   u.ManagerEmail,
		IsActive:       u.IsActive,
		Phone:          u.Phone,
		Location:       u.Location,
		PreferredName:  u.PreferredName,
		OnLeave:        u.OnLeave,
		MatrixManager:  u.MatrixManager,
		Locale:         nonEmpty(userLocales.upstream(u.GetLocale())),
		Custom01:       u.Custom_01,
		Custom02:       u.Custom_02,
		Custom03:       u.Custom_03,
		Custom04:       u.Custom_04,
		Custom05:       u.Custom_05,
	}
	for _, f := range u.GetClearFields() {
		if field, ok := userFieldClears[f]; ok {
			*field(&out) = new(upstream.BWNull)
		}
	}
	return out
}

// ListRoleAssignments implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ListRoleAssignments(ctx context.Context, req *betterworksv1.ListRoleAssignmentsRequest) (*betterworksv1.ListRoleAssignmentsResponse, error) {
	assignments, next, err := listPage(ctx, &s.handler, req, s.upstream.ListRoleAssignments, roleAssignmentToProto)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListRoleAssignmentsResponse{RoleAssignments: assignments, NextPageToken: next}, nil
}

// AssignRoles implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) AssignRoles(ctx context.Context, req *betterworksv1.AssignRolesRequest) (*betterworksv1.AssignRolesResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.AssignRolesResponse, error) {
		return s.assignRoles(ctx, req)
	}, nil)
}

// assignRoles applies AssignRoles, once the request_id allows it.
func (s *PeopleService) assignRoles(ctx context.Context, req *betterworksv1.AssignRolesRequest) (*betterworksv1.AssignRolesResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	in, err := assignRolesRequest(req)
	if err != nil {
		return nil, err
	}
	assignments, err := s.upstream.AssignRoles(ctx, token, in)
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.AssignRolesResponse{RoleAssignments: convertAll(assignments, roleAssignmentToProto)}, nil
}

// assignRolesRequest converts the assignments. The validation rules have
// checked that each names its user once and that an HR Admin has a scope.
func assignRolesRequest(req *betterworksv1.AssignRolesRequest) (upstream.AssignRolesRequest, error) {
	var fields fieldParser
	roles := make([]upstream.RoleAssignment, len(req.GetRoles()))
	for i, r := range req.GetRoles() {
		field := fmt.Sprintf("roles[%d].", i)
		roles[i] = upstream.RoleAssignment{
			UserID:      fields.optionalID(field+"user_id", r.GetUserId()),
			Email:       r.GetEmail(),
			EmployeeID:  r.GetEmployeeId(),
			Role:        userRoles.upstream(r.GetRole()),
			Departments: fields.ids(field+"department_ids", r.GetDepartmentIds()),
			AdminGroups: fields.ids(field+"admin_group_ids", r.GetAdminGroupIds()),
		}
	}
	if err := fields.err(); err != nil {
		return upstream.AssignRolesRequest{}, err
	}
	return upstream.AssignRolesRequest{Roles: roles}, nil
}

// ListDepartments implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ListDepartments(ctx context.Context, req *betterworksv1.ListDepartmentsRequest) (*betterworksv1.ListDepartmentsResponse, error) {
	c, err := s.departments(req)
	if err != nil {
		return nil, err
	}
	departments, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListDepartmentsResponse{Departments: departments, NextPageToken: next}, nil
}

// CreateDepartment implements betterworksv1connect.PeopleServiceHandler.
// The upstream call is a write: it is sent once and never retried.
func (s *PeopleService) CreateDepartment(ctx context.Context, req *betterworksv1.CreateDepartmentRequest) (*betterworksv1.CreateDepartmentResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.CreateDepartmentResponse, error) {
		return s.createDepartment(ctx, req)
	}, s.findCreatedDepartment(req))
}

// createDepartment applies CreateDepartment, once the request_id allows it.
func (s *PeopleService) createDepartment(ctx context.Context, req *betterworksv1.CreateDepartmentRequest) (*betterworksv1.CreateDepartmentResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	in, err := departmentInput(req.GetName(), req.GetParentId())
	if err != nil {
		return nil, err
	}
	department, err := s.upstream.CreateDepartment(ctx, token, in)
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.CreateDepartmentResponse{Department: departmentToProto(department)}, nil
}

// UpdateDepartment implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) UpdateDepartment(ctx context.Context, req *betterworksv1.UpdateDepartmentRequest) (*betterworksv1.UpdateDepartmentResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.UpdateDepartmentResponse, error) {
		return s.updateDepartment(ctx, req)
	}, nil)
}

// updateDepartment applies UpdateDepartment, once the request_id allows it.
func (s *PeopleService) updateDepartment(ctx context.Context, req *betterworksv1.UpdateDepartmentRequest) (*betterworksv1.UpdateDepartmentResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	in, err := departmentInput(req.GetName(), req.GetParentId())
	if err != nil {
		return nil, err
	}
	department, err := s.upstream.UpdateDepartment(ctx, token, req.GetDepartmentId(), in)
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.UpdateDepartmentResponse{Department: departmentToProto(department)}, nil
}

// departmentInput is the payload of a department create or update; an
// empty parentID sends no parent_id.
func departmentInput(name, parentID string) (upstream.DepartmentInput, error) {
	var fields fieldParser
	in := upstream.DepartmentInput{Name: name}
	if parentID != "" {
		in.ParentID = new(fields.id("parent_id", parentID))
	}
	return in, fields.err()
}

// DeactivateDepartment implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) DeactivateDepartment(ctx context.Context, req *betterworksv1.DeactivateDepartmentRequest) (*betterworksv1.DeactivateDepartmentResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.DeactivateDepartmentResponse, error) {
		return s.deactivateDepartment(ctx, req)
	}, nil)
}

// deactivateDepartment applies DeactivateDepartment, once the request_id allows it.
func (s *PeopleService) deactivateDepartment(ctx context.Context, req *betterworksv1.DeactivateDepartmentRequest) (*betterworksv1.DeactivateDepartmentResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	department, err := s.upstream.DeactivateDepartment(ctx, token, req.GetDepartmentId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.DeactivateDepartmentResponse{Department: departmentToProto(department)}, nil
}

// ReactivateDepartment implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ReactivateDepartment(ctx context.Context, req *betterworksv1.ReactivateDepartmentRequest) (*betterworksv1.ReactivateDepartmentResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.ReactivateDepartmentResponse, error) {
		return s.reactivateDepartment(ctx, req)
	}, nil)
}

// reactivateDepartment applies ReactivateDepartment, once the request_id allows it.
func (s *PeopleService) reactivateDepartment(ctx context.Context, req *betterworksv1.ReactivateDepartmentRequest) (*betterworksv1.ReactivateDepartmentResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	department, err := s.upstream.ReactivateDepartment(ctx, token, req.GetDepartmentId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.ReactivateDepartmentResponse{Department: departmentToProto(department)}, nil
}

// UpsertDepartments implements betterworksv1connect.PeopleServiceHandler.
// The upstream call is a write: it is sent once and never retried.
func (s *PeopleService) UpsertDepartments(ctx context.Context, req *betterworksv1.UpsertDepartmentsRequest) (*betterworksv1.UpsertDepartmentsResponse, error) {
	return once(ctx, &s.handler, req, func(ctx context.Context) (*betterworksv1.UpsertDepartmentsResponse, error) {
		return s.upsertDepartments(ctx, req)
	}, reapply[*betterworksv1.UpsertDepartmentsResponse])
}

// upsertDepartments applies UpsertDepartments, once the request_id allows it.
func (s *PeopleService) upsertDepartments(ctx context.Context, req *betterworksv1.UpsertDepartmentsRequest) (*betterworksv1.UpsertDepartmentsResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	result, err := s.upstream.UpsertDepartments(ctx, token, departmentBulkRequest(req))
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return departmentBulkResultToProto(result), nil
}

func departmentBulkRequest(req *betterworksv1.UpsertDepartmentsRequest) upstream.DepartmentBulkRequest {
	departments := make([]upstream.DepartmentUpsert, len(req.GetDepartments()))
	for i, d := range req.GetDepartments() {
		departments[i] = upstream.DepartmentUpsert{Name: d.GetName(), Parent: d.GetParentName()}
	}
	return upstream.DepartmentBulkRequest{Departments: departments}
}

func teamFilter(req *betterworksv1.ListTeamsRequest) upstream.TeamFilter {
	filter := upstream.TeamFilter{Type: teamAssociations.upstream(req.GetType())}
	filter.DeltaStart, filter.DeltaEnd = timeOrZero(req.GetModifiedAfter()), timeOrZero(req.GetModifiedBefore())
	return filter
}

// ListTeams implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ListTeams(ctx context.Context, req *betterworksv1.ListTeamsRequest) (*betterworksv1.ListTeamsResponse, error) {
	c, err := s.teams(req)
	if err != nil {
		return nil, err
	}
	teams, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListTeamsResponse{Teams: teams, NextPageToken: next}, nil
}

// GetTeam implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) GetTeam(ctx context.Context, req *betterworksv1.GetTeamRequest) (*betterworksv1.GetTeamResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	team, err := s.upstream.GetTeam(ctx, token, req.GetTeamId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.GetTeamResponse{Team: teamToProto(team)}, nil
}

func adminGroupFilter(req *betterworksv1.ListAdminGroupsRequest) upstream.AdminGroupFilter {
	var filter upstream.AdminGroupFilter
	filter.DeltaStart, filter.DeltaEnd = timeOrZero(req.GetModifiedAfter()), timeOrZero(req.GetModifiedBefore())
	return filter
}

// ListAdminGroups implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) ListAdminGroups(ctx context.Context, req *betterworksv1.ListAdminGroupsRequest) (*betterworksv1.ListAdminGroupsResponse, error) {
	c, err := s.adminGroups(req)
	if err != nil {
		return nil, err
	}
	groups, next, err := listOf(ctx, &s.handler, c)
	if err != nil {
		return nil, err
	}
	return &betterworksv1.ListAdminGroupsResponse{AdminGroups: groups, NextPageToken: next}, nil
}

// GetAdminGroup implements betterworksv1connect.PeopleServiceHandler.
func (s *PeopleService) GetAdminGroup(ctx context.Context, req *betterworksv1.GetAdminGroupRequest) (*betterworksv1.GetAdminGroupResponse, error) {
	token, err := callerToken(ctx)
	if err != nil {
		return nil, err
	}
	group, err := s.upstream.GetAdminGroup(ctx, token, req.GetGroupId())
	if err != nil {
		return nil, s.upstreamError(ctx, err)
	}
	return &betterworksv1.GetAdminGroupResponse{AdminGroup: adminGroupToProto(group)}, nil
}
