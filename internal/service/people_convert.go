package service

import (
	"time"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

var (
	userLocales = newEnumMapping("UserLocale", map[string]betterworksv1.UserLocale{
		"cs":      betterworksv1.UserLocale_USER_LOCALE_CS,
		"de":      betterworksv1.UserLocale_USER_LOCALE_DE,
		"es":      betterworksv1.UserLocale_USER_LOCALE_ES,
		"es_AR":   betterworksv1.UserLocale_USER_LOCALE_ES_AR,
		"en":      betterworksv1.UserLocale_USER_LOCALE_EN,
		"en_GB":   betterworksv1.UserLocale_USER_LOCALE_EN_GB,
		"pt_BR":   betterworksv1.UserLocale_USER_LOCALE_PT_BR,
		"zh_Hans": betterworksv1.UserLocale_USER_LOCALE_ZH_HANS,
		"zh_Hant": betterworksv1.UserLocale_USER_LOCALE_ZH_HANT,
		"pl_PL":   betterworksv1.UserLocale_USER_LOCALE_PL_PL,
		"fr_FR":   betterworksv1.UserLocale_USER_LOCALE_FR_FR,
		"fr_CA":   betterworksv1.UserLocale_USER_LOCALE_FR_CA,
		"it":      betterworksv1.UserLocale_USER_LOCALE_IT,
		"ja":      betterworksv1.UserLocale_USER_LOCALE_JA,
		"nl":      betterworksv1.UserLocale_USER_LOCALE_NL,
		"tr":      betterworksv1.UserLocale_USER_LOCALE_TR,
		"hi":      betterworksv1.UserLocale_USER_LOCALE_HI,
		"hr":      betterworksv1.UserLocale_USER_LOCALE_HR,
		"hu":      betterworksv1.UserLocale_USER_LOCALE_HU,
		"ko":      betterworksv1.UserLocale_USER_LOCALE_KO,
		"ro":      betterworksv1.UserLocale_USER_LOCALE_RO,
		"ru":      betterworksv1.UserLocale_USER_LOCALE_RU,
		"sk":      betterworksv1.UserLocale_USER_LOCALE_SK,
		"sv":      betterworksv1.UserLocale_USER_LOCALE_SV,
		"th":      betterworksv1.UserLocale_USER_LOCALE_TH,
		"vi":      betterworksv1.UserLocale_USER_LOCALE_VI,
	})
	userRoles = newEnumMapping("UserRole", map[string]betterworksv1.UserRole{
		upstream.UserRoleNone:       betterworksv1.UserRole_USER_ROLE_NONE,
		upstream.UserRoleGroupAdmin: betterworksv1.UserRole_USER_ROLE_GROUP_ADMIN,
		upstream.UserRoleAdmin:      betterworksv1.UserRole_USER_ROLE_ADMIN,
		upstream.UserRoleSuperAdmin: betterworksv1.UserRole_USER_ROLE_SUPER_ADMIN,
	})
	teamAssociations = newEnumMapping("TeamAssociation", map[string]betterworksv1.TeamAssociation{
		upstream.TeamTypeMyTeams:  betterworksv1.TeamAssociation_TEAM_ASSOCIATION_MY_TEAMS,
		upstream.TeamTypeAllTeams: betterworksv1.TeamAssociation_TEAM_ASSOCIATION_ALL_TEAMS,
	})
)

func userToProto(u *upstream.User) *betterworksv1.User {
	if u == nil {
		return nil
	}
	return &betterworksv1.User{
		Id:               u.ID,
		Uuid:             u.UUID,
		FirstName:        u.FirstName,
		PreferredName:    u.PreferredName,
		LastName:         u.LastName,
		Name:             u.Name,
		Email:            u.Email,
		IsActive:         u.IsActive,
		DeactivatedOn:    timestamp(u.DeactivatedOn),
		DeactivationDate: calendarDay(u.DeactivationDate),
		Title:            u.Title,
		Manager:          userRef(u.Manager),
		Department:       departmentRefToProto(u.Department),
		Phone:            u.Phone,
		About:            u.About,
		Locale:           userLocales.enum(u.Locale),
		IsGoalmaster:     u.IsGoalmaster,
		IsSuperAdmin:     u.IsSuperAdmin,
		IsAdmin:          u.IsAdmin,
		IsGroupAdmin:     u.IsGroupAdmin,
		EmployeeId:       u.EmployeeID,
		CreatedOn:        timestamp(u.CreatedOn),
		ModifiedOn:       timestamp(u.ModifiedOn),
		Attributes:       jsonStruct(u.Attributes),
		CustomValues:     u.CustomValues,
		CanView:          u.CanView,
	}
}

// calendarDay returns the YYYY-MM-DD date an upstream date or instant
// starts with, in the upstream's own offset, or "" when s holds none.
func calendarDay(s string) string {
	if len(s) < len(time.DateOnly) {
		return ""
	}
	day := s[:len(time.DateOnly)]
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return ""
	}
	return day
}

