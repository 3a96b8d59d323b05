package service_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
)

func TestConversationServiceListConversationTemplates(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Conversations(p, sandbox.RoleUser)

		all, err := client.ListConversationTemplates(t.Context(), &betterworksv1.ListConversationTemplatesRequest{PageSize: 100})
		if err != nil {
			t.Fatalf("ListConversationTemplates() error = %v", err)
		}
		if len(all.GetConversationTemplates()) < 2 || all.GetNextPageToken() != "" {
			t.Fatalf("ListConversationTemplates() = %d templates, token %q; want several on one page",
				len(all.GetConversationTemplates()), all.GetNextPageToken())
		}
		fixture := st.Sandbox.Fixtures().ConversationTemplateID
		i := slices.IndexFunc(all.GetConversationTemplates(), func(t *betterworksv1.ConversationTemplate) bool { return t.GetId() == fixture })
		if i < 0 {
			t.Fatalf("ListConversationTemplates() lacks template %d", fixture)
		}
		checkScheduledConversationTemplate(t, all.GetConversationTemplates()[i], st.Sandbox.Fixtures().DeploymentID)

		adhoc, err := client.ListConversationTemplates(t.Context(), &betterworksv1.ListConversationTemplatesRequest{
			Type:    betterworksv1.ConversationType_CONVERSATION_TYPE_ADHOC,
			Enabled: new(true),
		})
		if err != nil {
			t.Fatalf("ListConversationTemplates(adhoc, enabled) error = %v", err)
		}
		if len(adhoc.GetConversationTemplates()) == 0 {
			t.Fatal("ListConversationTemplates(adhoc, enabled) returned none")
		}
		for _, tmpl := range adhoc.GetConversationTemplates() {
			if tmpl.GetType() != betterworksv1.ConversationType_CONVERSATION_TYPE_ADHOC || !tmpl.GetEnabled() {
				t.Errorf("template %d: type %v enabled %v, want adhoc and enabled", tmpl.GetId(), tmpl.GetType(), tmpl.GetEnabled())
			}
		}
		wantQuery(t, st, "GET /conversations/templates/", url.Values{"type": {"adhoc"}, "enabled": {"true"}, "page": {"1"}})
	})
}

// checkScheduledConversationTemplate checks the translation of the seeded
// scheduled template, which has an HR questionnaire and the fixture
// deployment.
func checkScheduledConversationTemplate(t *testing.T, tmpl *betterworksv1.ConversationTemplate, deploymentID int64) {
	t.Helper()
	roles := []betterworksv1.ConversationRole{
		betterworksv1.ConversationRole_CONVERSATION_ROLE_EMPLOYEE,
		betterworksv1.ConversationRole_CONVERSATION_ROLE_MANAGER,
	}
	if tmpl.GetType() != betterworksv1.ConversationType_CONVERSATION_TYPE_SCHEDULED || !tmpl.GetEnabled() ||
		tmpl.GetUuid() == "" || tmpl.GetName() == "" || !tmpl.GetHrqEnabled() ||
		tmpl.GetSuperAdminPermission() != betterworksv1.ConversationPermission_CONVERSATION_PERMISSION_CAN_ONLY_VIEW ||
		tmpl.GetSkipLevelManagersPermission() != betterworksv1.ConversationPermission_CONVERSATION_PERMISSION_NO_ACCESS ||
		tmpl.GetSkipLevelManagersLevel() != betterworksv1.ConversationSkipLevel_CONVERSATION_SKIP_LEVEL_NONE ||
		!slices.Equal(tmpl.GetParticipants(), roles) || !slices.Equal(tmpl.GetHrqParticipants(), roles) ||
		tmpl.GetCreated() == nil || tmpl.GetCreatedBy().GetId() == 0 || tmpl.GetModifiedOn() == nil {
		t.Errorf("template %d lost fields in translation: %v", tmpl.GetId(), tmpl)
	}
	i := slices.IndexFunc(tmpl.GetDeployments(), func(d *betterworksv1.ConversationDeployment) bool { return d.GetId() == deploymentID })
	if i < 0 {
		t.Fatalf("template %d lacks deployment %d", tmpl.GetId(), deploymentID)
	}
	d := tmpl.GetDeployments()[i]
	if d.GetUuid() == "" || d.GetName() == "" || len(d.GetCycles()) == 0 {
		t.Fatalf("deployment = %v, want uuid, name and cycles", d)
	}
	c := d.GetCycles()[0]
	if c.GetRole() != betterworksv1.ConversationRole_CONVERSATION_ROLE_MANAGER ||
		c.GetStage() != betterworksv1.ConversationCycleStage_CONVERSATION_CYCLE_STAGE_PRIMARY ||
		!isISODay(c.GetStart()) || !isISODay(c.GetEnd()) || !isISODay(c.GetLockDate()) || !isISODay(c.GetSubmitEnd()) ||
		!isISODay(c.GetReviewEnd()) || !isISODay(c.GetGracePeriodEnd()) || !c.GetLockOnShare() {
		t.Errorf("first cycle = %v, want the manager's primary cycle with YYYY-MM-DD dates", c)
	}
}

