package service

import (
	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

var (
	conversationTypes = newEnumMapping("ConversationType", map[string]betterworksv1.ConversationType{
		"scheduled": betterworksv1.ConversationType_CONVERSATION_TYPE_SCHEDULED,
		"adhoc":     betterworksv1.ConversationType_CONVERSATION_TYPE_ADHOC,
	})
	conversationRoles = newEnumMapping("ConversationRole", map[string]betterworksv1.ConversationRole{
		"employee": betterworksv1.ConversationRole_CONVERSATION_ROLE_EMPLOYEE,
		"manager":  betterworksv1.ConversationRole_CONVERSATION_ROLE_MANAGER,
	})
	conversationCycleStages = newEnumMapping("ConversationCycleStage", map[string]betterworksv1.ConversationCycleStage{
		"primary": betterworksv1.ConversationCycleStage_CONVERSATION_CYCLE_STAGE_PRIMARY,
		"post":    betterworksv1.ConversationCycleStage_CONVERSATION_CYCLE_STAGE_POST,
	})
	conversationPermissions = newEnumMapping("ConversationPermission", map[string]betterworksv1.ConversationPermission{
		"can_only_view": betterworksv1.ConversationPermission_CONVERSATION_PERMISSION_CAN_ONLY_VIEW,
		"no_access":     betterworksv1.ConversationPermission_CONVERSATION_PERMISSION_NO_ACCESS,
	})
	conversationSkipLevels = newEnumMapping("ConversationSkipLevel", map[string]betterworksv1.ConversationSkipLevel{
		"none": betterworksv1.ConversationSkipLevel_CONVERSATION_SKIP_LEVEL_NONE,
	})
	contributorStatuses = newEnumMapping("ConversationContributorStatus", map[string]betterworksv1.ConversationContributorStatus{
		"answering": betterworksv1.ConversationContributorStatus_CONVERSATION_CONTRIBUTOR_STATUS_ANSWERING,
		"shared":    betterworksv1.ConversationContributorStatus_CONVERSATION_CONTRIBUTOR_STATUS_SHARED,
	})
	conversationMetStatuses = newEnumMapping("ConversationMetStatus", map[string]betterworksv1.ConversationMetStatus{
		"met":        betterworksv1.ConversationMetStatus_CONVERSATION_MET_STATUS_MET,
		"not_met":    betterworksv1.ConversationMetStatus_CONVERSATION_MET_STATUS_NOT_MET,
		"not_marked": betterworksv1.ConversationMetStatus_CONVERSATION_MET_STATUS_NOT_MARKED,
	})
	participantStatuses = newEnumMapping("ConversationParticipantStatus", map[string]betterworksv1.ConversationParticipantStatus{
		"not_started":         betterworksv1.ConversationParticipantStatus_CONVERSATION_PARTICIPANT_STATUS_NOT_STARTED,
		"post_hr_not_started": betterworksv1.ConversationParticipantStatus_CONVERSATION_PARTICIPANT_STATUS_POST_HR_NOT_STARTED,
		"in_progress":         betterworksv1.ConversationParticipantStatus_CONVERSATION_PARTICIPANT_STATUS_IN_PROGRESS,
		"shared":              betterworksv1.ConversationParticipantStatus_CONVERSATION_PARTICIPANT_STATUS_SHARED,
	})
	conversationQuestionTypes = newEnumMapping("ConversationQuestionType", map[string]betterworksv1.ConversationQuestionType{
		"text":            betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_TEXT,
		"multiple_choice": betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_MULTIPLE_CHOICE,
		"rating":          betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_RATING,
	})
)

func conversationTemplateToProto(t *upstream.ConversationTemplate) *betterworksv1.ConversationTemplate {
	if t == nil {
		return nil
	}
	return &betterworksv1.ConversationTemplate{
		Id:                                       t.ID,
		Uuid:                                     t.UUID,
		Type:                                     conversationTypes.enum(t.Type),
		Name:                                     t.Name,
		Description:                              t.Description,
		Enabled:                                  t.Enabled,
		RequireMarkedAsMet:                       t.RequireMarkedAsMet,
		OnlyManagersCanInitiate:                  t.OnlyManagersCanInitiate,
		AllowedEmployees:                         convertAll(t.AllowedEmployees, templateEmployeeToProto),
		AllowedGroups:                            t.AllowedGroups,
		IsGoalCreationEnabled:                    t.IsGoalCreationEnabled,
		HrqEnabled:                               t.HRQEnabled,
		HrqIsConcurrent:                          t.HRQIsConcurrent,
		HrqNotificationOnStart:                   t.HRQNotificationOnStart,
		HrqNotificationOnDue:                     t.HRQNotificationOnDue,
		NotificationOnStart:                      t.NotificationOnStart,
		NotificationOnEnd:                        t.NotificationOnEnd,
		NotificationMidcycleDays:                 int32(t.NotificationMidcycleDays),
		NotificationOverdueDays:                  int32(t.NotificationOverdueDays),
		SuperAdminPermission:                     conversationPermissions.enum(t.SuperAdminPermission),
		HrAdminPermission:                        conversationPermissions.enum(t.HRAdminPermission),
		SkipLevelManagersPermission:              conversationPermissions.enum(t.SkipLevelManagersPermission),
		SkipLevelManagersLevel:                   conversationSkipLevels.enum(t.SkipLevelManagersLevel),
		MatrixManagerEnabled:                     t.MatrixManagerEnabled,
		MatrixManagerCanSeeResponses:             t.MatrixManagerCanSeeResponses,
		MatrixManagerCanSeeDirectReportResponses: t.MatrixManagerCanSeeDirectReportResponses,
		Deployments:                              convertAll(t.Deployments, deploymentToProto),
		Participants:                             conversationRoleList(t.Participants),
		HrqParticipants:                          conversationRoleList(t.HRQParticipants),
		Created:                                  timestamp(t.Created),
		CreatedBy:                                userRef(t.CreatedBy),
		Updated:                                  timestamp(t.Updated),
		UpdatedBy:                                userRef(t.UpdatedBy),
		CreatedOn:                                timestamp(t.CreatedOn),
		ModifiedOn:                               timestamp(t.ModifiedOn),
	}
}

func conversationRoleList(roles []string) []betterworksv1.ConversationRole {
	if len(roles) == 0 {
		return nil
	}
	out := make([]betterworksv1.ConversationRole, len(roles))
	for i, r := range roles {
		out[i] = conversationRoles.enum(r)
	}
	return out
}

func templateEmployeeToProto(e *upstream.ConversationTemplateEmployee) *betterworksv1.ConversationTemplateEmployee {
	return &betterworksv1.ConversationTemplateEmployee{Id: e.ID, Name: e.Name, IsActive: e.IsActive, Email: e.Email}
}

func deploymentToProto(d *upstream.ConversationDeployment) *betterworksv1.ConversationDeployment {
	return &betterworksv1.ConversationDeployment{
		Id:          d.ID,
		Uuid:        d.UUID,
		Name:        d.Name,
		Description: d.Description,
		Cycles:      convertAll(d.Cycles, cycleToProto),
	}
}

func cycleToProto(c *upstream.ConversationCycle) *betterworksv1.ConversationCycle {
	return &betterworksv1.ConversationCycle{
		Id:             c.ID,
		Uuid:           c.UUID,
		Role:           conversationRoles.enum(c.Role),
		Stage:          conversationCycleStages.enum(c.Stage),
		Start:          c.Start,
		End:            c.End,
		LockOnShare:    c.LockOnShare,
		LockDate:       c.LockDate,
		ReviewEnd:      c.ReviewEnd,
		SubmitEnd:      c.SubmitEnd,
		GracePeriodEnd: c.GracePeriodEnd,
	}
}

func conversationToProto(c *upstream.Conversation) *betterworksv1.Conversation {
	return &betterworksv1.Conversation{
		Id:                               c.ID,
		Uuid:                             c.UUID,
		Type:                             conversationTypes.enum(c.Type),
		Name:                             c.Name,
		Description:                      c.Description,
		DeploymentId:                     c.DeploymentID,
		Manager:                          userRef(c.Manager),
		Employee:                         userRef(c.Employee),
		Contributors:                     convertAll(c.Contributors, contributorToProto),
		Start:                            c.Start,
		End:                              c.End,
		MarkedAsMet:                      conversationMetStatuses.enum(c.MarkedAsMet),
		ManagerResponse:                  questionnaireToProto(c.ManagerResponse),
		EmployeeResponse:                 questionnaireToProto(c.EmployeeResponse),
		PostEmployeeResponse:             questionnaireToProto(c.PostEmployeeResponse),
		PostManagerResponse:              questionnaireToProto(c.PostManagerResponse),
		EmployeeSubmitEnd:                c.EmployeeSubmitEnd,
		ManagerSubmitEnd:                 c.ManagerSubmitEnd,
		GracePeriodEnd:                   c.GracePeriodEnd,
		EmployeeReviewEnd:                c.EmployeeReviewEnd,
		ManagerReviewEnd:                 c.ManagerReviewEnd,
		ManagerStatus:                    participantStatuses.enum(c.ManagerStatus),
		EmployeeStatus:                   participantStatuses.enum(c.EmployeeStatus),
		EmployeeNotes:                    c.EmployeeNotes,
		EmployeeNotesUpdated:             timestamp(c.EmployeeNotesUpdated),
		ManagerNotes:                     c.ManagerNotes,
		ManagerNotesUpdated:              timestamp(c.ManagerNotesUpdated),
		PostManagerQuestionnairePending:  c.PostManagerQuestionnairePending,
		PostEmployeeQuestionnairePending: c.PostEmployeeQuestionnairePending,
		Created:                          timestamp(c.Created),
		CreatedBy:                        userRef(c.CreatedBy),
		CreatedOn:                        timestamp(c.CreatedOn),
		ModifiedOn:                       timestamp(c.ModifiedOn),
	}
}

func contributorToProto(c *upstream.ConversationContributor) *betterworksv1.ConversationContributor {
	out := &betterworksv1.ConversationContributor{User: userRef(c.User), Status: contributorStatuses.enum(c.Status)}
	if c.Response != nil {
		out.Response = *c.Response
	}
	return out
}

func questionnaireToProto(q *upstream.ConversationQuestionnaire) *betterworksv1.ConversationQuestionnaire {
	if q == nil {
		return nil
	}
	return &betterworksv1.ConversationQuestionnaire{
		Id:            q.ID,
		Uuid:          q.UUID,
		Name:          q.Name,
		Description:   q.Description,
		SharedOn:      timestamp(q.SharedOn),
		SubmittedOn:   timestamp(q.SubmittedOn),
		UnlockedUntil: timestamp(q.UnlockedUntil),
		Responses:     convertAll(q.Responses, conversationAnswerToProto),
		Updated:       timestamp(q.Updated),
		UpdatedBy:     userRef(q.UpdatedBy),
		Created:       timestamp(q.Created),
		CreatedBy:     userRef(q.CreatedBy),
		CreatedOn:     timestamp(q.CreatedOn),
		ModifiedOn:    timestamp(q.ModifiedOn),
	}
}

func conversationAnswerToProto(a *upstream.ConversationAnswer) *betterworksv1.ConversationAnswer {
	return &betterworksv1.ConversationAnswer{
		Id:              a.ID,
		Uuid:            a.UUID,
		Type:            conversationQuestionTypes.enum(a.Type),
		QuestionId:      a.QuestionID,
		Question:        a.Question,
		QuestionOptions: jsonValue(a.QuestionOptions),
		Answer:          jsonValue(a.Answer),
		LockDate:        a.LockDate,
		Created:         timestamp(a.Created),
		Updated:         timestamp(a.Updated),
		CreatedOn:       timestamp(a.CreatedOn),
		ModifiedOn:      timestamp(a.ModifiedOn),
	}
}
