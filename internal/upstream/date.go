package upstream

import (
	"encoding/json"
	"fmt"
	"time"
)

// USDate is a calendar date in the form the goal writes and goal filters
// read: MM/DD/YYYY. Everywhere else the upstream uses YYYY-MM-DD, as does
// this package's API.
type USDate struct{ t time.Time }

// ParseUSDate reads a YYYY-MM-DD date (the facade's one date form) for a
// goal write or filter. It rejects dates that do not exist.
func ParseUSDate(iso string) (USDate, error) {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil || t.Year() < 1 {
		// Year 0000 parses, but no date of the upstream's has it.
		return USDate{}, fmt.Errorf("date %q is not a valid YYYY-MM-DD date", iso)
	}
	return USDate{t: t}, nil
}

// String returns the date as MM/DD/YYYY.
func (d USDate) String() string { return d.t.Format("01/02/2006") }

// MarshalJSON implements json.Marshaler.
func (d USDate) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }
