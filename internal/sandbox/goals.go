package sandbox

import (
	"net/http"
	"time"
)

// goal is a goal or, with isKR set, a milestone (key result). Key results
// are goals with is_key_result true whose parent is their goal; other
// children of a goal are goals aligned to it. Both count toward the parent's
// progress.
type goal struct {
	id          int64
	uuid        string
	name        string
	description string
	isKR        bool
	start, end  time.Time // calendar dates, midnight UTC
	m           measurement
	ownerUser   int64 // always set
	ownerGroup  int64 // department, or 0
	ownerTeam   int64 // team, or 0
	parentID    int64 // 0: not aligned
	children    []int64
	visibility  string // public or private; key results follow their goal
	integration string // "" is null
	cheers      int
	nudges      int
	views       int
	categories  []int64
	attrType    int // 1 committed, 2 aspirational; 0 null
	attrScope   int // 1 business, 2 personal, 3 developmental; 0 null
	autoTarget  bool
	source      string // creation_source: manual, converted or default
	topCompany  bool   // a top company goal (filter top_company_goal)
	followers   []int64
	// viewedByOwner is when the owner last opened the goal (filter viewed_by_owner_date).
	viewedByOwner   time.Time
	created         time.Time
	createdBy       int64
	updated         time.Time
	updatedBy       int64
	lastCheckedIn   time.Time
	lastCheckedInBy int64
	createdOn       time.Time
	modifiedOn      time.Time
}

// measurement is how a goal measures progress. For goals, kind is one of
// avgofprogress, sumofcurrent, sumofrange and manualprogress; for key
// results, binary, numeric and range. A nil number is null.
type measurement struct {
	kind       string
	progress   float64 // 0..1
	initial    *float64
	target     *float64
	current    *float64
	lowerLimit *float64
	lowerMid   *float64
	upperLimit *float64
	upperMid   *float64
	unit       string
	done       bool
	expected   float64 // progress expected by now, 0..1
	condition  string  // green, yellow or red
	updated    time.Time
	updatedBy  int64
}

// Attribute names of goal create and update, and their ids in goal objects.
var (
	attrScopes = map[string]int{"business": 1, "personal": 2, "developmental": 3}
	attrTypes  = map[string]int{"committed": 1, "aspirational": 2}
)

// goalJSON is the goal object of the reference ("Get a Specific Goal").
type goalJSON struct {
	Description     string          `json:"description"`
	ID              int64           `json:"id"`
	UUID            string          `json:"uuid"`
	Name            string          `json:"name"`
	IsKeyResult     bool            `json:"is_key_result"`
	End             isoDate         `json:"end"`
	Start           isoDate         `json:"start"`
	Measurement     measurementJSON `json:"measurement"`
	Owner           ownerJSON       `json:"owner"`
	Parent          *nameRef        `json:"parent"`
	Children        []goalChildJSON `json:"children"`
	Updated         epochTime       `json:"updated"`
	UpdatedBy       *nameRef        `json:"updated_by"`
	Visibility      string          `json:"visibility"`
	Integration     *string         `json:"integration"`
	Stats           goalStatsJSON   `json:"stats"`
	Categories      []nameRef       `json:"categories"`
	AttributeType   *int            `json:"attribute_type"`
	AttributeScope  *int            `json:"attribute_scope"`
	Created         epochTime       `json:"created"`
	CreatedBy       *nameRef        `json:"created_by"`
	LastCheckedIn   epochTime       `json:"last_checkedin"`
	LastCheckedInBy *nameRef        `json:"last_checkedin_by"`
	CreatedOn       rfcTime         `json:"created_on"`
	ModifiedOn      rfcTime         `json:"modified_on"`
}

// measurementJSON is a goal's measurement object.
type measurementJSON struct {
	Progress   float64   `json:"progress"`
	Initial    *float64  `json:"initial"`
	Target     *float64  `json:"target"`
	Unit       string    `json:"unit"`
	Done       bool      `json:"done"`
	LowerLimit *float64  `json:"lower_limit"`
	LowerMid   *float64  `json:"lower_mid"`
	UpperLimit *float64  `json:"upper_limit"`
	UpperMid   *float64  `json:"upper_mid"`
	Current    *float64  `json:"current"`
	Updated    epochTime `json:"updated"`
	UpdatedBy  *nameRef  `json:"updated_by"`
	Type       string    `json:"type"`
	Expected   float64   `json:"expected"`
	Condition  string    `json:"condition"`
	IsBinary   bool      `json:"is_binary"`
	IsNumeric  bool      `json:"is_numeric"`
}

// ownerJSON is a goal's owner: a user, with the department (group) or
// team the goal belongs to, each possibly null.
type ownerJSON struct {
	User  *nameRef       `json:"user"`
	Group *groupJSON     `json:"group"`
	Team  *teamOwnerJSON `json:"team"`
}