func departmentRefToProto(d *upstream.DepartmentRef) *betterworksv1.DepartmentRef {
	if d == nil {
		return nil
	}
	return &betterworksv1.DepartmentRef{Id: d.ID, Uuid: d.UUID, Name: d.Name}
}

func adminGroupRefToProto(g *upstream.AdminGroupRef) *betterworksv1.AdminGroupRef {
	return &betterworksv1.AdminGroupRef{Id: g.ID, Uuid: g.UUID, Name: g.Name}
}

func userBulkResultToProto(r *upstream.UserBulkResult) *betterworksv1.UpsertUsersResponse {
	return &betterworksv1.UpsertUsersResponse{
		DeactivatedCount: int32(r.DeactivatedCount),
		ReactivatedCount: int32(r.ReactivatedCount),
		UpdatedCount:     int32(r.UpdatedCount),
		DryRun:           r.DryRun,
		Errors:           convertAll(r.Errors, userBulkErrorToProto),
	}
}

func userBulkErrorToProto(e *upstream.UserBulkError) *betterworksv1.UserUpsertError {
	return &betterworksv1.UserUpsertError{
		ErrorDetails: convertAll(e.ErrorDetails, func(d *upstream.UserBulkErrorDetail) *betterworksv1.UserUpsertErrorDetail {
			return &betterworksv1.UserUpsertErrorDetail{Description: d.Description}
		}),
		Index:     int32(e.Index),
		Processed: e.Processed,
	}
}

func roleAssignmentToProto(r *upstream.UserRoleAssignment) *betterworksv1.RoleAssignment {
	return &betterworksv1.RoleAssignment{
		Id:                 r.ID,
		Uuid:               r.UUID,
		Role:               userRoles.enum(r.Role),
		AdminSince:         timestamp(r.AdminSince),
		ManagedDepartments: convertAll(r.ManagedDepartments, departmentRefToProto),
		ManagedAdminGroups: convertAll(r.ManagedAdminGroups, adminGroupRefToProto),
		Name:               r.Name,
	}
}

func departmentToProto(d *upstream.Department) *betterworksv1.Department {
	if d == nil {
		return nil
	}
	return &betterworksv1.Department{
		Id:         d.ID,
		Uuid:       d.UUID,
		IsActive:   d.IsActive,
		Name:       d.Name,
		Parent:     departmentRefToProto(d.Parent),
		CreatedOn:  timestamp(d.CreatedOn),
		ModifiedOn: timestamp(d.ModifiedOn),
	}
}

func departmentBulkResultToProto(r *upstream.DepartmentBulkResult) *betterworksv1.UpsertDepartmentsResponse {
	return &betterworksv1.UpsertDepartmentsResponse{CreatedCount: int32(r.Created), UpdatedCount: int32(r.Updated)}
}

func teamToProto(t *upstream.Team) *betterworksv1.Team {
	if t == nil {
		return nil
	}
	return &betterworksv1.Team{
		Id:          t.ID,
		Uuid:        t.UUID,
		Name:        t.Name,
		PictureUris: teamPictures(&t.PictureURIs),
		IsActive:    t.IsActive,
		CreatedOn:   timestamp(t.CreatedOn),
		ModifiedOn:  timestamp(t.ModifiedOn),
		Members:     convertAll(t.Members, userRef),
	}
}

// teamPictures is unset when the upstream sent no picture_uris.
func teamPictures(p *upstream.PictureURIs) *betterworksv1.PictureUris {
	if *p == (upstream.PictureURIs{}) {
		return nil
	}
	return pictureURIs(p)
}

func adminGroupToProto(g *upstream.AdminGroup) *betterworksv1.AdminGroup {
	if g == nil {
		return nil
	}
	return &betterworksv1.AdminGroup{
		Id:                g.ID,
		Uuid:              g.UUID,
		Name:              g.Name,
		IsActive:          g.IsActive,
		TemplateUsage:     g.TemplateUsage,
		LastEdited:        timestamp(g.LastEdited),
		LastEditedBy:      userRef(g.LastEditedBy),
		MemberCount:       int32(g.MemberCount),
		Attributes:        convertAll(g.Attributes, adminGroupAttributeToProto),
		AdditionalMembers: convertAll(g.AdditionalMembers, userRef),
		CreatedOn:         timestamp(g.CreatedOn),
		ModifiedOn:        timestamp(g.ModifiedOn),
	}
}

func adminGroupAttributeToProto(a *upstream.AdminGroupAttribute) *betterworksv1.AdminGroupAttribute {
	return &betterworksv1.AdminGroupAttribute{
		Operation: a.Operation,
		Property:  a.Property,
		Value:     jsonValue(a.Value),
	}
}
