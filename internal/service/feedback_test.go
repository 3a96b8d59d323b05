package service_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/sandbox"
)

func TestFeedbackServiceTemplates(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Feedback(p, sandbox.RoleUser)
		scheduled := betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_SCHEDULED

		list, err := client.ListFeedbackTemplates(t.Context(), &betterworksv1.ListFeedbackTemplatesRequest{Type: scheduled, PageSize: 10})
		if err != nil {
			t.Fatalf("ListFeedbackTemplates() error = %v", err)
		}
		if q := lastQuery(st, "GET /feedback/templates/"); q.Get("type") != "scheduled" || q.Get("size") != "10" {
			t.Errorf("upstream query = %v, want type=scheduled and size=10", q)
		}
		wantID := st.Sandbox.Fixtures().FeedbackTemplateID
		i := slices.IndexFunc(list.GetFeedbackTemplates(), func(tpl *betterworksv1.FeedbackTemplate) bool { return tpl.GetId() == wantID })
		if i < 0 {
			t.Fatalf("ListFeedbackTemplates(scheduled) = %v, want template %d", list.GetFeedbackTemplates(), wantID)
		}
		for _, tpl := range list.GetFeedbackTemplates() {
			if tpl.GetType() != scheduled {
				t.Errorf("template %d type = %v, want %v", tpl.GetId(), tpl.GetType(), scheduled)
			}
		}
		tpl := list.GetFeedbackTemplates()[i]
		if tpl.GetUuid() == "" || tpl.GetName() == "" || len(tpl.GetCycles()) == 0 || tpl.GetCycles()[0].GetCycleStart() == "" ||
			tpl.GetCreatedOn() == nil || tpl.GetModifiedOn() == nil || len(tpl.GetAllowedEmployees()) == 0 || len(tpl.GetAllowedProviders()) == 0 ||
			tpl.GetSkipLevelManagersLevel() != betterworksv1.FeedbackSkipLevel_FEEDBACK_SKIP_LEVEL_NONE ||
			tpl.GetDefaultProviderType() != betterworksv1.FeedbackProviderType_FEEDBACK_PROVIDER_TYPE_CLASSIC_360 ||
			tpl.GetDefaultProvidersLimit() != 6 || !tpl.GetManagerCanView() || !tpl.GetNotifyCycleStarted() {
			t.Errorf("ListFeedbackTemplates() lost fields in translation: %v", tpl)
		}
		checkQuestionOptions(t, tpl.GetQuestions())

		for _, id := range []string{fmt.Sprint(wantID), tpl.GetUuid()} {
			got, err := client.GetFeedbackTemplate(t.Context(), &betterworksv1.GetFeedbackTemplateRequest{TemplateId: id})
			if err != nil {
				t.Fatalf("GetFeedbackTemplate(%s) error = %v", id, err)
			}
			if !proto.Equal(got.GetFeedbackTemplate(), tpl) {
				t.Errorf("GetFeedbackTemplate(%s) = %v, want the listed %v", id, got.GetFeedbackTemplate(), tpl)
			}
		}

		_, err = client.GetFeedbackTemplate(t.Context(), &betterworksv1.GetFeedbackTemplateRequest{TemplateId: "999999"})
		wantUpstreamError(t, "GetFeedbackTemplate(unknown)", err, connect.CodeNotFound, "UPSTREAM_NOT_FOUND")
	})
}

// checkQuestionOptions checks that options keep their JSON type: none for
// text, strings for multiple choice, numbers for ratings and scales.
func checkQuestionOptions(t *testing.T, questions []*betterworksv1.FeedbackTemplateQuestion) {
	t.Helper()
	if len(questions) == 0 {
		t.Fatal("template has no questions")
	}
	for _, q := range questions {
		if q.GetText() == "" || q.GetId() == 0 {
			t.Errorf("question lost fields in translation: %v", q)
		}
		if got, want := valueKind(q.GetOptions()), optionsKind(q.GetType()); got != want {
			t.Errorf("question %d (%v) options = %v, want %s", q.GetId(), q.GetType(), q.GetOptions(), want)
		}
	}
}

