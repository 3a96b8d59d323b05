package sandbox

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// comment is a comment on a goal or key result.
type comment struct {
	id       int64
	uuid     string
	goalID   int64
	authorID int64
	text     string
	private  bool // seen only by its author, the goal's owners and super admins
	starred  bool
	created  time.Time
	edited   time.Time
}

// commentJSON is the comment object of the reference.
type commentJSON struct {
	ID          int64     `json:"id"`
	UUID        string    `json:"uuid"`
	Created     epochTime `json:"created"`
	Edited      epochTime `json:"edited"`
	Text        string    `json:"text"`
	Author      *nameRef  `json:"author"`
	Goal        *nameRef  `json:"goal"`
	GoalOwner   ownerJSON `json:"goal_owner"`
	IsKeyResult bool      `json:"is_key_result"`
}

// commentJSON renders cm with its goal and the goal's owner.
func (st *store) commentJSON(cm *comment) commentJSON {
	out := commentJSON{
		ID: cm.id, UUID: cm.uuid, Created: epochTime(cm.created), Edited: epochTime(cm.edited), Text: cm.text,
		Author: st.userRef(cm.authorID), Goal: st.goalRef(cm.goalID),
	}
	if g := st.goals.get(cm.goalID); g != nil {
		out.GoalOwner = st.ownerJSON(g)
		out.IsKeyResult = g.isKR
	}
	return out
}

// canSeeComment reports whether u sees cm on goal g.
func (st *store) canSeeComment(u *user, g *goal, cm *comment) bool {
	if !cm.private || u.role == RoleSuperAdmin || u.id == cm.authorID {
		return true
	}
	a, b := st.goalOwners(g)
	return u.id == a || u.id == b
}

// listComments serves GET /goals/{id}/comments (with or without the
// trailing slash). Comments come newest first. type is "private" or
// "starred" (anything else 400); latest_time (Unix seconds, or an ISO
// date-time) keeps comments created strictly before it; size defaults to
// and is capped at 10. The page is a cursor: the next page is the same
// request with latest_time set to the last comment's created time. The
// answer is {results, more} with no nextUrl, as the reference's example
// shows it: latest_time is the only way on, so a client written against
// the sandbox pages the way the reference documents. page is not a
// parameter of this endpoint and is ignored.
func (s *Sandbox) listComments(c *call) reply {
	size, apiErr := parseSize(c.q, limitsComments)
	if apiErr != nil {
		return apiErr.reply()
	}
	kind := c.q.Get("type")
	if kind != "" && kind != "private" && kind != "starred" {
		return fieldError("type", `"`+kind+`" is not a valid choice. Use private or starred.`).reply()
	}
	var latest time.Time
	if v := c.q.Get("latest_time"); v != "" {
		t, okTime := parseInstant(v)
		if !okTime {
			return fieldError("latest_time", "Use Unix seconds or an ISO 8601 date-time.").reply()
		}
		latest = t
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	me := st.users.get(c.caller)
	g, apiErr := st.visibleGoal(me, c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	var matched []*comment
	for _, cm := range st.commentsByGoal[g.id] {
		switch {
		case !st.canSeeComment(me, g, cm):
		case kind == "private" && !cm.private, kind == "starred" && !cm.starred:
		case !latest.IsZero() && !cm.created.Before(latest):
		default:
			matched = append(matched, cm)
		}
	}
	slices.Reverse(matched)
	more := len(matched) > size
	matched = matched[:min(size, len(matched))]
	out := commentListJSON{Results: make([]commentJSON, len(matched)), More: more}
	for i, cm := range matched {
		out.Results[i] = st.commentJSON(cm)
	}
	return ok(out)
}

// commentListJSON is the envelope of Goal Comments: the reference's
// example has results and more, and no nextUrl.
type commentListJSON struct {
	Results []commentJSON `json:"results"`
	More    bool          `json:"more"`
}

// parseInstant reads Unix seconds (with a fraction) or an ISO 8601 date or
// date-time.
func parseInstant(v string) (time.Time, bool) {
	if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
			return time.Time{}, false
		}
		return time.UnixMicro(int64(math.Round(f * 1e6))).UTC(), true
	}
	return parseISOBound(v, false)
}