func TestConversationServiceGetConversationTemplate(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	fx := st.Sandbox.Fixtures()
	client := st.Conversations(facadetest.Connect, sandbox.RoleUser)

	byID, err := client.GetConversationTemplate(t.Context(), &betterworksv1.GetConversationTemplateRequest{TemplateId: fmt.Sprint(fx.ConversationTemplateID)})
	if err != nil {
		t.Fatalf("GetConversationTemplate() error = %v", err)
	}
	tmpl := byID.GetConversationTemplate()
	checkScheduledConversationTemplate(t, tmpl, fx.DeploymentID)

	byUUID, err := client.GetConversationTemplate(t.Context(), &betterworksv1.GetConversationTemplateRequest{TemplateId: tmpl.GetUuid()})
	if err != nil {
		t.Fatalf("GetConversationTemplate(uuid) error = %v", err)
	}
	if byUUID.GetConversationTemplate().GetId() != tmpl.GetId() {
		t.Errorf("GetConversationTemplate(uuid) id = %d, want %d", byUUID.GetConversationTemplate().GetId(), tmpl.GetId())
	}

	_, err = client.GetConversationTemplate(t.Context(), &betterworksv1.GetConversationTemplateRequest{TemplateId: "999999"})
	if got := connect.CodeOf(err); got != connect.CodeNotFound {
		t.Errorf("GetConversationTemplate(unknown) code = %v, want %v (err: %v)", got, connect.CodeNotFound, err)
	}
}

