package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Report runs. A run created through POST /report_runs/ is pending until
// its start delay (ReportRunConfig.StartDelay, by default
// ReportRunStartDelay) has passed since it was created, running until its
// duration (ReportRunConfig.Duration, by default ReportRunDuration) has
// passed, and succeeded from then on, by the sandbox's clock (Config.Now):
// a test with a fake clock moves a run along by moving the clock, without
// sleeping. A run FailReportRuns marked fails then instead, with its
// message as error. A succeeded run has a result: a signed link to its
// spreadsheet on the sandbox (reportfiles.go), filename, MIME type and an
// expiry 24 hours after it finished. Seeded runs keep the status they were
// seeded with (one in each of pending, running, succeeded and failed, at
// least).
const (
	// ReportRunStartDelay is how long a created report run stays pending
	// by default.
	ReportRunStartDelay = 1 * time.Second
	// ReportRunDuration is how long after creation a report run finishes
	// by default.
	ReportRunDuration = 3 * time.Second
	// reportResultLifetime is how long a result's download stays valid.
	reportResultLifetime = 24 * time.Hour
)

// reportKinds are the reports of the reference. The example bodies say
// conversation_answer where the text says conversation_answers; both are
// accepted, and a run keeps the name its creator used.
var reportKinds = []string{
	"all_goals", "all_goals_and_milestones", "conversation_answers", "conversation_adoption",
	"feedback_answers", "feedback_adoption", "recognition", "user_activity",
}

// canonicalReport maps a report name to its name in reportKinds, or "".
func canonicalReport(name string) string {
	switch name {
	case "conversation_answer":
		return "conversation_answers"
	case "feedback_answer":
		return "feedback_answers"
	}
	if slices.Contains(reportKinds, name) {
		return name
	}
	return ""
}

// reportNeedsTemplate reports whether kind (canonical) is a conversation or
// feedback report, which names a template.
func reportNeedsTemplate(kind string) bool {
	return strings.HasPrefix(kind, "conversation_") || strings.HasPrefix(kind, "feedback_")
}

// reportRestricted reports whether only super admins and HR admins may run
// kind (canonical), as the reference notes.
func reportRestricted(kind string) bool {
	return kind == "conversation_answers" || kind == "feedback_answers"
}

// reportRun is one run of a report.
type reportRun struct {
	id         int64
	report     string // as its creator named it
	createdBy  int64
	created    time.Time
	template   int64 // 0: null
	start, end time.Time
	// fixedStatus, when set, is a seeded run's status, which never moves;
	// fixedFinished is then its finish time (zero for pending and running).
	fixedStatus   string
	fixedFinished time.Time
	errorMessage  string
	// startDelay and duration time a created run (see ReportRunConfig).
	startDelay, duration time.Duration
	// fails makes a created run fail, with errorMessage, when it finishes.
	fails bool
	// file is the run's spreadsheet once written.
	file *reportFile
}

// state returns the run's status and finish time at now.
func (r *reportRun) state(now time.Time) (string, time.Time) {
	if r.fixedStatus != "" {
		return r.fixedStatus, r.fixedFinished
	}
	elapsed := now.Sub(r.created)
	switch {
	case elapsed < r.startDelay:
		return "pending", time.Time{}
	case elapsed < r.duration:
		return "running", time.Time{}
	case r.fails:
		return "failed", r.created.Add(r.duration)
	}
	return "succeeded", r.created.Add(r.duration)
}