// valueKind names v's JSON type, with a list's element type.
func valueKind(v *structpb.Value) string {
	switch k := v.GetKind().(type) {
	case nil:
		return "none"
	case *structpb.Value_StringValue:
		return "string"
	case *structpb.Value_NumberValue:
		return "number"
	case *structpb.Value_ListValue:
		if len(k.ListValue.GetValues()) == 0 {
			return "list"
		}
		return "list of " + valueKind(k.ListValue.GetValues()[0])
	default:
		return fmt.Sprintf("%T", k)
	}
}

func optionsKind(q betterworksv1.FeedbackQuestionType) string {
	switch q {
	case betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_MULTIPLE_CHOICE:
		return "list of string"
	case betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_RATING, betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_SCALE:
		return "list of number"
	}
	return "none"
}

func answerKind(q betterworksv1.FeedbackQuestionType) string {
	switch q {
	case betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_MULTIPLE_CHOICE:
		return "list of string"
	case betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_RATING, betterworksv1.FeedbackQuestionType_FEEDBACK_QUESTION_TYPE_SCALE:
		return "number"
	}
	return "string"
}

func TestFeedbackServiceListFeedback(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		plain := st.Sandbox.UserFor(sandbox.RoleUser)
		client := st.Feedback(p, sandbox.RoleUser)

		own, err := client.ListFeedback(t.Context(), &betterworksv1.ListFeedbackRequest{ForUserId: plain.UUID, PageSize: 50})
		if err != nil {
			t.Fatalf("ListFeedback(own) error = %v", err)
		}
		if q := lastQuery(st, "GET /feedback/"); q.Get("for_user_id") != plain.UUID || q.Has("cycle_id") {
			t.Errorf("upstream query = %v, want for_user_id=%s alone", q, plain.UUID)
		}
		if len(own.GetFeedback()) == 0 {
			t.Fatal("ListFeedback(own) is empty; the seed gives the plain user feedback")
		}
		answers := 0
		for _, f := range own.GetFeedback() {
			if f.GetForUser().GetId() != plain.ID || f.GetCycle().GetId() != f.GetCycleId() || f.GetCreated() == nil ||
				f.GetModifiedOn() == nil || f.GetStatus() == betterworksv1.FeedbackStatus_FEEDBACK_STATUS_UNSPECIFIED ||
				f.GetTemplateType() == betterworksv1.FeedbackTemplateType_FEEDBACK_TEMPLATE_TYPE_UNSPECIFIED || f.GetTemplateName() == "" {
				t.Errorf("ListFeedback() lost fields in translation: %v", f)
			}
			for _, a := range f.GetResponses() {
				answers++
				if got, want := valueKind(a.GetAnswer()), answerKind(a.GetType()); got != want {
					t.Errorf("answer %d (%v) = %v, want %s", a.GetId(), a.GetType(), a.GetAnswer(), want)
				}
				if got, want := valueKind(a.GetQuestionOptions()), optionsKind(a.GetType()); got != want {
					t.Errorf("answer %d (%v) options = %v, want %s", a.GetId(), a.GetType(), a.GetQuestionOptions(), want)
				}
				if a.GetFeedbackId() != f.GetId() || a.GetQuestionId() == 0 || a.GetQuestion() == "" {
					t.Errorf("answer lost fields in translation: %v", a)
				}
			}
		}
		if answers == 0 {
			t.Error("ListFeedback(own) has no answers")
		}

		_, err = client.ListFeedback(t.Context(), &betterworksv1.ListFeedbackRequest{ForUserId: fmt.Sprint(st.Sandbox.Fixtures().OtherUserID)})
		wantUpstreamError(t, "ListFeedback(other user)", err, connect.CodePermissionDenied, "UPSTREAM_PERMISSION_DENIED")
	})
}

