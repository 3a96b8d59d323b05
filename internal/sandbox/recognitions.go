package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// recognition acknowledges a user's or a group's (department's) work. Its
// source is a goal comment or a shout-out.
type recognition struct {
	id            int64
	uuid          string
	authorID      int64
	forUser       int64 // 0 when for a group
	forGroup      int64 // department id, 0 when for a user
	mentioned     []int64
	hashtags      []int64
	sourceComment int64     // comment id, or 0
	shoutout      *shoutout // or nil
	created       time.Time
	createdOn     time.Time
	modifiedOn    time.Time
}

// shoutout is the text of a recognition given directly.
type shoutout struct {
	id      int64
	uuid    string
	text    string
	created time.Time
	edited  time.Time
}

// hashtagRef is a hashtag inside a recognition.
type hashtagRef struct {
	Name string `json:"name"`
	ID   int64  `json:"id"`
}

// shoutoutJSON is a recognition's shout-out; for a group, for_user_id is
// null and for_user_name the group's name.
type shoutoutJSON struct {
	ID          int64     `json:"id"`
	UUID        string    `json:"uuid"`
	ForUserID   *int64    `json:"for_user_id"`
	ForUserName string    `json:"for_user_name"`
	AuthorID    int64     `json:"author_id"`
	AuthorName  string    `json:"author_name"`
	Text        string    `json:"text"`
	Created     epochTime `json:"created"`
	Edited      epochTime `json:"edited"`
}

// recognitionSourceJSON holds a recognition's origin.
type recognitionSourceJSON struct {
	Comment  *commentJSON  `json:"comment"`
	Shoutout *shoutoutJSON `json:"shoutout"`
}

// recognitionJSON is the recognition object of the reference: for_user is
// null when the recognition is for a group, and for_group when it is for a
// user; source holds a comment or a shout-out, the other null.
type recognitionJSON struct {
	ID             int64                 `json:"id"`
	UUID           string                `json:"uuid"`
	Author         *nameRef              `json:"author"`
	ForUser        *nameRef              `json:"for_user"`
	ForGroup       *groupJSON            `json:"for_group"`
	MentionedUsers []nameRef             `json:"mentioned_users"`
	Hashtags       []hashtagRef          `json:"hashtags"`
	Source         recognitionSourceJSON `json:"source"`
	Created        epochTime             `json:"created"`
	CreatedOn      rfcTime               `json:"created_on"`
	ModifiedOn     rfcTime               `json:"modified_on"`
}

// recognitionJSON renders r with its people, hashtags and source.
func (st *store) recognitionJSON(r *recognition) recognitionJSON {
	out := recognitionJSON{
		ID: r.id, UUID: r.uuid, Author: st.userRef(r.authorID), ForUser: st.userRef(r.forUser),
		ForGroup: st.groupJSON(r.forGroup), MentionedUsers: st.userRefs(r.mentioned),
		Hashtags: make([]hashtagRef, 0, len(r.hashtags)),
		Created:  epochTime(r.created), CreatedOn: rfcTime(r.createdOn), ModifiedOn: rfcTime(r.modifiedOn),
	}
	for _, id := range r.hashtags {
		if h := st.hashtags.get(id); h != nil {
			out.Hashtags = append(out.Hashtags, hashtagRef{Name: h.name, ID: h.id})
		}
	}
	if cm := st.comments.get(r.sourceComment); cm != nil {
		cj := st.commentJSON(cm)
		out.Source.Comment = &cj
	}
	if so := r.shoutout; so != nil {
		sj := &shoutoutJSON{ID: so.id, UUID: so.uuid, AuthorID: r.authorID, Text: so.text, Created: epochTime(so.created), Edited: epochTime(so.edited)}
		if a := st.users.get(r.authorID); a != nil {
			sj.AuthorName = a.name()
		}
		if u := st.users.get(r.forUser); u != nil {
			id := u.id
			sj.ForUserID, sj.ForUserName = &id, u.name()
		} else {
			sj.ForUserName = st.departmentName(r.forGroup)
		}
		out.Source.Shoutout = sj
	}
	return out
}

// listRecognitions serves GET /recognitions/: start_date and end_date
// (YYYY-MM-DD, by the created date in UTC, both inclusive) must come
// together, else 400; for_user_id and for_group_id (integers, as the
// reference types them; a group is a department); hashtag (a name, with
// or without "#", without regard to case); delta filters. Page size
// default 20, maximum 100 (unstated in the reference). Every role sees
// every recognition, as the recognition feed is public.
func (s *Sandbox) listRecognitions(c *call) reply {
	p, apiErr := parsePage(c.q, limitsDefault)
	if apiErr != nil {
		return apiErr.reply()
	}
	delta, apiErr := parseDelta(c.q)
	if apiErr != nil {
		return apiErr.reply()
	}
	rawStart, rawEnd := c.q.Get("start_date"), c.q.Get("end_date")
	if (rawStart == "") != (rawEnd == "") {
		return detailError(http.StatusBadRequest, "start_date and end_date must be provided together.").reply()
	}
	var start, end time.Time
	if rawStart != "" {
		var errStart, errEnd error
		start, errStart = time.Parse(time.DateOnly, rawStart)
		end, errEnd = time.Parse(time.DateOnly, rawEnd)
		switch {
		case errStart != nil:
			return fieldError("start_date", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.").reply()
		case errEnd != nil:
			return fieldError("end_date", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.").reply()
		}
		end = end.Add(24*time.Hour - time.Microsecond)
	}
	ids := map[string]int64{}
	for _, k := range []string{"for_user_id", "for_group_id"} {
		if v := c.q.Get(k); v != "" {
			ref, okRef := parseIdent(v, false)
			if !okRef {
				return fieldError(k, msgInvalidInt).reply()
			}
			ids[k] = ref.id
		}
	}
	tag := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c.q.Get("hashtag")), "#"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	var tagID int64
	if tag != "" {
		tagID = -1
		for _, h := range st.hashtags.all() {
			if strings.ToLower(h.name) == tag {
				tagID = h.id
			}
		}
	}
	var matched []*recognition
	for _, r := range st.recognitions.all() {
		switch {
		case rawStart != "" && (r.created.Before(start) || r.created.After(end)):
		case ids["for_user_id"] != 0 && r.forUser != ids["for_user_id"]:
		case ids["for_group_id"] != 0 && r.forGroup != ids["for_group_id"]:
		case tagID != 0 && !slices.Contains(r.hashtags, tagID):
		case !delta.contains(r.modifiedOn):
		default:
			matched = append(matched, r)
		}
	}
	return ok(listPage("/recognitions/", c.q, p, matched, st.recognitionJSON))
}
