package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Goal is a goal or milestone (key result) as GET /goals/{id}/ and the goal
// lists return it. Milestones have IsKeyResult set.
type Goal struct {
	ID          int64  `json:"id"`
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description"`
	IsKeyResult bool   `json:"is_key_result"`
	// Start and End are calendar dates, YYYY-MM-DD.
	Start       string       `json:"start"`
	End         string       `json:"end"`
	Measurement *Measurement `json:"measurement"`
	Owner       *GoalOwner   `json:"owner"`
	Parent      *GoalRef     `json:"parent"`
	Children    []GoalRef    `json:"children"`
	Updated     Time         `json:"updated"`
	UpdatedBy   *UserRef     `json:"updated_by"`
	// Visibility is "public" or "private".
	Visibility string `json:"visibility"`
	// Integration names the integration feeding the goal; empty for none.
	Integration    string        `json:"integration"`
	Stats          *GoalStats    `json:"stats"`
	Categories     []CategoryRef `json:"categories"`
	AttributeType  Attribute     `json:"attribute_type"`
	AttributeScope Attribute     `json:"attribute_scope"`
	Created        Time          `json:"created"`
	CreatedBy      *UserRef      `json:"created_by"`
	LastCheckedIn  Time          `json:"last_checkedin"`
	// LastCheckedInBy is who last checked in progress; nil if nobody has.
	LastCheckedInBy *UserRef `json:"last_checkedin_by"`
	CreatedOn       Time     `json:"created_on"`
	ModifiedOn      Time     `json:"modified_on"`
}

// Measurement says how a goal's progress is measured. Pointers are nil
// where the upstream sends null.
type Measurement struct {
	// Progress is a fraction, 0 to 1.
	Progress   float64  `json:"progress"`
	Initial    *float64 `json:"initial"`
	Target     *float64 `json:"target"`
	Unit       string   `json:"unit"`
	Done       bool     `json:"done"`
	LowerLimit *float64 `json:"lower_limit"`
	LowerMid   *float64 `json:"lower_mid"`
	UpperLimit *float64 `json:"upper_limit"`
	UpperMid   *float64 `json:"upper_mid"`
	Current    *float64 `json:"current"`
	Updated    Time     `json:"updated"`
	UpdatedBy  *UserRef `json:"updated_by"`
	// Type is avgofprogress, sumofcurrent, sumofrange, manualprogress,
	// binary, numeric or range.
	Type string `json:"type"`
	// Expected is the progress expected by now, 0 to 1.
	Expected *float64 `json:"expected"`
	// Condition is green, yellow or red.
	Condition string `json:"condition"`
	IsBinary  bool   `json:"is_binary"`
	IsNumeric bool   `json:"is_numeric"`
}

// GoalStats counts the activity on a goal.
type GoalStats struct {
	Comments     int64 `json:"comments"`
	Cheers       int64 `json:"cheers"`
	Nudges       int64 `json:"nudges"`
	Views        int64 `json:"views"`
	LastAssessed Time  `json:"last_assessed"`
}

// CategoryRef is the short form of a goal category.
type CategoryRef struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// Category is a goal category as the category search returns it.
type Category struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Updated     Time   `json:"updated"`
	UpdatedByID int64  `json:"updated_by_id"`
	Created     Time   `json:"created"`
	CreatedByID int64  `json:"created_by_id"`
}

// Comment is a comment on a goal.
type Comment struct {
	ID          int64      `json:"id"`
	UUID        string     `json:"uuid"`
	Created     Time       `json:"created"`
	Edited      Time       `json:"edited"`
	Text        string     `json:"text"`
	Author      *UserRef   `json:"author"`
	Goal        *GoalRef   `json:"goal"`
	GoalOwner   *GoalOwner `json:"goal_owner"`
	IsKeyResult bool       `json:"is_key_result"`
}

// Assessment is an assessment of a goal with its score.
type Assessment struct {
	ID        int64    `json:"id"`
	UUID      string   `json:"uuid"`
	Created   Time     `json:"created"`
	Edited    Time     `json:"edited"`
	CreatedBy *UserRef `json:"created_by"`
	GoalID    int64    `json:"goal_id"`
	Comment   string   `json:"comment"`
	// Score is a fraction, 0 to 1.
	Score float64 `json:"score"`
}