// goalChildJSON is an entry of a goal's children.
type goalChildJSON struct {
	Name       string  `json:"name"`
	ID         int64   `json:"id"`
	UUID       string  `json:"uuid"`
	ModifiedOn rfcTime `json:"modified_on"`
}

// goalStatsJSON is a goal's stats object.
type goalStatsJSON struct {
	Comments     int       `json:"comments"`
	Cheers       int       `json:"cheers"`
	Nudges       int       `json:"nudges"`
	Views        int       `json:"views"`
	LastAssessed epochTime `json:"last_assessed"`
}

// measurementJSON renders m.
func (st *store) measurementJSON(m *measurement) measurementJSON {
	// The reference's examples flag avgofprogress goals as binary and the
	// other metric kinds as numeric; the sandbox does the same.
	binary := m.kind == "binary" || m.kind == "avgofprogress"
	return measurementJSON{
		Progress: m.progress, Initial: m.initial, Target: m.target, Unit: m.unit, Done: m.done,
		LowerLimit: m.lowerLimit, LowerMid: m.lowerMid, UpperLimit: m.upperLimit, UpperMid: m.upperMid,
		Current: m.current, Updated: epochTime(m.updated), UpdatedBy: st.userRef(m.updatedBy),
		Type: m.kind, Expected: m.expected, Condition: m.condition, IsBinary: binary, IsNumeric: !binary,
	}
}

// ownerJSON renders g's owner.
func (st *store) ownerJSON(g *goal) ownerJSON {
	return ownerJSON{User: st.userRef(g.ownerUser), Group: st.groupJSON(g.ownerGroup), Team: st.teamOwnerJSON(g.ownerTeam)}
}

// goalRef is {name, id, uuid} of goal id, or nil.
func (st *store) goalRef(id int64) *nameRef {
	g := st.goals.get(id)
	if g == nil {
		return nil
	}
	return &nameRef{Name: g.name, ID: g.id, UUID: g.uuid}
}

// goalJSON renders g for viewer: the parent and the children viewer may
// not see are left out.
func (st *store) goalJSON(g *goal, viewer *user) goalJSON {
	out := goalJSON{
		Description: g.description, ID: g.id, UUID: g.uuid, Name: g.name, IsKeyResult: g.isKR,
		End: isoDate(g.end), Start: isoDate(g.start), Measurement: st.measurementJSON(&g.m),
		Owner: st.ownerJSON(g), Children: make([]goalChildJSON, 0, len(g.children)),
		Updated: epochTime(g.updated), UpdatedBy: st.userRef(g.updatedBy), Visibility: g.visibility,
		Stats: goalStatsJSON{
			Comments: len(st.commentsByGoal[g.id]), Cheers: g.cheers, Nudges: g.nudges, Views: g.views,
			LastAssessed: epochTime(st.lastAssessed(g.id)),
		},
		Categories: make([]nameRef, 0, len(g.categories)),
		Created:    epochTime(g.created), CreatedBy: st.userRef(g.createdBy),
		LastCheckedIn: epochTime(g.lastCheckedIn), LastCheckedInBy: st.userRef(g.lastCheckedInBy),
		CreatedOn: rfcTime(g.createdOn), ModifiedOn: rfcTime(g.modifiedOn),
	}
	if p := st.goals.get(g.parentID); p != nil && st.canSeeGoal(viewer, p) {
		out.Parent = &nameRef{Name: p.name, ID: p.id, UUID: p.uuid}
	}
	for _, id := range g.children {
		if c := st.goals.get(id); c != nil && st.canSeeGoal(viewer, c) {
			out.Children = append(out.Children, goalChildJSON{Name: c.name, ID: c.id, UUID: c.uuid, ModifiedOn: rfcTime(c.modifiedOn)})
		}
	}
	if g.integration != "" {
		integration := g.integration
		out.Integration = &integration
	}
	for _, id := range g.categories {
		if cat := st.categories.get(id); cat != nil {
			out.Categories = append(out.Categories, nameRef{Name: cat.name, ID: cat.id, UUID: cat.uuid})
		}
	}
	if g.attrType != 0 {
		v := g.attrType
		out.AttributeType = &v
	}
	if g.attrScope != 0 {
		v := g.attrScope
		out.AttributeScope = &v
	}
	return out
}

// lastAssessed is the time of goal id's latest assessment, or zero.
func (st *store) lastAssessed(id int64) time.Time {
	var last time.Time
	for _, a := range st.assessByGoal[id] {
		if a.created.After(last) {
			last = a.created
		}
	}
	return last
}

// getGoal serves GET /goals/{id}/ (id or UUID, of a goal or a key result).
// A goal the caller may not see answers 404.
func (s *Sandbox) getGoal(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	me := st.users.get(c.caller)
	g, apiErr := st.visibleGoal(me, c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	return jsonReply(http.StatusOK, st.goalJSON(g, me))
}
