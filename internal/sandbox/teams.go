package sandbox

import "time"

// team is a cross-department group of people ("dotted line" structure).
type team struct {
	id         int64
	uuid       string
	name       string
	active     bool
	members    []int64 // user ids, ascending
	createdOn  time.Time
	modifiedOn time.Time
}

// teamJSON is the team object of the reference ("Get Team").
type teamJSON struct {
	ID          int64       `json:"id"`
	UUID        string      `json:"uuid"`
	Name        string      `json:"name"`
	PictureURIs pictureURIs `json:"picture_uris"`
	IsActive    bool        `json:"is_active"`
	CreatedOn   rfcTime     `json:"created_on"`
	ModifiedOn  rfcTime     `json:"modified_on"`
	Members     []nameRef   `json:"members"`
}

// teamJSON renders t with its members.
func (st *store) teamJSON(t *team) teamJSON {
	return teamJSON{
		ID: t.id, UUID: t.uuid, Name: t.name, PictureURIs: pictures("teams", t.id), IsActive: t.active,
		CreatedOn: rfcTime(t.createdOn), ModifiedOn: rfcTime(t.modifiedOn), Members: st.userRefs(t.members),
	}
}

// teamOwnerJSON is a team as a goal's owner.team, without members.
type teamOwnerJSON struct {
	ID          int64       `json:"id"`
	UUID        string      `json:"uuid"`
	Name        string      `json:"name"`
	PictureURIs pictureURIs `json:"picture_uris"`
	IsActive    bool        `json:"is_active"`
	CreatedOn   rfcTime     `json:"created_on"`
	ModifiedOn  rfcTime     `json:"modified_on"`
}

// teamOwnerJSON returns team id as a goal owner, or nil.
func (st *store) teamOwnerJSON(id int64) *teamOwnerJSON {
	t := st.teams.get(id)
	if t == nil {
		return nil
	}
	return &teamOwnerJSON{
		ID: t.id, UUID: t.uuid, Name: t.name, PictureURIs: pictures("teams", t.id), IsActive: t.active,
		CreatedOn: rfcTime(t.createdOn), ModifiedOn: rfcTime(t.modifiedOn),
	}
}

// isMember reports whether user id belongs to t.
func (t *team) isMember(id int64) bool {
	for _, m := range t.members {
		if m == id {
			return true
		}
	}
	return false
}

// listTeams serves GET /teams/: type is "myteams" (default: the teams the
// caller belongs to) or "allteams", anything else 400; delta filters; page
// size default 20, maximum 100 (unstated in the reference). Every role may
// read teams.
func (s *Sandbox) listTeams(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	kind := c.q.Get("type")
	if kind == "" {
		kind = "myteams"
	}
	if kind != "myteams" && kind != "allteams" {
		return fieldError("type", `"`+kind+`" is not a valid choice. Use myteams or allteams.`).reply()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	var matched []*team
	for _, t := range st.teams.all() {
		if kind == "myteams" && !t.isMember(c.caller) {
			continue
		}
		if delta.contains(t.modifiedOn) {
			matched = append(matched, t)
		}
	}
	return ok(listPage("/teams/", c.q, p, matched, st.teamJSON))
}

// getTeam serves GET /teams/{id}/. The reference types id as Integer, so a
// UUID answers 404.
func (s *Sandbox) getTeam(c *call) reply {
	return getOne(s, c, false, func(st *store) *table[team] { return &st.teams }, (*store).teamJSON)
}
