package sandbox

import "strings"

// GoalNames counts the goals (not key results) whose name starts with
// prefix, by name: a test that created goals under unique names finds
// the ones created twice without listing the goals page by page. A name
// absent from the map names no goal; an empty prefix counts every goal.
// Deleted goals are not counted.
func (s *Sandbox) GoalNames(prefix string) map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]int{}
	for _, g := range s.st.goals.all() {
		if !g.isKR && strings.HasPrefix(g.name, prefix) {
			out[g.name]++
		}
	}
	return out
}