func TestFeedbackServiceListFeedbackByCycleAndTime(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	cycle := st.Sandbox.Fixtures().FeedbackCycleID
	ref := st.Sandbox.ReferenceTime()
	after, before := ref.AddDate(-2, 0, 0).Add(123456789*time.Nanosecond), ref

	resp, err := st.Feedback(facadetest.Connect, sandbox.RoleSuperAdmin).ListFeedback(t.Context(), &betterworksv1.ListFeedbackRequest{
		CycleId:        fmt.Sprint(cycle),
		ModifiedAfter:  timestamppb.New(after),
		ModifiedBefore: timestamppb.New(before),
		PageSize:       100,
	})
	if err != nil {
		t.Fatalf("ListFeedback(cycle) error = %v", err)
	}
	wantQuery(t, st, "GET /feedback/", url.Values{
		"cycle_id":    {fmt.Sprint(cycle)},
		"delta_start": {deltaQuery(after)},
		"delta_end":   {deltaQuery(before)},
		"page":        {"1"},
		"size":        {"100"},
	})
	if len(resp.GetFeedback()) == 0 {
		t.Fatal("ListFeedback(cycle) is empty; the seed gives the fixture cycle feedback")
	}
	for _, f := range resp.GetFeedback() {
		if m := f.GetModifiedOn().AsTime(); f.GetCycleId() != cycle || m.Before(after.Truncate(time.Microsecond)) || m.After(before) {
			t.Errorf("feedback %d in cycle %d modified %v, want cycle %d within [%v, %v]", f.GetId(), f.GetCycleId(), m, cycle, after, before)
		}
	}
}

func TestFeedbackServiceListFeedbackRequestsSendsAllFilters(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	fx := st.Sandbox.Fixtures()
	plain := st.Sandbox.UserFor(sandbox.RoleUser)
	after := time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC)
	before := time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC)

	_, err := st.Feedback(facadetest.GRPC, sandbox.RoleSuperAdmin).ListFeedbackRequests(t.Context(), &betterworksv1.ListFeedbackRequestsRequest{
		CycleId:        fmt.Sprint(fx.FeedbackCycleID),
		FromUserId:     fmt.Sprint(fx.OtherUserID),
		ForUserId:      plain.UUID,
		Declined:       new(false),
		Questions:      new(true),
		IsOpen:         new(false),
		IsAdhoc:        new(false),
		ModifiedAfter:  timestamppb.New(after),
		ModifiedBefore: timestamppb.New(before),
		PageSize:       5,
	})
	if err != nil {
		t.Fatalf("ListFeedbackRequests() error = %v", err)
	}
	if n := len(st.Sandbox.Requests()); n != 1 {
		t.Fatalf("sandbox saw %d requests, want 1", n)
	}
	wantQuery(t, st, "GET /feedback/requests/", url.Values{
		"cycle":       {fmt.Sprint(fx.FeedbackCycleID)},
		"from_user":   {fmt.Sprint(fx.OtherUserID)},
		"for_user":    {plain.UUID},
		"declined":    {"false"},
		"questions":   {"true"},
		"is_open":     {"false"},
		"is_adhoc":    {"false"},
		"delta_start": {"2024-01-02T03:04:05.6Z"},
		"delta_end":   {"2024-06-30T23:59:59Z"},
		"page":        {"1"},
		"size":        {"5"},
	})
}