// Attribute is a goal's type or scope attribute. Answers carry its numeric
// id (1 committed, 2 aspirational; 1 business, 2 personal, 3 developmental);
// a name is kept in Name should the upstream send one instead. Null is the
// zero Attribute.
type Attribute struct {
	ID   int64
	Name string
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *Attribute) UnmarshalJSON(b []byte) error {
	*a = Attribute{}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			a.ID = id
			return nil
		}
		a.Name = s
		return nil
	}
	// A number: the JSON decoder has checked its syntax, so strconv reads
	// it as encoding/json would, without a second decoder.
	id, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("attribute %s is not an integer id", b)
	}
	a.ID = id
	return nil
}

// GetGoal fetches one goal or milestone by id or UUID.
func (c *Client) GetGoal(ctx context.Context, token Token, id string) (*Goal, error) {
	return fetch[Goal](ctx, c, token, call{op: opGetGoal, id: id})
}

// Relation filters goals by their relation to a user or goal, with the
// upstream's modifiers.
type Relation struct {
	// ID is the user's or goal's id or UUID.
	ID string
	// Direct keeps only the direct relation (sent as <param>__direct=yes).
	Direct bool
	// Negate inverts the filter (sent as <param>__negate=yes).
	Negate bool
}

// DateRange is an inclusive range of days, sent as MM/DD/YYYY-MM/DD/YYYY.
type DateRange struct {
	// Start and End are YYYY-MM-DD.
	Start, End string
	// Negate inverts the filter (sent as <param>__negate=yes).
	Negate bool
}

// GoalFilter holds the query parameters of GET /goals/filter/. A zero field
// is not sent. The reference does not spell its modifiers; the facade sends
// "<param>__direct=yes", "<param>__negate=yes" and
// "category__intersect=yes", and an empty value for "none".
type GoalFilter struct {
	Owner          *Relation
	AlignedToGoal  *Relation
	AlignedToOwner *Relation
	ReportsTo      *Relation
	// TeamOnly is sent as yes or no.
	TeamOnly *bool
	// Group is a department id or UUID; a pointer to "" selects goals in no
	// department.
	Group *string
	// Visibility is public or private.
	Visibility string
	// Permission is can_edit or can_only_view.
	Permission string
	Following  *bool
	// Categories are ids or UUIDs, matched as a union unless
	// CategoryIntersect is set.
	Categories        []string
	CategoryIntersect bool
	// Uncategorized selects goals in no category.
	Uncategorized bool
	Assessed      *bool
	// Risk is ontrack, needsattention or atrisk.
	Risk string
	// Integration is salesforce, jira or tableau; a pointer to "" selects
	// goals fed by none.
	Integration *string
	// Unit is a milestone unit; a pointer to "" selects goals with none.
	Unit              *string
	TopCompanyGoal    *bool
	GoalName          string
	DateRange         *DateRange
	UpdatedSince      *DateRange
	ViewedByOwnerDate *DateRange
	// DeltaStart and DeltaEnd bound modified_on, inclusive; zero is unset.
	DeltaStart, DeltaEnd time.Time
}

func (f *GoalFilter) encode() (url.Values, error) {
	q := url.Values{}
	setRelation(q, "owner", f.Owner)
	setRelation(q, "aligned_to_goal", f.AlignedToGoal)
	setRelation(q, "aligned_to_owner", f.AlignedToOwner)
	setRelation(q, "reports_to", f.ReportsTo)
	setYesNo(q, "team_only", f.TeamOnly)
	if f.Group != nil {
		q.Set("group", *f.Group)
	}
	setNonEmpty(q, "visibility", f.Visibility)
	setNonEmpty(q, "permission", f.Permission)
	setYesNo(q, "following", f.Following)
	switch {
	case f.Uncategorized:
		q.Set("category", "")
	default:
		for _, id := range f.Categories {
			q.Add("category", id)
		}
		if f.CategoryIntersect {
			q.Set("category__intersect", "yes")
		}
	}
	setYesNo(q, "assessment", f.Assessed)
	setNonEmpty(q, "risk", f.Risk)
	if f.Integration != nil {
		q.Set("integration", *f.Integration)
	}
	if f.Unit != nil {
		q.Set("unit", *f.Unit)
	}
	setYesNo(q, "top_company_goal", f.TopCompanyGoal)
	setNonEmpty(q, "goal_name", f.GoalName)
	for _, r := range []struct {
		name string
		dr   *DateRange
	}{
		{"date_range", f.DateRange},
		{"updated_since", f.UpdatedSince},
		{"viewed_by_owner_date", f.ViewedByOwnerDate},
	} {
		if err := setDateRange(q, r.name, r.dr); err != nil {
			return nil, err
		}
	}
	setDelta(q, f.DeltaStart, f.DeltaEnd)
	return q, nil
}

