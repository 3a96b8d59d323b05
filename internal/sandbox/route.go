package sandbox

import (
	"net/http"
	"sort"
	"strings"
)

// apiPrefix is the path every endpoint lives under.
const apiPrefix = "/api/v1"

// handler answers one endpoint. It runs after authentication; c.caller is
// the token's user.
type handler func(s *Sandbox, c *call) reply

// route is one operation of the API.
type route struct {
	// endpoint is the operation's template as the reference writes it, such
	// as "GET /goals/{id}/". Faults and the request log name endpoints so.
	endpoint string
	method   string
	handle   handler
}

// endpoints lists the 38 operations of the reference. The path templates
// keep the reference's spelling (with or without a trailing slash); both
// spellings are accepted on every path. A segment in braces matches any
// non-empty segment; literal segments win over braces, so /goals/filter/ is
// not a goal with id "filter".
var endpoints = []route{
	{"GET /groups/{id}/", "", (*Sandbox).getGroup},
	{"GET /groups/", "", (*Sandbox).listGroups},
	{"GET /conversations/templates/", "", (*Sandbox).listConversationTemplates},
	{"GET /conversations/templates/{id}/", "", (*Sandbox).getConversationTemplate},
	{"GET /conversations/", "", (*Sandbox).listConversations},
	{"GET /departments/", "", (*Sandbox).listDepartments},
	{"POST /departments/", "", (*Sandbox).createDepartment},
	{"PUT /departments/{id}/", "", (*Sandbox).updateDepartment},
	{"POST /departments/{id}/deactivate/", "", (*Sandbox).deactivateDepartment},
	{"POST /departments/{id}/reactivate/", "", (*Sandbox).reactivateDepartment},
	{"POST /departments/bulk/", "", (*Sandbox).bulkDepartments},
	{"GET /feedback/templates/", "", (*Sandbox).listFeedbackTemplates},
	{"GET /feedback/templates/{id}", "", (*Sandbox).getFeedbackTemplate},
	{"GET /feedback/", "", (*Sandbox).listFeedback},
	{"GET /feedback/requests/", "", (*Sandbox).listFeedbackRequests},
	{"GET /goals/{id}/", "", (*Sandbox).getGoal},
	{"PUT /goals/{id}/", "", (*Sandbox).updateGoal},
	{"DELETE /goals/{id}/", "", (*Sandbox).deleteGoal},
	{"POST /goals/", "", (*Sandbox).createGoal},
	{"GET /goals/filter/", "", (*Sandbox).filterGoals},
	{"GET /goals/search/", "", (*Sandbox).searchGoals},
	{"GET /goals/categories/search/", "", (*Sandbox).searchCategories},
	{"GET /goals/{id}/comments", "", (*Sandbox).listComments},
	{"GET /goals/{id}/assessments/", "", (*Sandbox).listAssessments},
	{"POST /goals/{id}/checkin/", "", (*Sandbox).checkIn},
	{"GET /hashtags/", "", (*Sandbox).listHashtags},
	{"GET /recognitions/", "", (*Sandbox).listRecognitions},
	{"GET /report_runs/", "", (*Sandbox).listReportRuns},
	{"GET /report_runs/{id}/", "", (*Sandbox).getReportRun},
	{"POST /report_runs/", "", (*Sandbox).createReportRun},
	{"GET /teams/", "", (*Sandbox).listTeams},
	{"GET /teams/{id}/", "", (*Sandbox).getTeam},
	{"GET /users/", "", (*Sandbox).listUsers},
	{"GET /users/{identifier}/", "", (*Sandbox).getUser},
	{"GET /users/search/", "", (*Sandbox).searchUsers},
	{"POST /users/bulk/", "", (*Sandbox).bulkUsers},
	{"PUT /users/roles/", "", (*Sandbox).assignRoles},
	{"GET /users/roles/", "", (*Sandbox).listRoles},
}

// Endpoints returns the templates of the 38 operations the sandbox serves,
// such as "GET /goals/{id}/", in the reference's order. These are the
// values of Fault.Endpoint, Request.Endpoint and the argument of Count.
func Endpoints() []string {
	out := make([]string, len(endpoints))
	for i, r := range endpoints {
		out[i] = r.endpoint
	}
	return out
}

// pathPattern is one path template and the operations on it.
type pathPattern struct {
	segs     []string // "" for a parameter segment
	literals int
	methods  map[string]*route
	allow    string // the Allow header of a 405
}

// router matches request paths against the templates.
type router struct {
	patterns []*pathPattern // most literal first
}

// newRouter builds the router of endpoints.
func newRouter() *router {
	byPath := map[string]*pathPattern{}
	var order []*pathPattern
	for i := range endpoints {
		r := new(route)
		*r = endpoints[i]
		method, path, _ := strings.Cut(r.endpoint, " ")
		r.method = method
		key := strings.Trim(path, "/")
		pp := byPath[key]
		if pp == nil {
			pp = &pathPattern{methods: map[string]*route{}}
			for _, seg := range strings.Split(key, "/") {
				if strings.HasPrefix(seg, "{") {
					seg = ""
				} else {
					pp.literals++
				}
				pp.segs = append(pp.segs, seg)
			}
			byPath[key] = pp
			order = append(order, pp)
		}
		pp.methods[method] = r
	}
	for _, pp := range order {
		methods := make([]string, 0, len(pp.methods))
		for m := range pp.methods {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		pp.allow = strings.Join(methods, ", ")
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].literals > order[j].literals })
	return &router{patterns: order}
}

// match is what the router found for a request.
type match struct {
	// route is the operation, or nil when the path is unknown (404) or
	// does not allow the method (405).
	route *route
	// param is the path parameter ({id} or {identifier}), or "".
	param string
	// pattern is the path's pattern, or nil when the path is unknown.
	pattern *pathPattern
}

// match finds the operation for method and path.
func (rt *router) match(method, path string) match {
	rest, ok := strings.CutPrefix(path, apiPrefix+"/")
	if !ok {
		return match{}
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return match{}
	}
	segs := strings.Split(rest, "/")
	for _, pp := range rt.patterns {
		param, ok := pp.matches(segs)
		if !ok {
			continue
		}
		r := pp.methods[method]
		if r == nil {
			return match{pattern: pp}
		}
		return match{route: r, param: param, pattern: pp}
	}
	return match{}
}

// matches reports whether segs fit the pattern, and returns the
// parameter segment.
func (pp *pathPattern) matches(segs []string) (string, bool) {
	if len(segs) != len(pp.segs) {
		return "", false
	}
	var param string
	for i, want := range pp.segs {
		switch {
		case segs[i] == "":
			return "", false
		case want == "":
			param = segs[i]
		case want != segs[i]:
			return "", false
		}
	}
	return param, true
}

// errMethodNotAllowed is the 405 body; the caller sets the Allow header.
func errMethodNotAllowed(method string) *apiError {
	return detailError(http.StatusMethodNotAllowed, `Method "`+method+`" not allowed.`)
}
