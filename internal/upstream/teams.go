package upstream

import (
	"context"
	"net/url"
	"time"
)

// Team associations List Teams accepts in its type parameter.
const (
	// TeamTypeMyTeams lists the calling user's teams (the upstream default).
	TeamTypeMyTeams = "myteams"
	// TeamTypeAllTeams lists every team the calling user may see.
	TeamTypeAllTeams = "allteams"
)

// Team is a Betterworks team: users from any departments working together.
type Team struct {
	ID          int64       `json:"id"`
	UUID        string      `json:"uuid"`
	Name        string      `json:"name"`
	PictureURIs PictureURIs `json:"picture_uris"`
	IsActive    bool        `json:"is_active"`
	CreatedOn   Time        `json:"created_on"`
	ModifiedOn  Time        `json:"modified_on"`
	Members     []UserRef   `json:"members"`
}

// TeamFilter selects teams in List Teams. A zero field is not sent.
type TeamFilter struct {
	// Type is TeamTypeMyTeams or TeamTypeAllTeams.
	Type string
	// DeltaStart keeps teams modified at or after it (delta_start).
	DeltaStart time.Time
	// DeltaEnd keeps teams modified at or before it (delta_end).
	DeltaEnd time.Time
}

// ListTeams fetches one page of teams.
func (c *Client) ListTeams(ctx context.Context, token Token, filter TeamFilter, page PageRequest) (*Page[Team], error) {
	q := url.Values{}
	page.encode(q)
	setNonEmpty(q, "type", filter.Type)
	setDelta(q, filter.DeltaStart, filter.DeltaEnd)
	return fetchPage[Team](ctx, c, token, call{op: opListTeams, query: q}, page)
}

// GetTeam fetches one team by its integer id.
func (c *Client) GetTeam(ctx context.Context, token Token, id string) (*Team, error) {
	return fetch[Team](ctx, c, token, call{op: opGetTeam, id: id})
}