// ListGoals fetches one page of the goals matching f.
func (c *Client) ListGoals(ctx context.Context, token Token, f GoalFilter, page PageRequest) (*Page[Goal], error) {
	q, err := f.encode()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", opListGoals, ErrInvalidRequest, err)
	}
	page.encode(q)
	return fetchPage[Goal](ctx, c, token, call{op: opListGoals, query: q}, page)
}

// GoalSearch holds the query parameters of GET /goals/search/.
type GoalSearch struct {
	// Query is matched against goal names; at least 3 characters.
	Query string
	// Visibility is public or private; empty is any.
	Visibility string
	// GoalType is avgofprogress, sumofcurrent or sumofrange; empty is any.
	GoalType string
	// The flags are sent as <flag>=true when set.
	NotDue, Current, CurrentStale, Future bool
}

// SearchGoals fetches one page of the goals whose name matches s.Query.
func (c *Client) SearchGoals(ctx context.Context, token Token, s GoalSearch, page PageRequest) (*Page[Goal], error) {
	q := url.Values{"q": {s.Query}}
	setNonEmpty(q, "visibility", s.Visibility)
	setNonEmpty(q, "goal_type", s.GoalType)
	setFlag(q, "not_due", s.NotDue)
	setFlag(q, "current", s.Current)
	setFlag(q, "current_stale", s.CurrentStale)
	setFlag(q, "future", s.Future)
	page.encode(q)
	return fetchPage[Goal](ctx, c, token, call{op: opSearchGoals, query: q}, page)
}

// SearchGoalCategories fetches one page of the categories whose name
// matches query; an empty query matches all.
func (c *Client) SearchGoalCategories(ctx context.Context, token Token, query string, page PageRequest) (*Page[Category], error) {
	q := url.Values{}
	setNonEmpty(q, "q", query)
	page.encode(q)
	return fetchPage[Category](ctx, c, token, call{op: opSearchGoalCategories, query: q}, page)
}

// CommentFilter holds the query parameters of GET /goals/{id}/comments.
type CommentFilter struct {
	// Type is private or starred; empty is every comment.
	Type string
	// LatestTime keeps comments made before it; zero is unset. It is sent
	// as epoch seconds, the upstream's timestamp form.
	LatestTime time.Time
}

// ListGoalComments fetches one page of the comments on goal id.
func (c *Client) ListGoalComments(ctx context.Context, token Token, id string, f CommentFilter, page PageRequest) (*Page[Comment], error) {
	q := url.Values{}
	setNonEmpty(q, "type", f.Type)
	if !f.LatestTime.IsZero() {
		q.Set("latest_time", strconv.FormatFloat(float64(f.LatestTime.UnixMicro())/1e6, 'f', 6, 64))
	}
	page.encode(q)
	return fetchPage[Comment](ctx, c, token, call{op: opListGoalComments, id: id, query: q}, page)
}

