package upstream

import (
	"context"
	"encoding/json"
	"net/url"
	"time"
)

// AdminGroup is a Betterworks admin group: a cohort of users that Super
// Admins define, mostly to schedule conversation cycles.
type AdminGroup struct {
	ID       int64  `json:"id"`
	UUID     string `json:"uuid"`
	Name     string `json:"name"`
	IsActive bool   `json:"is_active"`
	// TemplateUsage reports whether the group may be used in conversation
	// templates.
	TemplateUsage bool `json:"template_usage"`
	// LastEdited is when the group's definition was last edited (the
	// upstream sends epoch seconds).
	LastEdited Time `json:"last_edited"`
	// LastEditedBy is nil when the upstream sends null.
	LastEditedBy *UserRef `json:"last_edited_by"`
	MemberCount  int      `json:"member_count"`
	// Attributes are the rules that select members by user property.
	Attributes []AdminGroupAttribute `json:"attributes"`
	// AdditionalMembers are members in addition to those the rules select.
	AdditionalMembers []UserRef `json:"additional_members"`
	CreatedOn         Time      `json:"created_on"`
	ModifiedOn        Time      `json:"modified_on"`
}

// AdminGroupAttribute is one membership rule of an admin group.
type AdminGroupAttribute struct {
	// Operation is what the rule does, such as "exclude".
	Operation string `json:"operation"`
	// Property is the user property tested, such as "custom-01".
	Property string `json:"property"`
	// Value is the values the rule matches, kept as raw JSON: the
	// reference shows a list of {id, uuid, name} objects, but the shape
	// depends on the property, and one unexpected shape must not fail a
	// whole response. Nil when absent.
	Value json.RawMessage `json:"value"`
}

// AdminGroupRef is the short form of an admin group the upstream embeds in
// role assignments. UUID is empty where the upstream omits it.
type AdminGroupRef struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// AdminGroupFilter selects admin groups in List Admin Groups. A zero field
// is not sent.
type AdminGroupFilter struct {
	// DeltaStart keeps groups modified at or after it (delta_start).
	DeltaStart time.Time
	// DeltaEnd keeps groups modified at or before it (delta_end).
	DeltaEnd time.Time
}

// ListAdminGroups fetches one page of admin groups (default 20, at most 100
// per page upstream).
func (c *Client) ListAdminGroups(ctx context.Context, token Token, filter AdminGroupFilter, page PageRequest) (*Page[AdminGroup], error) {
	q := url.Values{}
	page.encode(q)
	setDelta(q, filter.DeltaStart, filter.DeltaEnd)
	return fetchPage[AdminGroup](ctx, c, token, call{op: opListAdminGroups, query: q}, page)
}

// GetAdminGroup fetches one admin group by id or UUID.
func (c *Client) GetAdminGroup(ctx context.Context, token Token, id string) (*AdminGroup, error) {
	return fetch[AdminGroup](ctx, c, token, call{op: opGetAdminGroup, id: id})
}
