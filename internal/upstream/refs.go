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
