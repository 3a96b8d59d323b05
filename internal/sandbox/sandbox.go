// Package sandbox is a faithful in-process fake of the Betterworks REST API
// v1: every one of the reference's 38 operations under /api/v1/, served by
// an http.Handler over a seeded, deterministic demo organisation (about 300
// people in a manager tree, departments, teams, admin groups, about 400
// goals and key results with comments and assessments, conversations,
// feedback, recognitions and report runs). Config.Scale adds people and
// goals by the hundred thousand for scale tests (seedscale.go).
//
// The facade uses it as its default upstream, so the service runs and is
// tested without a Betterworks account; tests drive it over real HTTP:
//
//	sb := sandbox.New(sandbox.Config{Seed: 1})
//	srv := httptest.NewServer(sb)
//	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/goals/filter/", nil)
//	req.Header.Set("Authorization", "APIToken "+sb.Token(sandbox.RoleSuperAdmin))
//
// What the reference leaves open, the sandbox decides and documents where
// it decides: permissions in the doc of Role; pagination in page.go; delta
// filters in delta.go; error shapes in apierror.go; goal filter modifiers in
// goalfilter.go; progress arithmetic in progress.go; report run progress in
// reportruns.go. Bodies are always valid JSON, each field in the shape the
// reference's examples use for it (timeformat.go).
//
// Token and UserFor name a seeded user of each role, Fixtures names seeded
// objects with known properties, and ReferenceTime is the instant seeded
// data is arranged around. Tests can inject faults (Fault, SetFaults,
// ParseFaults) and read the log of requests that reached the sandbox
// (Requests, Count). A Sandbox is safe for concurrent use.
package sandbox

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures a Sandbox. A zero field selects the default documented on it.
type Config struct {
	// Seed selects the deterministic demo organisation: the same seed gives
	// the same people, goals, ids, UUIDs and tokens. 0 means 1.
	Seed int64
	// Now is the clock that stamps writes and requests and that "today"
	// means in filters. Report runs created through the API move from
	// pending to running after ReportRunStartDelay and to succeeded after
	// ReportRunDuration by this clock. Nil means a clock that reads
	// ReferenceTime when New returns and advances in real time from there,
	// so that the sandbox answers alike on whatever day it runs; a demo
	// that arranges its data around today passes time.Now. Seeded data
	// does not depend on it: it is spread over the two years before
	// ReferenceTime.
	Now func() time.Time
	// Faults are active from the start, as if passed to SetFaults.
	Faults []Fault
	// ReferenceTime is the instant the seeded data is arranged around
	// (truncated to its UTC day): modified_on values in the two years
	// before it, goal periods around it. Zero derives it from the seed, a
	// day in early 2025, so tests see the same data every run; a demo
	// passes today, so that current goals are current.
	ReferenceTime time.Time
	// ReportRuns times the report runs created through the API and sizes
	// their files.
	ReportRuns ReportRunConfig
	// FilesURL, when set, is the scheme and host (such as
	// "https://files.example.test") of the links in succeeded runs'
	// results, in place of the host each request reached: a test points
	// them at another server.
	FilesURL string
	// Scale enlarges the organisation (see Scale); the zero Scale is the
	// demo organisation alone. New panics if a size is out of range:
	// ParseScale checks a specification first.
	Scale Scale
}

// Sandbox is the fake Betterworks API. Create it with New.
type Sandbox struct {
	now    func() time.Time
	ref    time.Time
	router *router

	// mu guards st.
	mu sync.RWMutex
	st *store

	// Set by New, then read-only.
	keys      map[string]apiKey
	tokens    map[int64]string // first key of each seeded user
	roleUsers map[Role]User
	revoked   string
	fixtures  Fixtures

	faults faultSet
	log    requestLog

	// Report runs: set by New, then read-only, but for failRuns and
	// failMessage, which mu guards.
	runTimes    ReportRunConfig
	filesURL    string
	reportRows  int
	signer      fileSigner
	failRuns    int
	failMessage string
}

// User identifies a seeded user, so that a test knows whose token it holds.
type User struct {
	// ID is the user's integer id.
	ID int64
	// UUID is the user's UUID.
	UUID string
	// Email is the user's e-mail address, also an identifier of GET /users/{identifier}/.
	Email string
	// Name is "<first name> <last name>".
	Name string
	// EmployeeID is the HRIS employee id.
	EmployeeID string
	// Role is the user's role when seeded; PUT /users/roles/ may change it later.
	Role Role
	// ManagerID is the id of the user's manager, or 0.
	ManagerID int64
	// DepartmentID is the id of the user's department, or 0.
	DepartmentID int64
}

// maxBody is the largest request body accepted; larger ones answer 413.
const maxBody = 4 << 20

// New builds a sandbox and seeds its store. Seeding is deterministic and
// takes a few milliseconds for the demo organisation; a Scale of 100,000
// users and 20,000 goals takes about a second more.
func New(cfg Config) *Sandbox {
	if err := cfg.Scale.validate(); err != nil {
		panic(err)
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = 1
	}
	s := &Sandbox{now: cfg.Now, router: newRouter(), signer: newFileSigner(seed), reportRows: cfg.ReportRuns.Rows}
	s.runTimes, s.filesURL = cfg.ReportRuns, strings.TrimSuffix(cfg.FilesURL, "/")
	if s.runTimes.StartDelay <= 0 {
		s.runTimes.StartDelay = ReportRunStartDelay
	}
	if s.runTimes.Duration <= 0 {
		s.runTimes.Duration = ReportRunDuration
	}
	s.runTimes.Duration = max(s.runTimes.Duration, s.runTimes.StartDelay)
	s.faults.seed = uint64(seed)
	seedOrganisation(s, seed, cfg.ReferenceTime, cfg.Scale)
	if s.now == nil {
		// time.Since reads the monotonic clock: moving the wall clock
		// moves nothing here.
		start, ref := time.Now(), s.ref
		s.now = func() time.Time { return ref.Add(time.Since(start)) }
	}
	s.faults.set(cfg.Faults)
	return s
}