func TestFeedbackServiceListFeedbackRequests(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	admin := st.Feedback(facadetest.Connect, sandbox.RoleSuperAdmin)

	adhoc, err := admin.ListFeedbackRequests(t.Context(), &betterworksv1.ListFeedbackRequestsRequest{IsAdhoc: new(true), Questions: new(true), PageSize: 20})
	if err != nil {
		t.Fatalf("ListFeedbackRequests(adhoc) error = %v", err)
	}
	if len(adhoc.GetFeedbackRequests()) == 0 || adhoc.GetNextPageToken() == "" {
		t.Fatalf("ListFeedbackRequests(adhoc) = %d requests, token %q; want a full page and a next one", len(adhoc.GetFeedbackRequests()), adhoc.GetNextPageToken())
	}
	for _, r := range adhoc.GetFeedbackRequests() {
		if r.GetAdhocCycle() == nil || r.GetCycle() != nil || len(r.GetAdhocCycle().GetTemplateQuestions()) == 0 {
			t.Errorf("request %d: adhoc cycle %v, cycle %v; want an anytime cycle with questions and no scheduled cycle", r.GetId(), r.GetAdhocCycle(), r.GetCycle())
		}
		u := r.GetFromUser()
		if u.GetId() == 0 || u.GetEmail() == "" || u.GetLocale() == betterworksv1.UserLocale_USER_LOCALE_UNSPECIFIED || u.GetCreatedOn() == nil ||
			r.GetForUser().GetId() == 0 || r.GetRequestedBy().GetId() == 0 || r.GetCreatedBy().GetId() == 0 ||
			r.GetTemplateId() == 0 || r.GetTemplateUuid() == "" || r.GetCreated() == nil || r.GetModifiedOn() == nil || r.GetQuestion() == "" {
			t.Errorf("ListFeedbackRequests() lost fields in translation: %v", r)
		}
		if got := valueKind(r.GetQuestions()); !strings.HasPrefix(got, "list") {
			t.Errorf("request %d questions = %s, want the list the upstream sent for questions=true", r.GetId(), got)
		}
	}

	declined, err := admin.ListFeedbackRequests(t.Context(), &betterworksv1.ListFeedbackRequestsRequest{Declined: new(true), PageSize: 20})
	if err != nil {
		t.Fatalf("ListFeedbackRequests(declined) error = %v", err)
	}
	if len(declined.GetFeedbackRequests()) == 0 {
		t.Fatal("ListFeedbackRequests(declined) is empty; the seed declines some requests")
	}
	for _, r := range declined.GetFeedbackRequests() {
		if r.Declined == nil || !r.GetDeclined() || r.GetQuestions() != nil {
			t.Errorf("request %d declined = %v, questions %v; want true and no questions", r.GetId(), r.Declined, r.GetQuestions())
		}
	}

	// A plain user sees only the requests it is a party to.
	plain := st.Sandbox.UserFor(sandbox.RoleUser)
	mine, err := st.Feedback(facadetest.Connect, sandbox.RoleUser).ListFeedbackRequests(t.Context(), &betterworksv1.ListFeedbackRequestsRequest{PageSize: 100})
	if err != nil {
		t.Fatalf("ListFeedbackRequests(plain user) error = %v", err)
	}
	if len(mine.GetFeedbackRequests()) == 0 {
		t.Fatal("ListFeedbackRequests(plain user) is empty; the seed asks the plain user's feedback")
	}
	for _, r := range mine.GetFeedbackRequests() {
		party := []int64{r.GetFromUser().GetId(), r.GetForUser().GetId(), r.GetRequestedBy().GetId(), r.GetCreatedBy().GetId()}
		if !slices.Contains(party, plain.ID) {
			t.Errorf("plain user %d sees request %d of %v", plain.ID, r.GetId(), party)
		}
	}
}

func TestFeedbackServiceListRecognitions(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Feedback(p, sandbox.RoleUser)
		tag := st.Sandbox.Fixtures().HashtagName

		byTag, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{Hashtag: tag, PageSize: 30})
		if err != nil {
			t.Fatalf("ListRecognitions(hashtag) error = %v", err)
		}
		if q := lastQuery(st, "GET /recognitions/"); q.Get("hashtag") != tag {
			t.Errorf("upstream query = %v, want hashtag=%s", q, tag)
		}
		if len(byTag.GetRecognitions()) == 0 {
			t.Fatalf("ListRecognitions(%s) is empty; the seed uses it often", tag)
		}
		var comments, shoutouts int
		for _, r := range byTag.GetRecognitions() {
			if !slices.ContainsFunc(r.GetHashtags(), func(h *betterworksv1.Hashtag) bool { return h.GetName() == tag && h.GetId() != 0 }) {
				t.Errorf("recognition %d hashtags = %v, want %s", r.GetId(), r.GetHashtags(), tag)
			}
			if r.GetAuthor().GetId() == 0 || (r.GetForUser() == nil) == (r.GetForGroup() == nil) || r.GetCreated() == nil || r.GetModifiedOn() == nil {
				t.Errorf("ListRecognitions() lost fields in translation: %v", r)
			}
			if c := r.GetSource().GetComment(); c != nil {
				comments++
				if c.GetGoal().GetId() == 0 || c.GetAuthor().GetId() != r.GetAuthor().GetId() || c.GetText() == "" {
					t.Errorf("recognition %d comment = %v, want a goal comment by the author", r.GetId(), c)
				}
			}
			if s := r.GetSource().GetShoutout(); s != nil {
				shoutouts++
				if s.GetAuthorId() != r.GetAuthor().GetId() || s.GetText() == "" || s.GetCreated() == nil {
					t.Errorf("recognition %d shout-out = %v, want the author's text", r.GetId(), s)
				}
			}
		}
		if comments == 0 || shoutouts == 0 {
			t.Errorf("ListRecognitions() gave %d comments and %d shout-outs, want both kinds of source", comments, shoutouts)
		}
	})
}

