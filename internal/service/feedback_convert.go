package service

import (
	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

var (
	feedbackTemplateTypes = newEnumMapping("FeedbackTemplateType", map[string]betterworksv1.FeedbackTemplateType{
		"scheduled":             betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_SCHEDULED,
		"adhoc_give":            betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_GIVE,
		"adhoc_request":         betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_REQUEST,
		"adhoc_manager_request": betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_MANAGER_REQUEST,
		"adhoc_request_custom":  betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_ADHOC_REQUEST_CUSTOM,
	})
	feedbackQuestionTypes = newEnumMapping("FeedbackQuestionType", map[string]betterworksv1.FeedbackQuestionType{
		"text":            betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_TEXT,
		"multiple_choice": betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_MULTIPLE_CHOICE,
		"rating":          betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_RATING,
		"scale":           betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_SCALE,
	})
	feedbackSkipLevels = newEnumMapping("FeedbackSkipLevel", map[string]betterworksv1.FeedbackSkipLevel{
		"none": betterworksv1.FeedbackSkipLevel_FEEDBACK_SKIP_LEVEL_NONE,
	})
	feedbackProviderTypes = newEnumMapping("FeedbackProviderType", map[string]betterworksv1.FeedbackProviderType{
		"classic_360": betterworksv1.FeedbackProviderType_FEEDBACK_PROVIDER_TYPE_CLASSIC_360,
	})
	feedbackStatuses = newEnumMapping("FeedbackStatus", map[string]betterworksv1.FeedbackStatus{
		"answering": betterworksv1.FeedbackStatus_FEEDBACK_STATUS_ANSWERING,
		"submitted": betterworksv1.FeedbackStatus_FEEDBACK_STATUS_SUBMITTED,
	})
)

func feedbackTemplateToProto(t *upstream.FeedbackTemplate) *betterworksv1.FeedbackTemplate {
	return &betterworksv1.FeedbackTemplate{
		Id:                              t.ID,
		Uuid:                            t.UUID,
		Type:                            feedbackTemplateTypes.enum(t.Type),
		Name:                            t.Name,
		Enabled:                         t.Enabled,
		Cycles:                          convertAll(t.Cycles, feedbackCycleToProto),
		Created:                         timestamp(t.Created),
		Updated:                         timestamp(t.Updated),
		CreatedOn:                       timestamp(t.CreatedOn),
		ModifiedOn:                      timestamp(t.ModifiedOn),
		QuestionsLocked:                 t.QuestionsLocked,
		Questions:                       convertAll(t.Questions, feedbackQuestionToProto),
		AllowedEmployees:                convertAll(t.AllowedEmployees, userRef),
		AllowedProviders:                convertAll(t.AllowedProviders, userRef),
		NotifyCycleStarted:              t.NotifyCycleStarted,
		NotifyFeedbackReminder:          t.NotifyFeedbackReminder,
		NotifyFeedbackRequested:         t.NotifyFeedbackRequested,
		EmployeeCanChoose:               t.EmployeeCanChoose,
		EmployeeCanView:                 t.EmployeeCanView,
		EmployeeSeeIdentity:             t.EmployeeSeeIdentity,
		ManagerCanChoose:                t.ManagerCanChoose,
		ManagerCanView:                  t.ManagerCanView,
		ManagerSeeIdentity:              t.ManagerSeeIdentity,
		SkipLevelCanView:                t.SkipLevelCanView,
		SkipLevelSeeIdentity:            t.SkipLevelSeeIdentity,
		SkipLevelManagersLevel:          feedbackSkipLevels.enum(t.SkipLevelManagersLevel),
		DefaultProviderType:             feedbackProviderTypes.enum(t.DefaultProviderType),
		DefaultProvidersLimit:           int32(t.DefaultProvidersLimit),
		DefaultProvidersIncludesManager: t.DefaultProvidersIncludesManager,
		DefaultProvidersIncludesDirects: t.DefaultProvidersIncludesDirects,
		DefaultProvidersIncludesPeers:   t.DefaultProvidersIncludesPeers,
		SummaryVisibleEmployee:          t.SummaryVisibleEmployee,
		SummaryVisibleManager:           t.SummaryVisibleManager,
		HoldFeedback:                    t.HoldFeedback,
	}
}

// feedbackCycleToProto converts a cycle; nil (null upstream) stays nil.
func feedbackCycleToProto(c *upstream.FeedbackCycle) *betterworksv1.FeedbackCycle {
	if c == nil {
		return nil
	}
	return &betterworksv1.FeedbackCycle{
		Id:                      c.ID,
		Uuid:                    c.UUID,
		CycleStart:              c.CycleStart,
		SelectionEnd:            c.SelectionEnd,
		FeedbackStart:           c.FeedbackStart,
		CycleEnd:                c.CycleEnd,
		GracePeriodEnd:          c.GracePeriodEnd,
		EnableAnytimeNomination: c.EnableAnytimeNomination,
	}
}

func feedbackQuestionToProto(q *upstream.FeedbackTemplateQuestion) *betterworksv1.FeedbackTemplateQuestion {
	return &betterworksv1.FeedbackTemplateQuestion{
		Id:          q.ID,
		Uuid:        q.UUID,
		TemplateId:  q.TemplateID,
		Type:        feedbackQuestionTypes.enum(q.Type),
		Text:        q.Text,
		Options:     jsonValue(q.Options),
		HideNumbers: q.HideNumbers,
		Order:       int32(q.Order),
		Mandatory:   q.Mandatory,
	}
}

func feedbackToProto(f *upstream.Feedback) *betterworksv1.Feedback {
	return &betterworksv1.Feedback{
		Id:                  f.ID,
		Uuid:                f.UUID,
		Name:                f.Name,
		CycleId:             f.CycleID,
		Cycle:               feedbackCycleToProto(f.Cycle),
		ForUser:             userRef(f.ForUser),
		RequestedBy:         userRef(f.RequestedBy),
		Created:             timestamp(f.Created),
		CreatedBy:           userRef(f.CreatedBy),
		Updated:             timestamp(f.Updated),
		Responses:           convertAll(f.Responses, feedbackAnswerToProto),
		CreatedOn:           timestamp(f.CreatedOn),
		ModifiedOn:          timestamp(f.ModifiedOn),
		EmployeeCanView:     f.EmployeeCanView,
		ManagerCanView:      f.ManagerCanView,
		EmployeeSeeIdentity: f.EmployeeSeeIdentity,
		ManagerSeeIdentity:  f.ManagerSeeIdentity,
		HoldFeedback:        f.HoldFeedback,
		Status:              feedbackStatuses.enum(f.Status),
		TemplateName:        f.TemplateName,
		TemplateType:        feedbackTemplateTypes.enum(f.TemplateType),
	}
}

func feedbackAnswerToProto(a *upstream.FeedbackAnswer) *betterworksv1.FeedbackAnswer {
	return &betterworksv1.FeedbackAnswer{
		Id:              a.ID,
		Uuid:            a.UUID,
		Question:        a.Question,
		QuestionId:      a.QuestionID,
		QuestionOptions: jsonValue(a.QuestionOptions),
		Type:            feedbackQuestionTypes.enum(a.Type),
		FeedbackId:      a.FeedbackID,
		Answer:          jsonValue(a.Answer),
		HideNumbers:     a.HideNumbers,
	}
}

func feedbackRequestToProto(r *upstream.FeedbackRequest) *betterworksv1.FeedbackRequest {
	return &betterworksv1.FeedbackRequest{
		Id:              r.ID,
		Uuid:            r.UUID,
		Cycle:           feedbackCycleToProto(r.Cycle),
		AdhocCycle:      feedbackAdhocCycleToProto(r.AdhocCycle),
		FromUser:        userToProto(r.FromUser),
		ForUser:         userToProto(r.ForUser),
		RequestedBy:     userToProto(r.RequestedBy),
		FeedbackId:      r.FeedbackID,
		FeedbackUuid:    r.FeedbackUUID,
		Question:        r.Question,
		Declined:        r.Declined,
		CanViewFeedback: r.CanViewFeedback,
		HoldFeedback:    r.HoldFeedback,
		Created:         timestamp(r.Created),
		CreatedBy:       userToProto(r.CreatedBy),
		Status:          int32(r.Status),
		TemplateId:      r.TemplateID,
		TemplateUuid:    r.TemplateUUID,
		Expired:         jsonValue(r.Expired),
		CreatedOn:       timestamp(r.CreatedOn),
		ModifiedOn:      timestamp(r.ModifiedOn),
		CustomNote:      r.CustomNote,
		Questions:       jsonValue(r.Questions),
	}
}

func feedbackAdhocCycleToProto(c *upstream.FeedbackAdhocCycle) *betterworksv1.FeedbackAdhocCycle {
	if c == nil {
		return nil
	}
	return &betterworksv1.FeedbackAdhocCycle{
		Id:                c.ID,
		TemplateId:        c.TemplateID,
		TemplateName:      c.TemplateName,
		TemplateQuestions: c.TemplateQuestions,
		QuestionsLocked:   c.QuestionsLocked,
	}
}

func recognitionToProto(r *upstream.Recognition) *betterworksv1.Recognition {
	return &betterworksv1.Recognition{
		Id:             r.ID,
		Uuid:           r.UUID,
		Author:         userRef(r.Author),
		ForUser:        userRef(r.ForUser),
		ForGroup:       groupRefToProto(r.ForGroup),
		MentionedUsers: convertAll(r.MentionedUsers, userRef),
		Hashtags:       convertAll(r.Hashtags, hashtagToProto),
		Source:         recognitionSourceToProto(r.Source),
		Created:        timestamp(r.Created),
		CreatedOn:      timestamp(r.CreatedOn),
		ModifiedOn:     timestamp(r.ModifiedOn),
	}
}

// recognitionSourceToProto converts a recognition's source, reusing the
// goal comment converter; each absent part stays unset.
func recognitionSourceToProto(s *upstream.RecognitionSource) *betterworksv1.RecognitionSource {
	if s == nil {
		return nil
	}
	out := &betterworksv1.RecognitionSource{Shoutout: shoutoutToProto(s.Shoutout)}
	if s.Comment != nil {
		out.Comment = commentToProto(s.Comment)
	}
	return out
}

func shoutoutToProto(s *upstream.RecognitionShoutout) *betterworksv1.RecognitionShoutout {
	if s == nil {
		return nil
	}
	return &betterworksv1.RecognitionShoutout{
		Id:          s.ID,
		Uuid:        s.UUID,
		ForUserId:   s.ForUserID,
		ForUserName: s.ForUserName,
		AuthorId:    s.AuthorID,
		AuthorName:  s.AuthorName,
		Text:        s.Text,
		Created:     timestamp(s.Created),
		Edited:      timestamp(s.Edited),
	}
}

// hashtagToProto converts a hashtag; inside a recognition its times are
// zero and stay unset.
func hashtagToProto(h *upstream.Hashtag) *betterworksv1.Hashtag {
	return &betterworksv1.Hashtag{
		Name:       h.Name,
		Id:         h.ID,
		CreatedOn:  timestamp(h.CreatedOn),
		ModifiedOn: timestamp(h.ModifiedOn),
	}
}
