package upstream

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// Recognition is a recognition as List Recognitions returns it. ForUser is
// nil when a group is recognized, ForGroup when a user is.
type Recognition struct {
	ID             int64              `json:"id"`
	UUID           string             `json:"uuid"`
	Author         *UserRef           `json:"author"`
	ForUser        *UserRef           `json:"for_user"`
	ForGroup       *GroupRef          `json:"for_group"`
	MentionedUsers []UserRef          `json:"mentioned_users"`
	Hashtags       []Hashtag          `json:"hashtags"`
	Source         *RecognitionSource `json:"source"`
	Created        Time               `json:"created"`
	CreatedOn      Time               `json:"created_on"`
	ModifiedOn     Time               `json:"modified_on"`
}

// RecognitionSource says where a recognition was given. Each part is nil
// when absent or null.
type RecognitionSource struct {
	Comment  *Comment             `json:"comment"`
	Shoutout *RecognitionShoutout `json:"shoutout"`
}

// RecognitionShoutout is a shout-out that carries a recognition.
type RecognitionShoutout struct {
	ID          int64  `json:"id"`
	UUID        string `json:"uuid"`
	ForUserID   int64  `json:"for_user_id"`
	ForUserName string `json:"for_user_name"`
	AuthorID    int64  `json:"author_id"`
	AuthorName  string `json:"author_name"`
	Text        string `json:"text"`
	Created     Time   `json:"created"`
	Edited      Time   `json:"edited"`
}

// Hashtag is a hashtag used in recognitions, as List Hashtags returns it.
// Inside a Recognition only Name and ID are set.
type Hashtag struct {
	Name       string `json:"name"`
	ID         int64  `json:"id"`
	CreatedOn  Time   `json:"created_on"`
	ModifiedOn Time   `json:"modified_on"`
}

// RecognitionFilter selects recognitions in List Recognitions. A zero field
// is not sent; StartDate and EndDate go together.
type RecognitionFilter struct {
	// StartDate and EndDate are YYYY-MM-DD; the upstream needs both or
	// neither.
	StartDate, EndDate string
	// ForUserID is the recognized user's integer id.
	ForUserID int64
	// ForGroupID is the recognized group's integer id.
	ForGroupID int64
	// Hashtag is a hashtag's name.
	Hashtag string
	// DeltaStart and DeltaEnd bound modified_on, both inclusive.
	DeltaStart, DeltaEnd time.Time
}

// ListRecognitions fetches one page of recognitions.
func (c *Client) ListRecognitions(ctx context.Context, token Token, f RecognitionFilter, page PageRequest) (*Page[Recognition], error) {
	if (f.StartDate == "") != (f.EndDate == "") {
		return nil, fmt.Errorf("%s: %w: start_date and end_date go together", opListRecognitions, ErrInvalidRequest)
	}
	q := url.Values{}
	setNonEmpty(q, "start_date", f.StartDate)
	setNonEmpty(q, "end_date", f.EndDate)
	setID(q, "for_user_id", f.ForUserID)
	setID(q, "for_group_id", f.ForGroupID)
	setNonEmpty(q, "hashtag", f.Hashtag)
	setDelta(q, f.DeltaStart, f.DeltaEnd)
	page.encode(q)
	return fetchPage[Recognition](ctx, c, token, call{op: opListRecognitions, query: q}, page)
}

// HashtagFilter selects hashtags in List Hashtags. A zero field is not
// sent.
type HashtagFilter struct {
	// DeltaStart and DeltaEnd bound modified_on, both inclusive.
	DeltaStart, DeltaEnd time.Time
}

// ListHashtags fetches one page of hashtags, ordered by name.
func (c *Client) ListHashtags(ctx context.Context, token Token, f HashtagFilter, page PageRequest) (*Page[Hashtag], error) {
	q := url.Values{}
	setDelta(q, f.DeltaStart, f.DeltaEnd)
	page.encode(q)
	return fetchPage[Hashtag](ctx, c, token, call{op: opListHashtags, query: q}, page)
}