func TestConversationServiceListConversations(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		fx := st.Sandbox.Fixtures()
		plain := st.Sandbox.UserFor(sandbox.RoleUser)
		client := st.Conversations(p, sandbox.RoleSuperAdmin)

		resp, err := client.ListConversations(t.Context(), &betterworksv1.ListConversationsRequest{
			DeploymentId: fmt.Sprint(fx.DeploymentID),
			PageSize:     100,
		})
		if err != nil {
			t.Fatalf("ListConversations() error = %v", err)
		}
		i := slices.IndexFunc(resp.GetConversations(), func(c *betterworksv1.Conversation) bool { return c.GetEmployee().GetId() == plain.ID })
		if i < 0 {
			t.Fatalf("ListConversations() = %d conversations, none of employee %d", len(resp.GetConversations()), plain.ID)
		}
		c := resp.GetConversations()[i]
		if c.GetManager().GetId() == 0 || c.GetDeploymentId() != fx.DeploymentID ||
			c.GetType() != betterworksv1.ConversationType_CONVERSATION_TYPE_SCHEDULED || c.GetUuid() == "" || c.GetName() == "" ||
			!isISODay(c.GetStart()) || !isISODay(c.GetEnd()) || !isISODay(c.GetEmployeeSubmitEnd()) || !isISODay(c.GetManagerReviewEnd()) ||
			c.GetCreated() == nil || c.GetCreatedOn() == nil || c.GetModifiedOn() == nil {
			t.Errorf("ListConversations() lost fields in translation: %v", c)
		}
		blocks := map[string]*betterworksv1.ConversationQuestionnaire{
			"manager_response":       c.GetManagerResponse(),
			"employee_response":      c.GetEmployeeResponse(),
			"post_employee_response": c.GetPostEmployeeResponse(),
			"post_manager_response":  c.GetPostManagerResponse(),
		}
		for name, b := range blocks {
			if b.GetId() == 0 || b.GetUuid() == "" || b.GetName() == "" || b.GetCreated() == nil || b.GetCreatedBy().GetId() == 0 {
				t.Errorf("%s = %v, want a translated block", name, b)
			}
		}
		if got := c.GetEmployeeResponse().GetCreatedBy().GetId(); got != plain.ID {
			t.Errorf("employee_response created by %d, want the employee %d", got, plain.ID)
		}
		var answers []*betterworksv1.ConversationAnswer
		var contributors []*betterworksv1.ConversationContributor
		for _, c := range resp.GetConversations() {
			contributors = append(contributors, c.GetContributors()...)
			for _, b := range []*betterworksv1.ConversationQuestionnaire{
				c.GetManagerResponse(), c.GetEmployeeResponse(), c.GetPostEmployeeResponse(), c.GetPostManagerResponse(),
			} {
				answers = append(answers, b.GetResponses()...)
			}
		}
		checkConversationAnswerTypes(t, answers)
		checkConversationContributors(t, contributors)

		// Filters reach the upstream under the reference's names.
		after := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
		before := time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)
		filtered, err := client.ListConversations(t.Context(), &betterworksv1.ListConversationsRequest{
			DeploymentId:   fmt.Sprint(fx.DeploymentID),
			ManagerId:      fmt.Sprint(c.GetManager().GetId()),
			EmployeeId:     fmt.Sprint(plain.ID),
			ModifiedAfter:  timestamppb.New(after),
			ModifiedBefore: timestamppb.New(before),
			PageSize:       5,
		})
		if err != nil {
			t.Fatalf("ListConversations(filters) error = %v", err)
		}
		if len(filtered.GetConversations()) != 1 || filtered.GetConversations()[0].GetId() != c.GetId() {
			t.Errorf("ListConversations(filters) = %v, want conversation %d", filtered.GetConversations(), c.GetId())
		}
		wantQuery(t, st, "GET /conversations/", url.Values{
			"deployment_id": {fmt.Sprint(fx.DeploymentID)},
			"manager_id":    {fmt.Sprint(c.GetManager().GetId())},
			"employee_id":   {fmt.Sprint(plain.ID)},
			"delta_start":   {"2020-01-02T03:04:05Z"},
			"delta_end":     {"2099-01-02T03:04:05Z"},
			"page":          {"1"},
			"size":          {"5"},
		})
	})
}

// checkConversationAnswerTypes checks that answers keep their JSON type: the seeded
// questionnaires answer text, multiple-choice, rating and multiple-select
// questions.
func checkConversationAnswerTypes(t *testing.T, answers []*betterworksv1.ConversationAnswer) {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range answers {
		if a.GetId() == 0 || a.GetQuestion() == "" || a.GetQuestionId() == 0 {
			t.Errorf("answer = %v, want id, question and question_id", a)
		}
		switch a.GetType() {
		case betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_TEXT:
			seen["text"] = true
			wantAnswerKinds(t, a, &structpb.Value_StringValue{}, nil)
		case betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_MULTIPLE_CHOICE:
			seen["multiple_choice"] = true
			// One option's text, as the reference's example shows.
			wantAnswerKinds(t, a, &structpb.Value_StringValue{}, &structpb.Value_ListValue{})
		case betterworksv1.ConversationQuestionType_CONVERSATION_QUESTION_TYPE_RATING:
			seen["rating"] = true
			// The chosen number as text, as the reference's example
			// answers a rating; the options are numbers.
			wantAnswerKinds(t, a, &structpb.Value_StringValue{}, &structpb.Value_ListValue{})
			if n := a.GetQuestionOptions().GetListValue().GetValues(); len(n) == 0 || n[0].GetNumberValue() == 0 {
				t.Errorf("rating options = %v, want numbers", a.GetQuestionOptions())
			}
		default:
			t.Errorf("answer %d has type %v, want one the contract names", a.GetId(), a.GetType())
		}
	}
	for _, kind := range []string{"text", "multiple_choice", "rating"} {
		if !seen[kind] {
			t.Errorf("no %s answer among %d answers", kind, len(answers))
		}
	}
}

