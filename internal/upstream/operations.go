package upstream

import (
	"net/http"
	"strings"
)

// Operation is one operation of the Betterworks REST API v1, declared once
// in this file by its method and path template. Everything else the client
// says of it is derived: the name that errors, spans and metrics carry
// ("GET /goals/{id}/"), the request path with its ids filled in, the
// endpoint family whose circuit breaker guards it, and whether it writes.
type Operation struct {
	method string
	// template is the path as the reference writes it, under the API
	// root, such as "/goals/{id}/comments"; a segment in braces is an id.
	template string
	name     string
	family   string
	// segments are the template without its leading slash before and
	// after its id, when it has one (idAt >= 0).
	segments [2]string
	idAt     int
	tel      opTelemetry
}

// Method returns the HTTP method, such as "GET".
func (o *Operation) Method() string { return o.method }

// Template returns the path template under the API root, such as
// "/goals/{id}/".
func (o *Operation) Template() string { return o.template }

// String returns the operation's name, its method and template, such as
// "GET /goals/{id}/". It names the operation in errors, spans and metrics,
// and holds no id or token.
func (o *Operation) String() string { return o.name }

// Family returns the first segment of the template, such as "goals": the
// operations of a family share a circuit breaker.
func (o *Operation) Family() string { return o.family }

// Writes reports whether the operation changes anything upstream: every
// method but GET. A write is sent once (see Client).
func (o *Operation) Writes() bool { return o.method != http.MethodGet }

// idempotent reports whether the operation may be sent twice: GET and
// DELETE.
func (o *Operation) idempotent() bool {
	return o.method == http.MethodGet || o.method == http.MethodDelete
}

// path returns the request path relative to the API root, with id, escaped
// as one segment, in place of the template's braces. Every template has
// at most one; an operation with one needs a non-empty id.
func (o *Operation) path(id string) (string, error) { return o.url("", id, "") }

// url returns base followed by the request path (see path) and, unless
// query is empty, "?" and query: one string, made in one allocation.
func (o *Operation) url(base, id, query string) (string, error) {
	sep := ""
	if query != "" {
		sep = "?"
	}
	if o.idAt < 0 {
		return base + o.template[1:] + sep + query, nil
	}
	if id == "" {
		return "", ErrInvalidRequest
	}
	return base + o.segments[0] + pathSegment(id) + o.segments[1] + sep + query, nil
}

// catalog holds every operation, in the order declared.
var catalog []*Operation

// declare adds an operation to the catalog.
func declare(method, template string) *Operation {
	o := &Operation{method: method, template: template, name: method + " " + template}
	o.tel = newOpTelemetry(o.name)
	rel := strings.TrimPrefix(template, "/")
	o.family, _, _ = strings.Cut(rel, "/")
	o.idAt = strings.IndexByte(rel, '{')
	if o.idAt >= 0 {
		end := strings.IndexByte(rel, '}')
		if end < o.idAt || strings.IndexByte(rel[end+1:], '{') >= 0 {
			panic("upstream: " + o.name + ": want at most one id in braces")
		}
		o.segments = [2]string{rel[:o.idAt], rel[end+1:]}
	}
	catalog = append(catalog, o)
	return o
}

// Operations returns every operation the client calls, in the reference's
// order.
func Operations() []*Operation { return append([]*Operation(nil), catalog...) }

// The 38 operations of the reference.
var (
	opGetAdminGroup             = declare(http.MethodGet, "/groups/{id}/")
	opListAdminGroups           = declare(http.MethodGet, "/groups/")
	opListConversationTemplates = declare(http.MethodGet, "/conversations/templates/")
	opGetConversationTemplate   = declare(http.MethodGet, "/conversations/templates/{id}/")
	opListConversations         = declare(http.MethodGet, "/conversations/")
	opListDepartments           = declare(http.MethodGet, "/departments/")
	opCreateDepartment          = declare(http.MethodPost, "/departments/")
	opUpdateDepartment          = declare(http.MethodPut, "/departments/{id}/")
	opDeactivateDepartment      = declare(http.MethodPost, "/departments/{id}/deactivate/")
	opReactivateDepartment      = declare(http.MethodPost, "/departments/{id}/reactivate/")
	opUpsertDepartments         = declare(http.MethodPost, "/departments/bulk/")
	opListFeedbackTemplates     = declare(http.MethodGet, "/feedback/templates/")
	opGetFeedbackTemplate       = declare(http.MethodGet, "/feedback/templates/{id}")
	opListFeedback              = declare(http.MethodGet, "/feedback/")
	opListFeedbackRequests      = declare(http.MethodGet, "/feedback/requests/")
	opGetGoal                   = declare(http.MethodGet, "/goals/{id}/")
	opUpdateGoal                = declare(http.MethodPut, "/goals/{id}/")
	opDeleteGoal                = declare(http.MethodDelete, "/goals/{id}/")
	opCreateGoal                = declare(http.MethodPost, "/goals/")
	opListGoals                 = declare(http.MethodGet, "/goals/filter/")
	opSearchGoals               = declare(http.MethodGet, "/goals/search/")
	opSearchGoalCategories      = declare(http.MethodGet, "/goals/categories/search/")
	opListGoalComments          = declare(http.MethodGet, "/goals/{id}/comments")
	opListGoalAssessments       = declare(http.MethodGet, "/goals/{id}/assessments/")
	opCheckInGoal               = declare(http.MethodPost, "/goals/{id}/checkin/")
	opListHashtags              = declare(http.MethodGet, "/hashtags/")
	opListRecognitions          = declare(http.MethodGet, "/recognitions/")
	opListReportRuns            = declare(http.MethodGet, "/report_runs/")
	opGetReportRun              = declare(http.MethodGet, "/report_runs/{id}/")
	opCreateReportRun           = declare(http.MethodPost, "/report_runs/")
	opListTeams                 = declare(http.MethodGet, "/teams/")
	opGetTeam                   = declare(http.MethodGet, "/teams/{id}/")
	opListUsers                 = declare(http.MethodGet, "/users/")
	opGetUser                   = declare(http.MethodGet, "/users/{identifier}/")
	opSearchUsers               = declare(http.MethodGet, "/users/search/")
	opUpsertUsers               = declare(http.MethodPost, "/users/bulk/")
	opAssignRoles               = declare(http.MethodPut, "/users/roles/")
	opListRoleAssignments       = declare(http.MethodGet, "/users/roles/")
)
