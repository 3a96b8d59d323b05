package upstream

import (
	"net/url"
	"strconv"
	"time"
)

// The query encoders below share one rule: a zero value is not sent.

// deltaLayout is the extended ISO form the delta filters accept.
const deltaLayout = "2006-01-02T15:04:05.999999Z07:00"

func setNonEmpty(q url.Values, name, value string) {
	if value != "" {
		q.Set(name, value)
	}
}

// setYesNo sends a tri-state boolean the way the goal filter reads it.
func setYesNo(q url.Values, name string, v *bool) {
	if v == nil {
		return
	}
	if *v {
		q.Set(name, "yes")
	} else {
		q.Set(name, "no")
	}
}

// setBool sends a tri-state boolean as true or false.
func setBool(q url.Values, name string, v *bool) {
	if v == nil {
		return
	}
	if *v {
		q.Set(name, "true")
	} else {
		q.Set(name, "false")
	}
}

// setID sends an integer id unless it is zero.
func setID(q url.Values, name string, id int64) {
	if id != 0 {
		q.Set(name, strconv.FormatInt(id, 10))
	}
}

// setFlag sends a flag only when it is set.
func setFlag(q url.Values, name string, v bool) {
	if v {
		q.Set(name, "true")
	}
}

// setDelta sends delta_start and delta_end in UTC.
func setDelta(q url.Values, start, end time.Time) {
	if !start.IsZero() {
		q.Set("delta_start", start.UTC().Format(deltaLayout))
	}
	if !end.IsZero() {
		q.Set("delta_end", end.UTC().Format(deltaLayout))
	}
}

func setRelation(q url.Values, name string, r *Relation) {
	if r == nil {
		return
	}
	q.Set(name, r.ID)
	if r.Direct {
		q.Set(name+"__direct", "yes")
	}
	if r.Negate {
		q.Set(name+"__negate", "yes")
	}
}

func setDateRange(q url.Values, name string, r *DateRange) error {
	if r == nil {
		return nil
	}
	start, err := ParseUSDate(r.Start)
	if err != nil {
		return err
	}
	end, err := ParseUSDate(r.End)
	if err != nil {
		return err
	}
	q.Set(name, start.String()+"-"+end.String())
	if r.Negate {
		q.Set(name+"__negate", "yes")
	}
	return nil
}