func TestFeedbackServiceListRecognitionsFilters(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Feedback(facadetest.Connect, sandbox.RoleUser)
	all, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{PageSize: 100})
	if err != nil {
		t.Fatalf("ListRecognitions() error = %v", err)
	}
	var forUser, forGroup *betterworksv1.Recognition
	for _, r := range all.GetRecognitions() {
		if r.GetForUser() != nil && forUser == nil {
			forUser = r
		}
		if r.GetForGroup() != nil && forGroup == nil {
			forGroup = r
		}
	}
	if forUser == nil || forGroup == nil {
		t.Fatal("no recognition of a user and of a group in the first page")
	}

	day := forUser.GetCreated().AsTime().UTC().Format(time.DateOnly)
	after := st.Sandbox.ReferenceTime().AddDate(-3, 0, 0)
	byUser, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{
		StartDate:     day,
		EndDate:       day,
		ForUserId:     fmt.Sprint(forUser.GetForUser().GetId()),
		ModifiedAfter: timestamppb.New(after),
	})
	if err != nil {
		t.Fatalf("ListRecognitions(user, day) error = %v", err)
	}
	wantQuery(t, st, "GET /recognitions/", url.Values{
		"start_date": {day}, "end_date": {day},
		"for_user_id": {fmt.Sprint(forUser.GetForUser().GetId())},
		"delta_start": {deltaQuery(after)},
		"page":        {"1"},
	})
	if !slices.ContainsFunc(byUser.GetRecognitions(), func(r *betterworksv1.Recognition) bool { return r.GetId() == forUser.GetId() }) {
		t.Errorf("ListRecognitions(user %d, %s) = %v, want recognition %d", forUser.GetForUser().GetId(), day, byUser.GetRecognitions(), forUser.GetId())
	}
	for _, r := range byUser.GetRecognitions() {
		if r.GetForUser().GetId() != forUser.GetForUser().GetId() || r.GetCreated().AsTime().UTC().Format(time.DateOnly) != day {
			t.Errorf("recognition %d for %v on %v, want user %d on %s", r.GetId(), r.GetForUser(), r.GetCreated().AsTime(), forUser.GetForUser().GetId(), day)
		}
	}

	group := forGroup.GetForGroup().GetId()
	byGroup, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{ForGroupId: fmt.Sprint(group), PageSize: 50})
	if err != nil {
		t.Fatalf("ListRecognitions(group) error = %v", err)
	}
	if q := lastQuery(st, "GET /recognitions/"); q.Get("for_group_id") != fmt.Sprint(group) {
		t.Errorf("upstream query = %v, want for_group_id=%d", q, group)
	}
	for _, r := range byGroup.GetRecognitions() {
		if r.GetForGroup().GetId() != group || r.GetForGroup().GetName() == "" || r.GetForUser() != nil {
			t.Errorf("recognition %d for group %v user %v, want group %d only", r.GetId(), r.GetForGroup(), r.GetForUser(), group)
		}
	}
}

func TestFeedbackServiceListHashtags(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	client := st.Feedback(facadetest.Connect, sandbox.RoleUser)
	ref := st.Sandbox.ReferenceTime()
	req := &betterworksv1.ListHashtagsRequest{
		PageSize:       6,
		ModifiedAfter:  timestamppb.New(ref.AddDate(-3, 0, 0)),
		ModifiedBefore: timestamppb.New(ref.AddDate(0, 0, 1)),
	}
	var names []string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("ListHashtags() did not end within 10 pages")
		}
		resp, err := client.ListHashtags(t.Context(), req)
		if err != nil {
			t.Fatalf("ListHashtags(page %d) error = %v", pages+1, err)
		}
		for _, h := range resp.GetHashtags() {
			if h.GetId() == 0 || h.GetCreatedOn() == nil || h.GetModifiedOn() == nil {
				t.Errorf("ListHashtags() lost fields in translation: %v", h)
			}
			names = append(names, h.GetName())
		}
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	if len(names) != 20 || !slices.IsSorted(names) {
		t.Errorf("ListHashtags() over every page = %v, want the 20 seeded hashtags by name", names)
	}
	q := lastQuery(st, "GET /hashtags/")
	if q.Get("delta_start") != deltaQuery(req.GetModifiedAfter().AsTime()) || q.Get("delta_end") != deltaQuery(req.GetModifiedBefore().AsTime()) ||
		q.Get("size") != "6" || q.Get("page") != "4" {
		t.Errorf("last upstream query = %v, want both delta filters, size 6 and page 4", q)
	}
}

