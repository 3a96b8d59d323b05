package sandbox

import (
	"sort"
	"time"
)

// hashtag is a hashtag used in recognitions.
type hashtag struct {
	id         int64
	name       string // without "#"
	createdOn  time.Time
	modifiedOn time.Time
}

// hashtagJSON is the hashtag object of the reference.
type hashtagJSON struct {
	Name       string  `json:"name"`
	ID         int64   `json:"id"`
	CreatedOn  rfcTime `json:"created_on"`
	ModifiedOn rfcTime `json:"modified_on"`
}

// listHashtags serves GET /hashtags/: ordered by name (then id), as the
// reference says; delta filters; page size default 20, maximum 100
// (unstated in the reference). Every role may read hashtags.
func (s *Sandbox) listHashtags(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var matched []*hashtag
	for _, h := range s.st.hashtags.all() {
		if delta.contains(h.modifiedOn) {
			matched = append(matched, h)
		}
	}
	sort.SliceStable(matched, func(i, j int) bool {
		if matched[i].name != matched[j].name {
			return matched[i].name < matched[j].name
		}
		return matched[i].id < matched[j].id
	})
	return ok(listPage("/hashtags/", c.q, p, matched, func(h *hashtag) hashtagJSON {
		return hashtagJSON{Name: h.name, ID: h.id, CreatedOn: rfcTime(h.createdOn), ModifiedOn: rfcTime(h.modifiedOn)}
	}))
}