// filename is the name of the run's spreadsheet, such as
// "AllGoals-9001.xlsx".
func (r *reportRun) filename() string {
	var name strings.Builder
	for _, part := range strings.Split(canonicalReport(r.report), "_") {
		if part != "" {
			name.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return name.String() + "-" + itoa(r.id) + ".xlsx"
}

// ReportRunConfig times the report runs created through the API and sizes
// their files. A zero field selects the default documented on it.
type ReportRunConfig struct {
	// StartDelay is how long a created run stays pending; zero means
	// ReportRunStartDelay (1 s).
	StartDelay time.Duration
	// Duration is how long after creation a run finishes; zero means
	// ReportRunDuration (3 s). A value below StartDelay is raised to it.
	Duration time.Duration
	// Rows is the number of data rows (after the header) of every report
	// file, cycling through the seeded objects the report is about; zero
	// means one row per such object (a few hundred).
	Rows int
}

// FailReportRuns makes the next n report runs created through the API
// fail when they finish, each with message as its error (the upstream's
// error text); n <= 0 clears what is left of an earlier call.
func (s *Sandbox) FailReportRuns(n int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRuns, s.failMessage = max(n, 0), message
}

// reportCreatorJSON is a report run's created_by: name and id, as the
// reference shows.
type reportCreatorJSON struct {
	Name string `json:"name"`
	ID   int64  `json:"id"`
}

// dateRangeJSON is the period a report covers.
type dateRangeJSON struct {
	Start isoDate `json:"start"`
	End   isoDate `json:"end"`
}

// reportParamsJSON is a report run's parameters; template is null for
// reports without one.
type reportParamsJSON struct {
	Template  *int64        `json:"template"`
	DateRange dateRangeJSON `json:"date_range"`
}

// reportResultJSON is the download of a succeeded report run.
type reportResultJSON struct {
	Created   epochTime `json:"created"`
	ExpiresOn epochTime `json:"expires_on"`
	Filename  string    `json:"filename"`
	Type      string    `json:"type"`
	URL       string    `json:"url"`
}

// reportRunJSON is the ReportRun object of the reference.
type reportRunJSON struct {
	ID         int64              `json:"id"`
	Report     string             `json:"report"`
	Created    epochTime          `json:"created"`
	CreatedBy  *reportCreatorJSON `json:"created_by"`
	Status     string             `json:"status"`
	Parameters reportParamsJSON   `json:"parameters"`
	Finished   epochTime          `json:"finished"`
	Error      *string            `json:"error"`
	Result     *reportResultJSON  `json:"result"`
}

// reportRunJSON renders r as it stands at now; its result links to base
// (scheme and host).
func (s *Sandbox) reportRunJSON(r *reportRun, now time.Time, base string) reportRunJSON {
	st := s.st
	status, finished := r.state(now)
	out := reportRunJSON{
		ID: r.id, Report: r.report, Created: epochTime(r.created), Status: status,
		Parameters: reportParamsJSON{DateRange: dateRangeJSON{Start: isoDate(r.start), End: isoDate(r.end)}},
		Finished:   epochTime(finished),
	}
	if u := st.users.get(r.createdBy); u != nil {
		out.CreatedBy = &reportCreatorJSON{Name: u.name(), ID: u.id}
	}
	if r.template != 0 {
		t := r.template
		out.Parameters.Template = &t
	}
	if status == "failed" {
		msg := r.errorMessage
		out.Error = &msg
	}
	if status == "succeeded" {
		filename := r.filename()
		expires := finished.Add(reportResultLifetime)
		out.Result = &reportResultJSON{
			Created: epochTime(finished), ExpiresOn: epochTime(expires), Filename: filename,
			Type: xlsxType,
			URL:  s.signer.fileURL(base, r.id, filename, expires),
		}
	}
	return out
}

// canSeeReportRun reports whether u sees r: super admins and HR admins see
// every run, admins their own.
func canSeeReportRun(u *user, r *reportRun) bool {
	return readsAllPeopleRecords(u) || (u.role == RoleAdmin && r.createdBy == u.id)
}

// listReportRuns serves GET /report_runs/: report (either spelling of a
// kind; an unknown kind 400), template (integer), created (a date,
// YYYY-MM-DD; the reference's own example writes 2021-4-2, which is
// accepted too); page size default 15, maximum 100. Plain users get 403.
func (s *Sandbox) listReportRuns(c *call) reply {
	p, apiErr := parsePage(c.q, limitsReportRuns)
	if apiErr != nil {
		return apiErr.reply()
	}
	kind := ""
	if v := c.q.Get("report"); v != "" {
		if kind = canonicalReport(v); kind == "" {
			return fieldError("report", `"`+v+`" is not a valid choice.`).reply()
		}
	}
	var template int64
	if v := c.q.Get("template"); v != "" {
		ref, okRef := parseIdent(v, false)
		if !okRef {
			return fieldError("template", msgInvalidInt).reply()
		}
		template = ref.id
	}
	var created time.Time
	if v := c.q.Get("created"); v != "" {
		t, err := time.Parse("2006-1-2", v)
		if err != nil {
			return fieldError("created", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.").reply()
		}
		created = t
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	me := st.users.get(c.caller)
	if !me.role.privileged() {
		return errForbidden.reply()
	}
	var matched []*reportRun
	for _, r := range st.reportRuns.all() {
		switch {
		case !canSeeReportRun(me, r):
		case kind != "" && canonicalReport(r.report) != kind:
		case template != 0 && r.template != template:
		case !created.IsZero() && !day(r.created).Equal(created):
		default:
			matched = append(matched, r)
		}
	}
	base := s.requestBase(c.r)
	return ok(listPage("/report_runs/", c.q, p, matched, func(r *reportRun) reportRunJSON { return s.reportRunJSON(r, now, base) }))
}

// getReportRun serves GET /report_runs/{id}/. The reference types id as
// Integer, so a UUID answers 404; so does a run the caller may not see.
// Plain users get 403.
func (s *Sandbox) getReportRun(c *call) reply {
	ref, okID := parseIdent(c.id, false)
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	me := st.users.get(c.caller)
	if !me.role.privileged() {
		return errForbidden.reply()
	}
	r := st.reportRuns.find(ref)
	if !okID || r == nil || !canSeeReportRun(me, r) {
		return errNotFound.reply()
	}
	return ok(s.reportRunJSON(r, now, s.requestBase(c.r)))
}

// createReportRun serves POST /report_runs/. The reference's table puts
// template, start and end at the top of the payload while its example nests
// them in parameters (parameters.template, parameters.date_range.start and
// .end); both are accepted, the top level winning. report and the dates
// (YYYY-MM-DD, end not before start) are required; template is required for
// conversation and feedback reports and must name a template of that kind.
// conversation_answers and feedback_answers are for super admins and HR
// admins (403 for admins); plain users get 403. It answers 201 with the
// pending run.
func (s *Sandbox) createReportRun(c *call) reply {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return apiErr.reply()
	}
	report, _ := body.str("report")
	kind := canonicalReport(report)
	switch {
	case !body.has("report") || body.isNull("report"):
		body.fail("report", msgRequired)
	case !body.failedOn("report") && kind == "":
		body.fail("report", `"`+report+`" is not a valid choice.`)
	}
	params, _ := body.object("parameters")
	if params == nil {
		params, _ = subPayload([]byte("{}"))
	}
	dateRange, _ := params.object("date_range")
	if dateRange == nil {
		dateRange, _ = subPayload([]byte("{}"))
	}
	template, hasTemplate := body.integer("template")
	if !hasTemplate && !body.failedOn("template") {
		template, hasTemplate = params.integer("template")
	}
	dates := [2]time.Time{}
	for i, field := range []string{"start", "end"} {
		t, present := body.date(field, time.DateOnly, "YYYY-MM-DD")
		if !present && !body.failedOn(field) {
			t, present = dateRange.date(field, time.DateOnly, "YYYY-MM-DD")
			if dateRange.failedOn(field) {
				body.fail(field, dateRange.errs[field].([]string)[0])
			}
		}
		if !present && !body.failedOn(field) {
			body.fail(field, msgRequired)
		}
		dates[i] = t
	}
	if !dates[0].IsZero() && !dates[1].IsZero() && dates[1].Before(dates[0]) {
		body.fail("end", "End date must be on or after the start date.")
	}
	body.nestObject("parameters", params)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	me := st.users.get(c.caller)
	if kind != "" && reportNeedsTemplate(kind) && !body.failedOn("template") {
		switch {
		case !hasTemplate:
			body.fail("template", "This field is required for conversation and feedback reports.")
		case strings.HasPrefix(kind, "conversation_") && st.convTemplates.get(template) == nil,
			strings.HasPrefix(kind, "feedback_") && st.fbTemplates.get(template) == nil:
			body.fail("template", `Invalid pk "`+itoa(template)+`" - object does not exist.`)
		}
	}
	if !me.role.privileged() {
		return errForbidden.reply()
	}
	if err := body.err(); err != nil {
		return err.reply()
	}
	if reportRestricted(kind) && !readsAllPeopleRecords(me) {
		return detailError(http.StatusForbidden, "The "+kind+" report is only available to super admins and HR admins.").reply()
	}
	st.next.reportRun++
	r := &reportRun{
		id: st.next.reportRun, report: report, createdBy: me.id, created: s.now(), start: dates[0], end: dates[1],
		startDelay: s.runTimes.StartDelay, duration: s.runTimes.Duration, file: new(reportFile),
	}
	if hasTemplate && reportNeedsTemplate(kind) {
		r.template = template
	}
	if s.failRuns > 0 {
		s.failRuns--
		r.fails, r.errorMessage = true, s.failMessage
	}
	st.reportRuns.add(r.id, "", r)
	return jsonReply(http.StatusCreated, s.reportRunJSON(r, r.created, s.requestBase(c.r)))
}
