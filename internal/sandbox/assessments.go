package sandbox

import "time"

// assessment is a scored review of a goal or key result.
type assessment struct {
	id        int64
	uuid      string
	goalID    int64
	createdBy int64
	comment   string
	score     float64 // 0..1
	created   time.Time
	edited    time.Time
}

// assessmentJSON is the assessment object of the reference.
type assessmentJSON struct {
	ID        int64     `json:"id"`
	UUID      string    `json:"uuid"`
	Created   epochTime `json:"created"`
	Edited    epochTime `json:"edited"`
	CreatedBy *nameRef  `json:"created_by"`
	GoalID    int64     `json:"goal_id"`
	Comment   string    `json:"comment"`
	Score     float64   `json:"score"`
}

// listAssessments serves GET /goals/{id}/assessments/: a bare JSON array
// (no envelope, no pagination), as the reference shows, in id order.
func (s *Sandbox) listAssessments(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	g, apiErr := st.visibleGoal(st.users.get(c.caller), c.id)
	if apiErr != nil {
		return apiErr.reply()
	}
	items := st.assessByGoal[g.id]
	out := make([]assessmentJSON, len(items))
	for i, a := range items {
		out[i] = assessmentJSON{
			ID: a.id, UUID: a.uuid, Created: epochTime(a.created), Edited: epochTime(a.edited),
			CreatedBy: st.userRef(a.createdBy), GoalID: a.goalID, Comment: a.comment, Score: a.score,
		}
	}
	return ok(out)
}
