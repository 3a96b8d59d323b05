package sandbox

import (
	"strings"
	"time"
)

// category is a goal category.
type category struct {
	id        int64
	uuid      string
	name      string
	created   time.Time
	createdBy int64
	updated   time.Time
	updatedBy int64
}

// categoryJSON is the goal category object of the reference.
type categoryJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Updated     epochTime `json:"updated"`
	UpdatedByID int64     `json:"updated_by_id"`
	Created     epochTime `json:"created"`
	CreatedByID int64     `json:"created_by_id"`
}

// searchCategories serves GET /goals/categories/search/: q (optional)
// keeps categories whose name contains it, without regard to case. Page
// size default 20, maximum 100 (unstated in the reference); id order.
func (s *Sandbox) searchCategories(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	q := strings.ToLower(strings.TrimSpace(c.q.Get("q")))
	s.mu.RLock()
	defer s.mu.RUnlock()
	var matched []*category
	for _, cat := range s.st.categories.all() {
		if strings.Contains(strings.ToLower(cat.name), q) {
			matched = append(matched, cat)
		}
	}
	return ok(listPage("/goals/categories/search/", c.q, p, matched, func(cat *category) categoryJSON {
		return categoryJSON{
			ID: cat.id, Name: cat.name, Updated: epochTime(cat.updated), UpdatedByID: cat.updatedBy,
			Created: epochTime(cat.created), CreatedByID: cat.createdBy,
		}
	}))
}