// checkConversationContributors checks that contributors keep their user, status and
// shared text: a contributor still answering has none.
func checkConversationContributors(t *testing.T, contributors []*betterworksv1.ConversationContributor) {
	t.Helper()
	statuses := map[betterworksv1.ConversationContributorStatus]bool{}
	for _, k := range contributors {
		statuses[k.GetStatus()] = true
		shared := k.GetStatus() == betterworksv1.ConversationContributorStatus_CONVERSATION_CONTRIBUTOR_STATUS_SHARED
		if k.GetUser().GetId() == 0 || shared != (k.GetResponse() != "") {
			t.Errorf("contributor = %v, want a user and text exactly when shared", k)
		}
	}
	if !statuses[betterworksv1.ConversationContributorStatus_CONVERSATION_CONTRIBUTOR_STATUS_SHARED] ||
		!statuses[betterworksv1.ConversationContributorStatus_CONVERSATION_CONTRIBUTOR_STATUS_ANSWERING] {
		t.Errorf("contributor statuses = %v, want shared and answering", statuses)
	}
}

func wantAnswerKinds(t *testing.T, a *betterworksv1.ConversationAnswer, answer, options any) {
	t.Helper()
	if got := fmt.Sprintf("%T", a.GetAnswer().GetKind()); got != fmt.Sprintf("%T", answer) {
		t.Errorf("%v answer %d is a %s, want %T", a.GetType(), a.GetId(), got, answer)
	}
	gotOptions := a.GetQuestionOptions().GetKind()
	if options == nil && gotOptions != nil || options != nil && fmt.Sprintf("%T", gotOptions) != fmt.Sprintf("%T", options) {
		t.Errorf("%v answer %d options are %T, want %T", a.GetType(), a.GetId(), gotOptions, options)
	}
}

func TestConversationServiceListConversationsPages(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Conversations(facadetest.GRPC, sandbox.RoleSuperAdmin)
	req := &betterworksv1.ListConversationsRequest{DeploymentId: fmt.Sprint(st.Sandbox.Fixtures().DeploymentID), PageSize: 4}
	seen := map[int64]bool{}
	for page := 1; page <= 3; page++ {
		resp, err := client.ListConversations(t.Context(), req)
		if err != nil {
			t.Fatalf("ListConversations(page %d) error = %v", page, err)
		}
		if len(resp.GetConversations()) != 4 || resp.GetNextPageToken() == "" {
			t.Fatalf("ListConversations(page %d) = %d conversations, token %q; want 4 and a next page",
				page, len(resp.GetConversations()), resp.GetNextPageToken())
		}
		for _, c := range resp.GetConversations() {
			if seen[c.GetId()] {
				t.Errorf("conversation %d returned on two pages", c.GetId())
			}
			seen[c.GetId()] = true
		}
		req.PageToken = resp.GetNextPageToken()
	}
	if q := lastQuery(st, "GET /conversations/"); q.Get("page") != "3" || q.Get("size") != "4" {
		t.Errorf("upstream query of page 3 = %v, want page 3 of size 4", q)
	}
}

