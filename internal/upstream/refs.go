package upstream

// UserRef is the short form of a user that the upstream embeds in other
// objects ({"name", "id", "uuid"}). UUID is empty where the upstream omits it.
type UserRef struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// PictureURIs links an image in two sizes.
type PictureURIs struct {
	Small  string `json:"small"`
	Medium string `json:"medium"`
}

// GoalOwner names who owns a goal. Each part is nil when the upstream sends null.
type GoalOwner struct {
	User  *UserRef  `json:"user"`
	Group *GroupRef `json:"group"`
	Team  *TeamRef  `json:"team"`
}

// GroupRef is a group (a department, or a team) as the upstream embeds it
// in goals, comments and recognitions.
type GroupRef struct {
	ID          int64        `json:"id"`
	UUID        string       `json:"uuid"`
	Name        string       `json:"name"`
	ParentID    int64        `json:"parent_id"`
	PictureURIs *PictureURIs `json:"picture_uris"`
	IsActive    bool         `json:"is_active"`
	IsTeam      bool         `json:"is_team"`
}

// TeamRef is a team as the upstream embeds it in goals, comments and
// recognitions; the timestamps are zero where it omits them.
type TeamRef struct {
	ID          int64        `json:"id"`
	UUID        string       `json:"uuid"`
	Name        string       `json:"name"`
	PictureURIs *PictureURIs `json:"picture_uris"`
	IsActive    bool         `json:"is_active"`
	CreatedOn   Time         `json:"created_on"`
	ModifiedOn  Time         `json:"modified_on"`
}

// GoalRef is the short form of a goal: parents and children.
type GoalRef struct {
	ID         int64  `json:"id"`
	UUID       string `json:"uuid"`
	Name       string `json:"name"`
	ModifiedOn Time   `json:"modified_on"`
}
