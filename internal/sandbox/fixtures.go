package sandbox

// Fixtures names seeded objects with known properties, so that tests need
// not search the demo organisation. Every id is stable for a given seed.
// "The plain user" is UserFor(RoleUser), "the admin" UserFor(RoleAdmin).
type Fixtures struct {
	// UserGoalID is a public goal of the plain user (avgofprogress, current
	// period) with a binary and a numeric key result and more than ten
	// comments, so that comment pages have a next page.
	UserGoalID int64
	// UserBinaryKeyResultID is a binary key result of UserGoalID, not done.
	UserBinaryKeyResultID int64
	// UserNumericKeyResultID is a numeric key result of UserGoalID (unit
	// "Percent", initial 0, target 100, current 40), with two assessments.
	UserNumericKeyResultID int64
	// UserPrivateGoalID is a private goal of the plain user.
	UserPrivateGoalID int64
	// OtherPrivateGoalID is a private goal of another plain user: the plain
	// user gets 404 for it, a super admin sees it.
	OtherPrivateGoalID int64
	// OtherUserID owns OtherPrivateGoalID.
	OtherUserID int64
	// TopCompanyGoalID is a top company goal of the CEO with goals aligned
	// under it.
	TopCompanyGoalID int64
	// EmptyDepartmentID is an active department without members or
	// sub-departments: deactivating it succeeds.
	EmptyDepartmentID int64
	// PopulatedDepartmentID is an active department with active members:
	// deactivating it answers 400.
	PopulatedDepartmentID int64
	// DeactivatedDepartmentID is a deactivated department.
	DeactivatedDepartmentID int64
	// AdminDepartmentID is the department the admin manages.
	AdminDepartmentID int64
	// DeactivatedUserID is a deactivated user.
	DeactivatedUserID int64
	// TeamID is a team the plain user belongs to.
	TeamID int64
	// AdminGroupID is an admin group.
	AdminGroupID int64
	// CategoryID is a goal category used by several goals.
	CategoryID int64
	// ConversationTemplateID is a scheduled, enabled conversation template.
	ConversationTemplateID int64
	// DeploymentID is a deployment of ConversationTemplateID with
	// conversations, one of them the plain user's.
	DeploymentID int64
	// FeedbackTemplateID is the scheduled feedback template.
	FeedbackTemplateID int64
	// FeedbackCycleID is a cycle of FeedbackTemplateID with feedback.
	FeedbackCycleID int64
	// HashtagName is a hashtag used by several recognitions.
	HashtagName string
	// SucceededReportRunID, FailedReportRunID, PendingReportRunID and
	// RunningReportRunID are seeded report runs in those states; seeded runs
	// never change state.
	SucceededReportRunID int64
	FailedReportRunID    int64
	PendingReportRunID   int64
	RunningReportRunID   int64
}