// TestConversationServicePlainUserSeesOwnConversations checks the scope of
// a plain user's token: the upstream does not refuse the list, it leaves
// out the conversations the user takes no part in.
func TestConversationServicePlainUserSeesOwnConversations(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	deployment := fmt.Sprint(st.Sandbox.Fixtures().DeploymentID)
	me := st.Sandbox.UserFor(sandbox.RoleUser).ID
	list := func(role sandbox.Role) []*betterworksv1.Conversation {
		resp, err := st.Conversations(facadetest.Connect, role).ListConversations(t.Context(),
			&betterworksv1.ListConversationsRequest{DeploymentId: deployment, PageSize: 100})
		if err != nil {
			t.Fatalf("ListConversations(%v) error = %v", role, err)
		}
		return resp.GetConversations()
	}

	mine, all := list(sandbox.RoleUser), list(sandbox.RoleSuperAdmin)

	if len(mine) == 0 || len(mine) >= len(all) {
		t.Fatalf("plain user sees %d of %d conversations, want some but not all", len(mine), len(all))
	}
	for _, c := range mine {
		takesPart := c.GetEmployee().GetId() == me || c.GetManager().GetId() == me ||
			slices.ContainsFunc(c.GetContributors(), func(k *betterworksv1.ConversationContributor) bool { return k.GetUser().GetId() == me })
		if !takesPart {
			t.Errorf("plain user %d sees conversation %d of employee %d, manager %d", me, c.GetId(), c.GetEmployee().GetId(), c.GetManager().GetId())
		}
	}
}

func TestConversationServiceErrors(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Conversations(facadetest.Connect, sandbox.RoleSuperAdmin)

	_, err := client.ListConversations(t.Context(), &betterworksv1.ListConversationsRequest{DeploymentId: "999999"})
	if got := connect.CodeOf(err); got != connect.CodeNotFound {
		t.Errorf("ListConversations(unknown deployment) code = %v, want %v (err: %v)", got, connect.CodeNotFound, err)
	}
	if got := errorInfo(err).GetMetadata()["upstream_status"]; got != "404" {
		t.Errorf("ListConversations(unknown deployment) upstream_status = %q, want 404", got)
	}
}

func TestConversationServiceRejectsInvalidRequestsBeforeUpstream(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Conversations(facadetest.GRPCWeb, sandbox.RoleSuperAdmin)
	later := timestamppb.New(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	earlier := timestamppb.New(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	refusedBeforeUpstream(t, st, []invalidCase{
		{"template_type_undefined", func() error {
			_, err := client.ListConversationTemplates(t.Context(), &betterworksv1.ListConversationTemplatesRequest{Type: 42})
			return err
		}, "type"},
		{"template_page_size_too_big", func() error {
			_, err := client.ListConversationTemplates(t.Context(), &betterworksv1.ListConversationTemplatesRequest{PageSize: 101})
			return err
		}, "page_size"},
		{"template_bad_page_token", func() error {
			_, err := client.ListConversationTemplates(t.Context(), &betterworksv1.ListConversationTemplatesRequest{PageToken: "nope"})
			return err
		}, "page_token"},
		{"get_template_missing_id", func() error {
			_, err := client.GetConversationTemplate(t.Context(), &betterworksv1.GetConversationTemplateRequest{})
			return err
		}, "template_id"},
		{"get_template_path_injection", func() error {
			_, err := client.GetConversationTemplate(t.Context(), &betterworksv1.GetConversationTemplateRequest{TemplateId: "../../users/1"})
			return err
		}, "template_id"},
		{"list_missing_deployment", func() error {
			_, err := client.ListConversations(t.Context(), &betterworksv1.ListConversationsRequest{})
			return err
		}, "deployment_id"},
		{"list_bad_manager", func() error {
			_, err := client.ListConversations(t.Context(), &betterworksv1.ListConversationsRequest{DeploymentId: "61", ManagerId: "bob@example.com"})
			return err
		}, "manager_id"},
		{"list_employee_uuid", func() error {
			_, err := client.ListConversations(t.Context(), &betterworksv1.ListConversationsRequest{
				DeploymentId: "61", EmployeeId: "1aac7892-fd6f-4e89-88d6-2c7ae4657681",
			})
			return err
		}, "employee_id"},
		{"list_modified_range_reversed", func() error {
			_, err := client.ListConversations(t.Context(), &betterworksv1.ListConversationsRequest{
				DeploymentId: "61", ModifiedAfter: later, ModifiedBefore: earlier,
			})
			return err
		}, "modified_range"},
	})
}