// ListGoalAssessments fetches every assessment of goal id. The upstream
// answers a bare array, not a page.
func (c *Client) ListGoalAssessments(ctx context.Context, token Token, id string) ([]Assessment, error) {
	var out []Assessment
	err := c.do(ctx, token, call{op: opListGoalAssessments, id: id}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Owner names the owning user in goal writes.
type Owner struct {
	// UserID is the user's id or UUID.
	UserID string `json:"user_id"`
}

// GoalCreate is the payload of POST /goals/. Dates are USDate, which the
// goal writes read as MM/DD/YYYY.
type GoalCreate struct {
	Owner       Owner  `json:"owner"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Parent is the id or UUID of the goal to align to.
	Parent string `json:"parent,omitempty"`
	Start  USDate `json:"start"`
	End    USDate `json:"end"`
	// Categories are category ids or UUIDs.
	Categories []string `json:"categories,omitempty"`
	// Visibility is public or private.
	Visibility string `json:"visibility"`
	// CreationSource is manual, converted or default.
	CreationSource string           `json:"creation_source"`
	KeyResults     []KeyResultWrite `json:"key_results,omitempty"`
	// Type is avgofprogress, sumofcurrent, sumofrange or manualprogress.
	Type string `json:"type"`
	Unit string `json:"unit,omitempty"`
	MeasurementWrite
	// AttributeScope is business, personal or developmental.
	AttributeScope string `json:"attribute_scope,omitempty"`
	// AttributeType is committed or aspirational.
	AttributeType string `json:"attribute_type,omitempty"`
}

// GoalUpdate is the payload of PUT /goals/{id}/. Nil and empty fields are
// not sent, so they keep their values.
type GoalUpdate struct {
	Owner       *Owner           `json:"owner,omitempty"`
	Name        *string          `json:"name,omitempty"`
	Parent      *string          `json:"parent,omitempty"`
	Visibility  string           `json:"visibility,omitempty"`
	Description *string          `json:"description,omitempty"`
	Start       *USDate          `json:"start,omitempty"`
	End         *USDate          `json:"end,omitempty"`
	KeyResults  []KeyResultWrite `json:"key_results,omitempty"`
	Unit        *string          `json:"unit,omitempty"`
	MeasurementWrite
	// Type is avgofprogress, sumofcurrent, sumofrange or manualprogress.
	Type           string `json:"type,omitempty"`
	AttributeScope string `json:"attribute_scope,omitempty"`
	AttributeType  string `json:"attribute_type,omitempty"`
}

// KeyResultWrite is a key result in a goal write: created with a new goal,
// or created, updated or deleted by an update. Nil and empty fields are not
// sent.
type KeyResultWrite struct {
	// ID is the key result's id or UUID.
	ID     string  `json:"id,omitempty"`
	Create bool    `json:"create,omitempty"`
	Delete bool    `json:"delete,omitempty"`
	Owner  *Owner  `json:"owner,omitempty"`
	Name   *string `json:"name,omitempty"`
	Start  *USDate `json:"start,omitempty"`
	End    *USDate `json:"end,omitempty"`
	// Type is binary, numeric or range.
	Type string  `json:"type,omitempty"`
	Unit *string `json:"unit,omitempty"`
	MeasurementWrite
	AttributeScope string `json:"attribute_scope,omitempty"`
	AttributeType  string `json:"attribute_type,omitempty"`
}

// MeasurementWrite holds the numbers of a goal or key result write: the target
// and starting value, a range's four limits, and whether the target is the
// sum of the key results'. Nil fields are not sent.
type MeasurementWrite struct {
	Target     *float64 `json:"target,omitempty"`
	Initial    *float64 `json:"initial,omitempty"`
	LowerLimit *int64   `json:"lower_limit,omitempty"`
	LowerMid   *int64   `json:"lower_mid,omitempty"`
	UpperLimit *int64   `json:"upper_limit,omitempty"`
	UpperMid   *int64   `json:"upper_mid,omitempty"`
	AutoTarget *bool    `json:"auto_target,omitempty"`
}

// CreateGoal creates a goal and returns it as the upstream stored it.
func (c *Client) CreateGoal(ctx context.Context, token Token, in *GoalCreate) (*Goal, error) {
	return fetch[Goal](ctx, c, token, call{op: opCreateGoal, body: in})
}

// UpdateGoal changes goal or key result id and returns it.
func (c *Client) UpdateGoal(ctx context.Context, token Token, id string, in *GoalUpdate) (*Goal, error) {
	return fetch[Goal](ctx, c, token, call{op: opUpdateGoal, id: id, body: in})
}

// DeleteGoal deletes goal or milestone id.
func (c *Client) DeleteGoal(ctx context.Context, token Token, id string) error {
	return c.do(ctx, token, call{op: opDeleteGoal, id: id}, nil)
}

// CheckIn is the payload of POST /goals/{id}/checkin/: Done for a binary
// milestone, or Value (and optionally Target) for a metric milestone.
type CheckIn struct {
	Done   *bool    `json:"done,omitempty"`
	Value  *float64 `json:"value,omitempty"`
	Target *float64 `json:"target,omitempty"`
}

// CheckInGoal records progress on milestone id and returns its parent goal.
func (c *Client) CheckInGoal(ctx context.Context, token Token, id string, in *CheckIn) (*Goal, error) {
	return fetch[Goal](ctx, c, token, call{op: opCheckInGoal, id: id, body: in})
}