// SetFaults replaces the active faults; no arguments clears them. It is
// safe to call at any time, also while requests are served.
func (s *Sandbox) SetFaults(f ...Fault) { s.faults.set(f) }

// Token returns the API token of the first seeded user (lowest id) with
// role. The token stays that user's if PUT /users/roles/ changes its role.
func (s *Sandbox) Token(role Role) string { return s.tokens[s.roleUsers[role].ID] }

// UserFor returns the first seeded user with role: the user Token(role)
// belongs to.
func (s *Sandbox) UserFor(role Role) User { return s.roleUsers[role] }

// TokenFor returns the API token of the seeded user with id, or "" when
// there is no such user. Deactivated users have tokens too; they answer 401.
func (s *Sandbox) TokenFor(id int64) string { return s.tokens[id] }

// RevokedToken returns a revoked API key of an active plain user; it
// answers 401.
func (s *Sandbox) RevokedToken() string { return s.revoked }

// ReferenceTime returns the instant the seeded data is arranged around:
// created_on and modified_on values lie in the two years before it, goal
// periods around it. Unless Config.ReferenceTime set it, it derives from
// the seed, never from the clock, so delta filters over seeded data give
// the same results every run.
func (s *Sandbox) ReferenceTime() time.Time { return s.ref }

// Fixtures returns ids of seeded objects with known properties, for tests.
func (s *Sandbox) Fixtures() Fixtures { return s.fixtures }

// call is one authenticated request on its way to a handler.
type call struct {
	r      *http.Request
	q      url.Values
	body   []byte
	id     string // the path parameter ({id} or {identifier}), or ""
	caller int64  // the token's user
}

// ServeHTTP serves the API under /api/v1/, every answer dated by
// Config.Now. In order: faults, 413 for a body
// over 4 MiB, 404 for an unknown path, 401 without a valid token, 405 for
// a method the path does not allow (with an Allow header), then the
// endpoint.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	now := s.now()
	// Date comes from the clock that stamps modified_on, as a real
	// server's does: delta filters are compared against it.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	entry := Request{
		Method:      r.Method,
		Path:        r.URL.Path,
		Query:       query,
		RequestID:   r.Header.Get("X-Request-Id"),
		UserAgent:   r.UserAgent(),
		Traceparent: r.Header.Get("Traceparent"),
		At:          now,
	}
	files := strings.HasPrefix(r.URL.Path, filesPrefix)
	m := s.router.match(r.Method, r.URL.Path)
	switch {
	case files:
		entry.Endpoint = FilesEndpoint
	case m.route != nil:
		entry.Endpoint = m.route.endpoint
	}
	body, bodyErr := readBody(r)
	entry.Body = body[:min(len(body), requestLogBodyLimit)]

	// Each outcome is logged before its answer is written, so a client that
	// has an answer finds its request in the log.
	decision := s.faults.decide(entry.Endpoint)
	if !wait(r.Context(), decision.latency) {
		entry.Canceled = true
		s.log.add(entry)
		return
	}
	if decision.fault != nil {
		entry.Status = decision.fault.Status
		s.log.add(entry)
		faultReply(w, decision.fault)
		return
	}
	if files {
		// Logged as its status is written, before its body.
		s.serveFile(&statusHook{ResponseWriter: w, before: func(status int) {
			entry.Status = status
			s.log.add(entry)
		}}, r)
		return
	}
	out := s.answer(w, m, &call{r: r, q: query, body: body, id: m.param}, bodyErr)
	if r.Context().Err() != nil {
		entry.Canceled = true
		s.log.add(entry)
		return
	}
	entry.Status = out.status
	entry.Dropped = decision.drop
	s.log.add(entry)
	if decision.drop {
		// The answer is lost on the way: net/http closes the connection
		// without writing a byte of it.
		panic(http.ErrAbortHandler)
	}
	writeReply(w, out)
}

// answer runs the checks in front of m's endpoint, then the endpoint
// with c, whose caller it sets.
func (s *Sandbox) answer(w http.ResponseWriter, m match, c *call, bodyErr *apiError) reply {
	if bodyErr != nil {
		return bodyErr.reply()
	}
	if m.pattern == nil {
		return errNotFound.reply()
	}
	caller, authErr := s.authenticate(c.r)
	if authErr != nil {
		w.Header().Set("WWW-Authenticate", `APIToken realm="api"`)
		return authErr.reply()
	}
	if m.route == nil {
		w.Header().Set("Allow", m.pattern.allow)
		return errMethodNotAllowed(c.r.Method).reply()
	}
	c.caller = caller
	return m.route.handle(s, c)
}

// readBody reads at most maxBody bytes of r's body.
func readBody(r *http.Request) ([]byte, *apiError) {
	tooLarge := detailError(http.StatusRequestEntityTooLarge, "Request body exceeds "+strconv.Itoa(maxBody>>20)+" MiB.")
	if r.ContentLength > maxBody {
		return nil, tooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	switch {
	case len(body) > maxBody:
		return nil, tooLarge
	case err != nil && !errors.Is(err, io.EOF):
		return body, detailError(http.StatusBadRequest, "Could not read the request body.")
	}
	return body, nil
}

// writeReply sends out.
func writeReply(w http.ResponseWriter, out reply) {
	if out.body == nil {
		w.WriteHeader(out.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out.body)))
	w.WriteHeader(out.status)
	_, _ = w.Write(out.body)
}