func TestFeedbackServiceRejectsInvalidRequestsBeforeUpstream(t *testing.T) {
	t.Parallel()
	forEachProtocol(t, func(t *testing.T, st *facadetest.Stack, p facadetest.Protocol) {
		client := st.Feedback(p, sandbox.RoleSuperAdmin)
		early := timestamppb.New(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
		late := timestamppb.New(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
		refusedBeforeUpstream(t, st, []invalidCase{
			{"get_template_missing_id", func() error {
				_, err := client.GetFeedbackTemplate(t.Context(), &betterworksv1.GetFeedbackTemplateRequest{})
				return err
			}, "template_id"},
			{"get_template_bad_id", func() error {
				_, err := client.GetFeedbackTemplate(t.Context(), &betterworksv1.GetFeedbackTemplateRequest{TemplateId: "../1"})
				return err
			}, "template_id"},
			{"templates_type_undefined", func() error {
				_, err := client.ListFeedbackTemplates(t.Context(), &betterworksv1.ListFeedbackTemplatesRequest{Type: 42})
				return err
			}, "type"},
			{"templates_page_size_too_big", func() error {
				_, err := client.ListFeedbackTemplates(t.Context(), &betterworksv1.ListFeedbackTemplatesRequest{PageSize: 101})
				return err
			}, "page_size"},
			{"feedback_without_user_or_cycle", func() error {
				_, err := client.ListFeedback(t.Context(), &betterworksv1.ListFeedbackRequest{ModifiedAfter: early})
				return err
			}, "user_or_cycle"},
			{"feedback_bad_user", func() error {
				_, err := client.ListFeedback(t.Context(), &betterworksv1.ListFeedbackRequest{ForUserId: "someone@example.com"})
				return err
			}, "for_user_id"},
			{"feedback_modified_range_reversed", func() error {
				_, err := client.ListFeedback(t.Context(), &betterworksv1.ListFeedbackRequest{CycleId: "1", ModifiedAfter: late, ModifiedBefore: early})
				return err
			}, "modified_range"},
			{"requests_bad_cycle", func() error {
				_, err := client.ListFeedbackRequests(t.Context(), &betterworksv1.ListFeedbackRequestsRequest{CycleId: "cycle-1"})
				return err
			}, "cycle_id"},
			{"requests_bad_page_token", func() error {
				_, err := client.ListFeedbackRequests(t.Context(), &betterworksv1.ListFeedbackRequestsRequest{PageToken: "not-a-token"})
				return err
			}, "page_token"},
			{"recognitions_start_without_end", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{StartDate: "2024-01-01"})
				return err
			}, "date_pair"},
			{"recognitions_end_without_start", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{EndDate: "2024-01-01"})
				return err
			}, "date_pair"},
			{"recognitions_dates_reversed", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{StartDate: "2024-02-01", EndDate: "2024-01-01"})
				return err
			}, "date_order"},
			{"recognitions_bad_date_shape", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{StartDate: "01/02/2024", EndDate: "2024-01-03"})
				return err
			}, "start_date"},
			{"recognitions_impossible_start", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{StartDate: "2023-02-31", EndDate: "2023-03-31"})
				return err
			}, "start_date"},
			{"recognitions_impossible_end", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{StartDate: "2023-02-01", EndDate: "2023-04-31"})
				return err
			}, "end_date"},
			{"recognitions_user_uuid", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{ForUserId: "d44906e5-7dbc-46f5-b312-5f35937f8cd3"})
				return err
			}, "for_user_id"},
			{"recognitions_bad_group", func() error {
				_, err := client.ListRecognitions(t.Context(), &betterworksv1.ListRecognitionsRequest{ForGroupId: "0"})
				return err
			}, "for_group_id"},
			{"hashtags_modified_range_reversed", func() error {
				_, err := client.ListHashtags(t.Context(), &betterworksv1.ListHashtagsRequest{ModifiedAfter: late, ModifiedBefore: early})
				return err
			}, "modified_range"},
		})
	})
}
